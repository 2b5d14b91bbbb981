/**
 * RFC 4648 base32 (alphabet A-Z 2-7), the encoding of TOTP secrets in authenticator apps. Decoding is lenient in the
 * ways people paste secrets (lower case, spaces, dashes, missing or present padding) and strict about anything else.
 */
import { DomainError } from '../../errors.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Base32 without padding (how otpauth URIs carry secrets). */
export function base32Encode(bytes: Uint8Array): string {
  let result = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      result += ALPHABET[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) result += ALPHABET[(buffer << (5 - bits)) & 31];
  return result;
}

export function base32Decode(text: string): Uint8Array {
  const cleaned = text.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of cleaned) {
    const value = ALPHABET.indexOf(char);
    if (value < 0) throw new DomainError('invalid', `"${char}" is not a base32 character`);
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >>> bits) & 0xff);
    }
    buffer &= (1 << bits) - 1;
  }
  return new Uint8Array(bytes);
}
