/**
 * Whether a station may connect with the client certificate it presents (security profile 3), as far as Joule's
 * inventory can tell; the TLS edge has verified the chain already. Pure: the caller looks the records up.
 *
 * Refused: a certificate Joule revoked; one Joule issued to another station; and, binding the station to its
 * certificate, any other certificate than its current one once the station holds a certificate Joule issued and it
 * accepted (an older, superseded one, or a certificate Joule never issued). Accepted otherwise, including
 * certificates of an external CA that Joule never saw, for stations without a Joule certificate.
 */
import type { CertificateRecord } from '../../store/ports.ts';

export interface ClientCertificateDecision {
  accepted: boolean;
  reason?: string;
}

/** The check the TLS edge calls for a profile-3 connection (CertificateService.checkClientCertificate). */
export type ClientCertificateCheck = (stationId: string, certificateDer: Buffer) => Promise<{ accepted: boolean; reason?: string }>;

export interface PresentedCertificate {
  fingerprintSha256: string;
  serialNumber: string;
  issuer: string;
}

/**
 * `known`: Joule's record of this very certificate (by fingerprint), if any. `revokedSameSerial`: a revoked record with
 * the same serial and issuer (the same certificate re-encoded, or re-issued under the same serial).
 * `stationCertificates`: the station's certificates in the inventory.
 */
export function decideClientCertificate(
  stationId: string,
  presented: PresentedCertificate,
  known: CertificateRecord | undefined,
  revokedSameSerial: boolean,
  stationCertificates: readonly CertificateRecord[],
): ClientCertificateDecision {
  if (known?.status === 'revoked' || revokedSameSerial) {
    return { accepted: false, reason: `certificate ${presented.serialNumber} is revoked` };
  }
  if (known !== undefined && known.stationId !== null && known.stationId !== stationId) {
    return { accepted: false, reason: `certificate ${presented.serialNumber} was issued to station ${known.stationId}, not ${stationId}` };
  }
  const current = stationCertificates.filter((c) => c.status === 'installed' && c.certificateType === 'ChargingStationCertificate');
  if (current.length === 0) return { accepted: true };
  if (current.some((c) => c.fingerprintSha256 === presented.fingerprintSha256)) return { accepted: true };
  // A certificate issued after the installed one but not yet confirmed (the station's answer was lost) is newer, so
  // current too.
  const newestInstalled = Math.max(...current.map((c) => Date.parse(c.issuedAt)));
  if (known !== undefined && known.status === 'issued' && Date.parse(known.issuedAt) >= newestInstalled) return { accepted: true };
  const what = known === undefined ? 'a certificate Joule did not issue' : `its ${known.status} certificate ${known.serialNumber}`;
  return {
    accepted: false,
    reason: `station ${stationId} holds the Joule certificate ${current.map((c) => c.serialNumber).join(', ')}; it presented ${what}`,
  };
}
