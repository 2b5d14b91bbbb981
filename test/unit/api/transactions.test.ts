import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bootedStation, harness, type Harness } from './harness.ts';

const sample = (value: string, timestamp: string) => ({
  timestamp,
  sampledValues: [{ value, measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic', format: 'Raw', phase: null, location: null }],
});

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
        lastMeterWh: 1500, energyWh: 1500, stopReason: 'Local', stopIdToken: null, reservationId: null, flags: [],
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
});
