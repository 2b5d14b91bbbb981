import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { LocalBus } from '../../../src/cluster/local-bus.ts';
import { createDomain, type Domain } from '../../../src/domain/domain.ts';
import { defaultDomainConfig } from '../../../src/domain/config.ts';
import type { DomainEvent } from '../../../src/domain/events.ts';
import type { MeterValueInput } from '../../../src/domain/metering/sampled-value.ts';
import { zeroBaselineSuspect, defaultBaselinePolicy } from '../../../src/domain/transactions/baseline.ts';
import type { TransactionEventInput, TransactionPhase } from '../../../src/domain/transactions/transaction-service.ts';
import type { Store } from '../../../src/store/ports.ts';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const STATION = 'CS-INTEGRITY';

function at(minute: number): string {
  return new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString();
}

function register(timestamp: string, wh: number, context = 'Sample.Periodic'): MeterValueInput {
  return {
    timestamp,
    sampledValues: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', context, format: 'Raw', phase: null, location: 'Outlet', unit: 'Wh' }],
  };
}

function event(phase: TransactionPhase, seqNo: number, minute: number, extra: Partial<TransactionEventInput> = {}): TransactionEventInput {
  return { stationTxId: 'TX-A', phase, seqNo, timestamp: at(minute), offline: false, evseId: 1, connectorId: 1, meterValues: [], raw: { seqNo }, ...extra };
}

describe('transaction integrity (field notes §2 #3, §3 #16–#20)', () => {
  let store: Store;
  let domain: Domain;
  let events: DomainEvent[];

  beforeEach(async () => {
    store = await openSqliteStore({ file: ':memory:' });
    const bus = new LocalBus();
    events = [];
    bus.subscribe((e) => events.push(e));
    domain = createDomain(store, bus, { ...defaultDomainConfig, authorizeUnknownIdTokens: true });
    await store.stations.register({ id: STATION });
  });

  afterEach(async () => {
    await store.close();
  });

  const ofType = (type: string) => events.filter((e) => e.type === type);

  it('quirk #19/#20: a replayed TransactionEvent (same seqNo) is recognised and not counted twice', async () => {
    await domain.transactions.event(STATION, event('Started', 0, 0, { meterValues: [register(at(0), 1_000, 'Transaction.Begin')] }));
    const replay = await domain.transactions.event(STATION, event('Started', 0, 0, { meterValues: [register(at(0), 1_000, 'Transaction.Begin')] }));
    assert.equal(replay.duplicate, true);
    await domain.transactions.event(STATION, event('Ended', 1, 30, { meterValues: [register(at(30), 6_000, 'Transaction.End')] }));
    await domain.transactions.event(STATION, event('Ended', 1, 30, { meterValues: [register(at(30), 6_000, 'Transaction.End')] }));
    const [tx] = await domain.transactions.list({ stationId: STATION });
    assert.equal(tx?.energyWh, 5_000);
    assert.equal(ofType('transaction.started').length, 1);
    assert.equal(ofType('transaction.ended').length, 1);
    assert.equal((await store.meterValues.forTransaction(tx!.stationId, tx!.id)).length, 2, 'replayed readings are stored once');
    assert.equal((await domain.transactions.events(tx!.id)).length, 2);
  });

  it('quirk #20: events out of order are ordered by seqNo; a late Started fills in the start', async () => {
    await domain.transactions.event(STATION, event('Updated', 2, 10, { chargingState: 'SuspendedEV', meterValues: [register(at(10), 3_000)] }));
    await domain.transactions.event(STATION, event('Updated', 1, 5, { chargingState: 'Charging', meterValues: [register(at(5), 2_000)] }));
    let [tx] = await domain.transactions.list({ stationId: STATION });
    assert.equal(tx?.chargingState, 'SuspendedEV', 'an older event does not overwrite the newer chargingState');
    assert.equal(tx?.lastSeqNo, 2);
    assert.ok(tx?.flags.includes('missing-started'));
    await domain.transactions.event(STATION, event('Started', 0, 0, { idToken: 'TAG-1', meterValues: [register(at(0), 1_000, 'Transaction.Begin')] }));
    [tx] = await domain.transactions.list({ stationId: STATION });
    assert.equal(tx?.startedAt, at(0));
    assert.equal(tx?.meterStartWh, 1_000);
    assert.equal(tx?.idToken, 'TAG-1');
    assert.equal((await domain.transactions.list({ stationId: STATION })).length, 1, 'one transaction, not three');
  });

  it('quirk #20: an ended transaction is never resurrected by a late Updated', async () => {
    await domain.transactions.event(STATION, event('Started', 0, 0, { meterValues: [register(at(0), 1_000, 'Transaction.Begin')] }));
    await domain.transactions.event(STATION, event('Ended', 3, 30, { stoppedReason: 'EVDisconnected', meterValues: [register(at(30), 9_000, 'Transaction.End')] }));
    await domain.transactions.event(STATION, event('Updated', 2, 20, { chargingState: 'Charging', meterValues: [register(at(20), 8_000)] }));
    const [tx] = await domain.transactions.list({ stationId: STATION });
    assert.equal(tx?.stoppedAt, at(30));
    assert.equal(tx?.stopReason, 'EVDisconnected');
    assert.equal(tx?.energyWh, 8_000);
    assert.equal((await domain.transactions.list({ stationId: STATION, active: true })).length, 0);
    assert.equal((await store.meterValues.forTransaction(tx!.stationId, tx!.id)).length, 3, 'the late reading is still kept');
  });

  it('quirk #16: meterStart 0 followed by a lifetime register is flagged and not billed', async () => {
    await domain.transactions.event(STATION, event('Started', 0, 0, { meterValues: [register(at(0), 0, 'Transaction.Begin')] }));
    await domain.transactions.event(STATION, event('Ended', 1, 30, { meterValues: [register(at(30), 12_345_000, 'Transaction.End')] }));
    const [tx] = await domain.transactions.list({ stationId: STATION });
    assert.ok(tx?.flags.includes('meter-start-zero-suspect'));
    assert.equal(tx?.energyWh, null);
    assert.equal(tx?.meterStopWh, 12_345_000, 'what the station sent is kept');
  });

  it('quirk #16: the same check applies to 1.6 StartTransaction meterStart 0', async () => {
    const started = await domain.transactions.start(STATION, { evseId: 1, connectorId: 1, idToken: 'TAG', meterStartWh: 0, timestamp: at(0) });
    const stopped = await domain.transactions.stop(STATION, { stationTxId: started.transaction.stationTxId, meterStopWh: 4_200_000, timestamp: at(60) });
    assert.ok(stopped.transaction.flags.includes('meter-start-zero-suspect'));
    assert.equal(stopped.transaction.energyWh, null);
  });

  it('a real session that starts from a new meter at 0 is billed normally', async () => {
    const started = await domain.transactions.start(STATION, { evseId: 1, connectorId: 1, idToken: 'TAG', meterStartWh: 0, timestamp: at(0) });
    const stopped = await domain.transactions.stop(STATION, { stationTxId: started.transaction.stationTxId, meterStopWh: 11_000, timestamp: at(60) });
    assert.deepEqual(stopped.transaction.flags, []);
    assert.equal(stopped.transaction.energyWh, 11_000);
  });

  it('E14 reconciliation: a transaction the rebooted station no longer has, with nothing queued, is closed', async () => {
    await domain.transactions.event(STATION, event('Started', 0, 0, { meterValues: [register(at(0), 1_000, 'Transaction.Begin')] }));
    await domain.transactions.event(STATION, event('Updated', 1, 10, { meterValues: [register(at(10), 4_000)] }));
    const kept = await domain.transactions.reconcile(STATION, 'TX-A', { ongoing: false, messagesInQueue: true });
    assert.equal(kept?.stoppedAt, null, 'queued messages will still arrive: kept open');
    const closed = await domain.transactions.reconcile(STATION, 'TX-A', { ongoing: false, messagesInQueue: false });
    assert.notEqual(closed?.stoppedAt, null);
    assert.ok(closed?.flags.includes('closed-by-reconciliation'));
    assert.equal(closed?.meterStopWh, 4_000);
    assert.equal(closed?.energyWh, 3_000);
  });

  it('quirk #18: stale transactions are closed by the job, with the reason recorded', async () => {
    await domain.transactions.event(STATION, event('Started', 0, 0));
    const closed = await domain.transactions.closeStale(60_000, Date.now() + 3_600_000);
    assert.equal(closed.length, 1);
    assert.ok(closed[0]?.flags.includes('closed-stale'));
    const note = events.find((e) => e.type === 'station.notification' && e.data.type === 'transaction.closed-stale');
    assert.match(String(note?.data.why), /no message for this transaction since/);
    assert.equal((await domain.transactions.closeStale(60_000, Date.now() + 3_600_000)).length, 0, 'closed once');
  });

  it('a station that starts a new transaction on a connector with one still open closes the old one (superseded)', async () => {
    const first = await domain.transactions.start(STATION, { evseId: 1, connectorId: 1, idToken: 'TAG', meterStartWh: 100, timestamp: at(0) });
    await domain.transactions.start(STATION, { evseId: 1, connectorId: 1, idToken: 'TAG', meterStartWh: 900, timestamp: at(40) });
    const old = await domain.transactions.get(first.transaction.id);
    assert.equal(old.stoppedAt, at(40));
    assert.ok(old.flags.includes('closed-superseded'));
    assert.equal((await domain.transactions.list({ stationId: STATION, active: true })).length, 1);
  });

  it('quirk #13: meter values without a transaction are kept', async () => {
    await domain.metering.record(STATION, { evseId: 1, connectorId: 0, values: [register(at(1), 5_000)] });
    const values = await domain.metering.forStation(STATION, 10);
    assert.equal(values.length, 1);
    assert.equal(values[0]?.transactionId, null);
  });

  it('baseline check: a suspect zero depends on elapsed time and plausible session energy', () => {
    assert.equal(zeroBaselineSuspect(0, 50_000, 3_600_000, defaultBaselinePolicy), false);
    assert.equal(zeroBaselineSuspect(0, 350_000, 10 * 3_600_000, defaultBaselinePolicy), true);
    assert.equal(zeroBaselineSuspect(0, 30_000, 60_000, defaultBaselinePolicy), true, '30 kWh in one minute is impossible');
    assert.equal(zeroBaselineSuspect(10, 30_000_000, 60_000, defaultBaselinePolicy), false, 'only a zero baseline is suspect');
  });
});
