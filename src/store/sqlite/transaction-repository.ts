import type { SQLInputValue, StatementSync } from 'node:sqlite';
import type {
  TransactionAmendment,
  TransactionQuery,
  TransactionRecord,
  TransactionRepository,
  TransactionStart,
  TransactionStop,
} from '../ports.ts';
import { isLaterIso } from '../iso-time.ts';
import { PendingMeters, reportedAtIso, type PendingMeter } from '../pending-meters.ts';
import { energyWh, withFlags } from '../transaction-changes.ts';
import { type Row, integer, records } from './columns.ts';
import type { SqliteDatabase } from './database.ts';
import { WriteBehind } from './write-behind.ts';
import { SQLITE_STATION_LIST } from '../station-list-sql.ts';

const DEFAULT_LIST_LIMIT = 100;
const NEWEST_FIRST = 'ORDER BY started_at DESC, id DESC';

/**
 * Transactions on SQLite. The id is the INTEGER AUTOINCREMENT key (never reused), shown as a decimal string.
 * The table also keeps `last_meter_at`, the time of the reading in `last_meter_wh`, so that a late (older) reading
 * never replaces a newer one. Changes read the row and write it back inside one queued write (the write queue runs
 * one write at a time in one connection), and every change sets `updated_at`, which `inactiveSince` relies on.
 *
 * The latest energy register (`updateMeter`, once per MeterValues) is not written per message: it is kept in memory
 * (PendingMeters) and written for all transactions in one write every `meterFlushMs`, on `close()`, and before any
 * other change of the same row (stop, amend). Reads of this process merge it in. Each such write dirtied one page
 * per reporting transaction in every group commit; the readings themselves are stored durably before they are
 * acknowledged, so what a crash can cost is the transaction's copy of its newest register for up to `meterFlushMs`,
 * until the station's next reading or its stop (which carries its own meter value).
 */
export class SqliteTransactionRepository implements TransactionRepository {
  readonly #db: SqliteDatabase;
  readonly #selectById: StatementSync;
  readonly #selectByStationTxId: StatementSync;
  readonly #selectSameStart: StatementSync;
  readonly #selectNextId: StatementSync;
  readonly #insert: StatementSync;
  readonly #stop: StatementSync;
  readonly #updateMeter: StatementSync;
  readonly #selectActiveForIdToken: StatementSync;
  readonly #selectActiveForConnector: StatementSync;
  readonly #amend: StatementSync;
  readonly #selectActiveForStation: StatementSync;
  readonly #selectInactiveSince: StatementSync;
  readonly #listStatements = new Map<string, StatementSync>();
  readonly #pendingMeters = new PendingMeters();
  readonly #flushTimer: NodeJS.Timeout;
  /** Pending registers are written every `meterFlushMs`, a slice at a time. */
  readonly #meterWrites: WriteBehind<[string, PendingMeter]>;

  constructor(db: SqliteDatabase, options: { meterFlushMs: number }) {
    this.#db = db;
    this.#meterWrites = new WriteBehind({
      take: (limit) => this.#pendingMeters.takeUpTo(limit),
      write: (meters) =>
        this.#db.write(() => {
          for (const [id, meter] of meters) this.#runUpdateMeter(Number(id), meter);
        }, meters.length).then(() => this.#pendingMeters.written(meters)),
      putBack: (meters) => this.#pendingMeters.restore(meters),
      pending: () => this.#pendingMeters.size,
    });
    this.#flushTimer = setInterval(() => void this.#meterWrites.flush(), options.meterFlushMs);
    this.#flushTimer.unref();
    this.#selectById = db.prepare('SELECT * FROM transactions WHERE id = ?');
    this.#selectByStationTxId = db.prepare('SELECT * FROM transactions WHERE station_id = ? AND station_tx_id = ?');
    this.#selectSameStart = db.prepare(`SELECT * FROM transactions
      WHERE station_id = ? AND started_at = ? AND evse_id = ? AND connector_id = ? AND id_token IS ?
      ORDER BY id LIMIT 1`);
    // With AUTOINCREMENT, SQLite gives a new row the largest id ever used (kept in sqlite_sequence) plus one.
    // Choosing it first lets a Joule-assigned station transaction id be written with the row.
    this.#selectNextId = db.prepare(`SELECT coalesce(max(seq), 0) + 1 AS id FROM sqlite_sequence
      WHERE name = 'transactions'`);
    this.#insert = db.prepare(`
      INSERT INTO transactions (id, station_tx_id, station_id, evse_id, connector_id, id_token, started_at,
        meter_start_wh, reservation_id, charging_state, last_seq_no, remote_start_id, flags, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      RETURNING *`);
    this.#stop = db.prepare(`
      UPDATE transactions SET stopped_at = ?, meter_stop_wh = ?, energy_wh = ?, stop_reason = ?, stop_id_token = ?,
        charging_state = ?, last_seq_no = ?, flags = ?, updated_at = ?
      WHERE id = ?
      RETURNING *`);
    this.#amend = db.prepare(`
      UPDATE transactions SET started_at = ?, meter_start_wh = ?, id_token = ?, evse_id = ?, connector_id = ?,
        reservation_id = ?, charging_state = ?, last_seq_no = ?, remote_start_id = ?, energy_wh = ?, flags = ?,
        updated_at = ?
      WHERE id = ?
      RETURNING *`);
    this.#updateMeter = db.prepare(`
      UPDATE transactions SET last_meter_wh = ?, last_meter_at = ?, updated_at = ?
      WHERE id = ? AND stopped_at IS NULL AND (last_meter_at IS NULL OR last_meter_at <= ?)`);
    this.#selectActiveForIdToken = db.prepare(`SELECT * FROM transactions
      WHERE id_token = ? AND stopped_at IS NULL ORDER BY started_at, id`);
    this.#selectActiveForConnector = db.prepare(`SELECT * FROM transactions
      WHERE station_id = ? AND evse_id = ? AND connector_id = ? AND stopped_at IS NULL ${NEWEST_FIRST} LIMIT 1`);
    this.#selectActiveForStation = db.prepare(`SELECT * FROM transactions
      WHERE station_id = ? AND stopped_at IS NULL ORDER BY started_at, id`);
    this.#selectInactiveSince = db.prepare(`SELECT * FROM transactions
      WHERE stopped_at IS NULL AND updated_at < ? ORDER BY updated_at, id LIMIT ?`);
  }

  start(start: TransactionStart): Promise<{ record: TransactionRecord; duplicate: boolean }> {
    return this.#db.write(() => {
      const existing =
        (start.stationTxId === undefined ? undefined : this.#selectByStationTxId.get(start.stationId, start.stationTxId)) ??
        this.#selectSameStart.get(start.stationId, start.startedAt, start.evseId, start.connectorId, start.idToken);
      if (existing !== undefined) return { record: this.#toRecord(existing), duplicate: true };

      const id = integer(this.#selectNextId.get() ?? {}, 'id');
      const now = new Date().toISOString();
      const row = this.#insert.get(
        id,
        start.stationTxId ?? String(id),
        start.stationId,
        start.evseId,
        start.connectorId,
        start.idToken,
        start.startedAt,
        start.meterStartWh,
        start.reservationId ?? null,
        start.chargingState ?? null,
        start.lastSeqNo ?? null,
        start.remoteStartId ?? null,
        JSON.stringify(start.flags ?? []),
        now,
        now,
      );
      return { record: records.transaction(expectRow(row)), duplicate: false };
    });
  }

  stop(stop: TransactionStop): Promise<{ record: TransactionRecord; duplicate: boolean } | undefined> {
    const id = parseId(stop.id);
    if (id === undefined) return Promise.resolve(undefined);
    let applied: PendingMeter | undefined;
    return this.#db.write(() => {
      applied = this.#applyPendingMeter(stop.id, id);
      const row = this.#selectById.get(id);
      if (row === undefined) return undefined;
      const current = records.transaction(row);
      if (current.stoppedAt !== null) return { record: current, duplicate: true };
      const stopped = this.#stop.get(
        stop.stoppedAt,
        stop.meterStopWh,
        stop.energyWh === undefined ? energyWh(current.meterStartWh, stop.meterStopWh) : stop.energyWh,
        stop.stopReason,
        stop.stopIdToken,
        stop.chargingState === undefined ? current.chargingState : stop.chargingState,
        stop.lastSeqNo === undefined ? current.lastSeqNo : stop.lastSeqNo,
        JSON.stringify(withFlags(current.flags, stop.addFlags)),
        new Date().toISOString(),
        id,
      );
      return { record: records.transaction(expectRow(stopped)), duplicate: false };
    }).then(
      (result) => this.#meterWritten(stop.id, applied, result),
      (error: unknown) => this.#restoreMeter(stop.id, applied, error),
    );
  }

  updateMeter(id: string, lastMeterWh: number, at: string): Promise<void> {
    if (parseId(id) !== undefined) this.#pendingMeters.record(id, { lastMeterWh, at, reportedAt: Date.now() });
    return Promise.resolve();
  }

  get(id: string): Promise<TransactionRecord | undefined> {
    const rowId = parseId(id);
    if (rowId === undefined) return Promise.resolve(undefined);
    return this.#db.read(() => this.#optional(this.#selectById.get(rowId)));
  }

  findByStationTxId(stationId: string, stationTxId: string): Promise<TransactionRecord | undefined> {
    return this.#db.read(() => this.#optional(this.#selectByStationTxId.get(stationId, stationTxId)));
  }

  list(query: TransactionQuery): Promise<TransactionRecord[]> {
    return this.#db.read(() => {
      const statement = this.#listStatement(query.stationId !== undefined, query.stationIds !== undefined, query.active);
      const parameters: SQLInputValue[] = [];
      if (query.stationId !== undefined) parameters.push(query.stationId);
      if (query.stationIds !== undefined) parameters.push(SQLITE_STATION_LIST.value(query.stationIds) as string);
      return statement
        .all(...parameters, query.limit ?? DEFAULT_LIST_LIMIT, query.offset ?? 0)
        .map(this.#toRecord);
    });
  }

  activeForIdToken(idToken: string): Promise<TransactionRecord[]> {
    return this.#db.read(() => this.#selectActiveForIdToken.all(idToken).map(this.#toRecord));
  }

  activeForConnector(stationId: string, evseId: number, connectorId: number): Promise<TransactionRecord | undefined> {
    return this.#db.read(() =>
      this.#optional(this.#selectActiveForConnector.get(stationId, evseId, connectorId)),
    );
  }

  amend(id: string, amendment: TransactionAmendment): Promise<TransactionRecord | undefined> {
    const rowId = parseId(id);
    if (rowId === undefined) return Promise.resolve(undefined);
    let applied: PendingMeter | undefined;
    return this.#db.write(() => {
      applied = this.#applyPendingMeter(id, rowId);
      const row = this.#selectById.get(rowId);
      if (row === undefined) return undefined;
      const current = records.transaction(row);
      const given = <K extends keyof TransactionAmendment & keyof TransactionRecord>(field: K): TransactionRecord[K] => {
        const value = amendment[field];
        return value === undefined ? current[field] : (value as TransactionRecord[K]);
      };
      const amended = this.#amend.get(
        given('startedAt'),
        given('meterStartWh'),
        given('idToken'),
        given('evseId'),
        given('connectorId'),
        given('reservationId'),
        given('chargingState'),
        given('lastSeqNo'),
        given('remoteStartId'),
        // A recomputed energy applies to a stopped transaction only; otherwise the energy stays as it is.
        current.stoppedAt === null ? current.energyWh : given('energyWh'),
        JSON.stringify(withFlags(current.flags, amendment.addFlags)),
        new Date().toISOString(),
        rowId,
      );
      return records.transaction(expectRow(amended));
    }).then(
      (result) => this.#meterWritten(id, applied, result),
      (error: unknown) => this.#restoreMeter(id, applied, error),
    );
  }

  activeForStation(stationId: string): Promise<TransactionRecord[]> {
    return this.#db.read(() => this.#selectActiveForStation.all(stationId).map(this.#toRecord));
  }

  inactiveSince(before: string, limit: number): Promise<TransactionRecord[]> {
    // A register reported since `before` but not yet written makes the transaction active after all.
    return this.#db.read(() =>
      this.#selectInactiveSince.all(before, limit).map(this.#toRecord).filter((tx) => isLaterIso(before, tx.updatedAt)),
    );
  }

  /** Stops the periodic meter flush and queues the final one, whole (committed when the database closes). */
  close(): Promise<void> {
    clearInterval(this.#flushTimer);
    return this.#meterWrites.flushAll();
  }

  /** Inside a write that changes the row: writes its pending register first, and returns it. */
  #applyPendingMeter(id: string, rowId: number): PendingMeter | undefined {
    const meter = this.#pendingMeters.take(id);
    if (meter !== undefined) this.#runUpdateMeter(rowId, meter);
    return meter;
  }

  /** After a committed write that had taken the pending register: it is in the row now. */
  #meterWritten<T>(id: string, meter: PendingMeter | undefined, result: T): T {
    if (meter !== undefined) this.#pendingMeters.written([[id, meter]]);
    return result;
  }

  /** After a failed write that had taken the pending register: keeps it pending, and fails as the write did. */
  #restoreMeter(id: string, meter: PendingMeter | undefined, error: unknown): never {
    if (meter !== undefined) this.#pendingMeters.restore([[id, meter]]);
    throw error;
  }

  #runUpdateMeter(rowId: number, meter: PendingMeter): void {
    this.#updateMeter.run(meter.lastMeterWh, meter.at, reportedAtIso(meter), rowId, meter.at);
  }

  /** The row as a record, with this process's pending register merged in (unless the row holds a later one). */
  readonly #toRecord = (row: Row): TransactionRecord =>
    this.#pendingMeters.merge(records.transaction(row), row['last_meter_at']);

  #optional(row: Row | undefined): TransactionRecord | undefined {
    return row === undefined ? undefined : this.#toRecord(row);
  }

  /** One prepared statement per filter combination, so that each one can use its index. */
  #listStatement(byStation: boolean, byStations: boolean, active: boolean | undefined): StatementSync {
    const key = `${byStation}/${byStations}/${active}`;
    let statement = this.#listStatements.get(key);
    if (statement === undefined) {
      const conditions: string[] = [];
      if (byStation) conditions.push('station_id = ?');
      if (byStations) conditions.push(SQLITE_STATION_LIST.condition('station_id', '?'));
      if (active !== undefined) conditions.push(active ? 'stopped_at IS NULL' : 'stopped_at IS NOT NULL');
      const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
      statement = this.#db.prepare(`SELECT * FROM transactions ${where} ${NEWEST_FIRST} LIMIT ? OFFSET ?`);
      this.#listStatements.set(key, statement);
    }
    return statement;
  }
}

/** Joule ids are positive integers; anything else names no transaction. */
function parseId(id: string): number | undefined {
  return /^[1-9][0-9]{0,14}$/.test(id) ? Number(id) : undefined;
}

function expectRow(row: Row | undefined): Row {
  if (row === undefined) throw new Error('transactions: RETURNING gave no row');
  return row;
}

