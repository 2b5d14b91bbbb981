/**
 * An operator's own CA that Joule does not hold the key of (JOULE_CA_MODE=manual): its certificate, and the
 * certificates above it up to the root. Station CSRs wait in a queue; the operator signs them with this CA outside
 * Joule and uploads the certificates (externally-signed-check.ts checks each one). Checked at start like a CA Joule
 * holds the key of: the certificate is a CA, and the chain leads from it to a self-signed root with valid signatures.
 */
import { type CaCertificates, checkedIssuers } from './certificate-authority.ts';
import { isCaCertificate } from './certificate-path.ts';
import { parseCertificate, PkiInputError } from './pem.ts';

export type ExternalAuthority = CaCertificates;

export async function importExternalAuthority(certificatePem: string, issuerChainPem: string, now: Date = new Date()): Promise<ExternalAuthority> {
  const certificate = parseCertificate(certificatePem);
  if (!isCaCertificate(certificate)) throw new PkiInputError(`"${certificate.subject}" is not a CA certificate`);
  return { certificate, issuers: await checkedIssuers(certificate, issuerChainPem, now) };
}
