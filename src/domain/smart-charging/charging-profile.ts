/**
 * Charging profiles as Joule keeps them: one version-neutral shape for OCPP 1.6 (`csChargingProfiles`), 2.0.1 and
 * 2.1 (`chargingProfile`). The version differences live only in the edge conversions (`src/ocpp/v16/charging-profiles.ts`,
 * `src/ocpp/v201/charging-profiles.ts`). Times are UTC ISO 8601 strings, durations and `startPeriod` are seconds.
 *
 * Naming follows 2.x: the 1.6 purpose `ChargePointMaxProfile` is `ChargingStationMaxProfile` here, a 1.6 connector N
 * is EVSE N (connector 0 = EVSE 0 = the whole station).
 */

export type ChargingProfilePurpose =
  | 'ChargingStationMaxProfile'
  | 'TxDefaultProfile'
  | 'TxProfile'
  /** 2.x: made by the station for EMS/DSO limits. Joule may hold them (reported) but never sends them (K01.FR.22). */
  | 'ChargingStationExternalConstraints'
  /** 2.1 */
  | 'PriorityCharging'
  /** 2.1: extra capacity added on top of the composite schedule. */
  | 'LocalGeneration';

export const CHARGING_PROFILE_PURPOSES: readonly ChargingProfilePurpose[] = [
  'ChargingStationMaxProfile',
  'TxDefaultProfile',
  'TxProfile',
  'ChargingStationExternalConstraints',
  'PriorityCharging',
  'LocalGeneration',
];

/** `Dynamic` is 2.1 only. */
export type ChargingProfileKind = 'Absolute' | 'Recurring' | 'Relative' | 'Dynamic';
export const CHARGING_PROFILE_KINDS: readonly ChargingProfileKind[] = ['Absolute', 'Recurring', 'Relative', 'Dynamic'];

export type RecurrencyKind = 'Daily' | 'Weekly';
export const RECURRENCY_KINDS: readonly RecurrencyKind[] = ['Daily', 'Weekly'];

/** A = amperes per phase, W = total power (§5.6). */
export type ChargingRateUnit = 'A' | 'W';
export const CHARGING_RATE_UNITS: readonly ChargingRateUnit[] = ['A', 'W'];

/**
 * 2.1 operation mode of a period (absent: ChargingOnly). `CentralSetpoint`: the EV follows `setpoint`, which may be
 * negative (discharge, V2G); `ExternalLimits` / `ExternalSetpoint`: an external system (EMS) decides within the limits;
 * `Idle`: no energy transfer. Only an edge that declares discharge (`SmartChargingCapabilities.discharge`) may carry a
 * period that lets energy flow back.
 */
export type OperationMode = 'Idle' | 'ChargingOnly' | 'CentralSetpoint' | 'ExternalSetpoint' | 'ExternalLimits' | 'CentralFrequency' | 'LocalFrequency' | 'LocalLoadBalancing';
export const OPERATION_MODES: readonly OperationMode[] = ['Idle', 'ChargingOnly', 'CentralSetpoint', 'ExternalSetpoint', 'ExternalLimits', 'CentralFrequency', 'LocalFrequency', 'LocalLoadBalancing'];

export interface ChargingSchedulePeriod {
  /** Seconds from the start of the schedule. */
  startPeriod: number;
  /** In the schedule's rate unit. Required in 1.6 and 2.0.1, optional in 2.1 (then a setpoint usually stands in). */
  limit?: number;
  /** 1..3 (2.1 also allows 0). Absent means 3 (§5.6, K01.FR.49). */
  numberPhases?: number;
  /** 1..3, only with numberPhases 1 (K01.FR.19/20). 2.x only. */
  phaseToUse?: number;
  /** 2.1 only: what the EV should follow, in the schedule's unit; negative = discharge (V2G). */
  setpoint?: number;
  /** 2.1 only, <= 0: the most the EV may discharge (absent: it may not). */
  dischargeLimit?: number;
  /** 2.1 only (absent: ChargingOnly). */
  operationMode?: OperationMode;
}

/** True when the period lets energy flow back from the EV (a negative setpoint or limit, or a discharge limit below 0). */
export function periodDischarges(period: ChargingSchedulePeriod): boolean {
  return (period.setpoint !== undefined && period.setpoint < 0)
    || (period.dischargeLimit !== undefined && period.dischargeLimit < 0)
    || (period.limit !== undefined && period.limit < 0);
}

export interface ChargingSchedule {
  /** Required on the 2.x wire; 1.6 has none. */
  id?: number;
  /** Required for Absolute and Recurring, absent for Relative (§5.3). */
  startSchedule?: string;
  /** Seconds. Absent: the last period lasts indefinitely. */
  duration?: number;
  chargingRateUnit: ChargingRateUnit;
  /** Ascending startPeriod, the first at 0. */
  periods: ChargingSchedulePeriod[];
  minChargingRate?: number;
}

export interface ChargingProfile {
  id: number;
  stackLevel: number;
  purpose: ChargingProfilePurpose;
  kind: ChargingProfileKind;
  recurrencyKind?: RecurrencyKind;
  validFrom?: string;
  validTo?: string;
  /** The station's transaction id (a decimal string for 1.6 stations, whose wire field is an integer). */
  transactionId?: string;
  /** One schedule; 2.x allows up to 3 for ISO 15118 (K01.FR.34). */
  schedules: ChargingSchedule[];
}

/** A profile together with the EVSE it is set on (0 = the whole station). */
export interface EvseChargingProfile {
  evseId: number;
  profile: ChargingProfile;
}

/** One period of a computed (composite) schedule. */
export interface CompositeSchedulePeriod {
  /** Seconds from `scheduleStart`. */
  startPeriod: number;
  /** In the composite's rate unit. Absent: nothing limits this period (no profile and no EVSE maximum given). */
  limit?: number;
  /** The phases the limit assumes (absent means 3). */
  numberPhases?: number;
}

export interface CompositeSchedule {
  evseId: number;
  scheduleStart: string;
  duration: number;
  chargingRateUnit: ChargingRateUnit;
  periods: CompositeSchedulePeriod[];
}

/** What the composite computation knows about one EVSE (EVSE 0: the station's grid connection). */
export interface EvseChargingContext {
  evseId: number;
  /**
   * The transaction running on this EVSE. Without one, the EVSE is computed as if a transaction were running under
   * its TxDefaultProfile (K08.FR.06), and Relative profiles start at the window start.
   */
  transaction?: {
    transactionId: string;
    /** When the EVSE became ready to deliver energy; Relative profiles are anchored here (K01.FR.42). */
    chargingStartedAt: string;
    /** 2.1: PriorityCharging was activated for this transaction (locally or by UsePriorityCharging). */
    priorityCharging?: boolean;
  };
  /** The hardware maximum: fills gaps where no profile limits, and caps profile limits above it. */
  maxLimit?: { limit: number; unit: ChargingRateUnit };
  /** Phases this EVSE charges on (default 3), used to convert between A and W. */
  phases?: number;
}

export interface CompositeScheduleInput {
  /** Everything installed on the station (any EVSE); the computation picks what applies. */
  profiles: readonly EvseChargingProfile[];
  /** 0 = the whole station (total drawn from the grid, K08.FR.03). */
  evseId: number;
  /** Window start, ISO 8601. */
  start: string;
  /** Window length in seconds (> 0). */
  duration: number;
  chargingRateUnit: ChargingRateUnit;
  /** Per-EVSE state; for EVSE 0, the EVSEs listed here (> 0) are summed (see composite-schedule.ts). */
  evses?: readonly EvseChargingContext[];
  /** Nominal line voltage for A <-> W (default 230 V, [S16E] 3.69 / K01.FR.50). */
  lineVoltage?: number;
}

/** One broken rule: where (a JSON-pointer-like path into the profile) and why, with the rule it comes from. */
export interface ProfileViolation {
  path: string;
  message: string;
  /** The requirement id or section, e.g. "K01.FR.31" or "1.6 §3.13.1". */
  rule: string;
}
