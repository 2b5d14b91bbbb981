let lastMs = 0;
let lastIso = new Date(0).toISOString();

/**
 * The current time as an ISO 8601 UTC string. The message path asks for it several times per message; within the
 * same millisecond the string is reused instead of formatted again.
 */
export function nowIso(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

let lastParsedText = '';
let lastParsedMs = Number.NaN;

/**
 * `Date.parse(text)`, remembering the last answer: the message path reads the same reading's timestamp several
 * times per message (where it is stored, which reading is newest for energy and for the measured draw).
 */
export function parseTime(text: string): number {
  if (text !== lastParsedText) {
    lastParsedText = text;
    lastParsedMs = Date.parse(text);
  }
  return lastParsedMs;
}

/**
 * A time a station sent, or `fallback` (the receive time) when it is missing or unreadable (field notes §3 #8: what
 * lenient validation could not repair is never stored as a record's time).
 */
export function stationTime(timestamp: string | undefined, fallback: string): string {
  return timestamp !== undefined && !Number.isNaN(parseTime(timestamp)) ? timestamp : fallback;
}
