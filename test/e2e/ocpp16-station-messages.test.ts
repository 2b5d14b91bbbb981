import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bootedStation, RawStation, BOOT_16 } from './support/raw-station.ts';
import { eventually, startTestServer, type TestServer } from './support/test-server.ts';

const T0 = '2026-11-21T10:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();

describe('OCPP 1.6: every station-to-central-system message, end to end', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await server.api('PUT', '/api/v1/id-tokens/TAG-OK', { status: 'Accepted', groupId: 'FLEET-1' });
    await server.api('PUT', '/api/v1/id-tokens/TAG-BLOCKED', { status: 'Blocked' });
    await server.api('PUT', '/api/v1/id-tokens/TAG-OLD', { status: 'Accepted', expiryDate: '2020-01-01T00:00:00Z' });
  });
  after(() => server.stop());

  it('BootNotification is Accepted with the heartbeat interval, and the identity is recorded', async () => {
    const st = await RawStation.connect(server.wsUrl, 'CP-BOOT');
    assert.equal(st.protocol, 'ocpp1.6');
    const conf = await st.ok('BootNotification', { ...BOOT_16, iccid: '8931', imsi: '2040', meterType: 'MT', meterSerialNumber: 'MS-1' });
    assert.equal(conf.status, 'Accepted');
    assert.equal(conf.interval, 300);
    assert.ok(Math.abs(Date.parse(conf.currentTime) - Date.now()) < 5000);
    const { body } = await server.api('GET', '/api/v1/stations/CP-BOOT');
    assert.equal(body.online, true);
    assert.equal(body.protocol, 'ocpp1.6');
    assert.equal(body.vendor, 'Joule');
    assert.equal(body.model, 'TestStation');
    assert.equal(body.serialNumber, 'SN-1');
    assert.equal(body.firmwareVersion, '1.0.0');
    assert.equal(body.meterSerialNumber, 'MS-1');
    await st.close();
    await eventually(async () => (await server.api('GET', '/api/v1/stations/CP-BOOT')).body.online === false, 3000, 'offline');
  });

  it('Heartbeat answers the current time and updates lastSeen', async () => {
    const st = await bootedStation(server.wsUrl, 'CP-HB');
    const conf = await st.ok('Heartbeat', {});
    assert.ok(Math.abs(Date.parse(conf.currentTime) - Date.now()) < 5000);
    const { body } = await server.api('GET', '/api/v1/stations/CP-HB');
    assert.ok(body.lastSeen && Date.parse(body.lastSeen) >= Date.parse(conf.currentTime) - 1000);
    await st.close();
  });

  it('StatusNotification keeps status and error code per connector, with history', async () => {
    const st = await bootedStation(server.wsUrl, 'CP-STATUS');
    assert.deepEqual(await st.ok('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available', timestamp: at(-1) }), {});
    await st.ok('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: at(0) });
    await st.ok('StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Available', timestamp: at(0) });
    await st.ok('StatusNotification', { connectorId: 2, errorCode: 'GroundFailure', status: 'Faulted', info: 'RCD tripped', vendorId: 'Joule', vendorErrorCode: 'E42', timestamp: at(5) });
    const { body } = await server.api('GET', '/api/v1/stations/CP-STATUS');
    assert.equal(body.status, 'Available');
    assert.deepEqual(body.evses.map((e: any) => [e.evseId, e.connectors[0].connectorId, e.connectors[0].status, e.connectors[0].errorCode]), [
      [1, 1, 'Available', 'NoError'],
      [2, 1, 'Faulted', 'GroundFailure'],
    ]);
    assert.equal(body.evses[1].connectors[0].info, 'RCD tripped');
    assert.equal(body.evses[1].connectors[0].vendorErrorCode, 'E42');
    const history = await server.api('GET', '/api/v1/stations/CP-STATUS/status-history?limit=10');
    assert.equal(history.status, 200);
    assert.equal(history.body.length, 4);
    assert.equal(history.body[0].status, 'Faulted');
    await st.close();
  });

  it('Authorize answers status, expiry and parent id tag from the id-token registry', async () => {
    const st = await bootedStation(server.wsUrl, 'CP-AUTH');
    assert.deepEqual((await st.ok('Authorize', { idTag: 'TAG-OK' })).idTagInfo, { status: 'Accepted', parentIdTag: 'FLEET-1' });
    assert.equal((await st.ok('Authorize', { idTag: 'tag-ok' })).idTagInfo.status, 'Accepted', 'id tags are case-insensitive (CiString)');
    assert.equal((await st.ok('Authorize', { idTag: 'TAG-BLOCKED' })).idTagInfo.status, 'Blocked');
    assert.equal((await st.ok('Authorize', { idTag: 'TAG-OLD' })).idTagInfo.status, 'Expired');
    assert.equal((await st.ok('Authorize', { idTag: 'NOBODY' })).idTagInfo.status, 'Invalid');
    await st.close();
  });

  it('StartTransaction, MeterValues and StopTransaction make one transaction with its energy and meter values', async () => {
    const st = await bootedStation(server.wsUrl, 'CP-TX');
    const start = await st.ok('StartTransaction', { connectorId: 1, idTag: 'TAG-OK', meterStart: 1000, timestamp: at(0) });
    assert.equal(start.idTagInfo.status, 'Accepted');
    assert.ok(Number.isInteger(start.transactionId) && start.transactionId > 0);
    const txId = start.transactionId as number;

    const concurrent = await st.ok('Authorize', { idTag: 'TAG-OK' });
    assert.equal(concurrent.idTagInfo.status, 'ConcurrentTx', 'a token with an active transaction is ConcurrentTx');

    await st.ok('MeterValues', {
      connectorId: 1,
      transactionId: txId,
      meterValue: [{
        timestamp: at(60),
        sampledValue: [
          { value: '1500', context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unit: 'Wh', location: 'Outlet' },
          { value: '7200', measurand: 'Power.Active.Import', unit: 'W' },
          { value: '10.5', measurand: 'Current.Import', phase: 'L1', unit: 'A' },
          { value: '10.4', measurand: 'Current.Import', phase: 'L2', unit: 'A' },
          { value: '230.1', measurand: 'Voltage', phase: 'L1-N', unit: 'V' },
          { value: '55', measurand: 'SoC', unit: 'Percent', location: 'EV' },
          { value: '31', measurand: 'Temperature', unit: 'Celcius', location: 'Body' },
        ],
      }],
    });
    const during = await server.api('GET', `/api/v1/transactions?stationId=CP-TX&active=true`);
    assert.equal(during.body.length, 1);
    assert.equal(during.body[0].id, String(txId));

    const stop = await st.ok('StopTransaction', {
      transactionId: txId,
      meterStop: 3500,
      timestamp: at(120),
      idTag: 'TAG-OK',
      reason: 'EVDisconnected',
      transactionData: [
        { timestamp: at(0), sampledValue: [{ value: '1000', context: 'Transaction.Begin' }] },
        { timestamp: at(120), sampledValue: [{ value: '3.5', context: 'Transaction.End', unit: 'kWh' }] },
      ],
    });
    assert.equal(stop.idTagInfo.status, 'Accepted');

    const { body: tx } = await server.api('GET', `/api/v1/transactions/${txId}`);
    assert.equal(tx.stationId, 'CP-TX');
    assert.equal(tx.evseId, 1);
    assert.equal(tx.connectorId, 1);
    assert.equal(tx.idToken, 'TAG-OK');
    assert.equal(tx.startedAt, at(0));
    assert.equal(tx.stoppedAt, at(120));
    assert.equal(tx.meterStartWh, 1000);
    assert.equal(tx.meterStopWh, 3500);
    assert.equal(tx.energyWh, 2500);
    assert.equal(tx.stopReason, 'EVDisconnected');

    const { body: mv } = await server.api('GET', `/api/v1/transactions/${txId}/meter-values`);
    assert.equal(mv.length, 9, '7 periodic samples + Transaction.Begin + Transaction.End');
    const current = mv.find((v: any) => v.measurand === 'Current.Import' && v.phase === 'L1');
    assert.equal(current.value, '10.5');
    assert.equal(current.unit, 'A');
    const begin = mv.find((v: any) => v.context === 'Transaction.Begin');
    assert.equal(begin.measurand, 'Energy.Active.Import.Register', '1.6 default measurand applied');
    assert.equal(begin.unit, 'Wh');
    assert.equal(begin.location, 'Outlet');
    const temp = mv.find((v: any) => v.measurand === 'Temperature');
    assert.equal(temp.unit, 'Celcius', 'the unit is kept as sent');
    const soc = mv.find((v: any) => v.measurand === 'SoC');
    assert.equal(soc.location, 'EV');

    const ended = await server.api('GET', `/api/v1/transactions?stationId=CP-TX&active=false`);
    assert.equal(ended.body.length, 1);
    await st.close();
  });

  it('StopTransaction without reason defaults to Local (1.6 errata)', async () => {
    const st = await bootedStation(server.wsUrl, 'CP-TX-LOCAL');
    const start = await st.ok('StartTransaction', { connectorId: 2, idTag: 'TAG-BLOCKED', meterStart: 0, timestamp: at(0) });
    assert.equal(start.idTagInfo.status, 'Blocked', 'the transaction is recorded and the station is told the tag is blocked');
    await st.ok('StopTransaction', { transactionId: start.transactionId, meterStop: 10, timestamp: at(5) });
    const { body } = await server.api('GET', `/api/v1/transactions/${start.transactionId}`);
    assert.equal(body.stopReason, 'Local');
    assert.equal(body.evseId, 2);
    await st.close();
  });

  it('MeterValues without a transaction (clock-aligned, connector 0) are kept', async () => {
    const st = await bootedStation(server.wsUrl, 'CP-MV0');
    await st.ok('MeterValues', { connectorId: 0, meterValue: [{ timestamp: at(0), sampledValue: [{ value: '123456', context: 'Sample.Clock' }] }] });
    const { body } = await server.api('GET', '/api/v1/stations/CP-MV0/meter-values?limit=10');
    assert.equal(body.length, 1);
    assert.equal(body[0].transactionId, null);
    assert.equal(body[0].context, 'Sample.Clock');
    await st.close();
  });

  it('StopTransaction for a transaction never started here is answered and kept as an orphan (quirk 17)', async () => {
    const st = await bootedStation(server.wsUrl, 'CP-ORPHAN');
    const conf = await st.ok('StopTransaction', { transactionId: -1, meterStop: 500, timestamp: at(0), idTag: 'TAG-OK' });
    assert.equal(conf.idTagInfo.status, 'Accepted');
    const { body } = await server.api('GET', '/api/v1/transactions?stationId=CP-ORPHAN');
    assert.equal(body.length, 1);
    assert.deepEqual(body[0].flags, ['orphan-stop']);
    assert.equal(body[0].meterStopWh, 500);
    await st.close();
  });

  it('DataTransfer answers UnknownVendorId by default', async () => {
    const st = await bootedStation(server.wsUrl, 'CP-DT');
    assert.deepEqual(await st.ok('DataTransfer', { vendorId: 'com.example', messageId: 'x', data: 'hello' }), { status: 'UnknownVendorId' });
    await st.close();
  });

  it('a vendor extension registered for a vendorId receives its DataTransfer messages', async () => {
    server.domain.dataTransfer.register('com.joule.test', (stationId, req) => ({ status: 'Accepted', data: { echo: req.data, stationId } }));
    const st = await bootedStation(server.wsUrl, 'CP-DT2');
    const conf = await st.ok('DataTransfer', { vendorId: 'com.joule.test', data: 'ping' });
    assert.equal(conf.status, 'Accepted');
    assert.deepEqual(JSON.parse(conf.data), { echo: 'ping', stationId: 'CP-DT2' });
    await st.close();
  });

  it('firmware, diagnostics, log and security notifications are stored and answered', async () => {
    const st = await bootedStation(server.wsUrl, 'CP-NOTIFY');
    assert.deepEqual(await st.ok('FirmwareStatusNotification', { status: 'Downloading' }), {});
    assert.deepEqual(await st.ok('DiagnosticsStatusNotification', { status: 'Uploaded' }), {});
    assert.deepEqual(await st.ok('SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: at(0), techInfo: 'lid open' }), {});
    assert.deepEqual(await st.ok('LogStatusNotification', { status: 'Uploading', requestId: 7 }), {});
    assert.deepEqual(await st.ok('SignedFirmwareStatusNotification', { status: 'SignatureVerified', requestId: 8 }), {});
    const sign = await st.ok('SignCertificate', { csr: '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----' });
    assert.equal(sign.status, 'Rejected', 'no certificate authority is configured yet');
    const { body } = await server.api('GET', '/api/v1/stations/CP-NOTIFY/notifications?limit=20');
    const types = body.map((n: any) => n.type).sort();
    assert.deepEqual(types, ['certificate.signing-requested', 'diagnostics.status', 'firmware.status', 'firmware.status', 'log.status', 'security.event']);
    const security = body.find((n: any) => n.type === 'security.event');
    assert.equal(security.payload.critical, true);
    assert.equal(security.timestamp, at(0));
    await st.close();
  });
});
