/**
 * The OCPP 1.6 edge: Joule's ChargingProfile to and from `csChargingProfiles` (SetChargingProfile.req, and the
 * `chargingProfile` of RemoteStartTransaction.req, which has the same shape). Nothing else in smart-charging knows
 * 1.6 field names.
 */
import type {
  ChargingProfile,
  ChargingProfileKind,
  ChargingProfilePurpose,
  ChargingRateUnit,
  ChargingSchedule,
  ChargingSchedulePeriod,
  EvseChargingProfile,
  ProfileViolation,
  RecurrencyKind,
} from '../../domain/smart-charging/charging-profile.ts';
import { periodDischarges } from '../../domain/smart-charging/charging-profile.ts';
import { converted, floorToTenth, isInteger, notConverted, roundToTenth, type ConversionResult } from '../../domain/smart-charging/conversion-result.ts';
import type { StackLevelReplacement } from '../../domain/smart-charging/installed-profiles.ts';

export type Ocpp16ChargingProfilePurpose = 'ChargePointMaxProfile' | 'TxDefaultProfile' | 'TxProfile';
export type Ocpp16ChargingProfileKind = 'Absolute' | 'Recurring' | 'Relative';

export interface Ocpp16ChargingSchedulePeriod {
  startPeriod: number;
  limit: number;
  numberPhases?: number;
}

export interface Ocpp16ChargingSchedule {
  duration?: number;
  startSchedule?: string;
  chargingRateUnit: ChargingRateUnit;
  chargingSchedulePeriod: Ocpp16ChargingSchedulePeriod[];
  minChargingRate?: number;
}

export interface Ocpp16CsChargingProfiles {
  chargingProfileId: number;
  transactionId?: number;
  stackLevel: number;
  chargingProfilePurpose: Ocpp16ChargingProfilePurpose;
  chargingProfileKind: Ocpp16ChargingProfileKind;
  recurrencyKind?: RecurrencyKind;
  validFrom?: string;
  validTo?: string;
  chargingSchedule: Ocpp16ChargingSchedule;
}

export interface Ocpp16SetChargingProfileRequest {
  connectorId: number;
  csChargingProfiles: Ocpp16CsChargingProfiles;
}

/**
 * A 1.6 charge point replaces an installed profile with the same stackLevel and purpose on the same connector
 * whatever its validity (1.6 §3.13.2, §5.16.3/4).
 */
export const OCPP16_STACK_LEVEL_REPLACEMENT: StackLevelReplacement = 'always';

/** 1.6 has no ExternalConstraints, PriorityCharging or LocalGeneration purposes. */
export const OCPP16_PURPOSES: readonly ChargingProfilePurpose[] = ['ChargingStationMaxProfile', 'TxDefaultProfile', 'TxProfile'];
export const OCPP16_KINDS: readonly ChargingProfileKind[] = ['Absolute', 'Recurring', 'Relative'];

const MAX_WIRE_INT = 2 ** 31 - 1;

function purposeTo16(purpose: ChargingProfilePurpose): Ocpp16ChargingProfilePurpose | undefined {
  switch (purpose) {
    case 'ChargingStationMaxProfile':
      return 'ChargePointMaxProfile';
    case 'TxDefaultProfile':
    case 'TxProfile':
      return purpose;
    default:
      return undefined;
  }
}

function purposeFrom16(purpose: Ocpp16ChargingProfilePurpose): ChargingProfilePurpose {
  return purpose === 'ChargePointMaxProfile' ? 'ChargingStationMaxProfile' : purpose;
}

function periodTo16(
  period: ChargingSchedulePeriod,
  path: string,
  violations: ProfileViolation[],
  dropped: string[],
): Ocpp16ChargingSchedulePeriod | undefined {
  if (!isInteger(period.startPeriod)) {
    violations.push({ path: `${path}/startPeriod`, message: 'startPeriod must be an integer number of seconds', rule: '1.6 §7.14' });
  }
  if (typeof period.limit !== 'number' || !Number.isFinite(period.limit)) {
    violations.push({ path: `${path}/limit`, message: 'OCPP 1.6 requires a limit in every period', rule: '1.6 §7.14' });
  }
  if (period.numberPhases !== undefined && !isInteger(period.numberPhases)) {
    violations.push({ path: `${path}/numberPhases`, message: 'numberPhases must be an integer', rule: '1.6 §7.14' });
  }
  if (period.phaseToUse !== undefined) {
    // Leaving it out would let the station pick the phase itself: not what was asked, so refuse.
    violations.push({ path: `${path}/phaseToUse`, message: 'OCPP 1.6 cannot select the phase to use', rule: '1.6 §7.14' });
  }
  // 1.6 cannot discharge: a period that would is refused, never sent as a plain limit.
  if (periodDischarges(period) || (period.operationMode !== undefined && period.operationMode !== 'ChargingOnly')) {
    violations.push({ path, message: 'OCPP 1.6 cannot discharge an EV (setpoint, dischargeLimit, operationMode are 2.1)', rule: '1.6 §7.14' });
  }
  // A charging setpoint only narrows what the limit already allows; 1.6 cannot carry it.
  if (period.setpoint !== undefined) dropped.push(`${path}/setpoint`);
  if (period.dischargeLimit !== undefined) dropped.push(`${path}/dischargeLimit`);
  if (period.operationMode !== undefined) dropped.push(`${path}/operationMode`);
  if (typeof period.limit !== 'number' || !Number.isFinite(period.limit)) return undefined;
  const out: Ocpp16ChargingSchedulePeriod = { startPeriod: period.startPeriod, limit: floorToTenth(period.limit) };
  if (period.numberPhases !== undefined) out.numberPhases = period.numberPhases;
  return out;
}

function scheduleTo16(
  schedule: ChargingSchedule,
  path: string,
  violations: ProfileViolation[],
  dropped: string[],
): Ocpp16ChargingSchedule {
  if (schedule.id !== undefined) dropped.push(`${path}/id`);
  if (schedule.duration !== undefined && !isInteger(schedule.duration)) {
    violations.push({ path: `${path}/duration`, message: 'duration must be an integer number of seconds', rule: '1.6 §7.13' });
  }
  const periods = Array.isArray(schedule.periods) ? schedule.periods : [];
  const out: Ocpp16ChargingSchedule = {
    chargingRateUnit: schedule.chargingRateUnit,
    chargingSchedulePeriod: [],
  };
  if (schedule.duration !== undefined) out.duration = schedule.duration;
  if (schedule.startSchedule !== undefined) out.startSchedule = schedule.startSchedule;
  periods.forEach((period, i) => {
    const wire = periodTo16(period, `${path}/periods/${i}`, violations, dropped);
    if (wire) out.chargingSchedulePeriod.push(wire);
  });
  if (schedule.minChargingRate !== undefined) out.minChargingRate = roundToTenth(schedule.minChargingRate);
  return out;
}

/** Joule's profile as a 1.6 `csChargingProfiles` (also usable as RemoteStartTransaction's `chargingProfile`). */
export function toOcpp16CsChargingProfiles(profile: ChargingProfile): ConversionResult<Ocpp16CsChargingProfiles> {
  const violations: ProfileViolation[] = [];
  const dropped: string[] = [];
  const purpose = purposeTo16(profile.purpose);
  if (!purpose) {
    violations.push({ path: '/purpose', message: `OCPP 1.6 has no purpose ${profile.purpose}`, rule: '1.6 §7.10' });
  }
  if (!OCPP16_KINDS.includes(profile.kind)) {
    violations.push({ path: '/kind', message: `OCPP 1.6 has no profile kind ${profile.kind}`, rule: '1.6 §7.9' });
  }
  if (!isInteger(profile.id)) violations.push({ path: '/id', message: 'id must be an integer', rule: '1.6 §7.8' });
  if (!isInteger(profile.stackLevel)) {
    violations.push({ path: '/stackLevel', message: 'stackLevel must be an integer', rule: '1.6 §7.8' });
  }
  let transactionId: number | undefined;
  if (profile.transactionId !== undefined) {
    // 1.6 transaction ids are integers on the wire; Joule keeps them as decimal strings.
    const n = /^-?\d{1,10}$/.test(profile.transactionId) ? Number(profile.transactionId) : NaN;
    if (!Number.isSafeInteger(n) || Math.abs(n) > MAX_WIRE_INT) {
      violations.push({ path: '/transactionId', message: 'a 1.6 transactionId must be an integer', rule: '1.6 §7.8' });
    } else {
      transactionId = n;
    }
  }
  const schedules = Array.isArray(profile.schedules) ? profile.schedules : [];
  if (schedules.length !== 1) {
    violations.push({ path: '/schedules', message: 'OCPP 1.6 carries exactly one charging schedule', rule: '1.6 §7.8' });
  }
  const first = schedules[0];
  const schedule = first ? scheduleTo16(first, '/schedules/0', violations, dropped) : undefined;
  if (violations.length > 0 || !purpose || !schedule) return notConverted(violations);
  const out: Ocpp16CsChargingProfiles = {
    chargingProfileId: profile.id,
    stackLevel: profile.stackLevel,
    chargingProfilePurpose: purpose,
    chargingProfileKind: profile.kind as Ocpp16ChargingProfileKind,
    chargingSchedule: schedule,
  };
  if (transactionId !== undefined) out.transactionId = transactionId;
  if (profile.recurrencyKind !== undefined) out.recurrencyKind = profile.recurrencyKind;
  if (profile.validFrom !== undefined) out.validFrom = profile.validFrom;
  if (profile.validTo !== undefined) out.validTo = profile.validTo;
  return converted(out, dropped);
}

/** A 1.6 `csChargingProfiles` (as received, schema-valid) as Joule's profile. */
export function fromOcpp16CsChargingProfiles(wire: Ocpp16CsChargingProfiles): ChargingProfile {
  const ws = wire.chargingSchedule;
  const schedule: ChargingSchedule = {
    chargingRateUnit: ws.chargingRateUnit,
    periods: ws.chargingSchedulePeriod.map((p) => {
      const period: ChargingSchedulePeriod = { startPeriod: p.startPeriod, limit: p.limit };
      if (p.numberPhases !== undefined) period.numberPhases = p.numberPhases;
      return period;
    }),
  };
  if (ws.startSchedule !== undefined) schedule.startSchedule = ws.startSchedule;
  if (ws.duration !== undefined) schedule.duration = ws.duration;
  if (ws.minChargingRate !== undefined) schedule.minChargingRate = ws.minChargingRate;
  const profile: ChargingProfile = {
    id: wire.chargingProfileId,
    stackLevel: wire.stackLevel,
    purpose: purposeFrom16(wire.chargingProfilePurpose),
    kind: wire.chargingProfileKind,
    schedules: [schedule],
  };
  if (wire.recurrencyKind !== undefined) profile.recurrencyKind = wire.recurrencyKind;
  if (wire.validFrom !== undefined) profile.validFrom = wire.validFrom;
  if (wire.validTo !== undefined) profile.validTo = wire.validTo;
  if (wire.transactionId !== undefined) profile.transactionId = String(wire.transactionId);
  return profile;
}

/** SetChargingProfile.req for a profile on an EVSE (1.6 connector N = EVSE N, 0 = the charge point). */
export function toOcpp16SetChargingProfileRequest(
  evseId: number,
  profile: ChargingProfile,
): ConversionResult<Ocpp16SetChargingProfileRequest> {
  const result = toOcpp16CsChargingProfiles(profile);
  if (!result.ok) return result;
  if (!isInteger(evseId) || evseId < 0) {
    return notConverted([{ path: '/evseId', message: 'connectorId must be an integer >= 0', rule: '1.6 §6.43' }]);
  }
  return converted({ connectorId: evseId, csChargingProfiles: result.value }, result.dropped);
}

export function fromOcpp16SetChargingProfileRequest(wire: Ocpp16SetChargingProfileRequest): EvseChargingProfile {
  return { evseId: wire.connectorId, profile: fromOcpp16CsChargingProfiles(wire.csChargingProfiles) };
}

/**
 * The rate units a 1.6 charge point accepts, from its `ChargingScheduleAllowedChargingRateUnit` value
 * ("Current" = A, "Power" = W, comma separated; [S16E] 3.88). Unknown members are ignored.
 */
export function rateUnitsFromOcpp16Config(value: string): ChargingRateUnit[] {
  const units: ChargingRateUnit[] = [];
  for (const member of value.split(',')) {
    const m = member.trim().toLowerCase();
    if (m === 'current' && !units.includes('A')) units.push('A');
    if (m === 'power' && !units.includes('W')) units.push('W');
  }
  return units;
}
