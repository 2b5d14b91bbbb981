/**
 * Instant allocation: the limit every EVSE gets right now. Run it again on every start, stop, status change, limit
 * change and meter value; it is pure and fast (about a millisecond per hundred sessions, see bench/planner.ts).
 *
 * What counts against a group's capacity, on each phase and in total power:
 * - measured external (non-EV) load at the group and below it;
 * - every EVSE of an offline station at its fallback limit, session or not (Joule cannot tell it to stop);
 * - the sessions' allocations.
 * Sessions are then served by the site's policy (see share-capacity.ts). A session whose EV draws clearly less than it
 * was offered is capped a little above its draw, and what it leaves goes to the others.
 */
import { DomainError } from '../../errors.ts';
import { CapacityLedger } from './capacity-ledger.ts';
import { compileSite, type CompiledSite } from './compile-site.ts';
import { currentToPower, limitFromCurrent, quantiseCurrent } from './electrical.ts';
import { groupLoads, overloadWarnings, uncontrolledUsage, type GroupLoad, type OverloadWarning } from './group-loads.ts';
import { applyLimitWindows, compileLimitWindows, type LimitWindow } from './limit-windows.ts';
import { resolveSessions, type ResolvedSession, type SkippedSession } from './resolve-sessions.ts';
import type { SessionInput } from './session.ts';
import { PAUSED_BY_OWN_LIMIT, shareCapacity, type ShareItem } from './share-capacity.ts';
import type { RateUnit, SharingPolicy, SiteModel } from './site-model.ts';
import { parseTime } from './time-slots.ts';

/**
 * An EV "draws clearly less than offered" when its measured current is more than `thresholdA` below the offer; it is
 * then capped at its draw plus `headroomA` (at least its minimum). With `headroomA` above `thresholdA` the cap holds
 * while the EV keeps drawing the same; when the EV ramps up the cap follows it by up to `headroomA` per re-plan, and
 * once the EV draws within `thresholdA` of its cap it is no longer capped.
 */
export interface UnderDrawOptions {
  thresholdA: number;
  headroomA: number;
}

export const DEFAULT_UNDER_DRAW: UnderDrawOptions = { thresholdA: 2, headroomA: 3 };

export interface AllocationOptions {
  /** ISO 8601 UTC; needed only to apply `limitWindows` (those in force at this instant). */
  now?: string | undefined;
  limitWindows?: readonly LimitWindow[] | undefined;
  /** `false` turns under-draw capping off. */
  underDraw?: UnderDrawOptions | false | undefined;
}

export type AllocationState = 'charging' | 'paused' | 'offline';

/**
 * Why a session is paused: no room for its minimum current under `limitingGroupId`; the EVSE's own ratings are below
 * the minimum; or the 24-hour plan does not charge it in this slot.
 */
export type PauseReason = 'capacity' | 'evse-limit-below-minimum' | 'planned-pause';

export interface EvseLimit {
  sessionId: string;
  evseNodeId: string;
  stationId: string;
  evseId: number;
  state: AllocationState;
  /** What to send, in the station's unit, rounded down to 0.1; 0 when paused. For an offline station, its fallback. */
  limit: number;
  rateUnit: RateUnit;
  /** Phases the limit is computed for (OCPP numberPhases). */
  numberPhases: number;
  /** The same allocation as current per phase and total power. */
  currentA: number;
  powerW: number;
  pauseReason?: PauseReason | undefined;
  /** The group whose limit held this session back (paused, or below its maximum). */
  limitingGroupId?: string | undefined;
  /** The EV drew clearly less than offered, so it was capped near its draw. */
  cappedAtDraw?: boolean | undefined;
}

export interface AllocationResult {
  policy: SharingPolicy;
  /** One per session on a known EVSE, in the policy's order. */
  limits: EvseLimit[];
  skipped: SkippedSession[];
  groups: GroupLoad[];
  warnings: OverloadWarning[];
  /** Labels of the limit windows in force. */
  windowsApplied: string[];
}

/** The per-phase current cap for an EV that draws clearly less than offered, or undefined. */
export function underDrawCap(session: ResolvedSession, options: UnderDrawOptions | false): number | undefined {
  if (options === false) return undefined;
  const offered = session.input.offeredCurrentA;
  const measured = session.measuredCurrentA;
  if (offered === undefined || measured === undefined) return undefined;
  if (measured >= offered - options.thresholdA) return undefined;
  return Math.max(session.minCurrentA, measured + options.headroomA);
}

function validUnderDraw(options: UnderDrawOptions | false | undefined): UnderDrawOptions | false {
  if (options === undefined) return DEFAULT_UNDER_DRAW;
  if (options === false) return false;
  const ok = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  if (!ok(options.thresholdA) || !ok(options.headroomA)) throw new DomainError('invalid', 'underDraw.thresholdA and headroomA must be non-negative numbers');
  return options;
}

export function allocateInstant(site: SiteModel, sessions: readonly SessionInput[], options: AllocationOptions = {}): AllocationResult {
  return allocateCompiled(compileSite(site), sessions, options);
}

/** As `allocateInstant`, for callers that keep the compiled site between re-plans. */
export function allocateCompiled(site: CompiledSite, sessions: readonly SessionInput[], options: AllocationOptions = {}): AllocationResult {
  const underDraw = validUnderDraw(options.underDraw);
  const limits = Float64Array.from(site.limits);
  let windowsApplied: string[] = [];
  if (options.limitWindows !== undefined && options.limitWindows.length > 0) {
    if (options.now === undefined) throw new DomainError('invalid', 'limitWindows need "now" to know which windows are in force');
    const nowMs = parseTime(options.now, 'now');
    windowsApplied = applyLimitWindows(limits, compileLimitWindows(site, options.limitWindows), nowMs, nowMs + 1).map((w) => w.label);
  }
  const uncontrolled = uncontrolledUsage(site);
  const ledger = new CapacityLedger(limits, Float64Array.from(uncontrolled));
  const { sessions: resolved, skipped } = resolveSessions(site, sessions);

  // A session the plan pauses in this slot takes no part in the sharing.
  const plannedPause = (s: ResolvedSession): boolean => s.input.plannedCurrentA !== undefined && s.input.plannedCurrentA < s.minCurrentA;
  const online = resolved.filter((s) => s.evse.online && !plannedPause(s));
  const caps = online.map((s) => Math.min(underDrawCap(s, underDraw) ?? Infinity, s.input.plannedCurrentA ?? Infinity));
  const items: ShareItem[] = online.map((s, i) => {
    const unit = s.evse.node.rateUnit;
    const v = s.evse.voltageV;
    return {
      shape: s.shape,
      minCurrentA: s.minCurrentA,
      maxCurrentA: Math.min(s.maxCurrentA, caps[i]!),
      priority: s.priority,
      quantise: (a: number) => quantiseCurrent(a, unit, v, s.phases),
    };
  });
  const outcome = shareCapacity(ledger, items, site.policy, site.groups.length);

  const out: EvseLimit[] = [];
  let k = 0;
  for (const s of resolved) {
    const node = s.evse.node;
    const base = {
      sessionId: s.input.id,
      evseNodeId: node.id,
      stationId: node.stationId,
      evseId: node.evseId,
      rateUnit: node.rateUnit,
      numberPhases: s.phases,
    };
    if (!s.evse.online) {
      const a = s.evse.offlineFallbackA;
      const phases = s.evse.sitePhases.length;
      out.push({ ...base, numberPhases: phases, state: 'offline', limit: limitFromCurrent(a, node.rateUnit, s.evse.voltageV, phases), currentA: a, powerW: currentToPower(a, s.evse.voltageV, phases) });
      continue;
    }
    if (plannedPause(s)) {
      out.push({ ...base, state: 'paused', limit: 0, currentA: 0, powerW: 0, pauseReason: 'planned-pause' });
      continue;
    }
    const i = k++;
    const a = outcome.currentA[i]!;
    const pausedBy = outcome.pausedBy[i]!;
    const limit: EvseLimit = {
      ...base,
      state: pausedBy === -1 ? 'charging' : 'paused',
      limit: limitFromCurrent(a, node.rateUnit, s.evse.voltageV, s.phases),
      currentA: a,
      powerW: currentToPower(a, s.evse.voltageV, s.phases),
    };
    const drawCap = underDrawCap(s, underDraw);
    if (drawCap !== undefined && drawCap < s.maxCurrentA) limit.cappedAtDraw = true;
    if (pausedBy === PAUSED_BY_OWN_LIMIT) limit.pauseReason = 'evse-limit-below-minimum';
    else if (pausedBy >= 0) {
      limit.pauseReason = 'capacity';
      limit.limitingGroupId = site.groups[pausedBy]!.id;
    } else if (outcome.heldBy[i]! >= 0) {
      limit.limitingGroupId = site.groups[outcome.heldBy[i]!]!.id;
    }
    out.push(limit);
  }

  return {
    policy: site.policy,
    limits: out,
    skipped,
    groups: groupLoads(site, ledger, uncontrolled),
    warnings: overloadWarnings(site, limits, uncontrolled),
    windowsApplied,
  };
}
