import type { StatementSync } from 'node:sqlite';
import type { ValidationRuleRecord, ValidationRuleRepository } from '../ports.ts';
import { records } from './columns.ts';
import type { SqliteDatabase } from './database.ts';

/** Validation-mode rules by vendor (model, firmware prefix), listed by id; `put` replaces all but `createdAt`. */
export class SqliteValidationRuleRepository implements ValidationRuleRepository {
  readonly #db: SqliteDatabase;
  readonly #selectAll: StatementSync;
  readonly #upsert: StatementSync;
  readonly #delete: StatementSync;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#selectAll = db.prepare('SELECT * FROM validation_rules ORDER BY id');
    this.#upsert = db.prepare(`
      INSERT INTO validation_rules (id, vendor, model, firmware_prefix, mode, description, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET vendor = excluded.vendor, model = excluded.model,
        firmware_prefix = excluded.firmware_prefix, mode = excluded.mode, description = excluded.description,
        updated_at = excluded.updated_at
      RETURNING *`);
    this.#delete = db.prepare('DELETE FROM validation_rules WHERE id = ?');
  }

  list(): Promise<ValidationRuleRecord[]> {
    return this.#db.read(() => this.#selectAll.all().map(records.validationRule));
  }

  put(rule: Omit<ValidationRuleRecord, 'createdAt' | 'updatedAt'>): Promise<ValidationRuleRecord> {
    return this.#db.write(() => {
      const now = new Date().toISOString();
      const row = this.#upsert.get(rule.id, rule.vendor, rule.model, rule.firmwarePrefix, rule.mode, rule.description, now, now);
      if (row === undefined) throw new Error('validation rule upsert returned no row');
      return records.validationRule(row);
    });
  }

  delete(id: string): Promise<boolean> {
    return this.#db.write(() => Number(this.#delete.run(id).changes) > 0);
  }
}
