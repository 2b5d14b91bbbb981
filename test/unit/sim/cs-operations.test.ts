import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Payload } from '../../../src/ocpp/rpc/frames.ts';
import { schemaValidator } from '../../../src/ocpp/validation/schema-validator.ts';
import { CS_HANDLERS } from '../../../src/sim/handlers/index.ts';
import type { SampledValue } from '../../../src/sim/ocpp16-types.ts';
import type { SimStation } from '../../../src/sim/sim-station.ts';
import { bootStation, sequence } from './helpers.ts';
import { MiniCsms, type CallOutcome } from './mini-csms.ts';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUSimulatedCertificate\n-----END CERTIFICATE-----\n';
const inOneHour = (): string => new Date(Date.now() + 3_600_000).toISOString();

/** The 1.6 actions only a charge point sends (DataTransfer goes both ways). */
const CP_TO_CS_ONLY = new Set([
  'Authorize',
  'BootNotification',
  'DiagnosticsStatusNotification',
  'FirmwareStatusNotification',
  'Heartbeat',
  'LogStatusNotification',
  'MeterValues',
  'SecurityEventNotification',
  'SignCertificate',
  'SignedFirmwareStatusNotification',
  'StartTransaction',
  'StatusNotification',
  'StopTransaction',
]);

/** A valid request for every CS-to-CP action; Reset last because the station reboots. */
function validRequests(): [string, Payload][] {
  const now = new Date().toISOString();
  return [
    ['CancelReservation', { reservationId: 999 }],
    ['CertificateSigned', { certificateChain: PEM }],
    ['ChangeAvailability', { connectorId: 2, type: 'Operative' }],
    ['ChangeConfiguration', { key: 'HeartbeatInterval', value: '120' }],
    ['ClearCache', {}],
    ['ClearChargingProfile', {}],
    ['DataTransfer', { vendorId: 'Joule', messageId: 'Echo', data: 'hello' }],
    ['DeleteCertificate', { certificateHashData: { hashAlgorithm: 'SHA256', issuerNameHash: 'aa', issuerKeyHash: 'bb', serialNumber: '1' } }],
    ['ExtendedTriggerMessage', { requestedMessage: 'LogStatusNotification' }],
    ['GetCompositeSchedule', { connectorId: 1, duration: 3600 }],
    ['GetConfiguration', {}],
    ['GetDiagnostics', { location: 'ftp://example.com/diagnostics' }],
    ['GetInstalledCertificateIds', { certificateType: 'CentralSystemRootCertificate' }],
    ['GetLocalListVersion', {}],
    ['GetLog', { logType: 'SecurityLog', requestId: 11, log: { remoteLocation: 'https://example.com/logs' } }],
    ['InstallCertificate', { certificateType: 'CentralSystemRootCertificate', certificate: PEM }],
    ['RemoteStartTransaction', { connectorId: 1, idTag: 'REMOTE-1' }],
    ['RemoteStopTransaction', { transactionId: 99_999 }],
    ['ReserveNow', { connectorId: 2, expiryDate: inOneHour(), idTag: 'RES-1', reservationId: 7 }],
    ['SendLocalList', { listVersion: 1, updateType: 'Full', localAuthorizationList: [{ idTag: 'LOCAL-1', idTagInfo: { status: 'Accepted' } }] }],
    [
      'SetChargingProfile',
      {
        connectorId: 0,
        csChargingProfiles: {
          chargingProfileId: 1,
          stackLevel: 0,
          chargingProfilePurpose: 'ChargePointMaxProfile',
          chargingProfileKind: 'Absolute',
          chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 32 }] },
        },
      },
    ],
    [
      'SignedUpdateFirmware',
      { requestId: 12, firmware: { location: 'https://example.com/fw.bin', retrieveDateTime: now, signingCertificate: PEM, signature: 'c2ln' } },
    ],
    ['TriggerMessage', { requestedMessage: 'MeterValues', connectorId: 1 }],
    ['UnlockConnector', { connectorId: 2 }],
    ['UpdateFirmware', { location: 'https://example.com/fw.bin', retrieveDate: now }],
    ['Reset', { type: 'Soft' }],
  ];
}

function txProfile(id: number, limitA: number): Payload {
  return {
    chargingProfileId: id,
    stackLevel: 1,
    chargingProfilePurpose: 'TxProfile',
    chargingProfileKind: 'Relative',
    chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: limitA }] },
  };
}

function ok(outcome: CallOutcome): Payload {
  assert.ok(outcome.ok, `expected a CALLRESULT, got ${JSON.stringify(outcome)}`);
  return outcome.payload;
}

describe('SimStation answers CS-to-CP operations', () => {
  let csms: MiniCsms;
  const stations: SimStation[] = [];

  before(async () => {
    csms = await MiniCsms.start();
  });

  after(async () => {
    await Promise.all(stations.map((s) => s.stop({ endSessions: false })));
    await csms.close();
  });

  async function boot(id: string): Promise<SimStation> {
    const station = await bootStation(csms, id, { speed: 3600 });
    stations.push(station);
    return station;
  }

  async function send(id: string, action: string, payload: Payload): Promise<Payload> {
    return ok(await csms.call(id, action, payload));
  }

  /** Power.Active.Import of connector 1, via TriggerMessage MeterValues. */
  async function triggeredPowerW(id: string): Promise<number> {
    const from = csms.received.length;
    await send(id, 'TriggerMessage', { requestedMessage: 'MeterValues', connectorId: 1 });
    const meter = await csms.waitFor((c) => c.stationId === id && c.action === 'MeterValues', from);
    const sampled = (meter.payload.meterValue as { sampledValue: SampledValue[] }[])[0]?.sampledValue ?? [];
    assert.ok(sampled.every((s) => s.context === 'Trigger'));
    return Number(sampled.find((s) => s.measurand === 'Power.Active.Import')?.value);
  }

  it('handles exactly the CS-to-CP actions of the 1.6 schemas, with schema-valid answers to valid requests', async () => {
    const validator = schemaValidator();
    const expected = validator.actionsOf('ocpp1.6').filter((a) => !CP_TO_CS_ONLY.has(a));
    assert.deepEqual([...CS_HANDLERS.keys()].sort(), expected);
    const requests = validRequests();
    assert.deepEqual(requests.map(([action]) => action).sort(), expected);

    await boot('CP-ALL');
    const from = csms.received.length;
    for (const [action, request] of requests) {
      if (action === 'Reset') {
        // Let the uploads and installs finish first: the reboot would cut them off.
        await csms.waitFor((c) => c.stationId === 'CP-ALL' && c.action === 'FirmwareStatusNotification' && c.payload.status === 'Installed', from);
        await csms.waitFor((c) => c.stationId === 'CP-ALL' && c.action === 'SecurityEventNotification' && c.payload.type === 'FirmwareUpdated', from);
      }
      assert.equal(validator.check('ocpp1.6', action, 'request', request), undefined, `test request for ${action}`);
      const response = await send('CP-ALL', action, request);
      const violation = validator.check('ocpp1.6', action, 'response', response);
      assert.equal(violation, undefined, `${action} answer ${JSON.stringify(response)}: ${violation?.message}`);
    }
    await csms.waitFor((c) => c.stationId === 'CP-ALL' && c.action === 'BootNotification', from);
    assert.deepEqual(csms.violations, [], 'everything the station sent is schema-valid');
  });

  it('answers schema-invalid requests and unknown actions with 1.6 CALLERRORs', async () => {
    await boot('CP-ERR');
    const invalid = await csms.call('CP-ERR', 'Reset', { type: 'Warm' });
    assert.equal(invalid.ok ? 'ok' : invalid.code, 'PropertyConstraintViolation');
    const missing = await csms.call('CP-ERR', 'ChangeConfiguration', { key: 'HeartbeatInterval' });
    assert.equal(missing.ok ? 'ok' : missing.code, 'OccurenceConstraintViolation');
    const unknown = await csms.call('CP-ERR', 'SetDisplayMessage', {});
    assert.equal(unknown.ok ? 'ok' : unknown.code, 'NotImplemented');
  });

  it('keeps a real configuration store', async () => {
    const station = await boot('CP-CONFIG');
    const change = (key: string, value: string) => send('CP-CONFIG', 'ChangeConfiguration', { key, value });
    assert.deepEqual(await change('NumberOfConnectors', '4'), { status: 'Rejected' });
    assert.deepEqual(await change('NoSuchKey', '1'), { status: 'NotSupported' });
    assert.deepEqual(await change('MeterValueSampleInterval', 'ten'), { status: 'Rejected' });
    assert.deepEqual(await change('MeterValuesSampledData', 'Energy.Active.Import.Register,RPM'), { status: 'Rejected' });
    assert.deepEqual(await change('meterValueSampleInterval', '15'), { status: 'Accepted' });
    assert.deepEqual(await change('AuthorizationKey', '00112233445566778899aabbccddeeff'), { status: 'Accepted' });
    const listed = await send('CP-CONFIG', 'GetConfiguration', { key: ['MeterValueSampleInterval', 'AuthorizationKey', 'Nope'] });
    assert.deepEqual(listed, {
      configurationKey: [{ key: 'MeterValueSampleInterval', readonly: false, value: '15' }],
      unknownKey: ['AuthorizationKey', 'Nope'],
    });
    const all = (await send('CP-CONFIG', 'GetConfiguration', {})).configurationKey as { key: string }[];
    for (const key of ['HeartbeatInterval', 'SupportedFeatureProfiles', 'ChargeProfileMaxStackLevel', 'LocalAuthListMaxLength', 'ReserveConnectorZeroSupported']) {
      assert.ok(all.some((k) => k.key === key), key);
    }
    assert.equal(station.config.int('MeterValueSampleInterval'), 15);
  });

  it('keeps a versioned local authorization list', async () => {
    await boot('CP-LIST');
    const sendList = (listVersion: number, updateType: string, localAuthorizationList: Payload[]) =>
      send('CP-LIST', 'SendLocalList', { listVersion, updateType, localAuthorizationList });
    const accepted = { status: 'Accepted' } as const;
    assert.deepEqual(await send('CP-LIST', 'GetLocalListVersion', {}), { listVersion: 0 });
    assert.deepEqual(await sendList(3, 'Full', [{ idTag: 'A', idTagInfo: { status: 'Accepted' } }, { idTag: 'B', idTagInfo: { status: 'Blocked' } }]), accepted);
    assert.deepEqual(await sendList(3, 'Differential', [{ idTag: 'C', idTagInfo: { status: 'Accepted' } }]), { status: 'VersionMismatch' });
    assert.deepEqual(await sendList(4, 'Differential', [{ idTag: 'B' }]), accepted);
    assert.deepEqual(await send('CP-LIST', 'GetLocalListVersion', {}), { listVersion: 4 });
    assert.deepEqual(await sendList(0, 'Full', []), { status: 'Failed' });
  });

  it('reserves connectors, reports Reserved after the answer, and expires or cancels reservations', async () => {
    const station = await boot('CP-RES');
    const from = csms.received.length;
    const reserve = (connectorId: number, reservationId: number, expiryDate = inOneHour()) =>
      send('CP-RES', 'ReserveNow', { connectorId, expiryDate, idTag: 'OWNER', reservationId });
    assert.deepEqual(await reserve(0, 1), { status: 'Rejected' }, 'ReserveConnectorZeroSupported is false');
    assert.deepEqual(await reserve(1, 1), { status: 'Accepted' });
    await csms.waitFor((c) => c.stationId === 'CP-RES' && c.payload.status === 'Reserved', from);
    const journal = csms.journal.filter((line) => line.startsWith('CP-RES '));
    assert.ok(journal.indexOf('CP-RES CALLRESULT ReserveNow') < journal.lastIndexOf('CP-RES CALL StatusNotification'));
    assert.deepEqual(await reserve(1, 2), { status: 'Occupied' });
    assert.deepEqual(await send('CP-RES', 'RemoteStartTransaction', { connectorId: 1, idTag: 'SOMEONE' }), { status: 'Rejected' });
    assert.deepEqual(await send('CP-RES', 'CancelReservation', { reservationId: 1 }), { status: 'Accepted' });
    assert.deepEqual(await send('CP-RES', 'CancelReservation', { reservationId: 1 }), { status: 'Rejected' });
    assert.deepEqual(await send('CP-RES', 'ChangeAvailability', { connectorId: 2, type: 'Inoperative' }), { status: 'Accepted' });
    assert.deepEqual(await reserve(2, 3), { status: 'Unavailable' });
    assert.deepEqual(await reserve(1, 4, new Date(Date.now() + 150).toISOString()), { status: 'Accepted' });
    assert.equal(station.statusOf(1), 'Reserved');
    await csms.waitFor((c) => c.stationId === 'CP-RES' && c.payload.connectorId === 1 && c.payload.status === 'Available', csms.received.length);
    assert.equal(station.connector(1)?.reservation, undefined);
    assert.deepEqual(await reserve(1, 5), { status: 'Accepted' });
    const mark = csms.received.length;
    assert.deepEqual(await send('CP-RES', 'RemoteStartTransaction', { idTag: 'owner' }), { status: 'Accepted' });
    const start = await csms.waitFor((c) => c.stationId === 'CP-RES' && c.action === 'StartTransaction', mark);
    assert.deepEqual([start.payload.connectorId, start.payload.reservationId], [1, 5], 'the reservation is used by its idTag');
  });

  it('starts remotely with a TxProfile that limits the EV, computes the composite schedule, stops remotely', async () => {
    const station = await boot('CP-SMART');
    const noTx = await send('CP-SMART', 'SetChargingProfile', { connectorId: 1, csChargingProfiles: txProfile(5, 8) });
    assert.deepEqual(noTx, { status: 'Rejected' }, 'TxProfile needs a transaction');
    const from = csms.received.length;
    assert.deepEqual(await send('CP-SMART', 'RemoteStartTransaction', { connectorId: 1, idTag: 'REMOTE', chargingProfile: txProfile(6, 10) }), {
      status: 'Accepted',
    });
    const start = await csms.waitFor((c) => c.stationId === 'CP-SMART' && c.action === 'StartTransaction', from);
    await csms.waitFor((c) => c.stationId === 'CP-SMART' && c.payload.status === 'Charging', from);
    const transactionId = station.connector(1)?.session?.transactionId;
    assert.equal(typeof transactionId, 'number');
    assert.equal(start.payload.idTag, 'REMOTE');
    assert.ok(Math.abs((await triggeredPowerW('CP-SMART')) - 10 * 230 * 3) < 1, '10 A on 3 phases');

    const composite = await send('CP-SMART', 'GetCompositeSchedule', { connectorId: 1, duration: 600, chargingRateUnit: 'W' });
    assert.equal(composite.status, 'Accepted');
    assert.deepEqual((composite.chargingSchedule as Payload).chargingSchedulePeriod, [{ startPeriod: 0, limit: 6900 }]);

    const replaced = await send('CP-SMART', 'SetChargingProfile', { connectorId: 1, csChargingProfiles: txProfile(6, 6) });
    assert.deepEqual(replaced, { status: 'Accepted' });
    assert.ok(Math.abs((await triggeredPowerW('CP-SMART')) - 6 * 690) < 1);
    assert.deepEqual(await send('CP-SMART', 'ClearChargingProfile', { id: 6 }), { status: 'Accepted' });
    assert.deepEqual(await send('CP-SMART', 'ClearChargingProfile', { id: 6 }), { status: 'Unknown' });
    assert.ok(Math.abs((await triggeredPowerW('CP-SMART')) - 11_000) < 1, 'back to the EV maximum');

    assert.deepEqual(await send('CP-SMART', 'RemoteStopTransaction', { transactionId: transactionId as number }), { status: 'Accepted' });
    const stop = await csms.waitFor((c) => c.stationId === 'CP-SMART' && c.action === 'StopTransaction', from);
    assert.equal(stop.payload.reason, 'Remote');
    assert.equal(stop.payload.transactionId, transactionId);
  });

  it('schedules ChangeAvailability during a transaction and applies it when the session ends', async () => {
    const station = await boot('CP-AVAIL');
    assert.deepEqual(await send('CP-AVAIL', 'RemoteStartTransaction', { connectorId: 0, idTag: 'TAG' }), { status: 'Rejected' });
    assert.ok((await station.startSession(1, 'TAG')).started);
    assert.deepEqual(await send('CP-AVAIL', 'ChangeAvailability', { connectorId: 0, type: 'Inoperative' }), { status: 'Scheduled' });
    assert.equal(station.statusOf(2), 'Unavailable');
    assert.equal(station.statusOf(1), 'Charging');
    const from = csms.received.length;
    assert.deepEqual(await send('CP-AVAIL', 'UnlockConnector', { connectorId: 1 }), { status: 'Unlocked' });
    const stop = await csms.waitFor((c) => c.stationId === 'CP-AVAIL' && c.action === 'StopTransaction', from);
    assert.equal(stop.payload.reason, 'UnlockCommand');
    await csms.waitFor((c) => c.stationId === 'CP-AVAIL' && c.payload.connectorId === 1 && c.payload.status === 'Unavailable', from);
    assert.deepEqual(await send('CP-AVAIL', 'UnlockConnector', { connectorId: 9 }), { status: 'NotSupported' });
    assert.deepEqual(await send('CP-AVAIL', 'ChangeAvailability', { connectorId: 0, type: 'Operative' }), { status: 'Accepted' });
    assert.equal(station.statusOf(1), 'Available');
  });

  it('sends triggered and follow-up messages after the CALLRESULT', async () => {
    await boot('CP-TRIGGER');
    const from = csms.received.length;
    assert.deepEqual(await send('CP-TRIGGER', 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 7 }), { status: 'Rejected' });
    assert.deepEqual(await send('CP-TRIGGER', 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 2 }), { status: 'Accepted' });
    await csms.waitFor((c) => c.stationId === 'CP-TRIGGER' && c.action === 'StatusNotification', from);
    const fileName = (await send('CP-TRIGGER', 'GetDiagnostics', { location: 'ftp://example.com/' })).fileName;
    assert.match(String(fileName), /^diagnostics-CP-TRIGGER-\d{8}T\d{6}Z\.log$/);
    await csms.waitFor((c) => c.stationId === 'CP-TRIGGER' && c.action === 'DiagnosticsStatusNotification' && c.payload.status === 'Uploaded', from);
    assert.deepEqual(await send('CP-TRIGGER', 'ExtendedTriggerMessage', { requestedMessage: 'SignChargePointCertificate' }), { status: 'Accepted' });
    const sign = await csms.waitFor((c) => c.stationId === 'CP-TRIGGER' && c.action === 'SignCertificate', from);
    assert.match(String(sign.payload.csr), /BEGIN CERTIFICATE REQUEST/);
    const journal = csms.journal.filter((line) => line.startsWith('CP-TRIGGER ')).slice(-20);
    const pairs: [string, string][] = [
      ['CALLRESULT TriggerMessage', 'CALL StatusNotification'],
      ['CALLRESULT GetDiagnostics', 'CALL DiagnosticsStatusNotification'],
      ['CALLRESULT ExtendedTriggerMessage', 'CALL SignCertificate'],
    ];
    for (const [result, call] of pairs) {
      const at = journal.lastIndexOf(`CP-TRIGGER ${result}`);
      assert.ok(at >= 0 && journal.indexOf(`CP-TRIGGER ${call}`, at) > at, `${call} after ${result}`);
    }
    assert.deepEqual(
      sequence(csms, 'CP-TRIGGER', from).filter((a) => a.startsWith('Diagnostics')),
      ['DiagnosticsStatusNotification', 'DiagnosticsStatusNotification'],
    );
  });

  it('resets: stops the transaction with SoftReset/HardReset, reconnects and boots again', async () => {
    const station = await boot('CP-RESET');
    const from = csms.received.length;
    assert.ok((await station.startSession(2, 'TAG')).started);
    const connections = csms.connections;
    assert.deepEqual(await send('CP-RESET', 'Reset', { type: 'Hard' }), { status: 'Accepted' });
    const reboot = csms.received.indexOf(await csms.waitFor((c) => c.stationId === 'CP-RESET' && c.action === 'BootNotification', from));
    await csms.waitFor((c) => c.stationId === 'CP-RESET' && c.action === 'StatusNotification' && c.payload.connectorId === 2, reboot);
    assert.equal(csms.calls('StopTransaction', 'CP-RESET')[0]?.payload.reason, 'HardReset');
    assert.equal(csms.connections, connections + 1);
    assert.deepEqual(sequence(csms, 'CP-RESET', from), [
      'Status 2 Preparing',
      'Authorize',
      'StartTransaction',
      'Status 2 Charging',
      'StopTransaction',
      'Status 2 Finishing',
      'Status 2 Available',
      'BootNotification',
      'Status 0 Available',
      'Status 1 Available',
      'Status 2 Available',
    ]);
  });
});
