import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nowIso, parseTime, stationTime } from '../../../src/domain/clock.ts';

describe('clock', () => {
  it('parseTime answers as Date.parse does, whichever text came before it', () => {
    const texts = ['2026-01-01T10:00:00Z', '2026-01-01T10:00:00Z', '2026-01-01T10:00:00.500+01:00', 'not a time', '', '2026-01-01T10:00:00Z'];
    for (const text of texts) assert.deepEqual(parseTime(text), Date.parse(text), text);
  });

  it('field notes §3 #8: an unreadable station time is replaced by the receive time, a readable one kept as sent', () => {
    const received = nowIso();
    assert.equal(stationTime('2026-01-01T10:00:00+01:00', received), '2026-01-01T10:00:00+01:00');
    assert.equal(stationTime('yesterday-ish', received), received);
    assert.equal(stationTime(undefined, received), received);
  });

  it('nowIso is the current UTC time in ISO 8601', () => {
    const before = Date.now();
    const at = Date.parse(nowIso());
    assert.ok(at >= before - 1 && at <= Date.now(), `${at} not within [${before}, ${Date.now()}]`);
    assert.match(nowIso(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});
