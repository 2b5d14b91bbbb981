import { flattenReading, type StoredReading } from '../meter-readings.ts';
import type { MeterReading, MeterValueRecord, MeterValueRepository } from '../ports.ts';
import { emptyAsNull, integer, text, type Row } from './columns.ts';
import type { PostgresDatabase } from './database.ts';
import { MeterValueBatcher, type MeterValueBatcherOptions } from './meter-value-batcher.ts';

const COLUMNS = 'station_id, evse_id, connector_id, transaction_id, timestamp, samples, received_at';

const SELECT_FOR_TRANSACTION = {
  name: 'joule_meter_readings_for_transaction',
  text: `SELECT ${COLUMNS} FROM meter_readings WHERE station_id = $1 AND transaction_id = $2 AND transaction_id <> ''
    ORDER BY timestamp, id`,
};
/** Every stored reading has at least one sampled value, so `limit` readings hold at least `limit` values. */
const SELECT_FOR_STATION = {
  name: 'joule_meter_readings_for_station',
  text: `SELECT ${COLUMNS} FROM meter_readings WHERE station_id = $1 ORDER BY timestamp DESC, id DESC LIMIT $2`,
};

/**
 * Meter readings on PostgreSQL, one row per reading with its sampled values as JSON text (see
 * `../meter-readings.ts`). Appends go through the {@link MeterValueBatcher} (group commit, one multi-row INSERT per
 * batch); a unique index over (station, timestamp, evse, connector, transaction, digest of the sampled values) plus
 * `ON CONFLICT DO NOTHING` skips replayed readings, and a reading without a transaction stores `''` there so that
 * "none" equals "none". Reads flatten the readings into one record per sampled value.
 */
export class PostgresMeterValueRepository implements MeterValueRepository {
  readonly #db: PostgresDatabase;
  readonly #batcher: MeterValueBatcher;

  constructor(db: PostgresDatabase, options: MeterValueBatcherOptions) {
    this.#db = db;
    this.#batcher = new MeterValueBatcher(db, options);
  }

  append(readings: MeterReading[]): Promise<number> {
    return this.#batcher.append(readings);
  }

  async forTransaction(stationId: string, transactionId: string): Promise<MeterValueRecord[]> {
    const records: MeterValueRecord[] = [];
    for (const row of await this.#db.read(SELECT_FOR_TRANSACTION, [stationId, transactionId])) {
      flattenReading(toReading(row), text(row, 'samples'), records);
    }
    return records;
  }

  async forStation(stationId: string, limit: number): Promise<MeterValueRecord[]> {
    const records: MeterValueRecord[] = [];
    if (limit <= 0) return records;
    for (const row of await this.#db.read(SELECT_FOR_STATION, [stationId, limit])) {
      flattenReading(toReading(row), text(row, 'samples'), records, limit - records.length);
      if (records.length >= limit) break;
    }
    return records;
  }

  /** Commits the appends still queued. */
  close(): Promise<void> {
    return this.#batcher.close();
  }
}

function toReading(row: Row): StoredReading {
  return {
    stationId: text(row, 'station_id'),
    evseId: integer(row, 'evse_id'),
    connectorId: integer(row, 'connector_id'),
    transactionId: emptyAsNull(row, 'transaction_id'),
    timestamp: text(row, 'timestamp'),
    receivedAt: text(row, 'received_at'),
  };
}
