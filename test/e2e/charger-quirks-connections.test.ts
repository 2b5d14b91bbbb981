/**
 * Charger quirks of `../shared/field-notes.md` §3 about connections, registration and the RPC framing (#1, #2, #6,
 * #23-#28), end to end with real servers and sockets. The quirks without a test are listed, with the reason, at the
 * top of charger-quirks.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BOOT_201 } from './support/ocpp2-station.ts';
import { RawStation } from './support/raw-station.ts';
import { eventually, startTestServer, type TestServer } from './support/test-server.ts';
import { rawUpgrade } from './support/raw-upgrade.ts';

const NOW = Date.now();
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

type Frame = unknown[];

function assertAccepted(reply: Frame, what: string): any {
  assert.equal(reply[0], 3, `${what}: a CALLRESULT, got ${JSON.stringify(reply)}`);
  return reply[2];
}

function assertCallError(reply: Frame, code: string, what: string): void {
  assert.equal(reply[0], 4, `${what}: a CALLERROR, got ${JSON.stringify(reply)}`);
  assert.equal(reply[2], code, `${what}: ${JSON.stringify(reply)}`);
}

async function booted(server: TestServer, id: string, protocol: 'ocpp1.6' | 'ocpp2.0.1', boot?: Record<string, unknown>): Promise<RawStation> {
  const st = await RawStation.connect(server.wsUrl, id, protocol);
  assert.equal(st.protocol, protocol);
  const payload = boot ?? (protocol === 'ocpp1.6' ? { chargePointVendor: 'Joule', chargePointModel: 'Quirks' } : BOOT_201);
  assert.equal(assertAccepted(await st.call('BootNotification', payload), `${id} boot`).status, 'Accepted');
  return st;
}


/** Every frame the station receives, in arrival order (RawStation's own inbox does not keep the order across ids). */
function recordFrames(st: RawStation): Frame[] {
  const frames: Frame[] = [];
  st.ws.on('message', (data) => {
    try {
      frames.push(JSON.parse(data.toString()) as Frame);
    } catch {
      // not JSON: not a frame
    }
  });
  return frames;
}

const stationView = async (server: TestServer, id: string) => (await server.api('GET', `/api/v1/stations/${encodeURIComponent(id)}`)).body;

describe('charger quirks: connections, registration and framing', () => {
  let server: TestServer;
  const stations: RawStation[] = [];
  const track = (st: RawStation) => {
    stations.push(st);
    return st;
  };

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    for (const st of stations) await st.close();
    await server.stop();
  });

  it('quirk #1 no Sec-WebSocket-Protocol header (Grizzl-E): with JOULE_DEFAULT_PROTOCOL=ocpp1.6 the station is served 1.6 and boots (per-station default: gateway-connections.test.ts "quirk 1")', async () => {
    const withDefault = await startTestServer({ JOULE_DEFAULT_PROTOCOL: 'ocpp1.6' });
    try {
      // `[]`, not undefined: RawStation.connect's default parameter would offer ocpp1.6.
      const st = await RawStation.connect(withDefault.wsUrl, 'CP-GRIZZLE', []);
      assert.equal(st.protocol, '', 'no subprotocol in the handshake: the station offered none');
      const boot = assertAccepted(await st.call('BootNotification', { chargePointVendor: 'United Chargers', chargePointModel: 'Grizzl-E Smart' }), 'boot');
      assert.equal(boot.status, 'Accepted');
      assert.equal(typeof boot.interval, 'number', 'a 1.6 answer (interval), not 2.x');
      const stored = await stationView(withDefault, 'CP-GRIZZLE');
      assert.equal(stored.protocol, 'ocpp1.6');
      assert.equal(stored.vendor, 'United Chargers');
      await st.close();
    } finally {
      await withDefault.stop();
    }
  });

  it('quirk #2 subprotocol list oddities (OCPP.Core#91): ",ocpp2.0.1" is negotiated as ocpp2.0.1; both versions offered with a configured protocol get the configured one (more in gateway-connections.test.ts "quirk 2")', async () => {
    assert.deepEqual(await rawUpgrade(`${server.wsUrl}/CP-ODDLIST`, { 'Sec-WebSocket-Protocol': ',ocpp2.0.1' }), { status: 101, protocol: 'ocpp2.0.1' });
    await server.api('PUT', '/api/v1/stations/CP-ODDLIST-PINNED', { defaultProtocol: 'ocpp2.0.1' });
    assert.deepEqual(await rawUpgrade(`${server.wsUrl}/CP-ODDLIST-PINNED`, { 'Sec-WebSocket-Protocol': 'ocpp1.6,,ocpp2.0.1 ' }), { status: 101, protocol: 'ocpp2.0.1' });
  });

  it('quirk #6 duplicate sockets for one identity (reconnect before the old FIN): the newest connection wins, the old one is closed 4000, the station stays online and its transaction continues on the new socket', async () => {
    const old = track(await booted(server, 'CS-DUPSOCK', 'ocpp2.0.1'));
    const started = { eventType: 'Started', timestamp: ago(300), triggerReason: 'Authorized', seqNo: 0, transactionInfo: { transactionId: 'dup-tx-1' }, evse: { id: 1, connectorId: 1 }, meterValue: [{ timestamp: ago(300), sampledValue: [{ value: 4000, context: 'Transaction.Begin' }] }] };
    assert.deepEqual(assertAccepted(await old.call('TransactionEvent', started), 'Started on the old socket'), {});

    const oldClosed = old.waitClose();
    // The station reconnects (e.g. after a modem reset) while the server still holds the old socket; no new boot.
    const fresh = track(await RawStation.connect(server.wsUrl, 'CS-DUPSOCK', 'ocpp2.0.1'));
    assert.equal((await oldClosed).code, 4000, 'the older connection is replaced');
    const ended = { eventType: 'Ended', timestamp: ago(10), triggerReason: 'EVDeparted', seqNo: 1, transactionInfo: { transactionId: 'dup-tx-1', stoppedReason: 'EVDisconnected' }, meterValue: [{ timestamp: ago(10), sampledValue: [{ value: 9000, context: 'Transaction.End' }] }] };
    assert.deepEqual(assertAccepted(await fresh.call('TransactionEvent', ended), 'Ended on the new socket, without a new boot'), {});

    assert.equal((await stationView(server, 'CS-DUPSOCK')).online, true, 'the old socket closing did not take the station offline');
    const txs = (await server.api('GET', '/api/v1/transactions?stationId=CS-DUPSOCK')).body;
    assert.equal(txs.length, 1);
    assert.equal(txs[0].stationTxId, 'dup-tx-1');
    assert.equal(txs[0].energyWh, 5000);
    assert.deepEqual(txs[0].flags, []);
  });

  it('quirk #23 StatusNotification on connector 0 (ocpp-go#129): it is the station\'s own status, shown at station level and not as an EVSE; the connectors keep theirs', async () => {
    const st = track(await booted(server, 'CP-CONNECTOR0', 'ocpp1.6'));
    assert.deepEqual(assertAccepted(await st.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: ago(60) }), 'connector 1'), {});
    assert.deepEqual(assertAccepted(await st.call('StatusNotification', { connectorId: 0, errorCode: 'PowerMeterFailure', status: 'Faulted', timestamp: ago(30) }), 'connector 0'), {});
    const view = await stationView(server, 'CP-CONNECTOR0');
    assert.equal(view.status, 'Faulted');
    assert.equal(view.errorCode, 'PowerMeterFailure');
    assert.deepEqual(view.evses.map((e: any) => e.evseId), [1], 'connector 0 is not an EVSE');
    assert.equal(view.evses[0].connectors[0].status, 'Available', 'the station-level fault does not overwrite connector 1');
    const history = (await server.api('GET', '/api/v1/stations/CP-CONNECTOR0/status-history')).body;
    const stationLevel = history.find((h: any) => h.evseId === 0);
    assert.equal(stationLevel.connectorId, 0);
    assert.equal(stationLevel.status, 'Faulted');
  });

  it('quirk #24 CALLRESULT payload null instead of {} (ocpp-rpc#35): the command completes with {} (1.6 GetConfiguration, 2.0.1 CostUpdated)', async () => {
    for (const [id, protocol, action, payload] of [
      ['CP-NULLRESULT', 'ocpp1.6', 'GetConfiguration', {}],
      ['CS-NULLRESULT', 'ocpp2.0.1', 'CostUpdated', { totalCost: 4.2, transactionId: 'tx-null' }],
    ] as const) {
      const st = track(await booted(server, id, protocol));
      st.onCall = (_action, _payload, messageId) => {
        st.sendText(`[3,"${messageId}",null]`);
        return undefined;
      };
      const res = await server.api('POST', `/api/v1/stations/${id}/commands/${action}`, payload);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual({ status: res.body.status, response: res.body.response }, { status: 'completed', response: {} }, `${id} ${action}`);
      const logged = (await server.api('GET', `/api/v1/commands/${res.body.commandId}`)).body;
      assert.equal(logged.status, 'completed');
      assert.deepEqual(logged.response, {});
      assert.ok(assertAccepted(await st.call('Heartbeat', {}), `${id} still usable`).currentTime);
    }
  });

  it('quirk #24 error-code spellings (citrineos-core PR #1050): a station\'s CALLERROR is taken in either spelling (FormatViolation on 1.6, FormationViolation on 2.0.1); Joule answers each version with its own spelling', async () => {
    for (const [id, protocol, action, payload, theirs, ours] of [
      ['CP-SPELLING', 'ocpp1.6', 'GetConfiguration', {}, 'FormatViolation', { format: 'FormationViolation', occurrence: 'OccurenceConstraintViolation' }],
      ['CS-SPELLING', 'ocpp2.0.1', 'GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] }, 'FormationViolation', { format: 'FormatViolation', occurrence: 'OccurrenceConstraintViolation' }],
    ] as const) {
      const st = track(await booted(server, id, protocol));
      st.onCall = (_action, _payload, messageId) => {
        st.sendText(JSON.stringify([4, messageId, theirs, 'could not parse the request', {}]));
        return undefined;
      };
      const res = await server.api('POST', `/api/v1/stations/${id}/commands/${action}`, payload);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'error');
      assert.match(res.body.error.code, /^Forma(t|tion)Violation$/, 'the station\'s error is reported, whichever spelling it used');
      assert.equal((await server.api('GET', `/api/v1/commands/${res.body.commandId}`)).body.status, 'error');

      // Outbound: the version's own spelling.
      st.sendText(`[2,"${id}-arr","Heartbeat",[]]`);
      assertCallError(await st.next(`${id}-arr`), ours.format, `${protocol} non-object payload`);
      const missing = protocol === 'ocpp1.6' ? ['StatusNotification', { connectorId: 1, status: 'Available' }] : ['StatusNotification', { timestamp: ago(1), evseId: 1, connectorId: 1 }];
      assertCallError(await st.call(missing[0] as string, missing[1]), ours.occurrence, `${protocol} missing required field`);
      assert.ok(assertAccepted(await st.call('Heartbeat', {}), `${id} still connected`).currentTime);
    }
  });

  it('quirk #27 1.6 multi-connector stations have no EVSE concept (citrineos auto-commissioning): 1.6 connector N is EVSE N connector 1 in the API, and commands keep the station\'s connector numbers', async () => {
    await server.api('PUT', '/api/v1/id-tokens/MULTI-TAG', { status: 'Accepted' });
    const st = track(await booted(server, 'CP-TWIN', 'ocpp1.6'));
    for (const connectorId of [1, 2]) {
      assertAccepted(await st.call('StatusNotification', { connectorId, errorCode: 'NoError', status: 'Available', timestamp: ago(600) }), `connector ${connectorId}`);
    }
    const view = await stationView(server, 'CP-TWIN');
    assert.deepEqual(view.evses.map((e: any) => [e.evseId, e.connectors.map((c: any) => c.connectorId)]), [[1, [1]], [2, [1]]]);

    const started = assertAccepted(await st.call('StartTransaction', { connectorId: 2, idTag: 'MULTI-TAG', meterStart: 100, timestamp: ago(300) }), 'start on connector 2');
    assertAccepted(await st.call('MeterValues', { connectorId: 2, transactionId: started.transactionId, meterValue: [{ timestamp: ago(200), sampledValue: [{ value: '600' }] }] }), 'meter values');
    const tx = (await server.api('GET', `/api/v1/transactions/${started.transactionId}`)).body;
    assert.deepEqual([tx.evseId, tx.connectorId], [2, 1]);
    const values = (await server.api('GET', `/api/v1/transactions/${started.transactionId}/meter-values`)).body;
    assert.deepEqual(values.map((v: any) => [v.evseId, v.connectorId, v.numericValue]), [[2, 1, 600]]);

    const received: any[] = [];
    st.onCall = (action, payload) => {
      received.push({ action, payload });
      return { status: 'Unlocked' };
    };
    const res = await server.api('POST', '/api/v1/stations/CP-TWIN/commands/UnlockConnector', { connectorId: 2 });
    assert.equal(res.body.status, 'completed');
    assert.deepEqual(received, [{ action: 'UnlockConnector', payload: { connectorId: 2 } }], 'the 1.6 connector number goes to the station unchanged');
  });

  it('quirk #28 calls without waiting (maeve gateway Pipe): a station that sends its next CALL before the answer to the previous one is answered for each, in the order sent', async () => {
    await server.api('PUT', '/api/v1/id-tokens/PIPE-TAG', { status: 'Accepted' });
    const st = track(await booted(server, 'CP-PIPELINE', 'ocpp1.6'));
    const frames = recordFrames(st);
    const ids = ['pipe-1', 'pipe-2', 'pipe-3', 'pipe-4'];
    // A StartTransaction (a durable write) first: the cheap Heartbeat behind it must not overtake it.
    st.sendText(JSON.stringify([2, ids[0], 'StartTransaction', { connectorId: 1, idTag: 'PIPE-TAG', meterStart: 0, timestamp: ago(60) }]));
    st.sendText(JSON.stringify([2, ids[1], 'Heartbeat', {}]));
    st.sendText(JSON.stringify([2, ids[2], 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' }]));
    st.sendText(JSON.stringify([2, ids[3], 'Heartbeat', {}]));
    await eventually(() => frames.length >= 4, 3000, 'four answers');
    assert.deepEqual(frames.map((f) => [f[0], f[1]]), ids.map((id) => [3, id]), 'four CALLRESULTs, in the order of the CALLs');
    const tx = (await server.api('GET', '/api/v1/transactions?stationId=CP-PIPELINE')).body;
    assert.equal(tx.length, 1);
    assert.equal((await stationView(server, 'CP-PIPELINE')).evses[0].connectors[0].status, 'Charging');
  });

  it('quirk #28 one outstanding call per direction (ocpp-rpc callConcurrency 1): Joule sends one command at a time, and answers the station\'s own CALLs while its command waits for the station', async () => {
    const st = track(await booted(server, 'CP-SLOWREPLY', 'ocpp1.6'));
    const pending: { action: string; id: string }[] = [];
    st.onCall = (action, _payload, id) => {
      pending.push({ action, id });
      return undefined; // a slow station: it answers later
    };
    const first = server.api('POST', '/api/v1/stations/CP-SLOWREPLY/commands/GetConfiguration', { key: ['HeartbeatInterval'] });
    const second = server.api('POST', '/api/v1/stations/CP-SLOWREPLY/commands/ClearCache', {});
    await eventually(() => pending.length === 1, 3000, 'the first command at the station');
    // The station calls in while the CSMS's call is outstanding: answered at once.
    assert.ok(assertAccepted(await st.call('Heartbeat', {}), 'Heartbeat during an outstanding command').currentTime);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(pending.map((p) => p.action), ['GetConfiguration'], 'the second command waits for the answer to the first');

    st.sendText(JSON.stringify([3, pending[0]!.id, { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] }]));
    await eventually(() => pending.length === 2, 3000, 'the second command sent after the first answer');
    assert.equal(pending[1]!.action, 'ClearCache');
    st.sendText(JSON.stringify([3, pending[1]!.id, { status: 'Accepted' }]));
    assert.equal((await first).body.status, 'completed');
    assert.deepEqual((await second).body.response, { status: 'Accepted' });
    const conf = (await server.api('GET', '/api/v1/stations/CP-SLOWREPLY/configuration')).body;
    assert.deepEqual(conf.map((k: any) => [k.key, k.value]), [['HeartbeatInterval', '300']]);
  });
});

describe('charger quirks: liveness of stations that rarely send a message', () => {
  it('quirk #7 / Zaptec and Easee defaults (HeartbeatInterval 86400): a station that sends no OCPP message for longer than the idle timeout but answers every WebSocket ping stays online', async () => {
    // Scaled down: a 1 s idle timeout stands for twice the heartbeat interval plus a minute; pings every second.
    const server = await startTestServer({ JOULE_PING_INTERVAL: '1', JOULE_IDLE_TIMEOUT: '1' });
    try {
      const st = await booted(server, 'CP-ZAPTEC', 'ocpp1.6', { chargePointVendor: 'Zaptec', chargePointModel: 'ZAP-GO' });
      let pings = 0;
      st.ws.on('ping', () => pings++);
      await new Promise((r) => setTimeout(r, 2500));
      assert.ok(pings >= 1, 'the server pinged and the station answered (ws answers pings by itself)');
      assert.equal((await stationView(server, 'CP-ZAPTEC')).online, true, 'a station that answers pings is alive');
      await st.close();
    } finally {
      await server.stop();
    }
  });
});

describe('charger quirks: stations that are not (yet) accepted (JOULE_UNKNOWN_STATIONS=pending)', () => {
  let server: TestServer;
  const stations: RawStation[] = [];

  before(async () => {
    server = await startTestServer({ JOULE_UNKNOWN_STATIONS: 'pending', JOULE_BOOT_RETRY_INTERVAL: '23' });
  });
  after(async () => {
    for (const st of stations) await st.close();
    await server.stop();
  });

  it('quirk #25 messages before Boot is Accepted (EVerest libocpp#633): SecurityEventNotification before the boot and while Pending is answered SecurityError; a triggered StatusNotification is taken once; registered and triggered to boot again, the station is Accepted', async () => {
    const st = await RawStation.connect(server.wsUrl, 'CS-EARLYBIRD', 'ocpp2.0.1');
    stations.push(st);
    const securityEvent = { type: 'StartupOfTheDevice', timestamp: ago(5), techInfo: 'cold boot' };
    assertCallError(await st.call('SecurityEventNotification', securityEvent), 'SecurityError', 'before any boot');
    const boot = assertAccepted(await st.call('BootNotification', BOOT_201), 'boot');
    assert.deepEqual([boot.status, boot.interval], ['Pending', 23]);
    assertCallError(await st.call('SecurityEventNotification', securityEvent), 'SecurityError', 'while Pending');

    st.onCall = (action, payload) => {
      if (action === 'TriggerMessage' && payload.requestedMessage === 'BootNotification') {
        // The station boots again once the trigger is accepted.
        setImmediate(() => st.sendText(JSON.stringify([2, 'reboot-1', 'BootNotification', BOOT_201])));
      }
      return { status: 'Accepted' };
    };
    const trigger = await server.api('POST', '/api/v1/stations/CS-EARLYBIRD/commands/TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } });
    assert.deepEqual(trigger.body.response, { status: 'Accepted' });
    const status = { timestamp: ago(1), connectorStatus: 'Available', evseId: 1, connectorId: 1 };
    assert.deepEqual(assertAccepted(await st.call('StatusNotification', status), 'the triggered StatusNotification'), {});
    assertCallError(await st.call('StatusNotification', status), 'SecurityError', 'only once');
    assert.equal((await stationView(server, 'CS-EARLYBIRD')).evses[0].connectors[0].status, 'Available');

    await server.api('PUT', '/api/v1/stations/CS-EARLYBIRD', { registered: true });
    const rebootTrigger = await server.api('POST', '/api/v1/stations/CS-EARLYBIRD/commands/TriggerMessage', { requestedMessage: 'BootNotification' });
    assert.deepEqual(rebootTrigger.body.response, { status: 'Accepted' });
    assert.equal(assertAccepted(await st.next('reboot-1'), 'boot after registration').status, 'Accepted');
    assert.deepEqual(assertAccepted(await st.call('SecurityEventNotification', securityEvent), 'after Accepted'), {});
    const notes = (await server.api('GET', '/api/v1/stations/CS-EARLYBIRD/notifications')).body;
    assert.deepEqual(notes.map((n: any) => [n.type, n.payload.type]), [['security.event', 'StartupOfTheDevice']], 'only the accepted one is recorded');
  });

  it('quirk #26 uncommissioned stations booting (citrineos#105): an unknown station is held Pending and listed for the operator; its transaction messages are refused with SecurityError, nothing is stored and nothing crashes', async () => {
    const st = await RawStation.connect(server.wsUrl, 'CP-UNKNOWN-1', 'ocpp1.6');
    stations.push(st);
    const boot = assertAccepted(await st.call('BootNotification', { chargePointVendor: 'Unknown Vendor', chargePointModel: 'X1' }), 'boot');
    assert.equal(boot.status, 'Pending');
    assertCallError(await st.call('StartTransaction', { connectorId: 1, idTag: 'WHOEVER', meterStart: 0, timestamp: ago(1) }), 'SecurityError', 'StartTransaction while Pending');
    assertCallError(await st.call('StopTransaction', { transactionId: 5, meterStop: 10, timestamp: ago(0) }), 'SecurityError', 'StopTransaction while Pending');
    const view = await stationView(server, 'CP-UNKNOWN-1');
    assert.equal(view.registrationStatus, 'Pending');
    assert.equal(view.registered, false);
    assert.equal(view.vendor, 'Unknown Vendor');
    assert.ok((await server.api('GET', '/api/v1/stations')).body.some((s: any) => s.id === 'CP-UNKNOWN-1'), 'listed for commissioning');
    assert.deepEqual((await server.api('GET', '/api/v1/transactions?stationId=CP-UNKNOWN-1')).body, []);
    assert.ok(assertAccepted(await st.call('BootNotification', { chargePointVendor: 'Unknown Vendor', chargePointModel: 'X1' }), 'boot again').status, 'the connection and the server are fine');
  });

  it('quirk #26 with JOULE_UNKNOWN_STATIONS=accept (the default) an unknown station is registered on its first connection and Accepted', async () => {
    const open = await startTestServer();
    try {
      const st = await RawStation.connect(open.wsUrl, 'CS-UNKNOWN-2', 'ocpp2.0.1');
      assert.equal(assertAccepted(await st.call('BootNotification', BOOT_201), 'boot').status, 'Accepted');
      const view = await stationView(open, 'CS-UNKNOWN-2');
      assert.equal(view.registrationStatus, 'Accepted');
      assert.equal(view.protocol, 'ocpp2.0.1');
      assert.equal(view.vendor, BOOT_201.chargingStation.vendorName);
      assert.equal(view.online, true);
      await st.close();
    } finally {
      await open.stop();
    }
  });
});
