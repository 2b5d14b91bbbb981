import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { SimStation } from '../../src/sim/sim-station.ts';
import { eventually, startTestServer, type TestServer } from './support/test-server.ts';

/**
 * Optimisation against simulated stations: the same six EVs, the same site limit and the same price signal, once
 * planned by Joule knowing the prices and the EVs' needs, once with plain equal sharing (no prices, no needs: every EV
 * charges at once until it has its energy). The cost is what the stations' own power, sampled every 100 ms, costs
 * at the price of the moment.
 */

const STATIONS = 6;
const NEED_WH = 25;
const SLOT_S = 4;
const EXPENSIVE = 0.4;
const CHEAP = 0.1;

interface Run {
  costPerSession: number;
  energyWh: number[];
  pricePaid: number;
  peakW: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Expensive before `base + 12 s` and after `base + 28 s`, cheap in between. */
function priceAt(base: number, ms: number): number {
  return ms >= base + 12_000 && ms < base + 28_000 ? CHEAP : EXPENSIVE;
}

async function run(tariffAware: boolean, t: TestContext): Promise<Run> {
  const server: TestServer = await startTestServer({ JOULE_AUTHORIZE_UNKNOWN_ID_TOKENS: 'true' });
  const prefix = tariffAware ? 'TA-' : 'EQ-';
  const stations = Array.from({ length: STATIONS }, (_, i) => new SimStation({ url: server.wsUrl, id: `${prefix}${i}`, connectors: 1, meterValueSampleInterval: 1 }));
  try {
    assert.equal((await server.api('PUT', '/api/v1/sites/depot', { name: 'Depot', maxPowerW: 60_000, slotSeconds: SLOT_S, horizonHours: 0.05 })).status, 200);
    for (const s of stations) assert.equal((await server.api('PUT', `/api/v1/sites/depot/evses/${s.id}/1`, { maxCurrentA: 32 })).status, 200);
    for (const s of stations) s.start();
    await eventually(() => stations.every((s) => s.registration === 'Accepted'), 15_000, 'accepted');
    await sleep(1_000);
    // The prices are on the planner's slot grid.
    const base = Math.ceil((Date.now() + 2_000) / (SLOT_S * 1000)) * SLOT_S * 1000;
    if (tariffAware) {
      const iso = (ms: number) => new Date(ms).toISOString();
      const prices = [
        { start: iso(base - 120_000), end: iso(base + 12_000), pricePerKWh: EXPENSIVE },
        { start: iso(base + 12_000), end: iso(base + 28_000), pricePerKWh: CHEAP },
        { start: iso(base + 28_000), end: iso(base + 600_000), pricePerKWh: EXPENSIVE },
      ];
      assert.equal((await server.api('PUT', '/api/v1/sites/depot/prices', { prices })).status, 200);
    }
    let costEur = 0;
    let energyWh = 0;
    let peakW = 0;
    let last = Date.now();
    const power = () => stations.reduce((sum, s) => sum + (s.connector(1)?.session?.powerW ?? 0), 0);
    const sampler = setInterval(() => {
      const now = Date.now();
      const watts = power();
      const wh = (watts * (now - last)) / 3_600_000;
      energyWh += wh;
      costEur += (wh / 1000) * priceAt(base, now);
      peakW = Math.max(peakW, watts);
      last = now;
    }, 100);
    const departure = base + 32_000;
    const delivered: number[] = [];
    try {
      await Promise.all(stations.map(async (station, i) => {
        const started = await station.startSession(1, `EV-${i}`);
        assert.ok(started.started);
        const startWh = station.connector(1)!.energyWh;
        if (tariffAware) {
          const res = await server.api('PUT', `/api/v1/transactions/${started.transactionId}/needs`, { energyWh: NEED_WH, departure: new Date(departure).toISOString() });
          assert.equal(res.status, 200);
        }
        // Plain equal sharing knows no needs: the driver leaves once the car has its energy (or at departure).
        while (Date.now() < departure) {
          if (!tariffAware && station.connector(1)!.energyWh - startWh >= NEED_WH) break;
          await sleep(100);
        }
        await station.stopSession(1, 'EVDisconnected');
      }));
    } finally {
      clearInterval(sampler);
    }
    const { body: txs } = await server.api('GET', '/api/v1/transactions?limit=100');
    for (const tx of txs) delivered.push(tx.energyWh);
    t.diagnostic(`${tariffAware ? 'tariff-aware' : 'equal sharing'}: ${energyWh.toFixed(1)} Wh, cost ${(costEur * 100).toFixed(3)} ct, average price ${(costEur / (energyWh / 1000)).toFixed(3)} per kWh, peak ${Math.round(peakW)} W, per session ${delivered.join(', ')} Wh`);
    return { costPerSession: costEur / STATIONS, energyWh: delivered, pricePaid: costEur / (energyWh / 1000), peakW };
  } finally {
    for (const s of stations) await s.stop();
    await server.stop();
  }
}

describe('smart charging simulation: a tariff-aware plan costs less than plain equal sharing', () => {
  it('the same six EVs and prices: Joule moves the charging into the cheap hours, meets every need, and pays less', async (t) => {
    const equal = await run(false, t);
    const aware = await run(true, t);
    for (const r of [equal, aware]) {
      assert.equal(r.energyWh.length, STATIONS);
      for (const wh of r.energyWh) assert.ok(wh >= NEED_WH - 1, `every EV got its ${NEED_WH} Wh (${wh})`);
      assert.ok(r.peakW <= 60_000 + 1e-6, `peak ${r.peakW}`);
    }
    t.diagnostic(`cost per session: tariff-aware ${(aware.costPerSession * 100).toFixed(3)} ct, equal sharing ${(equal.costPerSession * 100).toFixed(3)} ct (${((1 - aware.costPerSession / equal.costPerSession) * 100).toFixed(0)} % less)`);
    assert.ok(aware.costPerSession < equal.costPerSession, 'cheaper per session');
    assert.ok(aware.pricePaid < equal.pricePaid, 'a lower average price per kWh');
  });
});
