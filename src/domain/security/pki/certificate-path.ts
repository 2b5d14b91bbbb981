/**
 * Certification path validation in the spirit of RFC 5280 §6, for the paths Joule deals with (a station or CA
 * certificate up to one of Joule's trust anchors): each issuer is found by name, is a CA (basicConstraints, and
 * keyCertSign when it carries a keyUsage), is within its validity, respects its pathLenConstraint, and its key
 * verifies the signature below it. The leaf's own validity and purpose are for the caller to judge, so that it can say
 * which one failed. No revocation here: that is the inventory's job.
 */
import { sameCertificate } from './pem.ts';
import { isWithinValidity } from './validity.ts';
import { x509 } from './x509.ts';

/** Deeper paths than this are refused: Joule's own hierarchy is root, intermediate, leaf. */
export const MAX_PATH_LENGTH = 6;

export interface PathOptions {
  /** The certificates trusted as roots (compared byte for byte). */
  trustAnchors: readonly x509.X509Certificate[];
  /** Candidate intermediate CA certificates (what the peer sent, and Joule's own). */
  intermediates?: readonly x509.X509Certificate[];
  /** The time of validation. */
  at: Date;
}

/** `path` runs from the leaf to the trust anchor, both included. */
export type PathResult = { ok: true; path: x509.X509Certificate[] } | { ok: false; reason: string };

export async function verifyCertificatePath(leaf: x509.X509Certificate, options: PathOptions): Promise<PathResult> {
  const pool = [...options.trustAnchors, ...(options.intermediates ?? [])];
  const found = await extend(leaf, [leaf], pool, options);
  if (!found.ok) return found;
  const constraint = pathLengthViolation(found.path);
  return constraint === undefined ? found : { ok: false, reason: constraint };
}

async function extend(
  current: x509.X509Certificate,
  path: x509.X509Certificate[],
  pool: readonly x509.X509Certificate[],
  options: PathOptions,
): Promise<PathResult> {
  if (path.length > MAX_PATH_LENGTH) return { ok: false, reason: `certificate path longer than ${MAX_PATH_LENGTH}` };
  const candidates = pool.filter((c) => namesMatch(current.issuerName, c.subjectName) && !path.some((p) => sameCertificate(p, c)));
  if (candidates.length === 0) {
    return { ok: false, reason: `issuer "${current.issuer}" of "${current.subject}" is not a trusted or known CA` };
  }
  let reason = '';
  for (const issuer of candidates) {
    const problem = issuerProblem(issuer, options.at);
    if (problem !== undefined) {
      reason = problem;
      continue;
    }
    if (!(await signedBy(current, issuer))) {
      reason = `the signature of "${current.subject}" does not verify with the key of "${issuer.subject}"`;
      continue;
    }
    if (options.trustAnchors.some((anchor) => sameCertificate(anchor, issuer))) return { ok: true, path: [...path, issuer] };
    const above = await extend(issuer, [...path, issuer], pool, options);
    if (above.ok) return above;
    reason = above.reason;
  }
  return { ok: false, reason };
}

/** True when `issuer`'s key verifies `certificate`'s signature. Unsupported algorithms verify nothing. */
export async function signedBy(certificate: x509.X509Certificate, issuer: x509.X509Certificate): Promise<boolean> {
  try {
    return await certificate.verify({ publicKey: issuer.publicKey, signatureOnly: true });
  } catch {
    return false;
  }
}

export function isCaCertificate(certificate: x509.X509Certificate): boolean {
  return certificate.getExtension(x509.BasicConstraintsExtension)?.ca === true;
}

function issuerProblem(issuer: x509.X509Certificate, at: Date): string | undefined {
  if (!isCaCertificate(issuer)) return `"${issuer.subject}" is not a CA certificate (basicConstraints cA is not set)`;
  const usage = issuer.getExtension(x509.KeyUsagesExtension);
  if (usage !== null && (usage.usages & x509.KeyUsageFlags.keyCertSign) === 0) {
    return `"${issuer.subject}" may not sign certificates (keyUsage lacks keyCertSign)`;
  }
  if (!isWithinValidity(issuer.notBefore, issuer.notAfter, at)) {
    return `CA certificate "${issuer.subject}" is not valid at ${at.toISOString()} (valid ${issuer.notBefore.toISOString()} to ${issuer.notAfter.toISOString()})`;
  }
  return undefined;
}

/** RFC 5280 §4.2.1.9: a CA's pathLenConstraint limits the non-self-issued intermediates below it. */
function pathLengthViolation(path: readonly x509.X509Certificate[]): string | undefined {
  for (let i = 1; i < path.length; i++) {
    const ca = path[i];
    const limit = ca?.getExtension(x509.BasicConstraintsExtension)?.pathLength;
    if (ca === undefined || limit === undefined) continue;
    const intermediatesBelow = i - 1;
    if (intermediatesBelow > limit) {
      return `"${ca.subject}" allows ${limit} intermediate CA(s) below it, the path has ${intermediatesBelow}`;
    }
  }
  return undefined;
}

function namesMatch(a: x509.Name, b: x509.Name): boolean {
  if (Buffer.from(a.toArrayBuffer()).equals(Buffer.from(b.toArrayBuffer()))) return true;
  return a.toString() === b.toString();
}
