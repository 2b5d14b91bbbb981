/**
 * The plainest careful way to store MeterValues durably, shared by the durable peers (a′) and (b′): each MeterValues
 * is one row (station, connector, transaction, the meterValue array as JSON text) in SQLite (node:sqlite, WAL,
 * synchronous=FULL); the rows appended during one event-loop turn are committed in one transaction, and each
 * `append` resolves only once the COMMIT holding its row returned.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';

type Row = [stationId: string, connectorId: number, transactionId: number | null, meterValue: string];

export class DurableMeterValues {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  #pending: { row: Row; resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;
      CREATE TABLE IF NOT EXISTS meter_values (
        id INTEGER PRIMARY KEY, station_id TEXT NOT NULL, connector_id INTEGER NOT NULL,
        transaction_id INTEGER, meter_value TEXT NOT NULL);`);
    this.#insert = this.#db.prepare('INSERT INTO meter_values (station_id, connector_id, transaction_id, meter_value) VALUES (?, ?, ?, ?)');
  }

  /** Stores a 1.6 MeterValues payload of `stationId`; resolves once it is committed. */
  append(stationId: string, payload: Record<string, unknown>): Promise<void> {
    const row: Row = [
      stationId,
      payload.connectorId as number,
      (payload.transactionId as number | undefined) ?? null,
      JSON.stringify(payload.meterValue),
    ];
    return new Promise((resolve, reject) => {
      if (this.#pending.length === 0) setImmediate(() => this.#commit());
      this.#pending.push({ row, resolve, reject });
    });
  }

  #commit(): void {
    const batch = this.#pending;
    this.#pending = [];
    try {
      this.#db.exec('BEGIN');
      for (const { row } of batch) this.#insert.run(...row);
      this.#db.exec('COMMIT');
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      for (const write of batch) write.reject(error);
      return;
    }
    for (const write of batch) write.resolve();
  }
}
