import type { StatementSync } from 'node:sqlite';
import type { TransactionEventRecord, TransactionEventRepository } from '../ports.ts';
import { bit, records } from './columns.ts';
import type { SqliteDatabase } from './database.ts';

/**
 * The log of 2.x TransactionEvents; the payload is JSON text. Replays are skipped by the unique indexes of
 * migration 3 (station, station transaction id and seqNo; without a seqNo, event type and timestamp):
 * `ON CONFLICT DO NOTHING` changes no row, and that is the `duplicate` answer.
 */
export class SqliteTransactionEventRepository implements TransactionEventRepository {
  readonly #db: SqliteDatabase;
  readonly #insert: StatementSync;
  readonly #selectForStationTx: StatementSync;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO transaction_events (station_id, station_tx_id, seq_no, event_type,
        trigger_reason, timestamp, offline, transaction_id, payload, received_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT DO NOTHING`);
    this.#selectForStationTx = db.prepare(`SELECT * FROM transaction_events
      WHERE station_id = ? AND station_tx_id = ? ORDER BY seq_no NULLS LAST, timestamp, id`);
  }

  append(event: TransactionEventRecord): Promise<{ duplicate: boolean }> {
    let payload: string;
    try {
      payload = JSON.stringify(event.payload);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#db.write(() => {
      const { changes } = this.#insert.run(
        event.stationId,
        event.stationTxId,
        event.seqNo,
        event.eventType,
        event.triggerReason,
        event.timestamp,
        bit(event.offline),
        event.transactionId,
        payload,
        event.receivedAt,
      );
      return { duplicate: Number(changes) === 0 };
    });
  }

  forStationTx(stationId: string, stationTxId: string): Promise<TransactionEventRecord[]> {
    return this.#db.read(() => this.#selectForStationTx.all(stationId, stationTxId).map(records.transactionEvent));
  }
}
