import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChargingProfile } from '../../../src/domain/smart-charging/charging-profile.ts';
import { profileChange, steppedDownRecently } from '../../../src/domain/smart-charging/profile-changes.ts';
import { learnEvLimit } from '../../../src/domain/smart-charging/ev-limit-learning.ts';
import { DEFAULT_PLAN_OPTIONS, planSite as planWith, TX_DEFAULT_PROFILE_ID_BASE, TX_PROFILE_ID_BASE, type PlanningState } from '../../../src/domain/smart-charging/site-plan.ts';
import { capPeriods, convertScheduleUnit, fitProfileToStation } from '../../../src/domain/smart-charging/station-fit.ts';
import { verifyAllocation } from '../../../src/domain/smart-charging/planner/verify-allocation.ts';
import { buildSiteModel } from '../../../src/domain/smart-charging/site-model-builder.ts';
import type { SiteGroupRecord, SiteMemberRecord, SiteRecord, TransactionRecord } from '../../../src/store/ports.ts';

const NOW = Date.parse('2026-03-02T10:00:07.000Z');
const NO_V2G = { evMaxDischargePowerW: null, evDischargeableWh: null, exportStartWh: null, lastExportWh: null };
/** EVs of unknown size are offered their EVSE's maximum here (see the test of the assumed on-board charger). */
const UNKNOWN_EV = { ...DEFAULT_PLAN_OPTIONS, assumedEvMaxPowerW: 0 };
const planSite = (state: PlanningState) => planWith(state, UNKNOWN_EV);
const E = { voltageV: 230, phases: 3 };

function site(fields: Partial<SiteRecord> = {}): SiteRecord {
  return {
    id: 'S', name: 'Depot', policy: 'equal-share', nominalVoltageV: 230, maxPowerW: 22_000, maxCurrentA: null, defaultEnergyWh: null,
    defaultDwellMinutes: null, slotSeconds: 900, horizonHours: 4, createdAt: '', updatedAt: '', ...fields,
  };
}

function member(stationId: string, fields: Partial<SiteMemberRecord> = {}): SiteMemberRecord {
  return {
    siteId: 'S', stationId, evseId: 1, groupId: null, phases: 3, phase: null, phaseRotation: null, maxCurrentA: 32, maxPowerW: null,
    minCurrentA: null, rateUnit: 'A', offlineFallbackA: null, priority: 0, createdAt: '', updatedAt: '', ...fields,
  };
}

function tx(id: string, stationId: string, fields: Partial<TransactionRecord> = {}): TransactionRecord {
  return {
    id, stationTxId: `st-${id}`, stationId, evseId: 1, connectorId: 1, idToken: null, startedAt: new Date(NOW - 60_000).toISOString(),
    stoppedAt: null, meterStartWh: 0, meterStopWh: null, lastMeterWh: null, energyWh: null, stopReason: null, stopIdToken: null,
    reservationId: null, chargingState: null, lastSeqNo: null, remoteStartId: null, flags: [], createdAt: '', updatedAt: '', ...fields,
  };
}

function state(fields: Partial<PlanningState> = {}): PlanningState {
  return {
    site: site(), groups: [], members: [], loads: [], online: new Set(['A', 'B', 'C', 'D']), tariff: undefined, prices: [], events: [],
    sessions: [], draws: new Map(), offers: new Map(), learned: new Map(), nowMs: NOW, ...fields,
  };
}

function profile(limits: number[], start = NOW, slotSeconds = 900, unit: 'A' | 'W' = 'A', duration?: number): ChargingProfile {
  return {
    id: 1, stackLevel: 1, purpose: 'TxProfile', kind: 'Absolute', transactionId: 't',
    schedules: [{
      startSchedule: new Date(start).toISOString(), chargingRateUnit: unit, ...(duration === undefined ? {} : { duration }),
      periods: limits.map((limit, i) => ({ startPeriod: i * slotSeconds, limit })),
    }],
  };
}

describe('smart charging: fitting a profile to what a station takes (field notes §3 #22)', () => {
  it('A per phase becomes W by voltage and the phases of each period, rounded down; and back', () => {
    const schedule = { chargingRateUnit: 'A' as const, periods: [{ startPeriod: 0, limit: 16, numberPhases: 3 }, { startPeriod: 60, limit: 10, numberPhases: 1 }], minChargingRate: 6 };
    const watts = convertScheduleUnit(schedule, 'W', E);
    assert.deepEqual(watts.periods, [{ startPeriod: 0, limit: 11_040, numberPhases: 3 }, { startPeriod: 60, limit: 2_300, numberPhases: 1 }]);
    assert.equal(watts.minChargingRate, 4_140);
    const amps = convertScheduleUnit({ chargingRateUnit: 'W', periods: [{ startPeriod: 0, limit: 11_000 }] }, 'A', E);
    assert.deepEqual(amps.periods, [{ startPeriod: 0, limit: 15.9 }], '11000 / 690 = 15.94: never more than asked');
  });

  it('too many periods: the last kept one holds the lowest limit of the rest', () => {
    const capped = capPeriods({ chargingRateUnit: 'A', periods: [10, 16, 8, 12, 6, 20].map((limit, i) => ({ startPeriod: i * 60, limit })) }, 3);
    assert.deepEqual(capped.periods, [{ startPeriod: 0, limit: 10 }, { startPeriod: 60, limit: 16 }, { startPeriod: 120, limit: 6 }]);
  });

  it('unknown capabilities change nothing; a W-only station with known wiring gets W', () => {
    const p = profile([16]);
    assert.equal(fitProfileToStation(p, {}, E).profile, p);
    const fitted = fitProfileToStation(p, { rateUnits: ['W'], maxPeriodsPerSchedule: 5 }, E);
    assert.equal(fitted.profile.schedules[0]?.chargingRateUnit, 'W');
    assert.equal(fitted.changes.length, 1);
  });
});

describe('smart charging: which profile changes are sent, and in which order', () => {
  it('an unchanged schedule (even planned from a later start) is not sent again', () => {
    assert.equal(profileChange(profile([16, 8]), profile([16, 8]), NOW, E), undefined);
    assert.equal(profileChange(profile([16, 16, 8], NOW - 900_000), profile([16, 8], NOW), NOW, E), undefined);
  });

  it('any decrease is sent, first; a small rise is not sent; a significant one is, after the decreases', () => {
    assert.deepEqual(profileChange(profile([16, 8]), profile([15.9, 8]), NOW, E), { order: 'down', reason: 'lower limit' });
    assert.equal(profileChange(profile([16]), profile([16.5]), NOW, E), undefined, 'half an ampere more is not worth a message');
    assert.deepEqual(profileChange(profile([10]), profile([12]), NOW, E), { order: 'up', reason: 'significantly higher limit' });
    assert.equal(profileChange(profile([10, 10]), profile([10, 12]), NOW, E)?.order, 'down', 'a rise an hour from now may go with the decreases');
    assert.equal(profileChange(profile([10, 8]), profile([12, 6]), NOW, E)?.order, 'up', 'a rise now goes after the decreases');
  });

  it('a step down the schedule took in the last seconds is noticed (it is confirmed before raises); a step up is not', () => {
    const steps = profile([16, 8, 12], NOW - 901_000, 900);
    assert.equal(steppedDownRecently(steps, NOW, 3_000), true, 'down to 8 A one second ago');
    assert.equal(steppedDownRecently(steps, NOW + 5_000, 3_000), false, 'six seconds ago: done');
    assert.equal(steppedDownRecently(steps, NOW + 900_000, 3_000), false, 'up to 12 A');
  });

  it('a change of unit, transaction or purpose is always sent; so is a profile more than half way through its schedule', () => {
    assert.ok(profileChange(profile([16], NOW, 900, 'A'), profile([11_040], NOW, 900, 'W'), NOW, E));
    assert.ok(profileChange({ ...profile([16]), transactionId: 'old' }, profile([16]), NOW, E));
    assert.ok(profileChange(undefined, profile([16]), NOW, E));
    const old = profile([16], NOW - 3 * 3_600_000, 900, 'A', 4 * 3_600);
    assert.deepEqual(profileChange(old, profile([16], NOW, 900, 'A', 4 * 3_600), NOW, E), { order: 'up', reason: 'renewal' });
  });
});

describe('smart charging: one re-plan of a site', () => {
  const members = ['A', 'B', 'C', 'D'].map((id) => member(id));

  it('sessions share the site limit; idle EVSEs share what is left as their TxDefault; all of it under every limit', () => {
    const plan = planSite(state({ members, site: site({ maxPowerW: 40_000 }), sessions: [{ tx: tx('1', 'A') }, { tx: tx('2', 'B') }] }));
    const [a, b, c, d] = plan.evses;
    assert.equal(a?.state, 'charging');
    assert.equal(a?.limit, 28.9, 'two sessions: 40 kW / 2 / 690 W per A = 28.98 A, rounded down');
    assert.equal(b?.limit, 28.9);
    assert.equal(c?.state, 'idle');
    assert.ok(c!.defaultCurrentA === 0 && d!.defaultCurrentA === 0, 'what is left (about 120 W) is below the minimum: arriving EVs wait for their TxProfile');
    assert.equal(a?.txProfile?.id, TX_PROFILE_ID_BASE + 1);
    assert.equal(a?.txProfile?.transactionId, 'st-1', 'the station\'s own transaction id');
    assert.equal(a?.txProfile?.schedules[0]?.startSchedule, '2026-03-02T10:00:00.000Z', 'the schedule starts on the slot grid');
    const built = buildSiteModel(state({ members, site: site({ maxPowerW: 40_000 }) }));
    const sent = plan.evses.map((e) => ({ evseNodeId: `evse:${e.stationId}:${e.evseId}`, limit: e.state === 'idle' ? e.defaultCurrentA : e.limit, rateUnit: 'A' as const, numberPhases: 3 }));
    assert.deepEqual(verifyAllocation(built.model, sent), []);
  });

  it('with room to spare, each idle EVSE may start at its share: all four at once still fit', () => {
    const plan = planSite(state({ members, site: site({ maxPowerW: 60_000 }), sessions: [{ tx: tx('1', 'A'), need: undefined }], draws: new Map(), offers: new Map() }));
    const [a, , c, d] = plan.evses;
    assert.equal(a?.limit, 32, 'the session gets its EVSE maximum');
    const left = 60_000 - 32 * 690;
    assert.ok(Math.abs(c!.defaultCurrentA - left / 3 / 690) < 1e-9, `each idle EVSE gets a third of what is left (${c!.defaultCurrentA})`);
    assert.equal(c!.defaultCurrentA, d!.defaultCurrentA);
    assert.equal(a!.defaultCurrentA, 32, 'a busy EVSE may keep a default up to what its session frees');
  });

  it('an EV drawing clearly less than offered is planned at what it draws (plus a margin); the others get the rest', () => {
    const sessions = [{ tx: tx('1', 'A') }, { tx: tx('2', 'B') }];
    const offers = new Map([['1', { currentA: 16, sinceMs: NOW - 60_000 }], ['2', { currentA: 16, sinceMs: NOW - 60_000 }]]);
    const draws = new Map([['evse:A:1', { currentA: [7, 7, 7], at: new Date(NOW - 1_000).toISOString() }]]);
    const plan = planSite(state({ members, site: site({ maxPowerW: 22_080 }), sessions, offers, draws }));
    const [a, b] = plan.evses;
    assert.equal(a?.drawCapA, 8, '7 A drawn + 1 A');
    assert.equal(a?.limit, 8);
    assert.equal(b?.limit, 24, 'what A leaves goes to B (32 A - 8 A), in the plan too');
    assert.equal(plan.schedule.sessions.find((s) => s.sessionId === '2')?.limits[1], 24);
    const stale = planSite(state({ members, site: site({ maxPowerW: 22_080 }), sessions, offers: new Map([['1', { currentA: 16, sinceMs: NOW - 500 }]]), draws }));
    assert.equal(stale.evses[0]?.drawCapA, undefined, 'a reading taken just after a new offer may still show the old one: ignored');
  });

  it('an EV that has not been measured is planned as an 11 kW car; one that told its limits, at those', () => {
    const sessions = [{ tx: tx('1', 'A') }, { tx: tx('2', 'B'), need: { transactionId: '2', energyWh: 50_000, departure: new Date(NOW + 7_200_000).toISOString(), source: 'api' as const, evMaxPowerW: 22_000, evMaxCurrentA: null, evMinCurrentA: null, ...NO_V2G, updatedAt: '' } }];
    const plan = planWith(state({ members, site: site({ maxPowerW: 60_000 }), sessions }));
    assert.equal(plan.evses[0]?.drawCapA, 11_000 / 690);
    assert.equal(plan.evses[0]?.limit, 15.9);
    assert.equal(plan.evses[1]?.drawCapA, undefined);
    assert.equal(plan.evses[1]?.limit, 31.9, '22 kW / 690 W per A = 31.88, rounded up to a step so that the need is met');
  });

  it('learning an EV\'s limit is stable: at its learned limit it stays; drawing all of it probes higher; drawing less lowers it', () => {
    assert.equal(learnEvLimit(undefined, 16, 15.5, 6), undefined, 'drawing its offer: nothing to learn');
    assert.equal(learnEvLimit(undefined, 32, 16, 6), 17);
    assert.equal(learnEvLimit(17, 17, 16, 6), 17, 'offered its limit, drawing 1 A below: steady');
    assert.equal(learnEvLimit(17, 17, 16.1, 6), 17);
    assert.equal(learnEvLimit(17, 17, 16.8, 6), 20, 'drawing all of it: may take more');
    assert.equal(learnEvLimit(17, 10, 9.9, 6), 17, 'held below its limit by the site: says nothing about the EV');
    assert.equal(learnEvLimit(17, 17, 12, 6), 13, 'tapering: lower');
    assert.equal(learnEvLimit(17, 17, 2, 6), 6, 'never below the minimum');
  });

  it('a demand-response window in force (or about to start) lowers the limits now; one later is in the schedule', () => {
    const sessions = [{ tx: tx('1', 'A') }];
    const soon = { id: 'dr', siteId: 'S', groupId: null, maxPowerW: 6_900, maxCurrentA: null, from: new Date(NOW + 1_000).toISOString(), to: new Date(NOW + 3_600_000).toISOString(), label: 'grid operator', createdAt: '' };
    const now = planSite(state({ members, sessions, events: [soon] }));
    assert.equal(now.evses[0]?.limit, 10, '6.9 kW / 690 W per A');
    assert.deepEqual(now.windowsInForce, ['grid operator']);
    const later = { ...soon, from: new Date(NOW + 7_200_000).toISOString(), to: new Date(NOW + 9_000_000).toISOString() };
    const plan = planSite(state({ members, sessions, events: [later] }));
    assert.equal(plan.evses[0]?.limit, 31.8, '22 kW site limit now');
    const periods = plan.evses[0]?.txProfile?.schedules[0]?.periods ?? [];
    assert.ok(periods.some((p) => p.limit === 10 && p.startPeriod === 2 * 3_600), `the window is in the schedule: ${JSON.stringify(periods)}`);
    assert.ok(periods.some((p) => p.limit === 31.8 && p.startPeriod === 2 * 3_600 + 45 * 60 + 2), 'and the step up after it 2 s late');
  });

  it('a need that cannot be met is reported with its reason; a met need pauses its session', () => {
    const need = (energyWh: number, minutes: number) => ({
      transactionId: '', energyWh, departure: new Date(NOW + minutes * 60_000).toISOString(), source: 'api' as const,
      evMaxPowerW: null, evMaxCurrentA: null, evMinCurrentA: null, ...NO_V2G, updatedAt: '',
    });
    const plan = planSite(state({
      members,
      sessions: [
        { tx: tx('1', 'A'), need: { ...need(100_000, 30), transactionId: '1' } },
        { tx: tx('2', 'B', { lastMeterWh: 5_000 }), need: { ...need(5_000, 120), transactionId: '2' } },
      ],
    }));
    assert.equal(plan.unmet.length, 1);
    assert.equal(plan.unmet[0]?.transactionId, '1');
    assert.equal(plan.unmet[0]?.reason, 'departure-too-soon');
    assert.equal(plan.evses[1]?.state, 'paused', 'session 2 has its 5 kWh already');
    assert.equal(plan.evses[1]?.limit, 0);
  });

  it('groups: a feeder limit holds for the EVSEs below it; an offline station counts at its fallback and gets no profile', () => {
    const groups: SiteGroupRecord[] = [{ siteId: 'S', id: 'feeder', parentId: null, name: null, maxPowerW: null, maxCurrentA: 16, nominalVoltageV: null, createdAt: '', updatedAt: '' }];
    const ms = [member('A', { groupId: 'feeder' }), member('B', { groupId: 'feeder', offlineFallbackA: 6 }), member('C')];
    const plan = planSite(state({ groups, members: ms, online: new Set(['A', 'C']), sessions: [{ tx: tx('1', 'A') }, { tx: tx('3', 'C') }], site: site({ maxPowerW: null }) }));
    const [a, b, c] = plan.evses;
    assert.equal(a?.limit, 10, '16 A feeder minus 6 A for the offline station');
    assert.equal(a?.limitingGroupId, 'feeder');
    assert.equal(b?.state, 'offline');
    assert.equal(b?.txProfile, undefined);
    assert.equal(c?.limit, 32);
    assert.equal(TX_DEFAULT_PROFILE_ID_BASE + 1, 9_000_001);
  });
});

describe('smart charging: V2G in the site plan', () => {
  const HOUR = 3_600_000;
  const slot0 = Math.floor(NOW / 900_000) * 900_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  // Cheap for an hour, a price peak for the next hour, cheap again.
  const prices = [
    { siteId: 'S', start: iso(slot0 - HOUR), end: iso(slot0 + HOUR), pricePerKWh: 0.1 },
    { siteId: 'S', start: iso(slot0 + HOUR), end: iso(slot0 + 2 * HOUR), pricePerKWh: 0.6 },
    { siteId: 'S', start: iso(slot0 + 2 * HOUR), end: iso(slot0 + 10 * HOUR), pricePerKWh: 0.1 },
  ];
  const need = (v2g: boolean) => ({
    transactionId: '1', energyWh: 10_000, departure: iso(slot0 + 4 * HOUR), source: 'station' as const,
    evMaxPowerW: 11_000, evMaxCurrentA: null, evMinCurrentA: null, ...NO_V2G,
    ...(v2g ? { evMaxDischargePowerW: 7_000, evDischargeableWh: 8_000 } : {}), updatedAt: '',
  });
  const plan = (v2g: boolean, fields: Partial<PlanningState> = {}) =>
    planSite(state({ members: [member('A')], site: site({ maxPowerW: 22_000 }), prices, sessions: [{ tx: tx('1', 'A'), need: need(v2g) }], ...fields }));

  it('an EV that consented discharges during the price peak (CentralSetpoint, negative setpoint), still gets its energy, and the plan costs less', () => {
    const withV2g = plan(true);
    const without = plan(false);
    const periods = withV2g.evses[0]!.txProfile!.schedules[0]!.periods;
    const discharging = periods.filter((p) => p.operationMode === 'CentralSetpoint');
    assert.ok(discharging.length > 0, 'discharges somewhere');
    for (const p of discharging) {
      assert.ok(p.setpoint! < 0 && p.dischargeLimit === p.setpoint && p.limit === 0, JSON.stringify(p));
      const at = Date.parse(withV2g.evses[0]!.txProfile!.schedules[0]!.startSchedule!) + p.startPeriod * 1000;
      assert.ok(at >= slot0 + HOUR && at < slot0 + 2 * HOUR, 'only during the peak');
      assert.ok(-p.setpoint! <= 7_000 / 690 + 1e-9, 'within the EV\'s discharge power');
    }
    const session = withV2g.schedule.sessions[0]!;
    assert.ok(session.energyKWh >= 10 - 1e-6, `net energy by departure: ${session.energyKWh}`);
    assert.ok(session.dischargedKWh > 0);
    assert.equal(session.unmet, undefined);
    assert.ok(withV2g.schedule.totalCost < without.schedule.totalCost, `${withV2g.schedule.totalCost} < ${without.schedule.totalCost}`);
    assert.ok(without.evses[0]!.txProfile!.schedules[0]!.periods.every((p) => p.setpoint === undefined && p.operationMode === undefined), 'no consent: no discharge');
    assert.ok(withV2g.evses[0]!.dischargeSlots! > 0);
  });

  it('what the EV gave back (export register kept with its need) counts against what it was delivered', () => {
    const exported = { ...need(true), exportStartWh: 100, lastExportWh: 3_100 };
    const p = planSite(state({ members: [member('A')], prices, sessions: [{ tx: tx('1', 'A', { lastMeterWh: 5_000 }), need: exported }] }));
    assert.equal(p.schedule.sessions[0]!.requiredKWh, 8, '10 kWh - (5 kWh imported - 3 kWh exported)');
  });
});
