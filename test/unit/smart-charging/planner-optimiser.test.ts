import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../../src/domain/errors.ts';
import { planImmediateCharging } from '../../../src/domain/smart-charging/planner/immediate-charging-baseline.ts';
import type { LimitWindow } from '../../../src/domain/smart-charging/planner/limit-windows.ts';
import type { OptimisationResult, SessionSchedule } from '../../../src/domain/smart-charging/planner/plan-result.ts';
import { optimiseSchedules, type OptimiseInput } from '../../../src/domain/smart-charging/planner/schedule-optimiser.ts';
import type { SessionInput } from '../../../src/domain/smart-charging/planner/session.ts';
import type { EvseNode, GroupNode, NodeLimit, SiteModel, SiteNode } from '../../../src/domain/smart-charging/planner/site-model.ts';
import type { PriceInput } from '../../../src/domain/smart-charging/planner/tariff.ts';
import { verifySchedules } from '../../../src/domain/smart-charging/planner/verify-allocation.ts';

// Monday 2 June 2025, 16:00 UTC; slots of 15 minutes, 96 of them.
const START = '2025-06-02T16:00:00.000Z';
const T0 = Date.parse(START);
const at = (hours: number): string => new Date(T0 + hours * 3_600_000).toISOString();
const slotOf = (hours: number): number => Math.round(hours * 4);

/** Evening peak 17:00-21:00 at 0.40, night 00:00-06:00 at 0.10, otherwise 0.25 (UTC clock). */
const TOU: PriceInput = {
  timeOfUse: {
    defaultPricePerKWh: 0.25,
    periods: [
      { from: '17:00', to: '21:00', pricePerKWh: 0.4 },
      { from: '00:00', to: '06:00', pricePerKWh: 0.1 },
    ],
  },
};

function evse(id: string, over: Partial<EvseNode> = {}): EvseNode {
  return { kind: 'evse', id, stationId: `CS-${id}`, evseId: 1, phases: 3, maxCurrentA: 16, rateUnit: 'A', ...over };
}
function group(id: string, limit: NodeLimit | undefined, children: SiteNode[]): GroupNode {
  return { kind: 'group', id, limit, children };
}
function session(id: string, evseNodeId: string, kwh: number | undefined, departureHours: number, over: Partial<SessionInput> = {}): SessionInput {
  const s: SessionInput = { id, evseNodeId, startedAt: at(-1), ...over };
  if (kwh !== undefined) s.energyNeed = { energyKWh: kwh, departure: at(departureHours) };
  return s;
}
function plan(site: SiteModel, sessions: SessionInput[], over: Partial<OptimiseInput> = {}): OptimisationResult {
  return optimiseSchedules({ site, sessions, start: START, prices: TOU, ...over });
}
function byId(result: OptimisationResult): Map<string, SessionSchedule> {
  return new Map(result.sessions.map((s) => [s.sessionId, s]));
}
/** Energy a schedule gives between two times (hours from START), as currents x 230 V x phases x slot length. */
function energyIn(result: OptimisationResult, s: SessionSchedule, fromHours: number, toHours: number): number {
  const perHour = 60 / result.slotMinutes;
  let kwh = 0;
  for (let t = Math.round(fromHours * perHour); t < Math.round(toHours * perHour); t++) kwh += (s.currentA[t]! * 230 * s.numberPhases) / perHour / 1000;
  return kwh;
}
function assertNoViolations(site: SiteModel, result: OptimisationResult, windows: LimitWindow[] = []): void {
  assert.deepEqual(verifySchedules(site, result, windows.map((w) => ({ groupId: w.groupId, from: w.from, to: w.to, limit: w.limit }))), []);
}
/** Per-phase currents between 0 and the minimum are useless trickles; the planner never plans them. */
function assertNoTrickle(result: OptimisationResult, minA = 6): void {
  for (const s of result.sessions) for (const a of s.currentA) assert.ok(a === 0 || Math.abs(a) >= minA - 1e-9, `${s.sessionId}: ${a} A`);
}

const threeEvs = (): SiteModel => ({ policy: 'equal-share', root: group('site', { maxCurrentA: 32 }, [evse('a'), evse('b'), evse('c')]) });

describe('24-hour optimisation: cost', () => {
  it('with a time-of-use tariff the plan charges at night and costs less than equal sharing from now on', () => {
    const site = threeEvs();
    // Each EV needs 20 kWh by 07:00 tomorrow (15 h from now).
    const sessions = ['a', 'b', 'c'].map((e) => session(e, e, 20, 15));
    const optimised = plan(site, sessions);
    const baseline = planImmediateCharging({ site, sessions, start: START, prices: TOU });
    for (const r of [optimised, baseline]) {
      for (const s of r.sessions) {
        assert.equal(s.unmet, undefined, s.sessionId);
        assert.ok(s.energyKWh >= 20, `${s.sessionId}: ${s.energyKWh} kWh`);
      }
      assertNoViolations(site, r);
      assertNoTrickle(r);
    }
    // Baseline: 60 kWh in the 16:00-21:00 span, much of it at peak price. Optimised: all of it at 0.10.
    assert.ok(optimised.totalCost < baseline.totalCost * 0.5, `optimised ${optimised.totalCost}, equal share ${baseline.totalCost}`);
    for (const s of optimised.sessions) {
      assert.equal(energyIn(optimised, s, 1, 5), 0, `${s.sessionId} charged in the evening peak`);
      assert.ok(Math.abs(s.cost - s.energyKWh * 0.1) < 1e-6, `${s.sessionId} paid ${s.cost} for ${s.energyKWh} kWh`);
    }
  });

  it('with a dynamic price signal the plan follows the cheapest hours', () => {
    const site: SiteModel = { policy: 'equal-share', root: group('site', { maxCurrentA: 16 }, [evse('a')]) };
    // Hourly prices; hour 10 (02:00) is the cheapest, then hour 3.
    const dynamic = Array.from({ length: 24 }, (_, h) => ({ start: at(h), end: at(h + 1), pricePerKWh: h === 10 ? 0.01 : h === 3 ? 0.02 : 0.3 }));
    const result = plan(site, [session('a', 'a', 15, 20)], { prices: { dynamic } });
    const s = result.sessions[0]!;
    // 16 A x 3 x 230 V = 11.04 kW: 11.04 kWh in hour 10, the rest (3.96 kWh) in hour 3.
    assert.ok(Math.abs(energyIn(result, s, 10, 11) - 11.04) < 1e-9);
    assert.ok(energyIn(result, s, 3, 4) >= 15 - 11.04 - 1e-9);
    assert.ok(energyIn(result, s, 0, 3) + energyIn(result, s, 4, 10) + energyIn(result, s, 11, 24) === 0);
  });

  it('equal prices: the earliest slots are used (energy early is the safer choice)', () => {
    const site: SiteModel = { policy: 'equal-share', root: group('site', undefined, [evse('a')]) };
    const result = plan(site, [session('a', 'a', 11.04, 10)], { prices: { timeOfUse: { defaultPricePerKWh: 0.2 } } });
    assert.deepEqual(result.sessions[0]!.limits.slice(0, 5), [16, 16, 16, 16, 0]);
  });
});

describe('24-hour optimisation: limits over time', () => {
  it('a demand-response event lowers the site limit from T1 to T2, and the plan honours it in every slot', () => {
    const site = threeEvs();
    const dr: LimitWindow[] = [{ from: at(8), to: at(11), limit: { maxCurrentA: 6 }, label: 'DR 42' }];
    // Night prices would put everything in 00:00-03:00 (hours 8-11), exactly when the event holds.
    const sessions = ['a', 'b', 'c'].map((e) => session(e, e, 12, 15));
    const result = plan(site, sessions, { limitWindows: dr });
    assertNoViolations(site, result, dr);
    for (let t = slotOf(8); t < slotOf(11); t++) {
      assert.deepEqual(result.windowsApplied[t], ['DR 42']);
      const total = result.sessions.reduce((sum, s) => sum + s.currentA[t]!, 0);
      assert.ok(total <= 6, `slot ${t}: ${total} A`);
    }
    assert.deepEqual(result.windowsApplied[slotOf(11)], []);
    for (const s of result.sessions) assert.equal(s.unmet, undefined);
  });

  it('a window that covers only part of a slot holds for the whole slot', () => {
    const site: SiteModel = { policy: 'equal-share', root: group('site', { maxCurrentA: 32 }, [evse('a')]) };
    const window: LimitWindow = { from: new Date(T0 + (8 * 60 + 10) * 60_000).toISOString(), to: new Date(T0 + (8 * 60 + 20) * 60_000).toISOString(), limit: { maxPowerW: 0 } };
    const result = plan(site, [session('a', 'a', 40, 15)], { limitWindows: [window] });
    assert.equal(result.sessions[0]!.currentA[slotOf(8)], 0);
    assert.equal(result.sessions[0]!.currentA[slotOf(8) + 1], 0);
    assert.equal(result.sessions[0]!.currentA[slotOf(8) + 2], 16);
  });

  it('a peak-shaving window on one feeder moves that feeder\'s charging, not the other feeder\'s', () => {
    const site: SiteModel = {
      policy: 'equal-share',
      root: group('site', undefined, [group('f1', { maxCurrentA: 16 }, [evse('a')]), group('f2', { maxCurrentA: 16 }, [evse('b')])]),
    };
    const window: LimitWindow = { groupId: 'f1', from: at(8), to: at(14), limit: { maxPowerW: 0 }, label: 'f1 peak shaving' };
    const result = plan(site, [session('a', 'a', 10, 15), session('b', 'b', 10, 15)], { limitWindows: [window] });
    const s = byId(result);
    assert.equal(energyIn(result, s.get('a')!, 8, 14), 0);
    assert.ok(energyIn(result, s.get('b')!, 8, 9) > 0);
    assert.equal(s.get('a')!.unmet, undefined);
    assertNoViolations(site, result, [window]);
  });
});

describe('24-hour optimisation: departure energy', () => {
  it('is met when capacity allows, even when that means expensive slots', () => {
    const site: SiteModel = { policy: 'equal-share', root: group('site', { maxCurrentA: 16 }, [evse('a')]) };
    // 15 kWh by 18:00 (2 h, 11.04 kW): only 16:00-18:00 is possible, the 17:00 peak included.
    const result = plan(site, [session('a', 'a', 15, 2)]);
    const s = result.sessions[0]!;
    assert.equal(s.unmet, undefined);
    assert.ok(s.energyKWh >= 15);
    assert.ok(energyIn(result, s, 1, 2) > 0, 'had to use the 17:00 peak');
    assert.equal(energyIn(result, s, 2, 24), 0, 'nothing after departure');
  });

  it('departure too soon: reported with the shortfall when even full power cannot make it', () => {
    const site: SiteModel = { policy: 'equal-share', root: group('site', undefined, [evse('a')]) };
    const s = plan(site, [session('a', 'a', 30, 1)]).sessions[0]!;
    assert.equal(s.unmet?.reason, 'departure-too-soon');
    assert.ok(Math.abs(s.unmet.shortfallKWh - (30 - 11.04)) < 0.01, String(s.unmet.shortfallKWh));
    assert.match(s.unmet.detail, /at most 11.04 kWh fit before departure/);
  });

  it("EV max power: reported as such when the EVSE alone could have made it", () => {
    const site: SiteModel = { policy: 'equal-share', root: group('site', undefined, [evse('a', { maxCurrentA: 32 })]) };
    // A 3.7 kW single-phase EV on a 22 kW EVSE, 20 kWh in 4 h.
    const s = plan(site, [session('a', 'a', 20, 4, { evPhases: 1, evMaxPowerW: 3_700 })]).sessions[0]!;
    assert.equal(s.unmet?.reason, 'ev-max-power');
    assert.ok(s.energyKWh > 14 && s.energyKWh <= 14.8, String(s.energyKWh));
  });

  it('capacity: reported with the group that held the sessions back', () => {
    const site: SiteModel = { policy: 'equal-share', root: group('site', undefined, [group('feeder', { maxCurrentA: 16 }, [evse('a'), evse('b')])]) };
    const result = plan(site, [session('a', 'a', 15, 2), session('b', 'b', 15, 2)]);
    const unmet = result.sessions.filter((s) => s.unmet !== undefined);
    assert.ok(unmet.length >= 1);
    for (const s of unmet) {
      assert.equal(s.unmet!.reason, 'capacity');
      assert.deepEqual(s.unmet!.limitingGroupIds, ['feeder']);
    }
    // Together they got everything the feeder could give in 2 h: 16 A x 3 x 230 V x 2 h.
    const total = result.sessions.reduce((sum, s) => sum + s.energyKWh, 0);
    assert.ok(total > 22.08 - 0.5 && total <= 22.08 + 1e-9, String(total));
  });

  it('earliest departure first: a short stay is served before a long one takes the cheap slots', () => {
    const site: SiteModel = { policy: 'equal-share', root: group('site', { maxCurrentA: 16 }, [evse('a'), evse('b')]) };
    // Both need the whole capacity of the 16:00-18:00 window? No: "short" needs 11 kWh by 18:00 (all of it), "long"
    // has all night. Serving "long" first in the cheapest slots would still leave 16:00-18:00 to "short".
    const result = plan(site, [session('long', 'a', 30, 15), session('short', 'b', 11, 2)]);
    const s = byId(result);
    assert.equal(s.get('short')!.unmet, undefined);
    assert.equal(s.get('long')!.unmet, undefined);
    assertNoViolations(site, result);
  });

  it('a fast EV that took the cheap slots moves over so that a slow EV can meet its need too', () => {
    const site: SiteModel = { policy: 'equal-share', root: group('site', { maxCurrentA: 16 }, [evse('fast'), evse('slow')]) };
    // Both leave in 1 h and need 5.52 kWh. "fast" (16 A) alone would take the two cheap slots at 16 A; "slow" (8 A)
    // needs 8 A in all four slots. Both fit only if "fast" also runs at 8 A all the time.
    const dynamic = [0.1, 0.1, 0.3, 0.3].map((p, i) => ({ start: new Date(T0 + i * 900_000).toISOString(), end: new Date(T0 + (i + 1) * 900_000).toISOString(), pricePerKWh: p }));
    const result = plan(site, [session('fast', 'fast', 5.52, 1, { arrivalOrder: 1 }), session('slow', 'slow', 5.52, 1, { arrivalOrder: 2, evMaxCurrentA: 8 })], {
      prices: { dynamic, timeOfUse: { defaultPricePerKWh: 0.3 } },
    });
    const s = byId(result);
    assert.equal(s.get('fast')!.unmet, undefined);
    assert.equal(s.get('slow')!.unmet, undefined, s.get('slow')!.unmet?.detail);
    assert.deepEqual(s.get('slow')!.currentA.slice(0, 4), [8, 8, 8, 8]);
    assert.deepEqual(s.get('fast')!.currentA.slice(0, 4), [8, 8, 8, 8]);
    assertNoViolations(site, result);
  });

  it('priority decides who falls short when capacity does not allow both', () => {
    const site: SiteModel = { policy: 'priority', root: group('site', { maxCurrentA: 16 }, [evse('a'), evse('b')]) };
    // 16:00-18:00 holds 22 kWh. "low" leaves at 18:00 needing 15; "high" leaves at 19:00 needing 20 and has only
    // 16:00-19:00 (33 kWh in all). Both cannot be served; the higher priority is.
    const result = plan(site, [session('low', 'a', 15, 2, { priority: 0 }), session('high', 'b', 20, 3, { priority: 1 })]);
    const s = byId(result);
    assert.equal(s.get('high')!.unmet, undefined);
    assert.equal(s.get('low')!.unmet?.reason, 'capacity');
    assert.match(s.get('low')!.unmet!.detail, /higher priority/);
    assertNoViolations(site, result);
  });

  it('departure beyond the horizon: only what cannot be delivered after it must be delivered within it', () => {
    const site: SiteModel = { policy: 'equal-share', root: group('site', undefined, [evse('a')]) };
    // 100 kWh by 32 h from now at 11.04 kW: 8 h after the horizon give 88.32 kWh, 11.68 kWh are due within it.
    const s = plan(site, [session('a', 'a', 100, 32)]).sessions[0]!;
    assert.equal(s.requestedKWh, 100);
    assert.ok(Math.abs(s.requiredKWh! - 11.68) < 0.001, String(s.requiredKWh));
    assert.equal(s.unmet, undefined);
    assert.ok(s.energyKWh >= 11.68 && s.energyKWh < 11.68 + 1.1);
  });

  it('a departure already passed is reported, and the session still charges with what is left', () => {
    const site: SiteModel = { policy: 'equal-share', root: group('site', undefined, [evse('a')]) };
    const s = plan(site, [session('a', 'a', 10, -0.5)]).sessions[0]!;
    assert.equal(s.unmet?.reason, 'departure-too-soon');
    assert.equal(s.mode, 'opportunistic');
    assert.ok(s.energyKWh > 0);
  });

  it("the site's default need applies to sessions that bring none", () => {
    const site: SiteModel = { policy: 'equal-share', root: group('site', undefined, [evse('a'), evse('b')]) };
    const result = plan(site, [session('a', 'a', undefined, 0), session('b', 'b', 5, 10)], { defaultNeed: { energyKWh: 8, dwellMinutes: 10 * 60 } });
    const s = byId(result);
    assert.equal(s.get('a')!.needSource, 'site-default');
    assert.equal(s.get('a')!.departure, at(9)); // started an hour ago, stays 10 h
    assert.ok(s.get('a')!.energyKWh >= 8);
    assert.equal(s.get('b')!.needSource, 'session');
  });

  it('a site default whose dwell time is over makes the session opportunistic, with nothing reported unmet', () => {
    const site: SiteModel = { policy: 'equal-share', root: group('site', undefined, [evse('a')]) };
    const s = plan(site, [session('a', 'a', undefined, 0)], { defaultNeed: { energyKWh: 8, dwellMinutes: 30 } }).sessions[0]!;
    assert.equal(s.mode, 'opportunistic');
    assert.equal(s.needSource, 'site-default');
    assert.equal(s.unmet, undefined);
    assert.ok(s.energyKWh > 0);
  });

  it('an expected arrival is planned only from when it arrives', () => {
    const site: SiteModel = { policy: 'equal-share', root: group('site', undefined, [evse('a')]) };
    const result = plan(site, [{ id: 'a', evseNodeId: 'a', startedAt: at(10), energyNeed: { energyKWh: 5, departure: at(14) } }]);
    const s = result.sessions[0]!;
    assert.equal(energyIn(result, s, 0, 10), 0);
    assert.ok(s.energyKWh >= 5);
  });
});

describe('24-hour optimisation: EV limits', () => {
  it('an EV that draws less than the minimum is offered the minimum, and only what it draws counts as energy', () => {
    const site: SiteModel = { policy: 'equal-share', root: group('site', undefined, [evse('a')]) };
    // 1.38 kW on three phases is 2 A per phase; the offer is 6 A, the energy 1.38 kWh per hour.
    const result = plan(site, [session('a', 'a', 2.76, 15, { evPhases: 3, evMaxPowerW: 1_380 })]);
    const s = result.sessions[0]!;
    assert.equal(s.unmet, undefined);
    assert.ok(s.currentA.every((a) => a === 0 || a === 6));
    assert.equal(s.currentA.filter((a) => a === 6).length, 8, 'two hours of night slots');
    assert.ok(Math.abs(s.energyKWh - 2.76) < 0.001);
    assert.ok(Math.abs(s.cost - 0.276) < 1e-6);
  });
});

describe('24-hour optimisation: sessions without a known need', () => {
  it('share what the scheduled sessions leave, and only where the price is at or below the cap', () => {
    const site: SiteModel = { policy: 'equal-share', root: group('site', { maxCurrentA: 20 }, [evse('a'), evse('b')]) };
    const result = plan(site, [session('planned', 'a', 11.04, 15), session('unknown', 'b', undefined, 0)], { opportunisticMaxPricePerKWh: 0.25 });
    const s = byId(result);
    assert.equal(s.get('unknown')!.mode, 'opportunistic');
    assert.equal(s.get('unknown')!.needSource, 'none');
    // Never in the 0.40 peak.
    assert.equal(energyIn(result, s.get('unknown')!, 1, 5), 0);
    // Where "planned" charges at 16 A, "unknown" gets the 4 A left: below 6 A, so nothing.
    for (let t = 0; t < 96; t++) {
      if (s.get('planned')!.currentA[t]! >= 16) assert.equal(s.get('unknown')!.currentA[t], 0);
    }
    assert.ok(s.get('unknown')!.energyKWh > 0);
    assertNoViolations(site, result);
    assertNoTrickle(result);
  });
});

describe('24-hour optimisation: V2G', () => {
  const v2gSite = (bidirectional: boolean): SiteModel => ({ policy: 'equal-share', root: group('site', { maxCurrentA: 32 }, [evse('a', { bidirectional })]) });
  const v2gSession = (over: Partial<SessionInput> = {}): SessionInput => session('a', 'a', 10, 15, { discharge: { maxDischargePowerW: 7_000, dischargeableKWh: 6 }, ...over });

  it('discharges in the expensive slots and buys it back in cheap ones; the need is still met', () => {
    const result = plan(v2gSite(true), [v2gSession()]);
    const s = result.sessions[0]!;
    assert.equal(s.unmet, undefined);
    assert.ok(s.energyKWh >= 10);
    // In the evening peak it gives back what the battery allows (6 kWh) before any charging; in the 0.25 morning
    // slots it may give back again what it bought at 0.10 during the night.
    const evening = -energyIn(result, s, 1, 5);
    assert.ok(evening > 5 && evening <= 6 + 1e-9, `evening ${evening} kWh`);
    const discharging = s.limits.map((l, t) => [l, t] as const).filter(([l]) => l < 0);
    assert.ok(discharging.length > 0);
    for (const [l, t] of discharging) {
      assert.ok(result.pricePerKWh[t]! >= 0.1 + 0.05 + 0.1, `discharges at slot ${t}, price ${result.pricePerKWh[t]}`);
      assert.ok(l >= -10.1 && l <= -6, `${l} A: within the 7 kW discharge limit, at least the minimum`);
    }
    assert.ok(Math.abs(s.dischargedKWh + s.currentA.filter((a) => a < 0).reduce((sum, a) => sum + (a * 690 * 0.25) / 1000, 0)) < 0.001);
    const without = plan(v2gSite(true), [v2gSession({ discharge: undefined })]);
    assert.ok(s.cost < without.sessions[0]!.cost - 1, `V2G ${s.cost} vs ${without.sessions[0]!.cost}`);
  });

  it('the battery never goes below its start level by more than the EV allows', () => {
    for (const dischargeableKWh of [0, 2, 6]) {
      const s = plan(v2gSite(true), [v2gSession({ discharge: { maxDischargePowerW: 7_000, dischargeableKWh } })]).sessions[0]!;
      let level = 0;
      let lowest = 0;
      for (const a of s.currentA) {
        level += (a * 690 * 0.25) / 1000;
        lowest = Math.min(lowest, level);
      }
      assert.ok(lowest >= -dischargeableKWh - 0.001, `dischargeable ${dischargeableKWh}: lowest ${lowest}`);
    }
  });

  it('never discharges without the EV\'s consent or on an EVSE that is not bidirectional', () => {
    const noConsent = plan(v2gSite(true), [v2gSession({ discharge: undefined })]).sessions[0]!;
    const notBidirectional = plan(v2gSite(false), [v2gSession()]).sessions[0]!;
    for (const s of [noConsent, notBidirectional]) {
      assert.equal(s.dischargedKWh, 0);
      assert.ok(s.limits.every((l) => l >= 0));
    }
  });

  it('never discharges when the need cannot be met, nor when the price spread does not pay', () => {
    // 60 kWh in 5 h cannot be met: no discharging.
    const short = plan(v2gSite(true), [session('a', 'a', 60, 5, { discharge: { maxDischargePowerW: 7_000, dischargeableKWh: 20 } })]).sessions[0]!;
    assert.ok(short.unmet !== undefined);
    assert.ok(short.limits.every((l) => l >= 0));
    // The spread 0.40 - 0.10 = 0.30 is below a required 0.35.
    const thin = plan(v2gSite(true), [v2gSession()], { discharge: { minSpreadPerKWh: 0.35 } }).sessions[0]!;
    assert.equal(thin.dischargedKWh, 0);
  });
});

describe('24-hour optimisation: input', () => {
  const site = threeEvs();
  const invalid = (pattern: RegExp) => (e: unknown) => e instanceof DomainError && e.code === 'invalid' && pattern.test(e.message);

  it('bad input is a DomainError that says what is wrong', () => {
    assert.throws(() => optimiseSchedules({ site, sessions: [], start: START, prices: {} }), invalid(/time-of-use tariff, a dynamic price signal/));
    assert.throws(() => plan(site, [], { start: 'now' }), invalid(/start must be an ISO 8601/));
    assert.throws(() => plan(site, [], { prices: { timeOfUse: { defaultPricePerKWh: 0.2, timeZone: 'Mars/Olympus' } } }), invalid(/unknown time zone/));
    assert.throws(() => plan(site, [], { prices: { timeOfUse: { defaultPricePerKWh: 0.2, periods: [{ from: '25:00', to: '02:00', pricePerKWh: 1 }] } } }), invalid(/clock time/));
    assert.throws(() => plan(site, [], { limitWindows: [{ groupId: 'nope', from: at(1), to: at(2), limit: { maxPowerW: 0 } }] }), invalid(/no group "nope"/));
    assert.throws(() => plan(site, [], { limitWindows: [{ from: at(2), to: at(1), limit: { maxPowerW: 0 } }] }), invalid(/"to" must be after "from"/));
    assert.throws(() => plan(site, [session('a', 'a', -1, 5)]), invalid(/energyKWh must be a non-negative number/));
    assert.throws(() => plan(site, [], { slotMinutes: 0 }), invalid(/slotMinutes/));
    assert.throws(() => plan(site, [], { horizonHours: 24 * 365 }), invalid(/at most/));
  });

  it('an offline station is counted at its fallback in every slot and gets no schedule', () => {
    const model: SiteModel = { policy: 'equal-share', root: group('site', { maxCurrentA: 32 }, [evse('off', { online: false, offlineFallbackA: 16 }), evse('a', { maxCurrentA: 32 })]) };
    const result = plan(model, [session('off', 'off', 10, 10), session('a', 'a', 40, 15)]);
    const s = byId(result);
    assert.equal(s.get('off')!.mode, 'offline');
    assert.deepEqual(s.get('off')!.limits, []);
    assert.ok(s.get('a')!.currentA.every((a) => a <= 16));
    assertNoViolations(model, result);
  });
});
