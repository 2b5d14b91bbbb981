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
import { distinctFlags } from '../transaction-changes.ts';
import { type Row, jsonText, records } from './columns.ts';
import type { PostgresDatabase, Statement } from './database.ts';
import { POSTGRES_STATION_LIST } from '../station-list-sql.ts';

const DEFAULT_LIST_LIMIT = 100;
/** Named columns, not `*`: a prepared statement's result type then survives a later migration adding a column. */
const COLUMNS = `id, station_tx_id, station_id, evse_id, connector_id, id_token, started_at, stopped_at, meter_start_wh,
  meter_stop_wh, last_meter_wh, energy_wh, stop_reason, stop_id_token, reservation_id, charging_state, last_seq_no,
  remote_start_id, flags, created_at, updated_at, last_meter_at`;
const NEWEST_FIRST = 'ORDER BY started_at DESC, id DESC';
/** Attempts of `start` when its insert was skipped but no matching row was found (see `start`). */
const MAX_START_ATTEMPTS = 3;

/**
 * Inserts a new transaction unless a unique index says it exists (same station transaction id, or same station,
 * start time, EVSE, connector and id token). The id is taken from the sequence first, so that a Joule-assigned
 * station transaction id (1.6) is written with the row.
 */
const INSERT = {
  name: 'joule_transactions_insert',
  text: `INSERT INTO transactions (id, station_tx_id, station_id, evse_id, connector_id, id_token, started_at,
      meter_start_wh, reservation_id, flags, created_at, updated_at, charging_state, last_seq_no, remote_start_id)
    SELECT next.id, coalesce($1::text, next.id::text), $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $10, $11, $12, $13
    FROM (SELECT nextval('transactions_id_seq') AS id) AS next
    ON CONFLICT DO NOTHING
    RETURNING ${COLUMNS}`,
};
const SELECT_BY_ID = { name: 'joule_transactions_by_id', text: `SELECT ${COLUMNS} FROM transactions WHERE id = $1` };
const SELECT_BY_STATION_TX_ID = {
  name: 'joule_transactions_by_station_tx_id',
  text: `SELECT ${COLUMNS} FROM transactions WHERE station_id = $1 AND station_tx_id = $2`,
};
const SELECT_SAME_START = {
  name: 'joule_transactions_same_start',
  text: `SELECT ${COLUMNS} FROM transactions
    WHERE station_id = $1 AND started_at = $2 AND evse_id = $3 AND connector_id = $4
      AND CASE WHEN $5::text IS NULL THEN id_token IS NULL ELSE lower(id_token) = lower($5::text COLLATE "C") END
    ORDER BY id LIMIT 1`,
};
/**
 * The transaction's flags followed by those of the jsonb array parameter `$n` (distinct, see distinctFlags) that it
 * does not hold yet, in their order.
 */
function withFlags(parameter: number): string {
  return `flags || coalesce((SELECT jsonb_agg(added.flag ORDER BY added.position)
      FROM jsonb_array_elements($${parameter}::jsonb) WITH ORDINALITY AS added(flag, position)
      WHERE NOT transactions.flags @> jsonb_build_array(added.flag)), '[]'::jsonb)`;
}

/**
 * Stops a running transaction. The energy is the one given when `$7` (even null), else computed as the SQLite
 * adapter does (transaction-changes.ts: null if unknown or negative); chargingState and lastSeqNo change when
 * `$10` and `$12` say they were given.
 */
const STOP = {
  name: 'joule_transactions_stop',
  text: `UPDATE transactions SET stopped_at = $2, meter_stop_wh = $3::float8,
      energy_wh = CASE WHEN $7::boolean THEN $8::float8
        WHEN meter_start_wh IS NULL OR $3::float8 IS NULL OR $3::float8 - meter_start_wh < 0 THEN NULL
        ELSE $3::float8 - meter_start_wh END,
      stop_reason = $4, stop_id_token = $5, updated_at = $6,
      flags = ${withFlags(9)},
      charging_state = CASE WHEN $10::boolean THEN $11::text ELSE charging_state END,
      last_seq_no = CASE WHEN $12::boolean THEN $13::bigint ELSE last_seq_no END
    WHERE id = $1 AND stopped_at IS NULL
    RETURNING ${COLUMNS}`,
};
/**
 * Changes the given fields (see amendmentValues: a null non-nullable field, or a false "given" flag, keeps the
 * stored value). A given energy applies to a stopped transaction only.
 */
const AMEND = {
  name: 'joule_transactions_amend',
  text: `UPDATE transactions SET
      started_at = coalesce($2::text, started_at),
      evse_id = coalesce($3::bigint, evse_id),
      connector_id = coalesce($4::bigint, connector_id),
      meter_start_wh = CASE WHEN $5::boolean THEN $6::float8 ELSE meter_start_wh END,
      id_token = CASE WHEN $7::boolean THEN $8::text ELSE id_token END,
      reservation_id = CASE WHEN $9::boolean THEN $10::bigint ELSE reservation_id END,
      charging_state = CASE WHEN $11::boolean THEN $12::text ELSE charging_state END,
      last_seq_no = CASE WHEN $13::boolean THEN $14::bigint ELSE last_seq_no END,
      remote_start_id = CASE WHEN $15::boolean THEN $16::bigint ELSE remote_start_id END,
      energy_wh = CASE WHEN $17::boolean AND stopped_at IS NOT NULL THEN $18::float8 ELSE energy_wh END,
      flags = ${withFlags(19)},
      updated_at = $20
    WHERE id = $1
    RETURNING ${COLUMNS}`,
};
const SELECT_ACTIVE_FOR_STATION = {
  name: 'joule_transactions_active_for_station',
  text: `SELECT ${COLUMNS} FROM transactions WHERE station_id = $1 AND stopped_at IS NULL ORDER BY started_at, id`,
};
const SELECT_INACTIVE_SINCE = {
  name: 'joule_transactions_inactive_since',
  text: `SELECT ${COLUMNS} FROM transactions WHERE stopped_at IS NULL AND updated_at < $1 ORDER BY updated_at, id
    LIMIT $2`,
};
const UPDATE_METER = {
  name: 'joule_transactions_update_meter',
  text: `UPDATE transactions SET last_meter_wh = $2, last_meter_at = $3, updated_at = $4
    WHERE id = $1 AND stopped_at IS NULL AND (last_meter_at IS NULL OR last_meter_at <= $3)`,
};
/** The pending registers of many transactions (ids, registers, reading times, report times), one statement. */
const UPDATE_METERS = {
  name: 'joule_transactions_update_meters',
  text: `UPDATE transactions AS t SET last_meter_wh = u.wh, last_meter_at = u.at, updated_at = u.reported
    FROM unnest($1::int8[], $2::float8[], $3::text[], $4::text[]) AS u(id, wh, at, reported)
    WHERE t.id = u.id AND t.stopped_at IS NULL AND (t.last_meter_at IS NULL OR t.last_meter_at <= u.at)`,
};
const SELECT_ACTIVE_FOR_ID_TOKEN = {
  name: 'joule_transactions_active_for_id_token',
  text: `SELECT ${COLUMNS} FROM transactions WHERE lower(id_token) = lower($1::text COLLATE "C") AND stopped_at IS NULL
    ORDER BY started_at, id`,
};
const SELECT_ACTIVE_FOR_CONNECTOR = {
  name: 'joule_transactions_active_for_connector',
  text: `SELECT ${COLUMNS} FROM transactions
    WHERE station_id = $1 AND evse_id = $2 AND connector_id = $3 AND stopped_at IS NULL ${NEWEST_FIRST} LIMIT 1`,
};

/**
 * Transactions on PostgreSQL. The id is a `bigserial` (never reused), shown as a decimal string. Idempotency rests on
 * unique indexes rather than on a read before the write, so that it holds across Joule processes: a start is an
 * `INSERT ... ON CONFLICT DO NOTHING`, and when it inserted nothing the existing row is read; a stop updates only a
 * running transaction; an amendment is one UPDATE, so concurrent changes never lose each other's fields. Every change
 * sets `updated_at`, which `inactiveSince` relies on. The table also keeps `last_meter_at`, the time of the reading in `last_meter_wh`, so that a
 * late (older) reading never replaces a newer one.
 *
 * The latest energy register (`updateMeter`, once per MeterValues) is written behind, as on SQLite: kept in memory
 * (PendingMeters), merged into this process's reads, and written for all transactions in one statement every
 * `meterFlushMs`, before a stop or amendment of the same row, and on `close()`. One UPDATE (a commit) per MeterValues
 * held the store to about 5,000 MeterValues/s (`npm run bench:store -- --postgres`). Other nodes see the register up
 * to `meterFlushMs` late; the readings themselves are durable before they are acknowledged.
 */
export class PostgresTransactionRepository implements TransactionRepository {
  readonly #db: PostgresDatabase;
  readonly #listStatements = new Map<string, Statement>();
  readonly #pendingMeters = new PendingMeters();
  readonly #flushTimer: NodeJS.Timeout;

  constructor(db: PostgresDatabase, options: { meterFlushMs: number }) {
    this.#db = db;
    this.#flushTimer = setInterval(() => void this.#flushMeters(false), options.meterFlushMs);
    this.#flushTimer.unref();
  }

  async start(start: TransactionStart): Promise<{ record: TransactionRecord; duplicate: boolean }> {
    for (let attempt = 1; ; attempt += 1) {
      const {
        rows: [inserted],
      } = await this.#db.write(INSERT, [
        start.stationTxId ?? null,
        start.stationId,
        start.evseId,
        start.connectorId,
        start.idToken,
        start.startedAt,
        start.meterStartWh,
        start.reservationId ?? null,
        jsonText(start.flags ?? []),
        new Date().toISOString(),
        start.chargingState ?? null,
        start.lastSeqNo ?? null,
        start.remoteStartId ?? null,
      ]);
      if (inserted !== undefined) return { record: this.#toRecord(inserted), duplicate: false };
      // The insert conflicted with a committed row: that row is the one this start replays.
      const existing = await this.#findExisting(start);
      if (existing !== undefined) return { record: existing, duplicate: true };
      // Nothing matched: the conflict was a Joule-assigned id equal to a station transaction id the station used
      // before; the next attempt takes the next id.
      if (attempt >= MAX_START_ATTEMPTS) throw new Error('transactions: start conflicted but no existing row matched');
    }
  }

  async stop(stop: TransactionStop): Promise<{ record: TransactionRecord; duplicate: boolean } | undefined> {
    const id = parseId(stop.id);
    if (id === undefined) return undefined;
    await this.#applyPendingMeter(stop.id, id);
    const {
      rows: [stopped],
    } = await this.#db.write(STOP, [
      id,
      stop.stoppedAt,
      stop.meterStopWh,
      stop.stopReason,
      stop.stopIdToken,
      new Date().toISOString(),
      stop.energyWh !== undefined,
      stop.energyWh ?? null,
      jsonText(distinctFlags(stop.addFlags)),
      stop.chargingState !== undefined,
      stop.chargingState ?? null,
      stop.lastSeqNo !== undefined,
      stop.lastSeqNo ?? null,
    ]);
    if (stopped !== undefined) return { record: this.#toRecord(stopped), duplicate: false };
    const current = await this.get(id);
    return current === undefined ? undefined : { record: current, duplicate: true };
  }

  updateMeter(id: string, lastMeterWh: number, at: string): Promise<void> {
    if (parseId(id) !== undefined) this.#pendingMeters.record(id, { lastMeterWh, at, reportedAt: Date.now() });
    return Promise.resolve();
  }

  async get(id: string): Promise<TransactionRecord | undefined> {
    const rowId = parseId(id);
    if (rowId === undefined) return undefined;
    return this.#optional(await this.#db.read(SELECT_BY_ID, [rowId]));
  }

  async findByStationTxId(stationId: string, stationTxId: string): Promise<TransactionRecord | undefined> {
    return this.#optional(await this.#db.read(SELECT_BY_STATION_TX_ID, [stationId, stationTxId]));
  }

  async list(query: TransactionQuery): Promise<TransactionRecord[]> {
    const statement = this.#listStatement(query.stationId !== undefined, query.stationIds !== undefined, query.active);
    const parameters: unknown[] = [];
    if (query.stationId !== undefined) parameters.push(query.stationId);
    if (query.stationIds !== undefined) parameters.push(POSTGRES_STATION_LIST.value(query.stationIds));
    const rows = await this.#db.read(statement, [
      ...parameters,
      query.limit ?? DEFAULT_LIST_LIMIT,
      query.offset ?? 0,
    ]);
    return rows.map(this.#toRecord);
  }

  async activeForIdToken(idToken: string): Promise<TransactionRecord[]> {
    return (await this.#db.read(SELECT_ACTIVE_FOR_ID_TOKEN, [idToken])).map(this.#toRecord);
  }

  async activeForConnector(stationId: string, evseId: number, connectorId: number): Promise<TransactionRecord | undefined> {
    return this.#optional(await this.#db.read(SELECT_ACTIVE_FOR_CONNECTOR, [stationId, evseId, connectorId]));
  }

  async amend(id: string, amendment: TransactionAmendment): Promise<TransactionRecord | undefined> {
    const rowId = parseId(id);
    if (rowId === undefined) return undefined;
    await this.#applyPendingMeter(id, rowId);
    const { rows } = await this.#db.write(AMEND, [rowId, ...amendmentValues(amendment), new Date().toISOString()]);
    return this.#optional(rows);
  }

  async activeForStation(stationId: string): Promise<TransactionRecord[]> {
    return (await this.#db.read(SELECT_ACTIVE_FOR_STATION, [stationId])).map(this.#toRecord);
  }

  async inactiveSince(before: string, limit: number): Promise<TransactionRecord[]> {
    // A register reported since `before` but not yet written makes the transaction active after all.
    const rows = await this.#db.read(SELECT_INACTIVE_SINCE, [before, limit]);
    return rows.map(this.#toRecord).filter((tx) => isLaterIso(before, tx.updatedAt));
  }

  /** Stops the periodic meter flush and writes what is pending (the store calls this while closing). */
  close(): Promise<void> {
    clearInterval(this.#flushTimer);
    return this.#flushMeters(true);
  }

  /** Writes every pending register in one statement; on failure they stay pending for the next attempt. */
  async #flushMeters(internal: boolean): Promise<void> {
    if (this.#pendingMeters.size === 0) return;
    const meters = this.#pendingMeters.takeAll();
    try {
      await this.#db.write(
        UPDATE_METERS,
        [
          meters.map(([id]) => id),
          meters.map(([, meter]) => meter.lastMeterWh),
          meters.map(([, meter]) => meter.at),
          meters.map(([, meter]) => reportedAtIso(meter)),
        ],
        meters.length,
        internal,
      );
      this.#pendingMeters.written(meters);
    } catch {
      this.#pendingMeters.restore(meters);
    }
  }

  /** Before another change of the row: writes its pending register; on failure keeps it pending and fails. */
  async #applyPendingMeter(id: string, rowId: string): Promise<void> {
    const meter = this.#pendingMeters.take(id);
    if (meter === undefined) return;
    try {
      await this.#db.write(UPDATE_METER, [rowId, meter.lastMeterWh, meter.at, reportedAtIso(meter)]);
      this.#pendingMeters.written([[id, meter]]);
    } catch (error) {
      this.#pendingMeters.restore([[id, meter]]);
      throw error;
    }
  }

  /** The row as a record, with this process's pending register merged in (unless the row holds a later one). */
  readonly #toRecord = (row: Row): TransactionRecord =>
    this.#pendingMeters.merge(records.transaction(row), row['last_meter_at']);

  #optional(rows: Row[]): TransactionRecord | undefined {
    const [row] = rows;
    return row === undefined ? undefined : this.#toRecord(row);
  }

  /** The transaction a replayed start refers to: same station transaction id first, then same start. */
  async #findExisting(start: TransactionStart): Promise<TransactionRecord | undefined> {
    if (start.stationTxId !== undefined) {
      const byStationTxId = this.#optional(
        await this.#db.read(SELECT_BY_STATION_TX_ID, [start.stationId, start.stationTxId]),
      );
      if (byStationTxId !== undefined) return byStationTxId;
    }
    return this.#optional(
      await this.#db.read(SELECT_SAME_START, [
        start.stationId,
        start.startedAt,
        start.evseId,
        start.connectorId,
        start.idToken,
      ]),
    );
  }

  /** One named statement per filter combination, so that each one gets its own plan and index. */
  #listStatement(byStation: boolean, byStations: boolean, active: boolean | undefined): Statement {
    const key = `${byStation}/${byStations}/${active}`;
    let statement = this.#listStatements.get(key);
    if (statement === undefined) {
      const conditions: string[] = [];
      let next = 1;
      if (byStation) conditions.push(`station_id = $${next++}`);
      if (byStations) conditions.push(POSTGRES_STATION_LIST.condition('station_id', `$${next++}`));
      if (active !== undefined) conditions.push(active ? 'stopped_at IS NULL' : 'stopped_at IS NOT NULL');
      const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
      const first = next;
      const scope = `${byStation ? 'station' : 'all'}${byStations ? '_in_stations' : ''}`;
      statement = {
        name: `joule_transactions_list_${scope}_${active ?? 'any'}`,
        text: `SELECT ${COLUMNS} FROM transactions ${where} ${NEWEST_FIRST} LIMIT $${first} OFFSET $${first + 1}`,
      };
      this.#listStatements.set(key, statement);
    }
    return statement;
  }
}

/** Joule ids are positive integers; anything else names no transaction. Kept as text for the bigint parameter. */
function parseId(id: string): string | undefined {
  return /^[1-9][0-9]{0,14}$/.test(id) ? id : undefined;
}

/** AMEND's parameters $2 to $19. */
function amendmentValues(amendment: TransactionAmendment): unknown[] {
  const nullable = (value: unknown): [boolean, unknown] => [value !== undefined, value ?? null];
  return [
    amendment.startedAt ?? null,
    amendment.evseId ?? null,
    amendment.connectorId ?? null,
    ...nullable(amendment.meterStartWh),
    ...nullable(amendment.idToken),
    ...nullable(amendment.reservationId),
    ...nullable(amendment.chargingState),
    ...nullable(amendment.lastSeqNo),
    ...nullable(amendment.remoteStartId),
    ...nullable(amendment.energyWh),
    jsonText(distinctFlags(amendment.addFlags)),
  ];
}


