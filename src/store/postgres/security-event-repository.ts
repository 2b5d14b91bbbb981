import { securityEventFilterClause } from '../certificate-mappers.ts';
import type { SecurityEventFilter, SecurityEventRecord, SecurityEventRepository } from '../ports.ts';
import { certificateRecords } from './columns.ts';
import type { PostgresDatabase } from './database.ts';
import { POSTGRES_STATION_LIST } from '../station-list-sql.ts';

const COLUMNS = 'station_id, type, critical, tech_info, timestamp, received_at, source';
const INSERT = {
  name: 'joule_security_events_insert',
  text: `INSERT INTO security_events (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
};

/** The security event log (migration 8). */
export class PostgresSecurityEventRepository implements SecurityEventRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async append(e: SecurityEventRecord): Promise<void> {
    await this.#db.write(INSERT, [e.stationId, e.type, e.critical, e.techInfo, e.timestamp, e.receivedAt, e.source]);
  }

  async list(filter: SecurityEventFilter): Promise<SecurityEventRecord[]> {
    const { where, values, shape } = securityEventFilterClause(filter, (i) => `$${i}`, (value) => value, POSTGRES_STATION_LIST);
    const statement = {
      name: `joule_security_events_list_${shape}`,
      text: `SELECT ${COLUMNS} FROM security_events ${where} ORDER BY timestamp DESC, id DESC LIMIT $${values.length + 1}`,
    };
    return (await this.#db.read(statement, [...values, filter.limit])).map(certificateRecords.securityEvent);
  }
}
