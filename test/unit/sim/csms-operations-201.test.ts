import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Payload } from '../../../src/ocpp/rpc/frames.ts';
import { schemaValidator } from '../../../src/ocpp/validation/schema-validator.ts';
import { CSMS_REQUEST_HANDLERS } from '../../../src/sim/v201/handlers/index.ts';
import type { SimStation201 } from '../../../src/sim/v201/sim-station-201.ts';
import { bootStation201 } from './helpers-201.ts';
import { MiniCsms } from './mini-csms.ts';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUSimulatedCertificate\n-----END CERTIFICATE-----\n';
const HASH = { hashAlgorithm: 'SHA256', issuerNameHash: 'aa', issuerKeyHash: 'bb', serialNumber: '1' };

/** The 2.0.1 actions only a charging station sends (DataTransfer goes both ways). */
const STATION_TO_CSMS = new Set([
  'Authorize',
  'BootNotification',
  'ClearedChargingLimit',
  'FirmwareStatusNotification',
  'Get15118EVCertificate',
  'GetCertificateStatus',
  'Heartbeat',
  'LogStatusNotification',
  'MeterValues',
  'NotifyChargingLimit',
  'NotifyCustomerInformation',
  'NotifyDisplayMessages',
  'NotifyEVChargingNeeds',
  'NotifyEVChargingSchedule',
  'NotifyEvent',
  'NotifyMonitoringReport',
  'NotifyReport',
  'PublishFirmwareStatusNotification',
  'ReportChargingProfiles',
  'ReservationStatusUpdate',
  'SecurityEventNotification',
  'SignCertificate',
  'StatusNotification',
  'TransactionEvent',
]);

/** For local controllers, not charging stations: answered NotSupported. */
const LOCAL_CONTROLLER_ONLY = new Set(['PublishFirmware', 'UnpublishFirmware']);

/** A valid request for every CSMS-to-station action; Reset last because the station reboots. */
function validRequests(): [string, Payload][] {
  const now = new Date().toISOString();
  const inOneHour = new Date(Date.now() + 3_600_000).toISOString();
  const component = { name: 'OCPPCommCtrlr' };
  const variable = { name: 'HeartbeatInterval' };
  return [
    ['CancelReservation', { reservationId: 999 }],
    ['CertificateSigned', { certificateChain: PEM, certificateType: 'ChargingStationCertificate' }],
    ['ChangeAvailability', { operationalStatus: 'Operative', evse: { id: 2 } }],
    ['ClearCache', {}],
    ['ClearChargingProfile', { chargingProfileCriteria: { evseId: 0 } }],
    ['ClearDisplayMessage', { id: 1 }],
    ['ClearVariableMonitoring', { id: [1, 2] }],
    ['CostUpdated', { totalCost: 1.5, transactionId: 'unknown-tx' }],
    ['CustomerInformation', { requestId: 31, report: true, clear: true, idToken: { idToken: 'CUSTOMER-1', type: 'ISO14443' } }],
    ['DataTransfer', { vendorId: 'Joule', messageId: 'Echo', data: { hello: 'world' } }],
    ['DeleteCertificate', { certificateHashData: HASH }],
    ['GetBaseReport', { requestId: 32, reportBase: 'SummaryInventory' }],
    [
      'GetChargingProfiles',
      { requestId: 33, chargingProfile: { chargingProfilePurpose: 'TxDefaultProfile' } },
    ],
    ['GetCompositeSchedule', { evseId: 0, duration: 3600, chargingRateUnit: 'A' }],
    ['GetDisplayMessages', { requestId: 34 }],
    ['GetInstalledCertificateIds', { certificateType: ['CSMSRootCertificate', 'V2GCertificateChain'] }],
    ['GetLocalListVersion', {}],
    ['GetLog', { logType: 'SecurityLog', requestId: 35, log: { remoteLocation: 'https://example.com/logs' } }],
    ['GetMonitoringReport', { requestId: 36, monitoringCriteria: ['DeltaMonitoring'] }],
    ['GetReport', { requestId: 37, componentVariable: [{ component, variable }] }],
    ['GetTransactionStatus', {}],
    ['GetVariables', { getVariableData: [{ component, variable }] }],
    ['InstallCertificate', { certificateType: 'CSMSRootCertificate', certificate: PEM }],
    ['PublishFirmware', { location: 'https://example.com/fw.bin', checksum: 'abc', requestId: 38 }],
    ['RequestStartTransaction', { evseId: 1, remoteStartId: 39, idToken: { idToken: 'REMOTE-ALL', type: 'Central' } }],
    ['RequestStopTransaction', { transactionId: 'not-running' }],
    ['ReserveNow', { id: 7, expiryDateTime: inOneHour, idToken: { idToken: 'RES-ALL', type: 'ISO14443' }, evseId: 2 }],
    ['SendLocalList', { versionNumber: 1, updateType: 'Full', localAuthorizationList: [{ idToken: { idToken: 'LOCAL-1', type: 'ISO14443' }, idTokenInfo: { status: 'Accepted' } }] }],
    [
      'SetChargingProfile',
      {
        evseId: 0,
        chargingProfile: {
          id: 1,
          stackLevel: 0,
          chargingProfilePurpose: 'ChargingStationMaxProfile',
          chargingProfileKind: 'Absolute',
          chargingSchedule: [{ id: 1, startSchedule: now, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 32 }] }],
        },
      },
    ],
    ['SetDisplayMessage', { message: { id: 1, priority: 'NormalCycle', message: { format: 'UTF8', content: 'Welcome' } } }],
    ['SetMonitoringBase', { monitoringBase: 'All' }],
    ['SetMonitoringLevel', { severity: 8 }],
    [
      'SetNetworkProfile',
      {
        configurationSlot: 2,
        connectionData: { ocppVersion: 'OCPP20', ocppTransport: 'JSON', ocppCsmsUrl: 'ws://example.com/ocpp', messageTimeout: 30, securityProfile: 0, ocppInterface: 'Wired0' },
      },
    ],
    ['SetVariableMonitoring', { setMonitoringData: [{ value: 0, type: 'Delta', severity: 7, component, variable }] }],
    ['SetVariables', { setVariableData: [{ component, variable, attributeValue: '120' }] }],
    ['TriggerMessage', { requestedMessage: 'MeterValues', evse: { id: 1 } }],
    ['UnlockConnector', { evseId: 2, connectorId: 1 }],
    ['UnpublishFirmware', { checksum: 'abc' }],
    ['UpdateFirmware', { requestId: 40, firmware: { location: 'https://example.com/fw-1.2.0.bin', retrieveDateTime: now } }],
    ['Reset', { type: 'Immediate' }],
  ];
}

describe('SimStation201 answers every CSMS-to-station request of OCPP 2.0.1', () => {
  let csms: MiniCsms;
  const stations: SimStation201[] = [];

  before(async () => {
    csms = await MiniCsms.start({ protocols: ['ocpp2.0.1'] });
  });

  after(async () => {
    await Promise.all(stations.map((s) => s.stop({ endSessions: false })));
    await csms.close();
  });

  it('handles exactly the CSMS-to-station actions of the 2.0.1 schemas (but the local controller ones), with schema-valid answers', async () => {
    const validator = schemaValidator();
    const expected = validator.actionsOf('ocpp2.0.1').filter((a) => !STATION_TO_CSMS.has(a));
    assert.equal(expected.length, 40);
    assert.deepEqual([...CSMS_REQUEST_HANDLERS.keys()].sort(), expected.filter((a) => !LOCAL_CONTROLLER_ONLY.has(a)));
    const requests = validRequests();
    assert.deepEqual(requests.map(([action]) => action).sort(), expected);

    const id = 'CS-ALL';
    await bootStation201(csms, id, { speed: 3600 }, (s) => stations.push(s));
    const from = csms.received.length;
    for (const [action, request] of requests) {
      if (action === 'Reset') {
        // The firmware waits (InstallScheduled) for the remote-started transaction: end it, let the install finish.
        const started = await csms.waitFor((c) => c.stationId === id && c.action === 'TransactionEvent' && c.payload.eventType === 'Started', from);
        const transactionId = (started.payload.transactionInfo as { transactionId: string }).transactionId;
        await csms.waitFor((c) => c.stationId === id && c.action === 'FirmwareStatusNotification' && c.payload.status === 'InstallScheduled', from);
        assert.deepEqual((await csms.call(id, 'RequestStopTransaction', { transactionId })).ok, true);
        await csms.waitFor((c) => c.stationId === id && c.action === 'SecurityEventNotification' && c.payload.type === 'FirmwareUpdated', from, 5000);
        await csms.waitFor((c) => c.stationId === id && c.action === 'StatusNotification' && c.payload.evseId === 2, csms.received.length - 1, 3000).catch(() => undefined);
      }
      assert.equal(validator.check('ocpp2.0.1', action, 'request', request), undefined, `test request for ${action}`);
      const outcome = await csms.call(id, action, request);
      if (LOCAL_CONTROLLER_ONLY.has(action)) {
        assert.equal(outcome.ok ? 'ok' : outcome.code, 'NotSupported', action);
        continue;
      }
      assert.ok(outcome.ok, `${action}: ${JSON.stringify(outcome)}`);
      const violation = validator.check('ocpp2.0.1', action, 'response', outcome.payload);
      assert.equal(violation, undefined, `${action} answer ${JSON.stringify(outcome.payload)}: ${violation?.message}`);
    }
    await csms.waitFor((c) => c.stationId === id && c.action === 'BootNotification' && c.payload.reason === 'RemoteReset', from, 5000);
    // Follow-up messages of the requests above: all of them are checked against the 2.0.1 schemas too.
    const followUps = new Set(csms.received.slice(from).filter((c) => c.stationId === id).map((c) => c.action));
    for (const action of ['NotifyCustomerInformation', 'NotifyReport', 'LogStatusNotification', 'FirmwareStatusNotification', 'MeterValues', 'TransactionEvent', 'SecurityEventNotification']) {
      assert.ok(followUps.has(action), `${action} was sent`);
    }
    const firmware = csms.calls('FirmwareStatusNotification', id).map((c) => c.payload.status);
    assert.deepEqual(firmware, ['Downloading', 'Downloaded', 'InstallScheduled', 'Installing', 'InstallRebooting', 'Installed'], 'the install waited for the transaction');
    assert.deepEqual(csms.violations, [], 'everything the station sent is schema-valid');
  });

  it('answers schema-invalid requests and unknown actions with 2.0.1 CALLERRORs', async () => {
    const id = 'CS-ERRORS';
    await bootStation201(csms, id, {}, (s) => stations.push(s));
    const invalid = await csms.call(id, 'Reset', { type: 'Warm' });
    assert.equal(invalid.ok ? 'ok' : invalid.code, 'PropertyConstraintViolation');
    const missing = await csms.call(id, 'GetVariables', {});
    assert.equal(missing.ok ? 'ok' : missing.code, 'OccurrenceConstraintViolation');
    const wrongType = await csms.call(id, 'SetMonitoringLevel', { severity: 'high' });
    assert.equal(wrongType.ok ? 'ok' : wrongType.code, 'TypeConstraintViolation');
    const unknown = await csms.call(id, 'ChangeConfiguration', { key: 'HeartbeatInterval', value: '60' });
    assert.equal(unknown.ok ? 'ok' : unknown.code, 'NotImplemented', 'a 1.6 action is unknown to 2.0.1');
    const wrongWay = await csms.call(id, 'Heartbeat', {});
    assert.equal(wrongWay.ok ? 'ok' : wrongWay.code, 'NotSupported', 'a station-to-CSMS action');
  });
});
