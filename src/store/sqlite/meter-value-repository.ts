import type { StatementSync } from 'node:sqlite';
import type { MeterValueRecord, MeterValueRepository } from '../ports.ts';
import { emptyAsNull, integer, nullableNumber, nullableText, text, type Row } from './columns.ts';
import type { SqliteDatabase } from './database.ts';

const COLUMNS = `station_id, evse_id, connector_id, transaction_id, timestamp, measurand, phase, location, context,
  unit, format, value, numeric_value, received_at`;

/**
 * Meter values on SQLite. A unique index over the row's identity (station, evse, connector, transaction, timestamp,
 * measurand, phase, location, context, value) plus `INSERT OR IGNORE` skips replayed rows; the nullable parts of
 * that identity are stored as `''` so that "none" equals "none".
 */
export class SqliteMeterValueRepository implements MeterValueRepository {
  readonly #db: SqliteDatabase;
  readonly #insert: StatementSync;
  readonly #selectForTransaction: StatementSync;
  readonly #selectForStation: StatementSync;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT OR IGNORE INTO meter_values (${COLUMNS})
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#selectForTransaction = db.prepare(`SELECT ${COLUMNS} FROM meter_values
      WHERE transaction_id = ? AND transaction_id <> '' ORDER BY timestamp, id`);
    this.#selectForStation = db.prepare(`SELECT ${COLUMNS} FROM meter_values
      WHERE station_id = ? ORDER BY timestamp DESC, id DESC LIMIT ?`);
  }

  append(rows: MeterValueRecord[]): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    return this.#db.write(() => {
      let inserted = 0;
      for (const row of rows) {
        const result = this.#insert.run(
          row.stationId,
          row.evseId,
          row.connectorId,
          row.transactionId ?? '',
          row.timestamp,
          row.measurand,
          row.phase ?? '',
          row.location ?? '',
          row.context ?? '',
          row.unit,
          row.format,
          row.value,
          row.numericValue,
          row.receivedAt,
        );
        inserted += Number(result.changes);
      }
      return inserted;
    }, rows.length);
  }

  forTransaction(transactionId: string): Promise<MeterValueRecord[]> {
    return this.#db.read(() => this.#selectForTransaction.all(transactionId).map(toMeterValue));
  }

  forStation(stationId: string, limit: number): Promise<MeterValueRecord[]> {
    return this.#db.read(() => this.#selectForStation.all(stationId, limit).map(toMeterValue));
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
