import type { MeterValueRecord, MeterValueRepository } from '../ports.ts';
import { emptyAsNull, integer, nullableNumber, nullableText, text, type Row } from './columns.ts';
import type { PostgresDatabase } from './database.ts';
import { MeterValueBatcher, type MeterValueBatcherOptions } from './meter-value-batcher.ts';

const COLUMNS = `station_id, evse_id, connector_id, transaction_id, timestamp, measurand, phase, location, context,
  unit, format, value, numeric_value, received_at`;

const SELECT_FOR_TRANSACTION = {
  name: 'joule_meter_values_for_transaction',
  text: `SELECT ${COLUMNS} FROM meter_values WHERE transaction_id = $1 AND transaction_id <> '' ORDER BY timestamp, id`,
};
const SELECT_FOR_STATION = {
  name: 'joule_meter_values_for_station',
  text: `SELECT ${COLUMNS} FROM meter_values WHERE station_id = $1 ORDER BY timestamp DESC, id DESC LIMIT $2`,
};

/**
 * Meter values on PostgreSQL. Appends go through the {@link MeterValueBatcher} (group commit, one multi-row INSERT per
 * batch); a unique index over the row's identity plus `ON CONFLICT DO NOTHING` skips replayed rows, and the nullable
 * parts of that identity are stored as `''` so that "none" equals "none".
 */
export class PostgresMeterValueRepository implements MeterValueRepository {
  readonly #db: PostgresDatabase;
  readonly #batcher: MeterValueBatcher;

  constructor(db: PostgresDatabase, options: MeterValueBatcherOptions) {
    this.#db = db;
    this.#batcher = new MeterValueBatcher(db, options);
  }

  append(rows: MeterValueRecord[]): Promise<number> {
    return this.#batcher.append(rows);
  }

  async forTransaction(transactionId: string): Promise<MeterValueRecord[]> {
    return (await this.#db.read(SELECT_FOR_TRANSACTION, [transactionId])).map(toMeterValue);
  }

  async forStation(stationId: string, limit: number): Promise<MeterValueRecord[]> {
    return (await this.#db.read(SELECT_FOR_STATION, [stationId, limit])).map(toMeterValue);
  }

  /** Commits the appends still queued. */
  close(): Promise<void> {
    return this.#batcher.close();
  }
}

function toMeterValue(row: Row): MeterValueRecord {
  return {
    stationId: text(row, 'station_id'),
    evseId: integer(row, 'evse_id'),
    connectorId: integer(row, 'connector_id'),
    transactionId: emptyAsNull(row, 'transaction_id'),
    timestamp: text(row, 'timestamp'),
    measurand: text(row, 'measurand'),
    phase: emptyAsNull(row, 'phase'),
    location: emptyAsNull(row, 'location'),
    unit: nullableText(row, 'unit'),
    context: emptyAsNull(row, 'context'),
    format: nullableText(row, 'format'),
    value: text(row, 'value'),
    numericValue: nullableNumber(row, 'numeric_value'),
    receivedAt: text(row, 'received_at'),
  };
}
