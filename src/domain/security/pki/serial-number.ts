/**
 * Certificate serial numbers. RFC 5280 §4.1.2.2: a positive integer of at most 20 octets, unique per CA; CA/Browser
 * practice is at least 64 random bits. Joule uses 128 random bits. Serials are compared in one normal form: hex,
 * lowercase, without leading zeros, the form the 1.6 whitepaper (Ed.3) and 2.x use in CertificateHashData.
 */
import { randomBytes } from 'node:crypto';
import { PkiInputError } from './pem.ts';

/** A new random serial: 16 bytes, the first in 0x01..0x7f so the integer is positive and keeps all 16 bytes. */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex');
}

/** The normal form of a serial given as hex (any case, leading zeros, optional colons or spaces). */
export function normaliseSerialNumber(serial: string): string {
  const hex = serial.replace(/[:\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex)) throw new PkiInputError(`serial number "${serial}" is not hexadecimal`);
  const trimmed = hex.replace(/^0+/, '');
  return trimmed === '' ? '0' : trimmed;
}

export function sameSerialNumber(a: string, b: string): boolean {
  return normaliseSerialNumber(a) === normaliseSerialNumber(b);
}
