/**
 * Property-style tests: many random sites (trees of groups with per-phase and power limits, mixed 1-/3-phase EVSEs,
 * rotations, A and W stations, external load, offline stations) and random sessions. Whatever the input, no group may
 * ever carry more than its limit on any phase or in total power. Seeds are fixed, so a failure is reproducible: the
 * message names the seed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocateInstant, type EvseLimit } from '../../../src/domain/smart-charging/planner/instant-allocation.ts';
import type { LimitWindow } from '../../../src/domain/smart-charging/planner/limit-windows.ts';
import { optimiseSchedules } from '../../../src/domain/smart-charging/planner/schedule-optimiser.ts';
import type { SessionInput } from '../../../src/domain/smart-charging/planner/session.ts';
import type { EvseNode, GroupNode, NodeLimit, Phase, PhaseRotation, SharingPolicy, SiteModel } from '../../../src/domain/smart-charging/planner/site-model.ts';
import { measureLoads, verifyAllocation, verifySchedules } from '../../../src/domain/smart-charging/planner/verify-allocation.ts';
import { seededRandom } from '../../../src/sim/seeded-random.ts';

const T0 = Date.parse('2025-06-02T16:00:00.000Z');
const POLICIES: SharingPolicy[] = ['equal-share', 'priority', 'first-come-first-served'];
const PHASES: Phase[] = ['L1', 'L2', 'L3'];
const ROTATIONS: PhaseRotation[] = ['RST', 'RTS', 'SRT', 'STR', 'TRS', 'TSR'];

interface RandomCase {
  model: SiteModel;
  sessions: SessionInput[];
}

function randomCase(seed: number, options: { maxEvsesPerGroup: number; sessionShare: number; v2gShare?: number }): RandomCase {
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number): boolean => r() < p;
  const between = (a: number, b: number): number => a + r() * (b - a);
  let nextId = 0;
  const evses: EvseNode[] = [];

  const randomLimit = (depth: number): NodeLimit | undefined => {
    if (chance(0.2)) return undefined;
    const scale = 200 / (depth + 1);
    const limit: NodeLimit = {};
    if (chance(0.7)) limit.maxCurrentA = chance(0.5) ? Math.round(between(8, scale)) : [between(4, scale), between(4, scale), between(4, scale)];
    if (chance(0.4)) limit.maxPowerW = between(3_000, scale * 700);
    return limit;
  };

  const makeGroup = (depth: number): GroupNode => {
    const g: GroupNode = { kind: 'group', id: `g${nextId++}`, limit: randomLimit(depth), children: [] };
    if (chance(0.1)) g.nominalVoltageV = pick([220, 230, 240]);
    if (chance(0.3)) g.externalLoad = chance(0.5) ? { currentA: [between(-5, 30), between(0, 30), between(0, 30)] } : { powerW: between(0, 15_000) };
    const subgroups = depth < 3 ? Math.floor(between(0, 4 - depth)) : 0;
    for (let i = 0; i < subgroups; i++) g.children.push(makeGroup(depth + 1));
    const count = Math.floor(between(0, options.maxEvsesPerGroup + 1));
    for (let i = 0; i < count; i++) {
      const phases = chance(0.5) ? 1 : 3;
      const e: EvseNode = {
        kind: 'evse',
        id: `e${nextId++}`,
        stationId: `CS${nextId}`,
        evseId: 1 + Math.floor(between(0, 2)),
        phases,
        maxCurrentA: pick([10, 16, 20, 32, 40]),
        rateUnit: chance(0.5) ? 'A' : 'W',
      };
      if (phases === 1 && chance(0.8)) e.phase = pick(PHASES);
      if (phases === 3 && chance(0.5)) e.phaseRotation = pick(ROTATIONS);
      if (chance(0.2)) e.maxPowerW = between(2_000, 22_000);
      if (chance(0.2)) e.minCurrentA = pick([0, 6, 8, 10]);
      if (chance(0.1)) e.nominalVoltageV = pick([220, 240]);
      if (chance(0.1)) {
        e.online = false;
        if (chance(0.5)) e.offlineFallbackA = pick([0, 6, 10, 16]);
      }
      if (chance(options.v2gShare ?? 0.1)) e.bidirectional = true;
      evses.push(e);
      g.children.push(e);
    }
    return g;
  };

  const root = makeGroup(0);
  const sessions: SessionInput[] = [];
  for (const e of evses) {
    if (!chance(options.sessionShare)) continue;
    const s: SessionInput = { id: `s-${e.id}`, evseNodeId: e.id, startedAt: new Date(T0 - between(0, 6) * 3_600_000).toISOString() };
    if (chance(0.5)) s.priority = Math.floor(between(0, 4));
    if (chance(0.2)) s.arrivalOrder = Math.floor(between(0, 100));
    if (chance(0.3)) s.evPhases = pick([1, 2, 3] as const);
    if (chance(0.3)) s.evMaxPowerW = between(1_000, 22_000);
    if (chance(0.1)) s.evMaxCurrentA = between(4, 32);
    if (chance(0.1)) s.evMinCurrentA = between(0, 12);
    if (chance(0.3)) {
      s.offeredCurrentA = between(6, 32);
      s.measured = chance(0.5) ? { currentA: between(0, 32) } : { powerW: between(0, 22_000) };
    }
    if (chance(0.7)) s.energyNeed = { energyKWh: between(0, 60), departure: new Date(T0 + between(-1, 30) * 3_600_000).toISOString() };
    if (chance(options.v2gShare ?? 0.2)) s.discharge = { maxDischargePowerW: between(2_000, 11_000), dischargeableKWh: between(0, 10) };
    sessions.push(s);
  }
  return { model: { policy: pick(POLICIES), root }, sessions };
}

/** Each EVSE with its inherited voltage and the site phases of its own phases 1..3 (rotation applied). */
function evseInfo(model: SiteModel): Map<string, { node: EvseNode; voltageV: number; phases: number[] }> {
  const out = new Map<string, { node: EvseNode; voltageV: number; phases: number[] }>();
  const index: Record<string, number> = { L1: 0, L2: 1, L3: 2, R: 0, S: 1, T: 2 };
  const walk = (g: GroupNode, voltageV: number): void => {
    const v = g.nominalVoltageV ?? voltageV;
    for (const c of g.children) {
      if (c.kind === 'group') walk(c, v);
      else out.set(c.id, { node: c, voltageV: c.nominalVoltageV ?? v, phases: c.phases === 1 ? [index[c.phase ?? 'L1']!] : [...(c.phaseRotation ?? 'RST')].map((x) => index[x]!) });
    }
  };
  walk(model.root, 230);
  return out;
}

/** Per EVSE, the ids of the groups above it. */
function groupPaths(model: SiteModel): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const walk = (g: GroupNode, above: string[]): void => {
    const path = [...above, g.id];
    for (const c of g.children) {
      if (c.kind === 'group') walk(c, path);
      else out.set(c.id, path);
    }
  };
  walk(model.root, []);
  return out;
}

/** First come first served order as a sortable number: arrival order when given, then start time. */
function arrivalRank(s: SessionInput): number {
  return (s.arrivalOrder ?? 1e6) * 1e13 + Date.parse(s.startedAt);
}

/** Per-phase current a sent limit stands for. */
function currentOf(l: EvseLimit, voltageV: number): number {
  return l.rateUnit === 'A' ? l.limit : l.limit / (voltageV * l.numberPhases);
}

describe('planner invariants over random sites', () => {
  it('instant allocation: no group is ever over its limit on any phase or in power (2,000 random sites)', () => {
    const seen = { charging: 0, paused: 0, offline: 0, held: 0, warnings: 0, watts: 0 };
    for (let seed = 1; seed <= 2_000; seed++) {
      const { model, sessions } = randomCase(seed, { maxEvsesPerGroup: 6, sessionShare: 0.8 });
      const result = allocateInstant(model, sessions);
      const violations = verifyAllocation(model, result.limits.filter((l) => l.state !== 'offline'));
      assert.deepEqual(violations, [], `seed ${seed}`);
      for (const l of result.limits) {
        seen[l.state]++;
        if (l.limitingGroupId !== undefined) seen.held++;
        if (l.rateUnit === 'W') seen.watts++;
      }
      seen.warnings += result.warnings.length;
    }
    // The random sites really are crowded: many sessions are held back or paused by a limit, some by uncontrolled load.
    assert.ok(seen.charging > 5_000 && seen.paused > 1_000 && seen.held > 3_000 && seen.offline > 500 && seen.warnings > 100 && seen.watts > 3_000, JSON.stringify(seen));
  });

  it('the checker is not vacuous: one session given 1 A more than allocated under a full group is caught', () => {
    let caught = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { model, sessions } = randomCase(seed, { maxEvsesPerGroup: 6, sessionShare: 0.8 });
      const result = allocateInstant(model, sessions);
      const victim = result.limits.find((l) => l.state === 'charging' && l.limitingGroupId !== undefined && l.rateUnit === 'A');
      if (victim === undefined) continue;
      const tampered = result.limits.map((l) => (l === victim ? { ...l, limit: l.limit + 1 } : l)).filter((l) => l.state !== 'offline');
      const violations = verifyAllocation(model, tampered);
      assert.ok(violations.some((v) => v.groupId === victim.limitingGroupId), `seed ${seed}: overshoot at ${victim.limitingGroupId} not caught`);
      caught++;
    }
    assert.ok(caught > 100);
  });

  it('instant allocation: a charging session is between its minimum and maximum, a paused one gets 0', () => {
    for (let seed = 1; seed <= 1_000; seed++) {
      const { model, sessions } = randomCase(seed, { maxEvsesPerGroup: 6, sessionShare: 0.8 });
      const evses = evseInfo(model);
      const result = allocateInstant(model, sessions);
      for (const l of result.limits) {
        const where = `seed ${seed} ${l.sessionId}`;
        if (l.state === 'paused') {
          assert.equal(l.limit, 0, where);
          continue;
        }
        if (l.state !== 'charging') continue;
        const s = sessions.find((x) => x.id === l.sessionId)!;
        const { node, voltageV, phases } = evses.get(l.evseNodeId)!;
        const n = Math.min(phases.length, s.evPhases ?? 3);
        assert.equal(l.numberPhases, n, where);
        const a = currentOf(l, voltageV);
        const min = Math.max(node.minCurrentA ?? 6, s.evMinCurrentA ?? 0);
        const evseMax = Math.min(node.maxCurrentA, (node.maxPowerW ?? Infinity) / (voltageV * n));
        assert.ok(evseMax >= min, `${where}: charging although the EVSE cannot give its minimum`);
        // The EV's own limits cap the offer, but never below the minimum; with its phases unknown its power is not
        // divided among phases.
        const evMax = Math.min(s.evMaxCurrentA ?? Infinity, (s.evMaxPowerW ?? Infinity) / (voltageV * (s.evPhases === undefined ? 1 : n)));
        const max = Math.min(evseMax, Math.max(min, evMax));
        assert.ok(a <= max + 1e-9, `${where}: ${a} A above its maximum ${max} A`);
        assert.ok(a >= min - 0.1 - 1e-9, `${where}: ${a} A below its minimum ${min} A`);
      }
    }
  });

  it('instant allocation wastes nothing: a session held back names a group that is really full', () => {
    let checked = 0;
    for (let seed = 1; seed <= 1_000; seed++) {
      const { model, sessions } = randomCase(seed, { maxEvsesPerGroup: 5, sessionShare: 0.8 });
      const evses = evseInfo(model);
      const result = allocateInstant(model, sessions);
      const groups = new Map(result.groups.map((g) => [g.groupId, g]));
      for (const l of result.limits) {
        if (l.limitingGroupId === undefined) continue;
        const where = `seed ${seed} ${l.sessionId}`;
        const s = sessions.find((x) => x.id === l.sessionId)!;
        const { node, voltageV, phases } = evses.get(l.evseNodeId)!;
        const loaded = phases.slice(0, Math.min(phases.length, s.evPhases ?? 3));
        const g = groups.get(l.limitingGroupId)!;
        // Room left for this session on the group, in A per phase: each of its phases, and the power limit.
        const room = Math.min(...loaded.map((p) => (g.limitA[p] ?? Infinity) - g.currentA[p]!), ((g.limitW ?? Infinity) - g.powerW) / (voltageV * loaded.length));
        // Every session's limit is rounded down to 0.1 A (or 0.1 W), which may leave up to that much per session.
        const rounding = (0.1 * 3 * 240 * sessions.length) / (voltageV * loaded.length) + 1e-6;
        if (l.state === 'paused') {
          const min = Math.max(node.minCurrentA ?? 6, s.evMinCurrentA ?? 0);
          assert.ok(room < min + rounding, `${where}: paused, but ${l.limitingGroupId} has ${room} A left (minimum ${min} A)`);
        } else {
          assert.ok(room < rounding, `${where}: held back, but ${l.limitingGroupId} has ${room} A left`);
        }
        checked++;
      }
    }
    assert.ok(checked > 1_000, `only ${checked} held-back sessions were checked`);
  });

  it('every session held back below its maximum is so by its policy: a full limit it shares only with sessions the policy ranks no higher', () => {
    let checked = 0;
    for (let seed = 1; seed <= 1_500; seed++) {
      const { model, sessions } = randomCase(seed, { maxEvsesPerGroup: 5, sessionShare: 0.8 });
      const evses = evseInfo(model);
      const paths = groupPaths(model);
      const result = allocateInstant(model, sessions);
      const loads = new Map(measureLoads(model, result.limits.filter((l) => l.state !== 'offline')).map((g) => [g.groupId, g]));
      const charging = result.limits
        .filter((l) => l.state === 'charging')
        .map((l) => {
          const s = sessions.find((x) => x.id === l.sessionId)!;
          const { node, voltageV, phases } = evses.get(l.evseNodeId)!;
          const n = l.numberPhases;
          const min = Math.max(node.minCurrentA ?? 6, s.evMinCurrentA ?? 0);
          const evseMax = Math.min(node.maxCurrentA, (node.maxPowerW ?? Infinity) / (voltageV * n));
          const evMax = Math.min(s.evMaxCurrentA ?? Infinity, (s.evMaxPowerW ?? Infinity) / (voltageV * (s.evPhases === undefined ? 1 : n)));
          return { l, s, x: currentOf(l, voltageV), min, max: Math.min(evseMax, Math.max(min, evMax)), loaded: phases.slice(0, n), groups: paths.get(l.evseNodeId)!, rank: arrivalRank(s) };
        });
      const rounding = 0.1 + 1e-6;
      for (const a of charging) {
        if (a.l.cappedAtDraw || a.x >= a.max - rounding) continue;
        // The constraints that are full (within the rounding of every session's limit) and that `a` loads.
        const full: Array<{ group: string; k: number }> = [];
        for (const g of a.groups) {
          const m = loads.get(g)!;
          for (const k of [...a.loaded, 3]) {
            const slack = m.limit[k]! - m.load[k]!;
            const tolerance = k === 3 ? 0.1 * 720 * sessions.length : 0.1 * sessions.length;
            if (slack < tolerance + 1e-6) full.push({ group: g, k });
          }
        }
        const outranks = (b: (typeof charging)[number]): boolean => {
          if (b.x <= b.min + rounding) return false; // held at its minimum: no advantage taken
          if (model.policy === 'equal-share') return b.x > a.x + rounding;
          if (model.policy === 'first-come-first-served') return b.rank > a.rank;
          const pa = a.s.priority ?? 0;
          const pb = b.s.priority ?? 0;
          return pb < pa || (pb === pa && b.x > a.x + rounding);
        };
        const justified = full.some(({ group, k }) =>
          charging.every((b) => b === a || !b.groups.includes(group) || (k !== 3 && !b.loaded.includes(k)) || !outranks(b)),
        );
        assert.ok(justified, `seed ${seed} (${model.policy}) ${a.l.sessionId} at ${a.x} A of ${a.max} A: no full limit justifies it`);
        checked++;
      }
    }
    assert.ok(checked > 2_000, `only ${checked} held-back sessions were checked`);
  });

  it('24-hour plans: no group over its limit in any slot, demand-response windows included (150 random sites)', () => {
    let discharged = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const { model, sessions } = randomCase(10_000 + seed, { maxEvsesPerGroup: 4, sessionShare: 0.9, v2gShare: 0.5 });
      const evses = evseInfo(model);
      const r = seededRandom(seed);
      const groupIds: string[] = [];
      const collect = (g: GroupNode): void => {
        groupIds.push(g.id);
        for (const c of g.children) if (c.kind === 'group') collect(c);
      };
      collect(model.root);
      const windows: LimitWindow[] = [];
      for (let i = 0; i < 3; i++) {
        const from = T0 + Math.floor(r() * 90) * 15 * 60_000 + Math.floor(r() * 10) * 60_000;
        windows.push({
          groupId: groupIds[Math.floor(r() * groupIds.length)]!,
          from: new Date(from).toISOString(),
          to: new Date(from + (1 + Math.floor(r() * 16)) * 15 * 60_000).toISOString(),
          limit: r() < 0.5 ? { maxCurrentA: Math.round(r() * 40) } : { maxPowerW: r() * 20_000 },
        });
      }
      const prices = Array.from({ length: 24 }, (_, h) => ({
        start: new Date(T0 + h * 3_600_000).toISOString(),
        end: new Date(T0 + (h + 1) * 3_600_000).toISOString(),
        pricePerKWh: Math.round(r() * 40) / 100,
      }));
      const plan = optimiseSchedules({ site: model, sessions, start: new Date(T0).toISOString(), prices: { dynamic: prices }, limitWindows: windows });
      const violations = verifySchedules(model, plan, windows.map((w) => ({ groupId: w.groupId, from: w.from, to: w.to, limit: w.limit })));
      assert.deepEqual(violations.slice(0, 3), [], `seed ${seed}`);
      for (const s of plan.sessions) {
        if (s.unmet === undefined && s.requiredKWh !== undefined && s.mode === 'scheduled') {
          assert.ok(s.energyKWh >= s.requiredKWh - 0.001, `seed ${seed} ${s.sessionId}: met but ${s.energyKWh} < ${s.requiredKWh}`);
        }
        if (s.dischargedKWh > 0) {
          discharged++;
          assert.equal(s.unmet, undefined, `seed ${seed} ${s.sessionId}: discharged without its need met`);
          const input = sessions.find((x) => x.id === s.sessionId)!;
          assert.ok(input.discharge !== undefined, `seed ${seed} ${s.sessionId}: discharged without consent`);
          // The battery never goes below its level at the start by more than the EV allows.
          const { node, voltageV } = evses.get(s.evseNodeId)!;
          const n = s.numberPhases;
          // What the EV really draws of an offer: its own and the EVSE's limits.
          const drawCapA = Math.min(node.maxCurrentA, (node.maxPowerW ?? Infinity) / (voltageV * n), input.evMaxCurrentA ?? Infinity, (input.evMaxPowerW ?? Infinity) / (voltageV * n));
          let levelKWh = 0;
          for (const a of s.currentA) {
            levelKWh += (Math.min(a, drawCapA) * voltageV * n * 0.25) / 1000;
            assert.ok(a >= 0 || levelKWh >= -(input.discharge.dischargeableKWh ?? 0) - 0.01, `seed ${seed} ${s.sessionId}: battery ${levelKWh} kWh below start`);
          }
        } else {
          assert.ok(s.currentA.every((a) => a >= 0), `seed ${seed} ${s.sessionId}: negative current without discharge`);
        }
      }
    }
    assert.ok(discharged > 20, `only ${discharged} sessions discharged`);
  });
});
