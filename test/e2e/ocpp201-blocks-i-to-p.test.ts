import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bootedStrictStation, type StrictStation } from './support/ocpp2-station.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const T0 = '2026-11-21T10:00:00.000Z';
const CERT = `-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUQ0VydGlmaWNhdGVGb3JUZXN0czAKBggqhkjOPQQDAjAVMRMwEQYDVQQDDApKb3VsZSBSb290MB4XDTI2
-----END CERTIFICATE-----`;
const HASH = { hashAlgorithm: 'SHA256', issuerNameHash: '0a1b2c3d', issuerKeyHash: '4e5f6a7b', serialNumber: '01ab' };
const SCHEDULE = { id: 1, startSchedule: T0, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }, { startPeriod: 1800, limit: 10.5, numberPhases: 3 }] };
const PROFILE = { id: 101, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute', chargingSchedule: [SCHEDULE] };
const POWER = { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' } };

/** One CSMS-to-station request of blocks B (the rest), I to P: the use case, a valid payload and the station's answer. */
interface CommandCase {
  useCase: string;
  action: string;
  payload: Record<string, unknown>;
  answer: Record<string, unknown>;
  /** A payload that fails the 2.0.1 schema in a way other than an unknown property (which every case also tries). */
  invalid?: Record<string, unknown>;
}

const COMMANDS: CommandCase[] = [
  { useCase: 'B08', action: 'GetReport', payload: { requestId: 12, componentCriteria: ['Problem'], componentVariable: [POWER] }, answer: { status: 'EmptyResultSet' } },
  {
    useCase: 'B09', action: 'SetNetworkProfile',
    payload: { configurationSlot: 2, connectionData: { ocppVersion: 'OCPP20', ocppTransport: 'JSON', ocppCsmsUrl: 'wss://csms.example/ocpp', messageTimeout: 30, securityProfile: 2, ocppInterface: 'Wired0' } },
    answer: { status: 'Accepted' }, invalid: { configurationSlot: 2, connectionData: { ocppVersion: 'OCPP21', ocppTransport: 'JSON', ocppCsmsUrl: 'x', messageTimeout: 30, securityProfile: 2, ocppInterface: 'Wired0' } },
  },
  { useCase: 'I02', action: 'CostUpdated', payload: { totalCost: 3.47, transactionId: 'tx-cost' }, answer: {}, invalid: { totalCost: '3.47', transactionId: 'tx-cost' } },
  { useCase: 'K01', action: 'SetChargingProfile', payload: { evseId: 1, chargingProfile: PROFILE }, answer: { status: 'Accepted' }, invalid: { evseId: 1, chargingProfile: { ...PROFILE, chargingSchedule: [] } } },
  { useCase: 'K09', action: 'GetChargingProfiles', payload: { requestId: 21, evseId: 1, chargingProfile: { chargingProfilePurpose: 'TxDefaultProfile' } }, answer: { status: 'Accepted' }, invalid: { requestId: 21 } },
  { useCase: 'K10', action: 'ClearChargingProfile', payload: { chargingProfileId: 101 }, answer: { status: 'Accepted' }, invalid: { chargingProfileCriteria: { chargingProfilePurpose: 'ChargePointMaxProfile' } } },
  {
    useCase: 'K08', action: 'GetCompositeSchedule', payload: { duration: 3600, evseId: 1, chargingRateUnit: 'A' },
    answer: { status: 'Accepted', schedule: { evseId: 1, duration: 3600, scheduleStart: T0, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] } },
    invalid: { duration: 3600, connectorId: 1 },
  },
  { useCase: 'L01', action: 'UpdateFirmware', payload: { requestId: 31, retries: 2, firmware: { location: 'https://fw.example/cs-2.1.bin', retrieveDateTime: T0, signingCertificate: CERT, signature: 'c2lnbmF0dXJl' } }, answer: { status: 'Accepted' }, invalid: { location: 'https://fw.example/cs-2.1.bin', retrieveDate: T0 } },
  { useCase: 'L03', action: 'PublishFirmware', payload: { location: 'https://fw.example/cs-2.1.bin', checksum: '9e107d9d372bb6826bd81d3542a419d6', requestId: 32 }, answer: { status: 'Accepted' }, invalid: { location: 'x', checksum: 'x'.repeat(33), requestId: 32 } },
  { useCase: 'L04', action: 'UnpublishFirmware', payload: { checksum: '9e107d9d372bb6826bd81d3542a419d6' }, answer: { status: 'Unpublished' } },
  { useCase: 'M05', action: 'InstallCertificate', payload: { certificateType: 'CSMSRootCertificate', certificate: CERT }, answer: { status: 'Accepted' }, invalid: { certificateType: 'CentralSystemRootCertificate', certificate: CERT } },
  {
    useCase: 'M03', action: 'GetInstalledCertificateIds', payload: { certificateType: ['CSMSRootCertificate', 'V2GCertificateChain'] },
    answer: { status: 'Accepted', certificateHashDataChain: [{ certificateType: 'CSMSRootCertificate', certificateHashData: HASH }] },
    invalid: { certificateType: 'CSMSRootCertificate' },
  },
  { useCase: 'M04', action: 'DeleteCertificate', payload: { certificateHashData: HASH }, answer: { status: 'NotFound' }, invalid: { certificateHashData: { ...HASH, hashAlgorithm: 'MD5' } } },
  { useCase: 'N01', action: 'GetLog', payload: { logType: 'DiagnosticsLog', requestId: 41, log: { remoteLocation: 'https://logs.example/upload', oldestTimestamp: T0 } }, answer: { status: 'Accepted', filename: 'diagnostics-41.zip' }, invalid: { logType: 'DiagnosticsLog', requestId: 41 } },
  { useCase: 'N03', action: 'SetMonitoringBase', payload: { monitoringBase: 'FactoryDefault' }, answer: { status: 'Accepted' } },
  {
    useCase: 'N04', action: 'SetVariableMonitoring', payload: { setMonitoringData: [{ value: 22000, type: 'UpperThreshold', severity: 5, ...POWER }] },
    answer: { setMonitoringResult: [{ id: 1, status: 'Accepted', type: 'UpperThreshold', severity: 5, ...POWER }] },
    invalid: { setMonitoringData: [{ value: 22000, type: 'Above', severity: 5, ...POWER }] },
  },
  { useCase: 'N05', action: 'SetMonitoringLevel', payload: { severity: 4 }, answer: { status: 'Accepted' }, invalid: { severity: 'high' } },
  { useCase: 'N06', action: 'ClearVariableMonitoring', payload: { id: [1, 2] }, answer: { clearMonitoringResult: [{ id: 1, status: 'Accepted' }, { id: 2, status: 'NotFound' }] }, invalid: { id: [] } },
  { useCase: 'N02', action: 'GetMonitoringReport', payload: { requestId: 51, monitoringCriteria: ['ThresholdMonitoring'], componentVariable: [POWER] }, answer: { status: 'Accepted' } },
  { useCase: 'N09', action: 'CustomerInformation', payload: { requestId: 61, report: true, clear: false, idToken: { idToken: 'TAG-N', type: 'ISO14443' } }, answer: { status: 'Accepted' }, invalid: { requestId: 61, report: true } },
  {
    useCase: 'O01', action: 'SetDisplayMessage',
    payload: { message: { id: 1, priority: 'NormalCycle', state: 'Idle', message: { format: 'UTF8', language: 'nl', content: 'Welkom bij Joule' } } },
    answer: { status: 'Accepted' }, invalid: { message: { id: 1, priority: 'Urgent', message: { format: 'UTF8', content: 'x' } } },
  },
  { useCase: 'O03', action: 'GetDisplayMessages', payload: { requestId: 71 }, answer: { status: 'Accepted' }, invalid: {} },
  { useCase: 'O05', action: 'ClearDisplayMessage', payload: { id: 1 }, answer: { status: 'Accepted' }, invalid: { id: 'one' } },
  { useCase: 'P01', action: 'DataTransfer', payload: { vendorId: 'com.joule.test', messageId: 'ping', data: { n: 1, nested: ['a'] } }, answer: { status: 'Accepted', data: { pong: true } }, invalid: { messageId: 'ping' } },
];

describe('OCPP 2.0.1 blocks I to P (and the rest of B): every CSMS-to-station request through the command API', () => {
  let server: TestServer;
  let st: StrictStation;
  const command = (action: string, payload: unknown) => server.api('POST', `/api/v1/stations/CS201-IP/commands/${action}`, payload);

  before(async () => {
    server = await startTestServer();
    st = await bootedStrictStation(server, 'CS201-IP', { answers: Object.fromEntries(COMMANDS.map((c) => [c.action, c.answer])) });
  });
  after(async () => {
    await st?.close();
    await server.stop();
  });

  for (const c of COMMANDS) {
    it(`${c.useCase} ${c.action}: 200 completed with the station's answer; a payload that fails the 2.0.1 schema is 400 and not sent`, async () => {
      const res = await command(c.action, c.payload);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'completed');
      assert.deepEqual(res.body.response, c.answer);
      assert.deepEqual(st.requests(c.action).at(-1), c.payload, 'sent as given');

      const sent = st.requests(c.action).length;
      const unknownProperty = await command(c.action, { ...c.payload, surprise: true });
      assert.equal(unknownProperty.status, 400, 'an unknown property');
      assert.equal(unknownProperty.body.error.code, 'invalid_payload');
      if (c.invalid) {
        const invalid = await command(c.action, c.invalid);
        assert.equal(invalid.status, 400, `invalid: ${JSON.stringify(invalid.body)}`);
        assert.ok(invalid.body.error.details.length > 0, 'the schema errors are returned');
      }
      assert.equal(st.requests(c.action).length, sent, 'nothing invalid reached the station');
      assert.deepEqual(st.failures, []);
    });
  }

  it('a CALLERROR from the station comes back as status "error" with its 2.0.1 error code', async () => {
    const saved = st.answers.ClearDisplayMessage!;
    delete st.answers.ClearDisplayMessage;
    try {
      const res = await command('ClearDisplayMessage', { id: 2 });
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'error');
      assert.equal(res.body.error.code, 'NotImplemented');
    } finally {
      st.answers.ClearDisplayMessage = saved;
    }
    assert.deepEqual(st.failures, []);
  });

  it('every command is in the command log with its request and the station\'s answer', async () => {
    const { body } = await server.api('GET', '/api/v1/commands?stationId=CS201-IP&limit=500');
    for (const c of COMMANDS) {
      const entry = body.find((e: any) => e.action === c.action && e.status === 'completed');
      assert.ok(entry, `${c.action} recorded`);
      assert.deepEqual(entry.request, c.payload);
      assert.deepEqual(entry.response, c.answer);
    }
  });
});

describe('OCPP 2.0.1 blocks I to P: station-to-CSMS messages are answered and stored', () => {
  let server: TestServer;
  let st: StrictStation;
  const notifications = async (type: string) => (await server.api('GET', `/api/v1/stations/CS201-NOTIFY/notifications?type=${type}&limit=50`)).body as any[];

  before(async () => {
    server = await startTestServer();
    st = await bootedStrictStation(server, 'CS201-NOTIFY');
  });
  after(async () => {
    await st?.close();
    await server.stop();
  });

  it('K09 ReportChargingProfiles (the answer to GetChargingProfiles) is stored', async () => {
    const report = { requestId: 21, chargingLimitSource: 'CSO', evseId: 1, tbc: false, chargingProfile: [PROFILE] };
    assert.deepEqual(await st.call('ReportChargingProfiles', report), {});
    const [stored] = await notifications('charging.profiles-report');
    assert.deepEqual(stored.payload, report);
    assert.deepEqual(st.failures, []);
  });

  it('K12/K13 NotifyChargingLimit and ClearedChargingLimit from an external system are stored', async () => {
    const limit = { chargingLimit: { chargingLimitSource: 'EMS', isGridCritical: true }, evseId: 1, chargingSchedule: [SCHEDULE] };
    assert.deepEqual(await st.call('NotifyChargingLimit', limit), {});
    assert.deepEqual(await st.call('ClearedChargingLimit', { chargingLimitSource: 'EMS', evseId: 1 }), {});
    assert.deepEqual((await notifications('charging.limit'))[0].payload, limit);
    assert.deepEqual((await notifications('charging.limit-cleared'))[0].payload, { chargingLimitSource: 'EMS', evseId: 1 });
    assert.deepEqual(st.failures, []);
  });

  it('K15 NotifyEVChargingNeeds is recorded and answered Rejected (no schedule will follow); NotifyEVChargingSchedule is Accepted', async () => {
    const needs = { evseId: 1, maxScheduleTuples: 3, chargingNeeds: { requestedEnergyTransfer: 'AC_three_phase', departureTime: '2026-11-21T18:00:00.000Z', acChargingParameters: { energyAmount: 20000, evMinCurrent: 6, evMaxCurrent: 32, evMaxVoltage: 400 } } };
    const answer = await st.call('NotifyEVChargingNeeds', needs);
    assert.equal(answer.status, 'Rejected');
    assert.ok(answer.statusInfo.reasonCode.length <= 20);
    assert.deepEqual((await notifications('ev.charging-needs'))[0].payload, needs);
    const schedule = { timeBase: T0, evseId: 1, chargingSchedule: SCHEDULE };
    assert.deepEqual(await st.call('NotifyEVChargingSchedule', schedule), { status: 'Accepted' });
    assert.deepEqual((await notifications('ev.charging-schedule'))[0].payload, schedule);
    assert.deepEqual(st.failures, []);
  });

  it('L01 FirmwareStatusNotification progress is stored with its requestId; L03 PublishFirmwareStatusNotification too', async () => {
    for (const status of ['Downloading', 'Downloaded', 'SignatureVerified', 'Installing', 'Installed']) {
      assert.deepEqual(await st.call('FirmwareStatusNotification', { status, requestId: 31 }), {});
    }
    const stored = await notifications('firmware.status');
    assert.deepEqual(stored.map((n) => n.payload.status).sort(), ['Downloaded', 'Downloading', 'Installed', 'Installing', 'SignatureVerified']);
    assert.ok(stored.every((n) => n.payload.requestId === 31));
    assert.deepEqual(await st.call('PublishFirmwareStatusNotification', { status: 'Published', requestId: 32, location: ['http://lc.local/fw.bin'] }), {});
    assert.equal((await notifications('firmware.publish-status'))[0].payload.status, 'Published');
    assert.deepEqual(st.failures, []);
  });

  it('M01/M02 Get15118EVCertificate and M06 GetCertificateStatus are answered Failed (no certificate service) and recorded', async () => {
    const ev = await st.call('Get15118EVCertificate', { iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Install', exiRequest: 'gAAB' });
    assert.equal(ev.status, 'Failed');
    assert.equal(ev.exiResponse, '');
    const ocsp = await st.call('GetCertificateStatus', { ocspRequestData: { ...HASH, responderURL: 'http://ocsp.example' } });
    assert.equal(ocsp.status, 'Failed');
    assert.equal((await notifications('certificate.ev-installation-requested'))[0].payload.action, 'Install');
    assert.equal((await notifications('certificate.status-requested')).length, 1);
    assert.deepEqual(st.failures, []);
  });

  it('N01 LogStatusNotification is stored with its requestId', async () => {
    assert.deepEqual(await st.call('LogStatusNotification', { status: 'Uploading', requestId: 41 }), {});
    assert.deepEqual(await st.call('LogStatusNotification', { status: 'Uploaded', requestId: 41 }), {});
    const stored = await notifications('log.status');
    assert.deepEqual(stored.map((n) => n.payload.status).sort(), ['Uploaded', 'Uploading']);
    assert.equal(stored[0].payload.requestId, 41);
    assert.deepEqual(st.failures, []);
  });

  it('N02 NotifyMonitoringReport is stored', async () => {
    const report = { requestId: 51, seqNo: 0, generatedAt: T0, tbc: false, monitor: [{ ...POWER, variableMonitoring: [{ id: 1, transaction: false, value: 22000, type: 'UpperThreshold', severity: 5 }] }] };
    assert.deepEqual(await st.call('NotifyMonitoringReport', report), {});
    assert.deepEqual((await notifications('monitoring.report'))[0].payload, report);
    assert.deepEqual(st.failures, []);
  });

  it('N07 NotifyEvent: each event is stored; a Connector AvailabilityState event updates the connector status', async () => {
    const alert = { eventId: 1, timestamp: T0, trigger: 'Alerting', actualValue: '23100', eventNotificationType: 'CustomMonitor', variableMonitoringId: 1, ...POWER };
    const availability = {
      eventId: 2, timestamp: '2026-11-21T10:01:00.000Z', trigger: 'Delta', actualValue: 'Faulted', eventNotificationType: 'HardWiredNotification',
      component: { name: 'Connector', evse: { id: 2, connectorId: 1 } }, variable: { name: 'AvailabilityState' }, techCode: 'E17',
    };
    assert.deepEqual(await st.call('NotifyEvent', { generatedAt: T0, seqNo: 0, eventData: [alert, availability] }), {});
    const events = await notifications('device.event');
    assert.equal(events.length, 2);
    assert.equal(events.find((e) => e.payload.eventId === 1).timestamp, T0, "the event's own timestamp");
    const { body } = await server.api('GET', '/api/v1/stations/CS201-NOTIFY');
    assert.deepEqual(body.evses.map((e: any) => [e.evseId, e.connectors[0].connectorId, e.connectors[0].status]), [[2, 1, 'Faulted']]);
    assert.deepEqual(st.failures, []);
  });

  it('N09 NotifyCustomerInformation is stored', async () => {
    const info = { requestId: 61, seqNo: 0, generatedAt: T0, tbc: false, data: 'TAG-N: 3 transactions, last 2026-11-20' };
    assert.deepEqual(await st.call('NotifyCustomerInformation', info), {});
    assert.deepEqual((await notifications('customer.information'))[0].payload, info);
    assert.deepEqual(st.failures, []);
  });

  it('O03 NotifyDisplayMessages (the answer to GetDisplayMessages) is stored', async () => {
    const messages = { requestId: 71, tbc: false, messageInfo: [{ id: 1, priority: 'NormalCycle', message: { format: 'UTF8', language: 'nl', content: 'Welkom bij Joule' } }] };
    assert.deepEqual(await st.call('NotifyDisplayMessages', messages), {});
    assert.deepEqual((await notifications('display.messages'))[0].payload, messages);
    assert.deepEqual(st.failures, []);
  });

  it('P02 DataTransfer from the station: UnknownVendorId by default; a registered vendor extension answers with JSON data', async () => {
    assert.deepEqual(await st.call('DataTransfer', { vendorId: 'com.example.unknown', messageId: 'x', data: 'hello' }), { status: 'UnknownVendorId' });
    server.domain.dataTransfer.register('com.joule.test2', (stationId, req) => ({ status: 'Accepted', data: { echo: req.data, stationId } }));
    const answer = await st.call('DataTransfer', { vendorId: 'com.joule.test2', messageId: 'echo', data: { reading: 42, list: [1, 2] } });
    assert.equal(answer.status, 'Accepted');
    assert.deepEqual(answer.data, { echo: { reading: 42, list: [1, 2] }, stationId: 'CS201-NOTIFY' }, '2.x data is any JSON value, kept as such');
    assert.deepEqual(st.failures, []);
  });
});
