/** A certificate Joule's CA issued, in the forms the callers need: PEM, the chain to send, its inventory entry. */
import { type CertificateAuthority, issuingChain } from './certificate-authority.ts';
import type { CertificateInventoryEntry } from './certificate-inventory.ts';
import { certificatePem, chainPem } from './pem.ts';
import { normaliseSerialNumber } from './serial-number.ts';
import type { x509 } from './x509.ts';

export interface IssuedCertificate {
  certificate: x509.X509Certificate;
  certificatePem: string;
  /** The certificate followed by the issuing CA and any intermediates above it, without the root. */
  chainPem: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  entry: CertificateInventoryEntry;
}

export function issued(
  certificate: x509.X509Certificate,
  ca: CertificateAuthority,
  entry: CertificateInventoryEntry,
): IssuedCertificate {
  return {
    certificate,
    certificatePem: certificatePem(certificate),
    chainPem: chainPem([certificate, ...issuingChain(ca)]),
    serialNumber: normaliseSerialNumber(certificate.serialNumber),
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    entry,
  };
}
