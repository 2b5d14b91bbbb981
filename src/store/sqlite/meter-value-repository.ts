import type { StatementSync } from 'node:sqlite';
import { encodeSamples, flattenReading, samplesDigest, type StoredReading } from '../meter-readings.ts';
import type { MeterReading, MeterValueRecord, MeterValueRepository } from '../ports.ts';
import { emptyAsNull, integer, text, type Row } from './columns.ts';
import type { SqliteDatabase } from './database.ts';
import { INDEX_SCHEMA, isDamaged, markIndexDamaged } from './station-index.ts';

/** A reading's columns as the reads flatten them. */
const READING_COLUMNS = 'station_id, evse_id, connector_id, transaction_id, timestamp, samples, received_at, id';

/**
 * A station's readings (`?1`) read from the table alone, `where` narrowing them: the tail after the station index's
 * mark, or (index found damaged) all of them, every row looked at.
 */
function tableReadings(where: string): string {
  return `SELECT ${READING_COLUMNS} FROM meter_readings NOT INDEXED WHERE ${where}station_id = ?1`;
}

/**
 * A station's readings (`?1`): those with station entries (`meter_readings_by_station`, see station-index.ts), merged
 * with the tail that has none yet (rowids after the index's mark, read from the table by rowid), in one statement so
 * that both parts come from one snapshot whichever process moves the mark meanwhile. `and(prefix)` adds a condition
 * to both parts, with its columns under `prefix`. The caller appends `ORDER BY`.
 */
function stationReadings(and: (prefix: string) => string = () => ''): string {
  return `
    SELECT r.station_id, r.evse_id, r.connector_id, r.transaction_id, s.timestamp AS timestamp, r.samples,
        r.received_at, s.id AS id
      FROM ${INDEX_SCHEMA}.meter_readings_by_station s CROSS JOIN meter_readings r ON r.id = s.id
      WHERE s.station_id = ?1 ${and('s.')}
    UNION ALL
    ${tableReadings(`id > (SELECT through_id FROM ${INDEX_SCHEMA}.state) AND `)} ${and('')}`;
}

/** The condition both reads of a transaction's readings add (`?2`: the transaction). */
const OF_TRANSACTION = (prefix: string): string => `AND ${prefix}transaction_id = ?2 AND ?2 <> ''`;

/**
 * Meter readings on SQLite, one row per reading with its sampled values as JSON (see `../meter-readings.ts`). A
 * unique index over (timestamp, station, evse, connector, transaction, digest of the sampled values) plus
 * `INSERT OR IGNORE` skips replayed readings; a reading without a transaction stores `''` there so that "none"
 * equals "none". It is led by time because readings arrive in time order: a commit adds to one or two of its pages,
 * however many stations reported in it. A station's (and a transaction's) readings are found through the station
 * index, written in bulk a moment later in a file of its own (station-index.ts), plus the few readings stored since.
 * Reads flatten the readings into one record per sampled value.
 */
export class SqliteMeterValueRepository implements MeterValueRepository {
  readonly #db: SqliteDatabase;
  readonly #insert: StatementSync;
  readonly #selectForTransaction: StatementSync;
  readonly #selectForStation: StatementSync;
  readonly #scanForTransaction: StatementSync;
  readonly #scanForStation: StatementSync;
  readonly #file: string | undefined;
  readonly #onIndexDamaged: (message: string) => void;
  /** The station index was found damaged: reads scan the table until the store is opened again (and the index rebuilt). */
  #indexDamaged = false;

  /** `file`: the store's file on disk (none in memory); `onIndexDamaged` hears once that the station index is damaged. */
  constructor(db: SqliteDatabase, options: { file?: string | undefined; onIndexDamaged?: (message: string) => void } = {}) {
    this.#db = db;
    this.#file = options.file;
    this.#onIndexDamaged = options.onIndexDamaged ?? (() => {});
    this.#insert = db.prepare(`INSERT OR IGNORE INTO meter_readings
      (station_id, evse_id, connector_id, transaction_id, timestamp, samples, digest, received_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#selectForTransaction = db.prepare(`${stationReadings(OF_TRANSACTION)} ORDER BY timestamp, id`);
    this.#selectForStation = db.prepare(`${stationReadings()} ORDER BY timestamp DESC, id DESC`);
    // Without the station index (found damaged).
    this.#scanForTransaction = db.prepare(`${tableReadings('')} ${OF_TRANSACTION('')} ORDER BY timestamp, id`);
    this.#scanForStation = db.prepare(`${tableReadings('')} ORDER BY timestamp DESC, id DESC`);
  }

  append(readings: MeterReading[]): Promise<number> {
    // Encoded and digested before queueing, so that the commit holds the write lock no longer than the INSERTs.
    let rows: (string | number)[][];
    try {
      rows = toRows(readings);
    } catch (error) {
      return Promise.reject(error);
    }
    if (rows.length === 0) return this.#db.read(() => 0);
    return this.#db.write(() => {
      let inserted = 0;
      for (const row of rows) inserted += Number(this.#insert.run(...row).changes);
      return inserted;
    }, rows.length, rows.length === 1);
  }

  forTransaction(stationId: string, transactionId: string): Promise<MeterValueRecord[]> {
    return this.#db.read(() => this.#throughIndex((indexed) => {
      const records: MeterValueRecord[] = [];
      const statement = indexed ? this.#selectForTransaction : this.#scanForTransaction;
      for (const row of statement.all(stationId, transactionId)) flattenReading(toReading(row), text(row, 'samples'), records);
      return records;
    }));
  }

  forStation(stationId: string, limit: number): Promise<MeterValueRecord[]> {
    return this.#db.read(() => this.#throughIndex((indexed) => {
      const records: MeterValueRecord[] = [];
      if (limit <= 0) return records;
      // Readings hold varying numbers of sampled values: read newest first until `limit` values are found.
      for (const row of (indexed ? this.#selectForStation : this.#scanForStation).iterate(stationId)) {
        flattenReading(toReading(row), text(row, 'samples'), records, limit - records.length);
        if (records.length >= limit) break;
      }
      return records;
    }));
  }

  /**
   * Runs a read through the station index, or (index found damaged, now or before) through the table alone: a read
   * that meets the damage is run again without the index, the damage is marked for a rebuild at the next open, and
   * reported once.
   */
  #throughIndex<T>(read: (indexed: boolean) => T): T {
    if (this.#indexDamaged) return read(false);
    try {
      return read(true);
    } catch (error) {
      if (!isDamaged(error)) throw error;
      this.#indexDamaged = true;
      if (this.#file !== undefined) markIndexDamaged(this.#file);
      this.#onIndexDamaged(`the station index is damaged (${error instanceof Error ? error.message : String(error)}): `
        + 'readings are read from the table (slower) until the store is opened again, when the index is rebuilt');
      return read(false);
    }
  }
}

/** The INSERT parameters of each reading that has sampled values. */
function toRows(readings: MeterReading[]): (string | number)[][] {
  const rows: (string | number)[][] = [];
  for (const reading of readings) {
    if (reading.sampledValues.length === 0) continue;
    const samples = encodeSamples(reading.sampledValues);
    rows.push([
      reading.stationId,
      reading.evseId,
      reading.connectorId,
      reading.transactionId ?? '',
      reading.timestamp,
      samples,
      samplesDigest(samples),
      reading.receivedAt,
    ]);
  }
  return rows;
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
