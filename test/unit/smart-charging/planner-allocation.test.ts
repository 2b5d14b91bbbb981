import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../../src/domain/errors.ts';
import { allocateInstant, type AllocationResult, type EvseLimit } from '../../../src/domain/smart-charging/planner/instant-allocation.ts';
import type { SessionInput } from '../../../src/domain/smart-charging/planner/session.ts';
import type { EvseNode, GroupNode, NodeLimit, SharingPolicy, SiteModel, SiteNode } from '../../../src/domain/smart-charging/planner/site-model.ts';
import { verifyAllocation } from '../../../src/domain/smart-charging/planner/verify-allocation.ts';

const T0 = Date.parse('2025-03-01T08:00:00.000Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

function evse(id: string, over: Partial<EvseNode> = {}): EvseNode {
  return { kind: 'evse', id, stationId: `CS-${id}`, evseId: 1, phases: 3, maxCurrentA: 32, rateUnit: 'A', ...over };
}
function group(id: string, limit: NodeLimit | undefined, children: SiteNode[], over: Partial<GroupNode> = {}): GroupNode {
  return { kind: 'group', id, limit, children, ...over };
}
function site(policy: SharingPolicy, root: GroupNode): SiteModel {
  return { policy, root };
}
function session(id: string, evseNodeId: string, minute: number, over: Partial<SessionInput> = {}): SessionInput {
  return { id, evseNodeId, startedAt: at(minute), ...over };
}
function byId(result: AllocationResult): Map<string, EvseLimit> {
  return new Map(result.limits.map((l) => [l.sessionId, l]));
}
function assertWithinLimits(model: SiteModel, result: AllocationResult): void {
  assert.deepEqual(verifyAllocation(model, result.limits.filter((l) => l.state !== 'offline')), []);
}

describe('instant allocation: sharing policies', () => {
  it('equal share: three EVs under a 32 A site get 10.6 A each (rounded down to 0.1 A)', () => {
    const model = site('equal-share', group('site', { maxCurrentA: 32 }, [evse('a'), evse('b'), evse('c')]));
    const result = allocateInstant(model, [session('1', 'a', 0), session('2', 'b', 1), session('3', 'c', 2)]);
    assert.deepEqual(result.limits.map((l) => [l.state, l.limit, l.rateUnit, l.numberPhases]), [
      ['charging', 10.6, 'A', 3],
      ['charging', 10.6, 'A', 3],
      ['charging', 10.6, 'A', 3],
    ]);
    assert.equal(result.limits[0]!.limitingGroupId, 'site');
    assertWithinLimits(model, result);
  });

  it('equal share is max-min fair: what an EV limited to 8 A cannot take goes to the others', () => {
    const model = site('equal-share', group('site', { maxCurrentA: 32 }, [evse('a'), evse('b'), evse('c')]));
    const limits = byId(allocateInstant(model, [session('1', 'a', 0, { evMaxCurrentA: 8 }), session('2', 'b', 1), session('3', 'c', 2)]));
    assert.equal(limits.get('1')!.limit, 8);
    assert.equal(limits.get('2')!.limit, 12);
    assert.equal(limits.get('3')!.limit, 12);
  });

  it('priority: everyone gets the minimum first, then the highest priority is filled to its maximum', () => {
    const model = site('priority', group('site', { maxCurrentA: 32 }, [evse('a', { maxCurrentA: 16 }), evse('b', { maxCurrentA: 16 }), evse('c', { maxCurrentA: 16 })]));
    const limits = byId(
      allocateInstant(model, [session('low', 'a', 0, { priority: 0 }), session('high', 'b', 5, { priority: 2 }), session('mid', 'c', 1, { priority: 1 })]),
    );
    // 3 x 6 A = 18 A; the 14 A left: high +10 A (to its 16 A maximum), mid +4 A, low keeps 6 A.
    assert.equal(limits.get('high')!.limit, 16);
    assert.equal(limits.get('mid')!.limit, 10);
    assert.equal(limits.get('low')!.limit, 6);
  });

  it('priority: sessions of the same priority share equally', () => {
    const model = site('priority', group('site', { maxCurrentA: 40 }, [evse('a'), evse('b'), evse('c')]));
    const limits = byId(allocateInstant(model, [session('p1', 'a', 0, { priority: 1 }), session('p1b', 'b', 1, { priority: 1 }), session('p0', 'c', 2)]));
    assert.equal(limits.get('p0')!.limit, 6);
    assert.equal(limits.get('p1')!.limit, 17);
    assert.equal(limits.get('p1b')!.limit, 17);
  });

  it('first come first served: the earliest arrival is filled first, by start time or by arrival order', () => {
    const model = site('first-come-first-served', group('site', { maxCurrentA: 40 }, [evse('a'), evse('b'), evse('c')]));
    const byStart = byId(allocateInstant(model, [session('late', 'a', 30), session('early', 'b', 0), session('middle', 'c', 10)]));
    assert.deepEqual([byStart.get('early')!.limit, byStart.get('middle')!.limit, byStart.get('late')!.limit], [28, 6, 6]);

    const byOrder = byId(
      allocateInstant(model, [session('x', 'a', 0, { arrivalOrder: 3 }), session('y', 'b', 0, { arrivalOrder: 1 }), session('z', 'c', 0, { arrivalOrder: 2 })]),
    );
    assert.deepEqual([byOrder.get('y')!.limit, byOrder.get('z')!.limit, byOrder.get('x')!.limit], [28, 6, 6]);
  });
});

describe('instant allocation: minimum current', () => {
  it('a session that cannot get 6 A is paused rather than trickled; the latest arrival is paused first', () => {
    const model = site('equal-share', group('site', { maxCurrentA: 16 }, [evse('a'), evse('b'), evse('c')]));
    const limits = byId(allocateInstant(model, [session('1', 'a', 0), session('2', 'b', 1), session('3', 'c', 2)]));
    assert.equal(limits.get('3')!.state, 'paused');
    assert.equal(limits.get('3')!.limit, 0);
    assert.equal(limits.get('3')!.pauseReason, 'capacity');
    assert.equal(limits.get('3')!.limitingGroupId, 'site');
    assert.equal(limits.get('1')!.limit, 8);
    assert.equal(limits.get('2')!.limit, 8);
  });

  it('under the priority policy the lowest priority is paused, whenever it arrived', () => {
    const model = site('priority', group('site', { maxCurrentA: 11 }, [evse('a'), evse('b')]));
    const limits = byId(allocateInstant(model, [session('early-low', 'a', 0, { priority: 0 }), session('late-high', 'b', 60, { priority: 5 })]));
    assert.equal(limits.get('early-low')!.state, 'paused');
    assert.equal(limits.get('late-high')!.limit, 11);
  });

  it('a paused session does not pause the sessions after it that still fit (another feeder)', () => {
    const model = site(
      'first-come-first-served',
      group('site', { maxCurrentA: 63 }, [group('f1', { maxCurrentA: 10 }, [evse('a'), evse('b')]), group('f2', { maxCurrentA: 32 }, [evse('c')])]),
    );
    const limits = byId(allocateInstant(model, [session('1', 'a', 0), session('2', 'b', 1), session('3', 'c', 2)]));
    assert.equal(limits.get('1')!.limit, 10);
    assert.equal(limits.get('2')!.state, 'paused');
    assert.equal(limits.get('2')!.limitingGroupId, 'f1');
    assert.equal(limits.get('3')!.limit, 32);
  });

  it("the EV's own minimum (minChargingRate) raises the EVSE's", () => {
    const model = site('equal-share', group('site', { maxCurrentA: 15 }, [evse('a'), evse('b')]));
    const limits = byId(allocateInstant(model, [session('1', 'a', 0, { evMinCurrentA: 10 }), session('2', 'b', 1)]));
    assert.equal(limits.get('2')!.state, 'paused', '6 A no longer fits beside 10 A under 15 A');
    assert.equal(limits.get('1')!.limit, 15);
  });

  it('an EVSE minimum of 0 lets a session trickle', () => {
    const model = site('equal-share', group('site', { maxCurrentA: 4 }, [evse('a', { minCurrentA: 0 })]));
    assert.equal(allocateInstant(model, [session('1', 'a', 0)]).limits[0]!.limit, 4);
  });

  it('an EV that can draw less than the minimum is offered the minimum (it takes what it can), not paused', () => {
    const model = site('equal-share', group('site', { maxCurrentA: 20 }, [evse('a'), evse('b')]));
    const limits = byId(allocateInstant(model, [session('1', 'a', 0, { evMaxCurrentA: 4 }), session('2', 'b', 1)]));
    assert.equal(limits.get('1')!.state, 'charging');
    assert.equal(limits.get('1')!.limit, 6);
    assert.equal(limits.get('2')!.limit, 14);
  });

  it("an EVSE whose own rating is below the minimum on the EV's phases is paused for that reason", () => {
    // 3 kW on three phases is 4.3 A per phase; on one phase it is 13 A.
    const model = site('equal-share', group('site', { maxCurrentA: 20 }, [evse('a', { maxPowerW: 3_000 }), evse('b', { maxPowerW: 3_000 })]));
    const limits = byId(allocateInstant(model, [session('3p', 'a', 0), session('1p', 'b', 1, { evPhases: 1 })]));
    assert.equal(limits.get('3p')!.state, 'paused');
    assert.equal(limits.get('3p')!.pauseReason, 'evse-limit-below-minimum');
    assert.equal(limits.get('1p')!.limit, 13);
  });
});

describe('instant allocation: phases', () => {
  it('single-phase EVSEs on different phases do not compete', () => {
    const model = site(
      'equal-share',
      group('site', { maxCurrentA: 16 }, [evse('a', { phases: 1, phase: 'L1' }), evse('b', { phases: 1, phase: 'L1' }), evse('c', { phases: 1, phase: 'L2' })]),
    );
    const result = allocateInstant(model, [session('1', 'a', 0), session('2', 'b', 1), session('3', 'c', 2)]);
    const limits = byId(result);
    assert.deepEqual([limits.get('1')!.limit, limits.get('2')!.limit, limits.get('3')!.limit], [8, 8, 16]);
    assert.equal(limits.get('3')!.numberPhases, 1);
    assert.deepEqual(result.groups[0]!.currentA, [16, 16, 0]);
    assertWithinLimits(model, result);
  });

  it('phase limits may differ, and a three-phase EV is held back by its most loaded phase', () => {
    const model = site(
      'equal-share',
      group('site', { maxCurrentA: [20, 32, 32] }, [evse('one-phase', { phases: 1, phase: 'L1' }), evse('three-phase'), evse('on-l3', { phases: 1, phase: 'L3' })]),
    );
    const result = allocateInstant(model, [session('1', 'one-phase', 0), session('3', 'three-phase', 1), session('l3', 'on-l3', 2)]);
    const limits = byId(result);
    // L1 carries the single-phase EV and the three-phase EV: 10 A each. The EV on L3 takes the rest of L3.
    assert.equal(limits.get('1')!.limit, 10);
    assert.equal(limits.get('3')!.limit, 10);
    assert.equal(limits.get('l3')!.limit, 22);
    assertWithinLimits(model, result);
  });

  it('phase rotation: an EV charging on one phase of a three-phase EVSE wired STR loads site phase L2', () => {
    const model = site('equal-share', group('site', { maxCurrentA: [32, 10, 32] }, [evse('rotated', { phaseRotation: 'STR' })]));
    const result = allocateInstant(model, [session('1', 'rotated', 0, { evPhases: 1 })]);
    assert.equal(result.limits[0]!.limit, 10);
    assert.equal(result.limits[0]!.numberPhases, 1);
    assert.deepEqual(result.groups[0]!.currentA, [0, 10, 0]);
  });

  it('without rotation the same EV loads L1 and is not held back by L2', () => {
    const model = site('equal-share', group('site', { maxCurrentA: [32, 10, 32] }, [evse('plain')]));
    const result = allocateInstant(model, [session('1', 'plain', 0, { evPhases: 1 })]);
    assert.equal(result.limits[0]!.limit, 32);
    assert.deepEqual(result.groups[0]!.currentA, [32, 0, 0]);
  });
});

describe('instant allocation: rate units and conversion', () => {
  it('a W station gets its limit in W: 16 A x 230 V x 3 phases = 11040 W', () => {
    const model = site('equal-share', group('site', { maxCurrentA: 16 }, [evse('w', { rateUnit: 'W' })]));
    const l = allocateInstant(model, [session('1', 'w', 0)]).limits[0]!;
    assert.equal(l.rateUnit, 'W');
    assert.equal(l.limit, 11040);
    assert.equal(l.numberPhases, 3);
  });

  it('a W limit on one phase and a non-230 V site: 10 A x 240 V x 1 = 2400 W', () => {
    const model = site('equal-share', group('site', { maxCurrentA: 10 }, [evse('w', { rateUnit: 'W', phases: 1, phase: 'L3' })], { nominalVoltageV: 240 }));
    assert.equal(allocateInstant(model, [session('1', 'w', 0)]).limits[0]!.limit, 2400);
  });

  it('a group power limit divides by power: a three-phase EV uses three times the watts per ampere', () => {
    const model = site(
      'equal-share',
      group('site', { maxPowerW: 11_040 }, [evse('three', { rateUnit: 'W' }), evse('single', { phases: 1, phase: 'L2' })]),
    );
    const result = allocateInstant(model, [session('3p', 'three', 0), session('1p', 'single', 1)]);
    const limits = byId(result);
    // Equal current x: 230 * 3x + 230 * x = 11040 -> x = 12 A.
    assert.equal(limits.get('3p')!.limit, 8280);
    assert.equal(limits.get('1p')!.limit, 12);
    assert.ok(result.groups[0]!.powerW <= 11_040);
    assertWithinLimits(model, result);
  });

  it("an EV's maximum power is converted to current on the phases it uses", () => {
    const model = site('equal-share', group('site', { maxCurrentA: 32 }, [evse('a')]));
    // 7.4 kW on one phase at 230 V = 32.17 A -> capped by the EVSE at 32 A; 3.7 kW -> 16.08 A -> 16 A sent;
    // 11 kW on three phases = 15.9 A.
    assert.equal(allocateInstant(model, [session('1', 'a', 0, { evPhases: 1, evMaxPowerW: 7400 })]).limits[0]!.limit, 32);
    assert.equal(allocateInstant(model, [session('1', 'a', 0, { evPhases: 1, evMaxPowerW: 3700 })]).limits[0]!.limit, 16);
    assert.equal(allocateInstant(model, [session('1', 'a', 0, { evPhases: 3, evMaxPowerW: 11_000 })]).limits[0]!.limit, 15.9);
  });

  it("with the EV's phases unknown, its maximum power is not divided by phases it may not use", () => {
    // A 3.7 kW EV on a three-phase EVSE may be a single-phase 16 A charger: offering 3700/690 = 5.4 A would starve it.
    const model = site('equal-share', group('site', { maxCurrentA: 32 }, [evse('a')]));
    const l = allocateInstant(model, [session('1', 'a', 0, { evMaxPowerW: 3700 })]).limits[0]!;
    assert.equal(l.limit, 16);
    assert.equal(l.numberPhases, 3, 'accounted on all three phases until the phases are known');
  });

  it('an EVSE power rating below its current rating limits the session', () => {
    const model = site('equal-share', group('site', undefined, [evse('a', { maxPowerW: 11_000 })]));
    const l = allocateInstant(model, [session('1', 'a', 0)]).limits[0]!;
    assert.equal(l.limit, 15.9); // 11000 / 690 = 15.94 A
  });
});

describe('instant allocation: the site tree', () => {
  it('nested feeders: each level holds, and a feeder with room does not lend it to a full one', () => {
    const model = site(
      'equal-share',
      group('site', { maxCurrentA: 63 }, [
        group('feeder-a', { maxCurrentA: 32 }, [evse('a1'), evse('a2'), evse('a3'), evse('a4')]),
        group('feeder-b', { maxCurrentA: 40 }, [group('cabinet', { maxCurrentA: 40 }, [evse('b1', { maxCurrentA: 16 })])]),
      ]),
    );
    const result = allocateInstant(model, ['a1', 'a2', 'a3', 'a4', 'b1'].map((e, i) => session(e, e, i)));
    const limits = byId(result);
    for (const id of ['a1', 'a2', 'a3', 'a4']) assert.equal(limits.get(id)!.limit, 8);
    assert.equal(limits.get('b1')!.limit, 16);
    assertWithinLimits(model, result);
  });

  it('the site limit holds over feeders that would each allow more', () => {
    const model = site(
      'equal-share',
      group('site', { maxCurrentA: 40 }, [group('f1', { maxCurrentA: 32 }, [evse('a'), evse('b')]), group('f2', { maxCurrentA: 32 }, [evse('c'), evse('d')])]),
    );
    const result = allocateInstant(model, ['a', 'b', 'c', 'd'].map((e, i) => session(e, e, i)));
    for (const l of result.limits) assert.equal(l.limit, 10);
    assertWithinLimits(model, result);
  });

  it('external load measured at a feeder is subtracted from that feeder and from the site', () => {
    const model = site(
      'equal-share',
      group('site', { maxCurrentA: 50 }, [
        group('building', { maxCurrentA: 40 }, [evse('a')], { externalLoad: { currentA: [20, 25, 10] } }),
        group('other', undefined, [evse('b')]),
      ]),
    );
    const result = allocateInstant(model, [session('1', 'a', 0), session('2', 'b', 1)]);
    const limits = byId(result);
    // Building: 40 - 25 (worst phase) = 15 A. Site: 50 - 25 = 25 A left on L2 for both: a 12.5, b 12.5 -> equal share
    // at 12.5 A each fits both.
    assert.equal(limits.get('1')!.limit, 12.5);
    assert.equal(limits.get('2')!.limit, 12.5);
    assert.deepEqual(result.groups.find((g) => g.groupId === 'building')!.uncontrolledA, [20, 25, 10]);
    assertWithinLimits(model, result);
  });

  it('external load given as power is taken as balanced over the phases', () => {
    const model = site('equal-share', group('site', { maxCurrentA: 32 }, [evse('a')], { externalLoad: { powerW: 6900 } }));
    assert.equal(allocateInstant(model, [session('1', 'a', 0)]).limits[0]!.limit, 22); // 6900 W / 690 = 10 A per phase
  });

  it('an offline station counts at its fallback limit, and at its maximum when it has none', () => {
    const withFallback = site('equal-share', group('site', { maxCurrentA: 40 }, [evse('off', { online: false, offlineFallbackA: 16 }), evse('a')]));
    const r1 = allocateInstant(withFallback, [session('o', 'off', 0), session('1', 'a', 1)]);
    const l1 = byId(r1);
    assert.equal(l1.get('o')!.state, 'offline');
    assert.equal(l1.get('o')!.limit, 16);
    assert.equal(l1.get('1')!.limit, 24);
    assertWithinLimits(withFallback, r1);

    // No session known on the offline EVSE: it still counts (an EV may have started while it was offline).
    const noFallback = site('equal-share', group('site', { maxCurrentA: 40 }, [evse('off', { online: false, maxCurrentA: 20 }), evse('a')]));
    assert.equal(allocateInstant(noFallback, [session('1', 'a', 1)]).limits[0]!.limit, 20);
  });

  it('uncontrolled load over a limit pauses every session below it and is reported as a warning', () => {
    const model = site('equal-share', group('site', { maxCurrentA: 32 }, [group('f', { maxCurrentA: 16 }, [evse('a')], { externalLoad: { currentA: 18 } }), evse('b')]));
    const result = allocateInstant(model, [session('1', 'a', 0), session('2', 'b', 1)]);
    const limits = byId(result);
    assert.equal(limits.get('1')!.state, 'paused');
    assert.equal(limits.get('1')!.limitingGroupId, 'f');
    assert.equal(limits.get('2')!.limit, 14);
    assert.deepEqual(
      result.warnings.map((w) => [w.groupId, w.constraint]),
      [['f', 'L1'], ['f', 'L2'], ['f', 'L3']],
    );
  });
});

describe('instant allocation: EVs drawing less than offered', () => {
  it('an EV drawing clearly less than offered is capped near its draw and the rest goes to the others', () => {
    const model = site('equal-share', group('site', { maxCurrentA: 32 }, [evse('a'), evse('b')]));
    const result = allocateInstant(model, [
      session('slow', 'a', 0, { offeredCurrentA: 16, measured: { currentA: [5.2, 5.0, 4.9] } }),
      session('fast', 'b', 1, { offeredCurrentA: 16, measured: { currentA: 16 } }),
    ]);
    const limits = byId(result);
    assert.equal(limits.get('slow')!.limit, 8.2); // draw 5.2 + 3 A headroom
    assert.equal(limits.get('slow')!.cappedAtDraw, true);
    assert.equal(limits.get('fast')!.limit, 23.8);
    assert.equal(limits.get('fast')!.cappedAtDraw, undefined);
  });

  it('a draw given as power is converted; a cap never goes below the minimum', () => {
    const model = site('equal-share', group('site', { maxCurrentA: 32 }, [evse('a'), evse('b')]));
    const limits = byId(
      allocateInstant(model, [session('done', 'a', 0, { offeredCurrentA: 16, measured: { powerW: 0 } }), session('b', 'b', 1, { offeredCurrentA: 16, measured: { powerW: 11_040 } })]),
    );
    assert.equal(limits.get('done')!.limit, 6);
    assert.equal(limits.get('b')!.limit, 26);
  });

  it('an EV drawing within the threshold of its offer is not capped, and capping can be turned off', () => {
    const model = site('equal-share', group('site', { maxCurrentA: 32 }, [evse('a'), evse('b')]));
    const sessions = [session('1', 'a', 0, { offeredCurrentA: 16, measured: { currentA: 14.5 } }), session('2', 'b', 1, { offeredCurrentA: 16, measured: { currentA: 3 } })];
    const on = byId(allocateInstant(model, sessions));
    assert.equal(on.get('1')!.cappedAtDraw, undefined);
    assert.equal(on.get('2')!.limit, 6);
    const off = byId(allocateInstant(model, sessions, { underDraw: false }));
    assert.equal(off.get('2')!.limit, 16);
  });
});

describe('instant allocation: limit windows', () => {
  it('a demand-response window in force now lowers the site limit; outside it the static limit holds', () => {
    const model = site('equal-share', group('site', { maxCurrentA: 32 }, [evse('a'), evse('b')]));
    const windows = [{ from: at(60), to: at(120), limit: { maxCurrentA: 12 }, label: 'DR event 7' }];
    const during = allocateInstant(model, [session('1', 'a', 0), session('2', 'b', 0)], { now: at(90), limitWindows: windows });
    assert.deepEqual(during.limits.map((l) => l.limit), [6, 6]);
    assert.deepEqual(during.windowsApplied, ['DR event 7']);
    assert.deepEqual(verifyAllocation(model, during.limits, [{ limit: { maxCurrentA: 12 } }]), []);
    const after = allocateInstant(model, [session('1', 'a', 0), session('2', 'b', 0)], { now: at(120), limitWindows: windows });
    assert.deepEqual(after.limits.map((l) => l.limit), [16, 16]);
    assert.deepEqual(after.windowsApplied, []);
  });

  it('limit windows without "now" are an error', () => {
    const model = site('equal-share', group('site', undefined, [evse('a')]));
    assert.throws(() => allocateInstant(model, [], { limitWindows: [{ from: at(0), to: at(1), limit: { maxPowerW: 1 } }] }), /need "now"/);
  });
});

describe('instant allocation under a 24-hour plan', () => {
  it("the plan's current for the slot caps a session, a planned pause pauses it, and the others take the room", () => {
    const model = site('equal-share', group('site', { maxCurrentA: 32 }, [evse('a'), evse('b'), evse('c')]));
    const result = allocateInstant(model, [
      session('capped', 'a', 0, { plannedCurrentA: 8 }),
      session('waiting', 'b', 1, { plannedCurrentA: 0 }),
      session('free', 'c', 2),
    ]);
    const limits = byId(result);
    assert.equal(limits.get('capped')!.limit, 8);
    assert.equal(limits.get('waiting')!.state, 'paused');
    assert.equal(limits.get('waiting')!.pauseReason, 'planned-pause');
    assert.equal(limits.get('free')!.limit, 24);
  });

  it('capacity still wins over the plan: a planned 16 A gets what the site has now', () => {
    const model = site('equal-share', group('site', { maxCurrentA: 20 }, [evse('a'), evse('b')], { externalLoad: { currentA: 4 } }));
    const limits = byId(allocateInstant(model, [session('1', 'a', 0, { plannedCurrentA: 16 }), session('2', 'b', 1, { plannedCurrentA: 16 })]));
    assert.equal(limits.get('1')!.limit, 8);
    assert.equal(limits.get('2')!.limit, 8);
  });
});

describe('instant allocation: bad input', () => {
  const invalid = (pattern: RegExp) => (e: unknown) => e instanceof DomainError && e.code === 'invalid' && pattern.test(e.message);

  it('a broken site model is a DomainError naming the node and the field', () => {
    assert.throws(() => allocateInstant(site('equal-share', group('site', undefined, [evse('x'), evse('x')])), []), invalid(/EVSE "x": duplicate node id/));
    assert.throws(() => allocateInstant(site('equal-share', group('site', undefined, [evse('x', { phases: 2 as 3 })])), []), invalid(/EVSE "x".phases must be 1 or 3/));
    assert.throws(() => allocateInstant(site('equal-share', group('site', { maxCurrentA: -1 }, [])), []), invalid(/group "site".limit.maxCurrentA must be at least 0/));
    assert.throws(() => allocateInstant(site('equal-share', group('site', { maxCurrentA: [1, 2] as unknown as number }, [])), []), invalid(/array of 3 numbers/));
    assert.throws(() => allocateInstant(site('cheapest' as SharingPolicy, group('site', undefined, [])), []), invalid(/policy must be one of/));
    assert.throws(() => allocateInstant(site('equal-share', group('site', undefined, [evse('x', { phase: 'L2' })])), []), invalid(/single-phase EVSEs only/));
    assert.throws(() => allocateInstant(site('equal-share', group('site', undefined, [evse('x', { rateUnit: 'kW' as 'W' })])), []), invalid(/rateUnit/));
    assert.throws(() => allocateInstant(null as unknown as SiteModel, []), invalid(/must be an object/));
    assert.throws(() => allocateInstant(site('equal-share', group('site', undefined, [evse('x', { phases: 1, phase: 'toString' as 'L1' })])), []), invalid(/phase must be L1, L2 or L3/));
    assert.throws(
      () => allocateInstant(site('equal-share', group('site', undefined, [evse('x', { stationId: 'CS', evseId: 1 }), evse('y', { stationId: 'CS', evseId: 1 })])), []),
      invalid(/station "CS" EVSE 1 appears twice/),
    );
    let deep: GroupNode = group('leaf', undefined, [evse('x')]);
    for (let i = 0; i < 100; i++) deep = group(`g${i}`, undefined, [deep]);
    assert.throws(() => allocateInstant(site('equal-share', deep), []), invalid(/deeper than 64 levels/));
  });

  it('bad session values are a DomainError naming the session', () => {
    const model = site('equal-share', group('site', undefined, [evse('a')]));
    assert.throws(() => allocateInstant(model, [session('s', 'a', 0, { evMaxPowerW: -5 })]), invalid(/session "s".evMaxPowerW/));
    assert.throws(() => allocateInstant(model, [{ ...session('s', 'a', 0), startedAt: 'yesterday' }]), invalid(/session "s".startedAt/));
    assert.throws(() => allocateInstant(model, [session('s', 'a', 0), session('s', 'a', 1)]), invalid(/duplicate session id/));
  });

  it('a session on an EVSE the model does not know is skipped and reported, and the rest is still planned', () => {
    const model = site('equal-share', group('site', { maxCurrentA: 16 }, [evse('a')]));
    const result = allocateInstant(model, [session('ghost', 'nowhere', 0), session('1', 'a', 1)]);
    assert.deepEqual(result.skipped.map((s) => [s.sessionId, s.reason]), [['ghost', 'unknown-evse']]);
    assert.equal(result.limits[0]!.limit, 16);
  });

  it('two sessions on one EVSE: the newer is planned, the older (a stop that never came) is skipped', () => {
    const model = site('equal-share', group('site', { maxCurrentA: 16 }, [evse('a')]));
    const result = allocateInstant(model, [session('new', 'a', 100), session('zombie', 'a', 0)]);
    assert.deepEqual(result.limits.map((l) => l.sessionId), ['new']);
    assert.deepEqual(result.skipped.map((s) => [s.sessionId, s.reason]), [['zombie', 'evse-has-another-session']]);
  });
});
