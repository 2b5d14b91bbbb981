import type { TransactionEventRecord, TransactionEventRepository } from '../ports.ts';
import { jsonText, records } from './columns.ts';
import type { PostgresDatabase } from './database.ts';

const COLUMNS = `station_id, station_tx_id, seq_no, event_type, trigger_reason, timestamp, offline, transaction_id,
  payload, received_at`;

/** Inserts the event unless a unique index of migration 3 says it is a replay (then no row is returned). */
const INSERT = {
  name: 'joule_transaction_events_insert',
  text: `INSERT INTO transaction_events (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)
    ON CONFLICT DO NOTHING`,
};
const SELECT_FOR_STATION_TX = {
  name: 'joule_transaction_events_for_station_tx',
  text: `SELECT ${COLUMNS} FROM transaction_events WHERE station_id = $1 AND station_tx_id = $2
    ORDER BY seq_no NULLS LAST, timestamp, id`,
};

/**
 * The log of 2.x TransactionEvents; the payload is jsonb. Replays are recognised by unique indexes (station, station
 * transaction id and seqNo; without a seqNo, event type and timestamp), so two Joule processes receiving the same
 * event still keep it once.
 */
export class PostgresTransactionEventRepository implements TransactionEventRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async append(event: TransactionEventRecord): Promise<{ duplicate: boolean }> {
    const { count } = await this.#db.write(INSERT, [
      event.stationId,
      event.stationTxId,
      event.seqNo,
      event.eventType,
      event.triggerReason,
      event.timestamp,
      event.offline,
      event.transactionId,
      jsonText(event.payload),
      event.receivedAt,
    ]);
    return { duplicate: count === 0 };
  }

  async forStationTx(stationId: string, stationTxId: string): Promise<TransactionEventRecord[]> {
    return (await this.#db.read(SELECT_FOR_STATION_TX, [stationId, stationTxId])).map(records.transactionEvent);
  }
}
