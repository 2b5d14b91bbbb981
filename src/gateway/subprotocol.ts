import { isOcppVersion, type OcppVersion } from '../ocpp/versions.ts';

/**
 * Reads the subprotocols a station offers, tolerating list oddities seen in the field (`",ocpp2.0.1"`, spaces,
 * duplicates, upper case: field notes §3 #2). Order is the station's preference.
 */
export function offeredSubprotocols(header: string | string[] | undefined): string[] {
  const raw = Array.isArray(header) ? header.join(',') : header ?? '';
  const seen = new Set<string>();
  for (const token of raw.split(',')) {
    const t = token.trim().toLowerCase();
    if (t) seen.add(t);
  }
  return [...seen];
}

export type Negotiation =
  | { version: OcppVersion; offered: true }
  | { version: OcppVersion; offered: false }
  | { version: undefined; reason: string };

/**
 * Picks the protocol: the station's configured one when it offers it, else the first it offers that Joule speaks.
 * A station offering none gets its configured protocol (or the server default), per field notes §3 #1.
 */
export function negotiate(offered: string[], supported: ReadonlySet<OcppVersion>, configured: OcppVersion | undefined): Negotiation {
  if (offered.length === 0) {
    if (configured && supported.has(configured)) return { version: configured, offered: false };
    return { version: undefined, reason: 'the station offered no OCPP subprotocol and none is configured for it' };
  }
  if (configured && supported.has(configured) && offered.includes(configured)) return { version: configured, offered: true };
  for (const token of offered) {
    if (isOcppVersion(token) && supported.has(token)) return { version: token, offered: true };
  }
  return { version: undefined, reason: `none of the offered subprotocols (${offered.join(', ')}) is supported (${[...supported].join(', ')})` };
}

/** The longest station identity (2.x identifierString; also the Basic-auth username, so no ':'). */
export const MAX_STATION_ID_LENGTH = 48;

/** The station id from `/ocpp/{stationId}`, percent-decoded and checked; or the reason it is unusable. */
export function stationIdFromPath(pathname: string, prefix: string): { id: string } | { error: string } {
  if (!pathname.startsWith(`${prefix}/`)) return { error: `path must be ${prefix}/{stationId}` };
  const encoded = pathname.slice(prefix.length + 1);
  if (!encoded || encoded.includes('/')) return { error: `path must be ${prefix}/{stationId}` };
  let id: string;
  try {
    id = decodeURIComponent(encoded);
  } catch {
    return { error: 'station id is not valid percent-encoding' };
  }
  if (id.length > MAX_STATION_ID_LENGTH) return { error: `station id is longer than ${MAX_STATION_ID_LENGTH} characters` };
  if (id.includes(':')) return { error: "station id must not contain ':'" };
  if (/[\u0000-\u001f\u007f]/.test(id)) return { error: 'station id contains control characters' };
  return { id };
}
