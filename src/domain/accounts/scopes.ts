/**
 * What a token may do. A role allows a set of scopes; a token carries some of them (a session all of its role's, an
 * API token those chosen at creation), so a token can be narrower than its owner but never wider.
 *
 * - `read`: every GET
 * - `write`: changes other than commands (stations, id tokens, sites, ...)
 * - `commands`: sending OCPP commands to stations
 * - `admin`: server-wide policy and accounts (routes reserved to the admin role)
 */
import { DomainError } from '../errors.ts';
import type { OperatorRole } from '../../store/ports.ts';

export const API_SCOPES = ['read', 'write', 'commands', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const ROLE_SCOPES: Readonly<Record<OperatorRole, readonly ApiScope[]>> = {
  admin: API_SCOPES,
  operator: ['read', 'write', 'commands'],
  viewer: ['read'],
};

export function isApiScope(value: string): value is ApiScope {
  return (API_SCOPES as readonly string[]).includes(value);
}

/**
 * The scopes a new token gets: `requested` (default: all the creator may), each one allowed to the role and held by the
 * token that asks (`held`; undefined: all of the role's). Anything beyond is an `invalid` DomainError.
 */
export function grantScopes(role: OperatorRole, requested: readonly string[] | undefined, held?: readonly string[]): ApiScope[] {
  const allowed = ROLE_SCOPES[role].filter((scope) => held === undefined || held.includes(scope));
  if (requested === undefined) return [...allowed];
  const unknown = requested.filter((scope) => !isApiScope(scope));
  if (unknown.length > 0) throw new DomainError('invalid', `unknown scope ${unknown.join(', ')}; scopes are ${API_SCOPES.join(', ')}`);
  const beyond = requested.filter((scope) => !(allowed as readonly string[]).includes(scope));
  if (beyond.length > 0) throw new DomainError('forbidden', `scope ${beyond.join(', ')} is beyond what this caller may grant (${allowed.join(', ') || 'nothing'})`);
  if (requested.length === 0) throw new DomainError('invalid', 'a token needs at least one scope');
  return API_SCOPES.filter((scope) => requested.includes(scope));
}
