/**
 * Certificate management requests to a station in version-neutral form (like the smart-charging ones in
 * commands/station-requests.ts): the station's version adapter turns each into that version's action and payload
 * on the node that holds the station (1.6 security extension or 2.x blocks A and M), and reads the answer back.
 */
import type { CertificateHashDataRecord } from '../../store/ports.ts';

/**
 * Root certificate types in 2.x names. 1.6 knows CentralSystemRootCertificate (= CSMSRootCertificate) and
 * ManufacturerRootCertificate only.
 */
export const ROOT_CERTIFICATE_TYPES = ['CSMSRootCertificate', 'ManufacturerRootCertificate', 'V2GRootCertificate', 'MORootCertificate'] as const;
export type RootCertificateType = typeof ROOT_CERTIFICATE_TYPES[number];

/** The certificate a station asked to have signed: its TLS client certificate, or (2.x, ISO 15118) its V2G one. */
export type StationCertificateType = 'ChargingStationCertificate' | 'V2GCertificate';

export interface CertificateSignedRequest {
  kind: 'CertificateSigned';
  /** PEM, the station's certificate first. */
  certificateChain: string;
  certificateType: StationCertificateType;
  /** The SignCertificate requestId to echo (2.1). */
  requestId?: number;
}

export interface InstallCertificateRequest {
  kind: 'InstallCertificate';
  certificateType: RootCertificateType;
  certificate: string;
}

export interface DeleteCertificateRequest {
  kind: 'DeleteCertificate';
  hashData: CertificateHashDataRecord;
}

export interface GetInstalledCertificateIdsRequest {
  kind: 'GetInstalledCertificateIds';
  certificateType: RootCertificateType;
}

/** Asks the station to send SignCertificate for a new certificate (1.6 ExtendedTriggerMessage, 2.x TriggerMessage). */
export interface TriggerCertificateSigningRequest {
  kind: 'TriggerCertificateSigning';
}

export type CertificateStationRequest =
  | CertificateSignedRequest
  | InstallCertificateRequest
  | DeleteCertificateRequest
  | GetInstalledCertificateIdsRequest
  | TriggerCertificateSigningRequest;

export const CERTIFICATE_REQUEST_KINDS: ReadonlySet<string> = new Set<CertificateStationRequest['kind']>([
  'CertificateSigned', 'InstallCertificate', 'DeleteCertificate', 'GetInstalledCertificateIds', 'TriggerCertificateSigning',
]);

export function isCertificateRequest(request: { kind: string }): request is CertificateStationRequest {
  return CERTIFICATE_REQUEST_KINDS.has(request.kind);
}

/** A certificate the station reported (GetInstalledCertificateIds), in 2.x type names. */
export interface ReportedCertificate {
  certificateType: string;
  hashData: CertificateHashDataRecord;
}
