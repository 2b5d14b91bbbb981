/** Time helpers for charging profiles: ISO 8601 date-times to epoch milliseconds and back. */

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

// The composite computation reads the same few profile times for every session of a re-plan; parsing them once
// matters there. Bounded: cleared when full.
const CACHE_LIMIT = 10_000;
const parsed = new Map<string, number>();

/**
 * Epoch milliseconds of an ISO 8601 date-time, or undefined when it is not one. A date-time without a zone designator
 * is read as UTC (OCPP recommends UTC everywhere, 1.6 §3.14), never as the server's local time.
 */
export function parseIsoTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const cached = parsed.get(value);
  if (cached !== undefined) return Number.isNaN(cached) ? undefined : cached;
  const m = ISO_DATE_TIME.exec(value);
  const ms = m ? Date.parse(m[7] ? value : `${value}Z`) : NaN;
  if (parsed.size >= CACHE_LIMIT) parsed.clear();
  parsed.set(value, Number.isFinite(ms) ? ms : NaN);
  return Number.isFinite(ms) ? ms : undefined;
}

/** True when the date-time names its zone (Z or an offset); Joule only sends such times. */
export function hasZoneDesignator(value: string): boolean {
  const m = ISO_DATE_TIME.exec(value);
  return m !== null && m[7] !== undefined;
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
