/**
 * Planner output as charging schedules (the profile model of ../charging-profile.ts): consecutive slots with the same
 * limit become one period; `startPeriod` is seconds from the plan's start. Which purpose, stack level and profile id
 * they are sent with is the caller's business (TxProfile for a running transaction, normally).
 *
 * Discharging slots (V2G) become OCPP 2.1 periods with a negative `setpoint` and `dischargeLimit` and no `limit`;
 * OCPP 1.6 and 2.0.1 cannot express them, which is why only EVSEs marked `bidirectional` are planned to discharge.
 */
import type { ChargingSchedule, ChargingSchedulePeriod } from '../charging-profile.ts';
import type { EvseLimit } from './instant-allocation.ts';
import type { OptimisationResult, SessionSchedule } from './plan-result.ts';
import { DomainError } from '../../errors.ts';

export interface ScheduleConversionOptions {
  /**
   * The most periods the station takes (`ChargingScheduleMaxPeriods` / `PeriodsPerSchedule`). When the plan has more,
   * the last allowed period holds the lowest limit of the rest and runs to the end: never more than planned.
   */
  maxPeriods?: number | undefined;
}

function period(startPeriod: number, limit: number, numberPhases: number): ChargingSchedulePeriod {
  if (limit < 0) return { startPeriod, setpoint: limit, dischargeLimit: limit, numberPhases };
  return { startPeriod, limit, numberPhases };
}

/** The session's planned schedule, from the start of the plan. */
export function toChargingSchedule(plan: OptimisationResult, session: SessionSchedule, options: ScheduleConversionOptions = {}): ChargingSchedule {
  if (session.limits.length === 0) throw new DomainError('invalid', `session "${session.sessionId}" has no schedule (its station is offline)`);
  const maxPeriods = options.maxPeriods ?? Infinity;
  if (!(maxPeriods >= 1)) throw new DomainError('invalid', 'maxPeriods must be at least 1');
  const slotSeconds = plan.slotMinutes * 60;
  const runs: Array<{ start: number; limit: number }> = [];
  session.limits.forEach((limit, t) => {
    if (runs.length === 0 || runs[runs.length - 1]!.limit !== limit) runs.push({ start: t * slotSeconds, limit });
  });
  if (runs.length > maxPeriods) {
    const rest = runs.splice(maxPeriods - 1);
    // Discharging is not something to hold for hours by default: the merged tail never discharges.
    const lowest = Math.max(0, Math.min(...rest.map((r) => r.limit)));
    runs.push({ start: rest[0]!.start, limit: lowest });
  }
  const schedule: ChargingSchedule = {
    startSchedule: plan.start,
    duration: session.limits.length * slotSeconds,
    chargingRateUnit: session.rateUnit,
    periods: runs.map((r) => period(r.start, r.limit, session.numberPhases)),
  };
  return schedule;
}

/** An instant allocation as a one-period schedule starting `now`. */
export function instantSchedule(limit: EvseLimit, now: string): ChargingSchedule {
  return {
    startSchedule: now,
    chargingRateUnit: limit.rateUnit,
    periods: [{ startPeriod: 0, limit: limit.limit, numberPhases: limit.numberPhases }],
  };
}
