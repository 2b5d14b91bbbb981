/**
 * Whether a new profile needs to be sent in place of the one a station has, and when in a re-plan: a limit that goes
 * down anywhere is always sent (an unsent decrease could let the site over its limit when another session takes the
 * room); one that goes up is sent only when the rise is significant (field notes: stations and links do not like a
 * stream of tiny changes). Decreases go out first and are confirmed before any increase, so that the sum of what the
 * stations allow never exceeds a limit, not even for the milliseconds between two messages.
 */
import type { ChargingProfile } from './charging-profile.ts';
import { currentFromLimit } from './planner/electrical.ts';
import type { EvseElectrical } from './station-requests.ts';

export interface Significance {
  /** A rise smaller than this (per phase, A) is not sent... */
  increaseA: number;
  /** ...nor one smaller than this fraction of the old limit. */
  increaseFraction: number;
}

export const DEFAULT_SIGNIFICANCE: Significance = { increaseA: 1, increaseFraction: 0.05 };

/** How a change takes effect: `down` (nothing rises in the next moments) is sent first, `up` after. */
export type ChangeOrder = 'down' | 'up';

export interface ProfileChange {
  order: ChangeOrder;
  reason: string;
}

/**
 * The limit of a profile's first schedule at `ms`: undefined before its start, after its duration, or for another kind.
 * A discharging period (V2G) counts as its negative setpoint, so that a change of the discharge is a change too.
 */
export function limitAt(profile: ChargingProfile, ms: number): number | undefined {
  const schedule = profile.schedules[0];
  if (!schedule || schedule.startSchedule === undefined) return undefined;
  const offsetS = (ms - Date.parse(schedule.startSchedule)) / 1000;
  if (!(offsetS >= 0)) return undefined;
  if (schedule.duration !== undefined && offsetS >= schedule.duration) return undefined;
  let limit: number | undefined;
  for (const p of schedule.periods) {
    if (p.startPeriod > offsetS) break;
    limit = p.setpoint !== undefined && p.setpoint < 0 ? p.setpoint : p.limit;
  }
  return limit;
}

/** When the profile's schedule ends (ms), Infinity without a duration. */
export function endOf(profile: ChargingProfile): number {
  const s = profile.schedules[0];
  if (!s || s.startSchedule === undefined || s.duration === undefined) return Infinity;
  return Date.parse(s.startSchedule) + s.duration * 1000;
}

/** The instants in [fromMs, toMs) where either profile may change its limit. */
function breakpoints(a: ChargingProfile, b: ChargingProfile, fromMs: number, toMs: number): number[] {
  const points = new Set<number>([fromMs]);
  for (const profile of [a, b]) {
    const s = profile.schedules[0];
    if (!s || s.startSchedule === undefined) continue;
    const start = Date.parse(s.startSchedule);
    for (const p of s.periods) {
      const at = start + p.startPeriod * 1000;
      if (at > fromMs && at < toMs) points.add(at);
    }
  }
  return [...points].sort((x, y) => x - y);
}

/**
 * What sending `next` instead of `current` would change from `nowMs` on, or undefined when it need not be sent.
 * `settleMs`: rises within this time count as immediate (`up`); later ones are sent with the decreases. A current
 * profile more than half way through its schedule is renewed.
 */
export function profileChange(
  current: ChargingProfile | undefined,
  next: ChargingProfile,
  nowMs: number,
  electrical: EvseElectrical,
  significance: Significance = DEFAULT_SIGNIFICANCE,
  settleMs = 5_000,
): ProfileChange | undefined {
  if (current === undefined) return { order: 'up', reason: 'not installed' };
  const unit = next.schedules[0]?.chargingRateUnit;
  if (current.schedules[0]?.chargingRateUnit !== unit || current.purpose !== next.purpose || current.transactionId !== next.transactionId) {
    return { order: 'up', reason: 'another unit, purpose or transaction' };
  }
  const currentEnd = endOf(current);
  const nextEnd = endOf(next);
  if (currentEnd !== Infinity && currentEnd - nowMs < (nextEnd - nowMs) / 2) return { order: 'up', reason: 'renewal' };
  const toMs = Math.min(currentEnd, nextEnd, nowMs + 7 * 86_400_000);
  let decrease = false;
  let significantRise = false;
  let earlyRise = false;
  for (const at of breakpoints(current, next, nowMs, toMs)) {
    const was = limitAt(current, at);
    const will = limitAt(next, at);
    if (will === undefined) continue;
    if (was === undefined || will < was - 1e-9) {
      decrease = true;
      continue;
    }
    if (will > was + 1e-9) {
      if (at < nowMs + settleMs) earlyRise = true;
      const phases = next.schedules[0]?.periods.find((p) => p.numberPhases !== undefined)?.numberPhases ?? electrical.phases;
      const riseA = currentFromLimit(will, unit ?? 'A', electrical.voltageV, phases) - currentFromLimit(was, unit ?? 'A', electrical.voltageV, phases);
      if (riseA >= significance.increaseA - 1e-9 && will - was >= significance.increaseFraction * was - 1e-9) significantRise = true;
    }
  }
  if (!decrease && !significantRise) return undefined;
  return { order: earlyRise ? 'up' : 'down', reason: decrease ? 'lower limit' : 'significantly higher limit' };
}

/**
 * True when the profile's schedule stepped down within the last `windowMs`. A station may apply such a step a little
 * late (its clock, or a station that re-evaluates its limits only at its next meter tick), so before raising other
 * EVSEs into the room it leaves, the step is confirmed by sending the profile again (stations apply a new profile at
 * once).
 */
export function steppedDownRecently(profile: ChargingProfile, nowMs: number, windowMs: number): boolean {
  const schedule = profile.schedules[0];
  if (!schedule || schedule.startSchedule === undefined) return false;
  const start = Date.parse(schedule.startSchedule);
  for (let i = 1; i < schedule.periods.length; i++) {
    const at = start + schedule.periods[i]!.startPeriod * 1000;
    if (at > nowMs) break;
    if (at > nowMs - windowMs && (schedule.periods[i]!.limit ?? Infinity) < (schedule.periods[i - 1]!.limit ?? Infinity)) return true;
  }
  return false;
}
