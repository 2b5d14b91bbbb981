import type { OperatorInput, OperatorRecord, OperatorRepository } from '../ports.ts';
import { accountRecords, toJson } from './columns.ts';
import type { PostgresDatabase } from './database.ts';

const COLUMNS = 'id, username, role, sites, password_hash, totp_secret, mfa_enabled, totp_last_step, disabled, created_at, updated_at';

const SELECT = { name: 'joule_operators_select', text: `SELECT ${COLUMNS} FROM operators WHERE id = $1` };
const SELECT_BY_USERNAME = { name: 'joule_operators_by_username', text: `SELECT ${COLUMNS} FROM operators WHERE lower(username) = lower($1)` };
const SELECT_ALL = { name: 'joule_operators_all', text: `SELECT ${COLUMNS} FROM operators ORDER BY lower(username)` };
const INSERT = {
  name: 'joule_operators_insert',
  text: `INSERT INTO operators (${COLUMNS}) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $10)
    ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
};
const UPDATE = {
  name: 'joule_operators_update',
  text: `UPDATE operators SET role = $2, sites = $3::jsonb, password_hash = $4, totp_secret = $5, mfa_enabled = $6,
      totp_last_step = $7, disabled = $8, updated_at = $9
    WHERE id = $1 RETURNING ${COLUMNS}`,
};
const USE_STEP = {
  name: 'joule_operators_use_step',
  text: 'UPDATE operators SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)',
};
const DELETE = { name: 'joule_operators_delete', text: 'DELETE FROM operators WHERE id = $1' };

/** Operator accounts; user names unique without case (`lower(username)` index). */
export class PostgresOperatorRepository implements OperatorRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async get(id: string): Promise<OperatorRecord | undefined> {
    const [row] = await this.#db.read(SELECT, [id]);
    return row === undefined ? undefined : accountRecords.operator(row);
  }

  async byUsername(username: string): Promise<OperatorRecord | undefined> {
    const [row] = await this.#db.read(SELECT_BY_USERNAME, [username]);
    return row === undefined ? undefined : accountRecords.operator(row);
  }

  async list(): Promise<OperatorRecord[]> {
    return (await this.#db.read(SELECT_ALL, [])).map(accountRecords.operator);
  }

  async create(operator: OperatorInput): Promise<OperatorRecord | undefined> {
    const { rows: [row] } = await this.#db.write(INSERT, [operator.id, operator.username, operator.role, toJson(operator.sites),
      operator.passwordHash, operator.totpSecret, operator.mfaEnabled, operator.totpLastStep, operator.disabled, new Date().toISOString()]);
    return row === undefined ? undefined : accountRecords.operator(row);
  }

  async update(operator: OperatorInput): Promise<OperatorRecord | undefined> {
    const { rows: [row] } = await this.#db.write(UPDATE, [operator.id, operator.role, toJson(operator.sites), operator.passwordHash,
      operator.totpSecret, operator.mfaEnabled, operator.totpLastStep, operator.disabled, new Date().toISOString()]);
    return row === undefined ? undefined : accountRecords.operator(row);
  }

  async useTotpStep(id: string, step: number): Promise<boolean> {
    return (await this.#db.write(USE_STEP, [id, step])).count > 0;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.#db.write(DELETE, [id])).count > 0;
  }
}
