import type { StatementSync } from 'node:sqlite';
import type { StationEventRecord, StationEventRepository } from '../ports.ts';
import { records, text } from './columns.ts';
import type { SqliteDatabase } from './database.ts';

const NEWEST_FIRST = 'ORDER BY timestamp DESC, id DESC';

/** The log of station-initiated notifications; the payload is JSON text. */
export class SqliteStationEventRepository implements StationEventRepository {
  readonly #db: SqliteDatabase;
  readonly #insert: StatementSync;
  readonly #selectForStation: StatementSync;
  readonly #selectForStationOfType: StatementSync;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#insert = db.prepare(
      'INSERT INTO station_events (station_id, type, payload, timestamp, received_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.#selectForStation = db.prepare(`SELECT * FROM station_events WHERE station_id = ? ${NEWEST_FIRST} LIMIT ?`);
    this.#selectForStationOfType = db.prepare(
      `SELECT * FROM station_events WHERE station_id = ? AND type = ? ${NEWEST_FIRST} LIMIT ?`,
    );
  }

  append(event: StationEventRecord): Promise<void> {
    return this.#db.write(() => {
      this.#insert.run(event.stationId, event.type, JSON.stringify(event.payload), event.timestamp, event.receivedAt);
    });
  }

  list(stationId: string, type: string | undefined, limit: number): Promise<StationEventRecord[]> {
    return this.#db.read(() => {
      const rows =
        type === undefined
          ? this.#selectForStation.all(stationId, limit)
          : this.#selectForStationOfType.all(stationId, type, limit);
      return rows.map(records.stationEvent);
    });
  }
}

