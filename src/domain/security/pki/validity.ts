/** Validity periods of the certificates Joule issues. */
import { PkiInputError } from './pem.ts';

const DAY_MS = 86_400_000;

/**
 * Certificates start an hour in the past, so a station or server whose clock is a little behind still accepts a
 * certificate issued a moment ago (a station switches to a new certificate only after its notBefore, A02).
 */
export const BACKDATE_MS = 3_600_000;

/** At most 100 years: anything longer is a typo, not a policy. */
const MAX_VALIDITY_DAYS = 36_500;

export interface ValidityWindow {
  notBefore: Date;
  notAfter: Date;
}

/**
 * `days` of validity from now (backdated by an hour), never past `limit` (the issuer's own notAfter: a certificate
 * that outlives its issuer fails path validation at the issuer's expiry anyway, so it is cut there, openly).
 */
export function validityWindow(days: number, now: Date, limit?: Date): ValidityWindow {
  if (!Number.isFinite(days) || days <= 0 || days > MAX_VALIDITY_DAYS) {
    throw new PkiInputError(`validity of ${days} days is not allowed: give a number of days between 1 and ${MAX_VALIDITY_DAYS}`);
  }
  if (Number.isNaN(now.getTime())) throw new PkiInputError('the issuing time is not a valid date');
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  let notAfter = new Date(now.getTime() + days * DAY_MS);
  if (limit !== undefined && notAfter.getTime() > limit.getTime()) notAfter = new Date(limit.getTime());
  if (notAfter.getTime() <= now.getTime()) throw new PkiInputError('the issuer has expired: it cannot issue certificates any more');
  return { notBefore, notAfter };
}

export function isWithinValidity(notBefore: Date, notAfter: Date, at: Date): boolean {
  return at.getTime() >= notBefore.getTime() && at.getTime() <= notAfter.getTime();
}
