/**
 * Names on the NATS side of the cluster bus. Everything lives under one namespace (`cluster`, default `joule`) so
 * several Joule clusters (or test runs) can share one NATS server without seeing each other.
 *
 *   ${cluster}.events.${type}                 domain events, fanned out to every node
 *   ${cluster}.station.${token(id)}.call      operator commands, served by the node holding the station
 *   KV ${cluster}_presence  key token(id)     station -> { nodeId, at }    (no TTL; cleaned by holders and the reaper)
 *   KV ${cluster}_nodes     key token(nodeId) node heartbeat { nodeId, at, ttlMs }  (bucket TTL = presence TTL)
 *
 * Station ids (and node ids) may contain characters that are not allowed in subjects or KV keys (spaces, dots,
 * `*`, `>`, non-ASCII): they are written as base64url tokens of their UTF-8 bytes (alphabet [A-Za-z0-9_-]).
 */

const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SUBJECT_TOKENS = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const TOKEN = /^[A-Za-z0-9_-]+$/;

export function validateClusterName(cluster: string): string {
  if (!CLUSTER_NAME.test(cluster)) {
    throw new Error(`invalid cluster name ${JSON.stringify(cluster)}: use 1-64 characters of [A-Za-z0-9_-] (it is a NATS subject token and part of KV bucket names)`);
  }
  return cluster;
}

/** A non-empty string as one subject token / KV key: base64url of its UTF-8 bytes. */
export function encodeToken(value: string): string {
  if (value === '') throw new Error('an empty id cannot be a NATS subject token');
  return Buffer.from(value, 'utf8').toString('base64url');
}

/** The string a token stands for; undefined for a token this bus did not write. */
export function decodeToken(token: string): string | undefined {
  if (!TOKEN.test(token)) return undefined;
  const value = Buffer.from(token, 'base64url').toString('utf8');
  return encodeToken(value) === token ? value : undefined;
}

export class Subjects {
  readonly cluster: string;
  readonly allEvents: string;
  readonly presenceBucket: string;
  readonly nodesBucket: string;

  constructor(cluster: string) {
    this.cluster = validateClusterName(cluster);
    this.allEvents = `${cluster}.events.>`;
    this.presenceBucket = `${cluster}_presence`;
    this.nodesBucket = `${cluster}_nodes`;
  }

  /** Event types are dotted names (`station.connected`); anything else is encoded into one token. */
  event(type: string): string {
    return SUBJECT_TOKENS.test(type) ? `${this.cluster}.events.${type}` : `${this.cluster}.events._.${encodeToken(type)}`;
  }

  stationCall(stationId: string): string {
    return `${this.cluster}.station.${encodeToken(stationId)}.call`;
  }
}
