/**
 * Time-based one-time passwords (RFC 6238 on RFC 4226 HOTP) for operator logins: HMAC-SHA-1, 6 digits, 30-second
 * steps by default, as authenticator apps expect. Verification accepts the current step and one either side (clock
 * drift and typing time), compares in constant time, and refuses a code whose step is not newer than the last step
 * this account used (RFC 6238 §5.2: a code is accepted once); the verifier returns the step to remember.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../errors.ts';
import { base32Decode, base32Encode } from './base32.ts';

export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface TotpOptions {
  algorithm?: TotpAlgorithm;
  /** 6 to 10; 6 by default. */
  digits?: number;
  /** Seconds per step; 30 by default. */
  period?: number;
  /** Unix time (seconds) at which counting starts; 0 by default. */
  t0?: number;
}

export interface TotpVerifyOptions extends TotpOptions {
  now?: Date;
  /** Steps accepted either side of the current one; 1 by default. */
  window?: number;
  /** The step of the last code this account used (null or absent: none yet). */
  lastUsedStep?: number | null;
}

export type TotpVerification =
  | { ok: true; step: number }
  | { ok: false; reason: 'malformed' | 'invalid' | 'replayed' };

const HASH: Record<TotpAlgorithm, string> = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' };

/** A new secret in base32, 20 bytes by default (RFC 4226 §4 recommends 160 bits). */
export function generateTotpSecret(bytes = 20): string {
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 64) throw new DomainError('invalid', 'a TOTP secret is 16 to 64 bytes');
  return base32Encode(randomBytes(bytes));
}

/** The step a time falls in: floor((unix seconds - t0) / period). */
export function totpStep(time: Date, options: TotpOptions = {}): number {
  const { period, t0 } = settings(options);
  return Math.floor((Math.floor(time.getTime() / 1000) - t0) / period);
}

/** RFC 4226 HOTP: HMAC of the 8-byte counter, dynamic truncation, the last `digits` decimal digits. */
export function hotp(secret: Uint8Array, counter: number, options: Pick<TotpOptions, 'algorithm' | 'digits'> = {}): string {
  const { algorithm, digits } = settings(options);
  if (!Number.isSafeInteger(counter) || counter < 0) throw new DomainError('invalid', `counter ${counter} is not a non-negative integer`);
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(HASH[algorithm], secret).update(message).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The code for a time. */
export function totp(secret: Uint8Array, time: Date, options: TotpOptions = {}): string {
  return hotp(secret, totpStep(time, options), options);
}

/** Checks a code typed by the account holder. `secret`: bytes, or base32 as stored. */
export function verifyTotp(secret: Uint8Array | string, code: string, options: TotpVerifyOptions = {}): TotpVerification {
  const { digits } = settings(options);
  const typed = code.replace(/\s+/g, '');
  if (!new RegExp(`^\\d{${digits}}$`).test(typed)) return { ok: false, reason: 'malformed' };
  const key = typeof secret === 'string' ? base32Decode(secret) : secret;
  const window = options.window ?? 1;
  if (!Number.isInteger(window) || window < 0 || window > 10) throw new DomainError('invalid', 'the TOTP window is 0 to 10 steps');
  const current = totpStep(options.now ?? new Date(), options);
  const typedBytes = Buffer.from(typed);
  let matched: number | undefined;
  // Every candidate is computed and compared, so the time taken does not tell which step matched.
  for (let step = current - window; step <= current + window; step++) {
    if (step < 0) continue;
    if (timingSafeEqual(Buffer.from(hotp(key, step, options)), typedBytes) && matched === undefined) matched = step;
  }
  if (matched === undefined) return { ok: false, reason: 'invalid' };
  const last = options.lastUsedStep;
  if (last !== undefined && last !== null && matched <= last) return { ok: false, reason: 'replayed' };
  return { ok: true, step: matched };
}

function settings(options: TotpOptions): Required<TotpOptions> {
  const algorithm = options.algorithm ?? 'SHA1';
  const digits = options.digits ?? 6;
  const period = options.period ?? 30;
  const t0 = options.t0 ?? 0;
  if (!(algorithm in HASH)) throw new DomainError('invalid', `TOTP algorithm ${String(algorithm)} is not SHA1, SHA256 or SHA512`);
  if (!Number.isInteger(digits) || digits < 6 || digits > 10) throw new DomainError('invalid', 'TOTP codes have 6 to 10 digits');
  if (!Number.isInteger(period) || period < 1 || period > 300) throw new DomainError('invalid', 'the TOTP period is 1 to 300 seconds');
  if (!Number.isInteger(t0)) throw new DomainError('invalid', 'the TOTP t0 is a whole number of seconds');
  return { algorithm, digits, period, t0 };
}
