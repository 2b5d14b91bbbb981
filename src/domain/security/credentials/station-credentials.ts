/**
 * A station's Basic-auth credential (profiles 1 and 2): only a salted scrypt hash of the secret is kept
 * (A01.FR.08), and what the station presents is checked as bytes, in constant time.
 *
 * The 1.6 AuthorizationKey ambiguity (SteVe #1895; field notes §3 #5). The key K is 16 to 20 bytes; the CSMS sets
 * it as hex (`ChangeConfiguration AuthorizationKey = hex(K)`, 32 to 40 digits). Joule hashes K. A station then sends
 * either K (the whitepaper's intent, OCTT TC_085_CS) or the hex string it was given. Verification of a 1.6
 * credential tries, in this order:
 *   1. when the presented password is 32 to 40 hex digits (an even number), its decoded bytes: that is hex(K) sent as
 *      text. A raw K is 16 to 20 bytes, so it never has this shape by length;
 *   2. the presented bytes as they are: K sent raw (and the rare station whose key was set as text of 32 to 40
 *      hex-looking characters, not decoded).
 * A right password costs one scrypt the first time this process sees it, then one HMAC (verified-secrets.ts); a
 * wrong one always costs scrypt, two in hex shape. Which form matched is returned, so the station's habit can be
 * logged. A 2.x BasicAuthPassword is used as is (A00.FR.205), so only form 2 applies.
 *
 * Rotation (A01): a station has a list of credentials; the old one stays valid until the station confirms the new
 * one (A01.FR.03/04), and the index of the one that matched tells the caller which the station uses.
 */
import { DomainError } from '../../errors.ts';
import { authorizationKeyBytes, decodeHexForm } from './authorization-key.ts';
import { BASIC_AUTH_PASSWORD_MAX_LENGTH, checkBasicAuthPassword } from './basic-auth-password.ts';
import { parseBasicAuthorization } from './basic-authorization.ts';
import { hashSecret, type ScryptParams, STATION_SECRET_SCRYPT, verifySecret } from './scrypt-hash.ts';
import { VerifiedSecrets } from './verified-secrets.ts';

/** `authorization-key`: a 1.6 AuthorizationKey (both forms accepted). `basic-auth-password`: 2.x, as is. */
export type StationCredentialKind = 'authorization-key' | 'basic-auth-password';

export interface StationCredential {
  kind: StationCredentialKind;
  /** scrypt hash of the secret's bytes (PHC string). */
  hash: string;
}

export type PasswordForm = 'as-sent' | 'hex-decoded';

export type PasswordMatch = { ok: true; form: PasswordForm } | { ok: false };

export type StationAuthorization =
  | { ok: true; credential: number; form: PasswordForm }
  | { ok: false; reason: 'missing' | 'malformed' | 'wrong-username' | 'wrong-password'; detail: string };

/** The credential of a 1.6 key, given as the hex value sent in ChangeConfiguration AuthorizationKey. */
export async function credentialFromAuthorizationKey(
  hexValue: string,
  params: ScryptParams = STATION_SECRET_SCRYPT,
): Promise<StationCredential> {
  return { kind: 'authorization-key', hash: await hashSecret(authorizationKeyBytes(hexValue), params) };
}

/** The credential of a 2.x BasicAuthPassword (checked against the passwordString rules; `maxLength`: 2.1 maxLimit). */
export async function credentialFromBasicAuthPassword(
  password: string,
  maxLength = BASIC_AUTH_PASSWORD_MAX_LENGTH,
  params: ScryptParams = STATION_SECRET_SCRYPT,
): Promise<StationCredential> {
  checkBasicAuthPassword(password, maxLength);
  return { kind: 'basic-auth-password', hash: await hashSecret(Buffer.from(password, 'utf8'), params) };
}

/**
 * The credential of a secret a station already has, set outside Joule (an installer typed it): no format rules,
 * since refusing it would lock the station out; only an empty secret is refused.
 */
export async function credentialFromExistingSecret(
  kind: StationCredentialKind,
  secret: Uint8Array,
  params: ScryptParams = STATION_SECRET_SCRYPT,
): Promise<StationCredential> {
  if (secret.byteLength === 0) throw new DomainError('invalid', 'an empty station password cannot be stored');
  return { kind, hash: await hashSecret(secret, params) };
}

/** Station secrets verified by this process (see verified-secrets.ts): a reconnection is checked without scrypt. */
const verifiedStationSecrets = new VerifiedSecrets();

export async function verifyStationPassword(
  credential: StationCredential,
  presented: Uint8Array,
  memo: VerifiedSecrets = verifiedStationSecrets,
): Promise<PasswordMatch> {
  if (credential.kind === 'authorization-key') {
    const decoded = decodeHexForm(presented);
    if (decoded !== undefined && (await memo.verify(credential.hash, decoded, verifySecret))) return { ok: true, form: 'hex-decoded' };
  }
  if (presented.byteLength > 0 && (await memo.verify(credential.hash, presented, verifySecret))) return { ok: true, form: 'as-sent' };
  return { ok: false };
}

/**
 * The Basic-auth check of a station's upgrade request: the user name must be the station's identity (A00.FR.204/
 * 303, validated per A00.FR.207) and the password one of its credentials (several during a rotation).
 */
export async function checkStationAuthorization(
  header: string | undefined,
  stationId: string,
  credentials: readonly StationCredential[],
): Promise<StationAuthorization> {
  const parsed = parseBasicAuthorization(header);
  if (!parsed.ok) return { ok: false, reason: parsed.reason, detail: parsed.detail };
  if (parsed.username !== stationId) {
    return { ok: false, reason: 'wrong-username', detail: 'the Basic-auth user name is not the station identity of the URL' };
  }
  for (const [index, credential] of credentials.entries()) {
    const match = await verifyStationPassword(credential, parsed.password);
    if (match.ok) return { ok: true, credential: index, form: match.form };
  }
  return { ok: false, reason: 'wrong-password', detail: 'the password matches none of the station’s credentials' };
}
