import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bootedStation, RawStation } from './support/raw-station.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

describe('OCPP 1.6: malformed and invalid messages get the 1.6 error codes, and nothing breaks', () => {
  let server: TestServer;
  let st: RawStation;
  before(async () => {
    server = await startTestServer();
    st = await bootedStation(server.wsUrl, 'CP-ERR');
  });
  after(async () => {
    await st.close();
    await server.stop();
  });

  it('a missing required field is OccurenceConstraintViolation (1.6 spelling)', async () => {
    const reply = await st.call('StartTransaction', { connectorId: 1, idTag: 'A', timestamp: '2026-01-01T00:00:00Z' }, 'm-occ');
    assert.deepEqual(reply.slice(0, 3), [4, 'm-occ', 'OccurenceConstraintViolation']);
    assert.match(reply[3] as string, /meterStart/);
    assert.deepEqual(reply[4], {});
  });

  it('a wrong type is TypeConstraintViolation', async () => {
    const reply = await st.call('StartTransaction', { connectorId: 'one', idTag: 'A', meterStart: 0, timestamp: '2026-01-01T00:00:00Z' });
    assert.equal(reply[2], 'TypeConstraintViolation');
  });

  it('a bad enum value or an over-long string is PropertyConstraintViolation', async () => {
    assert.equal((await st.call('StatusNotification', { connectorId: 1, errorCode: 'Error', status: 'Available' }))[2], 'PropertyConstraintViolation');
    assert.equal((await st.call('Authorize', { idTag: 'X'.repeat(21) }))[2], 'PropertyConstraintViolation');
  });

  it('an unknown property or a non-object payload is FormationViolation (1.6 spelling)', async () => {
    assert.equal((await st.call('Heartbeat', { surprise: true }))[2], 'FormationViolation');
    st.sendText('[2,"m-arr","Heartbeat",[]]');
    assert.deepEqual((await st.next('m-arr')).slice(0, 3), [4, 'm-arr', 'FormationViolation']);
  });

  it('an unknown action is NotImplemented; a known action the central system does not handle is NotSupported', async () => {
    assert.equal((await st.call('FlyToTheMoon', {}))[2], 'NotImplemented');
    assert.equal((await st.call('TransactionEvent', {}))[2], 'NotImplemented', 'a 2.0.1 action on a 1.6 connection');
    assert.equal((await st.call('Reset', { type: 'Soft' }))[2], 'NotSupported', 'a CS-to-CP operation sent by the station');
  });

  it('unparseable JSON is answered with message id "-1"', async () => {
    st.sendText('[2,"broken","Heartbeat",{');
    const reply = await st.next('-1');
    assert.equal(reply[0], 4);
    assert.equal(reply[2], 'FormationViolation');
  });

  it('an unknown message type number is ignored (1.6 §4.1.3) and the connection stays usable', async () => {
    st.sendText('[7,"m-type",{}]');
    st.sendText('[6,"m-send","Heartbeat",{}]');
    const hb = await st.ok('Heartbeat', {});
    assert.ok(hb.currentTime);
  });

  it('a frame over the size limit closes only that connection', async () => {
    const small = await startTestServer({ JOULE_MAX_FRAME_BYTES: '4096' });
    try {
      const big = await bootedStation(small.wsUrl, 'CP-BIG');
      const other = await bootedStation(small.wsUrl, 'CP-OTHER');
      big.sendText(JSON.stringify([2, 'big', 'DataTransfer', { vendorId: 'x', data: 'y'.repeat(10_000) }]));
      const closed = await big.waitClose();
      assert.equal(closed.code, 1009);
      assert.ok((await other.ok('Heartbeat', {})).currentTime, 'other stations are unaffected');
      await other.close();
    } finally {
      await small.stop();
    }
  });

  it('a station that exhausts its bad-message budget is disconnected; others are unaffected', async () => {
    const noisy = await bootedStation(server.wsUrl, 'CP-NOISY');
    const quiet = await bootedStation(server.wsUrl, 'CP-QUIET');
    for (let i = 0; i < 60; i++) noisy.sendText('not json at all');
    const closed = await noisy.waitClose();
    assert.equal(closed.code, 1008);
    assert.ok((await quiet.ok('Heartbeat', {})).currentTime);
    await quiet.close();
  });
});

describe('OCPP 1.6: a station that is not yet accepted ([J16E] 3.10, [S16] §4.2)', () => {
  it('messages before BootNotification are answered SecurityError', async () => {
    const server = await startTestServer();
    try {
      const st = await RawStation.connect(server.wsUrl, 'CP-NOBOOT');
      const reply = await st.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
      assert.equal(reply[2], 'SecurityError');
      assert.equal((await st.ok('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })).status, 'Accepted');
      assert.deepEqual(await st.ok('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' }), {});
      await st.close();
    } finally {
      await server.stop();
    }
  });

  it('a station that reconnects without booting again keeps its Accepted registration', async () => {
    const server = await startTestServer();
    try {
      const first = await bootedStation(server.wsUrl, 'CP-RECONNECT');
      await first.close();
      const again = await RawStation.connect(server.wsUrl, 'CP-RECONNECT');
      assert.ok((await again.ok('Heartbeat', {})).currentTime);
      await again.close();
    } finally {
      await server.stop();
    }
  });

  it('JOULE_UNKNOWN_STATIONS=pending: Pending with the retry interval; no RemoteStart; triggered messages allowed; Accepted once registered', async () => {
    const server = await startTestServer({ JOULE_UNKNOWN_STATIONS: 'pending', JOULE_BOOT_RETRY_INTERVAL: '17' });
    try {
      const st = await RawStation.connect(server.wsUrl, 'CP-PENDING');
      st.onCall = (action) => (action === 'TriggerMessage' ? { status: 'Accepted' } : action === 'GetConfiguration' ? { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '60' }] } : { status: 'Accepted' });
      const boot = await st.ok('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
      assert.deepEqual([boot.status, boot.interval], ['Pending', 17]);
      assert.equal((await st.call('Heartbeat', {}))[2], 'SecurityError', 'a Pending station sends only what was triggered');

      const remote = await server.api('POST', '/api/v1/stations/CP-PENDING/commands/RemoteStartTransaction', { idTag: 'A' });
      assert.equal(remote.status, 409, 'no RemoteStartTransaction to a Pending station');
      const read = await server.api('POST', '/api/v1/stations/CP-PENDING/commands/GetConfiguration', {});
      assert.equal(read.status, 200, 'configuration may be read while Pending');
      assert.equal(read.body.status, 'completed');
      const conf = await server.api('GET', '/api/v1/stations/CP-PENDING/configuration');
      assert.deepEqual(conf.body.map((k: any) => [k.key, k.value]), [['HeartbeatInterval', '60']]);

      const trigger = await server.api('POST', '/api/v1/stations/CP-PENDING/commands/TriggerMessage', { requestedMessage: 'Heartbeat' });
      assert.equal(trigger.body.response.status, 'Accepted');
      assert.ok((await st.ok('Heartbeat', {})).currentTime, 'the triggered Heartbeat is answered');
      assert.equal((await st.call('Heartbeat', {}))[2], 'SecurityError', 'only once');

      await server.api('PUT', '/api/v1/stations/CP-PENDING', { registered: true });
      assert.equal((await st.ok('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })).status, 'Accepted');
      assert.ok((await st.ok('Heartbeat', {})).currentTime);
      await st.close();
    } finally {
      await server.stop();
    }
  });

  it('a Rejected station gets no commands and its messages are refused', async () => {
    const server = await startTestServer();
    try {
      await server.api('PUT', '/api/v1/stations/CP-REJECTED', { bootPolicy: 'Rejected' });
      const st = await RawStation.connect(server.wsUrl, 'CP-REJECTED');
      const boot = await st.ok('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
      assert.equal(boot.status, 'Rejected');
      assert.equal((await st.call('Heartbeat', {}))[2], 'SecurityError');
      const cmd = await server.api('POST', '/api/v1/stations/CP-REJECTED/commands/GetConfiguration', {});
      assert.equal(cmd.status, 409);
      await st.close();
    } finally {
      await server.stop();
    }
  });
});
