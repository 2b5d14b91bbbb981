/**
 * What a CSMS must check before it sends a charging profile (reference §5.8, the "SHALL NOT send" rules of 1.6 and
 * 2.x, plus the station's advertised limits). Every broken rule is returned, each with a path into the profile, a
 * message and the rule it comes from. Version differences arrive as data (capabilities, the replacement rule).
 */
import {
  CHARGING_PROFILE_KINDS,
  CHARGING_PROFILE_PURPOSES,
  CHARGING_RATE_UNITS,
  OPERATION_MODES,
  RECURRENCY_KINDS,
  type ChargingProfile,
  type ChargingProfileKind,
  type ChargingProfilePurpose,
  type ChargingRateUnit,
  type ChargingSchedule,
  type EvseChargingProfile,
  type ProfileViolation,
} from './charging-profile.ts';
import { isInteger } from './conversion-result.ts';
import { profilesReplacedBy, sameStackSlot, validityOverlaps, type StackLevelReplacement } from './installed-profiles.ts';
import { hasZoneDesignator, parseIsoTime } from './time.ts';

/** What the station advertises. Absent fields are not checked. */
export interface SmartChargingCapabilities {
  /** ChargeProfileMaxStackLevel (1.6) / SmartChargingCtrlr.ProfileStackLevel (2.x). */
  maxStackLevel?: number;
  /** ChargingScheduleMaxPeriods (1.6) / SmartChargingCtrlr.PeriodsPerSchedule (2.x). */
  maxPeriodsPerSchedule?: number;
  /** MaxChargingProfilesInstalled (1.6) / the maxLimit of SmartChargingCtrlr.Entries[ChargingProfiles] (2.x). */
  maxProfilesInstalled?: number;
  /** ChargingScheduleAllowedChargingRateUnit (1.6) / SmartChargingCtrlr.RateUnit (2.x). */
  rateUnits?: readonly ChargingRateUnit[];
  /** The EVSE ids (> 0) the station has (K01.FR.28). */
  evseIds?: readonly number[];
  /** ACPhaseSwitchingSupported (K01.FR.20). */
  acPhaseSwitchingSupported?: boolean;
  /** Purposes the station takes (1.6 and 2.0.1 edges: their enums; 2.1: plus SupportedAdditionalPurposes, K01.FR.120). */
  purposes?: readonly ChargingProfilePurpose[];
  /** Kinds the station takes (Dynamic only with SupportsDynamicProfiles, K01.FR.121). */
  kinds?: readonly ChargingProfileKind[];
  /**
   * The edge can carry discharge (2.1: setpoint, dischargeLimit, operationMode; ISO 15118-20 bidirectional power
   * transfer). Absent or false (1.6, 2.0.1): a period that discharges, or names an operation mode, is refused.
   */
  discharge?: boolean;
  /** 2.1 MaxExternalConstraintsId: the CSMS uses ids above it (K01.FR.80). */
  maxExternalConstraintsId?: number;
}

export interface ProfileValidationInput {
  /** The EVSE the profile is for (0 = the whole station). */
  evseId: number;
  profile: ChargingProfile;
  capabilities?: SmartChargingCapabilities;
  /** What the station has installed now. */
  installed?: readonly EvseChargingProfile[];
  /** The transactions running on the station (absent: none, so a TxProfile is refused). */
  transactions?: readonly { evseId: number; transactionId: string }[];
  /**
   * `set` (default): a SetChargingProfile. `remoteStart`: the profile of a RemoteStartTransaction /
   * RequestStartTransaction, for a transaction that does not exist yet.
   */
  context?: 'set' | 'remoteStart';
  /** The transaction uses ISO 15118 charging needs, so up to 3 schedules are allowed (K01.FR.34). */
  iso15118?: boolean;
  /** How the station treats another id in the same stack slot (see installed-profiles.ts). Default: always. */
  stackLevelReplacement?: StackLevelReplacement;
}

/** The schema caps 2.x schedules at 1024 periods whatever the station advertises. */
const MAX_PERIODS = 1024;

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

class Violations {
  readonly list: ProfileViolation[] = [];
  add(path: string, rule: string, message: string): void {
    this.list.push({ path, message, rule });
  }
}

function checkTime(v: Violations, path: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseIsoTime(value);
  if (ms === undefined) {
    v.add(path, 'ISO 8601', 'must be an ISO 8601 date-time');
    return undefined;
  }
  if (!hasZoneDesignator(value as string)) v.add(path, 'ISO 8601', 'must name its time zone (Joule sends UTC, "Z")');
  return ms;
}

function checkIdentity(v: Violations, input: ProfileValidationInput): void {
  const { profile, capabilities } = input;
  if (!isInteger(profile.id)) v.add('/id', 'schema', 'id must be an integer');
  else if (capabilities?.maxExternalConstraintsId !== undefined && profile.id <= capabilities.maxExternalConstraintsId) {
    v.add('/id', 'K01.FR.80', `id must be above MaxExternalConstraintsId (${capabilities.maxExternalConstraintsId})`);
  }
  if (!isInteger(profile.stackLevel) || profile.stackLevel < 0) {
    v.add('/stackLevel', 'schema', 'stackLevel must be an integer >= 0');
  } else if (capabilities?.maxStackLevel !== undefined && profile.stackLevel > capabilities.maxStackLevel) {
    v.add('/stackLevel', '1.6 §9.4.2 ChargeProfileMaxStackLevel / ProfileStackLevel', `stackLevel must be at most ${capabilities.maxStackLevel}`);
  }
}

function checkPurposeAndEvse(v: Violations, input: ProfileValidationInput): void {
  const { profile, evseId, capabilities } = input;
  if (!isInteger(evseId) || evseId < 0) v.add('/evseId', 'schema', 'evseId must be an integer >= 0');
  else if (evseId > 0 && capabilities?.evseIds && !capabilities.evseIds.includes(evseId)) {
    v.add('/evseId', 'K01.FR.28', `the station has no EVSE ${evseId}`);
  }
  if (!CHARGING_PROFILE_PURPOSES.includes(profile.purpose)) {
    v.add('/purpose', 'schema', `purpose must be one of ${CHARGING_PROFILE_PURPOSES.join(', ')}`);
    return;
  }
  if (profile.purpose === 'ChargingStationExternalConstraints') {
    v.add('/purpose', 'K01.FR.22', 'the CSMS must not set ChargingStationExternalConstraints profiles');
  } else if (capabilities?.purposes && !capabilities.purposes.includes(profile.purpose)) {
    v.add('/purpose', 'K01.FR.120', `the station does not take ${profile.purpose} profiles`);
  }
  if (profile.purpose === 'ChargingStationMaxProfile') {
    if (evseId !== 0) v.add('/evseId', '1.6 §3.13.1 / 2.0.1 K §3.2', 'a ChargingStationMaxProfile can only be set on EVSE 0');
    if (profile.kind === 'Relative') v.add('/kind', 'K01.FR.38', 'a ChargingStationMaxProfile must not be Relative');
  }
  if (profile.purpose === 'PriorityCharging') {
    profile.schedules?.forEach((s, i) => {
      if (s?.duration !== undefined) v.add(`/schedules/${i}/duration`, 'K01.FR.70', 'a PriorityCharging schedule has no duration');
    });
  }
}

function checkTransaction(v: Violations, input: ProfileValidationInput): void {
  const { profile, evseId } = input;
  const context = input.context ?? 'set';
  if (context === 'remoteStart') {
    if (profile.purpose !== 'TxProfile') {
      v.add('/purpose', '1.6 §5.16.2 / K05.FR.02', 'a profile in a remote start must be a TxProfile');
    }
    if (profile.transactionId !== undefined) {
      v.add('/transactionId', '[S16E] 3.41 / F01.FR.11', 'a profile in a remote start must not carry a transactionId');
    }
    return;
  }
  if (profile.purpose !== 'TxProfile') {
    if (profile.transactionId !== undefined) {
      v.add('/transactionId', '1.6 §7.8 / 2.0.1 ChargingProfileType', 'transactionId is only used with a TxProfile');
    }
    return;
  }
  if (evseId === 0) v.add('/evseId', 'K01.FR.16 / 1.6 §3.13.1', 'a TxProfile can only be set on an EVSE > 0');
  const running = input.transactions?.find((t) => t.evseId === evseId);
  if (!running) {
    v.add('/evseId', 'K01.FR.09 / 1.6 §3.13.1', `no transaction is active on EVSE ${evseId}`);
  }
  // 1.6 makes transactionId optional, 2.x requires it (K01.FR.03); Joule always knows it, so it always sends it.
  if (profile.transactionId === undefined) {
    v.add('/transactionId', 'K01.FR.03', 'a TxProfile must name its transaction');
  } else if (running && running.transactionId !== profile.transactionId) {
    v.add('/transactionId', 'K01.FR.33', `transaction ${profile.transactionId} is not the one active on EVSE ${evseId}`);
  }
}

function checkKindAndValidity(v: Violations, profile: ChargingProfile, schedules: readonly ChargingSchedule[]): void {
  const from = checkTime(v, '/validFrom', profile.validFrom);
  const to = checkTime(v, '/validTo', profile.validTo);
  if (from !== undefined && to !== undefined && from >= to) {
    v.add('/validTo', 'K01.FR.36/37', 'validTo must be after validFrom');
  }
  if (!CHARGING_PROFILE_KINDS.includes(profile.kind)) {
    v.add('/kind', 'schema', `kind must be one of ${CHARGING_PROFILE_KINDS.join(', ')}`);
    return;
  }
  if (profile.recurrencyKind !== undefined && !RECURRENCY_KINDS.includes(profile.recurrencyKind)) {
    v.add('/recurrencyKind', 'schema', `recurrencyKind must be one of ${RECURRENCY_KINDS.join(', ')}`);
  }
  if (profile.kind === 'Recurring' && profile.recurrencyKind === undefined) {
    v.add('/recurrencyKind', '1.6 §7.8 / 2.0.1 K §3.3', 'a Recurring profile needs a recurrencyKind');
  }
  if (profile.kind !== 'Recurring' && profile.recurrencyKind !== undefined) {
    v.add('/recurrencyKind', '[S16E] 3.56', 'recurrencyKind is only used with a Recurring profile');
  }
  schedules.forEach((s, i) => {
    if (!s) return;
    if (profile.kind === 'Relative' && s.startSchedule !== undefined) {
      v.add(`/schedules/${i}/startSchedule`, 'K01.FR.41', 'a Relative profile has no startSchedule');
    }
    if ((profile.kind === 'Absolute' || profile.kind === 'Recurring') && s.startSchedule === undefined) {
      v.add(`/schedules/${i}/startSchedule`, 'K01.FR.40', `an ${profile.kind} profile needs a startSchedule`);
    }
    if (profile.kind === 'Dynamic' && Array.isArray(s.periods) && s.periods.length !== 1) {
      v.add(`/schedules/${i}/periods`, '2.1 K §3.3', 'a Dynamic profile has exactly one period');
    }
  });
}

function checkSchedule(v: Violations, schedule: ChargingSchedule, path: string, capabilities?: SmartChargingCapabilities): void {
  if (!CHARGING_RATE_UNITS.includes(schedule.chargingRateUnit)) {
    v.add(`${path}/chargingRateUnit`, 'schema', 'chargingRateUnit must be A or W');
  } else if (capabilities?.rateUnits && !capabilities.rateUnits.includes(schedule.chargingRateUnit)) {
    v.add(
      `${path}/chargingRateUnit`,
      'K01.FR.26 / [S16E] 3.88',
      `the station accepts ${capabilities.rateUnits.join(', ') || 'no'} rate units, not ${schedule.chargingRateUnit}`,
    );
  }
  checkTime(v, `${path}/startSchedule`, schedule.startSchedule);
  if (schedule.duration !== undefined && (!isInteger(schedule.duration) || schedule.duration <= 0)) {
    v.add(`${path}/duration`, 'schema', 'duration must be a positive integer number of seconds');
  }
  if (schedule.minChargingRate !== undefined && (!isFiniteNumber(schedule.minChargingRate) || schedule.minChargingRate < 0)) {
    v.add(`${path}/minChargingRate`, '1.6 §7.13 / K01.FR.21', 'minChargingRate must be a number >= 0');
  }
  const periods = schedule.periods;
  if (!Array.isArray(periods) || periods.length === 0) {
    v.add(`${path}/periods`, 'schema', 'a schedule needs at least one period');
    return;
  }
  const maxPeriods = Math.min(capabilities?.maxPeriodsPerSchedule ?? MAX_PERIODS, MAX_PERIODS);
  if (periods.length > maxPeriods) {
    v.add(`${path}/periods`, '1.6 §9.4.2 ChargingScheduleMaxPeriods / PeriodsPerSchedule', `at most ${maxPeriods} periods per schedule`);
  }
  let previous: number | undefined;
  periods.forEach((period, j) => {
    const at = `${path}/periods/${j}`;
    if (!period || typeof period !== 'object') {
      v.add(at, 'schema', 'a period must be an object');
      return;
    }
    if (!isInteger(period.startPeriod) || period.startPeriod < 0) {
      v.add(`${at}/startPeriod`, 'schema', 'startPeriod must be an integer number of seconds >= 0');
    } else {
      if (j === 0 && period.startPeriod !== 0) {
        v.add(`${at}/startPeriod`, 'K01.FR.31 / [S16E] 3.45', 'the first period starts at 0');
      }
      if (previous !== undefined && period.startPeriod <= previous) {
        v.add(`${at}/startPeriod`, 'K01.FR.35', 'periods must be in strictly increasing startPeriod order');
      }
      previous = period.startPeriod;
    }
    if (period.limit === undefined) {
      // 2.1 makes limit optional when the period carries a setpoint instead.
      if (period.setpoint === undefined) v.add(`${at}/limit`, 'schema', 'a period needs a limit');
    } else if (!isFiniteNumber(period.limit) || period.limit < 0) {
      v.add(`${at}/limit`, '1.6 §7.14 / 2.x ChargingSchedulePeriodType', 'limit must be a number >= 0');
    }
    if (period.setpoint !== undefined && !isFiniteNumber(period.setpoint)) v.add(`${at}/setpoint`, 'schema', 'setpoint must be a number');
    if (period.dischargeLimit !== undefined && (!isFiniteNumber(period.dischargeLimit) || period.dischargeLimit > 0)) {
      v.add(`${at}/dischargeLimit`, 'schema', 'dischargeLimit must be a number <= 0');
    }
    if (period.operationMode !== undefined && !OPERATION_MODES.includes(period.operationMode)) {
      v.add(`${at}/operationMode`, 'schema', `operationMode must be one of ${OPERATION_MODES.join(', ')}`);
    }
    if (capabilities && capabilities.discharge !== true) {
      // (A negative limit is refused above whatever the edge.)
      if ((period.setpoint ?? 0) < 0 || (period.dischargeLimit ?? 0) < 0) v.add(at, 'Q (V2X) / ISO 15118-20 BPT', 'the station cannot discharge an EV in this protocol');
      if (period.operationMode !== undefined && period.operationMode !== 'ChargingOnly') {
        v.add(`${at}/operationMode`, 'Q (V2X)', `operation mode ${period.operationMode} needs a station that can discharge (OCPP 2.1)`);
      }
    } else if (period.setpoint !== undefined && period.setpoint < 0 && period.dischargeLimit !== undefined && period.setpoint < period.dischargeLimit) {
      v.add(`${at}/setpoint`, 'Q (V2X)', 'a discharge setpoint must stay within dischargeLimit');
    }
    if (period.numberPhases !== undefined && (!isInteger(period.numberPhases) || period.numberPhases < 1 || period.numberPhases > 3)) {
      v.add(`${at}/numberPhases`, '§5.6 / K01.FR.49', 'numberPhases must be 1, 2 or 3');
    }
    if (period.phaseToUse !== undefined) {
      if (!isInteger(period.phaseToUse) || period.phaseToUse < 1 || period.phaseToUse > 3) {
        v.add(`${at}/phaseToUse`, 'schema', 'phaseToUse must be 1, 2 or 3');
      }
      if (period.numberPhases !== 1) v.add(`${at}/phaseToUse`, 'K01.FR.19', 'phaseToUse is only allowed with numberPhases 1');
      if (capabilities && capabilities.acPhaseSwitchingSupported !== true) {
        v.add(`${at}/phaseToUse`, 'K01.FR.20', 'the EVSE does not support AC phase switching');
      }
    }
  });
}

function checkAgainstInstalled(v: Violations, input: ProfileValidationInput): void {
  const { profile, evseId } = input;
  const installed = input.installed ?? [];
  const rule = input.stackLevelReplacement ?? 'always';
  for (const entry of installed) {
    const other = entry.profile;
    if (other.id === profile.id) {
      if (other.purpose === 'ChargingStationExternalConstraints') {
        v.add('/id', 'K01.FR.05', `id ${profile.id} belongs to an external constraint, which cannot be replaced`);
      }
      continue; // Same id: a replacement, which is how a CSMS updates a profile.
    }
    if (sameStackSlot(entry, evseId, profile)) {
      if (profile.purpose === 'TxProfile') {
        v.add('/stackLevel', 'K01.FR.39', `TxProfile ${other.id} already has stackLevel ${profile.stackLevel} for this transaction; reuse its id to replace it`);
      } else if (validityOverlaps(other, profile)) {
        v.add('/stackLevel', 'K01.FR.06', `profile ${other.id} already has this purpose and stackLevel on EVSE ${evseId} with an overlapping validity; reuse its id to replace it`);
      } else if (rule === 'always') {
        v.add('/stackLevel', '1.6 §3.13.2', `the station would replace profile ${other.id} (same purpose and stackLevel on EVSE ${evseId}); reuse its id or another stackLevel`);
      }
    } else if (
      profile.purpose === 'TxDefaultProfile' &&
      other.purpose === 'TxDefaultProfile' &&
      other.stackLevel === profile.stackLevel &&
      (evseId === 0) !== (entry.evseId === 0)
    ) {
      // A TxDefaultProfile on EVSE 0 applies to every EVSE, so the same stackLevel on EVSE 0 and on one EVSE collide.
      v.add('/stackLevel', evseId === 0 ? 'K01.FR.52' : 'K01.FR.53', `TxDefaultProfile ${other.id} on EVSE ${entry.evseId} already uses stackLevel ${profile.stackLevel}`);
    }
  }
  const max = input.capabilities?.maxProfilesInstalled;
  if (max !== undefined) {
    const after = installed.length - profilesReplacedBy(installed, evseId, profile, rule).length + 1;
    if (after > max) v.add('', '1.6 §9.4.2 MaxChargingProfilesInstalled', `the station holds at most ${max} profiles`);
  }
}

/** Every rule `input.profile` breaks; empty when it may be sent. Never throws, whatever the input. */
export function validateChargingProfile(input: ProfileValidationInput): ProfileViolation[] {
  const v = new Violations();
  const profile = input.profile;
  if (!profile || typeof profile !== 'object') {
    v.add('', 'schema', 'a charging profile must be an object');
    return v.list;
  }
  checkIdentity(v, input);
  checkPurposeAndEvse(v, input);
  checkTransaction(v, input);
  const schedules = Array.isArray(profile.schedules) ? profile.schedules : [];
  if (schedules.length === 0) v.add('/schedules', 'schema', 'a profile needs a charging schedule');
  else if (schedules.length > 3) v.add('/schedules', 'schema', 'a profile has at most 3 charging schedules');
  else if (schedules.length > 1 && !input.iso15118) {
    v.add('/schedules', 'K01.FR.34', 'more than one charging schedule is only for ISO 15118 charging');
  }
  checkKindAndValidity(v, profile, schedules);
  if (CHARGING_PROFILE_KINDS.includes(profile.kind) && input.capabilities?.kinds && !input.capabilities.kinds.includes(profile.kind)) {
    v.add('/kind', 'K01.FR.121', `the station does not take ${profile.kind} profiles`);
  }
  schedules.forEach((s, i) => {
    if (!s || typeof s !== 'object') v.add(`/schedules/${i}`, 'schema', 'a schedule must be an object');
    else checkSchedule(v, s, `/schedules/${i}`, input.capabilities);
  });
  checkAgainstInstalled(v, input);
  return v.list;
}
