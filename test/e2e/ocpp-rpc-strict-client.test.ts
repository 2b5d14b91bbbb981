import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startTestServer, type TestServer } from './support/test-server.ts';

// An independent OCPP library (ocpp-rpc) in strict mode: it validates every frame Joule sends against the OCA schemas.
const require = createRequire(import.meta.url);
const { RPCClient } = require('ocpp-rpc') as { RPCClient: new (options: Record<string, unknown>) => any };

describe('interoperability: a station built on ocpp-rpc in strict mode runs a full 1.6 session against Joule', () => {
  let server: TestServer;
  let client: any;
  const failures: unknown[] = [];
  const received: { method: string; params: any }[] = [];

  before(async () => {
    server = await startTestServer();
    await server.api('PUT', '/api/v1/id-tokens/RPC-TAG', { status: 'Accepted', groupId: 'RPC-GROUP', expiryDate: '2030-01-01T00:00:00Z' });
    client = new RPCClient({ endpoint: server.wsUrl, identity: 'RPC-STATION', protocols: ['ocpp1.6'], strictMode: true, reconnect: false });
    client.on('strictValidationFailure', (failure: unknown) => failures.push(failure));
    const answers: Record<string, any> = {
      GetConfiguration: { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }], unknownKey: [] },
      ChangeConfiguration: { status: 'Accepted' },
      RemoteStartTransaction: { status: 'Accepted' },
      RemoteStopTransaction: { status: 'Accepted' },
      TriggerMessage: { status: 'Accepted' },
      SetChargingProfile: { status: 'Accepted' },
      ReserveNow: { status: 'Accepted' },
      SendLocalList: { status: 'Accepted' },
      GetCompositeSchedule: { status: 'Rejected' },
      Reset: { status: 'Accepted' },
    };
    for (const [method, answer] of Object.entries(answers)) {
      client.handle(method, ({ params }: { params: any }) => {
        received.push({ method, params });
        return answer;
      });
    }
    await client.connect();
  });

  after(async () => {
    await client?.close({ force: true });
    await server.stop();
  });

  it("every answer Joule gives to the station's messages passes ocpp-rpc's strict validation", async () => {
    const boot = await client.call('BootNotification', { chargePointVendor: 'ocpp-rpc', chargePointModel: 'strict', chargePointSerialNumber: 'RPC-SN' });
    assert.equal(boot.status, 'Accepted');
    assert.ok((await client.call('Heartbeat', {})).currentTime);
    await client.call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' });
    await client.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: new Date().toISOString() });
    const auth = await client.call('Authorize', { idTag: 'RPC-TAG' });
    assert.deepEqual(auth.idTagInfo, { status: 'Accepted', expiryDate: '2030-01-01T00:00:00.000Z', parentIdTag: 'RPC-GROUP' });
    const start = await client.call('StartTransaction', { connectorId: 1, idTag: 'RPC-TAG', meterStart: 42, timestamp: new Date().toISOString() });
    assert.equal(start.idTagInfo.status, 'Accepted');
    await client.call('MeterValues', {
      connectorId: 1,
      transactionId: start.transactionId,
      meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: '1042', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }, { value: '7000', measurand: 'Power.Active.Import', unit: 'W' }] }],
    });
    const dt = await client.call('DataTransfer', { vendorId: 'ocpp-rpc', messageId: 'hello' });
    assert.equal(dt.status, 'UnknownVendorId');
    await client.call('FirmwareStatusNotification', { status: 'Idle' });
    await client.call('DiagnosticsStatusNotification', { status: 'Idle' });
    await client.call('SecurityEventNotification', { type: 'StartupOfTheDevice', timestamp: new Date().toISOString() });
    const stop = await client.call('StopTransaction', { transactionId: start.transactionId, meterStop: 2042, timestamp: new Date().toISOString(), idTag: 'RPC-TAG', reason: 'Local' });
    assert.equal(stop.idTagInfo.status, 'Accepted');
    const tx = await server.api('GET', `/api/v1/transactions/${start.transactionId}`);
    assert.equal(tx.body.energyWh, 2000);
    assert.deepEqual(failures, []);
  });

  it("the operator commands Joule sends pass ocpp-rpc's strict validation and the answers come back", async () => {
    const commands: [string, Record<string, unknown>][] = [
      ['GetConfiguration', { key: ['HeartbeatInterval'] }],
      ['ChangeConfiguration', { key: 'HeartbeatInterval', value: '120' }],
      ['RemoteStartTransaction', { connectorId: 1, idTag: 'RPC-TAG', chargingProfile: { chargingProfileId: 1, stackLevel: 0, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Relative', chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] } } }],
      ['RemoteStopTransaction', { transactionId: 1 }],
      ['TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 1 }],
      ['SetChargingProfile', { connectorId: 0, csChargingProfiles: { chargingProfileId: 9, stackLevel: 1, chargingProfilePurpose: 'ChargePointMaxProfile', chargingProfileKind: 'Absolute', chargingSchedule: { startSchedule: '2026-11-21T00:00:00Z', chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000.5 }] } } }],
      ['ReserveNow', { connectorId: 1, expiryDate: '2030-01-01T00:00:00Z', idTag: 'RPC-TAG', reservationId: 3 }],
      ['SendLocalList', { listVersion: 2, updateType: 'Full', localAuthorizationList: [{ idTag: 'RPC-TAG', idTagInfo: { status: 'Accepted' } }] }],
      ['GetCompositeSchedule', { connectorId: 1, duration: 3600 }],
    ];
    for (const [action, payload] of commands) {
      const res = await server.api('POST', `/api/v1/stations/RPC-STATION/commands/${action}`, payload);
      assert.equal(res.status, 200, `${action}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.status, 'completed', `${action}: ${JSON.stringify(res.body)}`);
    }
    assert.deepEqual(received.map((r) => r.method), commands.map(([a]) => a));
    assert.deepEqual(received[1]!.params, { key: 'HeartbeatInterval', value: '120' });
    assert.deepEqual(failures, []);
    const config = await server.api('GET', '/api/v1/stations/RPC-STATION/configuration');
    assert.equal(config.body.find((k: any) => k.key === 'HeartbeatInterval').value, '120', 'the accepted change is mirrored');
  });
});
