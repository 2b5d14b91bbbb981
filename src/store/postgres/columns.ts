import { recordMappers } from '../record-mappers.ts';
import { smartChargingMappers } from '../smart-charging-mappers.ts';
import { accountMappers } from '../account-mappers.ts';
import { certificateMappers } from '../certificate-mappers.ts';
/** One result row as node-postgres returns it (default type parsers: int8 as a decimal string, jsonb parsed). */
export type Row = Record<string, unknown>;

function schemaMismatch(column: string, expected: string, value: unknown): Error {
  const got = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
  return new Error(`PostgreSQL column ${column}: expected ${expected}, got ${got}`);
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

/** A bigint column (node-postgres returns int8 as a decimal string) or an integer/float one, as a number. */
export function integer(row: Row, column: string): number {
  const value = row[column];
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?[0-9]+$/.test(value)) return Number(value);
  throw schemaMismatch(column, 'number', value);
}

export function nullableNumber(row: Row, column: string): number | null {
  return row[column] === null ? null : integer(row, column);
}

/** A bigint key exactly as PostgreSQL prints it (never rounded through a JS number). */
export function decimal(row: Row, column: string): string {
  const value = row[column];
  if (typeof value === 'string' && /^-?[0-9]+$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw schemaMismatch(column, 'integer', value);
}

export function boolean(row: Row, column: string): boolean {
  const value = row[column];
  if (typeof value !== 'boolean') throw schemaMismatch(column, 'boolean', value);
  return value;
}

export function nullableBoolean(row: Row, column: string): boolean | null {
  return row[column] === null ? null : boolean(row, column);
}

/** A jsonb column (already parsed by node-postgres). */
export function json<T>(row: Row, column: string): T {
  const value = row[column];
  if (value === null || value === undefined) throw schemaMismatch(column, 'json', value);
  return value as T;
}

export function nullableJson<T>(row: Row, column: string): T | null {
  const value = row[column];
  return value === null ? null : (value as T);
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

/**
 * JSON text for a jsonb parameter. Always stringify explicitly: node-postgres would turn a JS array into a
 * PostgreSQL array literal, not JSON. See {@link jsonText} for what jsonb cannot hold.
 */
export function toJson(value: unknown): string | null {
  return value === null || value === undefined ? null : jsonText(value);
}

/** An escaped backslash (kept), or an escape jsonb refuses: `\u0000` and lone UTF-16 surrogates. */
const JSONB_UNSUPPORTED_ESCAPE = /\\(?:\\|u0000|ud[89a-f][0-9a-f]{2})/g;

/**
 * `JSON.stringify(value)`, made acceptable to jsonb: jsonb refuses the NUL character and lone surrogates (which
 * `JSON.stringify` writes as `\u0000` and `\udXXX`; paired surrogates are written as the character itself), so they
 * become U+FFFD, the replacement character, as node-postgres already does for lone surrogates in text parameters.
 * Stations send arbitrary strings: a notification is then stored slightly altered rather than refused.
 */
export function jsonText(value: unknown): string {
  const json = JSON.stringify(value);
  if (!json.includes('\\u')) return json;
  return json.replace(JSONB_UNSUPPORTED_ESCAPE, (escape) => (escape === '\\\\' ? escape : '\\ufffd'));
}

/** PostgreSQL's way of reading columns, for the shared row mappers. */
const reader = {
  text, nullableText, integer, nullableNumber, boolean, nullableBoolean, json, nullableJson, oneOf, nullableOneOf, key: decimal,
};

export const records = recordMappers(reader);

/** The smart-charging tables' rows. */
export const smartChargingRecords = smartChargingMappers(reader);

/** The account tables' rows (operators, tokens, audit log). */
export const accountRecords = accountMappers(reader);

/** The certificate and security-event tables' rows. */
export const certificateRecords = certificateMappers(reader);
