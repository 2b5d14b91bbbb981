import type { StatementSync } from 'node:sqlite';
import type { AuditEntryInput, AuditEntryRecord, AuditLogRepository, AuditQuery } from '../ports.ts';
import { accountRecords, toJson } from './columns.ts';
import type { SqliteDatabase } from './database.ts';

/** The append-only audit log: INSERT and SELECT only (triggers refuse UPDATE and DELETE). */
export class SqliteAuditLogRepository implements AuditLogRepository {
  readonly #db: SqliteDatabase;
  readonly #insert: StatementSync;
  readonly #query: StatementSync;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO audit_log (at, actor, role, action, target, outcome, remote_address, details)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`);
    // One statement for every combination of filters: an absent filter is NULL and matches everything.
    this.#query = db.prepare(`SELECT * FROM audit_log
      WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR action = ?2) AND (?3 IS NULL OR target = ?3)
        AND (?4 IS NULL OR at >= ?4) AND (?5 IS NULL OR at < ?5) AND (?6 IS NULL OR outcome = ?6)
        AND (?7 IS NULL OR id < ?7)
      ORDER BY id DESC LIMIT ?8`);
  }

  append(entry: AuditEntryInput): Promise<AuditEntryRecord> {
    return this.#db.write(() => {
      const row = this.#insert.get(entry.at, entry.actor, entry.role, entry.action, entry.target, entry.outcome,
        entry.remoteAddress, toJson(entry.details));
      if (row === undefined) throw new Error('audit log insert returned no row');
      return accountRecords.auditEntry(row);
    });
  }

  query(query: AuditQuery): Promise<AuditEntryRecord[]> {
    return this.#db.read(() => this.#query.all(
      query.actor ?? null, query.action ?? null, query.target ?? null, query.from ?? null, query.to ?? null,
      query.outcome ?? null, query.before === undefined ? null : Number(query.before), query.limit,
    ).map(accountRecords.auditEntry));
  }
}
