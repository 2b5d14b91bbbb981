import type { MeterReading } from '../ports.ts';
import { StoreClosedError } from '../commit.ts';
import { encodeSamples, samplesDigest } from '../meter-readings.ts';
import { BinaryArray } from './binary-array.ts';
import { integer } from './columns.ts';
import { isRetryable, type PostgresDatabase, type Queryable } from './database.ts';

export interface MeterValueBatcherOptions {
  /** Readings (rows) in one commit at most (a single larger append gets a commit of its own, in several statements). */
  maxBatchRows: number;
  /** Readings (rows) in one INSERT statement at most. */
  maxStatementRows: number;
  /** Commits in flight at once; appends made while all are busy wait and join the next batch. */
  maxInFlight: number;
  /** How long batches are written skipping replays after one met a replay; default {@link SKIP_REPLAYS_FOR_MS}. */
  skipReplaysForMs?: number;
}

/** A reading as its row: the sampled values encoded and digested once, at append (not again on a retry). */
interface ReadingRow {
  stationId: string;
  evseId: number;
  connectorId: number;
  /** `''` for none. */
  transactionId: string;
  timestamp: string;
  samples: string;
  digest: string;
  receivedAt: string;
}

interface PendingAppend {
  rows: ReadingRow[];
  resolve: (added: number) => void;
  reject: (error: unknown) => void;
}

const MAX_ATTEMPTS = 5;

/** SQLSTATE unique_violation, and the index whose violation means "a replay": a reading stored before. */
const UNIQUE_VIOLATION = '23505';
const IDENTITY_INDEX = 'meter_readings_identity';

/**
 * After a batch met a replay, batches are written with {@link INSERT_SKIPPING_REPLAYS} for this long (ms): a station
 * that resends its readings usually resends several, and each would otherwise cost one failed statement.
 */
export const SKIP_REPLAYS_FOR_MS = 10_000;

/**
 * The common case: a batch of new readings, inserted as they are. The columns travel as one array each (8
 * parameters, whatever the number of rows: no bind-parameter limit, one parse). Without `ON CONFLICT` PostgreSQL
 * descends the identity index once per row, to insert (checking uniqueness on the leaf page), and not a second time
 * beforehand to look for a conflict: on the reference machine that pre-check was a quarter of the database's CPU
 * per row. A replay in the batch fails the statement with a unique violation of the identity index, and the batch is
 * written again with {@link INSERT_SKIPPING_REPLAYS}.
 */
const INSERT_NEW = {
  name: 'joule_meter_readings_insert_new',
  text: `
    INSERT INTO meter_readings (station_id, evse_id, connector_id, transaction_id, timestamp, samples, digest,
      received_at)
    SELECT * FROM unnest($1::text[], $2::int8[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::text[],
      $8::text[])`,
};

/**
 * A batch that may hold replays. Each row carries the index of the append it belongs to ("caller"); `input` gives
 * every row its id from the sequence first, so that the rows the INSERT actually wrote (those not skipped by
 * `ON CONFLICT ... DO NOTHING` as replays) can be joined back to their callers and counted per caller. The conflict
 * target names the identity (the table's primary key since migration 12), so a conflict on anything else still fails.
 */
const INSERT_SKIPPING_REPLAYS = {
  name: 'joule_meter_readings_insert_skipping_replays',
  text: `
    WITH input AS (
      SELECT nextval('meter_readings_id_seq') AS id, t.*
      FROM unnest($1::int4[], $2::text[], $3::int8[], $4::int8[], $5::text[], $6::text[], $7::text[], $8::text[],
        $9::text[])
        AS t(caller, station_id, evse_id, connector_id, transaction_id, timestamp, samples, digest, received_at)
    ), inserted AS (
      INSERT INTO meter_readings (id, station_id, evse_id, connector_id, transaction_id, timestamp, samples, digest,
        received_at)
      SELECT id, station_id, evse_id, connector_id, transaction_id, timestamp, samples, digest, received_at
      FROM input
      ON CONFLICT (station_id, timestamp, evse_id, connector_id, transaction_id, digest) DO NOTHING
      RETURNING id
    )
    SELECT input.caller, count(*) AS added FROM input JOIN inserted USING (id) GROUP BY input.caller`,
};

/**
 * Group commit for meter readings, the bulk of Joule's writes. Appends made during one event-loop turn are coalesced
 * into one batch (up to `maxBatchRows` readings, one row each), written by one multi-row INSERT (several, in one
 * transaction, past `maxStatementRows`) and committed once. While `maxInFlight` batches are being committed, new
 * appends wait and form the next, larger, batch: the busier the store, the bigger the commits. Each append's promise
 * resolves after the commit that holds its rows, with the number of its readings actually inserted (a replay, a
 * reading stored before, is not inserted again).
 *
 * A batch is first written as new readings ({@link INSERT_NEW}); if it holds a replay, that statement fails on the
 * identity index and the batch is written again skipping replays ({@link INSERT_SKIPPING_REPLAYS}), as is every
 * batch for `skipReplaysForMs` after. (PostgreSQL logs each such failure as an ERROR "duplicate key value
 * violates unique constraint meter_readings_identity": at most one per that time.)
 *
 * A batch that fails on a deadlock or serialization error is retried whole; one that fails otherwise (e.g. a text
 * PostgreSQL refuses, like a NUL character in a timestamp) is retried one append per commit, so that only the bad
 * append rejects. (Sampled values are JSON text, in which a NUL character is escaped.)
 */
export class MeterValueBatcher {
  readonly #db: PostgresDatabase;
  readonly #options: MeterValueBatcherOptions;
  #pending: PendingAppend[] = [];
  #pendingRows = 0;
  #inFlight = 0;
  #scheduled: NodeJS.Immediate | undefined;
  #drained: (() => void) | undefined;
  /** Until when (performance.now()) batches are written skipping replays; see {@link SKIP_REPLAYS_FOR_MS}. */
  #skipReplaysUntil = Number.NEGATIVE_INFINITY;

  constructor(db: PostgresDatabase, options: MeterValueBatcherOptions) {
    for (const [name, value] of Object.entries(options)) {
      if (!(Number.isInteger(value) && value >= 1)) throw new RangeError(`${name} must be a positive integer`);
    }
    this.#db = db;
    this.#options = options;
  }

  append(readings: MeterReading[]): Promise<number> {
    if (this.#db.closed) return Promise.reject(new StoreClosedError());
    let rows: ReadingRow[];
    try {
      rows = toRows(readings);
    } catch (error) {
      return Promise.reject(error);
    }
    if (rows.length === 0) return Promise.resolve(0);
    return new Promise<number>((resolve, reject) => {
      this.#pending.push({ rows, resolve, reject });
      this.#pendingRows += rows.length;
      if (this.#pendingRows >= this.#options.maxBatchRows) this.#pump();
      else this.#scheduled ??= setImmediate(() => this.#pump());
    });
  }

  /** Commits everything queued; resolves once no batch is pending or in flight. */
  close(): Promise<void> {
    this.#pump();
    if (this.#pending.length === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#drained = resolve;
    });
  }

  /** Starts batches while there is work and a free slot. */
  #pump(): void {
    if (this.#scheduled !== undefined) {
      clearImmediate(this.#scheduled);
      this.#scheduled = undefined;
    }
    while (this.#pending.length > 0 && this.#inFlight < this.#options.maxInFlight) {
      void this.#commit(this.#takeBatch());
    }
    if (this.#pending.length === 0 && this.#inFlight === 0) {
      const drained = this.#drained;
      this.#drained = undefined;
      drained?.();
    }
  }

  /** The oldest pending appends, up to `maxBatchRows` rows (at least one append, however large). */
  #takeBatch(): PendingAppend[] {
    let rows = 0;
    let count = 0;
    for (const append of this.#pending) {
      if (count > 0 && rows + append.rows.length > this.#options.maxBatchRows) break;
      rows += append.rows.length;
      count += 1;
    }
    this.#pendingRows -= rows;
    return this.#pending.splice(0, count);
  }

  async #commit(batch: PendingAppend[]): Promise<void> {
    this.#inFlight += 1;
    try {
      await this.#db.track(async () => {
        try {
          settle(batch, await this.#write(batch));
        } catch (error) {
          if (batch.length === 1) {
            batch[0]?.reject(error);
            return;
          }
          // Find the culprit: each append on its own, so that only a bad one rejects.
          await Promise.all(
            batch.map(async (append) => {
              try {
                settle([append], await this.#write([append]));
              } catch (singleError) {
                append.reject(singleError);
              }
            }),
          );
        }
      });
    } catch (error) {
      for (const append of batch) append.reject(error);
    } finally {
      this.#inFlight -= 1;
      this.#pump();
    }
  }

  /** Writes and commits one batch (retried whole on deadlock); returns the rows added per append. */
  async #write(batch: PendingAppend[]): Promise<number[]> {
    const rows = batch.reduce((sum, append) => sum + append.rows.length, 0);
    for (let attempt = 1; ; attempt += 1) {
      const started = performance.now();
      try {
        const added = await this.#insert(batch, rows);
        this.#db.reportCommit({ writes: batch.length, ops: rows, durationMs: performance.now() - started });
        return added;
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
      }
    }
  }

  /** As new readings unless a replay was met lately; again skipping replays if the batch holds one. */
  async #insert(batch: PendingAppend[], rows: number): Promise<number[]> {
    if (performance.now() >= this.#skipReplaysUntil) {
      try {
        return await this.#insertAs(batch, rows, false);
      } catch (error) {
        if (!isReplay(error)) throw error;
        this.#skipReplaysUntil = performance.now() + (this.#options.skipReplaysForMs ?? SKIP_REPLAYS_FOR_MS);
      }
    }
    return this.#insertAs(batch, rows, true);
  }

  #insertAs(batch: PendingAppend[], rows: number, skipReplays: boolean): Promise<number[]> {
    return rows <= this.#options.maxStatementRows
      ? insertRows(this.#db.pool, batch, 0, batch.length, skipReplays)
      : this.#db.inTransaction((client) => this.#insertChunked(client, batch, skipReplays));
  }

  /** Several statements of at most `maxStatementRows` rows (an append never spans two, unless it alone is larger). */
  async #insertChunked(client: Queryable, batch: PendingAppend[], skipReplays: boolean): Promise<number[]> {
    const added = new Array<number>(batch.length).fill(0);
    let first = 0;
    while (first < batch.length) {
      let end = first;
      let rows = 0;
      while (end < batch.length) {
        const size = batch[end]?.rows.length ?? 0;
        if (end > first && rows + size > this.#options.maxStatementRows) break;
        rows += size;
        end += 1;
      }
      const append = batch[first];
      if (end === first + 1 && append !== undefined && append.rows.length > this.#options.maxStatementRows) {
        // One append larger than a statement: split its rows.
        let total = 0;
        for (let offset = 0; offset < append.rows.length; offset += this.#options.maxStatementRows) {
          const part = { ...append, rows: append.rows.slice(offset, offset + this.#options.maxStatementRows) };
          total += (await insertRows(client, [part], 0, 1, skipReplays))[0] ?? 0;
        }
        added[first] = total;
      } else {
        const counts = await insertRows(client, batch, first, end, skipReplays);
        counts.forEach((count, index) => {
          added[first + index] = count;
        });
      }
      first = end;
    }
    return added;
  }
}

/** Whether a statement failed because a row it inserted was already stored (a replay). */
function isReplay(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === UNIQUE_VIOLATION && constraint === IDENTITY_INDEX;
}

/** The rows of the readings that have sampled values (a reading without any is not stored). */
function toRows(readings: MeterReading[]): ReadingRow[] {
  const rows: ReadingRow[] = [];
  for (const reading of readings) {
    if (reading.sampledValues.length === 0) continue;
    const samples = encodeSamples(reading.sampledValues);
    rows.push({
      stationId: reading.stationId,
      evseId: reading.evseId,
      connectorId: reading.connectorId,
      transactionId: reading.transactionId ?? '',
      timestamp: reading.timestamp,
      samples,
      digest: samplesDigest(samples),
      receivedAt: reading.receivedAt,
    });
  }
  return rows;
}

function settle(batch: PendingAppend[], added: number[]): void {
  batch.forEach((append, index) => append.resolve(added[index] ?? 0));
}

/**
 * One INSERT of the rows of `batch[first..end)`; returns the rows added per append, in that order. The columns travel
 * as binary arrays (binary-array.ts): neither side quotes, escapes or parses the sampled values' JSON text. As new
 * readings, every row is added or the statement fails.
 */
async function insertRows(
  target: Queryable,
  batch: PendingAppend[],
  first: number,
  end: number,
  skipReplays: boolean,
): Promise<number[]> {
  const caller = new BinaryArray('int4');
  const stationId = new BinaryArray('text');
  const evseId = new BinaryArray('int8');
  const connectorId = new BinaryArray('int8');
  const transactionId = new BinaryArray('text');
  const timestamp = new BinaryArray('text');
  const samples = new BinaryArray('text');
  const digest = new BinaryArray('text');
  const receivedAt = new BinaryArray('text');
  for (let index = first; index < end; index += 1) {
    const callerIndex = index - first;
    for (const row of batch[index]?.rows ?? []) {
      if (skipReplays) caller.integer(callerIndex);
      stationId.text(row.stationId);
      evseId.integer(row.evseId);
      connectorId.integer(row.connectorId);
      transactionId.text(row.transactionId);
      timestamp.text(row.timestamp);
      samples.text(row.samples);
      digest.text(row.digest);
      receivedAt.text(row.receivedAt);
    }
  }
  const columns = [stationId, evseId, connectorId, transactionId, timestamp, samples, digest, receivedAt];
  if (!skipReplays) {
    await target.query({ ...INSERT_NEW, values: columns.map((column) => column.toBuffer()) });
    return batch.slice(first, end).map((append) => append.rows.length);
  }
  const result = await target.query({
    ...INSERT_SKIPPING_REPLAYS,
    values: [caller, ...columns].map((column) => column.toBuffer()),
  });
  const added = new Array<number>(end - first).fill(0);
  for (const row of result.rows) added[integer(row, 'caller')] = integer(row, 'added');
  return added;
}
