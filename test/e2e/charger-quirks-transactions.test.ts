/**
 * Charger quirks of `../shared/field-notes.md` §3 about transactions and metering (#12-#21, #29, #30), end to end
 * with real servers and sockets: what the station is answered and what Joule stored (REST API). The quirks without a
 * test are listed, with the reason, at the top of charger-quirks.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bootedRawStation2, transactionEvent } from './support/ocpp2-station.ts';
import { bootedStation, RawStation } from './support/raw-station.ts';
import { eventually, startTestServer, type TestServer } from './support/test-server.ts';

const NOW = Date.now();
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

type Frame = unknown[];

function assertAccepted(reply: Frame, what: string): any {
  assert.equal(reply[0], 3, `${what}: a CALLRESULT, got ${JSON.stringify(reply)}`);
  return reply[2];
}

/** A 1.6 sampled value of the energy register (Wh unless given). */
const register16 = (value: string, extra: Record<string, string> = {}) => ({ value, measurand: 'Energy.Active.Import.Register', unit: 'Wh', ...extra });
/** A 2.0.1 sampled value of the energy register in Wh. */
const register201 = (value: number, context = 'Sample.Periodic') => ({ value, context, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } });

const getTx = async (server: TestServer, id: string | number) => (await server.api('GET', `/api/v1/transactions/${id}`)).body;
const txsOf = async (server: TestServer, stationId: string) =>
  (await server.api('GET', `/api/v1/transactions?stationId=${encodeURIComponent(stationId)}&limit=1000`)).body as any[];
const txByStationTxId = async (server: TestServer, stationId: string, stationTxId: string) => {
  const matching = (await txsOf(server, stationId)).filter((t) => t.stationTxId === stationTxId);
  assert.ok(matching.length <= 1, `one record for ${stationTxId}, got ${matching.length}`);
  return matching[0];
};
const txMeterValues = async (server: TestServer, id: string | number) => (await server.api('GET', `/api/v1/transactions/${id}/meter-values`)).body as any[];

describe('charger quirks: transactions and metering', () => {
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

  it('quirk #12 id token case (citrineos normalize-id-token-case): tokens are compared case-insensitively for Authorize, StartTransaction and ConcurrentTx; stray whitespace, control characters and escaped quotes are ignored', async () => {
    await server.api('PUT', '/api/v1/id-tokens/AbC123DEF', { status: 'Accepted' });
    const st = track(await bootedStation(server.wsUrl, 'CP-TOKENCASE'));
    for (const spelling of ['abc123def', 'ABC123DEF', ' abc123DEF ', 'ABC123DEF\u0000', '\\"abc123def\\"']) {
      assert.deepEqual(assertAccepted(await st.call('Authorize', { idTag: spelling }), JSON.stringify(spelling)), { idTagInfo: { status: 'Accepted' } }, JSON.stringify(spelling));
    }
    const started = assertAccepted(await st.call('StartTransaction', { connectorId: 1, idTag: 'ABC123DEF', meterStart: 500, timestamp: ago(120) }), 'start');
    assert.equal(started.idTagInfo.status, 'Accepted');
    const tx = await getTx(server, started.transactionId);
    assert.equal(tx.idToken, 'ABC123DEF', 'the transaction keeps the token as the station sent it');
    assert.equal((await server.api('GET', '/api/v1/id-tokens/abc123def')).body.idToken, 'AbC123DEF', 'the API finds the token in any case');
    // The same token in another case already has a transaction.
    assert.equal(assertAccepted(await st.call('Authorize', { idTag: 'abc123def' }), 'second authorize').idTagInfo.status, 'ConcurrentTx');
    assertAccepted(await st.call('StopTransaction', { transactionId: started.transactionId, meterStop: 900, timestamp: ago(60), idTag: 'abc123def' }), 'stop');
    assert.equal(assertAccepted(await st.call('Authorize', { idTag: 'abc123def' }), 'after the stop').idTagInfo.status, 'Accepted');
  });

  it('quirk #12 garbage around an idTag (mobilityhouse/ocpp#415): a transaction started with an escaped-quoted tag belongs to the clean token, so ConcurrentTx sees it', async () => {
    await server.api('PUT', '/api/v1/id-tokens/QUOTED-TAG', { status: 'Accepted' });
    const st = track(await bootedStation(server.wsUrl, 'CP-TOKENGARBAGE'));
    const started = assertAccepted(await st.call('StartTransaction', { connectorId: 1, idTag: '"QUOTED-TAG"', meterStart: 0, timestamp: ago(120) }), 'start');
    assert.equal(started.idTagInfo.status, 'Accepted', 'authorized as the clean token');
    assert.equal(assertAccepted(await st.call('Authorize', { idTag: 'QUOTED-TAG' }), 'authorize').idTagInfo.status, 'ConcurrentTx', 'the running transaction counts');
    assert.equal((await getTx(server, started.transactionId)).idToken, 'QUOTED-TAG', 'stored under the token it was authorized as');
  });

  it('quirk #13 MeterValues with transactionId 0, without transactionId (clock-aligned) or with an unknown one (mobilityhouse/ocpp#478, steve#395): answered, kept as station readings, and never change the running transaction', async () => {
    await server.api('PUT', '/api/v1/id-tokens/MV-TAG', { status: 'Accepted' });
    const st = track(await bootedStation(server.wsUrl, 'CP-ORPHAN-MV'));
    const { transactionId } = assertAccepted(await st.call('StartTransaction', { connectorId: 1, idTag: 'MV-TAG', meterStart: 1000, timestamp: ago(600) }), 'start');
    assert.deepEqual(assertAccepted(await st.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: ago(500), sampledValue: [register16('1300')] }] }), 'own'), {});

    const orphans: [string, Record<string, unknown>][] = [
      ['transactionId 0', { connectorId: 1, transactionId: 0, meterValue: [{ timestamp: ago(400), sampledValue: [register16('88000')] }] }],
      ['no transactionId', { connectorId: 1, meterValue: [{ timestamp: ago(300), sampledValue: [register16('88100', { context: 'Sample.Clock' })] }] }],
      ['unknown transactionId', { connectorId: 1, transactionId: 987_654, meterValue: [{ timestamp: ago(200), sampledValue: [register16('88200')] }] }],
    ];
    for (const [what, payload] of orphans) assert.deepEqual(assertAccepted(await st.call('MeterValues', payload), what), {}, what);

    const tx = await getTx(server, transactionId);
    assert.equal(tx.lastMeterWh, 1300, 'the readings of no (or another) transaction do not move its register');
    assert.deepEqual((await txMeterValues(server, transactionId)).map((v) => v.numericValue), [1300]);
    const stationValues = (await server.api('GET', '/api/v1/stations/CP-ORPHAN-MV/meter-values?limit=100')).body as any[];
    for (const [i, value] of [88_000, 88_100, 88_200].entries()) {
      const kept = stationValues.find((v) => v.numericValue === value);
      assert.ok(kept, `${orphans[i]![0]}: kept`);
      assert.equal(kept.transactionId, null, `${orphans[i]![0]}: attached to no transaction`);
      assert.deepEqual([kept.evseId, kept.connectorId], [1, 1]);
    }
    assert.equal(stationValues.find((v) => v.numericValue === 88_100).context, 'Sample.Clock');

    // A stale id: readings for a transaction that already ended are kept with it and change nothing.
    assertAccepted(await st.call('StopTransaction', { transactionId, meterStop: 1600, timestamp: ago(100) }), 'stop');
    assert.deepEqual(assertAccepted(await st.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: ago(50), sampledValue: [register16('1700')] }] }), 'stale'), {});
    const ended = await getTx(server, transactionId);
    assert.deepEqual([ended.meterStopWh, ended.energyWh], [1600, 600]);
    assert.deepEqual((await txMeterValues(server, transactionId)).map((v) => v.numericValue), [1300, 1700]);
  });

  it('quirk #14 batches without an energy register (SoC-only, Current-only, Power at Sample.Clock; citrineos-core PR #868): the transaction\'s register and energy are never zeroed (1.6 and 2.0.1)', async () => {
    await server.api('PUT', '/api/v1/id-tokens/SOC-TAG', { status: 'Accepted' });
    const st = track(await bootedStation(server.wsUrl, 'CP-SOC-ONLY'));
    const { transactionId } = assertAccepted(await st.call('StartTransaction', { connectorId: 1, idTag: 'SOC-TAG', meterStart: 1000, timestamp: ago(900) }), 'start');
    assertAccepted(await st.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: ago(800), sampledValue: [register16('1500')] }] }), 'register');
    const noEnergy = [
      [{ value: '63', measurand: 'SoC', unit: 'Percent', location: 'EV' }],
      [{ value: '15.8', measurand: 'Current.Import', phase: 'L1', unit: 'A' }, { value: '16.1', measurand: 'Current.Import', phase: 'L2', unit: 'A' }],
      [{ value: '7200', measurand: 'Power.Active.Import', unit: 'W', context: 'Sample.Clock' }],
    ];
    for (const [i, sampledValue] of noEnergy.entries()) {
      assert.deepEqual(assertAccepted(await st.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: ago(700 - i * 100), sampledValue }] }), `batch ${i}`), {});
      assert.equal((await getTx(server, transactionId)).lastMeterWh, 1500, `batch ${i} leaves the register`);
    }
    assertAccepted(await st.call('StopTransaction', { transactionId, meterStop: 2500, timestamp: ago(300), transactionData: [{ timestamp: ago(300), sampledValue: [{ value: '80', measurand: 'SoC', unit: 'Percent', location: 'EV' }] }] }), 'stop');
    const tx16 = await getTx(server, transactionId);
    assert.deepEqual([tx16.meterStopWh, tx16.energyWh], [2500, 1500]);
    assert.equal((await txMeterValues(server, transactionId)).filter((v) => v.measurand === 'SoC').length, 2, 'the SoC values are kept');

    // 2.0.1: an Ended whose only meter value is SoC ends at the last register, not at 0.
    const st2 = track(await bootedRawStation2(server.wsUrl, 'CS-SOC-ONLY'));
    const events = [
      transactionEvent({ eventType: 'Started', transactionId: 'soc-1', seqNo: 0, timestamp: ago(900), evse: { id: 1, connectorId: 1 }, meter: [register201(1000, 'Transaction.Begin')] }),
      transactionEvent({ eventType: 'Updated', transactionId: 'soc-1', seqNo: 1, timestamp: ago(800), meter: [register201(1600)] }),
      transactionEvent({ eventType: 'Updated', transactionId: 'soc-1', seqNo: 2, timestamp: ago(700), meter: [{ value: 55, measurand: 'SoC', location: 'EV', unitOfMeasure: { unit: 'Percent' } }] }),
      transactionEvent({ eventType: 'Ended', transactionId: 'soc-1', seqNo: 3, timestamp: ago(600), stoppedReason: 'EVDisconnected', meter: [{ value: 81, measurand: 'SoC', location: 'EV', context: 'Transaction.End', unitOfMeasure: { unit: 'Percent' } }] }),
    ];
    for (const event of events) assert.deepEqual(assertAccepted(await st2.call('TransactionEvent', event), String(event.eventType)), {});
    const tx201 = await txByStationTxId(server, 'CS-SOC-ONLY', 'soc-1');
    assert.deepEqual([tx201.meterStartWh, tx201.meterStopWh, tx201.energyWh], [1000, 1600, 600]);
  });

  it('quirk #15 energy per phase only, in kWh, or as Interval (citrineos-core PR #395): per-phase registers count as their sum, kWh is converted to Wh, an Interval-only batch leaves the register', async () => {
    await server.api('PUT', '/api/v1/id-tokens/PHASE-TAG', { status: 'Accepted' });
    const st = track(await bootedStation(server.wsUrl, 'CP-PHASES'));
    const { transactionId } = assertAccepted(await st.call('StartTransaction', { connectorId: 1, idTag: 'PHASE-TAG', meterStart: 10_000, timestamp: ago(900) }), 'start');
    const phases = ['L1', 'L2', 'L3'].map((phase, i) => register16(['3.25', '3.5', '3.75'][i]!, { phase, unit: 'kWh' }));
    assertAccepted(await st.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: ago(800), sampledValue: phases }] }), 'per-phase registers');
    assert.equal((await getTx(server, transactionId)).lastMeterWh, 10_500, '3.25 + 3.5 + 3.75 kWh');
    assertAccepted(await st.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: ago(700), sampledValue: [{ value: '200', measurand: 'Energy.Active.Import.Interval', unit: 'Wh' }] }] }), 'interval');
    assert.equal((await getTx(server, transactionId)).lastMeterWh, 10_500, 'an interval is no register');
    assertAccepted(await st.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: ago(600), sampledValue: [register16('10.8', { unit: 'kWh' })] }] }), 'kWh total');
    assert.equal((await getTx(server, transactionId)).lastMeterWh, 10_800);
    assertAccepted(await st.call('StopTransaction', { transactionId, meterStop: 11_000, timestamp: ago(500) }), 'stop');
    assert.equal((await getTx(server, transactionId)).energyWh, 1000);
  });

  it('quirk #16 offline start with meterStart 0 (Iocharger): a lifetime register after it flags the transaction meter-start-zero-suspect and leaves its energy unknown; a new meter starting at 0 is fine', async () => {
    await server.api('PUT', '/api/v1/id-tokens/IOCHARGER-TAG', { status: 'Accepted' });
    const st = track(await bootedStation(server.wsUrl, 'CP-IOCHARGER'));
    const { transactionId } = assertAccepted(await st.call('StartTransaction', { connectorId: 1, idTag: 'IOCHARGER-TAG', meterStart: 0, timestamp: ago(300) }), 'offline start');
    assertAccepted(await st.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: ago(200), sampledValue: [register16('48123456')] }] }), 'lifetime register');
    assertAccepted(await st.call('StopTransaction', { transactionId, meterStop: 48_124_000, timestamp: ago(100), reason: 'EVDisconnected' }), 'stop');
    const suspect = await getTx(server, transactionId);
    assert.deepEqual(suspect.flags, ['meter-start-zero-suspect']);
    assert.equal(suspect.meterStartWh, 0, 'what the station said is kept');
    assert.equal(suspect.meterStopWh, 48_124_000);
    assert.equal(suspect.energyWh, null, 'not billed as 48 MWh');

    const fresh = assertAccepted(await st.call('StartTransaction', { connectorId: 2, idTag: 'IOCHARGER-TAG', meterStart: 0, timestamp: ago(7300) }), 'new meter');
    assertAccepted(await st.call('StopTransaction', { transactionId: fresh.transactionId, meterStop: 11_000, timestamp: ago(3700) }), 'stop after an hour');
    const plausible = await getTx(server, fresh.transactionId);
    assert.deepEqual(plausible.flags, []);
    assert.equal(plausible.energyWh, 11_000);
  });

  it('quirk #16 offline start with meterStart 0 (Iocharger): the live transaction.updated events of a suspect baseline carry no energy either', async () => {
    await server.api('PUT', '/api/v1/id-tokens/IOCHARGER-LIVE', { status: 'Accepted' });
    const st = track(await bootedStation(server.wsUrl, 'CP-IOCHARGER-LIVE'));
    const published: any[] = [];
    const off = server.domain.bus.subscribe((e) => {
      if (e.type === 'transaction.updated' && e.stationId === 'CP-IOCHARGER-LIVE') published.push(e.data);
    });
    try {
      const { transactionId } = assertAccepted(await st.call('StartTransaction', { connectorId: 1, idTag: 'IOCHARGER-LIVE', meterStart: 0, timestamp: ago(120) }), 'offline start');
      assertAccepted(await st.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: ago(60), sampledValue: [register16('48123456')] }] }), 'lifetime register');
      await eventually(() => published.length > 0, 2000, 'transaction.updated');
      assert.equal(published[0].meterWh, 48_123_456);
      assert.equal(published[0].energyWh, null, 'a lifetime register is no session energy');
    } finally {
      off();
    }
  });

  it('quirk #17 StopTransaction with an unknown or -1 transactionId (steve#156, libocpp#495): answered normally, never InternalError, and kept as an orphan-stop record', async () => {
    await server.api('PUT', '/api/v1/id-tokens/ORPHAN-TAG', { status: 'Accepted' });
    const st = track(await bootedStation(server.wsUrl, 'CP-ORPHAN-STOP'));
    const unknown = { transactionId: 987_654, idTag: 'ORPHAN-TAG', meterStop: 52_000, timestamp: ago(120), reason: 'Local', transactionData: [{ timestamp: ago(120), sampledValue: [register16('52000', { context: 'Transaction.End' })] }] };
    assert.deepEqual(assertAccepted(await st.call('StopTransaction', unknown), 'unknown id'), { idTagInfo: { status: 'Accepted' } });
    const minusOne = { transactionId: -1, meterStop: 61_000, timestamp: ago(60), reason: 'PowerLoss' };
    assert.deepEqual(assertAccepted(await st.call('StopTransaction', minusOne), '-1'), {});
    assert.deepEqual(assertAccepted(await st.call('StopTransaction', minusOne), '-1 replayed'), {}, 'a replay is answered the same');

    const records = await txsOf(server, 'CP-ORPHAN-STOP');
    assert.equal(records.length, 2, 'one record per orphan stop, replays not counted');
    const byId = (prefix: string) => records.find((t) => t.stationTxId.startsWith(prefix));
    const first = byId('orphan:987654:');
    assert.deepEqual(first.flags, ['orphan-stop']);
    assert.deepEqual([first.stoppedAt, first.meterStopWh, first.meterStartWh, first.energyWh, first.stopReason], [unknown.timestamp, 52_000, null, null, 'Local']);
    assert.equal(first.stopIdToken, 'ORPHAN-TAG');
    assert.deepEqual((await txMeterValues(server, first.id)).map((v) => v.numericValue), [52_000], 'the transactionData is kept with it');
    const second = byId('orphan:-1:');
    assert.deepEqual(second.flags, ['orphan-stop']);
    assert.deepEqual([second.stoppedAt, second.meterStopWh, second.stopReason], [minusOne.timestamp, 61_000, 'PowerLoss']);
    assert.equal((await txsOf(server, 'CP-ORPHAN-STOP')).filter((t) => t.stoppedAt === null).length, 0, 'nothing left open');
  });

  it('quirk #19 duplicate Start/Stop on replay or reboot (MicroOcpp#237): after a reconnect and a new boot, the replayed StartTransaction and StopTransaction get the same answers and change nothing', async () => {
    await server.api('PUT', '/api/v1/id-tokens/REPLAY-TAG', { status: 'Accepted' });
    const first = track(await bootedStation(server.wsUrl, 'CP-REPLAY-REBOOT'));
    const start = { connectorId: 1, idTag: 'REPLAY-TAG', meterStart: 2000, timestamp: ago(900) };
    const started = assertAccepted(await first.call('StartTransaction', start), 'start');
    const stop = { transactionId: started.transactionId, meterStop: 2600, timestamp: ago(600), reason: 'EVDisconnected' };
    const stopped = assertAccepted(await first.call('StopTransaction', stop), 'stop');
    await first.close();

    const again = track(await bootedStation(server.wsUrl, 'CP-REPLAY-REBOOT'));
    assert.deepEqual(assertAccepted(await again.call('StartTransaction', start), 'replayed start'), started, 'the same transactionId');
    assert.deepEqual(assertAccepted(await again.call('StopTransaction', { ...stop, meterStop: 9999 }), 'replayed stop'), stopped);
    const records = await txsOf(server, 'CP-REPLAY-REBOOT');
    assert.equal(records.length, 1);
    assert.deepEqual([records[0].stoppedAt, records[0].meterStopWh, records[0].energyWh], [stop.timestamp, 2600, 600], 'still ended as first reported');
    assert.deepEqual((await server.api('GET', '/api/v1/transactions?stationId=CP-REPLAY-REBOOT&active=true')).body, [], 'the replayed start did not reopen it');
  });

  it('quirk #19 a second TransactionEvent Started (seqNo 1) for the same 2.0.1 transaction (simulator after RequestStartTransaction): one transaction, started as first reported', async () => {
    await server.api('PUT', '/api/v1/id-tokens/DOUBLE-START', { status: 'Accepted' });
    const st = track(await bootedRawStation2(server.wsUrl, 'CS-DOUBLE-START'));
    const tag = { idToken: 'DOUBLE-START', type: 'ISO14443' };
    const first = transactionEvent({ eventType: 'Started', transactionId: 'ds-1', seqNo: 0, timestamp: ago(600), evse: { id: 1, connectorId: 1 }, idToken: tag, remoteStartId: 7, triggerReason: 'RemoteStart', meter: [register201(3000, 'Transaction.Begin')] });
    const second = transactionEvent({ eventType: 'Started', transactionId: 'ds-1', seqNo: 1, timestamp: ago(590), evse: { id: 1, connectorId: 1 }, idToken: tag, remoteStartId: 7, triggerReason: 'Authorized', meter: [register201(3010, 'Transaction.Begin')] });
    assert.equal(assertAccepted(await st.call('TransactionEvent', first), 'first Started').idTokenInfo.status, 'Accepted');
    assert.equal(assertAccepted(await st.call('TransactionEvent', second), 'second Started').idTokenInfo.status, 'Accepted', 'not ConcurrentTx against itself');
    const tx = await txByStationTxId(server, 'CS-DOUBLE-START', 'ds-1');
    assert.deepEqual([tx.startedAt, tx.meterStartWh, tx.remoteStartId, tx.lastSeqNo], [ago(600), 3000, 7, 1]);
    assert.equal((await txsOf(server, 'CS-DOUBLE-START')).length, 1);
  });

  it('quirk #20 2.0.1 offline queue (lbbrhzn/ocpp#2135): events out of order with offline:true are ordered by seqNo, an ended transaction is never resurrected, and one with messagesInQueue stays open until its Ended arrives', async () => {
    await server.api('PUT', '/api/v1/id-tokens/QUEUE-TAG', { status: 'Accepted' });
    const st = track(await bootedRawStation2(server.wsUrl, 'CS-OFFLINE-QUEUE'));
    const tag = { idToken: 'QUEUE-TAG', type: 'ISO14443' };
    const send = async (event: Record<string, unknown>) => assertAccepted(await st.call('TransactionEvent', event), `${String(event.eventType)} seqNo ${String(event.seqNo)}`);
    // The queue is flushed out of order after the link comes back.
    await send(transactionEvent({ eventType: 'Updated', transactionId: 'q-1', seqNo: 1, timestamp: ago(800), offline: true, evse: { id: 1, connectorId: 1 }, chargingState: 'Charging', meter: [register201(5400)] }));
    assert.deepEqual((await txByStationTxId(server, 'CS-OFFLINE-QUEUE', 'q-1')).flags, ['missing-started']);
    await send(transactionEvent({ eventType: 'Ended', transactionId: 'q-1', seqNo: 3, timestamp: ago(600), offline: true, stoppedReason: 'EVDisconnected', chargingState: 'Idle', meter: [register201(6000, 'Transaction.End')] }));
    await send(transactionEvent({ eventType: 'Started', transactionId: 'q-1', seqNo: 0, timestamp: ago(900), offline: true, evse: { id: 1, connectorId: 1 }, idToken: tag, chargingState: 'EVConnected', meter: [register201(5000, 'Transaction.Begin')] }));
    await send(transactionEvent({ eventType: 'Updated', transactionId: 'q-1', seqNo: 2, timestamp: ago(700), offline: true, chargingState: 'Charging', meter: [register201(5800)] }));
    const tx = await txByStationTxId(server, 'CS-OFFLINE-QUEUE', 'q-1');
    assert.deepEqual([tx.startedAt, tx.stoppedAt, tx.meterStartWh, tx.meterStopWh, tx.energyWh], [ago(900), ago(600), 5000, 6000, 1000]);
    assert.deepEqual([tx.chargingState, tx.lastSeqNo, tx.stopReason, tx.idToken], ['Idle', 3, 'EVDisconnected', 'QUEUE-TAG'], 'the late Updated (seqNo 2) did not reopen or change it');
    const log = await server.domain.transactions.events(tx.id);
    assert.deepEqual(log.map((e: any) => [e.seqNo, e.eventType, e.offline]).sort((a: any, b: any) => a[0] - b[0]), [[0, 'Started', true], [1, 'Updated', true], [2, 'Updated', true], [3, 'Ended', true]]);

    // GetTransactionStatus says "not ongoing, messages in queue": the transaction stays open until the Ended arrives.
    await send(transactionEvent({ eventType: 'Started', transactionId: 'q-2', seqNo: 0, timestamp: ago(500), evse: { id: 2, connectorId: 1 }, idToken: tag, meter: [register201(100, 'Transaction.Begin')] }));
    st.onCall = (action) => (action === 'GetTransactionStatus' ? { ongoingIndicator: false, messagesInQueue: true } : undefined);
    const status = await server.api('POST', '/api/v1/stations/CS-OFFLINE-QUEUE/commands/GetTransactionStatus', { transactionId: 'q-2' });
    assert.deepEqual(status.body.response, { ongoingIndicator: false, messagesInQueue: true });
    assert.equal((await txByStationTxId(server, 'CS-OFFLINE-QUEUE', 'q-2')).stoppedAt, null, 'kept open while messages are queued');
    await send(transactionEvent({ eventType: 'Ended', transactionId: 'q-2', seqNo: 1, timestamp: ago(400), offline: true, stoppedReason: 'PowerLoss', meter: [register201(700, 'Transaction.End')] }));
    const q2 = await txByStationTxId(server, 'CS-OFFLINE-QUEUE', 'q-2');
    assert.deepEqual([q2.stoppedAt, q2.stopReason, q2.energyWh, q2.flags], [ago(400), 'PowerLoss', 600, []]);
    assert.deepEqual((await server.api('GET', '/api/v1/transactions?stationId=CS-OFFLINE-QUEUE&active=true')).body, []);
  });

  it('quirk #21 2.0.1 TransactionEvent without evse.connectorId (lbbrhzn/ocpp#2135): resolved when the EVSE has one connector, left open (0) when it has two, filled in by a later event that names it', async () => {
    const st = track(await bootedRawStation2(server.wsUrl, 'CS-NO-CONNECTOR'));
    for (const [evseId, connectorId] of [[1, 1], [2, 1], [2, 2]]) {
      assertAccepted(await st.call('StatusNotification', { timestamp: ago(1000), connectorStatus: 'Available', evseId, connectorId }), `status ${evseId}/${connectorId}`);
    }
    assert.deepEqual(assertAccepted(await st.call('TransactionEvent', transactionEvent({ eventType: 'Started', transactionId: 'nc-1', seqNo: 0, timestamp: ago(900), evse: { id: 1 } })), 'EVSE 1'), {});
    assert.deepEqual(assertAccepted(await st.call('TransactionEvent', transactionEvent({ eventType: 'Started', transactionId: 'nc-2', seqNo: 0, timestamp: ago(900), evse: { id: 2 } })), 'EVSE 2'), {});
    const one = await txByStationTxId(server, 'CS-NO-CONNECTOR', 'nc-1');
    assert.deepEqual([one.evseId, one.connectorId], [1, 1], 'the only connector of EVSE 1');
    const two = await txByStationTxId(server, 'CS-NO-CONNECTOR', 'nc-2');
    assert.deepEqual([two.evseId, two.connectorId], [2, 0], 'EVSE 2 has two connectors: not guessed');
    assertAccepted(await st.call('TransactionEvent', transactionEvent({ eventType: 'Updated', transactionId: 'nc-2', seqNo: 1, timestamp: ago(850), evse: { id: 2, connectorId: 2 }, triggerReason: 'CablePluggedIn' })), 'names the connector');
    assert.equal((await txByStationTxId(server, 'CS-NO-CONNECTOR', 'nc-2')).connectorId, 2);
  });

  it('quirk #29 ConcurrentTx per token (citrineos-core PR #575): a token without allowConcurrentTx gets ConcurrentTx for a second transaction; one with allowConcurrentTx may hold several', async () => {
    await server.api('PUT', '/api/v1/id-tokens/SOLO-TAG', { status: 'Accepted' });
    await server.api('PUT', '/api/v1/id-tokens/FLEET-TAG', { status: 'Accepted', allowConcurrentTx: true });
    assert.equal((await server.api('GET', '/api/v1/id-tokens/FLEET-TAG')).body.allowConcurrentTx, true);
    const st = track(await bootedStation(server.wsUrl, 'CP-CONCURRENT'));
    const soloFirst = assertAccepted(await st.call('StartTransaction', { connectorId: 1, idTag: 'SOLO-TAG', meterStart: 0, timestamp: ago(600) }), 'solo 1');
    assert.equal(soloFirst.idTagInfo.status, 'Accepted');
    assert.equal(assertAccepted(await st.call('Authorize', { idTag: 'SOLO-TAG' }), 'solo authorize').idTagInfo.status, 'ConcurrentTx');
    const soloSecond = assertAccepted(await st.call('StartTransaction', { connectorId: 2, idTag: 'SOLO-TAG', meterStart: 0, timestamp: ago(500) }), 'solo 2');
    assert.equal(soloSecond.idTagInfo.status, 'ConcurrentTx', 'the station is told, and stops it');
    assert.notEqual(soloSecond.transactionId, soloFirst.transactionId, 'still recorded: what the station reports is kept');

    const fleet = [3, 4].map((connectorId) => ({ connectorId, idTag: 'FLEET-TAG', meterStart: 0, timestamp: ago(400 - connectorId) }));
    for (const start of fleet) assert.equal(assertAccepted(await st.call('StartTransaction', start), `fleet ${start.connectorId}`).idTagInfo.status, 'Accepted');
    assert.equal(assertAccepted(await st.call('Authorize', { idTag: 'FLEET-TAG' }), 'fleet authorize').idTagInfo.status, 'Accepted');
    const active = (await server.api('GET', '/api/v1/transactions?stationId=CP-CONCURRENT&active=true')).body;
    assert.equal(active.filter((t: any) => t.idToken === 'FLEET-TAG').length, 2);
  });

  it('quirk #30 an id token that expires mid-session (steve#252): the running session is not stopped, new authorizations get Expired, and a RemoteStopTransaction still ends it', async () => {
    await server.api('PUT', '/api/v1/id-tokens/EXPIRING-TAG', { status: 'Accepted', expiryDate: new Date(Date.now() + 3_600_000).toISOString() });
    const st = track(await bootedStation(server.wsUrl, 'CP-EXPIRY'));
    const { transactionId, idTagInfo } = assertAccepted(await st.call('StartTransaction', { connectorId: 1, idTag: 'EXPIRING-TAG', meterStart: 7000, timestamp: ago(600) }), 'start');
    assert.equal(idTagInfo.status, 'Accepted');
    // The token expires while the car charges.
    await server.api('PUT', '/api/v1/id-tokens/EXPIRING-TAG', { status: 'Accepted', expiryDate: new Date(Date.now() - 1000).toISOString() });
    assert.deepEqual(assertAccepted(await st.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: ago(300), sampledValue: [register16('7800')] }] }), 'meter values after expiry'), {});
    assert.equal(assertAccepted(await st.call('Authorize', { idTag: 'EXPIRING-TAG' }), 'new authorization').idTagInfo.status, 'Expired');
    const running = await getTx(server, transactionId);
    assert.deepEqual([running.stoppedAt, running.lastMeterWh], [null, 7800], 'not deauthorised by Joule');

    const received: any[] = [];
    st.onCall = (action, payload) => {
      received.push({ action, payload });
      if (action === 'RemoteStopTransaction') {
        setImmediate(() => st.sendText(JSON.stringify([2, 'remote-stop-1', 'StopTransaction', { transactionId, idTag: 'EXPIRING-TAG', meterStop: 8100, timestamp: ago(60), reason: 'Remote' }])));
      }
      return { status: 'Accepted' };
    };
    const remote = await server.api('POST', '/api/v1/stations/CP-EXPIRY/commands/RemoteStopTransaction', { transactionId });
    assert.deepEqual([remote.status, remote.body.status, remote.body.response], [200, 'completed', { status: 'Accepted' }]);
    assert.deepEqual(received, [{ action: 'RemoteStopTransaction', payload: { transactionId } }]);
    const stopAnswer = assertAccepted(await st.next('remote-stop-1'), 'the StopTransaction after the remote stop');
    assert.equal(stopAnswer.idTagInfo.status, 'Expired', 'the answer tells the truth about the token');
    const ended = await getTx(server, transactionId);
    assert.deepEqual([ended.stoppedAt, ended.stopReason, ended.meterStopWh, ended.energyWh, ended.flags], [ago(60), 'Remote', 8100, 1100, []]);
  });
});

describe('charger quirks: transactions that are never ended (stale transaction job)', () => {
  let server: TestServer;
  const stations: RawStation[] = [];

  before(async () => {
    // A server of its own: closeStale closes every idle transaction of the server.
    server = await startTestServer();
    await server.api('PUT', '/api/v1/id-tokens/STALE-TAG', { status: 'Accepted', allowConcurrentTx: true });
  });
  after(async () => {
    for (const st of stations) await st.close();
    await server.stop();
  });

  it('quirk #18 StopTransaction never sent (Fronius Wattpilot): the stale-transaction job closes the idle transaction at the station\'s last report, flagged closed-stale with the last register; an active one is left alone; a late stop is still answered', async () => {
    const wattpilot = await bootedStation(server.wsUrl, 'CP-WATTPILOT');
    const busy = await bootedStation(server.wsUrl, 'CP-BUSY');
    stations.push(wattpilot, busy);
    const notes: any[] = [];
    const off = server.domain.bus.subscribe((e) => {
      if (e.type === 'station.notification') notes.push({ stationId: e.stationId, ...(e.data as object) });
    });
    try {
      const idle = assertAccepted(await wattpilot.call('StartTransaction', { connectorId: 1, idTag: 'STALE-TAG', meterStart: 3000, timestamp: ago(5) }), 'start');
      assertAccepted(await wattpilot.call('MeterValues', { connectorId: 1, transactionId: idle.transactionId, meterValue: [{ timestamp: ago(3), sampledValue: [register16('3400')] }] }), 'last reading');
      await new Promise((r) => setTimeout(r, 400));
      const active = assertAccepted(await busy.call('StartTransaction', { connectorId: 1, idTag: 'STALE-TAG', meterStart: 100, timestamp: ago(1) }), 'active start');

      const closed = await server.domain.transactions.closeStale(200);
      assert.deepEqual(closed.map((t) => t.id), [String(idle.transactionId)], 'only the idle one');
      const tx = await getTx(server, idle.transactionId);
      // Ended at the station's last word on it (the reading), by the station's clock, not when Joule wrote it.
      assert.deepEqual([tx.stoppedAt, tx.meterStopWh, tx.energyWh, tx.stopReason, tx.flags], [ago(3), 3400, 400, 'Other', ['closed-stale']]);
      assert.ok(Date.parse(tx.stoppedAt) >= Date.parse(tx.startedAt), 'not ended before it started');
      assert.equal((await getTx(server, active.transactionId)).stoppedAt, null);
      await eventually(() => notes.some((n) => n.type === 'transaction.closed-stale' && n.transactionId === String(idle.transactionId)), 2000, 'closed-stale notification');

      // If the stop does come after all, it is answered normally and nothing is counted twice.
      assert.deepEqual(assertAccepted(await wattpilot.call('StopTransaction', { transactionId: idle.transactionId, meterStop: 3500, timestamp: ago(0) }), 'late stop'), {});
      assert.equal((await txsOf(server, 'CP-WATTPILOT')).length, 1);
      assert.deepEqual(await server.domain.transactions.closeStale(200), [], 'a second pass closes nothing more');
    } finally {
      off();
    }
  });

  it('quirk #18 stale close of a station whose clock runs ahead (local time read as UTC, quirk #8): the transaction is never ended before it started', async () => {
    const st = await bootedStation(server.wsUrl, 'CP-CLOCK-AHEAD');
    stations.push(st);
    const ahead = new Date(Date.now() + 3_600_000).toISOString();
    const started = assertAccepted(await st.call('StartTransaction', { connectorId: 1, idTag: 'STALE-TAG', meterStart: 0, timestamp: ahead }), 'start');
    await new Promise((r) => setTimeout(r, 250));
    await server.domain.transactions.closeStale(100);
    const tx = await getTx(server, started.transactionId);
    assert.ok(tx.stoppedAt, 'closed');
    assert.ok(tx.flags.includes('closed-stale'), JSON.stringify(tx.flags));
    assert.ok(Date.parse(tx.stoppedAt) >= Date.parse(tx.startedAt), `stoppedAt ${tx.stoppedAt} is before startedAt ${tx.startedAt}`);
    assert.equal(tx.stoppedAt, tx.startedAt, 'the start is the station\'s last word on it');
  });

  it('quirk #18 no StartTransaction after an accepted RemoteStartTransaction (Tellus Power): the command is logged and no transaction is invented', async () => {
    const st = await bootedStation(server.wsUrl, 'CP-TELLUS');
    stations.push(st);
    st.onCall = () => ({ status: 'Accepted' });
    const res = await server.api('POST', '/api/v1/stations/CP-TELLUS/commands/RemoteStartTransaction', { connectorId: 1, idTag: 'STALE-TAG' });
    assert.deepEqual([res.body.status, res.body.response], ['completed', { status: 'Accepted' }]);
    const log = (await server.api('GET', '/api/v1/commands?stationId=CP-TELLUS')).body;
    assert.deepEqual(log.map((c: any) => [c.action, c.status]), [['RemoteStartTransaction', 'completed']]);
    assert.deepEqual(await txsOf(server, 'CP-TELLUS'), []);
  });
});
