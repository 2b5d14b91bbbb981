import type { IdTokenRecord, IdTokenRepository } from '../ports.ts';
import { boolean, records, text } from './columns.ts';
import type { PostgresDatabase } from './database.ts';

const COLUMNS = 'id_token, status, expiry_date, group_id, allow_concurrent_tx, created_at, updated_at';

// `lower()` of a "C"-collated value folds ASCII letters only (SQLite's NOCASE); the parameter gets the same collation.
const SELECT = {
  name: 'joule_id_tokens_select',
  text: `SELECT ${COLUMNS} FROM id_tokens WHERE lower(id_token) = lower($1::text COLLATE "C")`,
};
const SELECT_ALL = { name: 'joule_id_tokens_select_all', text: `SELECT ${COLUMNS} FROM id_tokens ORDER BY lower(id_token)` };
const UPSERT = {
  name: 'joule_id_tokens_upsert',
  text: `INSERT INTO id_tokens (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $6)
    ON CONFLICT ((lower(id_token))) DO UPDATE SET id_token = excluded.id_token, status = excluded.status,
      expiry_date = excluded.expiry_date, group_id = excluded.group_id,
      allow_concurrent_tx = excluded.allow_concurrent_tx, updated_at = excluded.updated_at
    RETURNING ${COLUMNS}`,
};
const DELETE = {
  name: 'joule_id_tokens_delete',
  text: 'DELETE FROM id_tokens WHERE lower(id_token) = lower($1::text COLLATE "C")',
};

/**
 * Id tokens on PostgreSQL. A unique index on `lower(id_token)` (ASCII folding, as OCPP's CiString and SQLite's
 * NOCASE) makes lookups ignore case; the token is returned as spelled by the latest `put`.
 */
export class PostgresIdTokenRepository implements IdTokenRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async get(idToken: string): Promise<IdTokenRecord | undefined> {
    const [row] = await this.#db.read(SELECT, [idToken]);
    return row === undefined ? undefined : records.idToken(row);
  }

  async put(record: Omit<IdTokenRecord, 'createdAt' | 'updatedAt'>): Promise<IdTokenRecord> {
    const {
      rows: [row],
    } = await this.#db.write(UPSERT, [
      record.idToken,
      record.status,
      record.expiryDate,
      record.groupId,
      record.allowConcurrentTx,
      new Date().toISOString(),
    ]);
    if (row === undefined) throw new Error('id token upsert returned no row');
    return records.idToken(row);
  }

  async delete(idToken: string): Promise<boolean> {
    return (await this.#db.write(DELETE, [idToken])).count > 0;
  }

  async list(): Promise<IdTokenRecord[]> {
    return (await this.#db.read(SELECT_ALL, [])).map(records.idToken);
  }
}

