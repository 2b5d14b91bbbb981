/**
 * Requests to a station in version-neutral form. The domain says what it wants (this profile on that EVSE, a new
 * password, sign this certificate, ...); the station's version adapter, on the node that holds the station, turns it
 * into that version's action and payload and reads the answer back into a neutral result. Plain JSON data: requests
 * travel over the cluster bus (NATS, worker IPC) unchanged.
 */
import type { CertificateStationRequest, ReportedCertificate } from '../security/certificate-requests.ts';
import type { ChargingProfile, CompositeSchedule } from '../smart-charging/charging-profile.ts';
import type { SmartChargingStationRequest } from '../smart-charging/station-requests.ts';
import type { SetStationPasswordRequest } from '../stations/station-password-request.ts';

/** Every version-neutral request: smart charging, station passwords and certificate management. */
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
