/**
 * A site plan as the API shows it: every EVSE's limit now, every session's 24-hour schedule with its need and cost,
 * the needs that cannot be met and why, in the site's own names (group ids, station and EVSE ids, Wh).
 */
import type { RateUnit } from './planner/site-model.ts';
import type { EvsePlan, SitePlan, UnmetNeedView } from './site-plan.ts';

export interface EvsePlanView {
  stationId: string;
  evseId: number;
  online: boolean;
  state: EvsePlan['state'];
  transactionId: string | null;
  limit: number;
  rateUnit: RateUnit;
  numberPhases: number;
  currentA: number;
  powerW: number;
  pauseReason: string | null;
  limitingGroupId: string | null;
  drawCapA: number | null;
  /** What an EV arriving at this EVSE may draw before its own plan (TxDefaultProfile), per phase. */
  defaultCurrentA: number;
}

export interface SessionScheduleView {
  transactionId: string;
  stationId: string;
  evseId: number;
  mode: string;
  needSource: string;
  departure: string | null;
  requestedWh: number | null;
  plannedWh: number;
  cost: number;
  rateUnit: RateUnit;
  /** The limit per slot, in `rateUnit`. */
  limits: number[];
}

export interface SitePlanView {
  siteId: string;
  at: string;
  policy: string;
  evses: EvsePlanView[];
  sessions: SessionScheduleView[];
  unmet: UnmetNeedView[];
  slots: { start: string; slotSeconds: number; starts: string[]; pricePerKWh: number[]; sitePowerW: number[]; siteLimitW: (number | null)[] };
  totalCost: number;
  totalEnergyWh: number;
  windowsInForce: string[];
  warnings: SitePlan['warnings'];
  skipped: SitePlan['skipped'];
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

export function planView(plan: SitePlan): SitePlanView {
  const s = plan.schedule;
  return {
    siteId: plan.siteId,
    at: plan.at,
    policy: plan.policy,
    evses: plan.evses.map((e) => ({
      stationId: e.stationId,
      evseId: e.evseId,
      online: e.online,
      state: e.state,
      transactionId: e.transactionId,
      limit: e.limit,
      rateUnit: e.rateUnit,
      numberPhases: e.numberPhases,
      currentA: round(e.currentA),
      powerW: round(e.powerW, 0),
      pauseReason: e.pauseReason ?? null,
      limitingGroupId: e.limitingGroupId ?? null,
      drawCapA: e.drawCapA === undefined ? null : round(e.drawCapA),
      defaultCurrentA: round(e.defaultCurrentA),
    })),
    sessions: s.sessions.map((x) => ({
      transactionId: x.sessionId,
      stationId: x.stationId,
      evseId: x.evseId,
      mode: x.mode,
      needSource: plan.defaultNeeds.has(x.sessionId) ? 'site-default' : x.needSource,
      departure: x.departure ?? null,
      requestedWh: x.requestedKWh === undefined ? null : round(x.requestedKWh * 1000, 0),
      plannedWh: round(x.energyKWh * 1000, 0),
      cost: x.cost,
      rateUnit: x.rateUnit,
      limits: x.limits,
    })),
    unmet: plan.unmet,
    slots: {
      start: s.start,
      slotSeconds: Math.round(s.slotMinutes * 60),
      starts: s.slotStarts,
      pricePerKWh: s.pricePerKWh,
      sitePowerW: s.siteLoad.powerW,
      siteLimitW: s.siteLoad.limitW,
    },
    totalCost: s.totalCost,
    totalEnergyWh: round(s.totalEnergyKWh * 1000, 0),
    windowsInForce: plan.windowsInForce,
    warnings: plan.warnings,
    skipped: plan.skipped,
  };
}
