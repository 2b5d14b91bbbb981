/** The inventory record of a station certificate just issued (by Joule's CA, or uploaded from the operator's). */
import type { CertificateRecord } from '../../store/ports.ts';
import type { CertificateInventoryEntry } from './pki/certificate-inventory.ts';

export function issuedCertificateRecord(
  entry: CertificateInventoryEntry,
  details: { pem: string; stationId: string; certificateType: string; issuedAt: string },
): CertificateRecord {
  return {
    fingerprintSha256: entry.fingerprintSha256,
    serialNumber: entry.serialNumber,
    issuer: entry.issuer,
    subject: entry.subject,
    commonName: entry.commonName,
    organization: entry.organization,
    stationId: details.stationId,
    certificateType: details.certificateType,
    notBefore: entry.notBefore,
    notAfter: entry.notAfter,
    status: 'issued',
    pem: details.pem,
    issuedAt: details.issuedAt,
    installedAt: null,
    revokedAt: null,
    revocationReason: null,
    renewalRequestedAt: null,
  };
}
