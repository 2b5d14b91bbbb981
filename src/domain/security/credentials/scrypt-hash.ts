/**
 * Salted scrypt hashes of secrets (station Basic-auth passwords, operator passwords), stored as one string in the
 * PHC format `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>` (base64 without padding), so the parameters travel with
 * the hash and can be raised later (`needsRehash`). Comparison is of bytes, in constant time.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../errors.ts';

export interface ScryptParams {
  /** log2 of scrypt's N (CPU/memory cost). */
  logCost: number;
  /** r: block size. */
  blockSize: number;
  /** p: parallelisation. */
  parallelization: number;
  /** Bytes of the derived key. */
  keyLength: number;
  /** Bytes of the random salt. */
  saltLength: number;
}

/**
 * Station secrets are random (>= 119 bits from Joule's generators), so the hash only has to make a leaked database
 * useless, not to slow down guessing; a cheap cost (N = 2^12, 4 MiB, about 10 ms) keeps a fleet reconnecting after
 * a restart from costing minutes of CPU.
 */
export const STATION_SECRET_SCRYPT: ScryptParams = { logCost: 12, blockSize: 8, parallelization: 1, keyLength: 32, saltLength: 16 };

/**
 * Operator passwords are chosen by people: OWASP's scrypt setting of the same strength as N = 2^17, r = 8, p = 1 but
 * with a quarter of the memory (N = 2^15, r = 8, p = 3: 32 MiB, about 0.25 s), since logins are rate-limited anyway.
 */
export const OPERATOR_PASSWORD_SCRYPT: ScryptParams = { logCost: 15, blockSize: 8, parallelization: 3, keyLength: 32, saltLength: 16 };

/** Bounds for hashes read from storage: a tampered row must not make Joule allocate gigabytes. */
const LIMITS = { logCost: [1, 20], blockSize: [1, 32], parallelization: [1, 16], keyLength: [16, 64], saltLength: [8, 64] } as const;

export interface DecodedScryptHash {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

export async function hashSecret(secret: Uint8Array, params: ScryptParams): Promise<string> {
  checkParams(params);
  const salt = randomBytes(params.saltLength);
  const hash = await derive(secret, salt, params);
  return `$scrypt$ln=${params.logCost},r=${params.blockSize},p=${params.parallelization}$${b64(salt)}$${b64(hash)}`;
}

/** True when `secret` is the secret `encoded` was made from. A malformed `encoded` is an `invalid` DomainError. */
export async function verifySecret(encoded: string, secret: Uint8Array): Promise<boolean> {
  const stored = decodeScryptHash(encoded);
  const candidate = await derive(secret, stored.salt, stored.params);
  return constantTimeEqual(candidate, stored.hash);
}

/** True when the stored hash was made with other parameters than `params` (hash again at the next good login). */
export function needsRehash(encoded: string, params: ScryptParams): boolean {
  const stored = decodeScryptHash(encoded).params;
  return stored.logCost !== params.logCost
    || stored.blockSize !== params.blockSize
    || stored.parallelization !== params.parallelization
    || stored.keyLength !== params.keyLength
    || stored.saltLength !== params.saltLength;
}

/**
 * Byte equality in time that depends only on the lengths: node's timingSafeEqual, which refuses buffers of different
 * lengths, so a length mismatch is answered false without comparing (lengths are not secret here: a hash is always
 * keyLength bytes).
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return timingSafeEqual(a, b);
}

export function decodeScryptHash(encoded: string): DecodedScryptHash {
  const match = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(encoded);
  if (match === null) throw new DomainError('invalid', 'not a Joule scrypt hash ($scrypt$ln=..,r=..,p=..$salt$hash)');
  const salt = Buffer.from(match[4] ?? '', 'base64');
  const hash = Buffer.from(match[5] ?? '', 'base64');
  const params: ScryptParams = {
    logCost: Number(match[1]),
    blockSize: Number(match[2]),
    parallelization: Number(match[3]),
    keyLength: hash.byteLength,
    saltLength: salt.byteLength,
  };
  checkParams(params);
  return { params, salt, hash };
}

function checkParams(params: ScryptParams): void {
  for (const [name, [min, max]] of Object.entries(LIMITS) as [keyof ScryptParams, readonly [number, number]][]) {
    const value = params[name];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new DomainError('invalid', `scrypt ${name} ${value} is outside ${min}..${max}`);
    }
  }
}

function derive(secret: Uint8Array, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.logCost;
  // scrypt needs about 128 * N * r bytes; node refuses more than maxmem (32 MiB by default).
  const maxmem = 2 * 128 * N * params.blockSize + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, params.keyLength, { N, r: params.blockSize, p: params.parallelization, maxmem }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}
