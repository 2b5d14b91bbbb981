import type { StatementSync } from 'node:sqlite';
import type { OperatorInput, OperatorRecord, OperatorRepository } from '../ports.ts';
import { accountRecords, bit, toJson } from './columns.ts';
import type { SqliteDatabase } from './database.ts';

/** Operator accounts; user names unique without case (`lower(username)` index). */
export class SqliteOperatorRepository implements OperatorRepository {
  readonly #db: SqliteDatabase;
  readonly #select: StatementSync;
  readonly #selectByUsername: StatementSync;
  readonly #selectAll: StatementSync;
  readonly #insert: StatementSync;
  readonly #update: StatementSync;
  readonly #useStep: StatementSync;
  readonly #delete: StatementSync;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#select = db.prepare('SELECT * FROM operators WHERE id = ?');
    this.#selectByUsername = db.prepare('SELECT * FROM operators WHERE lower(username) = lower(?)');
    this.#selectAll = db.prepare('SELECT * FROM operators ORDER BY lower(username)');
    this.#insert = db.prepare(`INSERT INTO operators (id, username, role, sites, password_hash, totp_secret, mfa_enabled,
        totp_last_step, disabled, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT DO NOTHING RETURNING *`);
    this.#update = db.prepare(`UPDATE operators SET role = ?, sites = ?, password_hash = ?, totp_secret = ?, mfa_enabled = ?,
        totp_last_step = ?, disabled = ?, updated_at = ?
      WHERE id = ? RETURNING *`);
    this.#useStep = db.prepare(`UPDATE operators SET totp_last_step = ?
      WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)`);
    this.#delete = db.prepare('DELETE FROM operators WHERE id = ?');
  }

  get(id: string): Promise<OperatorRecord | undefined> {
    return this.#db.read(() => {
      const row = this.#select.get(id);
      return row === undefined ? undefined : accountRecords.operator(row);
    });
  }

  byUsername(username: string): Promise<OperatorRecord | undefined> {
    return this.#db.read(() => {
      const row = this.#selectByUsername.get(username);
      return row === undefined ? undefined : accountRecords.operator(row);
    });
  }

  list(): Promise<OperatorRecord[]> {
    return this.#db.read(() => this.#selectAll.all().map(accountRecords.operator));
  }

  create(operator: OperatorInput): Promise<OperatorRecord | undefined> {
    return this.#db.write(() => {
      const now = new Date().toISOString();
      const row = this.#insert.get(operator.id, operator.username, operator.role, toJson(operator.sites), operator.passwordHash,
        operator.totpSecret, bit(operator.mfaEnabled), operator.totpLastStep, bit(operator.disabled), now, now);
      return row === undefined ? undefined : accountRecords.operator(row);
    });
  }

  update(operator: OperatorInput): Promise<OperatorRecord | undefined> {
    return this.#db.write(() => {
      const row = this.#update.get(operator.role, toJson(operator.sites), operator.passwordHash, operator.totpSecret,
        bit(operator.mfaEnabled), operator.totpLastStep, bit(operator.disabled), new Date().toISOString(), operator.id);
      return row === undefined ? undefined : accountRecords.operator(row);
    });
  }

  useTotpStep(id: string, step: number): Promise<boolean> {
    return this.#db.write(() => Number(this.#useStep.run(step, id, step).changes) > 0);
  }

  delete(id: string): Promise<boolean> {
    return this.#db.write(() => Number(this.#delete.run(id).changes) > 0);
  }
}
