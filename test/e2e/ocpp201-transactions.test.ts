import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bootedStrictStation, transactionEvent, type StrictStation } from './support/ocpp2-station.ts';
import { eventually, startTestServer, type TestServer } from './support/test-server.ts';

const T0 = '2026-11-21T08:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();
const TAG = { idToken: 'TAG-E', type: 'ISO14443' };
const register = (value: number, context = 'Sample.Periodic') => ({ value, context, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } });

/** The fields a 1.6 session's transaction has in the API (ocpp16-station-messages.test.ts). */
const SHARED_FIELDS = ['id', 'stationId', 'evseId', 'connectorId', 'idToken', 'startedAt', 'stoppedAt', 'meterStartWh', 'meterStopWh', 'energyWh', 'stopReason'];

describe('OCPP 2.0.1 block E (transactions) and J (meter values), with a strict ocpp-rpc station', () => {
  let server: TestServer;
  let st: StrictStation;
  const txByStationId = async (stationTxId: string, stationId = 'CS201-TX') => {
    const { body } = await server.api('GET', `/api/v1/transactions?stationId=${stationId}&limit=100`);
    const matching = body.filter((t: any) => t.stationTxId === stationTxId);
    assert.ok(matching.length <= 1, `one record for ${stationTxId}, got ${matching.length}`);
    return matching[0];
  };
  const meterValues = async (id: string) => (await server.api('GET', `/api/v1/transactions/${id}/meter-values`)).body as any[];

  before(async () => {
    server = await startTestServer();
    await server.api('PUT', '/api/v1/id-tokens/TAG-E', { status: 'Accepted', groupId: 'FLEET-E' });
    st = await bootedStrictStation(server, 'CS201-TX');
    // Topology: EVSE 1 and 2 have one connector each, EVSE 3 has two.
    for (const [evseId, connectorId] of [[1, 1], [2, 1], [3, 1], [3, 2]]) {
      await st.call('StatusNotification', { timestamp: at(-60), connectorStatus: 'Available', evseId, connectorId });
    }
  });
  after(async () => {
    await st?.close();
    await server.stop();
  });

  it('E01/E02/E06 a full transaction (Started with Transaction.Begin, Updated with periodic values, Ended with Transaction.End) has the 1.6 API shape', async () => {
    const started = await st.call('TransactionEvent', transactionEvent({
      eventType: 'Started', transactionId: 'tx-full', seqNo: 0, timestamp: at(0), evse: { id: 1, connectorId: 1 }, idToken: TAG,
      chargingState: 'EVConnected', meter: [register(1000, 'Transaction.Begin')],
    }));
    assert.deepEqual(started, { idTokenInfo: { status: 'Accepted', groupIdToken: { idToken: 'FLEET-E', type: 'Central' } } });
    assert.equal((await st.call('Authorize', { idToken: TAG })).idTokenInfo.status, 'ConcurrentTx', 'the token now has a transaction');

    assert.deepEqual(await st.call('TransactionEvent', transactionEvent({
      eventType: 'Updated', transactionId: 'tx-full', seqNo: 1, timestamp: at(60), chargingState: 'Charging', triggerReason: 'ChargingStateChanged',
      meter: [
        register(1500),
        { value: 7200, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } },
        { value: 10.5, measurand: 'Current.Import', phase: 'L1', unitOfMeasure: { unit: 'A' } },
        { value: 55, measurand: 'SoC', location: 'EV', unitOfMeasure: { unit: 'Percent' } },
      ],
    })), {});
    const during = await txByStationId('tx-full');
    assert.equal(during.stoppedAt, null);
    assert.equal(during.lastMeterWh, 1500);
    assert.equal(during.chargingState, 'Charging');
    await st.call('TransactionEvent', transactionEvent({ eventType: 'Updated', transactionId: 'tx-full', seqNo: 2, timestamp: at(90), chargingState: 'SuspendedEV', triggerReason: 'ChargingStateChanged' }));

    const ended = await st.call('TransactionEvent', transactionEvent({
      eventType: 'Ended', transactionId: 'tx-full', seqNo: 3, timestamp: at(120), triggerReason: 'EVDeparted', stoppedReason: 'EVDisconnected',
      chargingState: 'Idle', meter: [register(3500, 'Transaction.End')],
    }));
    assert.deepEqual(ended, {});

    const tx = await txByStationId('tx-full');
    for (const field of SHARED_FIELDS) assert.ok(field in tx, `${field} in the API record`);
    assert.match(tx.id, /^\d+$/, "Joule's own decimal id");
    assert.equal(tx.stationTxId, 'tx-full');
    assert.equal(tx.stationId, 'CS201-TX');
    assert.equal(tx.evseId, 1);
    assert.equal(tx.connectorId, 1);
    assert.equal(tx.idToken, 'TAG-E');
    assert.equal(tx.startedAt, at(0));
    assert.equal(tx.stoppedAt, at(120));
    assert.equal(tx.meterStartWh, 1000);
    assert.equal(tx.meterStopWh, 3500);
    assert.equal(tx.energyWh, 2500);
    assert.equal(tx.stopReason, 'EVDisconnected');
    assert.equal(tx.chargingState, 'Idle');
    assert.equal(tx.lastSeqNo, 3);
    assert.deepEqual(tx.flags, []);
    assert.deepEqual((await server.api('GET', `/api/v1/transactions/${tx.id}`)).body, tx);

    const mv = await meterValues(tx.id);
    assert.equal(mv.length, 6, 'Begin + 4 periodic + End');
    const begin = mv.find((v) => v.context === 'Transaction.Begin');
    assert.equal(begin.numericValue, 1000);
    assert.equal(begin.unit, 'Wh');
    assert.equal(begin.location, 'Outlet', '2.x default location applied');
    const current = mv.find((v) => v.measurand === 'Current.Import');
    assert.equal(current.phase, 'L1');
    assert.equal(current.numericValue, 10.5);
    assert.equal(mv.find((v) => v.measurand === 'SoC').location, 'EV');
    const events = await server.domain.transactions.events(tx.id);
    assert.deepEqual(events.map((e: any) => [e.seqNo, e.eventType]), [[0, 'Started'], [1, 'Updated'], [2, 'Updated'], [3, 'Ended']]);
    assert.equal((await st.call('Authorize', { idToken: TAG })).idTokenInfo.status, 'Accepted', 'free again after the end');
    assert.deepEqual(st.failures, []);
  });

  it('E07 a replayed TransactionEvent (same transaction and seqNo) is answered the same and counted once', async () => {
    const published: { type: string; transactionId: unknown }[] = [];
    const unsubscribe = server.domain.bus.subscribe((e) => {
      if (e.type.startsWith('transaction.')) published.push({ type: e.type, transactionId: (e.data as { transactionId?: unknown }).transactionId });
    });
    const startedEvent = transactionEvent({ eventType: 'Started', transactionId: 'tx-replay', seqNo: 0, timestamp: at(200), evse: { id: 1, connectorId: 1 }, idToken: TAG, meter: [register(2000, 'Transaction.Begin')] });
    const first = await st.call('TransactionEvent', startedEvent);
    assert.deepEqual(await st.call('TransactionEvent', startedEvent), first);
    const updated = transactionEvent({ eventType: 'Updated', transactionId: 'tx-replay', seqNo: 1, timestamp: at(260), offline: true, meter: [register(2600), { value: 11000, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } }] });
    for (let i = 0; i < 3; i++) assert.deepEqual(await st.call('TransactionEvent', updated), {});
    const tx = await txByStationId('tx-replay');
    assert.equal((await meterValues(tx.id)).length, 3, 'Begin + 2 values of the Updated, once');
    assert.equal(tx.lastMeterWh, 2600);

    const endedEvent = transactionEvent({ eventType: 'Ended', transactionId: 'tx-replay', seqNo: 2, timestamp: at(320), stoppedReason: 'Local', meter: [register(3000, 'Transaction.End')] });
    await st.call('TransactionEvent', endedEvent);
    await st.call('TransactionEvent', endedEvent);
    const ended = await txByStationId('tx-replay');
    assert.equal(ended.stoppedAt, at(320));
    assert.equal(ended.energyWh, 1000);
    assert.equal((await meterValues(tx.id)).length, 4);
    const events = await server.domain.transactions.events(tx.id);
    assert.deepEqual(events.map((e: any) => e.seqNo), [0, 1, 2], 'each event kept once');
    unsubscribe();
    const types = published.filter((e) => e.transactionId === tx.id).map((e) => e.type);
    assert.deepEqual(types.filter((t) => t !== 'transaction.updated'), ['transaction.started', 'transaction.ended'], 'started and ended published once each');
    assert.equal(types.filter((t) => t === 'transaction.updated').length, 1, 'one update: the replays publish nothing');
    assert.deepEqual(st.failures, []);
  });

  it('E07/E12 quirk 20 events out of order (offline queue) are ordered by seqNo, and an Ended transaction is never resurrected', async () => {
    // Updated (seqNo 2) arrives first, from the offline queue: the record is created and flagged.
    await st.call('TransactionEvent', transactionEvent({
      eventType: 'Updated', transactionId: 'tx-ooo', seqNo: 2, timestamp: at(460), offline: true, evse: { id: 1, connectorId: 1 },
      chargingState: 'SuspendedEV', meter: [register(5400)],
    }));
    let tx = await txByStationId('tx-ooo');
    assert.deepEqual(tx.flags, ['missing-started']);
    assert.equal(tx.meterStartWh, null);
    assert.equal(tx.stoppedAt, null);

    // The Started (seqNo 0) fills in the start; its older chargingState does not overwrite the newer one.
    const started = await st.call('TransactionEvent', transactionEvent({
      eventType: 'Started', transactionId: 'tx-ooo', seqNo: 0, timestamp: at(400), offline: true, evse: { id: 1, connectorId: 1 }, idToken: TAG,
      chargingState: 'Charging', meter: [register(5000, 'Transaction.Begin')],
    }));
    assert.equal(started.idTokenInfo.status, 'Accepted');
    await st.call('TransactionEvent', transactionEvent({ eventType: 'Updated', transactionId: 'tx-ooo', seqNo: 1, timestamp: at(430), offline: true, chargingState: 'Charging' }));
    tx = await txByStationId('tx-ooo');
    assert.equal(tx.startedAt, at(400));
    assert.equal(tx.meterStartWh, 5000);
    assert.equal(tx.idToken, 'TAG-E');
    assert.equal(tx.chargingState, 'SuspendedEV', 'seqNo 2 is newer than 0 and 1');
    assert.equal(tx.lastSeqNo, 2);

    await st.call('TransactionEvent', transactionEvent({
      eventType: 'Ended', transactionId: 'tx-ooo', seqNo: 4, timestamp: at(520), stoppedReason: 'EVDisconnected', chargingState: 'Idle', meter: [register(6000, 'Transaction.End')],
    }));
    // A late Updated (seqNo 3) after the Ended: kept in the log, but the transaction stays ended as it was.
    assert.deepEqual(await st.call('TransactionEvent', transactionEvent({
      eventType: 'Updated', transactionId: 'tx-ooo', seqNo: 3, timestamp: at(490), offline: true, chargingState: 'Charging', meter: [register(5800)],
    })), {});
    tx = await txByStationId('tx-ooo');
    assert.equal(tx.stoppedAt, at(520));
    assert.equal(tx.meterStopWh, 6000);
    assert.equal(tx.energyWh, 1000);
    assert.equal(tx.stopReason, 'EVDisconnected');
    assert.equal(tx.chargingState, 'Idle');
    assert.equal(tx.lastSeqNo, 4);
    const active = (await server.api('GET', '/api/v1/transactions?stationId=CS201-TX&active=true')).body;
    assert.ok(!active.some((t: any) => t.stationTxId === 'tx-ooo'), 'not active again');
    const events = await server.domain.transactions.events(tx.id);
    assert.deepEqual(events.map((e: any) => e.seqNo).sort(), [0, 1, 2, 3, 4], 'every event is kept in the log');
    assert.deepEqual(st.failures, []);
  });

  it('E12/quirk 20 an Ended that arrives before its Started: the late Started fills in the start and the energy', async () => {
    await st.call('TransactionEvent', transactionEvent({
      eventType: 'Ended', transactionId: 'tx-ended-first', seqNo: 1, timestamp: at(720), offline: true, evse: { id: 2, connectorId: 1 },
      stoppedReason: 'Local', meter: [register(8000, 'Transaction.End')],
    }));
    let tx = await txByStationId('tx-ended-first');
    assert.equal(tx.stoppedAt, at(720));
    assert.equal(tx.energyWh, null, 'no start yet');
    await st.call('TransactionEvent', transactionEvent({
      eventType: 'Started', transactionId: 'tx-ended-first', seqNo: 0, timestamp: at(600), offline: true, evse: { id: 2, connectorId: 1 }, idToken: TAG,
      meter: [register(7000, 'Transaction.Begin')],
    }));
    tx = await txByStationId('tx-ended-first');
    assert.equal(tx.startedAt, at(600));
    assert.equal(tx.stoppedAt, at(720), 'still ended');
    assert.equal(tx.meterStartWh, 7000);
    assert.equal(tx.energyWh, 1000);
    assert.equal(tx.idToken, 'TAG-E');
    assert.deepEqual(st.failures, []);
  });

  it('quirk 21 TransactionEvent without evse.connectorId: the connector of a one-connector EVSE; left open on a two-connector EVSE until named', async () => {
    await st.call('TransactionEvent', transactionEvent({ eventType: 'Started', transactionId: 'tx-evse2', seqNo: 0, timestamp: at(800), evse: { id: 2 }, meter: [register(100, 'Transaction.Begin')] }));
    const single = await txByStationId('tx-evse2');
    assert.equal(single.evseId, 2);
    assert.equal(single.connectorId, 1, 'EVSE 2 has exactly one connector');

    await st.call('TransactionEvent', transactionEvent({ eventType: 'Started', transactionId: 'tx-evse3', seqNo: 0, timestamp: at(800), evse: { id: 3 }, meter: [register(200, 'Transaction.Begin')] }));
    const ambiguous = await txByStationId('tx-evse3');
    assert.equal(ambiguous.evseId, 3);
    assert.equal(ambiguous.connectorId, 0, 'EVSE 3 has two connectors: not guessed');
    await st.call('TransactionEvent', transactionEvent({ eventType: 'Updated', transactionId: 'tx-evse3', seqNo: 1, timestamp: at(830), evse: { id: 3, connectorId: 2 }, triggerReason: 'CablePluggedIn' }));
    assert.equal((await txByStationId('tx-evse3')).connectorId, 2, 'a later event that names the connector fills it in');

    for (const id of ['tx-evse2', 'tx-evse3']) {
      await st.call('TransactionEvent', transactionEvent({ eventType: 'Ended', transactionId: id, seqNo: 5, timestamp: at(900), stoppedReason: 'Local' }));
    }
    assert.deepEqual(st.failures, []);
  });

  it('J02 meter values with unitOfMeasure kWh and a multiplier are stored in the named unit; the energy is in Wh', async () => {
    await st.call('TransactionEvent', transactionEvent({
      eventType: 'Started', transactionId: 'tx-units', seqNo: 0, timestamp: at(1000), evse: { id: 1, connectorId: 1 },
      meter: [{ value: 12.5, context: 'Transaction.Begin', unitOfMeasure: { unit: 'kWh' } }],
    }));
    await st.call('TransactionEvent', transactionEvent({
      eventType: 'Updated', transactionId: 'tx-units', seqNo: 1, timestamp: at(1060),
      meter: [
        { value: 13, unitOfMeasure: { unit: 'kWh', multiplier: 0 } },
        { value: 7.2, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W', multiplier: 3 } },
      ],
    }));
    const during = await txByStationId('tx-units');
    assert.equal(during.meterStartWh, 12500);
    assert.equal(during.lastMeterWh, 13000);
    await st.call('TransactionEvent', transactionEvent({
      eventType: 'Ended', transactionId: 'tx-units', seqNo: 2, timestamp: at(1120), stoppedReason: 'Local',
      meter: [{ value: 14.25, context: 'Transaction.End', unitOfMeasure: { unit: 'Wh', multiplier: 3 } }],
    }));
    const tx = await txByStationId('tx-units');
    assert.equal(tx.meterStopWh, 14250);
    assert.equal(tx.energyWh, 1750);
    const mv = await meterValues(tx.id);
    const begin = mv.find((v) => v.context === 'Transaction.Begin');
    assert.equal(begin.measurand, 'Energy.Active.Import.Register', '2.x default measurand applied');
    assert.equal(begin.unit, 'kWh');
    assert.equal(begin.numericValue, 12.5);
    const power = mv.find((v) => v.measurand === 'Power.Active.Import');
    assert.equal(power.unit, 'W');
    assert.equal(power.numericValue, 7200, 'value x 10^multiplier');
    const end = mv.find((v) => v.context === 'Transaction.End');
    assert.equal(end.numericValue, 14250);
    assert.deepEqual(st.failures, []);
  });

  it('quirk 16 a meterStart of 0 followed by a lifetime register is flagged meter-start-zero-suspect and its energy left unknown', async () => {
    await st.call('TransactionEvent', transactionEvent({ eventType: 'Started', transactionId: 'tx-zero', seqNo: 0, timestamp: at(1200), offline: true, evse: { id: 2, connectorId: 1 }, meter: [register(0, 'Transaction.Begin')] }));
    await st.call('TransactionEvent', transactionEvent({ eventType: 'Ended', transactionId: 'tx-zero', seqNo: 1, timestamp: at(1260), stoppedReason: 'Local', meter: [register(52_000_000, 'Transaction.End')] }));
    const tx = await txByStationId('tx-zero');
    assert.equal(tx.meterStartWh, 0);
    assert.equal(tx.meterStopWh, 52_000_000);
    assert.ok(tx.flags.includes('meter-start-zero-suspect'), JSON.stringify(tx.flags));
    assert.equal(tx.energyWh, null, 'not billed');

    await st.call('TransactionEvent', transactionEvent({ eventType: 'Started', transactionId: 'tx-zero-ok', seqNo: 0, timestamp: at(1300), evse: { id: 2, connectorId: 1 }, meter: [register(0, 'Transaction.Begin')] }));
    await st.call('TransactionEvent', transactionEvent({ eventType: 'Ended', transactionId: 'tx-zero-ok', seqNo: 1, timestamp: at(1300 + 3600), stoppedReason: 'Local', meter: [register(11_000, 'Transaction.End')] }));
    const plausible = await txByStationId('tx-zero-ok');
    assert.deepEqual(plausible.flags, [], 'a new meter that starts at 0 is fine');
    assert.equal(plausible.energyWh, 11_000);
    assert.deepEqual(st.failures, []);
  });

  it('E05/C01 a transaction with a blocked or unknown token is recorded and answered with that status (the station deauthorizes)', async () => {
    await server.api('PUT', '/api/v1/id-tokens/TAG-E-BLOCKED', { status: 'Blocked' });
    const blocked = await st.call('TransactionEvent', transactionEvent({
      eventType: 'Started', transactionId: 'tx-blocked', seqNo: 0, timestamp: at(1400), evse: { id: 1, connectorId: 1 }, triggerReason: 'CablePluggedIn',
      idToken: { idToken: 'TAG-E-BLOCKED', type: 'ISO14443' }, meter: [register(100, 'Transaction.Begin')],
    }));
    assert.deepEqual(blocked, { idTokenInfo: { status: 'Blocked' } });
    await st.call('TransactionEvent', transactionEvent({ eventType: 'Ended', transactionId: 'tx-blocked', seqNo: 1, timestamp: at(1405), triggerReason: 'Deauthorized', stoppedReason: 'DeAuthorized' }));
    const tx = await txByStationId('tx-blocked');
    assert.equal(tx.idToken, 'TAG-E-BLOCKED');
    assert.equal(tx.stopReason, 'DeAuthorized');
    assert.equal((await st.call('TransactionEvent', transactionEvent({
      eventType: 'Started', transactionId: 'tx-unknown-token', seqNo: 0, timestamp: at(1410), evse: { id: 1, connectorId: 1 }, idToken: { idToken: 'NOBODY', type: 'ISO14443' },
    }))).idTokenInfo.status, 'Invalid');
    await st.call('TransactionEvent', transactionEvent({ eventType: 'Ended', transactionId: 'tx-unknown-token', seqNo: 1, timestamp: at(1411), stoppedReason: 'DeAuthorized' }));
    assert.deepEqual(st.failures, []);
  });

  it('E01 a transaction without authorization (idToken type NoAuthorization) has no id token and is answered without idTokenInfo', async () => {
    const answer = await st.call('TransactionEvent', transactionEvent({
      eventType: 'Started', transactionId: 'tx-free', seqNo: 0, timestamp: at(1420), evse: { id: 2, connectorId: 1 }, triggerReason: 'CablePluggedIn',
      idToken: { idToken: '', type: 'NoAuthorization' }, meter: [register(300, 'Transaction.Begin')],
    }));
    assert.deepEqual(answer, {});
    await st.call('TransactionEvent', transactionEvent({ eventType: 'Ended', transactionId: 'tx-free', seqNo: 1, timestamp: at(1480), stoppedReason: 'EVDisconnected', meter: [register(450, 'Transaction.End')] }));
    const tx = await txByStationId('tx-free');
    assert.equal(tx.idToken, null);
    assert.equal(tx.energyWh, 150);
    assert.deepEqual(st.failures, []);
  });

  it('J01 MeterValues outside a transaction (clock-aligned) are kept, once', async () => {
    const payload = { evseId: 0, meterValue: [{ timestamp: at(1500), sampledValue: [{ value: 123456.7, context: 'Sample.Clock' }, { value: 230.2, measurand: 'Voltage', phase: 'L1-N', unitOfMeasure: { unit: 'V' } }] }] };
    assert.deepEqual(await st.call('MeterValues', payload), {});
    assert.deepEqual(await st.call('MeterValues', payload), {}, 'a replay is answered');
    const { body } = await server.api('GET', '/api/v1/stations/CS201-TX/meter-values?limit=500');
    const clock = body.filter((v: any) => v.timestamp === at(1500));
    assert.equal(clock.length, 2, 'two sampled values, stored once');
    const energy = clock.find((v: any) => v.measurand === 'Energy.Active.Import.Register');
    assert.equal(energy.transactionId, null);
    assert.equal(energy.context, 'Sample.Clock');
    assert.equal(energy.unit, 'Wh');
    assert.equal(energy.numericValue, 123456.7);
    assert.equal(clock.find((v: any) => v.measurand === 'Voltage').phase, 'L1-N');
    assert.deepEqual(st.failures, []);
  });
});

describe('OCPP 2.0.1 E14/quirk 20: a station that reboots with open transactions is asked GetTransactionStatus', () => {
  let server: TestServer;
  let st: StrictStation | undefined;
  const statuses: Record<string, { ongoingIndicator?: boolean; messagesInQueue: boolean }> = {
    'tx-lost': { ongoingIndicator: false, messagesInQueue: false },
    'tx-queued': { ongoingIndicator: false, messagesInQueue: true },
    'tx-going': { ongoingIndicator: true, messagesInQueue: false },
  };
  const answers = { GetTransactionStatus: (p: any) => statuses[p.transactionId] ?? { messagesInQueue: false } };
  const tx = async (stationTxId: string) =>
    (await server.api('GET', '/api/v1/transactions?stationId=CS201-REBOOT&limit=100')).body.find((t: any) => t.stationTxId === stationTxId);

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await st?.close();
    await server.stop();
  });

  it('E14 the transactions the station lost are closed (closed-by-reconciliation); queued or ongoing ones stay open', async () => {
    const first = await bootedStrictStation(server, 'CS201-REBOOT', { answers });
    let evse = 1;
    for (const id of Object.keys(statuses)) {
      await first.call('TransactionEvent', transactionEvent({ eventType: 'Started', transactionId: id, seqNo: 0, timestamp: at(evse), evse: { id: evse, connectorId: 1 }, meter: [register(1000 * evse, 'Transaction.Begin')] }));
      await first.call('TransactionEvent', transactionEvent({ eventType: 'Updated', transactionId: id, seqNo: 1, timestamp: at(60), meter: [register(1000 * evse + 400)] }));
      evse++;
    }
    assert.deepEqual(first.requests('GetTransactionStatus'), [], 'nothing to reconcile at the first boot');
    assert.deepEqual(first.failures, []);
    await first.close();

    // The station reboots: a new connection and a new BootNotification.
    st = await bootedStrictStation(server, 'CS201-REBOOT', { answers });
    await eventually(() => st!.requests('GetTransactionStatus').length === 3, 5000, 'GetTransactionStatus for each open transaction');
    assert.deepEqual(st.requests('GetTransactionStatus').map((p) => p.transactionId).sort(), ['tx-going', 'tx-lost', 'tx-queued']);

    const lost = await eventually(async () => {
      const t = await tx('tx-lost');
      return t?.stoppedAt ? t : undefined;
    }, 5000, 'tx-lost closed');
    assert.ok(lost.flags.includes('closed-by-reconciliation'), JSON.stringify(lost.flags));
    assert.equal(lost.meterStopWh, 1400, 'ended at its last known register');
    assert.equal(lost.energyWh, 400);
    assert.equal((await tx('tx-queued')).stoppedAt, null, 'messagesInQueue: kept open until the queue arrives');
    assert.equal((await tx('tx-going')).stoppedAt, null, 'still ongoing at the station');

    // The queued Ended arrives: the transaction ends normally, not as reconciled.
    await st.call('TransactionEvent', transactionEvent({ eventType: 'Ended', transactionId: 'tx-queued', seqNo: 2, timestamp: at(90), offline: true, stoppedReason: 'PowerLoss', meter: [register(2600, 'Transaction.End')] }));
    const queued = await tx('tx-queued');
    assert.equal(queued.stoppedAt, at(90));
    assert.equal(queued.stopReason, 'PowerLoss');
    assert.equal(queued.energyWh, 600);
    assert.ok(!queued.flags.includes('closed-by-reconciliation'));
    assert.deepEqual(st.failures, []);
  });

  it('E14 GetTransactionStatus sent by an operator reconciles the same way', async () => {
    assert.ok(st, 'the rebooted station from the test above');
    statuses['tx-going'] = { ongoingIndicator: false, messagesInQueue: false };
    const res = await server.api('POST', '/api/v1/stations/CS201-REBOOT/commands/GetTransactionStatus', { transactionId: 'tx-going' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.response, { ongoingIndicator: false, messagesInQueue: false });
    const going = await eventually(async () => {
      const t = await tx('tx-going');
      return t?.stoppedAt ? t : undefined;
    }, 3000, 'tx-going closed');
    assert.ok(going.flags.includes('closed-by-reconciliation'));
    const any = await server.api('POST', '/api/v1/stations/CS201-REBOOT/commands/GetTransactionStatus', {});
    assert.deepEqual(any.body.response, { messagesInQueue: false }, 'without transactionId: only the queue state');
    assert.deepEqual(st.failures, []);
  });

  it('E14 a transaction closed by reconciliation ends at the station\'s last reported time, not when Joule last wrote it', async () => {
    const lost = await tx('tx-lost');
    assert.ok(lost?.stoppedAt, 'closed by the test above');
    assert.equal(lost.stoppedAt, at(60));
  });
});
