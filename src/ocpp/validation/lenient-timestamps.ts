/**
 * Timestamps as chargers really send them (field notes §3 quirk #8: ABB Terra's 2022-02-29, no milliseconds, no `Z`,
 * local time, a space instead of `T`). The OCA schemas mark them `format: date-time`, but Joule compiles the schemas
 * without format checks, so none of this is a schema violation: without repair, V8 would read `2022-02-29T…Z` as
 * 1 March and a timestamp without an offset as the server's local time.
 */

/**
 * What chargers send: date with 1-2 digit month/day, `T`, `t` or spaces, optional seconds and fraction (`.` or `,`),
 * and an optional zone (`Z`, `UTC`, `GMT`, `±hh`, `±hhmm`, `±hh:mm`). A date alone means midnight.
 */
const LENIENT =
  /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:(T|t|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?\s*$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1-12) of `year` (proleptic Gregorian, as ISO 8601 and JavaScript dates count). */
function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 31);
}

/** The digit at `i` as a number, or -1. */
function digit(text: string, i: number): number {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** The two-digit number at `i`, or -1. */
function twoDigits(text: string, i: number): number {
  const a = digit(text, i);
  const b = digit(text, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/**
 * True when `text` is a well-formed RFC 3339 date-time as the schemas mean it (`YYYY-MM-DDTHH:mm:ss`, an optional
 * fraction, then `Z` or `±hh:mm`; upper-case `T` and `Z`) with a real calendar date. Such timestamps are left
 * exactly as sent (no millisecond padding; an explicit offset is kept), so a conformant station never sees a "fix".
 * Written with character codes rather than a regular expression: it runs for every timestamp of every valid message
 * of a lenient station.
 */
export function isWellFormedDateTime(text: string): boolean {
  const length = text.length;
  if (length < 20) return false;
  const high = twoDigits(text, 0);
  const low = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (high < 0 || low < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':') return false;
  if (day > daysInMonth(high * 100 + low, month)) return false;
  let i = 19;
  if (text[i] === '.') {
    i++;
    const fractionStart = i;
    while (i < length && digit(text, i) >= 0) i++;
    if (i === fractionStart) return false;
  }
  if (text[i] === 'Z') return i + 1 === length;
  if (text[i] !== '+' && text[i] !== '-') return false;
  const offsetHours = twoDigits(text, i + 1);
  const offsetMinutes = twoDigits(text, i + 4);
  return i + 6 === length && text[i + 3] === ':' && offsetHours >= 0 && offsetHours <= 23 && offsetMinutes >= 0 && offsetMinutes <= 59;
}

export interface RepairedTimestamp {
  /** Always `YYYY-MM-DDTHH:mm:ss.sssZ`. */
  iso: string;
  /** What was assumed or changed, in words (empty when only the spelling changed, e.g. milliseconds added). */
  notes: string[];
  /** The day did not exist in its month (2022-02-29) and was moved to the month's last day. */
  clamped: boolean;
  /** The timestamp had no zone and was read as UTC. */
  assumedUtc: boolean;
}

/**
 * Reads a timestamp leniently and returns it as UTC `YYYY-MM-DDTHH:mm:ss.sssZ`, or undefined when `text` is not a
 * date at all (left to the caller, which keeps it as sent). Rules:
 * - no zone: UTC is assumed (flagged: the station may be on local time);
 * - a space or `t` instead of `T`, missing seconds or milliseconds, `,` as decimal sign, `+0100` or `+01`: accepted;
 * - a day past the end of its month (2022-02-29, 2021-04-31): clamped to the month's last day and flagged;
 * - a month outside 1-12, day 0, hour above 23, minute or second above 59 (leap seconds included): not a date.
 * Fractions beyond milliseconds are truncated.
 */
export function parseLenientTimestamp(text: string): RepairedTimestamp | undefined {
  const m = LENIENT.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  let day = Number(m[3]);
  const separator = m[4];
  const hour = m[5] === undefined ? 0 : Number(m[5]);
  const minute = m[6] === undefined ? 0 : Number(m[6]);
  const second = m[7] === undefined ? 0 : Number(m[7]);
  const millis = m[8] === undefined ? 0 : Number(m[8].slice(0, 3).padEnd(3, '0'));
  const zone = m[9];
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;

  const notes: string[] = [];
  let clamped = false;
  const lastDay = daysInMonth(year, month);
  if (day > lastDay) {
    notes.push(`day ${day} does not exist in ${m[1]}-${String(month).padStart(2, '0')}: clamped to ${lastDay}`);
    day = lastDay;
    clamped = true;
  }
  if (m[5] === undefined) notes.push('date without a time: read as midnight');
  else if (separator !== 'T') notes.push(`'${separator === 't' ? 't' : 'space'}' instead of 'T'`);

  let offsetMinutes = 0;
  const assumedUtc = zone === undefined;
  if (assumedUtc) {
    notes.push('no time zone: read as UTC');
  } else if (zone !== 'Z') {
    if (zone === 'z' || zone === 'UTC' || zone === 'GMT') {
      notes.push(`zone '${zone}' written as 'Z'`);
    } else {
      const sign = zone.startsWith('-') ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      const offsetHours = Number(digits.slice(0, 2));
      const offsetMins = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
      if (offsetHours > 23 || offsetMins > 59) return undefined;
      offsetMinutes = sign * (offsetHours * 60 + offsetMins);
      notes.push(`offset ${zone} converted to UTC`);
    }
  }

  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  const epoch = date.getTime() - offsetMinutes * 60_000;
  const utc = new Date(epoch);
  const utcYear = utc.getUTCFullYear();
  if (!Number.isFinite(epoch) || utcYear < 0 || utcYear > 9999) return undefined;
  return { iso: utc.toISOString(), notes, clamped, assumedUtc };
}
