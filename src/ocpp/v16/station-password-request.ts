/**
 * Password rotation on 1.6 (security whitepaper A01): `ChangeConfiguration(AuthorizationKey, <hex of the key>)`. The
 * value is the key's hexadecimal representation (§7.2); a password given as 32-40 hex digits is taken as that hex
 * already, any other (16-20 bytes) is hex-encoded. The station answers Accepted, RebootRequired, Rejected or
 * NotSupported.
 */
import type { NeutralStationResult } from '../../domain/commands/station-requests.ts';
import type { SetStationPasswordRequest } from '../../domain/stations/station-password-request.ts';
import { authorizationKeyFromPlaintext, authorizationKeyProblem } from '../../domain/security/credentials/authorization-key.ts';
import type { TranslatedRequest } from '../adapter.ts';
import type { Payload } from '../rpc/frames.ts';

export function stationPasswordRequest16(request: SetStationPasswordRequest): TranslatedRequest {
  let value: string;
  try {
    value = authorizationKeyProblem(request.password) === undefined ? request.password : authorizationKeyFromPlaintext(request.password);
  } catch (error) {
    return { ok: false, message: `AuthorizationKey: ${(error as Error).message}`, errors: [] };
  }
  return { ok: true, action: 'ChangeConfiguration', payload: { key: 'AuthorizationKey', value }, changes: [] };
}

export function stationPasswordResult16(response: Payload): NeutralStationResult {
  return { kind: 'SetStationPassword', status: typeof response.status === 'string' ? response.status : 'Unknown' };
}
