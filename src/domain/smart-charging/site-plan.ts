/**
 * One re-plan of a site, pure: from what is stored and measured to the limit of every EVSE now, the schedule of every
 * session, the default an idle EVSE gives an arriving EV, and the charging profiles that say so.
 *
 * 1. The 24-hour optimiser (planner/schedule-optimiser.ts) plans every session against the tariff and prices, the
 *    demand-response windows and the departure needs, on a grid aligned to the site's slot length.
 * 2. The instant allocation (planner/instant-allocation.ts) decides the limit now, capped by the plan's first slot
 *    (so the plan's timing holds). Both plan each EV at what it was seen to draw at most (ev-limit-learning.ts), so
 *    that capacity an EV cannot use goes to the others.
 * 3. Each session's TxProfile is that limit now followed by the plan's later slots; each idle EVSE's TxDefaultProfile
 *    is its share of what is left (idle-defaults.ts). Limits are in the unit the EVSE's station takes.
 */
import type { DemandResponseEventRecord, PricePointRecord, SessionNeedRecord, SiteTariffRecord, TransactionRecord } from '../../store/ports.ts';
import type { MeasuredDraw } from '../metering/measured-draw.ts';
import type { ChargingProfile, ChargingSchedulePeriod } from './charging-profile.ts';
import { addSessionLoads, idleShares, type SessionLoad, type SlotLoad } from './idle-defaults.ts';
import { compileSite, type CompiledEvse } from './planner/compile-site.ts';
import { limitFromCurrent, powerToCurrent } from './planner/electrical.ts';
import { uncontrolledUsage } from './planner/group-loads.ts';
import { allocateInstant, type EvseLimit, type PauseReason } from './planner/instant-allocation.ts';
import { DEFAULT_LEARNING, learnEvLimit, type LearningOptions } from './ev-limit-learning.ts';
import { applyLimitWindows, compileLimitWindows, type LimitWindow } from './planner/limit-windows.ts';
import type { OptimisationResult, UnmetReason } from './planner/plan-result.ts';
import { optimiseSchedules } from './planner/schedule-optimiser.ts';
import type { SessionInput } from './planner/session.ts';
import type { RateUnit, SiteNode } from './planner/site-model.ts';
import type { PriceInput } from './planner/tariff.ts';
import { buildSiteModel, evseNodeId, groupIdOfNode, groupNodeId, type SiteRecords } from './site-model-builder.ts';
import { capPeriods } from './station-fit.ts';
import type { EvseElectrical } from './station-requests.ts';

/** Profile ids Joule uses for its own profiles, one per EVSE and purpose (a new one replaces the old by id). */
export const TX_DEFAULT_PROFILE_ID_BASE = 9_000_000;
export const TX_PROFILE_ID_BASE = 9_500_000;

export interface PlanOptions {
  /** How an EV's own limit is learned from its draw (ev-limit-learning.ts). */
  learning: LearningOptions;
  /**
   * What an EV that has not told its limits and not been measured yet is assumed to draw at most (the common 11 kW
   * on-board charger), so that energy is not planned at a rate it cannot take; learning raises it if it draws more.
   */
  assumedEvMaxPowerW: number;
  /** Stack level of Joule's TxProfiles and TxDefaultProfiles. */
  stackLevel: number;
  /** Periods per schedule at most (the common ChargingScheduleMaxPeriods / PeriodsPerSchedule). */
  maxPeriods: number;
  /** A demand-response window that starts within this time already holds for the limits set now. */
  windowLeadMs: number;
  /** A meter reading this soon after an offer changed may still show the old offer. */
  drawSettleMs: number;
  /** Steps up in a schedule start this much late (seconds; less than half a slot). */
  stepGuardSeconds: number;
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = {
  learning: DEFAULT_LEARNING,
  assumedEvMaxPowerW: 11_000,
  stackLevel: 1,
  maxPeriods: 24,
  windowLeadMs: 2_000,
  drawSettleMs: 1_500,
  stepGuardSeconds: 2,
};

export interface ActiveSession {
  tx: TransactionRecord;
  need?: SessionNeedRecord | undefined;
}

/** What the planner remembers between re-plans of a session. */
export interface OfferMemory {
  /** Per-phase current offered now. */
  currentA: number;
  /** When that offer was made (ms). */
  sinceMs: number;
}

export interface PlanningState extends SiteRecords {
  tariff: SiteTariffRecord | undefined;
  prices: readonly PricePointRecord[];
  events: readonly DemandResponseEventRecord[];
  /** The active transactions on the site's EVSEs. */
  sessions: readonly ActiveSession[];
  /** Latest measured draw per EVSE node id. */
  draws: ReadonlyMap<string, MeasuredDraw>;
  /** The last offer per transaction id. */
  offers: ReadonlyMap<string, OfferMemory>;
  /** What each session's EV was learned to draw at most, per phase (A), by transaction id. */
  learned: ReadonlyMap<string, number>;
  nowMs: number;
}

export type EvseState = 'charging' | 'paused' | 'offline' | 'idle';

export interface EvsePlan {
  stationId: string;
  evseId: number;
  online: boolean;
  state: EvseState;
  transactionId: string | null;
  /** The limit now, in `rateUnit` (a session's allocation, or an idle EVSE's default). */
  limit: number;
  rateUnit: RateUnit;
  numberPhases: number;
  currentA: number;
  powerW: number;
  pauseReason?: PauseReason | undefined;
  limitingGroupId?: string | null | undefined;
  /** What the EV was learned to draw at most (per phase, A): it is planned at that. */
  drawCapA?: number | undefined;
  /** V2G: how many slots of its schedule the session is planned to discharge in. */
  dischargeSlots?: number | undefined;
  electrical: EvseElectrical;
  /** The session's schedule to send (online sessions). */
  txProfile?: ChargingProfile | undefined;
  /**
   * The TxDefaultProfile limit that is safe now, per phase (A): an idle EVSE's share; for a busy EVSE the least its
   * session is planned to draw (what its end frees), so that an EV arriving after it is covered.
   */
  defaultCurrentA: number;
}

export interface UnmetNeedView {
  transactionId: string;
  stationId: string;
  evseId: number;
  shortfallWh: number;
  reason: UnmetReason;
  detail: string;
  limitingGroupIds: (string | null)[];
}

export interface SitePlan {
  siteId: string;
  at: string;
  policy: string;
  evses: EvsePlan[];
  unmet: UnmetNeedView[];
  /** The 24-hour plan as the optimiser made it (node ids in it are the model's: `site`, `group:<id>`, `evse:...`). */
  schedule: OptimisationResult;
  /** Sessions planned with the site's default need (they brought none of their own). */
  defaultNeeds: ReadonlySet<string>;
  windowsInForce: string[];
  warnings: { groupId: string | null; constraint: string; limit: number; uncontrolled: number }[];
  skipped: { transactionId: string; reason: string; detail: string }[];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function priceInput(tariff: SiteTariffRecord | undefined, prices: readonly PricePointRecord[]): PriceInput {
  const input: PriceInput = {};
  if (tariff) input.timeOfUse = { timeZone: tariff.timeZone, defaultPricePerKWh: tariff.defaultPricePerKWh, periods: tariff.periods };
  if (prices.length > 0) input.dynamic = prices.map((p) => ({ start: p.start, end: p.end, pricePerKWh: p.pricePerKWh }));
  // No price known: every slot costs the same, and the plan simply charges as soon as it can.
  if (input.timeOfUse === undefined && input.dynamic === undefined) input.timeOfUse = { defaultPricePerKWh: 0 };
  return input;
}

function limitWindows(events: readonly DemandResponseEventRecord[], groupIds: ReadonlySet<string>): LimitWindow[] {
  const windows: LimitWindow[] = [];
  for (const e of events) {
    if (e.groupId !== null && !groupIds.has(e.groupId)) continue;
    const limit: LimitWindow['limit'] = {};
    if (e.maxPowerW !== null) limit.maxPowerW = e.maxPowerW;
    if (e.maxCurrentA !== null) limit.maxCurrentA = e.maxCurrentA;
    windows.push({ groupId: groupNodeId(e.groupId), from: e.from, to: e.to, limit, label: e.label ?? `demand response ${e.id}` });
  }
  return windows;
}

/** Per-phase current an EV draws, from its meter reading. */
function drawnCurrentA(draw: MeasuredDraw, voltageV: number, phases: number): number | undefined {
  if (draw.currentA && draw.currentA.length > 0) return Math.max(...draw.currentA);
  return draw.powerW === undefined ? undefined : powerToCurrent(draw.powerW, voltageV, phases);
}

/**
 * Runs of equal limits as schedule periods. A step up starts `guardS` late, so that when one session goes down where
 * another goes up, clocks that differ a little (or a station that applies its schedule at its next meter tick) never
 * see both at their higher limits at once. Steps down stay on time: starting them early would cost energy the plan
 * counted on.
 */
function periodsOf(limits: readonly number[], setpoints: readonly number[], slotSeconds: number, numberPhases: number, guardS: number): ChargingSchedulePeriod[] {
  const periods: ChargingSchedulePeriod[] = [];
  limits.forEach((limit, t) => {
    const previous = periods[periods.length - 1];
    const setpoint = setpoints[t] ?? 0;
    if (previous !== undefined && previous.limit === limit && (previous.setpoint ?? 0) === setpoint) return;
    // A step up (more charging, or less discharging) starts late, like a rise of the limit.
    const up = previous !== undefined && (limit > previous.limit! || setpoint > (previous.setpoint ?? 0));
    const period: ChargingSchedulePeriod = { startPeriod: previous === undefined ? 0 : t * slotSeconds + (up ? guardS : 0), limit, numberPhases };
    if (setpoint < 0) {
      // V2G: the EV follows the (negative) setpoint and may discharge no more than it; it charges nothing meanwhile.
      period.operationMode = 'CentralSetpoint';
      period.setpoint = setpoint;
      period.dischargeLimit = setpoint;
    }
    periods.push(period);
  });
  return periods;
}

/** Energy the session's EV received so far, net of what it gave back (V2G, the export register kept with its need). */
function deliveredWh(tx: TransactionRecord, need: SessionNeedRecord | undefined): number {
  const imported = tx.lastMeterWh !== null && tx.meterStartWh !== null ? Math.max(0, tx.lastMeterWh - tx.meterStartWh) : 0;
  const exported = need && need.exportStartWh !== null && need.lastExportWh !== null ? Math.max(0, need.lastExportWh - need.exportStartWh) : 0;
  return Math.max(0, imported - exported);
}

/** EVSEs whose session's EV consented to discharge (their station told so in its version's terms) may discharge. */
function markBidirectional(node: SiteNode, ids: ReadonlySet<string>): void {
  if (node.kind === 'evse') {
    if (ids.has(node.id)) node.bidirectional = true;
    return;
  }
  for (const child of node.children) markBidirectional(child, ids);
}

/** The guard of `periodsOf`: whole seconds, less than half a slot (0 for slots under 3 s). */
function stepGuardSeconds(slotSeconds: number, wanted: number): number {
  return Math.max(0, Math.min(wanted, Math.floor((slotSeconds - 1) / 2)));
}

export function planSite(state: PlanningState, options: PlanOptions = DEFAULT_PLAN_OPTIONS): SitePlan {
  const { site } = state;
  const built = buildSiteModel(state);
  const compiled = compileSite(built.model);
  const slotMs = site.slotSeconds * 1000;
  const gridStartMs = Math.floor(state.nowMs / slotMs) * slotMs;
  const nowIso = iso(state.nowMs);
  const windows = limitWindows(state.events, new Set(state.groups.map((g) => g.id)));
  // For the limits set now, a window about to start already holds (its limits reach the stations in time).
  const instantWindows = windows.map((w) => {
    const from = Date.parse(w.from);
    return from > state.nowMs && from <= state.nowMs + options.windowLeadMs ? { ...w, from: nowIso } : w;
  });

  const byArrival = [...state.sessions].sort((a, b) => a.tx.startedAt.localeCompare(b.tx.startedAt) || a.tx.id.localeCompare(b.tx.id));
  const inputs: SessionInput[] = [];
  const drawCaps = new Map<string, number>();
  const defaultNeeds = new Set<string>();
  const bidirectional = new Set<string>();
  byArrival.forEach(({ tx, need }, order) => {
    const nodeId = evseNodeId(tx.stationId, tx.evseId);
    const evse = compiled.evseById.get(nodeId);
    const member = built.members.get(nodeId);
    const input: SessionInput = {
      id: tx.id,
      evseNodeId: nodeId,
      startedAt: iso(Math.max(Date.parse(tx.startedAt) || state.nowMs, state.nowMs)),
      arrivalOrder: order,
      priority: member?.priority ?? 0,
    };
    // The site default is applied here rather than by the optimiser: it counts from the transaction's real start and
    // subtracts what was delivered, like a session's own need.
    const own = need ?? (site.defaultEnergyWh !== null && site.defaultDwellMinutes !== null
      ? { energyWh: site.defaultEnergyWh, departure: iso(Date.parse(tx.startedAt) + site.defaultDwellMinutes * 60_000), evMaxPowerW: null, evMaxCurrentA: null, evMinCurrentA: null }
      : undefined);
    if (!need && own) defaultNeeds.add(tx.id);
    if (own) {
      const delivered = deliveredWh(tx, need);
      input.energyNeed = { energyKWh: Math.max(0, own.energyWh - delivered) / 1000, departure: own.departure };
      if (need && need.evMaxDischargePowerW !== null) {
        // V2G consent from the EV itself. Its room above its minimum state of charge was told with its needs (at the
        // start of the session, as ISO 15118 does): what it was given since then adds to it.
        input.discharge = { maxDischargePowerW: need.evMaxDischargePowerW, dischargeableKWh: Math.max(0, (need.evDischargeableWh ?? 0) + delivered) / 1000 };
        bidirectional.add(nodeId);
      }
      if (own.evMaxPowerW !== null) input.evMaxPowerW = own.evMaxPowerW;
      if (own.evMaxCurrentA !== null) input.evMaxCurrentA = own.evMaxCurrentA;
      if (own.evMinCurrentA !== null) input.evMinCurrentA = own.evMinCurrentA;
    }
    const offer = state.offers.get(tx.id);
    const draw = state.draws.get(nodeId);
    let learned = state.learned.get(tx.id);
    if (learned === undefined && evse && input.evMaxPowerW === undefined && input.evMaxCurrentA === undefined && options.assumedEvMaxPowerW > 0) {
      learned = Math.max(evse.minCurrentA, powerToCurrent(options.assumedEvMaxPowerW, evse.voltageV, evse.sitePhases.length));
    }
    if (offer && draw && evse && Date.parse(draw.at) >= offer.sinceMs + options.drawSettleMs) {
      const drawn = drawnCurrentA(draw, evse.voltageV, evse.sitePhases.length);
      if (drawn !== undefined) learned = learnEvLimit(learned, offer.currentA, drawn, evse.minCurrentA, options.learning);
    }
    if (learned !== undefined) {
      drawCaps.set(tx.id, learned);
      input.evMaxCurrentA = Math.min(input.evMaxCurrentA ?? Infinity, learned);
    }
    inputs.push(input);
  });

  markBidirectional(built.model.root, bidirectional);
  const schedule = optimiseSchedules({
    site: built.model,
    sessions: inputs,
    start: iso(gridStartMs),
    slotMinutes: site.slotSeconds / 60,
    horizonHours: site.horizonHours,
    prices: priceInput(state.tariff, state.prices),
    limitWindows: windows,
  });
  const planned = new Map(schedule.sessions.map((s) => [s.sessionId, s]));
  const instant = allocateInstant(
    built.model,
    inputs.map((s) => {
      const p = planned.get(s.id);
      return p && p.currentA.length > 0 ? { ...s, plannedCurrentA: Math.max(0, p.currentA[0]!) } : s;
    }),
    // What an EV draws is learned above and planned by both; the allocation's own under-draw capping would do it twice.
    { now: nowIso, limitWindows: instantWindows, underDraw: false },
  );
  const limitsBySession = new Map<string, EvseLimit>(instant.limits.map((l) => [l.sessionId, l]));

  // Per-slot loads: the instant allocation now, the plan after.
  const count = schedule.slotStarts.length;
  const sessionLoads: SessionLoad[] = [];
  const currentsBySession = new Map<string, number[]>();
  for (const { tx } of state.sessions) {
    const limit = limitsBySession.get(tx.id);
    const evse = compiled.evseById.get(evseNodeId(tx.stationId, tx.evseId));
    if (!limit || !evse || limit.state === 'offline') continue;
    const plan = planned.get(tx.id);
    const currents = Array.from({ length: count }, (_, t) => (t === 0 ? limit.currentA : Math.max(0, plan?.currentA[t] ?? 0)));
    currentsBySession.set(tx.id, currents);
    sessionLoads.push({ evse, phases: limit.numberPhases, currentA: currents });
  }
  const compiledWindows = compileLimitWindows(compiled, windows);
  const compiledInstantWindows = compileLimitWindows(compiled, instantWindows);
  const uncontrolled = uncontrolledUsage(compiled);
  const slots: SlotLoad[] = [];
  for (let t = 0; t < count; t++) {
    const limits = Float64Array.from(compiled.limits);
    const from = gridStartMs + t * slotMs;
    if (t === 0) applyLimitWindows(limits, compiledInstantWindows, state.nowMs, state.nowMs + 1);
    applyLimitWindows(limits, compiledWindows, Math.max(from, state.nowMs), from + slotMs);
    const used = Float64Array.from(uncontrolled);
    addSessionLoads(used, sessionLoads, t);
    slots.push({ limits, used });
  }
  // Sessions the allocation skipped (a second transaction on one EVSE: a stop that never came) are left out.
  const allocated = state.sessions.filter(({ tx }) => limitsBySession.has(tx.id));
  const busy = new Set(allocated.map(({ tx }) => evseNodeId(tx.stationId, tx.evseId)));
  const idle: CompiledEvse[] = compiled.evses.filter((e) => e.online && !busy.has(e.node.id));
  const shares = idleShares(compiled, idle, slots);

  const sessionOn = new Map(allocated.map((s) => [evseNodeId(s.tx.stationId, s.tx.evseId), s]));
  const evses: EvsePlan[] = compiled.evses.map((e) => {
    const node = e.node;
    const phases = e.sitePhases.length;
    const electrical = { voltageV: e.voltageV, phases };
    const base = { stationId: node.stationId, evseId: node.evseId, online: e.online, rateUnit: node.rateUnit, electrical };
    const session = sessionOn.get(node.id);
    const limit = session ? limitsBySession.get(session.tx.id) : undefined;
    if (!session || !limit) {
      const share = shares.get(node.id) ?? 0;
      const a = e.online ? share : e.offlineFallbackA;
      return {
        ...base, state: e.online ? 'idle' : 'offline', transactionId: null, numberPhases: phases,
        limit: limitFromCurrent(a, node.rateUnit, e.voltageV, phases), currentA: a, powerW: a * e.voltageV * phases,
        defaultCurrentA: e.online ? share : 0,
      };
    }
    const plan: EvsePlan = {
      ...base,
      state: limit.state,
      transactionId: session.tx.id,
      limit: limit.limit,
      numberPhases: limit.numberPhases,
      currentA: limit.currentA,
      powerW: limit.powerW,
      defaultCurrentA: 0,
    };
    if (limit.pauseReason) plan.pauseReason = limit.pauseReason;
    if (limit.limitingGroupId) plan.limitingGroupId = groupIdOfNode(limit.limitingGroupId);
    const cap = drawCaps.get(session.tx.id);
    if (cap !== undefined) plan.drawCapA = cap;
    const currents = currentsBySession.get(session.tx.id);
    if (limit.state !== 'offline' && currents) {
      plan.defaultCurrentA = Math.min(...currents);
      const perSlot = currents.map((a, t) => (t === 0 ? limit.limit : limitFromCurrent(a, node.rateUnit, e.voltageV, limit.numberPhases)));
      // Discharging slots (V2G, planned only for EVs that consented on a station that can): limit 0 and a setpoint.
      const setpoints = (planned.get(session.tx.id)?.currentA ?? []).map((a) => (a < 0 ? limitFromCurrent(a, node.rateUnit, e.voltageV, limit.numberPhases) : 0));
      if (setpoints.some((v) => v < 0)) plan.dischargeSlots = setpoints.filter((v) => v < 0).length;
      const scheduleOut = capPeriods({
        startSchedule: iso(gridStartMs),
        duration: count * site.slotSeconds,
        chargingRateUnit: node.rateUnit,
        periods: periodsOf(perSlot, setpoints, site.slotSeconds, limit.numberPhases, stepGuardSeconds(site.slotSeconds, options.stepGuardSeconds)),
      }, options.maxPeriods);
      plan.txProfile = {
        id: TX_PROFILE_ID_BASE + node.evseId,
        stackLevel: options.stackLevel,
        purpose: 'TxProfile',
        kind: 'Absolute',
        transactionId: session.tx.stationTxId,
        schedules: [scheduleOut],
      };
    }
    return plan;
  });

  const sessionById = new Map(state.sessions.map((s) => [s.tx.id, s.tx]));
  const unmet: UnmetNeedView[] = [];
  for (const s of schedule.sessions) {
    const tx = sessionById.get(s.sessionId);
    if (!s.unmet || !tx) continue;
    unmet.push({
      transactionId: tx.id, stationId: tx.stationId, evseId: tx.evseId, shortfallWh: Math.round(s.unmet.shortfallKWh * 1000),
      reason: s.unmet.reason, detail: s.unmet.detail, limitingGroupIds: s.unmet.limitingGroupIds.map(groupIdOfNode),
    });
  }
  return {
    siteId: site.id,
    at: nowIso,
    policy: site.policy,
    evses,
    unmet,
    schedule,
    defaultNeeds,
    windowsInForce: instant.windowsApplied,
    warnings: instant.warnings.map((w) => ({ groupId: groupIdOfNode(w.groupId), constraint: w.constraint, limit: w.limit, uncontrolled: w.uncontrolled })),
    skipped: [...instant.skipped].map((s) => ({ transactionId: s.sessionId, reason: s.reason, detail: s.detail })),
  };
}

/** Joule's TxDefaultProfile for an EVSE: a constant limit from now on. */
export function txDefaultProfile(evse: Pick<EvsePlan, 'evseId' | 'rateUnit' | 'electrical'>, currentA: number, startMs: number, stackLevel: number): ChargingProfile {
  return {
    id: TX_DEFAULT_PROFILE_ID_BASE + evse.evseId,
    stackLevel,
    purpose: 'TxDefaultProfile',
    kind: 'Absolute',
    schedules: [{
      startSchedule: iso(startMs),
      chargingRateUnit: evse.rateUnit,
      periods: [{ startPeriod: 0, limit: limitFromCurrent(currentA, evse.rateUnit, evse.electrical.voltageV, evse.electrical.phases), numberPhases: evse.electrical.phases }],
    }],
  };
}
