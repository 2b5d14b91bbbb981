import type { StatementSync } from 'node:sqlite';
import type { ApiTokenKind, ApiTokenRecord, ApiTokenRepository } from '../ports.ts';
import { accountRecords } from './columns.ts';
import type { SqliteDatabase } from './database.ts';

const LIVE = 'revoked_at IS NULL AND expires_at > ?';

/** Operators' bearer tokens (sessions and API tokens), known by their SHA-256 only. */
export class SqliteApiTokenRepository implements ApiTokenRepository {
  readonly #db: SqliteDatabase;
  readonly #insert: StatementSync;
  readonly #select: StatementSync;
  readonly #selectBySha256: StatementSync;
  readonly #selectLive: StatementSync;
  readonly #revoke: StatementSync;
  readonly #revokeAll: StatementSync;
  readonly #touch: StatementSync;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO api_tokens (id, sha256, operator_id, kind, name, scopes, created_at, expires_at,
        last_used_at, revoked_at, created_from)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#select = db.prepare('SELECT * FROM api_tokens WHERE id = ?');
    this.#selectBySha256 = db.prepare('SELECT * FROM api_tokens WHERE sha256 = ?');
    this.#selectLive = db.prepare(`SELECT * FROM api_tokens WHERE operator_id = ? AND kind = ? AND ${LIVE}
      ORDER BY created_at DESC, rowid DESC`);
    this.#revoke = db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
    this.#revokeAll = db.prepare(`UPDATE api_tokens SET revoked_at = ? WHERE operator_id = ? AND ${LIVE}`);
    this.#touch = db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?');
  }

  create(token: ApiTokenRecord): Promise<void> {
    return this.#db.write(() => {
      this.#insert.run(token.id, token.sha256, token.operatorId, token.kind, token.name, JSON.stringify(token.scopes),
        token.createdAt, token.expiresAt, token.lastUsedAt, token.revokedAt, token.createdFrom);
    });
  }

  get(id: string): Promise<ApiTokenRecord | undefined> {
    return this.#db.read(() => {
      const row = this.#select.get(id);
      return row === undefined ? undefined : accountRecords.apiToken(row);
    });
  }

  bySha256(sha256: string): Promise<ApiTokenRecord | undefined> {
    return this.#db.read(() => {
      const row = this.#selectBySha256.get(sha256);
      return row === undefined ? undefined : accountRecords.apiToken(row);
    });
  }

  live(operatorId: string, kind: ApiTokenKind, now: string): Promise<ApiTokenRecord[]> {
    return this.#db.read(() => this.#selectLive.all(operatorId, kind, now).map(accountRecords.apiToken));
  }

  revoke(id: string, at: string): Promise<boolean> {
    return this.#db.write(() => Number(this.#revoke.run(at, id).changes) > 0);
  }

  revokeAll(operatorId: string, at: string): Promise<number> {
    return this.#db.write(() => Number(this.#revokeAll.run(at, operatorId, at).changes));
  }

  touch(id: string, at: string): Promise<void> {
    return this.#db.write(() => {
      this.#touch.run(at, id);
    });
  }
}
