/**
 * Smart-charging requests to a station in version-neutral form. The domain says what it wants (this profile on that
 * EVSE, clear these profiles, the composite schedule of an EVSE); the station's version adapter, on the node that
 * holds the station, turns it into that version's action and payload and reads the answer back into a neutral
 * result. Plain JSON data: requests travel over the cluster bus (NATS, worker IPC) unchanged.
 */
import type { CertificateStationRequest, ReportedCertificate } from '../security/certificate-requests.ts';
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

/**
 * A new Basic-auth password for the station (password rotation, A01): 1.6 ChangeConfiguration AuthorizationKey (the
 * key's hex), 2.x SetVariables SecurityCtrlr.BasicAuthPassword (as is). The answer's status is Accepted,
 * RebootRequired, Rejected, NotSupported, ...
 */
export interface SetStationPasswordRequest {
  kind: 'SetStationPassword';
  password: string;
}

/**
 * Every version-neutral request: smart charging (here), station passwords (above) and certificate management
 * (security/certificate-requests.ts).
 */
export type NeutralStationRequest = SmartChargingStationRequest | SetStationPasswordRequest | CertificateStationRequest;

/** The station's answer, read by its version's adapter. */
export interface NeutralStationResult {
  kind: NeutralStationRequest['kind'];
  /** The station's status as it answered (Accepted, Rejected, Unknown, ...). */
  status: string;
  /** The station's reason, when it gave one (2.x statusInfo). */
  reason?: string;
  /** GetCompositeSchedule: the schedule, when Accepted. */
  schedule?: CompositeSchedule;
  /** SetChargingProfile: the profile as it was actually sent (e.g. converted to the station's rate unit). */
  sent?: ChargingProfile;
  /** GetInstalledCertificateIds: the certificates the station reported. */
  certificates?: ReportedCertificate[];
}

/** The OCPP action names are the same in 1.6 and 2.x; a neutral request is logged under its action. */
export const NEUTRAL_REQUEST_KINDS: readonly SmartChargingStationRequest['kind'][] = ['SetChargingProfile', 'ClearChargingProfile', 'GetCompositeSchedule'];
