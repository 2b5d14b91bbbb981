/** Turns a filled planning context into the plan's report: per-session schedules, costs, and unmet needs with reasons. */
import { POWER_SLOT, SLOTS_PER_GROUP } from './compile-site.ts';
import { limitFromCurrent, powerToCurrent } from './electrical.ts';
import type { OverloadWarning } from './group-loads.ts';
import { energyKWh, plannedKWh, type NeedSource, type PlanMode, type PlanningContext, type PlanSession } from './planning-context.ts';
import type { SkippedSession } from './resolve-sessions.ts';
import type { RateUnit } from './site-model.ts';
import { ENERGY_TOLERANCE_KWH } from './slot-filling.ts';
import { slotStartMs } from './time-slots.ts';

/**
 * capacity: the site's limits (static, windows, other sessions of equal or higher priority) left too little room;
 * departure-too-soon: even at the EV's and EVSE's maximum the energy does not fit before departure (or departure
 * has passed); ev-max-power: the EV's own limits (power, current, phases) are what makes it impossible.
 */
export type UnmetReason = 'capacity' | 'departure-too-soon' | 'ev-max-power';

export interface UnmetNeed {
  shortfallKWh: number;
  reason: UnmetReason;
  detail: string;
  /** For `capacity`: the groups whose limits held the session back, most often first. */
  limitingGroupIds: string[];
}

export interface SessionSchedule {
  sessionId: string;
  evseNodeId: string;
  stationId: string;
  evseId: number;
  rateUnit: RateUnit;
  numberPhases: number;
  mode: PlanMode;
  needSource: NeedSource;
  /** ISO 8601 UTC, when known. */
  departure?: string | undefined;
  /** Per slot, the limit to send in the station's unit (0.1 steps); negative = discharge. Empty for offline stations. */
  limits: number[];
  /** Per slot, the same as current per phase (A). */
  currentA: number[];
  /** Net energy planned within the horizon, kWh. */
  energyKWh: number;
  /** Energy given back (V2G), kWh. */
  dischargedKWh: number;
  /** Energy cost of the plan (revenue from discharging subtracted). */
  cost: number;
  requestedKWh?: number | undefined;
  /** What had to be delivered within the horizon (less than requested when departure is beyond it). */
  requiredKWh?: number | undefined;
  unmet?: UnmetNeed | undefined;
}

export interface PlanWarning extends OverloadWarning {
  slots: number[];
}

export interface OptimisationResult {
  start: string;
  slotMinutes: number;
  slotStarts: string[];
  pricePerKWh: number[];
  /** Slots the price signal did not cover and no tariff filled (priced at the signal's mean). */
  priceEstimated: boolean[];
  /** Labels of the limit windows in force, per slot. */
  windowsApplied: string[][];
  sessions: SessionSchedule[];
  skipped: SkippedSession[];
  totalCost: number;
  totalEnergyKWh: number;
  /**
   * Root of the site per slot: total power as planned (external load and offline stations included; discharging is
   * not subtracted) and the power limit in force (null: none).
   */
  siteLoad: { powerW: number[]; limitW: Array<number | null> };
  warnings: PlanWarning[];
}

export interface ResultExtras {
  blocked?: Map<PlanSession, Map<number, number>> | undefined;
  evicted?: Set<PlanSession> | undefined;
  discharged?: Map<PlanSession, number> | undefined;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/** The most energy a session's own limits allow over its window, at a per-phase maximum. */
function deliverableKWh(s: PlanSession, maxCurrentA: number): number {
  let e = 0;
  for (let t = s.firstSlot; t < s.endSlot; t++) e += maxCurrentA * s.kwhPerA[t]!;
  return e;
}

/** The EVSE's own maximum per phase, without the EV's limits, on all of the EVSE's phases. */
function evseOnlyDeliverableKWh(s: PlanSession): number {
  const node = s.r.evse.node;
  const phases = s.r.evse.sitePhases.length;
  const v = s.r.evse.voltageV;
  const a = Math.min(node.maxCurrentA, node.maxPowerW === undefined ? Infinity : powerToCurrent(node.maxPowerW, v, phases));
  let hours = 0;
  for (let t = s.firstSlot; t < s.endSlot; t++) hours += s.hours[t]!;
  return (a * v * phases * hours) / 1000;
}

function unmetNeed(ctx: PlanningContext, s: PlanSession, extras: ResultExtras, energy: number): UnmetNeed | undefined {
  if (s.needSource === 'none') return undefined;
  // A site default whose dwell time is over says nothing about this EV: it simply stays longer than assumed.
  if (s.departurePassed && s.needSource === 'site-default') return undefined;
  if (s.departurePassed) {
    return {
      shortfallKWh: round3(s.requestedKWh ?? 0),
      reason: 'departure-too-soon',
      detail: `departure ${new Date(s.departureMs!).toISOString()} is not after the start of planning; the session charges with what is left`,
      limitingGroupIds: [],
    };
  }
  if (s.mode !== 'scheduled') return undefined;
  const shortfall = s.requiredKWh - energy;
  if (shortfall <= ENERGY_TOLERANCE_KWH) return undefined;
  const own = deliverableKWh(s, Math.min(s.r.maxCurrentA, s.r.drawCapA));
  if (own < s.requiredKWh - ENERGY_TOLERANCE_KWH) {
    const evseOnly = evseOnlyDeliverableKWh(s);
    if (evseOnly >= s.requiredKWh - ENERGY_TOLERANCE_KWH) {
      return {
        shortfallKWh: round3(shortfall),
        reason: 'ev-max-power',
        detail: `the EV's own limits allow at most ${round3(own)} kWh before departure (the EVSE alone could deliver ${round3(evseOnly)}); ${round3(s.requiredKWh)} kWh needed`,
        limitingGroupIds: [],
      };
    }
    return {
      shortfallKWh: round3(shortfall),
      reason: 'departure-too-soon',
      detail: `at full power at most ${round3(own)} kWh fit before departure; ${round3(s.requiredKWh)} kWh needed`,
      limitingGroupIds: [],
    };
  }
  const counts = new Map<string, number>();
  for (const [c, n] of extras.blocked?.get(s) ?? []) {
    const id = ctx.site.groups[Math.floor(c / SLOTS_PER_GROUP)]!.id;
    counts.set(id, (counts.get(id) ?? 0) + n);
  }
  const limitingGroupIds = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
  const evicted = extras.evicted?.has(s) ? '; some of its slots went to sessions of higher priority' : '';
  return {
    shortfallKWh: round3(shortfall),
    reason: 'capacity',
    detail: `the site's limits left room for ${round3(energy)} of ${round3(s.requiredKWh)} kWh before departure${limitingGroupIds.length > 0 ? ` (held back by ${limitingGroupIds.join(', ')})` : ''}${evicted}`,
    limitingGroupIds,
  };
}

function sessionSchedule(ctx: PlanningContext, s: PlanSession, extras: ResultExtras): SessionSchedule {
  const node = s.r.evse.node;
  const price = ctx.prices.pricePerKWh;
  const offline = s.mode === 'offline';
  let cost = 0;
  for (let t = s.firstSlot; t < s.endSlot; t++) cost += price[t]! * energyKWh(s, t, s.x[t]!);
  const energy = plannedKWh(s);
  const schedule: SessionSchedule = {
    sessionId: s.r.input.id,
    evseNodeId: node.id,
    stationId: node.stationId,
    evseId: node.evseId,
    rateUnit: node.rateUnit,
    numberPhases: s.r.phases,
    mode: s.mode,
    needSource: s.needSource,
    limits: offline ? [] : Array.from(s.x, (a) => limitFromCurrent(a, node.rateUnit, s.r.evse.voltageV, s.r.phases)),
    currentA: offline ? [] : Array.from(s.x),
    energyKWh: round3(energy),
    dischargedKWh: round3(extras.discharged?.get(s) ?? 0),
    cost: Math.round(cost * 1e4) / 1e4,
  };
  if (s.departureMs !== undefined) schedule.departure = new Date(s.departureMs).toISOString();
  if (s.requestedKWh !== undefined) {
    schedule.requestedKWh = s.requestedKWh;
    schedule.requiredKWh = round3(s.requiredKWh);
  }
  const unmet = unmetNeed(ctx, s, extras, energy);
  if (unmet) schedule.unmet = unmet;
  return schedule;
}

export function buildResult(ctx: PlanningContext, extras: ResultExtras = {}): OptimisationResult {
  const { grid } = ctx;
  const sessions = ctx.sessions.map((s) => sessionSchedule(ctx, s, extras));
  const warnings = new Map<string, PlanWarning>();
  for (const w of ctx.warnings) {
    const key = `${w.groupId}\u0000${w.constraint}\u0000${w.limit}`;
    const existing = warnings.get(key);
    if (existing) existing.slots.push(w.slot);
    else warnings.set(key, { kind: w.kind, groupId: w.groupId, constraint: w.constraint, limit: w.limit, uncontrolled: w.uncontrolled, slots: [w.slot] });
  }
  const rootPower = ctx.ledgers.map((l) => round3(l.used[POWER_SLOT]!));
  const rootLimit = ctx.ledgers.map((l) => (l.limits[POWER_SLOT] === Infinity ? null : l.limits[POWER_SLOT]!));
  return {
    start: new Date(grid.startMs).toISOString(),
    slotMinutes: grid.slotMs / 60_000,
    slotStarts: Array.from({ length: grid.count }, (_, t) => new Date(slotStartMs(grid, t)).toISOString()),
    pricePerKWh: Array.from(ctx.prices.pricePerKWh),
    priceEstimated: Array.from(ctx.prices.estimated, (v) => v === 1),
    windowsApplied: ctx.windowsApplied,
    sessions,
    skipped: ctx.skipped,
    totalCost: Math.round(sessions.reduce((sum, s) => sum + s.cost, 0) * 1e4) / 1e4,
    totalEnergyKWh: round3(sessions.reduce((sum, s) => sum + s.energyKWh, 0)),
    siteLoad: { powerW: rootPower, limitW: rootLimit },
    warnings: [...warnings.values()],
  };
}
