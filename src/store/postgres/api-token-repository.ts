import type { ApiTokenKind, ApiTokenRecord, ApiTokenRepository } from '../ports.ts';
import { accountRecords, jsonText } from './columns.ts';
import type { PostgresDatabase } from './database.ts';

const COLUMNS = 'id, sha256, operator_id, kind, name, scopes, created_at, expires_at, last_used_at, revoked_at, created_from';

const INSERT = {
  name: 'joule_api_tokens_insert',
  text: `INSERT INTO api_tokens (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11)`,
};
const SELECT = { name: 'joule_api_tokens_select', text: `SELECT ${COLUMNS} FROM api_tokens WHERE id = $1` };
const SELECT_BY_SHA256 = { name: 'joule_api_tokens_by_sha256', text: `SELECT ${COLUMNS} FROM api_tokens WHERE sha256 = $1` };
const SELECT_LIVE = {
  name: 'joule_api_tokens_live',
  text: `SELECT ${COLUMNS} FROM api_tokens WHERE operator_id = $1 AND kind = $2 AND revoked_at IS NULL AND expires_at > $3
    ORDER BY created_at DESC, id DESC`,
};
const REVOKE = { name: 'joule_api_tokens_revoke', text: 'UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL' };
const REVOKE_ALL = {
  name: 'joule_api_tokens_revoke_all',
  text: 'UPDATE api_tokens SET revoked_at = $2 WHERE operator_id = $1 AND revoked_at IS NULL AND expires_at > $2',
};
const TOUCH = { name: 'joule_api_tokens_touch', text: 'UPDATE api_tokens SET last_used_at = $2 WHERE id = $1' };

/** Operators' bearer tokens (sessions and API tokens), known by their SHA-256 only. */
export class PostgresApiTokenRepository implements ApiTokenRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async create(token: ApiTokenRecord): Promise<void> {
    await this.#db.write(INSERT, [token.id, token.sha256, token.operatorId, token.kind, token.name, jsonText(token.scopes),
      token.createdAt, token.expiresAt, token.lastUsedAt, token.revokedAt, token.createdFrom]);
  }

  async get(id: string): Promise<ApiTokenRecord | undefined> {
    const [row] = await this.#db.read(SELECT, [id]);
    return row === undefined ? undefined : accountRecords.apiToken(row);
  }

  async bySha256(sha256: string): Promise<ApiTokenRecord | undefined> {
    const [row] = await this.#db.read(SELECT_BY_SHA256, [sha256]);
    return row === undefined ? undefined : accountRecords.apiToken(row);
  }

  async live(operatorId: string, kind: ApiTokenKind, now: string): Promise<ApiTokenRecord[]> {
    return (await this.#db.read(SELECT_LIVE, [operatorId, kind, now])).map(accountRecords.apiToken);
  }

  async revoke(id: string, at: string): Promise<boolean> {
    return (await this.#db.write(REVOKE, [id, at])).count > 0;
  }

  async revokeAll(operatorId: string, at: string): Promise<number> {
    return (await this.#db.write(REVOKE_ALL, [operatorId, at])).count;
  }

  async touch(id: string, at: string): Promise<void> {
    await this.#db.write(TOUCH, [id, at]);
  }
}
