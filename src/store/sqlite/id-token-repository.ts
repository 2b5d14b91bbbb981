import type { StatementSync } from 'node:sqlite';
import type { IdTokenRecord, IdTokenRepository } from '../ports.ts';
import { bit, boolean, records } from './columns.ts';
import type { SqliteDatabase } from './database.ts';

/**
 * Id tokens on SQLite. The key column is `COLLATE NOCASE` (OCPP CiString): lookups ignore case, and the token is
 * returned as spelled by the latest `put`.
 */
export class SqliteIdTokenRepository implements IdTokenRepository {
  readonly #db: SqliteDatabase;
  readonly #select: StatementSync;
  readonly #selectAll: StatementSync;
  readonly #upsert: StatementSync;
  readonly #delete: StatementSync;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#select = db.prepare('SELECT * FROM id_tokens WHERE id_token = ?');
    this.#selectAll = db.prepare('SELECT * FROM id_tokens ORDER BY id_token');
    this.#upsert = db.prepare(`
      INSERT INTO id_tokens (id_token, status, expiry_date, group_id, allow_concurrent_tx, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id_token) DO UPDATE SET id_token = excluded.id_token, status = excluded.status,
        expiry_date = excluded.expiry_date, group_id = excluded.group_id,
        allow_concurrent_tx = excluded.allow_concurrent_tx, updated_at = excluded.updated_at
      RETURNING *`);
    this.#delete = db.prepare('DELETE FROM id_tokens WHERE id_token = ?');
  }

  get(idToken: string): Promise<IdTokenRecord | undefined> {
    return this.#db.read(() => {
      const row = this.#select.get(idToken);
      return row === undefined ? undefined : records.idToken(row);
    });
  }

  put(record: Omit<IdTokenRecord, 'createdAt' | 'updatedAt'>): Promise<IdTokenRecord> {
    return this.#db.write(() => {
      const now = new Date().toISOString();
      const row = this.#upsert.get(
        record.idToken,
        record.status,
        record.expiryDate,
        record.groupId,
        bit(record.allowConcurrentTx),
        now,
        now,
      );
      if (row === undefined) throw new Error('id token upsert returned no row');
      return records.idToken(row);
    });
  }

  delete(idToken: string): Promise<boolean> {
    return this.#db.write(() => this.#delete.run(idToken).changes > 0);
  }

  list(): Promise<IdTokenRecord[]> {
    return this.#db.read(() => this.#selectAll.all().map(records.idToken));
  }
}

