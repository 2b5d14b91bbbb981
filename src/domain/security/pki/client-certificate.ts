/**
 * What a station's client certificate on a profile-3 connection says, and whether Joule accepts it: it chains to a
 * trusted root, is within its validity, is not revoked, and may be used for TLS client authentication. Input is what
 * the TLS edge has: the DER of `getPeerCertificate().raw`, or a PEM (possibly a chain, leaf first) forwarded by a
 * TLS-terminating proxy. Binding the certificate to a station (its CN against the station's names) is the caller's
 * next step, with the facts returned here.
 */
import { type CertificateAuthority, rootCertificate } from './certificate-authority.ts';
import { isCaCertificate, verifyCertificatePath } from './certificate-path.ts';
import { singleNameField } from './distinguished-name.ts';
import { type CertificateInput, fingerprintSha256, parseCertificates } from './pem.ts';
import { normaliseSerialNumber } from './serial-number.ts';
import { x509 } from './x509.ts';

const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

export interface TrustStore {
  anchors: readonly x509.X509Certificate[];
  intermediates?: readonly x509.X509Certificate[];
}

/** What Joule trusts for its own CA: the root as anchor, the CA and its intermediates as known issuers. */
export function trustStoreOf(ca: CertificateAuthority): TrustStore {
  return { anchors: [rootCertificate(ca)], intermediates: [ca.certificate, ...ca.issuers] };
}

export interface ClientCertificateFacts {
  commonName: string | null;
  organization: string | null;
  /** Hex, lowercase, no leading zeros. */
  serialNumber: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
}

export type ClientCertificateInspection =
  | { readable: false; accepted: false; reason: string }
  | {
    readable: true;
    certificate: ClientCertificateFacts;
    chainsToCa: boolean;
    revoked: boolean;
    expired: boolean;
    notYetValid: boolean;
    clientAuthAllowed: boolean;
    /** True when all of the above allow the connection. */
    accepted: boolean;
    /** Why it is not accepted (empty when accepted). */
    reasons: string[];
  };

export interface InspectionOptions {
  trust: TrustStore;
  /** Intermediates the peer presented besides the leaf (DER or PEM). */
  presentedIntermediates?: readonly CertificateInput[];
  isRevoked?: (serialNumber: string, issuer: string) => boolean;
  now?: Date;
}

export async function inspectClientCertificate(
  input: CertificateInput,
  options: InspectionOptions,
): Promise<ClientCertificateInspection> {
  let presented: x509.X509Certificate[];
  try {
    presented = parseCertificates(input);
    for (const extra of options.presentedIntermediates ?? []) presented.push(...parseCertificates(extra));
  } catch (error) {
    return { readable: false, accepted: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const [leaf, ...peerIntermediates] = presented;
  if (leaf === undefined) return { readable: false, accepted: false, reason: 'no certificate presented' };

  const now = options.now ?? new Date();
  const certificate = facts(leaf);
  const reasons: string[] = [];

  const expired = now.getTime() > leaf.notAfter.getTime();
  if (expired) reasons.push(`the certificate expired at ${certificate.notAfter}`);
  const notYetValid = now.getTime() < leaf.notBefore.getTime();
  if (notYetValid) reasons.push(`the certificate is valid only from ${certificate.notBefore}`);

  const clientAuthAllowed = mayAuthenticateClients(leaf);
  if (!clientAuthAllowed) reasons.push('the certificate is a CA certificate or its extended key usage excludes clientAuth');

  const path = await verifyCertificatePath(leaf, {
    trustAnchors: options.trust.anchors,
    intermediates: [...(options.trust.intermediates ?? []), ...peerIntermediates],
    at: now,
  });
  if (!path.ok) reasons.push(`not issued under a trusted CA: ${path.reason}`);

  const revoked = options.isRevoked?.(certificate.serialNumber, certificate.issuer) ?? false;
  if (revoked) reasons.push(`certificate ${certificate.serialNumber} is revoked`);

  return {
    readable: true,
    certificate,
    chainsToCa: path.ok,
    revoked,
    expired,
    notYetValid,
    clientAuthAllowed,
    accepted: reasons.length === 0,
    reasons,
  };
}

function facts(certificate: x509.X509Certificate): ClientCertificateFacts {
  return {
    commonName: singleNameField(certificate.subjectName, 'CN') ?? null,
    organization: singleNameField(certificate.subjectName, 'O') ?? null,
    serialNumber: normaliseSerialNumber(certificate.serialNumber),
    subject: certificate.subject,
    issuer: certificate.issuer,
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    fingerprintSha256: fingerprintSha256(certificate),
  };
}

/** Not a CA, and its extended key usages allow TLS client authentication. */
function mayAuthenticateClients(certificate: x509.X509Certificate): boolean {
  return !isCaCertificate(certificate) && extendedKeyUsageAllowsClientAuth(certificate);
}

/** When a certificate names extended key usages, clientAuth (or any) is one of them (RFC 5280 §4.2.1.12). */
export function extendedKeyUsageAllowsClientAuth(certificate: x509.X509Certificate): boolean {
  const extended = certificate.getExtension(x509.ExtendedKeyUsageExtension);
  if (extended === null) return true;
  return extended.usages.some((usage) => usage === x509.ExtendedKeyUsage.clientAuth || usage === ANY_EXTENDED_KEY_USAGE);
}
