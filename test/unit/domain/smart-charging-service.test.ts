import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StationCallOutcome, StationCallRequest } from '../../../src/cluster/bus.ts';
import { LocalBus } from '../../../src/cluster/local-bus.ts';
import { defaultDomainConfig } from '../../../src/domain/config.ts';
import { createDomain, type Domain } from '../../../src/domain/domain.ts';
import type { DomainEvent } from '../../../src/domain/events.ts';
import { limitAt } from '../../../src/domain/smart-charging/profile-changes.ts';
import type { ChargingProfile } from '../../../src/domain/smart-charging/charging-profile.ts';
import { DEFAULT_PLAN_OPTIONS } from '../../../src/domain/smart-charging/site-plan.ts';
import type { Store } from '../../../src/store/ports.ts';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

/** One SetChargingProfile as a station received it: when, and when it was answered. */
interface Received {
  stationId: string;
  evseId: number;
  profile: ChargingProfile;
  limit: number | undefined;
  startedMs: number;
  answeredMs: number;
}

describe('smart charging service: re-plans on events and sends what changed', () => {
  let store: Store;
  let bus: LocalBus;
  let domain: Domain;
  let received: Received[];
  let cleared: [string, number][];
  let plans: DomainEvent[];
  let answerDelayMs: number;
  let answer: (request: StationCallRequest) => string;
  const errors: unknown[] = [];

  beforeEach(async () => {
    store = await openSqliteStore({ file: ':memory:' });
    bus = new LocalBus('node-a');
    received = [];
    cleared = [];
    plans = [];
    answerDelayMs = 0;
    answer = () => 'Accepted';
    bus.subscribe((e) => { if (e.type === 'smart-charging.plan') plans.push(e); });
    domain = createDomain(store, bus, {
      ...defaultDomainConfig,
      authorizeUnknownIdTokens: true,
      // EVs of unknown size are offered their EVSE's maximum here (no assumed on-board charger).
      smartCharging: { debounceMs: 30, retryMs: 100_000, onError: (_site, error) => errors.push(error), plan: { ...DEFAULT_PLAN_OPTIONS, assumedEvMaxPowerW: 0 } },
    });
    // The stations, as the gateway would answer for them.
    bus.serveStationCalls(async (request): Promise<StationCallOutcome> => {
      const startedMs = Date.now();
      await sleep(answerDelayMs);
      const neutral = request.neutral;
      if (neutral?.kind === 'ClearChargingProfile') cleared.push([request.stationId, neutral.profileId ?? -1]);
      if (neutral?.kind !== 'SetChargingProfile') return { status: 'completed', response: { status: 'Accepted' }, result: { kind: neutral?.kind ?? 'GetCompositeSchedule', status: 'Accepted' } };
      const status = answer(request);
      received.push({ stationId: request.stationId, evseId: neutral.evseId, profile: neutral.profile, limit: limitAt(neutral.profile, Date.now()), startedMs, answeredMs: Date.now() });
      return { status: 'completed', response: { status }, result: { kind: 'SetChargingProfile', status } };
    });
    await domain.smartCharging.settings.put('S', { name: 'Depot', maxPowerW: 22_080 });
    for (const id of ['A', 'B', 'C']) {
      await store.stations.register({ id });
      bus.claimStation(id);
      await domain.smartCharging.settings.putMember('S', id, 1, { maxCurrentA: 32 });
    }
  });

  afterEach(async () => {
    domain.smartCharging.stop();
    await store.close();
    assert.deepEqual(errors.splice(0), []);
  });

  const start = (stationId: string) => domain.transactions.start(stationId, { evseId: 1, connectorId: 1, idToken: 'TAG', meterStartWh: 0, timestamp: new Date().toISOString() });
  const settle = async () => {
    await sleep(120);
    await domain.smartCharging.replanNow('S');
  };
  const txProfiles = () => received.filter((r) => r.profile.purpose === 'TxProfile');

  it('a site is re-planned once for a burst of changes, and every managed EVSE gets a TxDefaultProfile first', async () => {
    await sleep(100);
    const before = plans.length;
    assert.ok(before >= 1, 'the settings changes re-planned the site');
    const defaults = received.filter((r) => r.profile.purpose === 'TxDefaultProfile');
    assert.deepEqual(defaults.map((r) => r.stationId).sort(), ['A', 'B', 'C']);
    assert.ok(defaults.every((r) => r.limit === 10.6), `22,080 W / 3 idle EVSEs / 690 W per A: ${defaults.map((r) => r.limit)}`);
    await Promise.all([start('A'), start('B'), start('C')]);
    await sleep(150);
    assert.equal(plans.length - before, 1, 'three starts in one burst: one re-plan');
    assert.deepEqual(txProfiles().map((r) => [r.stationId, r.limit]).sort(), [['A', 10.6], ['B', 10.6], ['C', 10.6]]);
  });

  it('profile on start: the TxProfile names the station\'s transaction and follows the start within one re-plan', async () => {
    await sleep(100);
    const t0 = Date.now();
    const { transaction } = await start('A');
    await sleep(100);
    const [profile] = txProfiles();
    assert.equal(profile?.profile.transactionId, transaction.stationTxId);
    assert.ok(profile!.startedMs - t0 < 100, `sent ${profile!.startedMs - t0} ms after the start`);
    assert.equal(profile?.limit, 32, 'alone on the site: the EVSE maximum');
    const stored = await domain.smartCharging.installedProfiles('A');
    assert.deepEqual(stored.map((r) => [r.purpose, r.status, r.transactionId]), [['TxDefaultProfile', 'Accepted', null], ['TxProfile', 'Accepted', transaction.id]]);
    const log = await domain.commands.list('A', 10);
    assert.ok(log.every((c) => c.actor === 'smart-charging' && c.action === 'SetChargingProfile'));
  });

  it('decreases are confirmed by their stations before any increase is sent', async () => {
    await sleep(100);
    await start('A');
    await sleep(100);
    answerDelayMs = 40;
    received = [];
    await start('B');
    await sleep(400);
    const a = received.find((r) => r.stationId === 'A' && r.profile.purpose === 'TxProfile');
    const b = received.find((r) => r.stationId === 'B' && r.profile.purpose === 'TxProfile');
    assert.equal(a?.limit, 16, 'A goes down to half');
    assert.equal(b?.limit, 16);
    const lastDecrease = Math.max(...received.filter((r) => r !== b).map((r) => r.answeredMs));
    assert.ok(b!.startedMs >= lastDecrease, `B's increase was sent ${b!.startedMs - lastDecrease} ms after the last decrease was answered`);
  });

  it('an unchanged plan sends nothing; a rise below the significance threshold is not sent', async () => {
    await sleep(100);
    await start('A');
    await settle();
    const count = received.length;
    await domain.smartCharging.replanNow('S');
    assert.equal(received.length, count, 'nothing changed, nothing sent');
    assert.equal(plans.at(-1)?.data.profilesSent, 0);
    await domain.smartCharging.settings.put('S', { name: 'Depot', maxPowerW: 22_080 + 300 });
    await settle();
    assert.equal(received.length, count, '300 W more (0.4 A) is not significant');
    await domain.smartCharging.settings.put('S', { name: 'Depot', maxPowerW: 22_080 - 300 });
    await settle();
    assert.equal(txProfiles().at(-1)?.limit, 31.5, 'but any decrease is sent');
  });

  it('a station that refuses a decrease holds the increases back; the refusal is recorded, and the station then counts at its maximum', async () => {
    await sleep(100);
    await start('A');
    await settle();
    answer = (request) => (request.stationId === 'A' ? 'Rejected' : 'Accepted');
    received = [];
    await start('B');
    await sleep(200);
    assert.equal(received.filter((r) => r.stationId === 'B' && r.profile.purpose === 'TxProfile').length, 0, 'B was not raised');
    const plan = plans.at(-1)!;
    assert.ok((plan.data.heldBack as number) > 0);
    assert.ok((plan.data.failures as { stationId: string }[]).some((f) => f.stationId === 'A'));
    assert.ok((await domain.smartCharging.installedProfiles('A')).some((r) => r.status === 'Rejected'));
    // Next time A counts as drawing its maximum (it cannot be told otherwise), so B is raised within what is left.
    await domain.smartCharging.replanNow('S');
    const evses = plans.at(-1)!.data.evses as { stationId: string; state: string }[];
    assert.equal(evses.find((e) => e.stationId === 'A')?.state, 'offline');
    const b = received.filter((r) => r.stationId === 'B' && r.profile.purpose === 'TxProfile');
    assert.equal(b.at(-1)?.limit, 0, 'A\'s 32 A leave nothing for B: B is paused rather than the site overloaded');
  });

  it('only the holder of the site lease plans it: another node on the same store leaves it alone', async () => {
    await sleep(100);
    const otherBus = new LocalBus('node-b');
    const other = createDomain(store, otherBus, { ...defaultDomainConfig, smartCharging: { debounceMs: 30 } });
    try {
      assert.equal(await other.smartCharging.replanNow('S'), undefined, 'node-b does not plan a site node-a holds');
      assert.ok(await domain.smartCharging.replanNow('S'));
    } finally {
      other.smartCharging.stop();
    }
  });

  it('a transaction end drops its TxProfile from what is recorded; the EVSE becomes idle again', async () => {
    await sleep(100);
    const { transaction } = await start('A');
    await settle();
    await domain.transactions.stop('A', { stationTxId: transaction.stationTxId, meterStopWh: 1000, timestamp: new Date().toISOString() });
    await settle();
    assert.deepEqual((await domain.smartCharging.installedProfiles('A')).map((r) => r.purpose), ['TxDefaultProfile']);
    const plan = plans.at(-1)!;
    assert.equal((plan.data.evses as { stationId: string; state: string }[]).find((e) => e.stationId === 'A')?.state, 'idle');
  });

  it('an offline station gets nothing and counts at its fallback', async () => {
    await domain.smartCharging.settings.putMember('S', 'C', 1, { maxCurrentA: 32, offlineFallbackA: 16 });
    bus.releaseStation('C');
    await sleep(100);
    received = [];
    await start('A');
    await settle();
    assert.equal(received.filter((r) => r.stationId === 'C').length, 0);
    assert.equal(txProfiles().find((r) => r.stationId === 'A')?.limit, 16, '32 A site minus 16 A fallback');
  });

  it('an EVSE taken out of the site has Joule\'s profiles cleared (its last default would otherwise hold it down)', async () => {
    await sleep(100);
    assert.ok((await domain.smartCharging.installedProfiles('C')).length > 0);
    await domain.smartCharging.settings.deleteMember('S', 'C', 1);
    assert.deepEqual(cleared, [['C', 9_000_001], ['C', 9_500_001]]);
    assert.deepEqual(await domain.smartCharging.installedProfiles('C'), []);
  });

  it('EV charging needs on a managed EVSE become the session\'s need (counted from its start); elsewhere they are refused', async () => {
    await sleep(100);
    const { transaction } = await start('A');
    await store.transactions.updateMeter(transaction.id, 2_000, new Date().toISOString());
    const departure = new Date(Date.now() + 3_600_000).toISOString();
    assert.equal(await domain.smartCharging.evChargingNeeds('A', { evseId: 1, energyWh: 10_000, departure, evMaxCurrentA: 16 }), true);
    const need = await domain.smartCharging.settings.need(transaction.id);
    assert.deepEqual([need.energyWh, need.departure, need.source, need.evMaxCurrentA], [12_000, departure, 'station', 16]);
    assert.equal(await domain.smartCharging.evChargingNeeds('A', { evseId: 2, energyWh: 10_000 }), false, 'EVSE 2 is not managed');
    assert.equal(await domain.smartCharging.evChargingNeeds('B', { evseId: 1, energyWh: 10_000 }), false, 'no transaction on B');
  });
});
