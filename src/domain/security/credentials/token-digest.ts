import { createHash } from 'node:crypto';

/** The SHA-256 of a bearer token as 64 lower-case hex digits: how tokens are stored and looked up. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
