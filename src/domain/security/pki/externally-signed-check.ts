/**
 * The check of a certificate an operator's external CA signed for a queued station CSR (JOULE_CA_MODE=manual), before
 * Joule records it and sends it to the station in CertificateSigned. The upload is PEM: the station certificate
 * first, then any intermediate CAs (the root may follow; it is never sent to the station).
 *
 * Refused, each with its own failure code and a reason that names what was expected:
 * - `unreadable`: not PEM certificates;
 * - `key-mismatch`: the certificate's public key is not the CSR's (it was signed for another request);
 * - `subject-mismatch`: its O or CN differ from the CSR's, which Joule checked against the station (csr-check.ts);
 * - `is-ca`: it is a CA certificate (basicConstraints cA), not a station's;
 * - `not-valid-now`: outside its validity period;
 * - `wrong-purpose`: a keyUsage without digitalSignature, or an extKeyUsage without clientAuth (or any), as the TLS
 *   edge checks it (client-certificate.ts): in security profile 3 the station is the TLS client;
 * - `untrusted`: it does not chain to the root of the configured CA, the root the TLS edge trusts for stations.
 */
import { issuingChain, rootCertificate } from './certificate-authority.ts';
import { isCaCertificate, verifyCertificatePath } from './certificate-path.ts';
import { extendedKeyUsageAllowsClientAuth } from './client-certificate.ts';
import { singleNameField } from './distinguished-name.ts';
import type { ExternalAuthority } from './external-authority.ts';
import { parseCertificates, PkiInputError, sameCertificate } from './pem.ts';
import { isWithinValidity } from './validity.ts';
import { x509 } from './x509.ts';

export type ExternallySignedFailure = 'unreadable' | 'key-mismatch' | 'subject-mismatch' | 'is-ca' | 'not-valid-now' | 'wrong-purpose' | 'untrusted';

export type ExternallySignedResult =
  | {
    ok: true;
    certificate: x509.X509Certificate;
    /** What CertificateSigned carries: the certificate and the CAs above it, without the root. */
    chain: x509.X509Certificate[];
  }
  | { ok: false; failure: ExternallySignedFailure; reason: string };

export async function checkExternallySigned(
  uploadedPem: string,
  request: x509.Pkcs10CertificateRequest,
  authority: ExternalAuthority,
  at: Date,
): Promise<ExternallySignedResult> {
  let uploaded: x509.X509Certificate[];
  try {
    uploaded = parseCertificates(uploadedPem);
  } catch (error) {
    return refuse('unreadable', error instanceof PkiInputError ? error.message : 'the certificate chain is not readable PEM');
  }
  const certificate = uploaded[0];
  if (certificate === undefined) return refuse('unreadable', 'the upload holds no certificate');

  if (!Buffer.from(certificate.publicKey.rawData).equals(Buffer.from(request.publicKey.rawData))) {
    return refuse('key-mismatch', 'the certificate\'s public key is not the one of this CSR: it was signed for another request');
  }
  for (const field of ['O', 'CN'] as const) {
    const wanted = singleNameField(request.subjectName, field);
    const found = singleNameField(certificate.subjectName, field);
    if (found !== wanted) {
      return refuse('subject-mismatch', `the certificate's ${field} is ${found === undefined ? 'missing or not single' : `"${found}"`}; the CSR's is "${wanted ?? ''}"`);
    }
  }
  if (isCaCertificate(certificate)) return refuse('is-ca', `"${certificate.subject}" is a CA certificate (basicConstraints cA), not a station certificate`);
  if (!isWithinValidity(certificate.notBefore, certificate.notAfter, at)) {
    return refuse('not-valid-now', `the certificate is valid from ${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()}, not at ${at.toISOString()}`);
  }
  const purpose = purposeProblem(certificate);
  if (purpose !== undefined) return refuse('wrong-purpose', purpose);

  const root = rootCertificate(authority);
  const path = await verifyCertificatePath(certificate, {
    trustAnchors: [root],
    intermediates: [...uploaded.slice(1), ...issuingChain(authority)],
    at,
  });
  if (!path.ok) return refuse('untrusted', `the certificate does not chain to "${root.subject}", the configured CA's root: ${path.reason}`);
  return { ok: true, certificate, chain: path.path.filter((c) => !sameCertificate(c, root)) };
}

function purposeProblem(certificate: x509.X509Certificate): string | undefined {
  const usage = certificate.getExtension(x509.KeyUsagesExtension);
  if (usage !== null && (usage.usages & x509.KeyUsageFlags.digitalSignature) === 0) {
    return 'its keyUsage lacks digitalSignature, which a TLS client key needs';
  }
  if (!extendedKeyUsageAllowsClientAuth(certificate)) {
    return 'its extKeyUsage lacks clientAuth: the station could not use it as a TLS client (security profile 3)';
  }
  return undefined;
}

function refuse(failure: ExternallySignedFailure, reason: string): ExternallySignedResult {
  return { ok: false, failure, reason };
}
