import { DatabaseSync } from 'node:sqlite';

/** How long a statement waits for another process's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;
/**
 * Page cache per connection. Writes touch pages spread over many tables and indexes (transactions, stations, events),
 * and a cache larger than SQLite's 2 MiB default keeps them. Not much larger: at every COMMIT
 * SQLite walks its whole page cache (pcache1TruncateUnsafe, from pager_end_transaction), which with 64 MiB took 10 %
 * of the CPU of storing meter values (`npm run bench:store`: 57 µs per message at 64 MiB, 46-47 µs at 8-16 MiB). A
 * page that is not cached is read from the operating system's file cache.
 */
export const CACHE_SIZE_KIB = 16 * 1024;
/**
 * WAL pages after which a commit itself checkpoints into the database file. With the background checkpointer
 * (checkpointer.ts; every store on disk has one) this is a safety net that keeps the WAL from growing when the
 * checkpointer falls behind (16 MiB: a larger WAL makes every page lookup slower); a connection without one
 * checkpoints in its commits, and small checkpoints keep each such commit short.
 */
export const WAL_AUTOCHECKPOINT_PAGES = { background: 4_000, inline: 1_000 } as const;
/** Size the WAL file is truncated back to after a checkpoint. */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Opens a SQLite connection tuned for Joule: write-ahead log (readers never block the writer), foreign keys
 * enforced, a busy timeout, and the cache and checkpoint sizes above. `file` is a path or `:memory:`.
 *
 * Durability: with `walSync` false the connection uses `synchronous=FULL` (COMMIT fsyncs the WAL). With `walSync`
 * true it uses `synchronous=NORMAL` and the caller must fsync the WAL after each commit before acknowledging it
 * (WalSync does this off the event loop), which is equally durable: a commit is acknowledged only once it is on disk.
 */
export function openConnection(file: string, walSync = false, backgroundCheckpoints = false): DatabaseSync {
  const db = new DatabaseSync(file, { enableForeignKeyConstraints: true });
  try {
    // The busy timeout first: switching a new file to WAL takes an exclusive lock, which another process opening the
    // same file at that moment holds (without the timeout set, "database is locked" at once).
    db.exec(`
      PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS};
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = ${walSync ? 'NORMAL' : 'FULL'};
      PRAGMA foreign_keys = ON;
      PRAGMA cache_size = -${CACHE_SIZE_KIB};
      PRAGMA wal_autocheckpoint = ${backgroundCheckpoints ? WAL_AUTOCHECKPOINT_PAGES.background : WAL_AUTOCHECKPOINT_PAGES.inline};
      PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT_BYTES};
    `);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
