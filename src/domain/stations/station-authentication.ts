/**
 * Whether a station may open a connection, judged once at the WebSocket upgrade (never per message), from the
 * security profile it must meet (reference §3.1), what the connection proved, and its password (§3.2).
 *
 * The profile a station must meet is its own (`securityProfile`), else the server default: 1, or 0 when
 * JOULE_ALLOW_UNSECURED is switched on. A connection proves a profile:
 * - 3: TLS and a client certificate the gateway accepted (chain to the configured CA, validity, CN binding,
 *   revocation hook). Basic auth is not needed then (A00.FR.4xx);
 * - 2: TLS and HTTP Basic with a right password;
 * - 1: HTTP Basic with a right password on plain ws;
 * - 0: nothing.
 * A connection that proves less than the station's profile is refused (A00.FR.002, A05.FR.09): plain ws for a
 * profile 2/3 station, no or a refused client certificate for a profile 3 one (403, a downgrade); a missing or
 * wrong password is 401. A password that was set is never bypassed by a lower proof. When a station proves a TLS
 * profile (2 or 3) above its own, `raiseTo` tells the caller to record it: after a successful upgrade the lower
 * profile is not allowed any more (A05.FR.09). Proving profile 1 raises nothing: a password that is set is required
 * anyway, and an operator who clears it should not find the station locked out.
 *
 * During a password rotation the station has a pending password too (domain/stations/password-rotation.ts): both
 * are accepted, and `pendingPasswordUsed` tells the caller that the station now uses the new one.
 */
import type { StationPasswordHashes, StationRecord } from '../../store/ports.ts';
import {
  checkStationAuthorization,
  type PasswordForm,
  type StationCredential,
  type StationCredentialKind,
} from '../security/credentials/station-credentials.ts';
import { credentialFor } from './station-password.ts';

/** What the gateway found of the client certificate (profile 3); undefined when none was presented. */
export type ClientCertificateVerdict =
  | { accepted: true; commonName: string; serialNumber: string }
  | { accepted: false; reason: string };

/** How the connection reached Joule. */
export interface ConnectionSecurity {
  /** TLS on Joule's own listener, or terminated by a trusted proxy. */
  tls: boolean;
  certificate: ClientCertificateVerdict | undefined;
}

export type StationAdmission =
  | {
      ok: true;
      /** The profile this connection proved (0-3). */
      profile: number;
      /** The profile the station had to meet. */
      required: number;
      /** Set when the connection proved more than the station's recorded profile: record this one. */
      raiseTo: number | undefined;
      /** How the password matched, when one was checked. */
      form: PasswordForm | undefined;
      /** The station authenticated with the new password of a rotation in progress. */
      pendingPasswordUsed: boolean;
    }
  | {
      ok: false;
      /**
       * `downgrade` (plain ws for a TLS profile, or no client certificate for profile 3) and `certificate-refused`
       * are 403; every other reason is a failed Basic authentication (401).
       */
      reason: 'downgrade' | 'certificate-refused' | 'no-password' | 'missing' | 'malformed' | 'wrong-username' | 'wrong-password';
      detail: string;
      required: number;
    };

export interface ConnectionAttempt {
  stationId: string;
  station: StationRecord | undefined;
  hashes: StationPasswordHashes | undefined;
  /** The new password of a rotation in progress, accepted besides the current one. */
  pendingHashes: StationPasswordHashes | undefined;
  /** How the negotiated protocol reads the password; undefined (no common protocol) tries both readings. */
  kind: StationCredentialKind | undefined;
  /** The `Authorization` header as sent. */
  authorization: string | undefined;
  security: ConnectionSecurity;
  /** The profile of stations without one: 0 only when unsecured connections are switched on, else 1. */
  defaultProfile: number;
}

/** The profile a station must meet: its own, else the server default. */
export function requiredProfile(station: StationRecord | undefined, defaultProfile: number): number {
  return station?.securityProfile ?? defaultProfile;
}

export async function admitConnection(attempt: ConnectionAttempt): Promise<StationAdmission> {
  const required = requiredProfile(attempt.station, attempt.defaultProfile);
  const { tls, certificate } = attempt.security;
  const recorded = attempt.station?.securityProfile ?? null;
  const admit = (profile: number, form: PasswordForm | undefined, pendingPasswordUsed: boolean): StationAdmission => ({
    ok: true,
    profile,
    required,
    raiseTo: profile >= 2 && profile > (recorded ?? attempt.defaultProfile) ? profile : undefined,
    form,
    pendingPasswordUsed,
  });

  if (required >= 2 && !tls) {
    return { ok: false, reason: 'downgrade', required, detail: `security profile ${required} needs TLS (wss://); this connection is plain ws://` };
  }
  if (tls && certificate?.accepted === true) return admit(3, undefined, false);
  if (required === 3) {
    if (certificate === undefined) {
      return { ok: false, reason: 'downgrade', required, detail: 'security profile 3 needs a client certificate; none was presented' };
    }
    const reason = certificate.accepted ? 'it did not come over TLS' : certificate.reason;
    return { ok: false, reason: 'certificate-refused', required, detail: `client certificate refused: ${reason}` };
  }

  const kinds: StationCredentialKind[] = attempt.kind === undefined ? ['authorization-key', 'basic-auth-password'] : [attempt.kind];
  const current = credentialsOf(attempt.hashes, kinds);
  const pending = credentialsOf(attempt.pendingHashes, kinds);
  if (attempt.hashes === undefined && attempt.pendingHashes === undefined) {
    if (required >= 1) return { ok: false, reason: 'no-password', required, detail: `security profile ${required} but no password is set for the station` };
    return admit(0, undefined, false);
  }
  if (current.length === 0 && pending.length === 0) {
    return { ok: false, reason: 'no-password', required, detail: 'the station’s password is not valid for the protocol it connects with' };
  }
  const result = await checkStationAuthorization(attempt.authorization, attempt.stationId, [...current, ...pending]);
  if (!result.ok) return { ok: false, reason: result.reason, detail: result.detail, required };
  return admit(tls ? 2 : 1, result.form, result.credential >= current.length);
}

function credentialsOf(hashes: StationPasswordHashes | undefined, kinds: StationCredentialKind[]): StationCredential[] {
  if (hashes === undefined) return [];
  return kinds.map((kind) => credentialFor(hashes, kind)).filter((c): c is StationCredential => c !== undefined);
}
