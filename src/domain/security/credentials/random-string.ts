/** Random strings for generated secrets: every character drawn uniformly (rejection sampling, no modulo bias). */
import { randomBytes } from 'node:crypto';

export const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomString(length: number, alphabet: string): string {
  if (alphabet.length < 2 || alphabet.length > 256) throw new RangeError('the alphabet needs 2 to 256 characters');
  // Bytes at or above the largest multiple of the alphabet size are thrown away, so each character is equally likely.
  const limit = 256 - (256 % alphabet.length);
  let result = '';
  while (result.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= limit) continue;
      result += alphabet[byte % alphabet.length];
      if (result.length === length) break;
    }
  }
  return result;
}

/** Bits of entropy of a random string of this length over this alphabet. */
export function entropyBits(length: number, alphabetSize: number): number {
  return length * Math.log2(alphabetSize);
}
