/**
 * An independent check of the planner's output against the raw site model: it walks the tree itself (it shares no
 * code with the allocator's compiled form or ledger), adds up per group and phase what the limits to be sent allow
 * each EVSE to draw, plus external load and offline stations at their fallback, and reports every limit exceeded.
 * Use it as a last safety net before sending profiles, and in tests.
 *
 * A group that is over its limit through uncontrolled load alone (external load, offline stations) is not reported
 * here unless sessions add to it: the allocator reports that case as a warning and pauses the sessions below it.
 */
import type { EvseNode, ExternalLoad, GroupNode, NodeLimit, Phase, PhaseRotation, RateUnit, SiteModel, SiteNode } from './site-model.ts';

export interface SentLimit {
  evseNodeId: string;
  /** In `rateUnit`; negative (discharge) counts as 0. */
  limit: number;
  rateUnit: RateUnit;
  numberPhases: number;
}

export interface ExtraLimit {
  /** Default: the root. */
  groupId?: string | undefined;
  limit: NodeLimit;
}

export interface LimitViolation {
  groupId: string;
  constraint: 'L1' | 'L2' | 'L3' | 'W';
  limit: number;
  load: number;
  uncontrolled: number;
}

const PHASE_OF: Record<Phase, number> = { L1: 0, L2: 1, L3: 2 };
const LETTER: Record<string, number> = { R: 0, S: 1, T: 2 };

function wiredPhases(evse: EvseNode): number[] {
  if (evse.phases === 1) return [PHASE_OF[evse.phase ?? 'L1']];
  const rotation: PhaseRotation = evse.phaseRotation ?? 'RST';
  return [...rotation].map((letter) => LETTER[letter]!);
}

/** [L1 A, L2 A, L3 A, W] */
type Load = [number, number, number, number];

function externalLoadOf(load: ExternalLoad | undefined, voltageV: number): Load {
  if (load === undefined) return [0, 0, 0, 0];
  if (load.currentA !== undefined) {
    const c = typeof load.currentA === 'number' ? [load.currentA, load.currentA, load.currentA] : load.currentA;
    return [c[0]!, c[1]!, c[2]!, load.powerW ?? (c[0]! + c[1]! + c[2]!) * voltageV];
  }
  if (load.powerW === undefined) return [0, 0, 0, 0];
  const a = load.powerW / (3 * voltageV);
  return [a, a, a, load.powerW];
}

function limitValues(limit: NodeLimit | undefined): Load {
  const out: Load = [Infinity, Infinity, Infinity, Infinity];
  if (limit === undefined) return out;
  if (limit.maxCurrentA !== undefined) {
    const c = typeof limit.maxCurrentA === 'number' ? [limit.maxCurrentA, limit.maxCurrentA, limit.maxCurrentA] : limit.maxCurrentA;
    out[0] = c[0]!;
    out[1] = c[1]!;
    out[2] = c[2]!;
  }
  if (limit.maxPowerW !== undefined) out[3] = limit.maxPowerW;
  return out;
}

const CONSTRAINTS = ['L1', 'L2', 'L3', 'W'] as const;

/** What flows through one group: [L1 A, L2 A, L3 A, total W] for the load, its uncontrolled part, and the limits. */
export interface MeasuredGroup {
  groupId: string;
  load: [number, number, number, number];
  uncontrolled: [number, number, number, number];
  /** Infinity where there is no limit. */
  limit: [number, number, number, number];
}

/** Loads per group if the sent limits were drawn in full, with the limits in force (static, lowered by `extraLimits`). */
export function measureLoads(site: SiteModel, sent: readonly SentLimit[], extraLimits: readonly ExtraLimit[] = []): MeasuredGroup[] {
  const byEvse = new Map<string, SentLimit>();
  for (const s of sent) byEvse.set(s.evseNodeId, s);
  const extra = new Map<string, Load[]>();
  for (const e of extraLimits) {
    const id = e.groupId ?? site.root.id;
    extra.set(id, [...(extra.get(id) ?? []), limitValues(e.limit)]);
  }
  const out: MeasuredGroup[] = [];

  // Returns [total load, uncontrolled part] of a subtree.
  const walk = (node: SiteNode, voltageV: number): [Load, Load] => {
    const v = node.nominalVoltageV ?? voltageV;
    if (node.kind === 'evse') return [evseLoad(node, v, byEvse.get(node.id)), node.online === false ? evseLoad(node, v, undefined) : [0, 0, 0, 0]];
    const group: GroupNode = node;
    const own = externalLoadOf(group.externalLoad, v);
    const load: Load = [...own];
    const uncontrolled: Load = [...own];
    for (const child of group.children) {
      const [l, u] = walk(child, v);
      for (let k = 0; k < 4; k++) {
        load[k]! += l[k]!;
        uncontrolled[k]! += u[k]!;
      }
    }
    const limit = limitValues(group.limit);
    for (const e of extra.get(group.id) ?? []) for (let k = 0; k < 4; k++) limit[k] = Math.min(limit[k]!, e[k]!);
    out.push({ groupId: group.id, load, uncontrolled, limit });
    return [load, uncontrolled];
  };
  walk(site.root, 230);
  return out;
}

/** Every group limit (static, lowered by `extraLimits`) that the sent limits would exceed. */
export function verifyAllocation(site: SiteModel, sent: readonly SentLimit[], extraLimits: readonly ExtraLimit[] = []): LimitViolation[] {
  const violations: LimitViolation[] = [];
  for (const g of measureLoads(site, sent, extraLimits)) {
    for (let k = 0; k < 4; k++) {
      const allowed = Math.max(g.limit[k]!, g.uncontrolled[k]!);
      if (g.load[k]! > allowed + 1e-6 * Math.max(1, allowed)) {
        violations.push({ groupId: g.groupId, constraint: CONSTRAINTS[k]!, limit: g.limit[k]!, load: g.load[k]!, uncontrolled: g.uncontrolled[k]! });
      }
    }
  }
  return violations;
}

function evseLoad(evse: EvseNode, voltageV: number, sent: SentLimit | undefined): Load {
  const wired = wiredPhases(evse);
  let phases: number[];
  let perPhaseA: number;
  if (evse.online === false) {
    phases = wired;
    perPhaseA = Math.min(evse.offlineFallbackA ?? evse.maxCurrentA, evse.maxCurrentA);
    if (evse.maxPowerW !== undefined) perPhaseA = Math.min(perPhaseA, evse.maxPowerW / (voltageV * wired.length));
  } else {
    if (sent === undefined || sent.limit <= 0) return [0, 0, 0, 0];
    phases = wired.slice(0, Math.min(wired.length, sent.numberPhases));
    perPhaseA = sent.rateUnit === 'A' ? sent.limit : sent.limit / (voltageV * phases.length);
  }
  const load: Load = [0, 0, 0, perPhaseA * voltageV * phases.length];
  for (const p of phases) load[p] = perPhaseA;
  return load;
}

export interface ScheduleViolation extends LimitViolation {
  slot: number;
}

export interface PlannedSchedules {
  slotStarts: readonly string[];
  slotMinutes: number;
  sessions: ReadonlyArray<{ evseNodeId: string; rateUnit: RateUnit; numberPhases: number; limits: readonly number[] }>;
}

export interface TimedLimit extends ExtraLimit {
  from: string;
  to: string;
}

/**
 * `verifyAllocation` for every slot of a plan: the sessions' limits in that slot, under the static limits lowered by
 * every window that overlaps the slot.
 */
export function verifySchedules(site: SiteModel, plan: PlannedSchedules, windows: readonly TimedLimit[] = []): ScheduleViolation[] {
  const violations: ScheduleViolation[] = [];
  const slotMs = plan.slotMinutes * 60_000;
  plan.slotStarts.forEach((start, slot) => {
    const a = Date.parse(start);
    const b = a + slotMs;
    const extra = windows.filter((w) => Date.parse(w.from) < b && Date.parse(w.to) > a);
    const sent: SentLimit[] = plan.sessions
      .filter((s) => s.limits.length > 0)
      .map((s) => ({ evseNodeId: s.evseNodeId, rateUnit: s.rateUnit, numberPhases: s.numberPhases, limit: s.limits[slot]! }));
    for (const v of verifyAllocation(site, sent, extra)) violations.push({ ...v, slot });
  });
  return violations;
}
