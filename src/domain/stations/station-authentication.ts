/**
 * Whether a station may open a connection, judged once at the WebSocket upgrade (never per message), from its
 * security profile (reference §3.1) and its password (§3.2):
 * - profile 2 or 3 needs TLS: refused on a plain listener (A00.FR.002: a station at profile N is not let in at a
 *   lower one);
 * - profile 1, or any station with a password (even at profile 0 or none: a password that was set is never
 *   bypassed), needs HTTP Basic with its identity as user name and a password that matches;
 * - otherwise (no password, profile 0 or none) the station is let in as before.
 */
import type { StationPasswordHashes, StationRecord } from '../../store/ports.ts';
import {
  checkStationAuthorization,
  type PasswordForm,
  type StationCredential,
  type StationCredentialKind,
} from '../security/credentials/station-credentials.ts';
import { credentialFor } from './station-password.ts';

export type StationAdmission =
  | { ok: true; authenticated: false }
  | { ok: true; authenticated: true; form: PasswordForm }
  | {
      ok: false;
      /** `tls-required`: the station's profile needs a TLS listener; every other reason is an authentication failure. */
      reason: 'tls-required' | 'no-password' | 'missing' | 'malformed' | 'wrong-username' | 'wrong-password';
      detail: string;
    };

export interface ConnectionAttempt {
  stationId: string;
  station: StationRecord | undefined;
  hashes: StationPasswordHashes | undefined;
  /** How the negotiated protocol reads the password; undefined (no common protocol) tries both readings. */
  kind: StationCredentialKind | undefined;
  /** The `Authorization` header as sent. */
  authorization: string | undefined;
  /** Whether the connection came over TLS. */
  tls: boolean;
}

export async function admitConnection(attempt: ConnectionAttempt): Promise<StationAdmission> {
  const profile = attempt.station?.securityProfile ?? null;
  if (profile !== null && profile >= 2 && !attempt.tls) {
    return { ok: false, reason: 'tls-required', detail: `security profile ${profile} needs TLS (wss://); this listener is plain ws://` };
  }
  const hashes = attempt.hashes;
  if (hashes === undefined) {
    if (profile === 1) return { ok: false, reason: 'no-password', detail: 'security profile 1 but no password is set for the station' };
    return { ok: true, authenticated: false };
  }
  const kinds: StationCredentialKind[] = attempt.kind === undefined ? ['authorization-key', 'basic-auth-password'] : [attempt.kind];
  const credentials = kinds.map((kind) => credentialFor(hashes, kind)).filter((c): c is StationCredential => c !== undefined);
  if (credentials.length === 0) {
    return { ok: false, reason: 'no-password', detail: 'the station’s password is not valid for the protocol it connects with' };
  }
  const result = await checkStationAuthorization(attempt.authorization, attempt.stationId, credentials);
  if (!result.ok) return { ok: false, reason: result.reason, detail: result.detail };
  return { ok: true, authenticated: true, form: result.form };
}
