/**
 * The OCPP 1.6 AuthorizationKey (1.6 security whitepaper A00.FR.205/304, §7.2; OCTT TC_073_CSMS): the Basic-auth
 * password of a 1.6 station, 16 to 20 bytes, set by `ChangeConfiguration(AuthorizationKey, <value>)` where the value
 * is the key's **hexadecimal representation** (at most 40 hex digits). The key itself is the decoded bytes.
 *
 * What stations then send as their Basic password differs (SteVe #1895, shiv3/ocpp-cp-simulator#260, EVerest#2034):
 * most send the decoded bytes (the original 1.6J example and OCTT TC_085_CS do), some send the hex string itself.
 * Joule keeps the decoded key and accepts both forms (see station-credentials.ts).
 *
 * Why Joule's generated keys are printable: the whitepaper suggests random binary for maximal entropy, but a station
 * that sends the raw bytes then has to put arbitrary bytes (NUL, bytes that are not UTF-8) into an HTTP header,
 * which many firmwares cannot. A key of 20 random alphanumeric characters has 119 bits of entropy (more than the
 * 112-bit level [SEC] §2.6 asks of keys), is valid as raw bytes and as text, and its hex form is 40 digits. The
 * operator can still give any 16 to 20 byte key in hex.
 */
import { DomainError } from '../../errors.ts';
import { ALPHANUMERIC, randomString } from './random-string.ts';

export const AUTHORIZATION_KEY_MIN_BYTES = 16;
export const AUTHORIZATION_KEY_MAX_BYTES = 20;

const HEX = /^[0-9a-fA-F]*$/;

export interface GeneratedAuthorizationKey {
  /** The key: what most stations send as their Basic password. */
  plaintext: string;
  /** The ChangeConfiguration AuthorizationKey value: the hex of the key's bytes. */
  hex: string;
  bytes: Uint8Array;
}

/** Why `value` is not a valid AuthorizationKey configuration value, or undefined when it is. */
export function authorizationKeyProblem(value: string): string | undefined {
  if (!HEX.test(value)) return 'the AuthorizationKey value must be hexadecimal (the hex representation of the key)';
  if (value.length % 2 !== 0) return 'the AuthorizationKey value has an odd number of hex digits';
  const bytes = value.length / 2;
  if (bytes < AUTHORIZATION_KEY_MIN_BYTES || bytes > AUTHORIZATION_KEY_MAX_BYTES) {
    return `the AuthorizationKey must be ${AUTHORIZATION_KEY_MIN_BYTES} to ${AUTHORIZATION_KEY_MAX_BYTES} bytes (${AUTHORIZATION_KEY_MIN_BYTES * 2} to ${AUTHORIZATION_KEY_MAX_BYTES * 2} hex digits); this one has ${bytes}`;
  }
  return undefined;
}

/** The key bytes of an AuthorizationKey configuration value; an `invalid` DomainError when it breaks the rules. */
export function authorizationKeyBytes(hexValue: string): Uint8Array {
  const problem = authorizationKeyProblem(hexValue);
  if (problem !== undefined) throw new DomainError('invalid', problem);
  return new Uint8Array(Buffer.from(hexValue, 'hex'));
}

/**
 * The AuthorizationKey value for a key the operator typed as text (16 to 20 bytes of UTF-8, as SteVe PR #1899 does):
 * its hex representation.
 */
export function authorizationKeyFromPlaintext(plaintext: string): string {
  const bytes = Buffer.from(plaintext, 'utf8');
  if (bytes.byteLength < AUTHORIZATION_KEY_MIN_BYTES || bytes.byteLength > AUTHORIZATION_KEY_MAX_BYTES) {
    throw new DomainError(
      'invalid',
      `an AuthorizationKey must be ${AUTHORIZATION_KEY_MIN_BYTES} to ${AUTHORIZATION_KEY_MAX_BYTES} bytes; the key given is ${bytes.byteLength}`,
    );
  }
  return bytes.toString('hex').toUpperCase();
}

/** A new key: 20 random alphanumeric characters, and its 40-digit hex value for ChangeConfiguration. */
export function generateAuthorizationKey(): GeneratedAuthorizationKey {
  const plaintext = randomString(AUTHORIZATION_KEY_MAX_BYTES, ALPHANUMERIC);
  const bytes = new Uint8Array(Buffer.from(plaintext, 'latin1'));
  return { plaintext, hex: Buffer.from(bytes).toString('hex').toUpperCase(), bytes };
}

/**
 * The bytes a presented password stands for if it is an AuthorizationKey's hex form: 32 to 40 hex digits, even.
 * A raw key is 16 to 20 bytes, so the two forms cannot be confused by length.
 */
export function decodeHexForm(password: Uint8Array): Uint8Array | undefined {
  const length = password.byteLength;
  if (length % 2 !== 0 || length < AUTHORIZATION_KEY_MIN_BYTES * 2 || length > AUTHORIZATION_KEY_MAX_BYTES * 2) return undefined;
  const text = Buffer.from(password).toString('latin1');
  if (!HEX.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, 'hex'));
}
