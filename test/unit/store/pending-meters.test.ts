import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PendingMeters } from '../../../src/store/pending-meters.ts';
import type { TransactionRecord } from '../../../src/store/ports.ts';

const row = { id: '7', stoppedAt: null, lastMeterWh: 1000, updatedAt: '2025-01-01T00:00:00.000Z' } as TransactionRecord;
const meter = (wh: number, second: number) => ({ lastMeterWh: wh, at: `2025-01-01T00:00:${String(second).padStart(2, '0')}.000Z`, reportedAt: Date.UTC(2025, 0, 1, 0, 0, second) });

describe('PendingMeters', () => {
  it('a register taken for writing is still merged into reads until it is written', () => {
    const meters = new PendingMeters();
    meters.record('7', meter(1400, 10));
    const taken = meters.takeUpTo(10);
    assert.equal(meters.size, 0);
    assert.equal(meters.merge(row, '2025-01-01T00:00:00.000Z').lastMeterWh, 1400, 'while its write waits for the commit');
    meters.written(taken);
    assert.equal(meters.merge(row, '2025-01-01T00:00:00.000Z').lastMeterWh, 1000, 'written: the row is the truth again');
  });

  it('a newer register reported while an older one is written wins; a failed write puts back only what is not outdated', () => {
    const meters = new PendingMeters();
    meters.record('7', meter(1400, 10));
    const taken = meters.takeAll();
    meters.record('7', meter(1500, 20));
    assert.equal(meters.merge(row, null).lastMeterWh, 1500);
    meters.restore(taken);
    assert.equal(meters.get('7')?.lastMeterWh, 1500);
    meters.take('7');
    meters.written(taken);
    assert.equal(meters.merge(row, null).lastMeterWh, 1500, 'the older write settling leaves the newer one being written');
  });
});
