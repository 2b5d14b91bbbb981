import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { EvSpec } from '../../src/sim/ev-model.ts';
import { SimStation } from '../../src/sim/sim-station.ts';
import { SimStation201 } from '../../src/sim/v201/sim-station-201.ts';
import { eventually, startTestServer, type TestServer } from './support/test-server.ts';

/**
 * V2G against simulated stations, real Joule, real sockets. Two sites with the same limit, the same price peak and
 * the same four EVs each (two on OCPP 2.1 stations, one on 2.0.1, one on 1.6), side by side: on site `v2g` the 2.1
 * EVs can discharge (they ask for AC_BPT in NotifyEVChargingNeeds), on site `plain` the same EVs cannot. Costs are
 * what the stations' own power (negative while discharging), sampled every 100 ms, costs at the price of the moment.
 */

const SLOT_S = 3;
const NEED_WH = 15;
const CHEAP = 0.1;
const PEAK = 0.6;
const SITE_LIMIT_W = 30_000;

type Station = SimStation | SimStation201;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const iso = (ms: number) => new Date(ms).toISOString();

function evOf(v2g: boolean): EvSpec {
  return { batteryKWh: 60, initialSocPercent: 50, maxPowerKw: 11, ...(v2g ? { maxDischargeKw: 7.4, minSocPercent: 20 } : {}) };
}

function powerOf(s: Station): number {
  return s instanceof SimStation ? (s.connector(1)?.session?.powerW ?? 0) : s.evsePowerW(1);
}

/** Stored energy of the EV now (Wh), from its state of charge. */
function storedWh(s: Station): number {
  const ev = s instanceof SimStation ? s.connector(1)?.session?.ev : s.evse(1)?.transaction?.ev;
  return ev ? (ev.socPercent / 100) * 60_000 : NaN;
}

/** The CALLs a station received, by action. */
function callsIn(frames: string[], action: string): Record<string, any>[] {
  return frames.map((f) => JSON.parse(f) as unknown[]).filter((f) => f[0] === 2 && f[2] === action).map((f) => f[3] as Record<string, any>);
}

interface SiteRun {
  name: string;
  stations: Station[];
  frames: Map<string, string[]>;
  cost: number;
  peakImportW: number;
  exportedWh: number;
  netWh: number[];
}

function makeSite(server: TestServer, name: string): SiteRun {
  const frames = new Map<string, string[]>();
  const onFrame = (id: string) => (direction: 'in' | 'out', text: string) => { if (direction === 'in') frames.get(id)!.push(text); };
  const id = (n: string) => `${name.toUpperCase()}-${n}`;
  const options = (n: string) => ({ url: server.wsUrl, id: id(n), meterValueSampleInterval: 1, onFrame: onFrame(id(n)) });
  const stations: Station[] = [
    new SimStation201({ ...options('21A'), evses: 1, protocol: 'ocpp2.1' }),
    new SimStation201({ ...options('21B'), evses: 1, protocol: 'ocpp2.1' }),
    new SimStation201({ ...options('201'), evses: 1 }),
    new SimStation({ ...options('16'), connectors: 1 }),
  ];
  for (const s of stations) frames.set(s.id, []);
  return { name, stations, frames, cost: 0, peakImportW: 0, exportedWh: 0, netWh: [] };
}

async function setUp(server: TestServer, run: SiteRun, prices: unknown[]): Promise<void> {
  assert.equal((await server.api('PUT', `/api/v1/sites/${run.name}`, { name: run.name, maxPowerW: SITE_LIMIT_W, slotSeconds: SLOT_S, horizonHours: 0.05 })).status, 200);
  for (const s of run.stations) assert.equal((await server.api('PUT', `/api/v1/sites/${run.name}/evses/${s.id}/1`, { maxCurrentA: 32 })).status, 200);
  assert.equal((await server.api('PUT', `/api/v1/sites/${run.name}/prices`, { prices })).status, 200);
}

/** One driver: arrives, tells (or has the EV tell) the need, unplugs a little after the declared departure. */
async function drive(server: TestServer, run: SiteRun, s: Station, i: number, declaredDeparture: number, unplugAt: number, v2g: boolean): Promise<void> {
  const needs = { energyWh: NEED_WH, departure: iso(declaredDeparture) };
  const started = s instanceof SimStation
    ? await s.startSession(1, `EV-${run.name}-${i}`, { ev: evOf(false) })
    : await s.startSession(1, `EV-${run.name}-${i}`, { ev: evOf(v2g && s.protocol === 'ocpp2.1'), needs });
  assert.ok(started.started, `${s.id} started`);
  if (s instanceof SimStation) {
    const res = await server.api('PUT', `/api/v1/transactions/${String(started.transactionId)}/needs`, { energyWh: NEED_WH, departure: iso(declaredDeparture), evMaxPowerW: 11_000 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
  const before = storedWh(s);
  await sleep(unplugAt - Date.now());
  run.netWh[i] = storedWh(s) - before;
  await s.stopSession(1, 'EVDisconnected' as never);
}

describe('smart charging simulation: V2G with a price peak', () => {
  it('2.1 EVs that may discharge give energy back in the peak, the site limit holds, every session gets its energy, and it costs less than without V2G; 1.6/2.0.1 are never sent a discharge', async (t: TestContext) => {
    const server = await startTestServer({ JOULE_AUTHORIZE_UNKNOWN_ID_TOKENS: 'true' });
    const runs = [makeSite(server, 'v2g'), makeSite(server, 'plain')];
    const all = runs.flatMap((r) => r.stations);
    try {
      // The prices on the planner's grid: cheap, a two-slot peak, cheap again.
      const base = Math.ceil((Date.now() + 6_000) / (SLOT_S * 1000)) * SLOT_S * 1000;
      const peakFrom = base + 2 * SLOT_S * 1000;
      const peakTo = peakFrom + 2 * SLOT_S * 1000;
      const priceAt = (ms: number) => (ms >= peakFrom && ms < peakTo ? PEAK : CHEAP);
      const prices = [
        { start: iso(base - 120_000), end: iso(peakFrom), pricePerKWh: CHEAP },
        { start: iso(peakFrom), end: iso(peakTo), pricePerKWh: PEAK },
        { start: iso(peakTo), end: iso(base + 600_000), pricePerKWh: CHEAP },
      ];
      for (const run of runs) await setUp(server, run, prices);
      for (const s of all) s.start();
      await eventually(() => all.every((s) => s.registration === 'Accepted'), 15_000, 'every station accepted');
      await sleep(Math.max(0, base - SLOT_S * 1000 - Date.now()));

      let last = Date.now();
      const sampler = setInterval(() => {
        const now = Date.now();
        for (const run of runs) {
          const watts = run.stations.map(powerOf);
          const net = watts.reduce((a, b) => a + b, 0);
          run.cost += ((net * (now - last)) / 3_600_000 / 1000) * priceAt(now);
          run.peakImportW = Math.max(run.peakImportW, watts.reduce((a, b) => a + Math.max(0, b), 0));
          run.exportedWh += (watts.reduce((a, b) => a + Math.max(0, -b), 0) * (now - last)) / 3_600_000;
        }
        last = now;
      }, 100);
      // Declared departure 3 slots after the peak; the drivers unplug 2.5 s later (real-time simulators on a shared machine).
      const declared = peakTo + 3 * SLOT_S * 1000;
      try {
        await Promise.all(runs.flatMap((run) => run.stations.map((s, i) => drive(server, run, s, i, declared, declared + 2_500, run.name === 'v2g'))));
      } finally {
        clearInterval(sampler);
      }

      const [v2g, plain] = runs as [SiteRun, SiteRun];
      for (const run of runs) {
        t.diagnostic(`${run.name}: cost ${(run.cost * 100).toFixed(4)} ct, exported ${run.exportedWh.toFixed(1)} Wh, peak import ${Math.round(run.peakImportW)} W, net energy per EV ${run.netWh.map((w) => w.toFixed(1)).join(', ')} Wh`);
        assert.ok(run.peakImportW <= SITE_LIMIT_W + 1e-6, `${run.name}: the site limit holds (${run.peakImportW} W)`);
        for (const [i, wh] of run.netWh.entries()) assert.ok(wh >= NEED_WH - 1.5, `${run.name} EV ${i}: ${wh.toFixed(1)} Wh of ${NEED_WH}`);
      }
      assert.ok(v2g.exportedWh > 5, `the V2G EVs gave energy back (${v2g.exportedWh.toFixed(1)} Wh)`);
      assert.equal(plain.exportedWh, 0, 'without consent nothing is given back');
      assert.ok(v2g.cost < plain.cost, `V2G costs less: ${(v2g.cost * 100).toFixed(4)} < ${(plain.cost * 100).toFixed(4)} ct`);

      // What the stations were sent: discharge setpoints only to the 2.1 stations of the V2G site, only in the peak.
      for (const run of runs) {
        for (const s of run.stations) {
          const periods = callsIn(run.frames.get(s.id)!, 'SetChargingProfile').flatMap((p) => {
            const cp = p.chargingProfile ?? p.csChargingProfiles;
            const schedule = Array.isArray(cp.chargingSchedule) ? cp.chargingSchedule[0] : cp.chargingSchedule;
            return (schedule.chargingSchedulePeriod as Record<string, any>[]).map((period) => ({ period, start: Date.parse(schedule.startSchedule) + period.startPeriod * 1000 }));
          });
          const discharging = periods.filter(({ period }) => period.setpoint !== undefined || period.dischargeLimit !== undefined || period.operationMode !== undefined || period.limit < 0);
          if (run === v2g && s instanceof SimStation201 && s.protocol === 'ocpp2.1') {
            assert.ok(discharging.length > 0, `${s.id} was asked to discharge`);
            for (const { period, start } of discharging) {
              assert.equal(period.operationMode, 'CentralSetpoint');
              assert.ok(period.setpoint < 0 && period.limit === 0);
              assert.ok(start >= peakFrom - 1 && start < peakTo, `only in the peak (${start - peakFrom} ms after its start)`);
            }
          } else {
            assert.deepEqual(discharging, [], `${s.id} (${s instanceof SimStation ? '1.6' : s.protocol}, site ${run.name}) is never sent a discharge`);
          }
        }
      }
      t.diagnostic(`V2G saves ${((plain.cost - v2g.cost) * 100).toFixed(4)} ct (export is paid at the price of the moment)`);
    } finally {
      for (const s of all) await s.stop();
      await server.stop();
    }
  });
});
