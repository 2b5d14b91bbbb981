import type { SQLInputValue, StatementSync } from 'node:sqlite';
import { securityEventFilterClause } from '../certificate-mappers.ts';
import type { SecurityEventFilter, SecurityEventRecord, SecurityEventRepository } from '../ports.ts';
import { bit, certificateRecords } from './columns.ts';
import type { SqliteDatabase } from './database.ts';
import { SQLITE_STATION_LIST } from '../station-list-sql.ts';

/** The security event log (migration 8). */
export class SqliteSecurityEventRepository implements SecurityEventRepository {
  readonly #db: SqliteDatabase;
  readonly #insert: StatementSync;
  readonly #lists = new Map<string, StatementSync>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO security_events (station_id, type, critical, tech_info, timestamp, received_at, source)
      VALUES (?, ?, ?, ?, ?, ?, ?)`);
  }

  append(e: SecurityEventRecord): Promise<void> {
    return this.#db.write(() => {
      this.#insert.run(e.stationId, e.type, bit(e.critical), e.techInfo, e.timestamp, e.receivedAt, e.source);
    });
  }

  list(filter: SecurityEventFilter): Promise<SecurityEventRecord[]> {
    const { where, values, shape } = securityEventFilterClause(filter, () => '?', bit, SQLITE_STATION_LIST);
    let statement = this.#lists.get(shape);
    if (statement === undefined) {
      statement = this.#db.prepare(`SELECT * FROM security_events ${where} ORDER BY timestamp DESC, id DESC LIMIT ?`);
      this.#lists.set(shape, statement);
    }
    const prepared = statement;
    return this.#db.read(() => prepared.all(...(values as SQLInputValue[]), filter.limit).map(certificateRecords.securityEvent));
  }
}
