/**
 * The OCPP 2.0.1 and 2.1 edge: Joule's ChargingProfile to and from `chargingProfile` (SetChargingProfileRequest,
 * RequestStartTransactionRequest, ReportChargingProfilesRequest). 2.1 is 2.0.1 plus optional fields, two purposes
 * and the Dynamic kind, so one set of functions serves both, named after the version they produce or read.
 */
import type {
  OperationMode,
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
import { converted, isInteger, notConverted, type ConversionResult } from '../../domain/smart-charging/conversion-result.ts';
import type { StackLevelReplacement } from '../../domain/smart-charging/installed-profiles.ts';

export interface Ocpp2ChargingSchedulePeriod {
  startPeriod: number;
  /** Required in 2.0.1, optional in 2.1. */
  limit?: number;
  numberPhases?: number;
  phaseToUse?: number;
  /** 2.1 */
  setpoint?: number;
  /** 2.1 */
  dischargeLimit?: number;
  /** 2.1 */
  operationMode?: OperationMode;
  [field: string]: unknown;
}

export interface Ocpp2ChargingSchedule {
  id: number;
  startSchedule?: string;
  duration?: number;
  chargingRateUnit: ChargingRateUnit;
  chargingSchedulePeriod: Ocpp2ChargingSchedulePeriod[];
  minChargingRate?: number;
  [field: string]: unknown;
}

export interface Ocpp2ChargingProfile {
  id: number;
  stackLevel: number;
  chargingProfilePurpose: ChargingProfilePurpose;
  chargingProfileKind: ChargingProfileKind;
  recurrencyKind?: RecurrencyKind;
  validFrom?: string;
  validTo?: string;
  transactionId?: string;
  chargingSchedule: Ocpp2ChargingSchedule[];
  [field: string]: unknown;
}

export interface Ocpp2SetChargingProfileRequest {
  evseId: number;
  chargingProfile: Ocpp2ChargingProfile;
}

/**
 * 2.x stations replace by id only; the CSMS must not send another id with the same stackLevel, purpose and EVSE and
 * an overlapping validity (K01.FR.05/06), so two such profiles with disjoint validity may coexist.
 */
export const OCPP2_STACK_LEVEL_REPLACEMENT: StackLevelReplacement = 'whenValidityOverlaps';

export const OCPP201_PURPOSES: readonly ChargingProfilePurpose[] = [
  'ChargingStationMaxProfile',
  'TxDefaultProfile',
  'TxProfile',
  'ChargingStationExternalConstraints',
];
export const OCPP21_PURPOSES: readonly ChargingProfilePurpose[] = [...OCPP201_PURPOSES, 'PriorityCharging', 'LocalGeneration'];
export const OCPP201_KINDS: readonly ChargingProfileKind[] = ['Absolute', 'Recurring', 'Relative'];
export const OCPP21_KINDS: readonly ChargingProfileKind[] = [...OCPP201_KINDS, 'Dynamic'];

type Ocpp2Version = '2.0.1' | '2.1';

interface Ocpp2Rules {
  purposes: readonly ChargingProfilePurpose[];
  kinds: readonly ChargingProfileKind[];
  /** 2.1 only: optional limit, setpoint, dischargeLimit. */
  v2x: boolean;
}

// The differences between the two versions, as data: the conversion code below is shared.
const RULES: Record<Ocpp2Version, Ocpp2Rules> = {
  '2.0.1': { purposes: OCPP201_PURPOSES, kinds: OCPP201_KINDS, v2x: false },
  '2.1': { purposes: OCPP21_PURPOSES, kinds: OCPP21_KINDS, v2x: true },
};

function periodTo2(
  period: ChargingSchedulePeriod,
  path: string,
  rules: Ocpp2Rules,
  version: Ocpp2Version,
  violations: ProfileViolation[],
  dropped: string[],
): Ocpp2ChargingSchedulePeriod {
  const out: Ocpp2ChargingSchedulePeriod = { startPeriod: period.startPeriod };
  if (!isInteger(period.startPeriod)) {
    violations.push({ path: `${path}/startPeriod`, message: 'startPeriod must be an integer number of seconds', rule: 'schema' });
  }
  if (period.limit !== undefined) {
    out.limit = period.limit;
  } else if (!rules.v2x) {
    violations.push({ path: `${path}/limit`, message: `OCPP ${version} requires a limit in every period`, rule: 'schema' });
  }
  for (const field of ['numberPhases', 'phaseToUse'] as const) {
    const value = period[field];
    if (value === undefined) continue;
    if (!isInteger(value) || (rules.v2x && (value < 0 || value > 3))) {
      violations.push({ path: `${path}/${field}`, message: `${field} must be an integer${rules.v2x ? ' 0..3' : ''}`, rule: 'schema' });
    }
    out[field] = value;
  }
  if (rules.v2x) {
    if (period.operationMode !== undefined) out.operationMode = period.operationMode;
    if (period.setpoint !== undefined) out.setpoint = period.setpoint;
    if (period.dischargeLimit !== undefined) {
      if (period.dischargeLimit > 0) {
        violations.push({ path: `${path}/dischargeLimit`, message: 'dischargeLimit must be <= 0', rule: 'schema' });
      }
      out.dischargeLimit = period.dischargeLimit;
    }
  } else {
    // 2.0.1 cannot discharge: a period that would is refused, never sent as a plain limit.
    if (periodDischarges(period) || (period.operationMode !== undefined && period.operationMode !== 'ChargingOnly')) {
      violations.push({ path, message: 'OCPP 2.0.1 cannot discharge an EV (setpoint, dischargeLimit, operationMode are 2.1)', rule: 'schema' });
    }
    // A charging setpoint only narrows what the limit already allows; 2.0.1 cannot carry it.
    if (period.setpoint !== undefined) dropped.push(`${path}/setpoint`);
    if (period.dischargeLimit !== undefined) dropped.push(`${path}/dischargeLimit`);
    if (period.operationMode !== undefined) dropped.push(`${path}/operationMode`);
  }
  return out;
}

function toOcpp2(profile: ChargingProfile, version: Ocpp2Version): ConversionResult<Ocpp2ChargingProfile> {
  const rules = RULES[version];
  const violations: ProfileViolation[] = [];
  const dropped: string[] = [];
  if (!rules.purposes.includes(profile.purpose)) {
    violations.push({ path: '/purpose', message: `OCPP ${version} has no purpose ${profile.purpose}`, rule: 'schema' });
  }
  if (!rules.kinds.includes(profile.kind)) {
    violations.push({ path: '/kind', message: `OCPP ${version} has no profile kind ${profile.kind}`, rule: 'schema' });
  }
  if (!isInteger(profile.id)) violations.push({ path: '/id', message: 'id must be an integer', rule: 'schema' });
  if (!isInteger(profile.stackLevel) || (rules.v2x && profile.stackLevel < 0)) {
    violations.push({ path: '/stackLevel', message: 'stackLevel must be an integer >= 0', rule: 'schema' });
  }
  if (profile.transactionId !== undefined && profile.transactionId.length > 36) {
    violations.push({ path: '/transactionId', message: 'transactionId is at most 36 characters', rule: 'schema' });
  }
  const schedules = Array.isArray(profile.schedules) ? profile.schedules : [];
  if (schedules.length < 1 || schedules.length > 3) {
    violations.push({ path: '/schedules', message: 'a profile carries 1 to 3 charging schedules', rule: 'schema' });
  }
  const chargingSchedule = schedules.map((schedule, i): Ocpp2ChargingSchedule => {
    const path = `/schedules/${i}`;
    // The schedule id is required on the wire; a profile built for (or read from) 1.6 has none, so number them.
    const id = schedule.id ?? i + 1;
    if (!isInteger(id)) violations.push({ path: `${path}/id`, message: 'schedule id must be an integer', rule: 'schema' });
    if (schedule.duration !== undefined && !isInteger(schedule.duration)) {
      violations.push({ path: `${path}/duration`, message: 'duration must be an integer number of seconds', rule: 'schema' });
    }
    const periods = Array.isArray(schedule.periods) ? schedule.periods : [];
    if (periods.length < 1 || periods.length > 1024) {
      violations.push({ path: `${path}/periods`, message: 'a schedule has 1 to 1024 periods', rule: 'schema' });
    }
    const out: Ocpp2ChargingSchedule = {
      id,
      chargingRateUnit: schedule.chargingRateUnit,
      chargingSchedulePeriod: periods.map((p, j) => periodTo2(p, `${path}/periods/${j}`, rules, version, violations, dropped)),
    };
    if (schedule.startSchedule !== undefined) out.startSchedule = schedule.startSchedule;
    if (schedule.duration !== undefined) out.duration = schedule.duration;
    if (schedule.minChargingRate !== undefined) out.minChargingRate = schedule.minChargingRate;
    return out;
  });
  if (violations.length > 0) return notConverted(violations);
  const out: Ocpp2ChargingProfile = {
    id: profile.id,
    stackLevel: profile.stackLevel,
    chargingProfilePurpose: profile.purpose,
    chargingProfileKind: profile.kind,
    chargingSchedule,
  };
  if (profile.recurrencyKind !== undefined) out.recurrencyKind = profile.recurrencyKind;
  if (profile.validFrom !== undefined) out.validFrom = profile.validFrom;
  if (profile.validTo !== undefined) out.validTo = profile.validTo;
  if (profile.transactionId !== undefined) out.transactionId = profile.transactionId;
  return converted(out, dropped);
}

const PROFILE_FIELDS = new Set([
  'id', 'stackLevel', 'chargingProfilePurpose', 'chargingProfileKind', 'recurrencyKind', 'validFrom', 'validTo',
  'transactionId', 'chargingSchedule',
]);
const SCHEDULE_FIELDS = new Set(['id', 'startSchedule', 'duration', 'chargingRateUnit', 'chargingSchedulePeriod', 'minChargingRate']);
const PERIOD_FIELDS = new Set(['startPeriod', 'limit', 'numberPhases', 'phaseToUse', 'setpoint', 'dischargeLimit', 'operationMode']);

/** Paths of the wire fields Joule's model does not keep (2.1 price schedules, offline validity, V2X curves, ...). */
function unmodelled(fields: object, known: Set<string>, path: string, into: string[]): void {
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && !known.has(key)) into.push(`${path}/${key}`);
}

function fromOcpp2(wire: Ocpp2ChargingProfile): ConversionResult<ChargingProfile> {
  const dropped: string[] = [];
  unmodelled(wire, PROFILE_FIELDS, '', dropped);
  const schedules = wire.chargingSchedule.map((ws, i): ChargingSchedule => {
    unmodelled(ws, SCHEDULE_FIELDS, `/chargingSchedule/${i}`, dropped);
    const schedule: ChargingSchedule = {
      id: ws.id,
      chargingRateUnit: ws.chargingRateUnit,
      periods: ws.chargingSchedulePeriod.map((p, j) => {
        unmodelled(p, PERIOD_FIELDS, `/chargingSchedule/${i}/chargingSchedulePeriod/${j}`, dropped);
        const period: ChargingSchedulePeriod = { startPeriod: p.startPeriod };
        if (p.limit !== undefined) period.limit = p.limit;
        if (p.numberPhases !== undefined) period.numberPhases = p.numberPhases;
        if (p.phaseToUse !== undefined) period.phaseToUse = p.phaseToUse;
        if (p.setpoint !== undefined) period.setpoint = p.setpoint;
        if (p.dischargeLimit !== undefined) period.dischargeLimit = p.dischargeLimit;
        if (p.operationMode !== undefined) period.operationMode = p.operationMode;
        return period;
      }),
    };
    if (ws.startSchedule !== undefined) schedule.startSchedule = ws.startSchedule;
    if (ws.duration !== undefined) schedule.duration = ws.duration;
    if (ws.minChargingRate !== undefined) schedule.minChargingRate = ws.minChargingRate;
    return schedule;
  });
  const profile: ChargingProfile = {
    id: wire.id,
    stackLevel: wire.stackLevel,
    purpose: wire.chargingProfilePurpose,
    kind: wire.chargingProfileKind,
    schedules,
  };
  if (wire.recurrencyKind !== undefined) profile.recurrencyKind = wire.recurrencyKind;
  if (wire.validFrom !== undefined) profile.validFrom = wire.validFrom;
  if (wire.validTo !== undefined) profile.validTo = wire.validTo;
  if (wire.transactionId !== undefined) profile.transactionId = wire.transactionId;
  return converted(profile, dropped);
}

/** Joule's profile as a 2.0.1 `chargingProfile`. */
export function toOcpp201ChargingProfile(profile: ChargingProfile): ConversionResult<Ocpp2ChargingProfile> {
  return toOcpp2(profile, '2.0.1');
}

/** Joule's profile as a 2.1 `chargingProfile`. */
export function toOcpp21ChargingProfile(profile: ChargingProfile): ConversionResult<Ocpp2ChargingProfile> {
  return toOcpp2(profile, '2.1');
}

/**
 * A 2.0.1 `chargingProfile` (as received, schema-valid) as Joule's profile; `dropped` lists what the model does not
 * keep (customData, salesTariff).
 */
export function fromOcpp201ChargingProfile(wire: Ocpp2ChargingProfile): ConversionResult<ChargingProfile> {
  return fromOcpp2(wire);
}

/**
 * A 2.1 `chargingProfile` (as received, schema-valid) as Joule's profile; `dropped` lists the 2.1 fields the model
 * does not keep (offline validity, dynamic updates, price schedules, useLocalTime, randomizedDelay, limitAtSoC,
 * per-phase and reactive values, operationMode, V2X curves, customData).
 */
export function fromOcpp21ChargingProfile(wire: Ocpp2ChargingProfile): ConversionResult<ChargingProfile> {
  return fromOcpp2(wire);
}

function setRequest(
  evseId: number,
  result: ConversionResult<Ocpp2ChargingProfile>,
): ConversionResult<Ocpp2SetChargingProfileRequest> {
  if (!result.ok) return result;
  if (!isInteger(evseId) || evseId < 0) {
    return notConverted([{ path: '/evseId', message: 'evseId must be an integer >= 0', rule: 'schema' }]);
  }
  return converted({ evseId, chargingProfile: result.value }, result.dropped);
}

export function toOcpp201SetChargingProfileRequest(
  evseId: number,
  profile: ChargingProfile,
): ConversionResult<Ocpp2SetChargingProfileRequest> {
  return setRequest(evseId, toOcpp201ChargingProfile(profile));
}

export function toOcpp21SetChargingProfileRequest(
  evseId: number,
  profile: ChargingProfile,
): ConversionResult<Ocpp2SetChargingProfileRequest> {
  return setRequest(evseId, toOcpp21ChargingProfile(profile));
}

export function fromOcpp2SetChargingProfileRequest(
  wire: Ocpp2SetChargingProfileRequest,
): ConversionResult<EvseChargingProfile> {
  const result = fromOcpp2(wire.chargingProfile);
  if (!result.ok) return result;
  return converted({ evseId: wire.evseId, profile: result.value }, result.dropped);
}

/** The rate units of a 2.x `SmartChargingCtrlr.RateUnit` MemberList value ("A,W"). Unknown members are ignored. */
export function rateUnitsFromOcpp2Variable(value: string): ChargingRateUnit[] {
  const units: ChargingRateUnit[] = [];
  for (const member of value.split(',')) {
    const m = member.trim().toUpperCase();
    if ((m === 'A' || m === 'W') && !units.includes(m)) units.push(m);
  }
  return units;
}
