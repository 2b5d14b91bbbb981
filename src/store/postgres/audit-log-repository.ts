import type { AuditEntryInput, AuditEntryRecord, AuditLogRepository, AuditQuery } from '../ports.ts';
import { accountRecords, toJson } from './columns.ts';
import type { PostgresDatabase } from './database.ts';

const COLUMNS = 'id, at, actor, role, action, target, outcome, remote_address, details';

const INSERT = {
  name: 'joule_audit_log_insert',
  text: `INSERT INTO audit_log (at, actor, role, action, target, outcome, remote_address, details)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) RETURNING ${COLUMNS}`,
};
// One statement for every combination of filters: an absent filter is NULL and matches everything.
const QUERY = {
  name: 'joule_audit_log_query',
  text: `SELECT ${COLUMNS} FROM audit_log
    WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR target = $3)
      AND ($4::text IS NULL OR at >= $4) AND ($5::text IS NULL OR at < $5) AND ($6::integer IS NULL OR outcome = $6)
      AND ($7::bigint IS NULL OR id < $7)
    ORDER BY id DESC LIMIT $8`,
};

/** The append-only audit log: INSERT and SELECT only (a trigger refuses UPDATE, DELETE and TRUNCATE). */
export class PostgresAuditLogRepository implements AuditLogRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async append(entry: AuditEntryInput): Promise<AuditEntryRecord> {
    const { rows: [row] } = await this.#db.write(INSERT, [entry.at, entry.actor, entry.role, entry.action, entry.target,
      entry.outcome, entry.remoteAddress, toJson(entry.details)]);
    if (row === undefined) throw new Error('audit log insert returned no row');
    return accountRecords.auditEntry(row);
  }

  async query(query: AuditQuery): Promise<AuditEntryRecord[]> {
    const rows = await this.#db.read(QUERY, [query.actor ?? null, query.action ?? null, query.target ?? null, query.from ?? null,
      query.to ?? null, query.outcome ?? null, query.before ?? null, query.limit]);
    return rows.map(accountRecords.auditEntry);
  }
}
