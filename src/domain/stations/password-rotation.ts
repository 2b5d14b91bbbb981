/**
 * Rotating a station's Basic-auth password through its live session (A01). Joule makes the new password (or takes
 * the operator's), keeps its hashes as *pending*, sends it to the station (version-neutral `SetStationPassword`:
 * 1.6 ChangeConfiguration AuthorizationKey, 2.x SetVariables SecurityCtrlr.BasicAuthPassword), and then:
 * - Accepted / RebootRequired: both passwords stay valid until the station connects with the new one, which then
 *   replaces the old (stations apply it at their next connection, and one that misses the answer must not be locked
 *   out); the gateway completes the rotation (`promotePendingPassword`).
 * - Rejected, NotSupported, a CALLERROR, no answer, offline: the new password is dropped, the old one stays
 *   (A01.FR.04/05).
 * The new password is accepted from the moment it is sent: a station may switch before its answer arrives.
 * A generated password is 20 random letters and digits: a valid 1.6 AuthorizationKey (20 bytes, 119 bits) and a valid
 * 2.x BasicAuthPassword alike, so the domain needs not know the station's version.
 */
import type { ClusterBus } from '../../cluster/bus.ts';
import type { PasswordRotationRecord, Store } from '../../store/ports.ts';
import { nowIso } from '../clock.ts';
import { DomainError } from '../errors.ts';
import { ALPHANUMERIC, randomString } from '../security/credentials/random-string.ts';
import { stationPasswordHashes } from './station-password.ts';

/** What the API shows of a rotation: never the password or its hashes. */
export type PasswordRotationView = Omit<PasswordRotationRecord, 'pending'>;

export function rotationView(rotation: PasswordRotationRecord | undefined): PasswordRotationView | null {
  if (rotation === undefined) return null;
  const { pending: _pending, ...view } = rotation;
  return view;
}

export async function rotateStationPassword(
  deps: { store: Store; bus: ClusterBus; timeoutMs: number; securityEvent: (stationId: string, type: string, data: Record<string, unknown>) => void },
  stationId: string,
  password: string | undefined,
): Promise<PasswordRotationView> {
  const { store, bus } = deps;
  const station = await store.stations.get(stationId);
  if (!station) throw new DomainError('not_found', `Station ${stationId} is not known`);
  if (!(await bus.isOnline(stationId))) throw new DomainError('conflict', `Station ${stationId} is offline: a password is rotated through its live connection`);
  const current = await store.stations.passwordRotation(stationId);
  if (current?.status === 'sent') throw new DomainError('conflict', `a password rotation of station ${stationId} is already waiting for the station's answer`);
  const newPassword = password ?? randomString(20, ALPHANUMERIC);
  const pending = await stationPasswordHashes(newPassword, station.protocol ?? station.defaultProtocol);
  const requestedAt = nowIso();
  await store.stations.setPasswordRotation(stationId, { status: 'sent', requestedAt, updatedAt: requestedAt, detail: null, pending });
  deps.securityEvent(stationId, 'password-rotation-sent', {});

  const outcome = await bus.callStation({
    stationId,
    action: 'SetStationPassword',
    payload: {},
    timeoutMs: deps.timeoutMs,
    neutral: { kind: 'SetStationPassword', password: newPassword },
  });
  const status = outcome.status === 'completed' ? (outcome.result?.status ?? 'Unknown') : undefined;
  const accepted = status === 'Accepted' || status === 'RebootRequired';
  const detail = accepted
    ? null
    : status !== undefined
      ? `the station answered ${status}${outcome.status === 'completed' && outcome.result?.reason ? ` (${outcome.result.reason})` : ''}`
      : outcome.status === 'error' ? `the station answered ${outcome.error.code}: ${outcome.error.description}`
        : outcome.status === 'invalid' || outcome.status === 'refused' ? outcome.message
          : outcome.status === 'timeout' ? 'the station did not answer in time' : 'the station went offline';
  // The station may already have connected with the new password meanwhile (the rotation is then completed).
  const now = await store.stations.passwordRotation(stationId);
  if (now?.status === 'completed' && now.requestedAt === requestedAt) return rotationView(now)!;
  const next: PasswordRotationRecord = accepted
    ? { status: 'accepted', requestedAt, updatedAt: nowIso(), detail: null, pending }
    : { status: status !== undefined || outcome.status === 'error' ? 'rejected' : 'failed', requestedAt, updatedAt: nowIso(), detail, pending: null };
  await store.stations.setPasswordRotation(stationId, next);
  deps.securityEvent(stationId, `password-rotation-${next.status}`, detail === null ? {} : { detail });
  return rotationView(next)!;
}
