import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TransactionEventInput, TransactionPhase } from '../../../src/domain/transactions/transaction-service.ts';
import { bootedStation, harness, type Harness } from './harness.ts';

const sample = (value: string, timestamp: string, context = 'Sample.Periodic') => ({
  timestamp,
  sampledValues: [{ value, measurand: 'Energy.Active.Import.Register', unit: 'Wh', context, format: 'Raw', phase: null, location: null }],
});

/** A 2.0.1 TransactionEvent of transaction TX-201 on EVSE 1, as the adapter hands it to the domain (raw = the request). */
function txEvent(phase: TransactionPhase, seqNo: number, timestamp: string, triggerReason: string, extra: Partial<TransactionEventInput> = {}): TransactionEventInput {
  const raw: Record<string, unknown> = {
    eventType: phase,
    timestamp,
    triggerReason,
    seqNo,
    transactionInfo: { transactionId: 'TX-201', ...(extra.chargingState ? { chargingState: extra.chargingState } : {}) },
    ...(extra.offline ? { offline: true } : {}),
  };
  return { stationTxId: 'TX-201', phase, seqNo, timestamp, triggerReason, offline: false, evseId: 1, connectorId: 1, meterValues: [], raw, ...extra };
}

describe('transactions API', () => {
  let h: Harness;
  let finishedId: string;
  let activeId: string;

  before(async () => {
    h = await harness();
    await bootedStation(h, 'CP1');
    await bootedStation(h, 'CP2');
    await h.domain.authorization.put({ idToken: 'TAG1', status: 'Accepted', allowConcurrentTx: true });
    const finished = await h.domain.transactions.start('CP1', { evseId: 1, connectorId: 1, idToken: 'TAG1', meterStartWh: 1000, timestamp: '2026-01-01T10:00:00.000Z' });
    finishedId = finished.transaction.id;
    await h.domain.metering.record('CP1', { evseId: 1, connectorId: 1, stationTxId: finished.transaction.stationTxId, values: [sample('1500', '2026-01-01T10:15:00.000Z')] });
    await h.domain.transactions.stop('CP1', { stationTxId: finished.transaction.stationTxId, meterStopWh: 2500, timestamp: '2026-01-01T10:30:00.000Z', reason: 'Local' });
    activeId = (await h.domain.transactions.start('CP2', { evseId: 2, connectorId: 1, idToken: 'TAG1', meterStartWh: 0, timestamp: '2026-01-01T11:00:00.000Z' })).transaction.id;
  });
  after(() => h.close());

  it('lists transactions with the contract\'s fields', async () => {
    const res = await h.call('GET', '/api/v1/transactions');
    assert.equal(res.statusCode, 200);
    const rows = res.json();
    assert.equal(rows.length, 2);
    const finished = rows.find((t: { id: string }) => t.id === finishedId);
    assert.deepEqual(
      { ...finished, createdAt: undefined, updatedAt: undefined },
      {
        id: finishedId, stationTxId: finishedId, stationId: 'CP1', evseId: 1, connectorId: 1, idToken: 'TAG1',
        startedAt: '2026-01-01T10:00:00.000Z', stoppedAt: '2026-01-01T10:30:00.000Z', meterStartWh: 1000, meterStopWh: 2500,
        lastMeterWh: 1500, energyWh: 1500, stopReason: 'Local', stopIdToken: null, reservationId: null,
        chargingState: null, lastSeqNo: null, remoteStartId: null, flags: [],
        createdAt: undefined, updatedAt: undefined,
      },
    );
  });

  it('filters by station and by state', async () => {
    const ids = async (query: string) => (await h.call('GET', `/api/v1/transactions${query}`)).json().map((t: { id: string }) => t.id);
    assert.deepEqual(await ids('?stationId=CP1'), [finishedId]);
    assert.deepEqual(await ids('?stationId=CP2'), [activeId]);
    assert.deepEqual(await ids('?active=true'), [activeId]);
    assert.deepEqual(await ids('?active=false'), [finishedId]);
    assert.deepEqual(await ids('?stationId=CP1&active=true'), []);
    assert.deepEqual(await ids('?stationId=NOPE'), []);
  });

  it('pages with limit and offset', async () => {
    const first = (await h.call('GET', '/api/v1/transactions?limit=1')).json();
    const second = (await h.call('GET', '/api/v1/transactions?limit=1&offset=1')).json();
    assert.equal(first.length, 1);
    assert.equal(second.length, 1);
    assert.notEqual(first[0].id, second[0].id);
    for (const query of ['?active=maybe', '?limit=abc', '?offset=-1']) {
      assert.equal((await h.call('GET', `/api/v1/transactions${query}`)).statusCode, 400, query);
    }
  });

  it('gets one transaction, 404 when unknown', async () => {
    const res = await h.call('GET', `/api/v1/transactions/${activeId}`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().stoppedAt, null);
    assert.equal(res.json().stationId, 'CP2');
    const missing = await h.call('GET', '/api/v1/transactions/999999');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'not_found');
  });

  it('lists a transaction\'s meter values, 404 when unknown', async () => {
    const res = await h.call('GET', `/api/v1/transactions/${finishedId}/meter-values`);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      res.json().map((v: { transactionId: string; measurand: string; value: string; numericValue: number; timestamp: string }) =>
        [v.transactionId, v.measurand, v.value, v.numericValue, v.timestamp]),
      [[finishedId, 'Energy.Active.Import.Register', '1500', 1500, '2026-01-01T10:15:00.000Z']],
    );
    assert.deepEqual((await h.call('GET', `/api/v1/transactions/${activeId}/meter-values`)).json(), []);
    assert.equal((await h.call('GET', '/api/v1/transactions/999999/meter-values')).statusCode, 404);
  });

  it('lists a 2.x transaction\'s events by seqNo, whatever order they arrived in, each replay kept once (2.x TransactionEvent seqNo)', async () => {
    await bootedStation(h, 'CS201', 'ocpp2.0.1');
    const events = [
      txEvent('Started', 0, '2026-01-02T12:00:00.000Z', 'Authorized', { idToken: 'TAG1', meterValues: [sample('5000', '2026-01-02T12:00:00.000Z', 'Transaction.Begin')] }),
      // The station's offline queue delivers seqNo 2 before seqNo 1.
      txEvent('Updated', 2, '2026-01-02T12:20:00.000Z', 'MeterValuePeriodic', { offline: true, meterValues: [sample('6000', '2026-01-02T12:20:00.000Z')] }),
      txEvent('Updated', 1, '2026-01-02T12:10:00.000Z', 'ChargingStateChanged', { chargingState: 'Charging' }),
      txEvent('Updated', 1, '2026-01-02T12:10:00.000Z', 'ChargingStateChanged', { chargingState: 'Charging' }),
      txEvent('Ended', 3, '2026-01-02T12:30:00.000Z', 'EVDeparted', { stoppedReason: 'EVDisconnected', meterValues: [sample('7000', '2026-01-02T12:30:00.000Z', 'Transaction.End')] }),
    ];
    let transactionId = '';
    for (const event of events) transactionId = (await h.domain.transactions.event('CS201', event)).transaction.id;

    const res = await h.call('GET', `/api/v1/transactions/${transactionId}/events`, { as: 'viewer' });
    assert.equal(res.statusCode, 200);
    const log = res.json();
    assert.deepEqual(
      log.map((e: { seqNo: number; eventType: string; triggerReason: string; offline: boolean }) => [e.seqNo, e.eventType, e.triggerReason, e.offline]),
      [[0, 'Started', 'Authorized', false], [1, 'Updated', 'ChargingStateChanged', false], [2, 'Updated', 'MeterValuePeriodic', true], [3, 'Ended', 'EVDeparted', false]],
    );
    assert.ok(log.every((e: { stationId: string; stationTxId: string; transactionId: string; receivedAt: string }) =>
      e.stationId === 'CS201' && e.stationTxId === 'TX-201' && e.transactionId === transactionId && !Number.isNaN(Date.parse(e.receivedAt))));
    assert.deepEqual({ ...log[0], receivedAt: undefined }, {
      stationId: 'CS201', stationTxId: 'TX-201', seqNo: 0, eventType: 'Started', triggerReason: 'Authorized',
      timestamp: '2026-01-02T12:00:00.000Z', offline: false, transactionId, payload: events[0]!.raw, receivedAt: undefined,
    });
    assert.deepEqual(log[1].payload.transactionInfo, { transactionId: 'TX-201', chargingState: 'Charging' }, 'the payload as received');
    const tx = (await h.call('GET', `/api/v1/transactions/${transactionId}`)).json();
    assert.deepEqual([tx.stationTxId, tx.lastSeqNo, tx.meterStartWh, tx.meterStopWh, tx.energyWh], ['TX-201', 3, 5000, 7000, 2000]);
  });

  it('answers an empty event log for a 1.6 transaction, 404 for an unknown one and 400 for an empty id', async () => {
    const res = await h.call('GET', `/api/v1/transactions/${finishedId}/events`);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), []);
    const missing = await h.call('GET', '/api/v1/transactions/999999/events');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'not_found');
    const empty = await h.call('GET', '/api/v1/transactions//events');
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json().error.code, 'invalid_request');
    assert.equal((await h.call('GET', `/api/v1/transactions/${finishedId}/events`, { as: null })).statusCode, 401);
  });
});
