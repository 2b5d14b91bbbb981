/**
 * The composite schedule (reference §5.5: 1.6 §3.13.3/§5.7, 2.0.1 K §3.5 and K08, 2.1 K §3.6): the limit an EVSE
 * (or, for EVSE 0, the whole station) is expected to draw over a window, from the installed profiles.
 *
 * Per purpose, at every instant, the leading schedule is the highest stackLevel among the valid profiles that have a
 * period defined then (1.6 §3.13.2, K01.FR.17, 2.0.1 K §3.5). PriorityCharging (when activated) replaces TxProfile,
 * which replaces TxDefaultProfile; the result is the minimum with ChargingStationMaxProfile and
 * ChargingStationExternalConstraints, in the requested rate unit (K08.FR.04, SC.01). Everything works on period
 * boundaries: each profile becomes a few segments inside the window, and step functions are merged in one pass.
 *
 * Interpretations of rules the spec leaves open (each cites where it comes from):
 * - Only a profile's first schedule is used; more than one exists only for ISO 15118, where the EV picks (K01.FR.34).
 * - Relative profiles, and Absolute/Recurring ones without startSchedule (1.6 §7.13: "relative to start of
 *   charging"), start at the EVSE's `chargingStartedAt`; without a transaction, at the window start, as if one had
 *   started then (K08.FR.06). Dynamic (2.1) profiles start at startSchedule when given, else the same way.
 * - Recurring: instance k starts at startSchedule + k x 24 h (Daily) or 7 d (Weekly), k >= 0 ([S16E] 3.79); it runs
 *   for min(duration, recurrence period), periods beyond that are not executed and a shorter duration falls back to
 *   lower stack levels ([S16E] 3.43/3.44, K01.FR.13). Nothing recurs before startSchedule (K01.FR.30).
 * - A TxDefaultProfile on EVSE 0 applies to every EVSE (K01.FR.14). At the same stackLevel the EVSE's own profile wins
 *   (1.6 §3.13.1: the connector profile replaces the connector-0 one "only for that specific connector"; 2.x
 *   forbids the tie, K01.FR.52/53). ChargingStationMaxProfile and ExternalConstraints on EVSE 0 and on the EVSE are
 *   separate limits, both applied (2.x SetChargingProfileRequest.evseId). For one EVSE, the station-wide limit caps it
 *   as if it were alone: how the station shares it between EVSEs is its local balancing (1.6 §3.13.3; K08 remark:
 *   the composite is indicative). EVSE 0 below shows the shared total.
 * - A TxProfile applies only to the transaction running on its EVSE (same transactionId, or none given, 1.6); without
 *   a transaction there is no TxProfile (K08.FR.06). Where a TxProfile has no period (its duration ended), the
 *   TxDefaultProfile applies again (2.0.1 K02 remark).
 * - A period's value is its limit; a 2.1 setpoint lowers it (SC.04 (2.1): "the lowest limit and setpoint"), a negative
 *   (discharging) setpoint counts as 0 charging.
 * - A <-> W: W = A x V x n and A = W / (V x n) with V the nominal line voltage ([S16E] 3.69, K01.FR.50) and n the
 *   phases actually used: the fewer of the period's numberPhases (default 3, K01.FR.49) and the EVSE's phases
 *   ([S16E] 3.34: the limit is used as given for the phases in use). Same-unit limits are never rescaled.
 * - numberPhases of a composite period: the lowest numberPhases set by the leading periods (2.1 K §3.8); absent when
 *   none sets it (then 3 is meant).
 * - The EVSE's maximum (input) is one more limit in the minimum: it fills the gaps where no profile limits and caps
 *   limits above the hardware (SC.04: report the expected limit). Without it, gaps have no limit.
 * - LocalGeneration (2.1 K §3.6) is added on top where the composite is finite: profiles on the EVSE for that EVSE,
 *   profiles on EVSE 0 for the station total (never both, so nothing counts twice).
 * - EVSE 0 (K08.FR.03, [S16E] 3.30: the total drawn from the grid) = the minimum of the station-level limits (Max,
 *   External, the grid connection's maximum) and the sum of every listed EVSE's composite; if any EVSE is unlimited,
 *   so is the sum. In A, per-phase currents are summed, i.e. all EVSEs are assumed to share the same phases. A
 *   TxDefaultProfile on EVSE 0 is not a limit of EVSE 0 itself (K09.FR.05 note).
 * - Boundaries are reported in whole seconds from the window start (startPeriod is an integer on the wire); limits
 *   are rounded down to 0.1 (never above what the profiles allow).
 */
import { DomainError } from '../errors.ts';
import type {
  ChargingRateUnit,
  ChargingSchedulePeriod,
  CompositeSchedule,
  CompositeSchedulePeriod,
  CompositeScheduleInput,
  EvseChargingContext,
  EvseChargingProfile,
  RecurrencyKind,
} from './charging-profile.ts';
import { floorToTenth } from './conversion-result.ts';
import { addOnTop, constantSteps, minSteps, overlaySteps, StepBuilder, sumSteps, type Steps } from './step-function.ts';
import { parseIsoTime, toIso } from './time.ts';

const DAY_MS = 86_400_000;
const RECURRENCE_MS: Record<RecurrencyKind, number> = { Daily: DAY_MS, Weekly: 7 * DAY_MS };
const DEFAULT_PHASES = 3;
const DEFAULT_LINE_VOLTAGE = 230;

/** A piece of one profile's schedule inside the window, [from, to) in epoch ms, value in the target unit. */
interface Segment {
  from: number;
  to: number;
  value: number;
  phases: number | undefined;
  /** Precedence within its purpose: stackLevel, the EVSE's own profile above EVSE 0's at the same level. */
  rank: number;
}

interface Units {
  target: ChargingRateUnit;
  voltage: number;
  phases: number;
}

interface Window {
  start: number;
  end: number;
}

function invalid(message: string): never {
  throw new DomainError('invalid', message);
}

function profileTime(value: string | undefined, id: number, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseIsoTime(value);
  if (ms === undefined) invalid(`charging profile ${id}: ${field} is not an ISO 8601 date-time`);
  return ms;
}

function convert(value: number, unit: ChargingRateUnit, periodPhases: number | undefined, u: Units): number {
  if (unit === u.target || !Number.isFinite(value)) return value;
  const n = Math.min(periodPhases ?? DEFAULT_PHASES, u.phases);
  return unit === 'A' ? value * u.voltage * n : value / (u.voltage * n);
}

function periodValue(period: ChargingSchedulePeriod): number {
  let value = period.limit ?? Infinity;
  if (period.setpoint !== undefined) value = Math.min(value, Math.max(period.setpoint, 0));
  return value;
}

/** Appends the segments of `entry` that fall inside the window (and inside its validity). */
function addSegments(entry: EvseChargingProfile, rank: number, window: Window, anchor: number, u: Units, out: Segment[]): void {
  const p = entry.profile;
  const schedule = p.schedules?.[0];
  const periods = schedule?.periods;
  if (!schedule || !periods || periods.length === 0) return;
  // Validity: validFrom <= t < validTo (K01.FR.36/37); absent bounds are open (K01.FR.10).
  const lo = Math.max(window.start, profileTime(p.validFrom, p.id, 'validFrom') ?? -Infinity);
  const hi = Math.min(window.end, profileTime(p.validTo, p.id, 'validTo') ?? Infinity);
  if (hi <= lo) return;
  const durationMs = schedule.duration !== undefined ? schedule.duration * 1000 : Infinity;
  const startSchedule = p.kind === 'Relative' ? undefined : profileTime(schedule.startSchedule, p.id, 'startSchedule');
  const origin = startSchedule ?? anchor;
  const unit = schedule.chargingRateUnit;

  const instance = (s: number, e: number): void => {
    if (e <= lo || s >= hi) return;
    for (let i = 0; i < periods.length; i++) {
      const period = periods[i] as ChargingSchedulePeriod;
      const ps = s + period.startPeriod * 1000;
      if (ps >= e || ps >= hi) break; // K01.FR.11: periods at or past the duration are not executed.
      const next = periods[i + 1];
      const pe = Math.min(next ? s + next.startPeriod * 1000 : Infinity, e); // K01.FR.12
      const from = Math.max(ps, lo);
      const to = Math.min(pe, hi);
      if (to > from) {
        out.push({ from, to, value: convert(periodValue(period), unit, period.numberPhases, u), phases: period.numberPhases, rank });
      }
    }
  };

  if (p.kind === 'Recurring' && p.recurrencyKind !== undefined && RECURRENCE_MS[p.recurrencyKind] !== undefined) {
    const every = RECURRENCE_MS[p.recurrencyKind];
    const length = Math.min(durationMs, every);
    for (let k = Math.max(0, Math.floor((lo - origin) / every)); origin + k * every < hi; k++) {
      instance(origin + k * every, origin + k * every + length);
    }
  } else {
    instance(origin, origin + durationMs);
  }
}

const byFrom = (a: Segment, b: Segment): number => a.from - b.from;
const ascending = (a: number, b: number): number => a - b;

function disjoint(sorted: Segment[]): boolean {
  for (let i = 1; i < sorted.length; i++) if ((sorted[i] as Segment).from < (sorted[i - 1] as Segment).to) return false;
  return true;
}

/** The common case (one profile, or profiles that never overlap): no precedence to resolve, only gaps to fill. */
function stepsOfDisjoint(sorted: Segment[], window: Window): Steps {
  const out = new StepBuilder();
  let t = window.start;
  for (const s of sorted) {
    if (s.from > t) out.push(t, undefined, undefined);
    out.push(s.from, s.value, s.phases);
    t = s.to;
  }
  if (t < window.end) out.push(t, undefined, undefined);
  return out.build();
}

/** The leading schedule of one purpose: at each instant, the highest-ranked segment covering it. */
function leading(segments: Segment[], window: Window): Steps {
  if (segments.length === 0) return constantSteps(window.start, undefined, undefined);
  segments.sort(byFrom);
  if (disjoint(segments)) return stepsOfDisjoint(segments, window);
  const points: number[] = [window.start];
  for (const s of segments) points.push(s.from, s.to);
  points.sort(ascending);
  const out = new StepBuilder();
  const active: Segment[] = [];
  let next = 0;
  let last = NaN;
  for (const t of points) {
    if (t === last || t >= window.end) continue;
    last = t;
    // Within one profile segments never overlap, so `active` holds at most one segment per profile.
    for (let i = active.length - 1; i >= 0; i--) if ((active[i] as Segment).to <= t) active.splice(i, 1);
    while (next < segments.length && (segments[next] as Segment).from <= t) {
      const s = segments[next++] as Segment;
      if (s.to > t) active.push(s);
    }
    let best: Segment | undefined;
    for (const s of active) if (!best || s.rank > best.rank) best = s;
    out.push(t, best?.value, best?.phases);
  }
  return out.build();
}

function maxLimitSteps(ctx: EvseChargingContext | undefined, window: Window, u: Units): Steps {
  const max = ctx?.maxLimit;
  if (!max) return constantSteps(window.start, undefined, undefined);
  return constantSteps(window.start, convert(max.limit, max.unit, undefined, u), undefined);
}

function unitsFor(ctx: EvseChargingContext | undefined, target: ChargingRateUnit, voltage: number): Units {
  return { target, voltage, phases: ctx?.phases ?? DEFAULT_PHASES };
}

function rankOf(entry: EvseChargingProfile, evseId: number): number {
  return entry.profile.stackLevel * 2 + (entry.evseId === evseId ? 1 : 0);
}

/** The composite of one EVSE (> 0) as a step function in the target unit. */
function evseSteps(
  evseId: number,
  profiles: readonly EvseChargingProfile[],
  ctx: EvseChargingContext | undefined,
  window: Window,
  target: ChargingRateUnit,
  voltage: number,
): Steps {
  const u = unitsFor(ctx, target, voltage);
  const tx = ctx?.transaction;
  const anchor = tx ? (parseIsoTime(tx.chargingStartedAt) ?? invalid(`EVSE ${evseId}: chargingStartedAt is not an ISO 8601 date-time`)) : window.start;
  const stationMax: Segment[] = [];
  const evseMax: Segment[] = [];
  const stationExternal: Segment[] = [];
  const evseExternal: Segment[] = [];
  const txDefault: Segment[] = [];
  const txProfile: Segment[] = [];
  const priority: Segment[] = [];
  const generation: Segment[] = [];
  for (const entry of profiles) {
    if (entry.evseId !== 0 && entry.evseId !== evseId) continue;
    const own = entry.evseId === evseId;
    const rank = rankOf(entry, evseId);
    switch (entry.profile.purpose) {
      case 'ChargingStationMaxProfile':
        addSegments(entry, rank, window, anchor, u, own ? evseMax : stationMax);
        break;
      case 'ChargingStationExternalConstraints':
        addSegments(entry, rank, window, anchor, u, own ? evseExternal : stationExternal);
        break;
      case 'TxDefaultProfile':
        addSegments(entry, rank, window, anchor, u, txDefault);
        break;
      case 'TxProfile': {
        const tid = entry.profile.transactionId;
        if (own && tx && (tid === undefined || tid === tx.transactionId)) addSegments(entry, rank, window, anchor, u, txProfile);
        break;
      }
      case 'PriorityCharging':
        if (tx?.priorityCharging) addSegments(entry, rank, window, anchor, u, priority);
        break;
      case 'LocalGeneration':
        if (own) addSegments(entry, rank, window, anchor, u, generation);
        break;
    }
  }
  let steps = overlaySteps(leading(priority, window), overlaySteps(leading(txProfile, window), leading(txDefault, window)));
  steps = minSteps(steps, leading(stationMax, window));
  steps = minSteps(steps, leading(evseMax, window));
  steps = minSteps(steps, leading(stationExternal, window));
  steps = minSteps(steps, leading(evseExternal, window));
  steps = minSteps(steps, maxLimitSteps(ctx, window, u));
  return generation.length > 0 ? addOnTop(steps, leading(generation, window)) : steps;
}

/** The station total (EVSE 0). */
function stationSteps(input: CompositeScheduleInput, contexts: Map<number, EvseChargingContext>, window: Window, voltage: number): Steps {
  const ctx = contexts.get(0);
  const u = unitsFor(ctx, input.chargingRateUnit, voltage);
  const max: Segment[] = [];
  const external: Segment[] = [];
  const generation: Segment[] = [];
  for (const entry of input.profiles) {
    if (entry.evseId !== 0) continue;
    const rank = rankOf(entry, 0);
    switch (entry.profile.purpose) {
      case 'ChargingStationMaxProfile':
        addSegments(entry, rank, window, window.start, u, max);
        break;
      case 'ChargingStationExternalConstraints':
        addSegments(entry, rank, window, window.start, u, external);
        break;
      case 'LocalGeneration':
        addSegments(entry, rank, window, window.start, u, generation);
        break;
      default:
        break;
    }
  }
  let steps = minSteps(leading(max, window), leading(external, window));
  steps = minSteps(steps, maxLimitSteps(ctx, window, u));
  let total: Steps | undefined;
  for (const [evseId, evseCtx] of contexts) {
    if (evseId <= 0) continue;
    const evse = evseSteps(evseId, input.profiles, evseCtx, window, input.chargingRateUnit, voltage);
    total = total ? sumSteps(total, evse) : sumSteps(evse, constantSteps(window.start, 0, undefined));
  }
  if (total) steps = minSteps(steps, total);
  return generation.length > 0 ? addOnTop(steps, leading(generation, window)) : steps;
}

function toPeriods(steps: Steps, windowStart: number): CompositeSchedulePeriod[] {
  const periods: CompositeSchedulePeriod[] = [];
  for (let i = 0; i < steps.at.length; i++) {
    const startPeriod = Math.round(((steps.at[i] as number) - windowStart) / 1000);
    const value = steps.value[i];
    const limit = value !== undefined && Number.isFinite(value) ? floorToTenth(value) : undefined;
    const phases = steps.phases[i];
    const period: CompositeSchedulePeriod = { startPeriod };
    if (limit !== undefined) period.limit = limit;
    if (phases !== undefined) period.numberPhases = phases;
    const prev = periods[periods.length - 1];
    if (prev && prev.startPeriod === startPeriod) periods.pop(); // Less than a second long: the later state wins.
    const last = periods[periods.length - 1];
    if (last && last.limit === period.limit && last.numberPhases === period.numberPhases) continue; // Merge equal neighbours.
    periods.push(period);
  }
  return periods;
}

function checkInput(input: CompositeScheduleInput): { start: number; voltage: number } {
  if (!input || typeof input !== 'object') invalid('composite schedule input must be an object');
  const start = parseIsoTime(input.start);
  if (start === undefined) invalid('start must be an ISO 8601 date-time');
  if (typeof input.duration !== 'number' || !Number.isFinite(input.duration) || input.duration <= 0) {
    invalid('duration must be a positive number of seconds');
  }
  if (input.chargingRateUnit !== 'A' && input.chargingRateUnit !== 'W') invalid('chargingRateUnit must be A or W');
  if (!Number.isInteger(input.evseId) || input.evseId < 0) invalid('evseId must be an integer >= 0');
  if (!Array.isArray(input.profiles)) invalid('profiles must be a list');
  const voltage = input.lineVoltage ?? DEFAULT_LINE_VOLTAGE;
  if (typeof voltage !== 'number' || !Number.isFinite(voltage) || voltage <= 0) invalid('lineVoltage must be a positive number');
  if (input.evses !== undefined && !Array.isArray(input.evses)) invalid('evses must be a list');
  for (const ctx of input.evses ?? []) {
    if (!ctx || !Number.isInteger(ctx.evseId) || ctx.evseId < 0) invalid('every EVSE needs an integer evseId >= 0');
    if (ctx.phases !== undefined && (!Number.isInteger(ctx.phases) || ctx.phases < 1 || ctx.phases > 3)) {
      invalid(`EVSE ${ctx.evseId}: phases must be 1, 2 or 3`);
    }
    if (ctx.maxLimit && (!Number.isFinite(ctx.maxLimit.limit) || ctx.maxLimit.limit < 0)) {
      invalid(`EVSE ${ctx.evseId}: maxLimit must be a number >= 0`);
    }
  }
  // K08.FR.05: an EVSE the station does not have (when the EVSEs are listed).
  const listed = (input.evses ?? []).filter((e) => e.evseId > 0);
  if (input.evseId > 0 && listed.length > 0 && !listed.some((e) => e.evseId === input.evseId)) {
    invalid(`the station has no EVSE ${input.evseId}`);
  }
  return { start, voltage };
}

/**
 * The composite schedule of `input.evseId` over [start, start + duration). Throws a DomainError ('invalid') for bad
 * input, never anything else.
 */
export function computeCompositeSchedule(input: CompositeScheduleInput): CompositeSchedule {
  const { start, voltage } = checkInput(input);
  const window: Window = { start, end: start + input.duration * 1000 };
  const contexts = new Map<number, EvseChargingContext>();
  for (const ctx of input.evses ?? []) contexts.set(ctx.evseId, ctx);
  const steps =
    input.evseId === 0
      ? stationSteps(input, contexts, window, voltage)
      : evseSteps(input.evseId, input.profiles, contexts.get(input.evseId), window, input.chargingRateUnit, voltage);
  return {
    evseId: input.evseId,
    scheduleStart: toIso(start),
    duration: input.duration,
    chargingRateUnit: input.chargingRateUnit,
    periods: toPeriods(steps, start),
  };
}
