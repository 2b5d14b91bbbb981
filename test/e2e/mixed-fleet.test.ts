import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bootedStrictStation, connectStrictStation, transactionEvent, type StrictStation } from './support/ocpp2-station.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const T0 = '2026-11-21T07:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();

describe('mixed fleet: a 1.6 and a 2.0.1 station (both strict ocpp-rpc clients) charge side by side on one port', () => {
  let server: TestServer;
  let cp16: StrictStation;
  let cs201: StrictStation;
  const answers = { RemoteStopTransaction: { status: 'Accepted' }, RequestStopTransaction: { status: 'Accepted' } };

  before(async () => {
    server = await startTestServer();
    await server.api('PUT', '/api/v1/id-tokens/TAG-MIX-16', { status: 'Accepted', groupId: 'FLEET-MIX' });
    await server.api('PUT', '/api/v1/id-tokens/TAG-MIX-201', { status: 'Accepted', groupId: 'FLEET-MIX' });
    cp16 = await connectStrictStation(server, 'MIX-16', { protocol: 'ocpp1.6', answers });
    const boot = await cp16.call('BootNotification', { chargePointVendor: 'Joule', chargePointModel: 'Legacy16', chargePointSerialNumber: 'SN-16' });
    assert.equal(boot.status, 'Accepted');
    cs201 = await bootedStrictStation(server, 'MIX-201', { answers });
  });
  after(async () => {
    await cp16?.close();
    await cs201?.close();
    await server.stop();
  });

  it('both versions negotiate on the same endpoint and show in the station list with their protocol', async () => {
    const { body } = await server.api('GET', '/api/v1/stations');
    const byId = Object.fromEntries(body.map((s: any) => [s.id, s]));
    assert.equal(byId['MIX-16'].protocol, 'ocpp1.6');
    assert.equal(byId['MIX-201'].protocol, 'ocpp2.0.1');
    assert.equal(byId['MIX-16'].online && byId['MIX-201'].online, true);
  });

  it('interleaved sessions: the API returns both transactions in the same shape, each with its own energy', async () => {
    await cp16.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: at(-5) });
    await cs201.call('StatusNotification', { timestamp: at(-5), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });

    const start16 = await cp16.call('StartTransaction', { connectorId: 1, idTag: 'TAG-MIX-16', meterStart: 10_000, timestamp: at(0) });
    assert.equal(start16.idTagInfo.status, 'Accepted');
    const start201 = await cs201.call('TransactionEvent', transactionEvent({
      eventType: 'Started', transactionId: 'mix-201-tx', seqNo: 0, timestamp: at(1), evse: { id: 1, connectorId: 1 },
      idToken: { idToken: 'TAG-MIX-201', type: 'ISO14443' }, meter: [{ value: 500_000, context: 'Transaction.Begin' }],
    }));
    assert.equal(start201.idTokenInfo.status, 'Accepted');

    assert.equal((await cs201.call('Authorize', { idToken: { idToken: 'TAG-MIX-16', type: 'ISO14443' } })).idTokenInfo.status, 'ConcurrentTx',
      'a token charging on the 1.6 station is busy for the 2.0.1 station too');
    assert.equal((await cp16.call('Authorize', { idTag: 'TAG-MIX-201' })).idTagInfo.status, 'ConcurrentTx', 'and the other way round');

    await cp16.call('MeterValues', { connectorId: 1, transactionId: start16.transactionId, meterValue: [{ timestamp: at(60), sampledValue: [{ value: '11000', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }] });
    await cs201.call('TransactionEvent', transactionEvent({ eventType: 'Updated', transactionId: 'mix-201-tx', seqNo: 1, timestamp: at(61), meter: [{ value: 501.5, unitOfMeasure: { unit: 'kWh' } }] }));

    const active = (await server.api('GET', '/api/v1/transactions?active=true')).body;
    assert.deepEqual(active.map((t: any) => t.stationId).sort(), ['MIX-16', 'MIX-201']);

    await cp16.call('StopTransaction', { transactionId: start16.transactionId, meterStop: 13_500, timestamp: at(120), idTag: 'TAG-MIX-16', reason: 'EVDisconnected' });
    await cs201.call('TransactionEvent', transactionEvent({
      eventType: 'Ended', transactionId: 'mix-201-tx', seqNo: 2, timestamp: at(121), triggerReason: 'StopAuthorized', idToken: { idToken: 'TAG-MIX-201', type: 'ISO14443' },
      stoppedReason: 'EVDisconnected', meter: [{ value: 503_000, context: 'Transaction.End' }],
    }));

    const all = (await server.api('GET', '/api/v1/transactions?limit=10')).body;
    assert.equal(all.length, 2);
    const tx16 = all.find((t: any) => t.stationId === 'MIX-16');
    const tx201 = all.find((t: any) => t.stationId === 'MIX-201');
    assert.deepEqual(Object.keys(tx201).sort(), Object.keys(tx16).sort(), 'the same fields');
    for (const field of Object.keys(tx16)) {
      // 2.x-only fields (lastSeqNo, chargingState, remoteStartId) are null for 1.6; every other value has the same type.
      if (tx16[field] !== null && tx201[field] !== null) assert.equal(typeof tx201[field], typeof tx16[field], `${field} has the same type`);
    }
    for (const field of ['id', 'stationId', 'evseId', 'connectorId', 'idToken', 'startedAt', 'stoppedAt', 'meterStartWh', 'meterStopWh', 'energyWh', 'stopReason']) {
      assert.notEqual(tx16[field], null, `1.6 ${field}`);
      assert.notEqual(tx201[field], null, `2.0.1 ${field}`);
    }

    assert.equal(tx16.id, String(start16.transactionId), "1.6: the station's transactionId is Joule's id");
    assert.equal(tx16.stationTxId, tx16.id);
    assert.match(tx201.id, /^\d+$/);
    assert.equal(tx201.stationTxId, 'mix-201-tx', "2.0.1: the station's own id is kept beside Joule's");
    assert.notEqual(tx201.id, tx16.id);

    const summary = (t: any) => [t.evseId, t.connectorId, t.idToken, t.meterStartWh, t.meterStopWh, t.energyWh, t.stopReason];
    assert.deepEqual(summary(tx16), [1, 1, 'TAG-MIX-16', 10_000, 13_500, 3_500, 'EVDisconnected']);
    assert.deepEqual(summary(tx201), [1, 1, 'TAG-MIX-201', 500_000, 503_000, 3_000, 'EVDisconnected']);
    assert.deepEqual([tx16.startedAt, tx16.stoppedAt], [at(0), at(120)]);
    assert.deepEqual([tx201.startedAt, tx201.stoppedAt], [at(1), at(121)]);
    assert.deepEqual([tx16.stopIdToken, tx201.stopIdToken], ['TAG-MIX-16', 'TAG-MIX-201']);
    assert.equal(tx16.lastSeqNo, null, '1.6 has no seqNo');
    assert.equal(tx201.lastSeqNo, 2);

    const mv16 = (await server.api('GET', `/api/v1/transactions/${tx16.id}/meter-values`)).body;
    const mv201 = (await server.api('GET', `/api/v1/transactions/${tx201.id}/meter-values`)).body;
    assert.deepEqual(Object.keys(mv201[0]).sort(), Object.keys(mv16[0]).sort(), 'meter values in the same shape');
    assert.ok(mv201.some((v: any) => v.unit === 'kWh' && v.numericValue === 501.5));
    assert.deepEqual(cp16.failures, []);
    assert.deepEqual(cs201.failures, []);
  });

  it('operator commands reach each station in its own version; the other version\'s action is 400', async () => {
    const stop16 = await server.api('POST', '/api/v1/stations/MIX-16/commands/RemoteStopTransaction', { transactionId: 1 });
    assert.equal(stop16.status, 200);
    const stop201 = await server.api('POST', '/api/v1/stations/MIX-201/commands/RequestStopTransaction', { transactionId: 'mix-201-tx' });
    assert.equal(stop201.status, 200);
    assert.equal((await server.api('POST', '/api/v1/stations/MIX-16/commands/RequestStopTransaction', { transactionId: 'mix-201-tx' })).status, 400);
    assert.equal((await server.api('POST', '/api/v1/stations/MIX-201/commands/RemoteStopTransaction', { transactionId: 1 })).status, 400);
    assert.deepEqual(cp16.requests('RemoteStopTransaction'), [{ transactionId: 1 }]);
    assert.deepEqual(cs201.requests('RequestStopTransaction'), [{ transactionId: 'mix-201-tx' }]);
    assert.deepEqual(cp16.failures, []);
    assert.deepEqual(cs201.failures, []);
  });
});
