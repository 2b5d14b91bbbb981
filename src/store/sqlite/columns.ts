import { recordMappers } from '../record-mappers.ts';
import { smartChargingMappers } from '../smart-charging-mappers.ts';
import { accountMappers } from '../account-mappers.ts';
import { certificateMappers } from '../certificate-mappers.ts';
import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';

/** One result row as `node:sqlite` returns it. */
export type Row = Record<string, SQLOutputValue>;

function schemaMismatch(column: string, expected: string, value: unknown): Error {
  const got = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
  return new Error(`SQLite column ${column}: expected ${expected}, got ${got}`);
}

export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw schemaMismatch(column, 'text', value);
  return value;
}

export function nullableText(row: Row, column: string): string | null {
  const value = row[column];
  if (value === null) return null;
  if (typeof value !== 'string') throw schemaMismatch(column, 'text or null', value);
  return value;
}

/** Key columns store `''` for "none" so that a unique index treats them as equal; this maps `''` back to null. */
export function emptyAsNull(row: Row, column: string): string | null {
  const value = text(row, column);
  return value === '' ? null : value;
}

export function integer(row: Row, column: string): number {
  const value = row[column];
  if (typeof value !== 'number') throw schemaMismatch(column, 'number', value);
  return value;
}

export function nullableNumber(row: Row, column: string): number | null {
  const value = row[column];
  if (value === null) return null;
  if (typeof value !== 'number') throw schemaMismatch(column, 'number or null', value);
  return value;
}

export function boolean(row: Row, column: string): boolean {
  return integer(row, column) !== 0;
}

export function nullableBoolean(row: Row, column: string): boolean | null {
  return row[column] === null ? null : boolean(row, column);
}

/** A JSON text column, parsed (null stays null). */
export function nullableJson<T>(row: Row, column: string): T | null {
  const value = nullableText(row, column);
  return value === null ? null : (JSON.parse(value) as T);
}

export function json<T>(row: Row, column: string): T {
  return JSON.parse(text(row, column)) as T;
}

/** Narrows a text column to one of the allowed values. */
export function oneOf<T extends string>(row: Row, column: string, allowed: readonly T[]): T {
  const value = text(row, column);
  if (!(allowed as readonly string[]).includes(value)) throw schemaMismatch(column, allowed.join('|'), value);
  return value as T;
}

export function nullableOneOf<T extends string>(row: Row, column: string, allowed: readonly T[]): T | null {
  return row[column] === null ? null : oneOf(row, column, allowed);
}

/** Booleans are stored as 0/1. */
export function bit(value: boolean): SQLInputValue {
  return value ? 1 : 0;
}

/** A nullable boolean as 0/1 or null. */
export function nullableBit(value: boolean | null): SQLInputValue {
  return value === null ? null : bit(value);
}

/** JSON for a nullable JSON column. */
export function toJson(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** SQLite's way of reading columns, for the shared row mappers. */
const reader = {
  text, nullableText, integer, nullableNumber, boolean, nullableBoolean, json, nullableJson, oneOf, nullableOneOf,
  key: (row: Row, column: string) => String(integer(row, column)),
};

export const records = recordMappers(reader);

/** The smart-charging tables' rows. */
export const smartChargingRecords = smartChargingMappers(reader);

/** The account tables' rows (operators, tokens, audit log). */
export const accountRecords = accountMappers(reader);

/** The certificate and security-event tables' rows. */
export const certificateRecords = certificateMappers(reader);
