import type { ProfileViolation } from './charging-profile.ts';

/**
 * The outcome of converting a profile to or from a version's wire shape. `dropped` lists the paths of fields the
 * target cannot carry and that were left out because leaving them out keeps the profile safe (it never lifts a
 * limit); anything else that cannot be carried is a violation.
 */
export type ConversionResult<T> =
  | { ok: true; value: T; dropped: string[] }
  | { ok: false; violations: ProfileViolation[] };

export function converted<T>(value: T, dropped: string[]): ConversionResult<T> {
  return { ok: true, value, dropped };
}

export function notConverted<T>(violations: ProfileViolation[]): ConversionResult<T> {
  return { ok: false, violations };
}

/** Integer check used before writing a field whose schema type is integer. */
export function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/**
 * Limits rounded down to one decimal: the 1.6 schema allows at most one (multipleOf 0.1), and rounding down never
 * lets a station exceed what was asked.
 */
export function floorToTenth(value: number): number {
  return Math.floor(value * 10 + 1e-6) / 10;
}

export function roundToTenth(value: number): number {
  return Math.round(value * 10) / 10;
}
