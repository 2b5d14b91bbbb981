import { join } from 'node:path';
import type { Store } from './ports.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore, type BackgroundErrorListener } from './sqlite/sqlite-store.ts';

export interface StoreLocation {
  /** postgres://... ; when absent, embedded SQLite in `dataDir`. */
  databaseUrl: string | undefined;
  databaseSchema: string;
  dataDir: string;
}

/**
 * Opens (and migrates) the configured store: PostgreSQL when a URL is given, else SQLite in the data directory.
 * `onBackgroundError` hears of failures of the SQLite store's background threads (checkpoints, station index).
 */
export function openStore(location: StoreLocation, onBackgroundError?: BackgroundErrorListener): Promise<Store> {
  if (location.databaseUrl) return openPostgresStore({ url: location.databaseUrl, schema: location.databaseSchema });
  return openSqliteStore({ file: join(location.dataDir, 'joule.db'), onBackgroundError });
}
