import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Payload } from '../../../src/ocpp/rpc/frames.ts';
import { seededRandom } from '../../../src/sim/seeded-random.ts';
import { SimStation201 } from '../../../src/sim/v201/sim-station-201.ts';
import { bootStation201, describeEvent, energyWh, sequence201, transactionEvents } from './helpers-201.ts';
import { delay } from './helpers.ts';
import { CsmsError, MiniCsms, type CallOutcome } from './mini-csms.ts';

const bootAnswer = (status: string, interval: number): Payload => ({ status, currentTime: new Date().toISOString(), interval });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function ok(outcome: CallOutcome): Payload {
  assert.ok(outcome.ok, `expected a CALLRESULT, got ${JSON.stringify(outcome)}`);
  return outcome.payload;
}

function sampled(payload: Payload): { measurand?: string; value: number; context?: string; phase?: string }[] {
  const meterValue = (payload.meterValue ?? []) as { sampledValue: { measurand?: string; value: number; context?: string }[] }[];
  return meterValue.flatMap((m) => m.sampledValue);
}

function info(event: Payload): Record<string, unknown> {
  return event.transactionInfo as Record<string, unknown>;
}

describe('SimStation201: a simulated OCPP 2.0.1 charging station', { concurrency: true }, () => {
  let csms: MiniCsms;
  const stations: SimStation201[] = [];
  /** Stations whose registration the CSMS "forgot" (answers SecurityError until they boot again). */
  const forgotten = new Set<string>();

  before(async () => {
    csms = await MiniCsms.start({ protocols: ['ocpp2.0.1'] });
    const bootsPerStation = new Map<string, number>();
    const defaultBoot = csms.responders.get('BootNotification');
    csms.responders.set('BootNotification', (payload, stationId, version) => {
      const n = (bootsPerStation.get(stationId) ?? 0) + 1;
      bootsPerStation.set(stationId, n);
      forgotten.delete(stationId);
      if (stationId === 'CS-HB') return bootAnswer('Accepted', 1);
      if (stationId === 'CS-PENDING' && n === 1) return bootAnswer('Pending', 1);
      if (stationId === 'CS-PENDING-2') return bootAnswer('Pending', 60);
      if (stationId === 'CS-REJECTED' && n === 1) return bootAnswer('Rejected', 1);
      return defaultBoot?.(payload, stationId, version);
    });
    const tokenStatus = (payload: Payload): string => {
      const token = (payload.idToken as { idToken?: string } | undefined)?.idToken;
      return token === 'BLOCKED' ? 'Blocked' : 'Accepted';
    };
    csms.responders.set('Authorize', (payload) => ({ idTokenInfo: { status: tokenStatus(payload) } }));
    for (const action of ['StatusNotification', 'Heartbeat', 'TransactionEvent']) {
      const answer = csms.responders.get(action) ?? (() => ({}));
      csms.responders.set(action, (payload, stationId, version) => {
        if (forgotten.has(stationId)) return new CsmsError('SecurityError', 'send BootNotification first');
        const token = (payload.idToken as { idToken?: string } | undefined)?.idToken;
        if (action === 'TransactionEvent' && token === 'INVALID-LATER') return { idTokenInfo: { status: 'Invalid' } };
        return answer(payload, stationId, version);
      });
    }
  });

  after(async () => {
    await Promise.all(stations.map((s) => s.stop({ endSessions: false })));
    await csms.close();
  });

  async function boot(id: string, options: Parameters<typeof bootStation201>[2] = {}): Promise<SimStation201> {
    return bootStation201(csms, id, { random: seededRandom(id.length), ...options }, (station) => stations.push(station));
  }

  async function send(id: string, action: string, payload: Payload): Promise<Payload> {
    return ok(await csms.call(id, action, payload));
  }

  function violationsOf(id: string): string[] {
    return csms.violations.filter((v) => v.startsWith(`${id} `) || v.startsWith(`${id}:`));
  }

  /** Waits for the TransactionEvent Ended of a station from `from` on. */
  function ended(id: string, from: number): Promise<unknown> {
    return csms.waitFor((c) => c.stationId === id && c.action === 'TransactionEvent' && c.payload.eventType === 'Ended', from, 5000);
  }

  async function evsePowerW(id: string, evseId: number): Promise<number> {
    const answer = await send(id, 'GetVariables', { getVariableData: [{ component: { name: 'EVSE', evse: { id: evseId } }, variable: { name: 'Power' } }] });
    const [result] = answer.getVariableResult as { attributeValue?: string }[];
    return Number(result?.attributeValue);
  }

  it('boots with reason PowerUp, reports every EVSE Available, then heartbeats at the interval the CSMS gave', async () => {
    const station = await boot('CS-HB', { vendor: 'Acme', model: 'Wall22', firmwareVersion: '3.1.4', serialNumber: 'SN-1' });
    assert.equal(station.registration, 'Accepted');
    assert.deepEqual(csms.calls('BootNotification', 'CS-HB')[0]?.payload, {
      chargingStation: { model: 'Wall22', vendorName: 'Acme', serialNumber: 'SN-1', firmwareVersion: '3.1.4' },
      reason: 'PowerUp',
    });
    assert.equal(station.deviceModel.get('OCPPCommCtrlr.HeartbeatInterval'), '1');
    const bootedAt = Date.now();
    await csms.waitFor((c) => c.stationId === 'CS-HB' && c.action === 'Heartbeat');
    assert.ok(Date.now() - bootedAt >= 800, 'the heartbeat follows the interval');
    assert.deepEqual(sequence201(csms, 'CS-HB'), ['BootNotification', 'Status 1 Available', 'Status 2 Available', 'Heartbeat']);
    const status = csms.calls('StatusNotification', 'CS-HB')[0]?.payload;
    assert.deepEqual(Object.keys(status ?? {}).sort(), ['connectorId', 'connectorStatus', 'evseId', 'timestamp']);
    assert.deepEqual(violationsOf('CS-HB'), []);
  });

  it('while Pending: sends nothing until it boots again after the interval, then reports its EVSEs', async () => {
    const id = 'CS-PENDING';
    const from = csms.received.length;
    const station = new SimStation201({ url: csms.url, id, stepDelayMs: 5, callTimeoutMs: 2000 });
    stations.push(station);
    station.start();
    await csms.waitFor((c) => c.stationId === id && c.action === 'BootNotification', from);
    const firstBootAt = Date.now();
    await delay(50);
    assert.equal(station.registration, 'Pending');
    await csms.waitFor((c) => c.stationId === id && c.action === 'StatusNotification' && c.payload.evseId === 2, from, 3000);
    assert.ok(Date.now() - firstBootAt >= 900, 'the second boot waits for the interval');
    assert.deepEqual(sequence201(csms, id, from), ['BootNotification', 'BootNotification', 'Status 1 Available', 'Status 2 Available']);
    assert.deepEqual(csms.calls('BootNotification', id).map((c) => c.payload.reason), ['PowerUp', 'PowerUp'], 'the same boot, retried');
    assert.equal(station.registration, 'Accepted');
  });

  it('answers the CSMS while Pending and sends the triggered message, but starts no transaction', async () => {
    const id = 'CS-PENDING-2';
    const from = csms.received.length;
    const station = new SimStation201({ url: csms.url, id, stepDelayMs: 5, callTimeoutMs: 2000 });
    stations.push(station);
    station.start();
    await csms.waitFor((c) => c.stationId === id && c.action === 'BootNotification', from);
    await delay(50);
    assert.equal(station.registration, 'Pending');
    const variables = await send(id, 'GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] });
    assert.equal((variables.getVariableResult as { attributeValue?: string }[])[0]?.attributeValue, '300');
    assert.equal((await send(id, 'RequestStartTransaction', { remoteStartId: 1, idToken: { idToken: 'X', type: 'Central' } })).status, 'Rejected');
    assert.equal((await send(id, 'TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 2, connectorId: 1 } })).status, 'Accepted');
    await csms.waitFor((c) => c.stationId === id && c.action === 'StatusNotification', from);
    await delay(100);
    assert.deepEqual(sequence201(csms, id, from), ['BootNotification', 'Status 2 Available'], 'only the triggered message');
    assert.deepEqual(violationsOf(id), []);
  });

  it('while Rejected: answers nothing, then boots again after the interval', async () => {
    const from = csms.received.length;
    const station = new SimStation201({ url: csms.url, id: 'CS-REJECTED', stepDelayMs: 5 });
    stations.push(station);
    station.start();
    await csms.waitFor((c) => c.stationId === 'CS-REJECTED' && c.action === 'BootNotification', from);
    await delay(50);
    await assert.rejects(csms.call('CS-REJECTED', 'GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] }, 300), /no answer/);
    await csms.waitForCount('BootNotification', 2, from, 3000, 'CS-REJECTED');
    await csms.waitFor((c) => c.stationId === 'CS-REJECTED' && c.action === 'StatusNotification', from);
    assert.equal(station.registration, 'Accepted');
  });

  it('runs a local session: Authorize, Started / Updated / Ended with one transaction id and seqNo 0, 1, 2, ..., energy from the EV model', async () => {
    const id = 'CS-SESSION';
    const station = await boot(id, { speed: 3600, meterValueSampleInterval: 1 });
    const from = csms.received.length;
    const result = await station.startSession(1, 'TAG-LOCAL');
    assert.ok(result.started);
    await csms.waitForCount('TransactionEvent', 5, from, 4000, id); // Started, Authorized, ChargingStateChanged, 2 periodic
    assert.equal(await station.stopSession(1), true);
    await csms.waitFor((c) => c.stationId === id && c.action === 'StatusNotification' && c.payload.connectorStatus === 'Available', from);

    const authorize = csms.calls('Authorize', id)[0]?.payload;
    assert.deepEqual(authorize, { idToken: { idToken: 'TAG-LOCAL', type: 'ISO14443' } });
    const events = transactionEvents(csms, id, from);
    const names = events.map(describeEvent);
    assert.deepEqual(names.slice(0, 3), ['Started CablePluggedIn #0', 'Updated Authorized #1', 'Updated ChargingStateChanged #2']);
    assert.equal(names.at(-1), `Ended StopAuthorized #${events.length - 1}`);
    assert.ok(names.slice(3, -1).every((n) => n.startsWith('Updated MeterValuePeriodic')), names.join(', '));
    assert.deepEqual(events.map((e) => e.seqNo), events.map((_, i) => i), 'seqNo counts up from 0 without gaps');
    const transactionId = info(events[0] ?? {}).transactionId;
    assert.equal(transactionId, result.transactionId);
    assert.match(String(transactionId), UUID);
    assert.ok(events.every((e) => info(e).transactionId === transactionId));
    assert.ok(events.every((e) => e.offline === undefined && (e.evse as { id: number }).id === 1));

    const [started, authorized, charging] = events;
    assert.equal(info(started ?? {}).chargingState, 'EVConnected');
    assert.equal(started?.idToken, undefined, 'the idToken comes with the authorization, not the plug-in');
    assert.deepEqual(sampled(started ?? {}), [
      { value: 0, context: 'Transaction.Begin', measurand: 'Energy.Active.Import.Register', location: 'Outlet', unitOfMeasure: { unit: 'Wh' } },
    ]);
    assert.deepEqual(authorized?.idToken, { idToken: 'TAG-LOCAL', type: 'ISO14443' });
    assert.equal(info(authorized ?? {}).chargingState, undefined, 'chargingState only when it changes');
    assert.equal(info(charging ?? {}).chargingState, 'Charging');

    const periodic = events.filter((e) => e.triggerReason === 'MeterValuePeriodic');
    const energies = periodic.map((e) => energyWh(e) ?? Number.NaN);
    assert.ok(energies.every((wh, i) => i === 0 || wh > (energies[i - 1] ?? 0)), `energy grows: ${energies.join(', ')}`);
    // 1 s at 3600x is one simulated hour at the EV's 11 kW.
    assert.ok(Math.abs((energies[1] ?? 0) - (energies[0] ?? 0) - 11_000) < 1500, energies.join(', '));
    const samples = sampled(periodic[0] ?? {});
    assert.deepEqual([...new Set(samples.map((s) => s.measurand))], ['Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import', 'Voltage', 'SoC']);
    assert.equal(samples.find((s) => s.measurand === 'Power.Active.Import')?.value, 11_000);
    assert.ok(samples.every((s) => s.context === 'Sample.Periodic' && typeof s.value === 'number'));

    const end = events.at(-1) ?? {};
    assert.deepEqual(end.idToken, { idToken: 'TAG-LOCAL', type: 'ISO14443' });
    assert.equal(info(end).stoppedReason, 'Local');
    assert.equal(info(end).chargingState, 'EVConnected');
    assert.ok(Number(info(end).timeSpentCharging) > 3600, 'simulated seconds of charging');
    assert.equal(sampled(end)[0]?.context, 'Transaction.End');
    assert.ok((energyWh(end) ?? 0) >= (energies.at(-1) ?? 0));
    const statuses = sequence201(csms, id, from).filter((s) => s.startsWith('Status'));
    assert.deepEqual(statuses, ['Status 1 Occupied', 'Status 1 Available']);
    const order = sequence201(csms, id, from);
    assert.ok(order.indexOf('Status 1 Available') > order.findIndex((s) => s.startsWith('TransactionEvent Ended')), 'Available after Ended');
    assert.deepEqual(violationsOf(id), []);
  });

  it('starts remotely with remoteStartId (authorized by the CSMS unless AuthorizeRemoteStart) and stops remotely', async () => {
    const id = 'CS-REMOTE';
    const station = await boot(id, { speed: 3600 });
    let from = csms.received.length;
    const start = await send(id, 'RequestStartTransaction', { evseId: 2, remoteStartId: 42, idToken: { idToken: 'REMOTE-1', type: 'Central' } });
    assert.deepEqual(start, { status: 'Accepted' });
    await csms.waitForCount('TransactionEvent', 3, from, 3000, id);
    let events = transactionEvents(csms, id, from);
    assert.deepEqual(events.map(describeEvent), ['Started RemoteStart #0', 'Updated CablePluggedIn #1', 'Updated ChargingStateChanged #2']);
    assert.equal(info(events[0] ?? {}).remoteStartId, 42);
    assert.equal(info(events[0] ?? {}).chargingState, 'Idle', 'authorized before the EV is plugged in');
    assert.deepEqual(events[0]?.idToken, { idToken: 'REMOTE-1', type: 'Central' });
    assert.equal(info(events[1] ?? {}).remoteStartId, undefined, 'remoteStartId only with the RemoteStart trigger');
    assert.deepEqual(csms.calls('Authorize', id), [], 'AuthorizeRemoteStart is false by default');
    const transactionId = String(info(events[0] ?? {}).transactionId);
    while (station.queuedTransactionEvents > 0) await delay(10); // the last answer may still be on its way

    assert.deepEqual(await send(id, 'GetTransactionStatus', { transactionId }), { ongoingIndicator: true, messagesInQueue: false });
    assert.equal((await send(id, 'RequestStartTransaction', { evseId: 2, remoteStartId: 43, idToken: { idToken: 'R2', type: 'Central' } })).status, 'Rejected');
    assert.equal((await send(id, 'RequestStopTransaction', { transactionId: 'not-a-transaction' })).status, 'Rejected');
    from = csms.received.length;
    assert.deepEqual(await send(id, 'RequestStopTransaction', { transactionId }), { status: 'Accepted' });
    await ended(id, from);
    const end = transactionEvents(csms, id, from)[0] ?? {};
    assert.equal(describeEvent(end), 'Ended RemoteStop #3');
    assert.equal(info(end).stoppedReason, 'Remote');
    while (station.queuedTransactionEvents > 0) await delay(10);
    assert.deepEqual(await send(id, 'GetTransactionStatus', { transactionId }), { ongoingIndicator: false, messagesInQueue: false });

    const set = await send(id, 'SetVariables', { setVariableData: [{ component: { name: 'AuthCtrlr' }, variable: { name: 'AuthorizeRemoteStart' }, attributeValue: 'true' }] });
    assert.equal((set.setVariableResult as { attributeStatus: string }[])[0]?.attributeStatus, 'Accepted');
    from = csms.received.length;
    await send(id, 'RequestStartTransaction', { remoteStartId: 44, idToken: { idToken: 'REMOTE-2', type: 'Central' } });
    await csms.waitFor((c) => c.stationId === id && c.action === 'TransactionEvent', from);
    events = transactionEvents(csms, id, from);
    const calls = sequence201(csms, id, from);
    assert.ok(calls.indexOf('Authorize') < calls.indexOf('TransactionEvent Started RemoteStart #0'), calls.join(', '));
    assert.equal((events[0]?.evse as { id: number }).id, 1, 'without evseId the first free EVSE');
    assert.equal(info(events[0] ?? {}).remoteStartId, 44);
    assert.deepEqual(violationsOf(id), []);
  });

  it('queues transaction events while offline and delivers them in order, marked offline, after the reconnect', async () => {
    const id = 'CS-OFFLINE';
    const station = await boot(id, { speed: 3600, meterValueSampleInterval: 1 });
    const from = csms.received.length;
    const connectionsBefore = csms.connectionsOf.get(id) ?? 0;
    assert.ok((await station.startSession(1, 'TAG-OFF')).started);
    await csms.waitFor((c) => c.stationId === id && c.action === 'TransactionEvent' && c.payload.triggerReason === 'MeterValuePeriodic', from);
    csms.refusing.add(id);
    const droppedAt = Date.now();
    csms.drop(id);
    while (station.online) await delay(10);
    await delay(2300);
    assert.ok(station.queuedTransactionEvents >= 2, `events wait in the queue: ${station.queuedTransactionEvents}`);
    assert.ok(station.activeSessions() === 1, 'the transaction goes on offline');
    const accepting = Date.now();
    csms.refusing.delete(id);
    while (!station.online) await delay(20);
    const onlineAt = Date.now();
    while (station.queuedTransactionEvents > 0) await delay(20);
    assert.equal(csms.connectionsOf.get(id), connectionsBefore + 1);
    assert.ok(await station.stopSession(1));
    await ended(id, from);

    const events = transactionEvents(csms, id, from);
    assert.deepEqual(events.map((e) => e.seqNo), events.map((_, i) => i), 'every event arrived once, in seqNo order');
    const offline = events.filter((e) => e.offline === true);
    assert.ok(offline.length >= 2, events.map(describeEvent).join(', '));
    for (const event of events) {
      const at = Date.parse(String(event.timestamp));
      if (at < droppedAt || at > onlineAt + 50) assert.equal(event.offline, undefined, `${describeEvent(event)} at ${String(event.timestamp)} was online`);
      else if (at > droppedAt + 50 && at < accepting) assert.equal(event.offline, true, `${describeEvent(event)} at ${String(event.timestamp)} was offline`);
    }
    const energies = events.filter((e) => e.triggerReason === 'MeterValuePeriodic').map((e) => energyWh(e) ?? 0);
    assert.ok(energies.every((wh, i) => i === 0 || wh > (energies[i - 1] ?? 0)), 'energy kept growing while offline');
    assert.equal(csms.calls('BootNotification', id).length, 1, 'a reconnect is not a reboot: no BootNotification (OCPP-J 2.0.1 §5.3)');
    assert.deepEqual(await send(id, 'GetTransactionStatus', {}), { messagesInQueue: false });
    assert.deepEqual(violationsOf(id), []);
  });

  it('boots again when the CSMS answers SecurityError after a reconnect (it did not keep the registration)', async () => {
    const id = 'CS-FORGET';
    const station = await boot(id);
    const from = csms.received.length;
    forgotten.add(id);
    csms.drop(id);
    const reboot = await csms.waitFor((c) => c.stationId === id && c.action === 'BootNotification', from, 5000);
    await csms.waitFor((c) => c.stationId === id && c.action === 'StatusNotification' && c.payload.evseId === 2, csms.received.indexOf(reboot), 3000);
    const calls = sequence201(csms, id, from);
    assert.equal(calls[0], 'Status 1 Available', 'first the reconnect without boot');
    assert.equal(csms.calls('BootNotification', id).at(-1)?.payload.reason, 'Unknown');
    assert.equal(station.registration, 'Accepted');
  });

  it('answers GetVariables and SetVariables from its device model', async () => {
    const id = 'CS-VARS';
    const station = await boot(id, { password: 'initial-password-0001' });
    const get = await send(id, 'GetVariables', {
      getVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        { component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' } },
        { component: { name: 'AuthCtrlr' }, variable: { name: 'AuthorizeRemoteStart' } },
        { component: { name: 'SmartChargingCtrlr' }, variable: { name: 'RateUnit' } },
        { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } },
        { component: { name: 'DeviceDataCtrlr' }, variable: { name: 'ItemsPerMessage', instance: 'GetVariables' } },
        { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' } },
        { component: { name: 'Connector', evse: { id: 2, connectorId: 1 } }, variable: { name: 'AvailabilityState' } },
        { component: { name: 'FluxCapacitor' }, variable: { name: 'Enabled' } },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'Warp' } },
        { component: { name: 'EVSE', evse: { id: 9 } }, variable: { name: 'AvailabilityState' } },
        { component: { name: 'EVSE', evse: { id: 2 } }, variable: { name: 'Power' }, attributeType: 'MaxSet' },
        { component: { name: 'ocppcommctrlr' }, variable: { name: 'heartbeatinterval' }, attributeType: 'Target' },
      ],
    });
    const results = (get.getVariableResult as { attributeStatus: string; attributeValue?: string }[]).map((r) => `${r.attributeStatus} ${r.attributeValue ?? ''}`.trim());
    assert.deepEqual(results, [
      'Accepted 300',
      'Accepted 60',
      'Accepted false',
      'Accepted A,W',
      'Rejected',
      'Accepted 50',
      'Accepted Available',
      'Accepted Available',
      'UnknownComponent',
      'UnknownVariable',
      'UnknownComponent',
      'Accepted 22000',
      'NotSupportedAttributeType',
    ]);

    const newPassword = 'a-new-password-4567';
    const from = csms.received.length;
    const set = await send(id, 'SetVariables', {
      setVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '1' },
        { component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' }, attributeValue: 'soon' },
        { component: { name: 'SmartChargingCtrlr' }, variable: { name: 'RateUnit' }, attributeValue: 'W' },
        { component: { name: 'SmartChargingCtrlr' }, variable: { name: 'RateUnit' }, attributeValue: 'kW' },
        { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' }, attributeValue: 'Unavailable' },
        { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, attributeValue: 'short' },
        { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, attributeValue: newPassword },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NetworkConfigurationPriority' }, attributeValue: '2,1' },
        { component: { name: 'TxCtrlr' }, variable: { name: 'TxStartPoint' }, attributeValue: 'PowerPathClosed' },
      ],
    });
    assert.deepEqual((set.setVariableResult as { attributeStatus: string }[]).map((r) => r.attributeStatus), [
      'Accepted',
      'Rejected',
      'Accepted',
      'Rejected',
      'Rejected',
      'Rejected',
      'Accepted',
      'Rejected',
      'Accepted',
    ]);
    await csms.waitFor((c) => c.stationId === id && c.action === 'Heartbeat', from, 2000);
    assert.equal(station.deviceModel.get('SmartChargingCtrlr.RateUnit'), 'W');

    const profile = { configurationSlot: 2, connectionData: { ocppVersion: 'OCPP20', ocppTransport: 'JSON', ocppCsmsUrl: 'wss://csms.example.com/ocpp', messageTimeout: 30, securityProfile: 1, ocppInterface: 'Wired0' } };
    assert.deepEqual(await send(id, 'SetNetworkProfile', profile), { status: 'Accepted' });
    assert.equal((await send(id, 'SetNetworkProfile', { ...profile, configurationSlot: 7 })).status, 'Rejected');
    assert.equal((await send(id, 'SetNetworkProfile', { ...profile, connectionData: { ...profile.connectionData, securityProfile: 0 } })).status, 'Rejected', 'no downgrade');
    const priority = await send(id, 'SetVariables', { setVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NetworkConfigurationPriority' }, attributeValue: '2,1' }] });
    assert.equal((priority.setVariableResult as { attributeStatus: string }[])[0]?.attributeStatus, 'RebootRequired');

    const tooMany = await csms.call(id, 'GetVariables', {
      getVariableData: Array.from({ length: 51 }, () => ({ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } })),
    });
    assert.equal(tooMany.ok ? 'ok' : tooMany.code, 'OccurrenceConstraintViolation');

    csms.drop(id);
    await csms.waitFor((c) => c.stationId === id && c.action === 'StatusNotification', csms.received.length, 5000);
    assert.equal(csms.authorization.get(id), `Basic ${Buffer.from(`${id}:${newPassword}`).toString('base64')}`, 'the new password from the next connection on');
    assert.deepEqual(violationsOf(id), []);
  });

  it('reports its device model: GetBaseReport in NotifyReport parts (seqNo, tbc), GetReport by component and criteria', async () => {
    const id = 'CS-REPORT';
    const station = await boot(id);
    let from = csms.received.length;
    assert.deepEqual(await send(id, 'GetBaseReport', { requestId: 7, reportBase: 'FullInventory' }), { status: 'Accepted' });
    await csms.waitFor((c) => c.stationId === id && c.action === 'NotifyReport' && c.payload.tbc === undefined, from);
    let reports = csms.received.slice(from).filter((c) => c.stationId === id && c.action === 'NotifyReport').map((c) => c.payload);
    assert.ok(reports.length >= 3, 'a full inventory takes several messages');
    assert.deepEqual(reports.map((r) => r.seqNo), reports.map((_, i) => i));
    assert.deepEqual(reports.map((r) => r.tbc), [...reports.slice(1).map(() => true), undefined]);
    assert.ok(reports.every((r) => r.requestId === 7 && (r.reportData as unknown[]).length <= 20));
    type Entry = { component: { name: string; evse?: { id: number } }; variable: { name: string; instance?: string }; variableAttribute: { type?: string; value?: string; mutability?: string }[] };
    const entries = reports.flatMap((r) => r.reportData as Entry[]);
    assert.equal(entries.length, [...station.deviceModel.all()].length);
    const find = (component: string, variable: string, evseId?: number): Entry | undefined =>
      entries.find((e) => e.component.name === component && e.variable.name === variable && e.component.evse?.id === evseId);
    assert.deepEqual(find('OCPPCommCtrlr', 'HeartbeatInterval')?.variableAttribute, [{ type: 'Actual', mutability: 'ReadWrite', persistent: true, constant: false, value: '300' }]);
    assert.deepEqual(find('SecurityCtrlr', 'BasicAuthPassword')?.variableAttribute, [{ type: 'Actual', mutability: 'WriteOnly', persistent: true, constant: false }], 'no value for a write-only variable');
    assert.deepEqual(find('EVSE', 'Power', 2)?.variableAttribute.map((a) => `${a.type} ${a.value}`), ['Actual 0.0', 'MaxSet 22000']);
    assert.equal(find('Connector', 'ConnectorType', 1)?.variableAttribute[0]?.value, 'cType2');

    from = csms.received.length;
    await send(id, 'GetBaseReport', { requestId: 8, reportBase: 'ConfigurationInventory' });
    await csms.waitFor((c) => c.stationId === id && c.action === 'NotifyReport' && c.payload.tbc === undefined, from);
    reports = csms.received.slice(from).filter((c) => c.stationId === id && c.action === 'NotifyReport').map((c) => c.payload);
    assert.ok(reports.flatMap((r) => r.reportData as Entry[]).every((e) => e.variableAttribute[0]?.mutability !== 'ReadOnly'));

    from = csms.received.length;
    await send(id, 'GetReport', { requestId: 9, componentVariable: [{ component: { name: 'EVSE', evse: { id: 2 } } }] });
    await csms.waitFor((c) => c.stationId === id && c.action === 'NotifyReport' && c.payload.requestId === 9, from);
    const evseReport = csms.received.slice(from).find((c) => c.action === 'NotifyReport')?.payload.reportData as Entry[];
    assert.ok(evseReport.length > 0 && evseReport.every((e) => e.component.name === 'EVSE' && e.component.evse?.id === 2));

    assert.deepEqual(await send(id, 'GetReport', { requestId: 10, componentCriteria: ['Problem'] }), { status: 'EmptyResultSet' });
    station.setFault(1, 'GroundFailure');
    from = csms.received.length;
    assert.deepEqual(await send(id, 'GetReport', { requestId: 11, componentCriteria: ['Problem'] }), { status: 'Accepted' });
    await csms.waitFor((c) => c.stationId === id && c.action === 'NotifyReport' && c.payload.requestId === 11, from);
    const problems = (csms.received.slice(from).find((c) => c.action === 'NotifyReport')?.payload.reportData as Entry[]).map((e) => `${e.component.name}${e.component.evse ? ` ${e.component.evse.id}` : ''}`);
    assert.deepEqual([...new Set(problems)], ['ChargingStation', 'Connector 1']);
    const event = csms.calls('NotifyEvent', id)[0]?.payload;
    assert.equal((event?.eventData as { techCode?: string; eventNotificationType?: string }[])[0]?.techCode, 'GroundFailure');
    station.setFault(1, undefined);
    assert.deepEqual(await send(id, 'GetReport', { requestId: 12, componentVariable: [{ component: { name: 'Nonexistent' } }] }), { status: 'EmptyResultSet' });
    assert.deepEqual(violationsOf(id), []);
  });

  it('limits the EV with charging profiles: TxProfile, station maximum, composite schedule, GetChargingProfiles, clear', async () => {
    const id = 'CS-SMART';
    const station = await boot(id, { speed: 3600 });
    const result = await station.startSession(1, 'TAG-SMART');
    assert.ok(result.started);
    assert.equal(await evsePowerW(id, 1), 11_000, 'the EV takes its 11 kW');
    const txProfile = (transactionId: string, limitA: number): Payload => ({
      id: 10,
      stackLevel: 1,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Relative',
      transactionId,
      chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: limitA }] }],
    });
    const wrong = await send(id, 'SetChargingProfile', { evseId: 1, chargingProfile: txProfile('some-other-transaction', 6) });
    assert.deepEqual(wrong, { status: 'Rejected', statusInfo: { reasonCode: 'TxNotFound' } });
    let from = csms.received.length;
    assert.deepEqual(await send(id, 'SetChargingProfile', { evseId: 1, chargingProfile: txProfile(result.transactionId, 6) }), { status: 'Accepted' });
    assert.equal(await evsePowerW(id, 1), 4140, '6 A x 230 V x 3 phases');
    await csms.waitFor((c) => c.stationId === id && c.action === 'TransactionEvent' && c.payload.triggerReason === 'ChargingRateChanged', from);

    const max: Payload = {
      id: 20,
      stackLevel: 0,
      chargingProfilePurpose: 'ChargingStationMaxProfile',
      chargingProfileKind: 'Absolute',
      chargingSchedule: [{ id: 2, startSchedule: new Date(Date.now() - 60_000).toISOString(), chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 3000 }] }],
    };
    assert.equal((await send(id, 'SetChargingProfile', { evseId: 1, chargingProfile: max })).status, 'Rejected', 'a station maximum belongs to EVSE 0');
    assert.equal((await send(id, 'SetChargingProfile', { evseId: 0, chargingProfile: max })).status, 'Accepted');
    assert.equal(await evsePowerW(id, 1), 3000);
    const composite = await send(id, 'GetCompositeSchedule', { evseId: 1, duration: 600, chargingRateUnit: 'W' });
    assert.equal(composite.status, 'Accepted');
    const schedule = composite.schedule as { evseId: number; duration: number; chargingRateUnit: string; chargingSchedulePeriod: { startPeriod: number; limit: number }[] };
    assert.deepEqual([schedule.evseId, schedule.duration, schedule.chargingRateUnit, schedule.chargingSchedulePeriod[0]], [1, 600, 'W', { startPeriod: 0, limit: 3000 }]);
    assert.equal((await send(id, 'GetCompositeSchedule', { evseId: 5, duration: 60 })).status, 'Rejected');

    from = csms.received.length;
    assert.deepEqual(await send(id, 'GetChargingProfiles', { requestId: 3, chargingProfile: {} }), { status: 'Accepted' });
    await csms.waitFor((c) => c.stationId === id && c.action === 'ReportChargingProfiles' && c.payload.tbc === undefined, from);
    const reports = csms.received.slice(from).filter((c) => c.action === 'ReportChargingProfiles' && c.stationId === id).map((c) => c.payload);
    assert.deepEqual(reports.map((r) => [r.evseId, (r.chargingProfile as { id: number }[]).map((p) => p.id)]).sort(), [[0, [20]], [1, [10]]], 'one message per EVSE');
    assert.deepEqual(reports.map((r) => r.tbc), [true, undefined], 'tbc on all but the last');
    assert.deepEqual(await send(id, 'GetChargingProfiles', { requestId: 4, chargingProfile: { chargingLimitSource: ['EMS'] } }), { status: 'NoProfiles' });

    assert.deepEqual(await send(id, 'ClearChargingProfile', { chargingProfileId: 20 }), { status: 'Accepted' });
    assert.equal(await evsePowerW(id, 1), 4140);
    assert.deepEqual(await send(id, 'ClearChargingProfile', { chargingProfileCriteria: { chargingProfilePurpose: 'TxProfile' } }), { status: 'Accepted' });
    assert.equal(await evsePowerW(id, 1), 11_000);
    assert.deepEqual(await send(id, 'ClearChargingProfile', { chargingProfileId: 20 }), { status: 'Unknown' });

    from = csms.received.length;
    await send(id, 'SetChargingProfile', { evseId: 1, chargingProfile: { ...txProfile(result.transactionId, 0), id: 11 } });
    const suspended = await csms.waitFor((c) => c.stationId === id && c.action === 'TransactionEvent' && c.payload.triggerReason === 'ChargingStateChanged', from);
    assert.equal(info(suspended.payload).chargingState, 'SuspendedEVSE', 'a zero limit suspends the EVSE');

    const remote = await send(id, 'RequestStartTransaction', { evseId: 2, remoteStartId: 5, idToken: { idToken: 'R', type: 'Central' }, chargingProfile: { ...txProfile('', 10), transactionId: undefined, id: 12 } });
    assert.equal(remote.status, 'Accepted');
    await delay(100);
    assert.equal(await evsePowerW(id, 2), 6900, 'the TxProfile of the remote start limits that transaction');

    await send(id, 'SetVariables', { setVariableData: [{ component: { name: 'SmartChargingCtrlr' }, variable: { name: 'RateUnit' }, attributeValue: 'W' }] });
    const amps = await send(id, 'SetChargingProfile', { evseId: 1, chargingProfile: { ...txProfile(result.transactionId, 8), id: 13, stackLevel: 2 } });
    assert.deepEqual(amps, { status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRateUnit' } });
    assert.deepEqual(violationsOf(id), []);
  });

  it('sends what TriggerMessage asks for after the answer', async () => {
    const id = 'CS-TRIGGER';
    const station = await boot(id, { speed: 3600 });
    const trigger = async (requestedMessage: string, evse?: Payload): Promise<string> =>
      String((await send(id, 'TriggerMessage', evse ? { requestedMessage, evse } : { requestedMessage })).status);
    let from = csms.received.length;
    assert.equal(await trigger('StatusNotification', { id: 2, connectorId: 1 }), 'Accepted');
    assert.equal(await trigger('MeterValues', { id: 1 }), 'Accepted');
    assert.equal(await trigger('Heartbeat'), 'Accepted');
    assert.equal(await trigger('FirmwareStatusNotification'), 'Accepted');
    assert.equal(await trigger('LogStatusNotification'), 'Accepted');
    assert.equal(await trigger('SignChargingStationCertificate'), 'Accepted');
    await csms.waitFor((c) => c.stationId === id && c.action === 'SignCertificate', from);
    assert.deepEqual(sequence201(csms, id, from), ['Status 2 Available', 'MeterValues', 'Heartbeat', 'FirmwareStatusNotification', 'LogStatusNotification', 'SignCertificate']);
    const meter = csms.calls('MeterValues', id)[0]?.payload ?? {};
    assert.equal(meter.evseId, 1);
    assert.deepEqual(sampled(meter).map((s) => `${s.measurand} ${s.context}`), ['Energy.Active.Import.Register Trigger']);
    assert.deepEqual(csms.calls('FirmwareStatusNotification', id)[0]?.payload, { status: 'Idle' });
    assert.equal(csms.calls('SignCertificate', id)[0]?.payload.certificateType, 'ChargingStationCertificate');

    assert.equal(await trigger('TransactionEvent'), 'Rejected', 'no transaction to report');
    assert.equal(await trigger('BootNotification'), 'Rejected', 'already Accepted (F06.FR.17)');
    assert.equal(await trigger('StatusNotification', { id: 7 }), 'Rejected');
    assert.equal(await trigger('SignCombinedCertificate'), 'NotImplemented');
    await station.startSession(2, 'TAG-T');
    from = csms.received.length;
    assert.equal(await trigger('TransactionEvent', { id: 2 }), 'Accepted');
    const event = await csms.waitFor((c) => c.stationId === id && c.action === 'TransactionEvent' && c.payload.triggerReason === 'Trigger', from);
    assert.equal(event.payload.triggerReason, 'Trigger');
    assert.equal(sampled(event.payload)[0]?.context, 'Trigger');
    assert.deepEqual(violationsOf(id), []);
  });

  it('resets: OnIdle waits for the transaction, Immediate ends it (ResetCommand, ImmediateReset); both reboot with RemoteReset', async () => {
    const id = 'CS-RESET';
    const station = await boot(id, { speed: 3600 });
    assert.ok((await station.startSession(1, 'TAG-R')).started);
    let from = csms.received.length;
    assert.deepEqual(await send(id, 'Reset', { type: 'OnIdle' }), { status: 'Scheduled' });
    await delay(100);
    assert.deepEqual(csms.calls('BootNotification', id).length, 1, 'no reboot while the transaction runs');
    await station.stopSession(1);
    const reboot = await csms.waitFor((c) => c.stationId === id && c.action === 'BootNotification', from, 5000);
    assert.equal(reboot.payload.reason, 'RemoteReset');
    await csms.waitFor((c) => c.stationId === id && c.action === 'SecurityEventNotification' && c.payload.type === 'ResetOrReboot', from);

    await csms.waitFor((c) => c.stationId === id && c.action === 'StatusNotification' && c.payload.evseId === 2, csms.received.indexOf(reboot));
    assert.ok((await station.startSession(2, 'TAG-R2')).started);
    from = csms.received.length;
    assert.deepEqual(await send(id, 'Reset', { type: 'Immediate' }), { status: 'Accepted' });
    const second = await csms.waitFor((c) => c.stationId === id && c.action === 'BootNotification', from, 5000);
    assert.equal(second.payload.reason, 'RemoteReset');
    const end = transactionEvents(csms, id, from).find((e) => e.eventType === 'Ended') ?? {};
    assert.deepEqual([end.eventType, end.triggerReason, info(end).stoppedReason], ['Ended', 'ResetCommand', 'ImmediateReset']);

    await csms.waitFor((c) => c.stationId === id && c.action === 'StatusNotification' && c.payload.evseId === 2, csms.received.indexOf(second));
    from = csms.received.length;
    assert.deepEqual(await send(id, 'Reset', { type: 'Immediate', evseId: 2 }), { status: 'Accepted' });
    await csms.waitFor((c) => c.stationId === id && c.action === 'StatusNotification' && c.payload.connectorStatus === 'Available', from);
    const calls = sequence201(csms, id, from);
    assert.deepEqual(calls.filter((c) => c.startsWith('Status')), ['Status 2 Unavailable', 'Status 2 Available']);
    assert.ok(!calls.includes('BootNotification'), 'an EVSE reset, no reboot');
    assert.equal((await send(id, 'Reset', { type: 'Immediate', evseId: 3 })).status, 'Rejected');
    assert.deepEqual(violationsOf(id), []);
  });

  it('sends clock-aligned meter data: MeterValues for an idle EVSE, TransactionEvent MeterValueClock during a transaction', async () => {
    const id = 'CS-ALIGNED';
    const station = await boot(id, { speed: 3600, variables: { 'SampledDataCtrlr.TxUpdatedInterval': '0' } });
    assert.ok((await station.startSession(1, 'TAG-A')).started);
    const from = csms.received.length;
    await send(id, 'SetVariables', { setVariableData: [{ component: { name: 'AlignedDataCtrlr' }, variable: { name: 'Interval' }, attributeValue: '1' }] });
    const meter = await csms.waitFor((c) => c.stationId === id && c.action === 'MeterValues', from, 2500);
    const clock = await csms.waitFor((c) => c.stationId === id && c.action === 'TransactionEvent' && c.payload.triggerReason === 'MeterValueClock', from, 2500);
    assert.equal(meter.payload.evseId, 2);
    const values = meter.payload.meterValue as { timestamp: string; sampledValue: { context: string }[] }[];
    assert.equal(values[0]?.sampledValue[0]?.context, 'Sample.Clock');
    assert.equal(Date.parse(values[0]?.timestamp ?? '') % 1000, 0, `stamped with the aligned second itself: ${values[0]?.timestamp}`);
    assert.equal(sampled(clock.payload)[0]?.context, 'Sample.Clock');
    assert.deepEqual(violationsOf(id), []);
  });

  it('runs variable monitors: a threshold on EVSE power and a delta on a setting raise NotifyEvent; monitoring report; clear', async () => {
    const id = 'CS-MONITOR';
    const station = await boot(id, { speed: 3600 });
    const set = await send(id, 'SetVariableMonitoring', {
      setMonitoringData: [
        { value: 5000, type: 'UpperThreshold', severity: 5, component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' } },
        { value: 0, type: 'Delta', severity: 8, component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        { value: 1, type: 'UpperThreshold', severity: 5, component: { name: 'Connector', evse: { id: 1, connectorId: 1 } }, variable: { name: 'ConnectorType' } },
        { value: 1, type: 'Delta', severity: 5, component: { name: 'Nowhere' }, variable: { name: 'Power' } },
      ],
    });
    const results = set.setMonitoringResult as { status: string; id?: number }[];
    assert.deepEqual(results.map((r) => r.status), ['Accepted', 'Accepted', 'UnsupportedMonitorType', 'UnknownComponent']);
    const [threshold, delta] = results;
    let from = csms.received.length;
    assert.ok((await station.startSession(1, 'TAG-M')).started);
    const alert = await csms.waitFor((c) => c.stationId === id && c.action === 'NotifyEvent', from);
    const [data] = alert.payload.eventData as Payload[];
    assert.deepEqual([data?.trigger, data?.actualValue, data?.variableMonitoringId, data?.eventNotificationType, data?.cleared], ['Alerting', '11000.0', threshold?.id, 'CustomMonitor', undefined]);
    from = csms.received.length;
    await send(id, 'SetVariables', { setVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '600' }] });
    const changed = await csms.waitFor((c) => c.stationId === id && c.action === 'NotifyEvent', from);
    assert.deepEqual((changed.payload.eventData as Payload[]).map((d) => [d.trigger, d.actualValue, d.variableMonitoringId]), [['Delta', '600', delta?.id]]);
    from = csms.received.length;
    await station.stopSession(1);
    const cleared = await csms.waitFor((c) => c.stationId === id && c.action === 'NotifyEvent', from);
    assert.equal((cleared.payload.eventData as Payload[])[0]?.cleared, true);

    from = csms.received.length;
    assert.deepEqual(await send(id, 'GetMonitoringReport', { requestId: 4, monitoringCriteria: ['ThresholdMonitoring'] }), { status: 'Accepted' });
    const report = await csms.waitFor((c) => c.stationId === id && c.action === 'NotifyMonitoringReport', from);
    assert.deepEqual((report.payload.monitor as { variableMonitoring: { id: number }[] }[]).flatMap((m) => m.variableMonitoring.map((v) => v.id)), [threshold?.id]);
    assert.deepEqual(await send(id, 'ClearVariableMonitoring', { id: [threshold?.id ?? 0, 999] }), {
      clearMonitoringResult: [{ status: 'Accepted', id: threshold?.id }, { status: 'NotFound', id: 999 }],
    });
    assert.deepEqual(await send(id, 'SetMonitoringBase', { monitoringBase: 'FactoryDefault' }), { status: 'Accepted' });
    assert.deepEqual(await send(id, 'GetMonitoringReport', { requestId: 5 }), { status: 'EmptyResultSet' }, 'FactoryDefault removed the custom monitors');
    assert.deepEqual(await send(id, 'SetMonitoringLevel', { severity: 4 }), { status: 'Accepted' });
    assert.equal(station.deviceModel.get('MonitoringCtrlr.ActiveMonitoringLevel'), '4');
    assert.deepEqual(violationsOf(id), []);
  });

  it('reserves an EVSE: Reserved after the answer, only the idToken may use it (reservationId in Started), expiry reported', async () => {
    const id = 'CS-RESERVE';
    const station = await boot(id, { speed: 3600 });
    let from = csms.received.length;
    const reserve = { id: 3, expiryDateTime: new Date(Date.now() + 3_600_000).toISOString(), idToken: { idToken: 'RES-1', type: 'ISO14443' }, evseId: 2 };
    assert.deepEqual(await send(id, 'ReserveNow', reserve), { status: 'Accepted' });
    await csms.waitFor((c) => c.stationId === id && c.action === 'StatusNotification', from);
    assert.deepEqual(sequence201(csms, id, from), ['Status 2 Reserved']);
    assert.deepEqual(await station.startSession(2, 'SOMEONE-ELSE'), { started: false, reason: 'EVSE reserved' });
    assert.equal((await send(id, 'ReserveNow', { ...reserve, id: 4 })).status, 'Occupied');
    from = csms.received.length;
    assert.ok((await station.startSession(2, 'RES-1')).started);
    assert.equal(transactionEvents(csms, id, from)[0]?.reservationId, 3);

    from = csms.received.length;
    assert.deepEqual(await send(id, 'ReserveNow', { ...reserve, id: 5, evseId: 1, expiryDateTime: new Date(Date.now() + 300).toISOString() }), { status: 'Accepted' });
    const expired = await csms.waitFor((c) => c.stationId === id && c.action === 'ReservationStatusUpdate', from);
    assert.deepEqual(expired.payload, { reservationId: 5, reservationUpdateStatus: 'Expired' });
    await csms.waitFor((c) => c.stationId === id && c.action === 'StatusNotification' && c.payload.connectorStatus === 'Available', from);
    assert.deepEqual(sequence201(csms, id, from).filter((s) => !s.startsWith('TransactionEvent')), ['Status 1 Reserved', 'ReservationStatusUpdate', 'Status 1 Available']);
    assert.equal((await send(id, 'CancelReservation', { reservationId: 77 })).status, 'Rejected');
    assert.deepEqual(violationsOf(id), []);
  });

  it('updates firmware through every status, reboots with FirmwareUpdate and reports Installed; uploads a log', async () => {
    const id = 'CS-FIRMWARE';
    const station = await boot(id, { firmwareVersion: '1.0.0' });
    const from = csms.received.length;
    const update = { requestId: 9, firmware: { location: 'https://example.com/firmware/fw-2.1.0.bin', retrieveDateTime: new Date().toISOString(), signature: 'c2lnbmF0dXJl' } };
    assert.deepEqual(await send(id, 'UpdateFirmware', update), { status: 'Accepted' });
    await csms.waitFor((c) => c.stationId === id && c.action === 'SecurityEventNotification' && c.payload.type === 'FirmwareUpdated', from, 5000);
    const steps = csms.calls('FirmwareStatusNotification', id).map((c) => `${String(c.payload.status)} ${String(c.payload.requestId)}`);
    assert.deepEqual(steps, ['Downloading 9', 'Downloaded 9', 'SignatureVerified 9', 'Installing 9', 'InstallRebooting 9', 'Installed 9']);
    const reboot = csms.received.slice(from).find((c) => c.stationId === id && c.action === 'BootNotification');
    assert.equal(reboot?.payload.reason, 'FirmwareUpdate');
    assert.equal((reboot?.payload.chargingStation as { firmwareVersion?: string }).firmwareVersion, '2.1.0');
    assert.equal(station.firmwareVersion, '2.1.0');

    const log = await send(id, 'GetLog', { logType: 'DiagnosticsLog', requestId: 21, log: { remoteLocation: 'https://example.com/logs' } });
    assert.equal(log.status, 'Accepted');
    assert.match(String(log.filename), /^DiagnosticsLog-CS-FIRMWARE-\d{8}T\d{6}Z\.log$/);
    await csms.waitFor((c) => c.stationId === id && c.action === 'LogStatusNotification' && c.payload.status === 'Uploaded', from);
    assert.deepEqual(csms.calls('LogStatusNotification', id).map((c) => c.payload), [{ status: 'Uploading', requestId: 21 }, { status: 'Uploaded', requestId: 21 }]);
    assert.deepEqual(violationsOf(id), []);
  });

  it('ends the transaction when the idToken is refused: by Authorize (Deauthorized) or in the TransactionEvent answer', async () => {
    const id = 'CS-DEAUTH';
    const station = await boot(id, { speed: 3600 });
    let from = csms.received.length;
    assert.deepEqual(await station.startSession(1, 'BLOCKED'), { started: false, reason: 'Authorize: Blocked' });
    let events = transactionEvents(csms, id, from);
    assert.deepEqual(events.map(describeEvent), ['Started CablePluggedIn #0', 'Ended Deauthorized #1']);
    assert.equal(info(events[1] ?? {}).stoppedReason, 'DeAuthorized');
    await csms.waitFor((c) => c.stationId === id && c.action === 'StatusNotification' && c.payload.connectorStatus === 'Available', from);

    from = csms.received.length;
    await station.startSession(2, 'INVALID-LATER');
    await ended(id, from);
    await csms.waitFor((c) => c.stationId === id && c.action === 'StatusNotification' && c.payload.connectorStatus === 'Available', from);
    events = transactionEvents(csms, id, from);
    assert.equal(describeEvent(events.at(-1) ?? {}), `Ended Deauthorized #${events.length - 1}`);
    assert.equal(station.evse(2)?.transaction, undefined);
    assert.deepEqual(violationsOf(id), []);
  });
});
