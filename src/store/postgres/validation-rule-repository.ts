import type { ValidationRuleRecord, ValidationRuleRepository } from '../ports.ts';
import { records } from './columns.ts';
import type { PostgresDatabase } from './database.ts';

const COLUMNS = 'id, vendor, model, firmware_prefix, mode, description, created_at, updated_at';

const SELECT_ALL = { name: 'joule_validation_rules_select_all', text: `SELECT ${COLUMNS} FROM validation_rules ORDER BY id` };
const UPSERT = {
  name: 'joule_validation_rules_upsert',
  text: `INSERT INTO validation_rules (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
    ON CONFLICT (id) DO UPDATE SET vendor = excluded.vendor, model = excluded.model,
      firmware_prefix = excluded.firmware_prefix, mode = excluded.mode, description = excluded.description,
      updated_at = excluded.updated_at
    RETURNING ${COLUMNS}`,
};
const DELETE = { name: 'joule_validation_rules_delete', text: 'DELETE FROM validation_rules WHERE id = $1' };

/** Validation-mode rules by vendor (model, firmware prefix), listed by id; `put` replaces all but `createdAt`. */
export class PostgresValidationRuleRepository implements ValidationRuleRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async list(): Promise<ValidationRuleRecord[]> {
    return (await this.#db.read(SELECT_ALL, [])).map(records.validationRule);
  }

  async put(rule: Omit<ValidationRuleRecord, 'createdAt' | 'updatedAt'>): Promise<ValidationRuleRecord> {
    const {
      rows: [row],
    } = await this.#db.write(UPSERT, [
      rule.id,
      rule.vendor,
      rule.model,
      rule.firmwarePrefix,
      rule.mode,
      rule.description,
      new Date().toISOString(),
    ]);
    if (row === undefined) throw new Error('validation rule upsert returned no row');
    return records.validationRule(row);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.#db.write(DELETE, [id])).count > 0;
  }
}
