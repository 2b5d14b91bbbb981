import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bootedStation, type RawStation } from './support/raw-station.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const T0 = '2026-11-21T08:00:00.000Z';

describe('OCPP 1.6: replayed messages are recognised and never counted twice', () => {
  let server: TestServer;
  let st: RawStation;
  before(async () => {
    server = await startTestServer();
    await server.api('PUT', '/api/v1/id-tokens/TAG-R', { status: 'Accepted' });
    st = await bootedStation(server.wsUrl, 'CP-REPLAY');
  });
  after(async () => {
    await st.close();
    await server.stop();
  });

  it('a replayed StartTransaction gets the same transactionId and creates no second transaction', async () => {
    const start = { connectorId: 1, idTag: 'TAG-R', meterStart: 100, timestamp: T0 };
    const first = await st.ok('StartTransaction', start);
    const again = await st.ok('StartTransaction', start);
    assert.deepEqual(again, first, 'answered the same');
    const { body } = await server.api('GET', '/api/v1/transactions?stationId=CP-REPLAY');
    assert.equal(body.length, 1);
  });

  it('replayed MeterValues add no rows; a replayed StopTransaction changes nothing', async () => {
    const [tx] = (await server.api('GET', '/api/v1/transactions?stationId=CP-REPLAY')).body;
    const transactionId = Number(tx.id);
    const meter = {
      connectorId: 1,
      transactionId,
      meterValue: [{ timestamp: '2026-11-21T08:01:00.000Z', sampledValue: [{ value: '400' }, { value: '11', measurand: 'Current.Import', phase: 'L1', unit: 'A' }] }],
    };
    await st.ok('MeterValues', meter);
    await st.ok('MeterValues', meter);
    await st.ok('MeterValues', meter);
    assert.equal((await server.api('GET', `/api/v1/transactions/${tx.id}/meter-values`)).body.length, 2);

    const stop = { transactionId, meterStop: 900, timestamp: '2026-11-21T08:30:00.000Z', reason: 'Local', transactionData: [{ timestamp: '2026-11-21T08:30:00.000Z', sampledValue: [{ value: '900', context: 'Transaction.End' }] }] };
    const first = await st.ok('StopTransaction', stop);
    const again = await st.ok('StopTransaction', { ...stop, meterStop: 999999 });
    assert.deepEqual(again, first);
    const ended = (await server.api('GET', `/api/v1/transactions/${tx.id}`)).body;
    assert.equal(ended.meterStopWh, 900, 'the first stop wins');
    assert.equal(ended.energyWh, 800);
    assert.equal((await server.api('GET', `/api/v1/transactions/${tx.id}/meter-values`)).body.length, 3);
  });

  it('the same StartTransaction replayed on a new connection (after a reconnect) is still recognised', async () => {
    const start = { connectorId: 2, idTag: 'TAG-R', meterStart: 0, timestamp: '2026-11-21T09:00:00.000Z' };
    const first = await st.ok('StartTransaction', start);
    const other = await bootedStation(server.wsUrl, 'CP-REPLAY');
    const again = await other.ok('StartTransaction', start);
    assert.equal(again.transactionId, first.transactionId);
    assert.equal((await server.api('GET', '/api/v1/transactions?stationId=CP-REPLAY&active=true')).body.length, 1);
    st = other;
  });
});
