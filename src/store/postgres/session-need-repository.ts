import type { SessionNeedInput, SessionNeedRecord, SessionNeedRepository } from '../ports.ts';
import { smartChargingRecords as records } from './columns.ts';
import type { PostgresDatabase } from './database.ts';

const WRITTEN = 'transaction_id, energy_wh, departure, source, ev_max_power_w, ev_max_current_a, ev_min_current_a, ev_max_discharge_power_w, ev_dischargeable_wh, updated_at';
const COLUMNS = `${WRITTEN}, export_start_wh, last_export_wh`;

const SELECT = { name: 'joule_session_needs_select', text: `SELECT ${COLUMNS} FROM session_needs WHERE transaction_id = $1` };
const SELECT_MANY = {
  name: 'joule_session_needs_select_many',
  text: `SELECT ${COLUMNS} FROM session_needs WHERE transaction_id = ANY ($1::text[]) ORDER BY transaction_id`,
};
const UPSERT = {
  name: 'joule_session_needs_upsert',
  text: `INSERT INTO session_needs (${WRITTEN}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    ON CONFLICT (transaction_id) DO UPDATE SET energy_wh = excluded.energy_wh, departure = excluded.departure,
      source = excluded.source, ev_max_power_w = excluded.ev_max_power_w, ev_max_current_a = excluded.ev_max_current_a,
      ev_min_current_a = excluded.ev_min_current_a, ev_max_discharge_power_w = excluded.ev_max_discharge_power_w,
      ev_dischargeable_wh = excluded.ev_dischargeable_wh, updated_at = excluded.updated_at
    RETURNING ${COLUMNS}`,
};
const RECORD_EXPORT = {
  name: 'joule_session_needs_record_export',
  text: 'UPDATE session_needs SET export_start_wh = COALESCE(export_start_wh, $1), last_export_wh = $1 WHERE transaction_id = $2',
};
const DELETE = { name: 'joule_session_needs_delete', text: 'DELETE FROM session_needs WHERE transaction_id = $1' };

/** What each charging session needs (energy by a departure), one per transaction. */
export class PostgresSessionNeedRepository implements SessionNeedRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async get(transactionId: string): Promise<SessionNeedRecord | undefined> {
    const [row] = await this.#db.read(SELECT, [transactionId]);
    return row === undefined ? undefined : records.sessionNeed(row);
  }

  async forTransactions(transactionIds: readonly string[]): Promise<SessionNeedRecord[]> {
    if (transactionIds.length === 0) return [];
    return (await this.#db.read(SELECT_MANY, [[...transactionIds]])).map(records.sessionNeed);
  }

  async put(need: SessionNeedInput): Promise<SessionNeedRecord> {
    const { rows: [row] } = await this.#db.write(UPSERT, [need.transactionId, need.energyWh, need.departure, need.source,
      need.evMaxPowerW, need.evMaxCurrentA, need.evMinCurrentA, need.evMaxDischargePowerW ?? null, need.evDischargeableWh ?? null,
      new Date().toISOString()]);
    if (row === undefined) throw new Error('session need upsert returned no row');
    return records.sessionNeed(row);
  }

  async recordExport(transactionId: string, registerWh: number): Promise<boolean> {
    return (await this.#db.write(RECORD_EXPORT, [registerWh, transactionId])).count > 0;
  }

  async delete(transactionId: string): Promise<boolean> {
    return (await this.#db.write(DELETE, [transactionId])).count > 0;
  }
}
