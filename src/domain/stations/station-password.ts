/**
 * The Basic-auth password an operator sets for a station (`PUT /stations/{id}` `password`, security profiles 1 and 2),
 * turned into the hashes the store keeps (A01.FR.08: salted hashes only).
 *
 * One password, two readings, because the protocol decides what the station sends (reference §3.2):
 * - 1.6 AuthorizationKey: the key is 16 to 20 bytes; the operator gives it raw (16 to 20 bytes of text) or as its
 *   hex representation (32 to 40 hex digits, the ChangeConfiguration value). The two cannot be confused by length.
 * - 2.x BasicAuthPassword: 16 to 40 characters of passwordString, used as is.
 * Both readings that are valid are kept, so a station that changes protocol (a 1.6 firmware updated to 2.0.1) is
 * checked the way it now speaks. Which one applies is decided at the connection, by the negotiated version.
 */
import type { StationPasswordHashes } from '../../store/ports.ts';
import { DomainError } from '../errors.ts';
import { authorizationKeyFromPlaintext, authorizationKeyProblem } from '../security/credentials/authorization-key.ts';
import { basicAuthPasswordProblem } from '../security/credentials/basic-auth-password.ts';
import {
  credentialFromAuthorizationKey,
  credentialFromBasicAuthPassword,
  type StationCredential,
  type StationCredentialKind,
} from '../security/credentials/station-credentials.ts';

const HEX_KEY = /^(?:[0-9a-fA-F]{2}){16,20}$/;

/** The credential kind a station protocol reads its password as; undefined when the protocol is not known. */
export function credentialKindOf(protocol: string | null | undefined): StationCredentialKind | undefined {
  if (protocol === null || protocol === undefined) return undefined;
  return protocol === 'ocpp1.6' ? 'authorization-key' : 'basic-auth-password';
}

/** The AuthorizationKey configuration value (hex) the password stands for, or why it is not one. */
function authorizationKeyHex(password: string): { hex: string } | { problem: string } {
  if (HEX_KEY.test(password)) {
    const problem = authorizationKeyProblem(password);
    return problem === undefined ? { hex: password } : { problem };
  }
  try {
    return { hex: authorizationKeyFromPlaintext(password) };
  } catch {
    return { problem: 'as a 1.6 AuthorizationKey the password must be the key itself (16 to 20 bytes) or its hex representation (32 to 40 hex digits)' };
  }
}

/**
 * The hashes of `password` for every reading in which it is valid. `protocol`: what the station is known to speak
 * (its last connection, else its configured protocol); when known, the password must be valid for it, otherwise
 * it must be valid for at least one. Bad input is an `invalid` DomainError (HTTP 400), nothing is hashed.
 */
export async function stationPasswordHashes(password: string, protocol: string | null): Promise<StationPasswordHashes> {
  const key = authorizationKeyHex(password);
  const basicProblem = basicAuthPasswordProblem(password);
  const required = credentialKindOf(protocol);
  if (required === 'authorization-key' && 'problem' in key) throw new DomainError('invalid', `${key.problem} (the station speaks ${protocol})`);
  if (required === 'basic-auth-password' && basicProblem !== undefined) throw new DomainError('invalid', `${basicProblem} (the station speaks ${protocol})`);
  if ('problem' in key && basicProblem !== undefined) {
    throw new DomainError('invalid', `the password is valid neither as a 2.x BasicAuthPassword (${basicProblem}) nor ${key.problem}`);
  }
  const [authorizationKey, basicAuthPassword] = await Promise.all([
    'hex' in key ? credentialFromAuthorizationKey(key.hex) : undefined,
    basicProblem === undefined ? credentialFromBasicAuthPassword(password) : undefined,
  ]);
  return { authorizationKey: authorizationKey?.hash ?? null, basicAuthPassword: basicAuthPassword?.hash ?? null };
}

/** The stored hash a station is checked against for `kind`, as a credential; undefined when there is none. */
export function credentialFor(hashes: StationPasswordHashes, kind: StationCredentialKind): StationCredential | undefined {
  const hash = kind === 'authorization-key' ? hashes.authorizationKey : hashes.basicAuthPassword;
  return hash === null ? undefined : { kind, hash };
}
