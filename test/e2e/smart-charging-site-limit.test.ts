import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { SimStation } from '../../src/sim/sim-station.ts';
import { SimStation201 } from '../../src/sim/v201/sim-station-201.ts';
import type { DomainEvent } from '../../src/domain/events.ts';
import { eventually, startTestServer, type TestServer } from './support/test-server.ts';

/**
 * Site load management against simulated stations that obey the profiles they receive (the EV draws at most what
 * the installed limits allow; simulators model battery, state of charge, maximum power and taper). Real Joule, real
 * WebSockets, 1.6 and 2.0.1 side by side, simulated time at wall-clock speed; the planner runs on 4-second slots so
 * that a whole day's logic fits in a test.
 */

type AnyStation = SimStation | SimStation201;

function powerOf(station: AnyStation): number {
  return station instanceof SimStation ? (station.connector(1)?.session?.powerW ?? 0) : station.evsePowerW(1);
}

/** Samples the stations' own power every `everyMs`; `stop()` ends it and returns the samples. */
function sampler(stations: readonly AnyStation[], everyMs: number) {
  const samples: { at: number; totalW: number }[] = [];
  const timer = setInterval(() => samples.push({ at: Date.now(), totalW: stations.reduce((sum, s) => sum + powerOf(s), 0) }), everyMs);
  return { samples, stop: () => clearInterval(timer) };
}

async function setUpSite(server: TestServer, body: Record<string, unknown>, stations: readonly AnyStation[], rateUnit: (i: number) => 'A' | 'W' = () => 'A'): Promise<void> {
  assert.equal((await server.api('PUT', '/api/v1/sites/depot', body)).status, 200);
  for (const [i, station] of stations.entries()) {
    const res = await server.api('PUT', `/api/v1/sites/depot/evses/${station.id}/1`, { maxCurrentA: 32, rateUnit: rateUnit(i) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
}

async function startAll(server: TestServer, stations: readonly AnyStation[]): Promise<void> {
  for (const s of stations) s.start();
  await eventually(() => stations.every((s) => s.registration === 'Accepted'), 15_000, 'every station accepted');
  // Every EVSE has its TxDefaultProfile before the first EV arrives.
  await eventually(async () => {
    const profiles = await Promise.all(stations.map((s) => server.api('GET', `/api/v1/stations/${s.id}/charging-profiles`)));
    return profiles.every((p) => p.body.some((r: { purpose: string; status: string }) => r.purpose === 'TxDefaultProfile' && r.status === 'Accepted'));
  }, 15_000, 'default profiles installed');
}

function startSession(station: AnyStation, tag: string): Promise<{ started: boolean; transactionId?: unknown }> {
  return station instanceof SimStation ? station.startSession(1, tag) : station.startSession(1, tag);
}

function stopSession(station: AnyStation): Promise<boolean> {
  return station.stopSession(1, 'EVDisconnected' as never);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function fleet(server: TestServer, count: number, prefix: string): AnyStation[] {
  // Even stations speak 1.6, odd ones 2.0.1; every EV is a 60 kWh car at 20 % on an 11 kW charger.
  return Array.from({ length: count }, (_, i) => {
    const options = { url: server.wsUrl, id: `${prefix}${String(i).padStart(2, '0')}`, meterValueSampleInterval: 1 };
    return i % 2 === 0 ? new SimStation({ ...options, connectors: 1 }) : new SimStation201({ ...options, evses: 1 });
  });
}

/** An operator command as the API lists it (the fields this test reads). */
interface Command {
  stationId: string;
  action: string;
  actor: string;
  status: string;
  request: Record<string, unknown>;
  error: { code: string } | null;
  completedAt: string | null;
}

describe('smart charging simulation: a site never exceeds its limit', () => {
  it('20 stations (1.6 and 2.0.1), a 100 kW site, staggered arrivals: the stations\' power never exceeds 100 kW, and every session gets its energy', async (t: TestContext) => {
    const server = await startTestServer({ JOULE_AUTHORIZE_UNKNOWN_ID_TOKENS: 'true' });
    const stations = fleet(server, 20, 'LIM-');
    const plans: DomainEvent[] = [];
    server.domain.bus.subscribe((e) => { if (e.type === 'smart-charging.plan') plans.push(e); });
    const needWh = 40;
    const stayMs = 36_000;
    // The departure the planner is told is 4 s before the driver really unplugs: the energy is due by the declared
    // departure, and the session is measured when it ends.
    const declaredStayMs = stayMs - 4_000;
    const arrivalEveryMs = 500;
    // Every session needs 40 Wh by its departure 32 s after it starts (the site default; five get theirs through the API):
    // about 825 Wh in about 46 s, with up to 220 kW of EVs plugged in, so the 100 kW limit binds much of the time. The
    // stay leaves some slack over the bare minimum, because the simulators run in real time on a shared CI machine.
    await setUpSite(server, { name: 'Depot', maxPowerW: 100_000, slotSeconds: 4, horizonHours: 0.05, defaultEnergyWh: needWh, defaultDwellMinutes: declaredStayMs / 60_000 }, stations, (i) => (i % 4 === 3 ? 'W' : 'A'));
    const power = sampler(stations, 100);
    try {
      await startAll(server, stations);
      const sessions = stations.map(async (station, i) => {
        await sleep(i * arrivalEveryMs);
        const started = await startSession(station, `DRIVER-${i}`);
        assert.ok(started.started, `${station.id} started`);
        if (station instanceof SimStation && i < 10 && started.transactionId !== undefined) {
          const departure = new Date(Date.now() + declaredStayMs).toISOString();
          const res = await server.api('PUT', `/api/v1/transactions/${String(started.transactionId)}/needs`, { energyWh: needWh + 5, departure, evMaxPowerW: 11_000 });
          assert.equal(res.status, 200);
        }
        await sleep(stayMs);
        await stopSession(station);
      });
      await Promise.all(sessions);
    } finally {
      power.stop();
      for (const s of stations) await s.stop();
    }
    try {
      const peak = Math.max(...power.samples.map((s) => s.totalW));
      const busy = power.samples.filter((s) => s.totalW > 0);
      const atLimit = busy.filter((s) => s.totalW > 95_000).length;
      t.diagnostic(`samples ${power.samples.length} (every 100 ms), peak ${Math.round(peak)} W, time within 5 % of the limit ${(atLimit / 10).toFixed(1)} s, re-plans ${plans.length}`);
      assert.ok(peak <= 100_000 + 1e-6, `peak ${peak} W`);
      assert.ok(atLimit > 20, 'the limit was binding for a while: the site was kept at it, not far below');
      const { body: txs } = await server.api('GET', '/api/v1/transactions?limit=100');
      assert.equal(txs.length, 20);
      const energies = txs.map((tx: { stationId: string; energyWh: number }) => [tx.stationId, tx.energyWh] as const).sort();
      t.diagnostic(`energy per session (Wh): ${energies.map(([id, wh]: readonly [string, number]) => `${id.slice(4)}:${wh}`).join(' ')}`);
      for (const [id, wh] of energies) {
        const need = Number(id.slice(4)) % 2 === 0 && Number(id.slice(4)) < 10 ? needWh + 5 : needWh;
        assert.ok(wh >= need - 1, `${id} got ${wh} Wh of ${need}`);
      }
      // A re-plan as the last sessions end may still have a profile on its way: wait for every answer first.
      const mine = await eventually(async () => {
        const commands = (await server.api('GET', '/api/v1/commands?limit=1000')).body as Command[];
        const sent = commands.filter((c) => c.actor === 'smart-charging');
        return sent.some((c) => c.status === 'pending') ? undefined : sent;
      }, 10_000, 'every profile answered');
      const notAccepted = mine.filter((c) => c.action !== 'SetChargingProfile' || c.status !== 'completed');
      t.diagnostic(`profiles sent ${mine.length}, of which not accepted ${notAccepted.length}${notAccepted.length ? `: ${JSON.stringify(notAccepted.slice(0, 3))}` : ''}`);
      // A plan is a snapshot: a TxProfile planned while a session ran may reach the gateway just after the station
      // stopped it, and is then refused there before it is sent (K01.FR.09). That race is right; any other refusal is not.
      const stoppedAt = new Map<string, string | null>();
      for (const tx of txs as { id: string; stationTxId: string; stationId: string; stoppedAt: string | null }[]) {
        stoppedAt.set(`${tx.stationId}/${tx.id}`, tx.stoppedAt).set(`${tx.stationId}/${tx.stationTxId}`, tx.stoppedAt);
      }
      const refusedAfterStop = (c: Command): boolean => {
        const profile = c.request.profile as { purpose?: string; transactionId?: string } | undefined;
        const stopped = profile?.transactionId === undefined ? undefined : stoppedAt.get(`${c.stationId}/${profile.transactionId}`);
        return c.status === 'failed' && c.error?.code === 'invalid' && profile?.purpose === 'TxProfile' &&
          typeof stopped === 'string' && c.completedAt !== null && stopped <= c.completedAt;
      };
      assert.deepEqual(notAccepted.filter((c) => !refusedAfterStop(c)), []);
      const unmet = plans.flatMap((p) => p.data.unmet as unknown[]);
      t.diagnostic(`unmet needs reported during the run: ${unmet.length}`);
    } finally {
      await server.stop();
    }
  });

  it('a demand-response event is honoured within one re-plan, and one that starts later as it starts', async (t: TestContext) => {
    const server = await startTestServer({ JOULE_AUTHORIZE_UNKNOWN_ID_TOKENS: 'true' });
    const stations = fleet(server, 6, 'DR-');
    const plans: { at: number; data: Record<string, unknown> }[] = [];
    server.domain.bus.subscribe((e) => { if (e.type === 'smart-charging.plan') plans.push({ at: Date.now(), data: e.data }); });
    await setUpSite(server, { name: 'Depot', maxPowerW: 60_000, slotSeconds: 4, horizonHours: 0.05 }, stations);
    const power = sampler(stations, 50);
    try {
      await startAll(server, stations);
      await Promise.all(stations.map((s, i) => startSession(s, `DR-${i}`)));
      await eventually(() => stations.reduce((sum, s) => sum + powerOf(s), 0) > 50_000, 10_000, 'the EVs charging');
      const before = stations.reduce((sum, s) => sum + powerOf(s), 0);

      // Now: the grid operator asks for 20 kW from now on.
      const asked = Date.now();
      const res = await server.api('POST', '/api/v1/sites/depot/demand-response-events', { from: new Date(asked).toISOString(), to: new Date(asked + 8_000).toISOString(), maxPowerW: 20_000, label: 'DR now' });
      assert.equal(res.status, 201);
      await eventually(() => plans.some((p) => (p.data.windowsInForce as string[]).includes('DR now')), 5_000, 'a re-plan with the event');
      const first = plans.find((p) => (p.data.windowsInForce as string[]).includes('DR now'))!;
      const atPlan = stations.reduce((sum, s) => sum + powerOf(s), 0);
      t.diagnostic(`before ${Math.round(before)} W; DR (20 kW) asked; first re-plan with it published ${first.at - asked} ms later, power then ${Math.round(atPlan)} W`);
      assert.ok(atPlan <= 20_000 + 1e-6, `after the first re-plan: ${atPlan} W`);
      await sleep(200);
      const honoured = power.samples.find((s) => s.at >= asked && s.totalW <= 20_000)!;
      t.diagnostic(`power at or below 20 kW ${honoured.at - asked} ms after the request`);
      assert.ok(honoured.at - asked < 2_000);

      // Later: 12 kW from 4 s from now, for 3 s; the stations must be under it from its start (their schedules hold it).
      const from = Date.now() + 4_000;
      await server.api('PUT', '/api/v1/sites/depot/demand-response-events/later', { from: new Date(from).toISOString(), to: new Date(from + 3_000).toISOString(), maxPowerW: 12_000, label: 'DR later' });
      await sleep(from + 3_000 - Date.now());
      const during = power.samples.filter((s) => s.at >= from + 50 && s.at < from + 3_000);
      const worst = Math.max(...during.map((s) => s.totalW));
      t.diagnostic(`scheduled DR (12 kW): ${during.length} samples during it, highest ${Math.round(worst)} W`);
      assert.ok(during.length > 20 && worst <= 12_000 + 1e-6, `${worst} W during the window`);
      // Both over: the limits rise again at the next slot boundary after the end (a slot is limited whole).
      await sleep(Math.max(asked + 8_000, from + 3_000) + 6_000 - Date.now());
      const after = power.samples.at(-1)!.totalW;
      t.diagnostic(`after both events ${Math.round(after)} W`);
      assert.ok(after > 20_000, 'the EVs charge faster again once the events are over');
    } finally {
      power.stop();
      for (const s of stations) await s.stop();
      await server.stop();
    }
  });
});
