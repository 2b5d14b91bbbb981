import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DomainEvent } from '../../../src/domain/events.ts';
import { bootedStation, harness, type Harness } from './harness.ts';

describe('smart charging API: sites, groups, EVSEs, tariffs, prices, demand response, external load, needs, plans', () => {
  let h: Harness;
  const events: DomainEvent[] = [];
  before(async () => {
    h = await harness();
    h.bus.subscribe((e) => { if (e.type === 'smart-charging.changed') events.push(e); });
  });
  after(() => h.close());

  const changed = () => events.splice(0).map((e) => e.data.what);

  it('PUT /sites/{id} creates a site with defaults (operator or admin; a viewer may only read)', async () => {
    assert.equal((await h.call('PUT', '/api/v1/sites/depot', { as: 'viewer', body: { maxPowerW: 100_000 } })).statusCode, 403);
    const res = await h.call('PUT', '/api/v1/sites/depot', { as: 'operator', body: { name: 'Depot', maxPowerW: 100_000, policy: 'first-come' } });
    assert.equal(res.statusCode, 200);
    const site = res.json();
    assert.deepEqual({ ...(site as object), createdAt: '', updatedAt: '' }, {
      id: 'depot', name: 'Depot', policy: 'first-come-first-served', nominalVoltageV: 230, maxPowerW: 100_000, maxCurrentA: null,
      defaultEnergyWh: null, defaultDwellMinutes: null, slotSeconds: 900, horizonHours: 24, createdAt: '', updatedAt: '',
    });
    assert.deepEqual((await h.call('GET', '/api/v1/sites/depot', { as: 'viewer' })).json(), site);
    assert.deepEqual((await h.call('GET', '/api/v1/sites')).json(), [site]);
    assert.deepEqual(changed(), ['site'], 'the planner is told');
    assert.equal((await h.call('GET', '/api/v1/sites/nope')).statusCode, 404);
  });

  it('refuses bad sites with 400: negative limits, unknown policies, half a default need, too many slots, a bad id', async () => {
    const cases: [string, unknown][] = [
      ['depot', { maxPowerW: -1 }],
      ['depot', { policy: 'lottery' }],
      ['depot', { maxCurrentA: [32, 32] }],
      ['depot', { defaultEnergyWh: 10_000 }],
      ['depot', { slotSeconds: 1, horizonHours: 168 }],
      ['bad id!', {}],
    ];
    for (const [id, body] of cases) {
      const res = await h.call('PUT', `/api/v1/sites/${encodeURIComponent(id)}`, { body });
      assert.equal(res.statusCode, 400, `${id} ${JSON.stringify(body)}: ${res.body}`);
    }
    assert.equal((await h.call('GET', '/api/v1/sites/depot')).json().maxPowerW, 100_000, 'nothing was stored');
  });

  it('groups form a tree with limits in W or A per phase; no cycles; a group in use cannot be deleted', async () => {
    assert.equal((await h.call('PUT', '/api/v1/sites/depot/groups/feeder-1', { body: { maxCurrentA: [63, 63, 63], name: 'Feeder 1' } })).statusCode, 200);
    const row = await h.call('PUT', '/api/v1/sites/depot/groups/row-a', { body: { parentId: 'feeder-1', maxPowerW: 44_000 } });
    assert.equal(row.statusCode, 200);
    assert.equal(row.json().parentId, 'feeder-1');
    assert.equal((await h.call('PUT', '/api/v1/sites/depot/groups/feeder-1', { body: { parentId: 'row-a' } })).statusCode, 400, 'a cycle');
    assert.equal((await h.call('PUT', '/api/v1/sites/depot/groups/x', { body: { parentId: 'missing' } })).statusCode, 400);
    assert.deepEqual((await h.call('GET', '/api/v1/sites/depot/groups')).json().map((g: { id: string }) => g.id), ['feeder-1', 'row-a']);
    assert.equal((await h.call('DELETE', '/api/v1/sites/depot/groups/feeder-1')).statusCode, 409, 'it has a child');
    assert.equal((await h.call('PUT', '/api/v1/sites/nope/groups/x', { body: {} })).statusCode, 404);
    changed();
  });

  it('EVSEs join a site with their wiring; wrong combinations are refused', async () => {
    const res = await h.call('PUT', '/api/v1/sites/depot/evses/CS-1/1', { body: { groupId: 'row-a', maxCurrentA: 32, rateUnit: 'W', offlineFallbackA: 10 } });
    assert.equal(res.statusCode, 200);
    assert.deepEqual({ ...(res.json() as object), createdAt: '', updatedAt: '' }, {
      siteId: 'depot', stationId: 'CS-1', evseId: 1, groupId: 'row-a', phases: 3, phase: null, phaseRotation: null, maxCurrentA: 32,
      maxPowerW: null, minCurrentA: null, rateUnit: 'W', offlineFallbackA: 10, priority: 0, createdAt: '', updatedAt: '',
    });
    assert.equal((await h.call('PUT', '/api/v1/sites/depot/evses/CS-2/1', { body: { phases: 1, phase: 'L2', maxCurrentA: 16 } })).statusCode, 200);
    const bad: unknown[] = [
      { maxCurrentA: 32, phases: 1, phaseRotation: 'RST' },
      { maxCurrentA: 32, phase: 'L1' },
      { maxCurrentA: 32, groupId: 'missing' },
      { maxCurrentA: 0 },
      {},
    ];
    for (const body of bad) assert.equal((await h.call('PUT', '/api/v1/sites/depot/evses/CS-3/1', { body })).statusCode, 400, JSON.stringify(body));
    assert.equal((await h.call('PUT', '/api/v1/sites/depot/evses/CS-3/0', { body: { maxCurrentA: 16 } })).statusCode, 400, 'EVSE 0 is the station');
    assert.deepEqual((await h.call('GET', '/api/v1/sites/depot/evses')).json().map((m: { stationId: string }) => m.stationId), ['CS-1', 'CS-2']);
    assert.equal((await h.call('DELETE', '/api/v1/sites/depot/groups/row-a')).statusCode, 409, 'it has an EVSE');
    assert.deepEqual(changed(), ['member', 'member']);
  });

  it('a time-of-use tariff and dynamic price points', async () => {
    assert.equal((await h.call('PUT', '/api/v1/sites/depot/tariff', { body: { timeZone: 'Mars/Olympus', defaultPricePerKWh: 0.3 } })).statusCode, 400);
    assert.equal((await h.call('PUT', '/api/v1/sites/depot/tariff', { body: { defaultPricePerKWh: 0.3, periods: [{ from: '25:00', to: '06:00', pricePerKWh: 0.1 }] } })).statusCode, 400);
    const tariff = await h.call('PUT', '/api/v1/sites/depot/tariff', { body: { timeZone: 'Europe/Berlin', defaultPricePerKWh: 0.3, periods: [{ from: '22:00', to: '06:00', pricePerKWh: 0.12 }] } });
    assert.equal(tariff.statusCode, 200);
    assert.deepEqual((await h.call('GET', '/api/v1/sites/depot/tariff')).json(), tariff.json());
    const start = Date.UTC(2030, 0, 1);
    const prices = [0.2, 0.1].map((price, i) => ({ start: new Date(start + i * 3_600_000).toISOString(), end: new Date(start + (i + 1) * 3_600_000).toISOString(), pricePerKWh: price }));
    assert.deepEqual((await h.call('PUT', '/api/v1/sites/depot/prices', { body: { prices } })).json(), { stored: 2 });
    assert.equal((await h.call('PUT', '/api/v1/sites/depot/prices', { body: { prices: [{ ...prices[0]!, end: prices[0]!.start }] } })).statusCode, 400);
    const stored = (await h.call('GET', `/api/v1/sites/depot/prices?from=${prices[0]!.start}&to=${prices[1]!.end}`)).json();
    assert.deepEqual(stored.map((p: { pricePerKWh: number }) => p.pricePerKWh), [0.2, 0.1]);
    assert.deepEqual((await h.call('DELETE', `/api/v1/sites/depot/prices?before=${prices[0]!.end}`)).json(), { deleted: 1 });
    assert.equal((await h.call('DELETE', '/api/v1/sites/depot/tariff')).statusCode, 204);
    assert.equal((await h.call('GET', '/api/v1/sites/depot/tariff')).statusCode, 404);
    assert.deepEqual(changed(), ['tariff', 'prices', 'prices', 'tariff']);
  });

  it('demand-response events: POST gives an id; PUT with one of the caller\'s; a limit is required; past events are hidden by default', async () => {
    const from = new Date(Date.now() + 3_600_000).toISOString();
    const to = new Date(Date.now() + 7_200_000).toISOString();
    const created = await h.call('POST', '/api/v1/sites/depot/demand-response-events', { body: { from, to, maxPowerW: 50_000, label: 'DSO' } });
    assert.equal(created.statusCode, 201);
    assert.ok(created.json().id);
    const named = await h.call('PUT', '/api/v1/sites/depot/demand-response-events/oscp-17', { body: { groupId: 'feeder-1', from, to, maxCurrentA: 32 } });
    assert.equal(named.statusCode, 200);
    assert.equal(named.json().groupId, 'feeder-1');
    assert.equal((await h.call('POST', '/api/v1/sites/depot/demand-response-events', { body: { from, to } })).statusCode, 400, 'no limit');
    assert.equal((await h.call('POST', '/api/v1/sites/depot/demand-response-events', { body: { from: to, to: from, maxPowerW: 1 } })).statusCode, 400);
    assert.equal((await h.call('POST', '/api/v1/sites/depot/demand-response-events', { body: { from, to, maxPowerW: 1, groupId: 'nope' } })).statusCode, 400);
    const past = { from: new Date(Date.now() - 7_200_000).toISOString(), to: new Date(Date.now() - 3_600_000).toISOString(), maxPowerW: 10 };
    await h.call('PUT', '/api/v1/sites/depot/demand-response-events/old', { body: past });
    assert.equal((await h.call('GET', '/api/v1/sites/depot/demand-response-events')).json().length, 2);
    assert.equal((await h.call('GET', '/api/v1/sites/depot/demand-response-events?includePast=true')).json().length, 3);
    assert.equal((await h.call('DELETE', '/api/v1/sites/depot/demand-response-events/old')).statusCode, 204);
    assert.equal((await h.call('GET', '/api/v1/sites/depot/demand-response-events/old')).statusCode, 404);
    changed();
  });

  it('external load readings: the newest per measuring point', async () => {
    const reading = await h.call('POST', '/api/v1/sites/depot/external-load', { body: { powerW: 12_000 } });
    assert.equal(reading.statusCode, 201);
    await h.call('POST', '/api/v1/sites/depot/external-load', { body: { groupId: 'feeder-1', currentA: [10, 12, 8] } });
    assert.equal((await h.call('POST', '/api/v1/sites/depot/external-load', { body: {} })).statusCode, 400);
    const loads = (await h.call('GET', '/api/v1/sites/depot/external-load')).json();
    assert.deepEqual(loads.map((l: { groupId: string | null; powerW: number | null }) => [l.groupId, l.powerW]), [[null, 12_000], ['feeder-1', null]]);
    assert.deepEqual(changed(), ['external-load', 'external-load']);
  });

  it('session needs: PUT /transactions/{id}/needs; the site default otherwise; not for ended or unknown transactions', async () => {
    await bootedStation(h, 'CS-1');
    const { transaction } = await h.domain.transactions.start('CS-1', { evseId: 1, connectorId: 1, idToken: null, meterStartWh: 0, timestamp: new Date().toISOString() });
    assert.equal((await h.call('GET', `/api/v1/transactions/${transaction.id}/needs`)).statusCode, 404, 'no need and no site default');
    await h.call('PUT', '/api/v1/sites/depot', { body: { name: 'Depot', maxPowerW: 100_000, defaultEnergyWh: 15_000, defaultDwellMinutes: 240 } });
    const fallback = (await h.call('GET', `/api/v1/transactions/${transaction.id}/needs`)).json();
    assert.deepEqual([fallback.source, fallback.energyWh], ['default', 15_000]);
    const departure = new Date(Date.now() + 3_600_000).toISOString();
    const put = await h.call('PUT', `/api/v1/transactions/${transaction.id}/needs`, { as: 'operator', body: { energyWh: 20_000, departure } });
    assert.equal(put.statusCode, 200);
    assert.deepEqual([put.json().source, put.json().energyWh, put.json().departure], ['api', 20_000, departure]);
    assert.equal((await h.call('PUT', `/api/v1/transactions/${transaction.id}/needs`, { as: 'viewer', body: { energyWh: 1, departure } })).statusCode, 403);
    assert.equal((await h.call('PUT', '/api/v1/transactions/999/needs', { body: { energyWh: 1, departure } })).statusCode, 404);
    assert.equal((await h.call('PUT', `/api/v1/transactions/${transaction.id}/needs`, { body: { energyWh: -1, departure } })).statusCode, 400);
    assert.ok(changed().includes('need'));
    await h.domain.transactions.stop('CS-1', { stationTxId: transaction.stationTxId, meterStopWh: 100, timestamp: new Date().toISOString() });
    assert.equal((await h.call('PUT', `/api/v1/transactions/${transaction.id}/needs`, { body: { energyWh: 1, departure } })).statusCode, 409);
    assert.equal((await h.call('DELETE', `/api/v1/transactions/${transaction.id}/needs`)).statusCode, 204);
  });

  it('GET /sites/{id}/plan: limits now, schedules, and the needs that cannot be met with their reason', async () => {
    await bootedStation(h, 'CS-2');
    h.bus.claimStation('CS-1');
    h.bus.claimStation('CS-2');
    const { transaction } = await h.domain.transactions.start('CS-1', { evseId: 1, connectorId: 1, idToken: null, meterStartWh: 0, timestamp: new Date().toISOString() });
    await h.call('PUT', `/api/v1/transactions/${transaction.id}/needs`, { body: { energyWh: 200_000, departure: new Date(Date.now() + 1_800_000).toISOString() } });
    const res = await h.call('GET', '/api/v1/sites/depot/plan', { as: 'viewer' });
    assert.equal(res.statusCode, 200);
    const plan = res.json();
    const evse = plan.evses.find((e: { stationId: string }) => e.stationId === 'CS-1');
    assert.equal(evse.state, 'charging');
    assert.equal(evse.rateUnit, 'W');
    assert.equal(evse.transactionId, transaction.id);
    assert.equal(plan.sessions[0].transactionId, transaction.id);
    assert.equal(plan.sessions[0].limits.length, plan.slots.starts.length);
    assert.equal(plan.unmet[0].transactionId, transaction.id);
    assert.equal(plan.unmet[0].reason, 'departure-too-soon');
    assert.equal(plan.evses.find((e: { stationId: string }) => e.stationId === 'CS-2').state, 'idle');
    assert.equal((await h.call('GET', '/api/v1/sites/nope/plan')).statusCode, 404);
  });

  it('GET /stations/{id}/charging-profiles lists what was sent; an unknown station is 404', async () => {
    await h.store.chargingProfiles.put({
      stationId: 'CS-1', evseId: 1, profileId: 9_000_001, purpose: 'TxDefaultProfile', stackLevel: 1, transactionId: null,
      profile: { id: 9_000_001 }, status: 'Accepted', sentAt: new Date().toISOString(),
    });
    const res = await h.call('GET', '/api/v1/stations/CS-1/charging-profiles', { as: 'viewer' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().map((p: { profileId: number; status: string }) => [p.profileId, p.status]), [[9_000_001, 'Accepted']]);
    assert.equal((await h.call('GET', '/api/v1/stations/NOPE/charging-profiles')).statusCode, 404);
  });

  it('DELETE /sites/{id} removes the site and everything in it', async () => {
    assert.equal((await h.call('DELETE', '/api/v1/sites/depot', { as: 'viewer' })).statusCode, 403);
    assert.equal((await h.call('DELETE', '/api/v1/sites/depot')).statusCode, 204);
    assert.equal((await h.call('GET', '/api/v1/sites/depot/evses')).statusCode, 404);
    assert.equal(await h.store.sites.memberOf('CS-1', 1), undefined);
  });
});
