import { isLaterIso } from './iso-time.ts';
import type { TransactionRecord } from './ports.ts';

/** The latest energy register reported for an active transaction and not yet written to its row. */
export interface PendingMeter {
  lastMeterWh: number;
  /** Time of the reading (never replaced by an older one). */
  at: string;
  /**
   * When it was reported, in epoch milliseconds (the row's `updated_at` once written): a number, turned into ISO 8601
   * text only when written or read, not for every MeterValues.
   */
  reportedAt: number;
}

/** The row's `updated_at` for a pending register. */
export function reportedAtIso(meter: PendingMeter): string {
  return new Date(meter.reportedAt).toISOString();
}

/**
 * The latest energy register of each active transaction, kept in memory because it changes with every MeterValues;
 * the owner writes them to the transaction rows in batches and applies one before any other change of its row.
 * The readings themselves are stored durably before they are acknowledged; this is the transaction's copy of the
 * newest one. An older reading never replaces a newer one.
 */
export class PendingMeters {
  #pending = new Map<string, PendingMeter>();
  /**
   * Taken to be written and not yet known written (`written`) or failed (`restore`): reads still merge them in, or a
   * read while the write waits for its commit would see the row's older register and nothing pending.
   */
  readonly #writing = new Map<string, PendingMeter>();

  get size(): number {
    return this.#pending.size;
  }

  /** Keeps `meter` for transaction `id` unless a later reading is already pending. */
  record(id: string, meter: PendingMeter): void {
    const known = this.#pending.get(id);
    if (known !== undefined && isLaterIso(known.at, meter.at)) return;
    this.#pending.set(id, meter);
  }

  /** What reads merge in for `id`: the register pending, else the one being written. */
  get(id: string): PendingMeter | undefined {
    return this.#pending.get(id) ?? this.#writing.get(id);
  }

  /** Removes and returns what is pending for `id` (to be written with another change of its row). */
  take(id: string): PendingMeter | undefined {
    const meter = this.#pending.get(id);
    if (meter !== undefined) {
      this.#pending.delete(id);
      this.#writing.set(id, meter);
    }
    return meter;
  }

  /** Removes and returns everything pending, to be written in one batch. */
  takeAll(): [string, PendingMeter][] {
    return this.takeUpTo(this.#pending.size);
  }

  /** Removes and returns up to `limit` of the pending registers (the longest pending first). */
  takeUpTo(limit: number): [string, PendingMeter][] {
    const some: [string, PendingMeter][] = [];
    for (const entry of this.#pending) {
      if (some.length >= limit) break;
      some.push(entry);
    }
    for (const [id, meter] of some) {
      this.#pending.delete(id);
      this.#writing.set(id, meter);
    }
    return some;
  }

  /** The taken `meters` are committed to their rows: reads find them there from now on. */
  written(meters: Iterable<[string, PendingMeter]>): void {
    for (const [id, meter] of meters) {
      if (this.#writing.get(id) === meter) this.#writing.delete(id);
    }
  }

  /** Puts back meters whose write failed, unless a later one arrived meanwhile. */
  restore(meters: Iterable<[string, PendingMeter]>): void {
    for (const [id, meter] of meters) {
      if (this.#writing.get(id) === meter) this.#writing.delete(id);
      this.record(id, meter);
    }
  }

  /**
   * A transaction as a store read it, with the register pending for it merged in: unless it is stopped, or its row
   * already holds a later reading (`storedAt`, the row's `last_meter_at`, written by another process).
   */
  merge(record: TransactionRecord, storedAt: unknown): TransactionRecord {
    if (record.stoppedAt !== null) return record;
    const meter = this.get(record.id);
    if (meter === undefined) return record;
    if (typeof storedAt === 'string' && isLaterIso(storedAt, meter.at)) return record;
    const reportedAt = reportedAtIso(meter);
    return {
      ...record,
      lastMeterWh: meter.lastMeterWh,
      updatedAt: isLaterIso(reportedAt, record.updatedAt) ? reportedAt : record.updatedAt,
    };
  }
}
