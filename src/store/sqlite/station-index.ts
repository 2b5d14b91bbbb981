import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { BUSY_TIMEOUT_MS } from './connection.ts';
import type { SqliteDatabase } from './database.ts';

/**
 * The station index of meter readings: `meter_readings_by_station` (station, timestamp, reading id, transaction id),
 * kept in a file of its own beside the store and brought up to date in bulk a moment after the readings are stored,
 * instead of entry by entry in every group commit.
 *
 * Why: readings arrive in time order, so the table and its time-led identity index (migration 11) take one or two new
 * pages per commit, whatever the number of stations. An index ordered by station takes one page per station that
 * reported in the commit: at saturation about 38 of the 44 WAL pages a commit wrote, and half of the store's CPU per
 * reading. In bulk, sorted by station, a station's page is written once per update however many readings it sent.
 * In a file of its own, written by a thread of its own (station-index-worker.ts), an update neither holds the event
 * loop nor makes the commits of the readings wait for its pages to reach the disk.
 *
 * `state.through_id` marks the progress: every reading with an id up to it has its entry; the readings after it (the
 * tail, normally less than one interval's worth) are read straight from `meter_readings` by rowid (see
 * SqliteMeterValueRepository). Entries and mark change in one transaction of the index file. Everything in it is
 * derived from the store: it is checked when the store opens (the store it belongs to, a mark no further than the
 * readings) and rebuilt when it does not match, is damaged or is missing. Any process writing the same store may bring
 * it up to date: the index file's write lock orders them, and an update re-reads the mark inside its transaction.
 * Row ids only grow: readings are never deleted.
 */

/** Readings given their station entries in one transaction at most; a larger tail takes several. */
export const MAX_ROWS_PER_UPDATE = 20_000;
/** Schema of the index file (its `user_version`); a file with another one is rebuilt. */
const INDEX_SCHEMA_VERSION = 1;
/** The index file's name in the main connection. */
export const INDEX_SCHEMA = 'station_index';

/** Where the station index of the store in `file` lives. */
export function stationIndexFile(file: string): string {
  return `${file}.station-index`;
}

/**
 * The mark a process leaves beside the index when it finds the index damaged while the store is open (a read or an
 * update failed with SQLITE_CORRUPT): the index is rebuilt the next time the store opens. Until then reads go to the
 * table itself, and updates stop.
 */
export function damageMarkFile(file: string): string {
  return `${stationIndexFile(file)}.damaged`;
}

/** Leaves the damage mark (see damageMarkFile); a failure to write it is left to the next read that meets the damage. */
export function markIndexDamaged(file: string): void {
  try {
    writeFileSync(damageMarkFile(file), `${new Date().toISOString()}\n`);
  } catch {
    // Reads keep working from the table; the damage is met and marked again.
  }
}

/** Which attached database holds what, on a connection that updates the index. */
interface Schemas {
  readings: string;
  index: string;
}

/** The statements of one update, prepared once per connection. */
export class StationIndexUpdate {
  readonly #selectRange: StatementSync;
  readonly #insertEntries: StatementSync;
  readonly #advance: StatementSync;

  constructor(db: Pick<DatabaseSync, 'prepare'>, schemas: Schemas) {
    const { readings, index } = schemas;
    this.#selectRange = db.prepare(`SELECT through_id, (SELECT max(id) FROM ${readings}.meter_readings) AS newest_id
      FROM ${index}.state`);
    // Sorted by station, each station's page is visited once per update.
    this.#insertEntries = db.prepare(`INSERT OR IGNORE INTO ${index}.meter_readings_by_station
        (station_id, timestamp, id, transaction_id)
      SELECT station_id, timestamp, id, transaction_id FROM ${readings}.meter_readings NOT INDEXED
      WHERE id > ? AND id <= ? ORDER BY station_id, timestamp, id`);
    this.#advance = db.prepare(`UPDATE ${index}.state SET through_id = ?`);
  }

  /** Whether readings were stored after the mark. */
  behind(): boolean {
    const range = this.#range();
    return range.newest > range.through;
  }

  /**
   * Inside a transaction that holds the index's write lock: gives the oldest tail readings their entries, at most
   * MAX_ROWS_PER_UPDATE; returns whether more remain.
   */
  run(): boolean {
    const { through, newest } = this.#range();
    if (newest <= through) return false;
    const upTo = Math.min(newest, through + MAX_ROWS_PER_UPDATE);
    this.#insertEntries.run(through, upTo);
    this.#advance.run(upTo);
    return upTo < newest;
  }

  #range(): { through: number; newest: number } {
    const range = this.#selectRange.get();
    if (range === undefined) throw new Error('the station index has no state row');
    return { through: Number(range.through_id), newest: range.newest_id === null ? 0 : Number(range.newest_id) };
  }
}

/** Runs updates, each in its own transaction on `db`, until the index has caught up with the readings. */
export function catchUp(db: DatabaseSync, update: StationIndexUpdate): void {
  for (let more = true; more;) {
    db.exec('BEGIN IMMEDIATE');
    try {
      more = update.run();
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }
}

/** Opens the index file for writing, with the store's readings attached read-only as `readings`. */
export function openIndexWriter(file: string): DatabaseSync {
  const db = new DatabaseSync(stationIndexFile(file));
  try {
    // The busy timeout first: switching a new file to WAL takes an exclusive lock, and workers starting together on a
    // fresh data dir all do it at once. NORMAL in WAL mode: commits are not fsync'd (a crash may undo the last
    // updates, which are redone from the mark; the file is never left damaged).
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;`);
    db.exec(`ATTACH '${readOnlyUri(file)}' AS readings`);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * Makes the station index of the store behind `connection` (its file `file`, or `:memory:`) ready and attaches it to
 * `connection` as {@link INDEX_SCHEMA}: on disk read-only, because a write transaction of the store (`BEGIN
 * IMMEDIATE`) would otherwise take the index file's write lock too. Creates or rebuilds the file where it does not
 * belong to this store, and brings it up to date before the store serves.
 */
export function attachStationIndex(connection: DatabaseSync, file: string): void {
  if (file === ':memory:') {
    connection.exec(`ATTACH ':memory:' AS ${INDEX_SCHEMA}`);
    resetUnlessValid(connection, INDEX_SCHEMA, 'main', storeId(connection));
    catchUp(connection, new StationIndexUpdate(connection, { readings: 'main', index: INDEX_SCHEMA }));
    return;
  }
  const id = storeId(connection);
  // Found damaged while the store was open (see damageMarkFile): built again.
  if (existsSync(damageMarkFile(file))) removeIndexFiles(file);
  let writer: DatabaseSync;
  try {
    writer = openUpToDateIndex(file, id);
  } catch (error) {
    // Not a database, or pages that are not what SQLite wrote (damaged, or overwritten): it is derived data, so it is
    // built again. Anything else (another process holding it locked too long) is an error of the store's opening.
    if (!isDamaged(error)) throw error;
    removeIndexFiles(file);
    writer = openUpToDateIndex(file, id);
  }
  try {
    // Attached while the writer is still open, so that its WAL and shared memory exist for a read-only reader.
    connection.exec(`ATTACH '${readOnlyUri(stationIndexFile(file))}' AS ${INDEX_SCHEMA}`);
  } finally {
    writer.close();
  }
}

/** Opens the index file (see openValidIndex) and brings it up to date with the readings. */
function openUpToDateIndex(file: string, id: string): DatabaseSync {
  const writer = openValidIndex(file, id);
  try {
    catchUp(writer, new StationIndexUpdate(writer, { readings: 'readings', index: 'main' }));
  } catch (error) {
    writer.close();
    throw error;
  }
  return writer;
}

/** Opens the index file, emptying it when it belongs to another store, another schema, or reaches past the readings. */
function openValidIndex(file: string, id: string): DatabaseSync {
  const writer = openIndexWriter(file);
  try {
    resetUnlessValid(writer, 'main', 'readings', id);
  } catch (error) {
    writer.close();
    throw error;
  }
  return writer;
}

/**
 * In one transaction (processes opening the same store at once check it one after the other): empties the index in
 * `schema` and marks it as this store's, unless it has the current schema, belongs to this store and reaches no
 * further than the readings in `readings`.
 */
function resetUnlessValid(db: DatabaseSync, schema: string, readings: string, id: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    const version = Number(db.prepare(`PRAGMA ${schema}.user_version`).get()?.user_version ?? 0);
    const state = version === INDEX_SCHEMA_VERSION ? db.prepare(`SELECT store_id, through_id FROM ${schema}.state`).get() : undefined;
    const newest = Number(db.prepare(`SELECT coalesce(max(id), 0) AS id FROM ${readings}.meter_readings`).get()?.id ?? 0);
    // A mark past the newest reading: the store lost readings the index had seen (committed, never acknowledged,
    // then a power loss) or was restored from a backup. Their ids will be given to other readings.
    if (state === undefined || state.store_id !== id || Number(state.through_id) > newest) {
      db.exec(`
        DROP TABLE IF EXISTS ${schema}.meter_readings_by_station;
        DROP TABLE IF EXISTS ${schema}.state;
        CREATE TABLE ${schema}.meter_readings_by_station (
          station_id TEXT NOT NULL,
          timestamp TEXT NOT NULL,
          id INTEGER NOT NULL,
          transaction_id TEXT NOT NULL,
          PRIMARY KEY (station_id, timestamp, id)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE ${schema}.state (
          singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
          store_id TEXT NOT NULL,
          through_id INTEGER NOT NULL
        ) STRICT;
        PRAGMA ${schema}.user_version = ${INDEX_SCHEMA_VERSION};
      `);
      db.prepare(`INSERT INTO ${schema}.state (singleton, store_id, through_id) VALUES (1, ?, 0)`).run(id);
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** The store's identity (migration 11), which the index file records. */
function storeId(connection: DatabaseSync): string {
  const row = connection.prepare('SELECT id FROM store_identity').get();
  if (row === undefined) throw new Error('the store has no identity (migration 11 missing)');
  return String(row.id);
}

/** SQLITE_CORRUPT or SQLITE_NOTADB. */
export function isDamaged(error: unknown): boolean {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return code === 11 || code === 26;
}

function removeIndexFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${stationIndexFile(file)}${suffix}`, { force: true });
  rmSync(damageMarkFile(file), { force: true });
}

/** A `file:` URI that opens the store's file read-only (for ATTACH; SQLite reads `'` doubled). */
function readOnlyUri(file: string): string {
  return `${pathToFileURL(file).href}?mode=ro`.replaceAll("'", "''");
}

/** Keeps the station index up to date while the store is open. */
export interface StationIndexer {
  /** Stops; called once the store's connection is closed (on disk, after a last update). */
  close(): Promise<void>;
}

/** For a store on disk: updates run in a thread of their own, on their own connection (station-index-worker.ts). */
export class BackgroundStationIndexer implements StationIndexer {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;
  #closing: Promise<void> | undefined;

  constructor(file: string, intervalMs: number, onError: (message: string) => void = () => {}) {
    this.#worker = new Worker(new URL('./station-index-worker.ts', import.meta.url), { workerData: { file, intervalMs } });
    this.#worker.unref();
    this.#exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
    this.#worker.on('message', (message: { error?: string }) => {
      if (message.error) onError(message.error);
    });
    this.#worker.on('error', (error) => onError(error.message));
  }

  /** Asks for a last update and waits for the thread to end (at once if it ended already, e.g. after an error). */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      // Unref'd while running so it never keeps the process alive; held now until its last update is done.
      this.#worker.ref();
      this.#worker.postMessage('stop');
      this.#closing = this.#exited;
    }
    return this.#closing;
  }
}

/** For a store in memory (tests, tools): updates are writes of the store's own group commits, every `intervalMs`. */
export class InProcessStationIndexer implements StationIndexer {
  readonly #db: SqliteDatabase;
  readonly #update: StationIndexUpdate;
  readonly #timer: NodeJS.Timeout;
  #updating: Promise<void> | undefined;

  constructor(db: SqliteDatabase, intervalMs: number) {
    this.#db = db;
    this.#update = new StationIndexUpdate(db, { readings: 'main', index: INDEX_SCHEMA });
    this.#timer = setInterval(() => void this.#queueUpdate(), intervalMs);
    this.#timer.unref();
  }

  /** The store in memory is gone with its connection: nothing is left to update. */
  close(): Promise<void> {
    clearInterval(this.#timer);
    return Promise.resolve();
  }

  /** One update in the next group commit, unless one is queued or the index is up to date; a failure waits for the next interval. */
  #queueUpdate(): Promise<void> {
    if (this.#updating !== undefined) return this.#updating;
    if (this.#db.closed || !this.#update.behind()) return Promise.resolve();
    this.#updating = this.#db.write(() => {
      while (this.#update.run());
    }).then(() => {}, () => {}).finally(() => {
      this.#updating = undefined;
    });
    return this.#updating;
  }
}
