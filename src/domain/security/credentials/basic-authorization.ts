/**
 * The HTTP Basic `Authorization` header of a station's WebSocket upgrade (profiles 1 and 2, [SEC] §2.3, RFC 7617):
 * `Basic base64(<identity>:<password>)`. The password is kept as bytes: a 1.6 AuthorizationKey may be sent as raw
 * binary (field notes §3 #5), which is not text. The split is at the first colon, since the identity cannot contain
 * one (A00.FR.303) while a password may.
 */

/** Longer headers are refused unread (a 40-char password and a 48-char identity need about 120). */
export const MAX_AUTHORIZATION_HEADER = 1024;

export type BasicCredentials =
  | { ok: true; username: string; password: Uint8Array }
  | { ok: false; reason: 'missing' | 'malformed'; detail: string };

const HEADER = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i;

export function parseBasicAuthorization(header: string | undefined): BasicCredentials {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing', detail: 'no Authorization header' };
  if (header.length > MAX_AUTHORIZATION_HEADER) {
    return { ok: false, reason: 'malformed', detail: `Authorization header longer than ${MAX_AUTHORIZATION_HEADER} characters` };
  }
  const match = HEADER.exec(header.trim());
  if (match === null) return { ok: false, reason: 'malformed', detail: 'not a Basic Authorization header with base64 credentials' };
  const decoded = Buffer.from(match[1] ?? '', 'base64');
  const colon = decoded.indexOf(0x3a);
  if (colon < 0) return { ok: false, reason: 'malformed', detail: 'the credentials have no colon between user name and password' };
  let username: string;
  try {
    username = new TextDecoder('utf-8', { fatal: true }).decode(decoded.subarray(0, colon));
  } catch {
    return { ok: false, reason: 'malformed', detail: 'the user name is not UTF-8' };
  }
  return { ok: true, username, password: new Uint8Array(decoded.subarray(colon + 1)) };
}
