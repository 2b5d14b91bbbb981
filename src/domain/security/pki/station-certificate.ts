/**
 * Signing a checked station CSR into a station certificate (the answer to SignCertificate, sent in CertificateSigned).
 * The certificate keeps the CSR's subject (its O and CN were checked), gets a random serial, and the extensions Joule
 * decides, whatever the CSR asked for: not a CA; keyUsage digitalSignature, plus keyAgreement for EC keys (ECDH, as
 * ISO 15118 station certificates have; an RSA key cannot do key agreement, and a TLS client signs only, so RSA keys
 * get digitalSignature alone); extKeyUsage clientAuth (the station is the TLS client in profile 3); subject and
 * authority key identifiers.
 */
import { type CertificateAuthority, issueCertificate } from './certificate-authority.ts';
import { inventoryEntry } from './certificate-inventory.ts';
import type { CheckedCsr } from './csr-check.ts';
import { issued, type IssuedCertificate } from './issued-certificate.ts';
import { validityWindow } from './validity.ts';
import { x509 } from './x509.ts';

export const DEFAULT_STATION_CERTIFICATE_DAYS = 365;

export interface StationCertificateOptions {
  validityDays?: number;
  now?: Date;
}

export async function signStationCertificate(
  ca: CertificateAuthority,
  csr: CheckedCsr,
  options: StationCertificateOptions = {},
): Promise<IssuedCertificate> {
  const { notBefore, notAfter } = validityWindow(
    options.validityDays ?? DEFAULT_STATION_CERTIFICATE_DAYS,
    options.now ?? new Date(),
    ca.certificate.notAfter,
  );
  const keyUsage = x509.KeyUsageFlags.digitalSignature
    | (csr.key.type === 'EC' ? x509.KeyUsageFlags.keyAgreement : 0);
  const certificate = await issueCertificate(ca, {
    subject: csr.request.subjectName,
    publicKey: csr.request.publicKey,
    notBefore,
    notAfter,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(keyUsage, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
    ],
  });
  return issued(certificate, ca, inventoryEntry(certificate, { use: 'station', stationId: csr.stationId }));
}
