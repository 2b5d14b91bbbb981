import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SimStation } from '../../src/sim/sim-station.ts';
import { RawStation, bootedStation } from './support/raw-station.ts';
import { eventually, startTestServer, type TestServer } from './support/test-server.ts';

const CERT = `-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUQ0VydGlmaWNhdGVGb3JUZXN0czAKBggqhkjOPQQDAjAVMRMwEQYDVQQDDApKb3VsZSBSb290MB4XDTI2
-----END CERTIFICATE-----`;

describe('OCPP 1.6: every operator operation of the six feature profiles and the security extension, sent through the API', () => {
  let server: TestServer;
  let sim: SimStation;
  const command = (action: string, payload: unknown, stationId = 'SIM-CMD') =>
    server.api('POST', `/api/v1/stations/${stationId}/commands/${action}`, payload);
  const notifications = async (type: string) =>
    (await server.api('GET', `/api/v1/stations/SIM-CMD/notifications?type=${type}&limit=50`)).body.map((n: any) => n.payload.status);

  before(async () => {
    server = await startTestServer();
    await server.api('PUT', '/api/v1/id-tokens/SIM-TAG', { status: 'Accepted' });
    sim = new SimStation({ url: server.wsUrl, id: 'SIM-CMD', connectors: 2, meterValueSampleInterval: 1, stepDelayMs: 20, bootRetrySeconds: 1 });
    sim.start();
    await eventually(() => sim.registration === 'Accepted', 5000, 'simulated station accepted');
    await eventually(async () => (await server.api('GET', '/api/v1/stations/SIM-CMD')).body.evses?.length === 2, 5000, 'connector statuses');
  });
  after(async () => {
    await sim.stop();
    await server.stop();
  });

  it('Core: GetConfiguration, ChangeConfiguration, ClearCache, DataTransfer, ChangeAvailability, UnlockConnector', async () => {
    const get = await command('GetConfiguration', { key: ['HeartbeatInterval', 'NoSuchKey'] });
    assert.equal(get.status, 200);
    assert.equal(get.body.status, 'completed');
    assert.equal(get.body.response.configurationKey[0].key, 'HeartbeatInterval');
    assert.equal(get.body.response.configurationKey[0].value, '300', 'the interval Joule gave at boot');
    assert.deepEqual(get.body.response.unknownKey, ['NoSuchKey']);
    const all = await command('GetConfiguration', {});
    assert.ok(all.body.response.configurationKey.length >= 20, 'all standard keys');
    const stored = await server.api('GET', '/api/v1/stations/SIM-CMD/configuration');
    assert.ok(stored.body.some((k: any) => k.key === 'NumberOfConnectors' && k.value === '2' && k.readonly === true), 'the configuration is mirrored');

    assert.equal((await command('ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '2' })).body.response.status, 'Accepted');
    assert.equal((await command('ChangeConfiguration', { key: 'NumberOfConnectors', value: '9' })).body.response.status, 'Rejected');
    assert.equal((await command('ChangeConfiguration', { key: 'Bogus', value: '1' })).body.response.status, 'NotSupported');
    assert.equal((await command('ClearCache', {})).body.response.status, 'Accepted');
    assert.equal((await command('DataTransfer', { vendorId: 'Joule', messageId: 'ping', data: 'x' })).body.response.status, 'Accepted');
    assert.equal((await command('DataTransfer', { vendorId: 'Other' })).body.response.status, 'UnknownVendorId');

    assert.equal((await command('ChangeAvailability', { connectorId: 2, type: 'Inoperative' })).body.response.status, 'Accepted');
    await eventually(async () => (await server.api('GET', '/api/v1/stations/SIM-CMD')).body.evses[1].connectors[0].status === 'Unavailable', 3000, 'connector 2 Unavailable');
    assert.equal((await command('ChangeAvailability', { connectorId: 2, type: 'Operative' })).body.response.status, 'Accepted');
    await eventually(async () => (await server.api('GET', '/api/v1/stations/SIM-CMD')).body.evses[1].connectors[0].status === 'Available', 3000, 'connector 2 Available');

    assert.equal((await command('UnlockConnector', { connectorId: 1 })).body.response.status, 'Unlocked');
    assert.equal((await command('UnlockConnector', { connectorId: 7 })).body.response.status, 'NotSupported');
  });

  it('Core: RemoteStartTransaction starts a transaction with meter values; RemoteStopTransaction ends it', async () => {
    const start = await command('RemoteStartTransaction', { connectorId: 1, idTag: 'SIM-TAG' });
    assert.equal(start.body.response.status, 'Accepted');
    const tx = await eventually(async () => (await server.api('GET', '/api/v1/transactions?stationId=SIM-CMD&active=true')).body[0], 5000, 'transaction started');
    assert.equal(tx.idToken, 'SIM-TAG');
    await eventually(async () => (await server.api('GET', `/api/v1/transactions/${tx.id}/meter-values`)).body.length > 0, 5000, 'meter values');
    const stop = await command('RemoteStopTransaction', { transactionId: Number(tx.id) });
    assert.equal(stop.body.response.status, 'Accepted');
    const ended = await eventually(async () => {
      const t = (await server.api('GET', `/api/v1/transactions/${tx.id}`)).body;
      return t.stoppedAt ? t : undefined;
    }, 5000, 'transaction ended');
    assert.equal(ended.stopReason, 'Remote');
    assert.ok(ended.energyWh >= 0);
    assert.equal((await command('RemoteStopTransaction', { transactionId: 999999 })).body.response.status, 'Rejected');
  });

  it('FirmwareManagement: GetDiagnostics and UpdateFirmware, with the status notifications that follow', async () => {
    const diag = await command('GetDiagnostics', { location: 'ftp://diagnostics.example/upload' });
    assert.equal(diag.body.status, 'completed');
    assert.ok(typeof diag.body.response.fileName === 'string');
    await eventually(async () => (await notifications('diagnostics.status')).includes('Uploaded'), 5000, 'diagnostics uploaded');
    const fw = await command('UpdateFirmware', { location: 'https://firmware.example/v2.bin', retrieveDate: new Date().toISOString() });
    assert.deepEqual(fw.body.response, {});
    await eventually(async () => (await notifications('firmware.status')).includes('Installed'), 10_000, 'firmware installed');
    await eventually(() => sim.registration === 'Accepted', 10_000, 'rebooted and accepted after the install');
  });

  it('LocalAuthListManagement: SendLocalList and GetLocalListVersion', async () => {
    assert.equal((await command('GetLocalListVersion', {})).body.response.listVersion, 0);
    const full = await command('SendLocalList', { listVersion: 3, updateType: 'Full', localAuthorizationList: [{ idTag: 'LOCAL-1', idTagInfo: { status: 'Accepted' } }] });
    assert.equal(full.body.response.status, 'Accepted');
    assert.equal((await command('GetLocalListVersion', {})).body.response.listVersion, 3);
    const stale = await command('SendLocalList', { listVersion: 2, updateType: 'Differential', localAuthorizationList: [{ idTag: 'LOCAL-2' }] });
    assert.equal(stale.body.response.status, 'VersionMismatch');
  });

  it('Reservation: ReserveNow and CancelReservation', async () => {
    const reserve = await command('ReserveNow', { connectorId: 2, expiryDate: new Date(Date.now() + 3_600_000).toISOString(), idTag: 'SIM-TAG', reservationId: 41 });
    assert.equal(reserve.body.response.status, 'Accepted');
    await eventually(async () => (await server.api('GET', '/api/v1/stations/SIM-CMD')).body.evses[1].connectors[0].status === 'Reserved', 3000, 'Reserved');
    assert.equal((await command('CancelReservation', { reservationId: 41 })).body.response.status, 'Accepted');
    assert.equal((await command('CancelReservation', { reservationId: 41 })).body.response.status, 'Rejected');
  });

  it('SmartCharging: SetChargingProfile, GetCompositeSchedule and ClearChargingProfile', async () => {
    const profile = { chargingProfileId: 7, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative', chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] } };
    assert.equal((await command('SetChargingProfile', { connectorId: 1, csChargingProfiles: profile })).body.response.status, 'Accepted');
    const tx = { ...profile, chargingProfileId: 8, chargingProfilePurpose: 'TxProfile' };
    assert.equal((await command('SetChargingProfile', { connectorId: 1, csChargingProfiles: tx })).body.response.status, 'Rejected', 'TxProfile needs a running transaction');
    const composite = await command('GetCompositeSchedule', { connectorId: 1, duration: 3600, chargingRateUnit: 'A' });
    assert.equal(composite.body.response.status, 'Accepted');
    assert.equal(composite.body.response.chargingSchedule.chargingSchedulePeriod[0].limit, 16);
    assert.equal((await command('ClearChargingProfile', { id: 7 })).body.response.status, 'Accepted');
    assert.equal((await command('ClearChargingProfile', { id: 7 })).body.response.status, 'Unknown');
  });

  it('RemoteTrigger: TriggerMessage makes the station send the requested message', async () => {
    const before = (await server.api('GET', '/api/v1/stations/SIM-CMD/status-history?limit=100')).body.length;
    assert.equal((await command('TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 1 })).body.response.status, 'Accepted');
    await eventually(async () => (await server.api('GET', '/api/v1/stations/SIM-CMD/status-history?limit=100')).body.length > before, 3000, 'triggered StatusNotification');
    assert.equal((await command('TriggerMessage', { requestedMessage: 'Heartbeat' })).body.response.status, 'Accepted');
    assert.equal((await command('TriggerMessage', { requestedMessage: 'DiagnosticsStatusNotification' })).body.response.status, 'Accepted');
  });

  it('Security extension: certificates, logs, signed firmware and ExtendedTriggerMessage', async () => {
    assert.equal((await command('InstallCertificate', { certificateType: 'CentralSystemRootCertificate', certificate: CERT })).body.status, 'completed');
    const ids = await command('GetInstalledCertificateIds', { certificateType: 'CentralSystemRootCertificate' });
    assert.equal(ids.body.status, 'completed');
    assert.ok(['Accepted', 'NotFound'].includes(ids.body.response.status));
    const del = await command('DeleteCertificate', { certificateHashData: { hashAlgorithm: 'SHA256', issuerNameHash: 'ab', issuerKeyHash: 'cd', serialNumber: '01' } });
    assert.ok(['Accepted', 'Failed', 'NotFound'].includes(del.body.response.status));
    const log = await command('GetLog', { logType: 'SecurityLog', requestId: 5, log: { remoteLocation: 'https://logs.example/upload' } });
    assert.equal(log.body.response.status, 'Accepted');
    await eventually(async () => (await notifications('log.status')).includes('Uploaded'), 5000, 'log uploaded');
    const signed = await command('SignedUpdateFirmware', { requestId: 6, firmware: { location: 'https://fw.example/v3.bin', retrieveDateTime: new Date().toISOString(), signingCertificate: CERT, signature: 'c2lnbmF0dXJl' } });
    assert.equal(signed.body.status, 'completed');
    const cs = await command('CertificateSigned', { certificateChain: CERT });
    assert.equal(cs.body.status, 'completed');
    const ext = await command('ExtendedTriggerMessage', { requestedMessage: 'Heartbeat' });
    assert.equal(ext.body.response.status, 'Accepted');
  });

  it('Core: Reset makes the station reboot and boot again', async () => {
    const bootsBefore = (await server.api('GET', '/api/v1/stations/SIM-CMD')).body.lastBootAt;
    assert.equal((await command('Reset', { type: 'Soft' })).body.response.status, 'Accepted');
    await eventually(async () => (await server.api('GET', '/api/v1/stations/SIM-CMD')).body.lastBootAt !== bootsBefore, 10_000, 'a new BootNotification');
  });

  it('every command is recorded: who sent what, when, and the result', async () => {
    const { body } = await server.api('GET', '/api/v1/commands?stationId=SIM-CMD&limit=200');
    const actions = new Set(body.map((c: any) => c.action));
    for (const action of ['ChangeAvailability', 'ChangeConfiguration', 'ClearCache', 'DataTransfer', 'GetConfiguration', 'RemoteStartTransaction',
      'RemoteStopTransaction', 'Reset', 'UnlockConnector', 'GetDiagnostics', 'UpdateFirmware', 'GetLocalListVersion', 'SendLocalList',
      'CancelReservation', 'ReserveNow', 'ClearChargingProfile', 'GetCompositeSchedule', 'SetChargingProfile', 'TriggerMessage',
      'CertificateSigned', 'DeleteCertificate', 'ExtendedTriggerMessage', 'GetInstalledCertificateIds', 'GetLog', 'InstallCertificate', 'SignedUpdateFirmware']) {
      assert.ok(actions.has(action), `${action} recorded`);
    }
    const reset = body.find((c: any) => c.action === 'Reset');
    assert.equal(reset.actor, 'admin');
    assert.equal(reset.status, 'completed');
    assert.deepEqual(reset.request, { type: 'Soft' });
    assert.deepEqual(reset.response, { status: 'Accepted' });
    assert.ok(reset.createdAt && reset.completedAt);
  });
});

describe('operator commands: validated before sending, with clear errors', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ JOULE_COMMAND_TIMEOUT_MS: '500' });
  });
  after(() => server.stop());

  it('a payload that fails the schema is 400 with the schema errors, and nothing is sent', async () => {
    const st = await bootedStation(server.wsUrl, 'CP-VALIDATE');
    let received = 0;
    st.onCall = () => { received++; return { status: 'Accepted' }; };
    const res = await server.api('POST', '/api/v1/stations/CP-VALIDATE/commands/Reset', { type: 'Sideways' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'invalid_payload');
    assert.ok(Array.isArray(res.body.error.details) && res.body.error.details.length > 0);
    const notAnOperation = await server.api('POST', '/api/v1/stations/CP-VALIDATE/commands/Heartbeat', {});
    assert.equal(notAnOperation.status, 400, 'a station-to-CS message is not an operator command');
    const unknown = await server.api('POST', '/api/v1/stations/CP-VALIDATE/commands/RequestStartTransaction', { idToken: { idToken: 'A', type: 'Central' }, remoteStartId: 1 });
    assert.equal(unknown.status, 400, 'a 2.0.1 operation to a 1.6 station');
    assert.equal(received, 0);
    await st.close();
  });

  it('404 for an unknown station, 409 for an offline one, 504 when the station does not answer', async () => {
    assert.equal((await server.api('POST', '/api/v1/stations/NOBODY/commands/Reset', { type: 'Soft' })).status, 404);
    const st = await bootedStation(server.wsUrl, 'CP-GONE');
    await st.close();
    await eventually(async () => (await server.api('GET', '/api/v1/stations/CP-GONE')).body.online === false, 3000, 'offline');
    const offline = await server.api('POST', '/api/v1/stations/CP-GONE/commands/Reset', { type: 'Soft' });
    assert.equal(offline.status, 409);
    assert.equal(offline.body.error.code, 'station_offline');
    const mute = await bootedStation(server.wsUrl, 'CP-MUTE');
    const timeout = await server.api('POST', '/api/v1/stations/CP-MUTE/commands/Reset', { type: 'Soft' });
    assert.equal(timeout.status, 504);
    await mute.close();
  });

  it('a CALLERROR from the station is returned as status "error"', async () => {
    const st = await RawStation.connect(server.wsUrl, 'CP-CALLERROR');
    await st.ok('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
    st.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame[0] === 2) st.ws.send(JSON.stringify([4, frame[1], 'NotSupported', 'no smart charging here', {}]));
    });
    const res = await server.api('POST', '/api/v1/stations/CP-CALLERROR/commands/GetCompositeSchedule', { connectorId: 1, duration: 60 });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.status, 'error');
    assert.equal(res.body.error.code, 'NotSupported');
    assert.equal(res.body.error.description, 'no smart charging here');
    await st.close();
  });

  it('commands to one station are sent one at a time, each answered to its caller', async () => {
    const st = await bootedStation(server.wsUrl, 'CP-QUEUE');
    let inFlight = 0;
    let maxInFlight = 0;
    st.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame[0] !== 2) return;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => { inFlight--; st.ws.send(JSON.stringify([3, frame[1], { configurationKey: [], unknownKey: frame[3].key }])); }, 30);
    });
    const keys = ['A', 'B', 'C', 'D', 'E'];
    const results = await Promise.all(keys.map((k) => server.api('POST', '/api/v1/stations/CP-QUEUE/commands/GetConfiguration', { key: [k] })));
    assert.deepEqual(results.map((r) => r.body.response.unknownKey[0]), keys);
    assert.equal(maxInFlight, 1, 'one CALL in flight per station');
    await st.close();
  });
});
