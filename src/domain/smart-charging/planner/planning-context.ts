/**
 * What both the optimiser and the immediate-charging baseline plan on: the slot grid, prices, one capacity ledger per
 * slot (static limits lowered by the windows in force, minus external load and offline stations), and the sessions
 * with their windows, energy needs and per-slot presence.
 */
import { DomainError } from '../../errors.ts';
import { CapacityLedger } from './capacity-ledger.ts';
import { compileSite, type CompiledSite } from './compile-site.ts';
import { currentFromLimit, limitFromCurrent, quantiseCurrent } from './electrical.ts';
import { overloadWarnings, uncontrolledUsage, type OverloadWarning } from './group-loads.ts';
import { applyLimitWindows, compileLimitWindows, type LimitWindow } from './limit-windows.ts';
import { resolveSessions, type ResolvedSession, type SkippedSession } from './resolve-sessions.ts';
import type { SessionInput } from './session.ts';
import type { SiteModel } from './site-model.ts';
import { slotPrices, type PriceInput, type SlotPrices } from './tariff.ts';
import { gridEndMs, makeGrid, overlapHours, parseTime, slotStartMs, type SlotGrid } from './time-slots.ts';

/** Applied to sessions that bring no energy need of their own. */
export interface DefaultNeed {
  energyKWh: number;
  /** Departure = start of the session + this. */
  dwellMinutes: number;
}

export interface PlanningInput {
  site: SiteModel;
  sessions: readonly SessionInput[];
  /** ISO 8601 UTC: the start of the first slot (normally now). */
  start: string;
  /** Default 15. */
  slotMinutes?: number | undefined;
  /** Default 24. */
  horizonHours?: number | undefined;
  prices: PriceInput;
  /** Peak-shaving windows and demand-response events. */
  limitWindows?: readonly LimitWindow[] | undefined;
  defaultNeed?: DefaultNeed | undefined;
}

/** scheduled: has an energy need and a departure; opportunistic: need unknown, takes what is left; offline: not plannable. */
export type PlanMode = 'scheduled' | 'opportunistic' | 'offline';
export type NeedSource = 'session' | 'site-default' | 'none';

export interface PlanSession {
  r: ResolvedSession;
  mode: PlanMode;
  needSource: NeedSource;
  departureMs: number | undefined;
  /** The need as given (kWh); undefined when unknown. */
  requestedKWh: number | undefined;
  /** What has to be delivered inside the horizon (less than requested when departure is beyond it). */
  requiredKWh: number;
  /** Hours of each slot during which the EV is there (0 outside its window). */
  hours: Float64Array;
  /** kWh per ampere (per phase) in each slot. */
  kwhPerA: Float64Array;
  firstSlot: number;
  /** Exclusive. */
  endSlot: number;
  /** Planned per-phase current per slot; negative = discharge. */
  x: Float64Array;
  /** Set when departure had already passed at the start of planning. */
  departurePassed: boolean;
  /** Round a current down / up to what can be sent (0.1 in the station's unit). */
  floorQ: (a: number) => number;
  ceilQ: (a: number) => number;
}

export interface PlanningContext {
  site: CompiledSite;
  grid: SlotGrid;
  prices: SlotPrices;
  /** One per slot. */
  ledgers: CapacityLedger[];
  windowsApplied: string[][];
  warnings: Array<OverloadWarning & { slot: number }>;
  sessions: PlanSession[];
  skipped: SkippedSession[];
}

function checkedDefaultNeed(need: DefaultNeed | undefined): DefaultNeed | undefined {
  if (need === undefined) return undefined;
  const ok = (v: unknown, positive: boolean): boolean => typeof v === 'number' && Number.isFinite(v) && (positive ? v > 0 : v >= 0);
  if (typeof need !== 'object' || need === null || !ok(need.energyKWh, false) || !ok(need.dwellMinutes, true)) {
    throw new DomainError('invalid', 'defaultNeed needs energyKWh >= 0 and dwellMinutes > 0');
  }
  return need;
}

function planSession(r: ResolvedSession, grid: SlotGrid, defaultNeed: DefaultNeed | undefined): PlanSession {
  const where = `session "${r.input.id}"`;
  const unit = r.evse.node.rateUnit;
  const v = r.evse.voltageV;
  const floorQ = (a: number): number => quantiseCurrent(a, unit, v, r.phases);
  const ceilQ = (a: number): number => {
    const f = floorQ(a);
    return f >= a - 1e-12 ? f : currentFromLimit(limitFromCurrent(a, unit, v, r.phases) + 0.1, unit, v, r.phases);
  };

  let needSource: NeedSource = 'none';
  let departureMs: number | undefined;
  let requestedKWh: number | undefined;
  const need = r.input.energyNeed;
  if (need !== undefined) {
    if (typeof need !== 'object' || need === null) throw new DomainError('invalid', `${where}.energyNeed must be an object`);
    if (typeof need.energyKWh !== 'number' || !Number.isFinite(need.energyKWh) || need.energyKWh < 0) {
      throw new DomainError('invalid', `${where}.energyNeed.energyKWh must be a non-negative number`);
    }
    departureMs = parseTime(need.departure, `${where}.energyNeed.departure`);
    requestedKWh = need.energyKWh;
    needSource = 'session';
  } else if (defaultNeed !== undefined) {
    departureMs = r.startMs + defaultNeed.dwellMinutes * 60_000;
    requestedKWh = defaultNeed.energyKWh;
    needSource = 'site-default';
  }

  const horizonEnd = gridEndMs(grid);
  const presentFrom = Math.max(r.startMs, grid.startMs);
  const departurePassed = departureMs !== undefined && departureMs <= grid.startMs;
  // Without a usable departure the EV is assumed to stay to the end of the horizon.
  const presentTo = departureMs !== undefined && !departurePassed ? Math.min(departureMs, horizonEnd) : horizonEnd;
  const hours = new Float64Array(grid.count);
  const kwhPerA = new Float64Array(grid.count);
  let firstSlot = grid.count;
  let endSlot = 0;
  const wattsPerAmp = r.shape.wattsPerAmp;
  if (presentTo > presentFrom) {
    const a = Math.max(0, Math.floor((presentFrom - grid.startMs) / grid.slotMs));
    const b = Math.min(grid.count, Math.ceil((presentTo - grid.startMs) / grid.slotMs));
    for (let t = a; t < b; t++) {
      const h = overlapHours(grid, t, presentFrom, presentTo);
      if (h <= 0) continue;
      hours[t] = h;
      kwhPerA[t] = (wattsPerAmp * h) / 1000;
      firstSlot = Math.min(firstSlot, t);
      endSlot = t + 1;
    }
  }

  let mode: PlanMode = 'opportunistic';
  let requiredKWh = 0;
  if (!r.evse.online) mode = 'offline';
  else if (requestedKWh !== undefined && departureMs !== undefined && !departurePassed) {
    mode = 'scheduled';
    // Beyond the horizon, only what cannot be delivered after its end has to be delivered within it; the rest is
    // left to later plans (they see the prices we do not know yet).
    const afterHorizonH = Math.max(0, (departureMs - horizonEnd) / 3_600_000);
    requiredKWh = Math.max(0, requestedKWh - (r.drawCapA * wattsPerAmp * afterHorizonH) / 1000);
  }
  return {
    r,
    mode,
    needSource,
    departureMs,
    requestedKWh,
    requiredKWh,
    hours,
    kwhPerA,
    firstSlot,
    endSlot,
    x: new Float64Array(grid.count),
    departurePassed,
    floorQ,
    ceilQ,
  };
}

export function buildPlanningContext(input: PlanningInput): PlanningContext {
  if (typeof input !== 'object' || input === null) throw new DomainError('invalid', 'planning input must be an object');
  const site = compileSite(input.site);
  const grid = makeGrid(input.start, input.slotMinutes, input.horizonHours);
  const prices = slotPrices(grid, input.prices);
  const windows = compileLimitWindows(site, input.limitWindows);
  const uncontrolled = uncontrolledUsage(site);
  const ledgers: CapacityLedger[] = [];
  const windowsApplied: string[][] = [];
  const warnings: PlanningContext['warnings'] = [];
  for (let t = 0; t < grid.count; t++) {
    const limits = Float64Array.from(site.limits);
    const from = slotStartMs(grid, t);
    windowsApplied.push(applyLimitWindows(limits, windows, from, from + grid.slotMs).map((w) => w.label));
    ledgers.push(new CapacityLedger(limits, Float64Array.from(uncontrolled)));
    for (const w of overloadWarnings(site, limits, uncontrolled)) warnings.push({ ...w, slot: t });
  }
  const defaultNeed = checkedDefaultNeed(input.defaultNeed);
  const { sessions, skipped } = resolveSessions(site, input.sessions);
  return { site, grid, prices, ledgers, windowsApplied, warnings, sessions: sessions.map((r) => planSession(r, grid, defaultNeed)), skipped };
}

/**
 * Energy of a per-phase current `x` in slot `t`, kWh: charging counts only what the EV can draw (an offer above its
 * own limits is not energy), discharging counts negative.
 */
export function energyKWh(s: PlanSession, t: number, x: number): number {
  return (x > 0 ? Math.min(x, s.r.drawCapA) : x) * s.kwhPerA[t]!;
}

/** Net energy planned for a session, kWh (discharge counts negative). */
export function plannedKWh(s: PlanSession): number {
  let e = 0;
  for (let t = s.firstSlot; t < s.endSlot; t++) e += energyKWh(s, t, s.x[t]!);
  return e;
}
