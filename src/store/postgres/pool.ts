import { escapeIdentifier, Pool } from 'pg';

/** Connections the pool opens at most, unless configured. */
export const DEFAULT_POOL_SIZE = 10;
/** How long a query waits for a free connection before failing. */
export const CONNECTION_TIMEOUT_MS = 10_000;

/**
 * Schema names Joule accepts: a plain SQL identifier (letters, digits, `_`, `$`; at most 63 bytes). Keeping to these
 * means the name can go into the `search_path` startup option without any escaping rules of libpq's option parser.
 */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw new RangeError(`Invalid PostgreSQL schema name ${JSON.stringify(schema)}: use letters, digits and _`);
  }
}

export interface PoolOptions {
  /** `postgres://user:password@host:port/database?...` */
  url: string;
  /** The schema Joule's tables live in; every connection gets `search_path` set to it (only). */
  schema: string;
  /** Connections at most. */
  size: number;
  /** An error on an idle connection (server restart, network): reported here instead of crashing the process. */
  onError?: ((error: Error) => void) | undefined;
}

/**
 * A node-postgres pool whose connections all use `schema` as their `search_path` (set in the startup packet, so no
 * extra round trip and no window in which a connection sees another schema). `synchronous_commit` is forced on: a
 * write is acknowledged only once its commit is flushed to disk, whatever the server default.
 */
export function createPool(options: PoolOptions): Pool {
  assertSchemaName(options.schema);
  const { url, startupOptions } = takeStartupOptions(options.url);
  const pool = new Pool({
    connectionString: url,
    max: options.size,
    connectionTimeoutMillis: CONNECTION_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    application_name: 'joule',
    // Joule's settings come last: for a parameter set twice, the server keeps the last one.
    options: [...startupOptions, `-c search_path=${escapeIdentifier(options.schema)}`, '-c synchronous_commit=on'].join(' '),
  });
  pool.on('error', (error) => options.onError?.(error));
  return pool;
}

/**
 * Moves an `options` parameter out of the URL (node-postgres lets URL parameters override the configuration, which
 * would drop Joule's `search_path`), so that both can be sent. Other URLs are returned unchanged.
 */
export function takeStartupOptions(url: string): { url: string; startupOptions: string[] } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, startupOptions: [] };
  }
  const given = parsed.searchParams.get('options');
  if (given === null) return { url, startupOptions: [] };
  parsed.searchParams.delete('options');
  return { url: parsed.toString(), startupOptions: [given] };
}
