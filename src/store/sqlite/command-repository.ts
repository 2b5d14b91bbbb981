import type { StatementSync } from 'node:sqlite';
import type { CommandRecord, CommandRepository } from '../ports.ts';
import { records, text, toJson } from './columns.ts';
import type { SqliteDatabase } from './database.ts';
import { SQLITE_STATION_LIST } from '../station-list-sql.ts';

const NEWEST_FIRST = 'ORDER BY created_at DESC, rowid DESC';

/** Operator commands sent to stations and their outcomes; request, response and error are JSON text. */
export class SqliteCommandRepository implements CommandRepository {
  readonly #db: SqliteDatabase;
  readonly #insert: StatementSync;
  readonly #complete: StatementSync;
  readonly #select: StatementSync;
  readonly #selectRecent: StatementSync;
  readonly #selectRecentForStation: StatementSync;
  readonly #selectRecentForStations: StatementSync;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO commands
      (id, station_id, action, request, actor, origin, status, response, error, created_at, completed_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#complete = db.prepare(
      'UPDATE commands SET status = ?, response = ?, error = ?, completed_at = ? WHERE id = ?',
    );
    this.#select = db.prepare('SELECT * FROM commands WHERE id = ?');
    this.#selectRecent = db.prepare(`SELECT * FROM commands ${NEWEST_FIRST} LIMIT ?`);
    this.#selectRecentForStation = db.prepare(`SELECT * FROM commands WHERE station_id = ? ${NEWEST_FIRST} LIMIT ?`);
    this.#selectRecentForStations = db.prepare(
      `SELECT * FROM commands WHERE ${SQLITE_STATION_LIST.condition('station_id', '?')} ${NEWEST_FIRST} LIMIT ?`);
  }

  create(record: CommandRecord): Promise<void> {
    return this.#db.write(() => {
      this.#insert.run(
        record.id,
        record.stationId,
        record.action,
        JSON.stringify(record.request),
        record.actor,
        record.origin,
        record.status,
        toJson(record.response),
        toJson(record.error),
        record.createdAt,
        record.completedAt,
      );
    });
  }

  complete(id: string, outcome: Pick<CommandRecord, 'status' | 'response' | 'error' | 'completedAt'>): Promise<void> {
    return this.#db.write(() => {
      this.#complete.run(outcome.status, toJson(outcome.response), toJson(outcome.error), outcome.completedAt, id);
    });
  }

  get(id: string): Promise<CommandRecord | undefined> {
    return this.#db.read(() => {
      const row = this.#select.get(id);
      return row === undefined ? undefined : records.command(row);
    });
  }

  list(stationId: string | undefined, limit: number, stationIds?: readonly string[]): Promise<CommandRecord[]> {
    return this.#db.read(() => {
      if (stationId !== undefined && stationIds !== undefined && !stationIds.includes(stationId)) return [];
      const rows = stationId !== undefined
        ? this.#selectRecentForStation.all(stationId, limit)
        : stationIds !== undefined
          ? this.#selectRecentForStations.all(SQLITE_STATION_LIST.value(stationIds) as string, limit)
          : this.#selectRecent.all(limit);
      return rows.map(records.command);
    });
  }
}

