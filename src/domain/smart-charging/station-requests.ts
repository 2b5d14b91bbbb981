/**
 * Smart-charging requests to a station in version-neutral form (see commands/station-requests.ts): this profile on
 * that EVSE, clear these profiles, the composite schedule of an EVSE.
 */
import type { ChargingProfile, ChargingProfilePurpose, ChargingRateUnit, CompositeSchedule } from './charging-profile.ts';

/** How the EVSE is wired, so that an edge can convert A <-> W when the station accepts only the other unit. */
export interface EvseElectrical {
  /** Phase-to-neutral voltage. */
  voltageV: number;
  /** Phases the EVSE charges on (used when a period names none). */
  phases: number;
}

export interface SetChargingProfileRequest {
  kind: 'SetChargingProfile';
  /** 0: the whole station. */
  evseId: number;
  profile: ChargingProfile;
  electrical?: EvseElectrical;
}

/** `profileId` alone decides when given; otherwise every given criterion must match (1.6 §5.5, K10). */
export interface ClearChargingProfileRequest {
  kind: 'ClearChargingProfile';
  profileId?: number;
  evseId?: number;
  purpose?: ChargingProfilePurpose;
  stackLevel?: number;
}

export interface GetCompositeScheduleRequest {
  kind: 'GetCompositeSchedule';
  evseId: number;
  /** Seconds. */
  durationS: number;
  chargingRateUnit?: ChargingRateUnit;
}

export type SmartChargingStationRequest = SetChargingProfileRequest | ClearChargingProfileRequest | GetCompositeScheduleRequest;
