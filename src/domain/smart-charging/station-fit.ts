/**
 * Makes a profile fit what a station says it takes, before an edge sends it (field notes §3 #22: stations refuse
 * limits that are not in their unit). Version-neutral: the edges read the capabilities from their version's
 * configuration (1.6 ChargingScheduleAllowedChargingRateUnit / ChargingScheduleMaxPeriods, 2.x SmartChargingCtrlr)
 * and call this.
 *
 * - A schedule in a unit the station does not take is converted (A per phase <-> W total, by voltage and the phases
 *   of each period), rounded down to 0.1 so that the station is never allowed more than planned.
 * - A schedule with more periods than the station keeps is shortened: the last period it keeps holds the lowest limit
 *   of the periods cut off (never more than planned).
 */
import type { ChargingProfile, ChargingRateUnit, ChargingSchedule, ChargingSchedulePeriod } from './charging-profile.ts';
import { floorToTenth } from './conversion-result.ts';
import type { SmartChargingCapabilities } from './profile-validation.ts';
import type { EvseElectrical } from './station-requests.ts';

export interface FittedProfile {
  profile: ChargingProfile;
  /** What was changed, for the log (empty: sent as given). */
  changes: string[];
}

function convertLimit(limit: number, from: ChargingRateUnit, to: ChargingRateUnit, voltageV: number, phases: number): number {
  if (from === to) return limit;
  const raw = to === 'W' ? limit * voltageV * phases : limit / (voltageV * phases);
  // Discharge limits are negative: round towards zero as well.
  return raw >= 0 ? floorToTenth(raw) : -floorToTenth(-raw);
}

function convertPeriod(p: ChargingSchedulePeriod, from: ChargingRateUnit, to: ChargingRateUnit, e: EvseElectrical): ChargingSchedulePeriod {
  const phases = p.numberPhases ?? e.phases;
  const out: ChargingSchedulePeriod = { ...p };
  if (p.limit !== undefined) out.limit = convertLimit(p.limit, from, to, e.voltageV, phases);
  if (p.setpoint !== undefined) out.setpoint = convertLimit(p.setpoint, from, to, e.voltageV, phases);
  if (p.dischargeLimit !== undefined) out.dischargeLimit = convertLimit(p.dischargeLimit, from, to, e.voltageV, phases);
  return out;
}

/** The schedule in `to` units. */
export function convertScheduleUnit(schedule: ChargingSchedule, to: ChargingRateUnit, electrical: EvseElectrical): ChargingSchedule {
  const from = schedule.chargingRateUnit;
  if (from === to) return schedule;
  const out: ChargingSchedule = { ...schedule, chargingRateUnit: to, periods: schedule.periods.map((p) => convertPeriod(p, from, to, electrical)) };
  if (schedule.minChargingRate !== undefined) out.minChargingRate = convertLimit(schedule.minChargingRate, from, to, electrical.voltageV, electrical.phases);
  return out;
}

/** At most `max` periods: the last kept one holds the lowest limit of those cut off (never more than planned). */
export function capPeriods(schedule: ChargingSchedule, max: number): ChargingSchedule {
  if (schedule.periods.length <= max || max < 1) return schedule;
  const kept = schedule.periods.slice(0, max - 1);
  const rest = schedule.periods.slice(max - 1);
  const lowest = rest.reduce<ChargingSchedulePeriod>((low, p) => ((p.limit ?? Infinity) < (low.limit ?? Infinity) ? p : low), rest[0]!);
  const tail: ChargingSchedulePeriod = { startPeriod: rest[0]!.startPeriod };
  if (lowest.limit !== undefined) tail.limit = Math.max(0, lowest.limit);
  if (lowest.numberPhases !== undefined) tail.numberPhases = lowest.numberPhases;
  return { ...schedule, periods: [...kept, tail] };
}

/** The profile as the station takes it, given what it advertises (unknown capabilities change nothing). */
export function fitProfileToStation(profile: ChargingProfile, capabilities: SmartChargingCapabilities, electrical: EvseElectrical | undefined): FittedProfile {
  const changes: string[] = [];
  const schedules = profile.schedules.map((schedule, i) => {
    let s = schedule;
    const units = capabilities.rateUnits;
    if (units && units.length > 0 && !units.includes(s.chargingRateUnit) && electrical) {
      const to = units[0]!;
      s = convertScheduleUnit(s, to, electrical);
      changes.push(`schedules/${i}: converted from ${schedule.chargingRateUnit} to ${to} (${electrical.voltageV} V)`);
    }
    const max = capabilities.maxPeriodsPerSchedule;
    if (max !== undefined && s.periods.length > max) {
      changes.push(`schedules/${i}: ${s.periods.length} periods shortened to ${max}`);
      s = capPeriods(s, max);
    }
    return s;
  });
  return { profile: changes.length === 0 ? profile : { ...profile, schedules }, changes };
}
