import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { RawStation } from './support/raw-station.ts';
import { BOOT_201, bootedRawStation2 } from './support/ocpp2-station.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const T0 = '2026-11-21T08:00:00.000Z';
const V201_CODES = new Set([
  'FormatViolation', 'GenericError', 'InternalError', 'MessageTypeNotSupported', 'NotImplemented', 'NotSupported',
  'OccurrenceConstraintViolation', 'PropertyConstraintViolation', 'ProtocolError', 'RpcFrameworkError', 'SecurityError', 'TypeConstraintViolation',
]);

/** Checks the CALLERROR frame's shape (OCPP-J 2.0.1 §4.2.3) and returns its code. */
function callError(reply: unknown[], id: string): string {
  assert.equal(reply.length, 5, JSON.stringify(reply));
  assert.equal(reply[0], 4);
  assert.equal(reply[1], id);
  const [,, code, description, details] = reply as [number, string, string, string, unknown];
  assert.ok(V201_CODES.has(code), `${code} is a 2.0.1 error code`);
  assert.equal(typeof description, 'string');
  assert.ok(description.length <= 255, 'errorDescription is at most 255 characters');
  assert.deepEqual(details, {});
  return code;
}

describe('OCPP 2.0.1 RPC framework: error codes of 2.0.1 on the wire (bare frames)', () => {
  let server: TestServer;
  let st: RawStation;
  before(async () => {
    server = await startTestServer();
    st = await bootedRawStation2(server.wsUrl, 'CS201-ERR');
  });
  after(async () => {
    await st.close();
    await server.stop();
  });

  it('OCPP-J 2.0.1 §4.3 a missing required field is OccurrenceConstraintViolation (the 2.x spelling, not 1.6 OccurenceConstraintViolation)', async () => {
    const reply = await st.call('TransactionEvent', { eventType: 'Started', timestamp: T0, triggerReason: 'Authorized', transactionInfo: { transactionId: 't' } }, 'm-occ');
    assert.equal(callError(reply, 'm-occ'), 'OccurrenceConstraintViolation');
    assert.match(reply[3] as string, /seqNo/);
    assert.equal(callError(await st.call('Authorize', {}, 'm-occ2'), 'm-occ2'), 'OccurrenceConstraintViolation');
  });

  it('OCPP-J 2.0.1 §4.3 an unknown property or a payload that is not an object is FormatViolation (not 1.6 FormationViolation)', async () => {
    assert.equal(callError(await st.call('Heartbeat', { surprise: true }, 'm-fmt'), 'm-fmt'), 'FormatViolation');
    st.sendText('[2,"m-arr","Heartbeat",[]]');
    assert.equal(callError(await st.next('m-arr'), 'm-arr'), 'FormatViolation');
  });

  it('OCPP-J 2.0.1 §4.3 a wrong type is TypeConstraintViolation; a bad enum value or an over-long string is PropertyConstraintViolation', async () => {
    assert.equal(callError(await st.call('StatusNotification', { timestamp: T0, connectorStatus: 'Available', evseId: 'one', connectorId: 1 }, 'm-type'), 'm-type'), 'TypeConstraintViolation');
    assert.equal(callError(await st.call('StatusNotification', { timestamp: T0, connectorStatus: 'Charging', evseId: 1, connectorId: 1 }, 'm-enum'), 'm-enum'), 'PropertyConstraintViolation');
    assert.equal(callError(await st.call('Authorize', { idToken: { idToken: 'X'.repeat(37), type: 'ISO14443' } }, 'm-long'), 'm-long'), 'PropertyConstraintViolation');
  });

  it('OCPP-J 2.0.1 §4.2.3 an invalid payload changes nothing: no transaction is recorded', async () => {
    const reply = await st.call('TransactionEvent', { eventType: 'Started', timestamp: T0, triggerReason: 'Authorized', seqNo: 0, transactionInfo: { transactionId: 'x'.repeat(37) } }, 'm-txid');
    assert.equal(callError(reply, 'm-txid'), 'PropertyConstraintViolation', 'transactionId is at most 36 characters');
    assert.deepEqual((await server.api('GET', '/api/v1/transactions?stationId=CS201-ERR')).body, []);
  });

  it('OCPP-J 2.0.1 §4.3 an unknown action is NotImplemented (also a 1.6 action on a 2.0.1 connection); a CSMS-to-station action sent by the station is NotSupported', async () => {
    assert.equal(callError(await st.call('FlyToTheMoon', {}, 'm-ni'), 'm-ni'), 'NotImplemented');
    assert.equal(callError(await st.call('StartTransaction', { connectorId: 1, idTag: 'A', meterStart: 0, timestamp: T0 }, 'm-16'), 'm-16'), 'NotImplemented');
    assert.equal(callError(await st.call('NotifyDERAlarm', { controlType: 'HVMustTrip', timestamp: T0 }, 'm-21'), 'm-21'), 'NotImplemented', 'a 2.1 action on a 2.0.1 connection');
    assert.equal(callError(await st.call('Reset', { type: 'Immediate' }, 'm-ns'), 'm-ns'), 'NotSupported');
  });

  it('OCPP-J 2.0.1 §4.2.3 a frame whose message id cannot be read is answered with messageId "-1", without echoing the frame', async () => {
    st.sendText('[2,"broken","Heartbeat",{');
    const reply = await st.next('-1');
    assert.equal(callError(reply, '-1'), 'RpcFrameworkError');
    assert.ok(!(reply[3] as string).includes('[2,"broken"'), 'the invalid JSON is not embedded');
    st.sendText('[2,42,"Heartbeat",{}]');
    assert.equal(callError(await st.next('-1'), '-1'), 'RpcFrameworkError');
  });

  it('2.0.1 §4.4: an unknown message type, and 2.1-only SEND/CALLRESULTERROR, are answered MessageTypeNotSupported', async () => {
    st.sendText('[7,"m-seven",{}]');
    assert.equal(callError(await st.next('m-seven'), 'm-seven'), 'MessageTypeNotSupported');
    st.sendText(JSON.stringify([6, 'm-send', 'NotifyPeriodicEventStream', { id: 1, pending: 0, basetime: T0, data: [{ t: 0, v: '1' }] }]));
    assert.equal(callError(await st.next('m-send'), 'm-send'), 'MessageTypeNotSupported');
    st.sendText('[5,"m-cre","InternalError","",{}]');
    assert.equal(callError(await st.next('m-cre'), 'm-cre'), 'MessageTypeNotSupported');
  });

  it('after all those errors the connection still works', async () => {
    const hb = await st.ok('Heartbeat', {});
    assert.ok(Math.abs(Date.parse(hb.currentTime) - Date.now()) < 5000);
  });

  it('B01.FR.10 a message before any BootNotification is SecurityError', async () => {
    const fresh = await RawStation.connect(server.wsUrl, 'CS201-NOBOOT', 'ocpp2.0.1');
    try {
      assert.equal(callError(await fresh.call('Heartbeat', {}, 'm-early'), 'm-early'), 'SecurityError');
      assert.equal(callError(await fresh.call('StatusNotification', { timestamp: T0, connectorStatus: 'Available', evseId: 1, connectorId: 1 }, 'm-early2'), 'm-early2'), 'SecurityError');
      const boot = await fresh.ok('BootNotification', BOOT_201);
      assert.equal(boot.status, 'Accepted');
      assert.ok((await fresh.ok('Heartbeat', {})).currentTime, 'allowed once Accepted');
    } finally {
      await fresh.close();
    }
  });
});

describe('OCPP-J 2.0.1/2.1 §3 WebSocket compression', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('the CSMS supports RFC 7692 permessage-deflate when a 2.x station offers it', async () => {
    const ws = new WebSocket(`${server.wsUrl}/CS201-DEFLATE`, 'ocpp2.0.1', { perMessageDeflate: true });
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      assert.equal(ws.protocol, 'ocpp2.0.1');
      assert.match(ws.extensions, /permessage-deflate/);
      // A compressed frame well above the 1 KB threshold both ways: a boot whose answer comes back intact.
      const reply = new Promise<unknown[]>((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()) as unknown[])));
      ws.send(JSON.stringify([2, 'deflate-1', 'BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'V'.repeat(50), model: 'M'.repeat(20), firmwareVersion: 'F'.repeat(50) }, customData: { vendorId: 'x', pad: 'p'.repeat(2_000) } }]), { compress: true });
      const frame = await reply;
      assert.equal(frame[0], 3);
      assert.equal((frame[2] as { status: string }).status, 'Accepted');
    } finally {
      ws.close();
    }
  });
});
