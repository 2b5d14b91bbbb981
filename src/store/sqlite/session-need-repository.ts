import type { StatementSync } from 'node:sqlite';
import type { SessionNeedInput, SessionNeedRecord, SessionNeedRepository } from '../ports.ts';
import { smartChargingRecords as records } from './columns.ts';
import type { SqliteDatabase } from './database.ts';

/** Transactions this many at a time in one `IN (...)` query (below SQLite's parameter limit with room to spare). */
const CHUNK = 500;

/** What each charging session needs (energy by a departure), one per transaction. */
export class SqliteSessionNeedRepository implements SessionNeedRepository {
  readonly #db: SqliteDatabase;
  readonly #select: StatementSync;
  readonly #upsert: StatementSync;
  readonly #delete: StatementSync;
  readonly #recordExport: StatementSync;
  readonly #selectMany = new Map<number, StatementSync>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#select = db.prepare('SELECT * FROM session_needs WHERE transaction_id = ?');
    this.#upsert = db.prepare(`
      INSERT INTO session_needs (transaction_id, energy_wh, departure, source, ev_max_power_w, ev_max_current_a,
        ev_min_current_a, ev_max_discharge_power_w, ev_dischargeable_wh, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (transaction_id) DO UPDATE SET energy_wh = excluded.energy_wh, departure = excluded.departure,
        source = excluded.source, ev_max_power_w = excluded.ev_max_power_w, ev_max_current_a = excluded.ev_max_current_a,
        ev_min_current_a = excluded.ev_min_current_a, ev_max_discharge_power_w = excluded.ev_max_discharge_power_w,
        ev_dischargeable_wh = excluded.ev_dischargeable_wh, updated_at = excluded.updated_at
      RETURNING *`);
    this.#recordExport = db.prepare(`UPDATE session_needs SET export_start_wh = COALESCE(export_start_wh, ?), last_export_wh = ?
      WHERE transaction_id = ?`);
    this.#delete = db.prepare('DELETE FROM session_needs WHERE transaction_id = ?');
  }

  get(transactionId: string): Promise<SessionNeedRecord | undefined> {
    return this.#db.read(() => {
      const row = this.#select.get(transactionId);
      return row === undefined ? undefined : records.sessionNeed(row);
    });
  }

  forTransactions(transactionIds: readonly string[]): Promise<SessionNeedRecord[]> {
    return this.#db.read(() => {
      const out: SessionNeedRecord[] = [];
      for (let i = 0; i < transactionIds.length; i += CHUNK) {
        const chunk = transactionIds.slice(i, i + CHUNK);
        out.push(...this.#selectFor(chunk.length).all(...chunk).map(records.sessionNeed));
      }
      return out;
    });
  }

  put(need: SessionNeedInput): Promise<SessionNeedRecord> {
    return this.#db.write(() => {
      const row = this.#upsert.get(need.transactionId, need.energyWh, need.departure, need.source, need.evMaxPowerW,
        need.evMaxCurrentA, need.evMinCurrentA, need.evMaxDischargePowerW ?? null, need.evDischargeableWh ?? null, new Date().toISOString());
      if (row === undefined) throw new Error('session need upsert returned no row');
      return records.sessionNeed(row);
    });
  }

  recordExport(transactionId: string, registerWh: number): Promise<boolean> {
    return this.#db.write(() => Number(this.#recordExport.run(registerWh, registerWh, transactionId).changes) > 0);
  }

  delete(transactionId: string): Promise<boolean> {
    return this.#db.write(() => Number(this.#delete.run(transactionId).changes) > 0);
  }

  #selectFor(count: number): StatementSync {
    let statement = this.#selectMany.get(count);
    if (statement === undefined) {
      statement = this.#db.prepare(`SELECT * FROM session_needs WHERE transaction_id IN (${Array(count).fill('?').join(', ')})
        ORDER BY transaction_id`);
      this.#selectMany.set(count, statement);
    }
    return statement;
  }
}
