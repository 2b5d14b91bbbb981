import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TransactionLookup } from '../../../src/domain/transactions/transaction-lookup.ts';
import type { Store, TransactionRecord } from '../../../src/store/ports.ts';

function tx(stationId: string, stationTxId: string, id = `${stationId}/${stationTxId}`): TransactionRecord {
  return {
    id, stationTxId, stationId, evseId: 1, connectorId: 1, idToken: null, startedAt: '2026-01-01T10:00:00.000Z', stoppedAt: null,
    meterStartWh: 0, meterStopWh: null, lastMeterWh: null, energyWh: null, stopReason: null, stopIdToken: null, reservationId: null,
    chargingState: null, lastSeqNo: null, remoteStartId: null, flags: [], createdAt: '2026-01-01T10:00:00.000Z', updatedAt: '2026-01-01T10:00:00.000Z',
  };
}

/** A store that knows `known` and counts its reads. */
function storeOf(known: TransactionRecord[]) {
  const reads: string[] = [];
  const store = {
    transactions: {
      findByStationTxId: async (stationId: string, stationTxId: string) => {
        reads.push(`${stationId}/${stationTxId}`);
        return known.find((t) => t.stationId === stationId && t.stationTxId === stationTxId);
      },
    },
  } as unknown as Store;
  return { store, reads };
}

describe('TransactionLookup', () => {
  it('reads a transaction from the store once, then answers from memory, connector after connector', async () => {
    const [a1, a2] = [tx('A', '1'), tx('A', '2')];
    const { store, reads } = storeOf([a1, a2]);
    const lookup = new TransactionLookup(store);
    assert.equal(await lookup.find('A', '1'), a1);
    assert.equal(await lookup.find('A', '2'), a2);
    // Two connectors reporting in turn: each answer from memory, whichever the station asked for last.
    for (let i = 0; i < 3; i++) {
      assert.equal(lookup.cached('A', '1'), a1);
      assert.equal(lookup.cached('A', '2'), a2);
    }
    assert.equal(lookup.cached('B', '1'), undefined);
    assert.deepEqual(reads, ['A/1', 'A/2']);
  });

  it('forgets a stopped transaction, and a new one with the same station id for it is read again', async () => {
    const old = tx('A', '7', 'old');
    const { store, reads } = storeOf([]);
    const lookup = new TransactionLookup(store);
    lookup.remember(old);
    assert.equal(lookup.cached('A', '7'), old);
    lookup.forget(old);
    assert.equal(lookup.cached('A', '7'), undefined);
    assert.equal(await lookup.find('A', '7'), undefined);
    assert.deepEqual(reads, ['A/7']);
    const renewed = tx('A', '7', 'new');
    lookup.remember(renewed);
    assert.equal(lookup.cached('A', '7'), renewed);
  });

  it('keeps at most 100,000 transactions: the oldest remembered goes first, and is not answered any more', () => {
    const lookup = new TransactionLookup(storeOf([]).store);
    const first = tx('S0', '0');
    lookup.remember(first);
    for (let i = 1; i <= 100_000; i++) lookup.remember(tx(`S${i}`, '0'));
    assert.equal(lookup.cached('S0', '0'), undefined);
    assert.equal(lookup.cached('S1', '0')?.stationId, 'S1');
    assert.equal(lookup.cached('S100000', '0')?.stationId, 'S100000');
  });
});
