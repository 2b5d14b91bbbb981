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
