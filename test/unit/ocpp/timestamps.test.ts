import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isWellFormedDateTime, parseLenientTimestamp } from '../../../src/ocpp/validation/lenient-timestamps.ts';

describe('lenient timestamps (field notes §3 quirk #8)', () => {
  it('quirk #8: ABB Terra 2022-02-29 is clamped to the last day of February and flagged', () => {
    const r = parseLenientTimestamp('2022-02-29T10:15:00Z');
    assert.equal(r?.iso, '2022-02-28T10:15:00.000Z');
    assert.equal(r?.clamped, true);
    assert.match(r?.notes.join() ?? '', /day 29 does not exist in 2022-02: clamped to 28/);
    // A real leap day is not touched; 31 April goes to 30 April.
    assert.equal(parseLenientTimestamp('2024-02-29T10:15:00Z')?.clamped, false);
    assert.equal(parseLenientTimestamp('2021-04-31T00:00:00Z')?.iso, '2021-04-30T00:00:00.000Z');
  });

  it('quirk #8: no zone is read as UTC and flagged (never as the server\'s local time)', () => {
    const r = parseLenientTimestamp('2026-03-01T08:30:00');
    assert.equal(r?.iso, '2026-03-01T08:30:00.000Z');
    assert.equal(r?.assumedUtc, true);
    assert.match(r?.notes.join() ?? '', /no time zone: read as UTC/);
  });

  it('quirk #8: missing milliseconds or seconds, a space or a lower-case t instead of T, long fractions are accepted', () => {
    assert.equal(parseLenientTimestamp('2026-03-01T08:30:00Z')?.iso, '2026-03-01T08:30:00.000Z');
    assert.equal(parseLenientTimestamp('2026-03-01 08:30:00Z')?.iso, '2026-03-01T08:30:00.000Z');
    assert.equal(parseLenientTimestamp('2026-03-01t08:30z')?.iso, '2026-03-01T08:30:00.000Z');
    assert.equal(parseLenientTimestamp('2026-03-01T08:30:00.123456Z')?.iso, '2026-03-01T08:30:00.123Z');
    assert.equal(parseLenientTimestamp('2026-03-01T08:30:00,5Z')?.iso, '2026-03-01T08:30:00.500Z');
    assert.equal(parseLenientTimestamp('2026-3-1T8:30:00Z')?.iso, '2026-03-01T08:30:00.000Z');
    assert.equal(parseLenientTimestamp(' 2026-03-01T08:30:00 UTC ')?.iso, '2026-03-01T08:30:00.000Z');
    assert.equal(parseLenientTimestamp('2026-03-01')?.iso, '2026-03-01T00:00:00.000Z');
  });

  it('quirk #8: offsets in any spelling are converted to UTC, across a day and a year boundary', () => {
    assert.equal(parseLenientTimestamp('2026-03-01T08:30:00+01:00')?.iso, '2026-03-01T07:30:00.000Z');
    assert.equal(parseLenientTimestamp('2026-03-01T08:30:00+0100')?.iso, '2026-03-01T07:30:00.000Z');
    assert.equal(parseLenientTimestamp('2026-03-01T08:30:00+01')?.iso, '2026-03-01T07:30:00.000Z');
    assert.equal(parseLenientTimestamp('2025-12-31T22:30:00-05:30')?.iso, '2026-01-01T04:00:00.000Z');
    assert.equal(parseLenientTimestamp('2026-01-01T00:30:00+02:00')?.iso, '2025-12-31T22:30:00.000Z');
  });

  it('quirk #8: non-dates are not dates: undefined, for the caller to keep as sent', () => {
    for (const text of ['', 'yesterday', '0', '1700000000', '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-01-00T00:00:00Z', '2026-01-32T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T10:60:00Z', '2026-01-01T23:59:60Z', '2026-01-01T10:00:00+25:00', '01/03/2026 08:30']) {
      assert.equal(parseLenientTimestamp(text), undefined, text);
    }
  });

  it('the output is always YYYY-MM-DDTHH:mm:ss.sssZ', () => {
    for (const text of ['2026-03-01', '2026-03-01 08:30', '2022-02-29T23:59:59.9999-01:00', '0999-01-01T00:00:00Z']) {
      assert.match(parseLenientTimestamp(text)?.iso ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, text);
    }
  });

  it('well-formed RFC 3339 date-times (kept as sent by the normaliser) are told from the rest', () => {
    for (const text of ['2026-03-01T08:30:00Z', '2026-03-01T08:30:00.1Z', '2026-03-01T08:30:00.123456Z', '2026-03-01T08:30:00+01:00', '2024-02-29T00:00:00-05:30']) {
      assert.equal(isWellFormedDateTime(text), true, text);
    }
    for (const text of ['2022-02-29T00:00:00Z', '2026-03-01T08:30:00', '2026-03-01 08:30:00Z', '2026-03-01t08:30:00z', '2026-03-01T08:30Z', '2026-03-01T08:30:00.Z', '2026-03-01T08:30:00+0100', '2026-03-01T08:30:00Z ', '2026-03-01T24:00:00Z', '']) {
      assert.equal(isWellFormedDateTime(text), false, text);
    }
  });
});
