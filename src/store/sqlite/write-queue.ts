import { StoreClosedError, type CommitInfo } from '../commit.ts';
import type { DatabaseSync, StatementSync } from 'node:sqlite';

export { StoreClosedError, type CommitInfo };

export interface WriteQueueOptions {
  /** A batch is committed at once, without waiting for the end of the event-loop turn, when it holds this many ops. */
  maxBatchOps: number;
  /** Called after each successful commit (for metrics and tests); must not throw. */
  onCommit?: ((info: CommitInfo) => void) | undefined;
  /**
   * Makes a commit durable, asynchronously (see wal-sync.ts); the writes settle when it calls back. Absent when
   * COMMIT itself is durable (synchronous=FULL) or there is nothing to sync (`:memory:`).
   */
  durable?: ((done: (error: Error | null) => void) => void) | undefined;
}

/**
 * A write: synchronous work on the connection, run inside the batch's transaction. Its return value resolves the
 * write's promise once the transaction is committed.
 */
export type Write<T> = () => T;

interface QueuedWrite {
  run: Write<unknown>;
  ops: number;
  /** Runs at most one statement that changes data, and throws only from it: see `enqueue`. */
  singleStatement: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit. Every write of the store goes through this queue; the writes enqueued during one event-loop turn
 * (up to `maxBatchOps` operations) run in ONE `BEGIN IMMEDIATE ... COMMIT`, so one fsync covers them all. Each write
 * runs inside its own SAVEPOINT: a write that throws is rolled back alone and only its promise rejects. Promises
 * settle only once the commit is durable: after COMMIT returned, and after the `durable` callback (an fsync of the
 * WAL off the event loop) when one is given. If BEGIN, COMMIT or that fsync fails, every write of the batch rejects.
 */
export class WriteQueue {
  readonly #db: DatabaseSync;
  readonly #maxBatchOps: number;
  readonly #onCommit: ((info: CommitInfo) => void) | undefined;
  readonly #durable: WriteQueueOptions['durable'];
  readonly #begin: StatementSync;
  readonly #commit: StatementSync;
  readonly #rollback: StatementSync;
  readonly #savepoint: StatementSync;
  readonly #release: StatementSync;
  readonly #rollbackToSavepoint: StatementSync;
  #queued: QueuedWrite[] = [];
  #queuedOps = 0;
  #scheduledFlush: NodeJS.Immediate | undefined;
  #closed = false;
  #committing = false;
  /** Commits whose `durable` callback has not come back yet. */
  #syncing = 0;
  /** A flush was held back because a sync was running; run it when that sync returns. */
  #flushAfterSync = false;

  constructor(db: DatabaseSync, options: WriteQueueOptions) {
    if (!(options.maxBatchOps >= 1)) throw new RangeError('maxBatchOps must be at least 1');
    this.#db = db;
    this.#maxBatchOps = options.maxBatchOps;
    this.#onCommit = options.onCommit;
    this.#durable = options.durable;
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
    this.#savepoint = db.prepare('SAVEPOINT write');
    this.#release = db.prepare('RELEASE write');
    this.#rollbackToSavepoint = db.prepare('ROLLBACK TO write');
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Queues a write that counts for `ops` operations towards the batch limit; settles once its batch is committed.
   * A `singleStatement` write runs at most one statement that changes data and throws only from that statement: it
   * needs no savepoint of its own, because SQLite undoes a failed statement by itself (the meter readings of one
   * MeterValues, the commonest write, are one INSERT).
   */
  enqueue<T>(run: Write<T>, ops = 1, singleStatement = false): Promise<T> {
    if (this.#closed) return Promise.reject(new StoreClosedError());
    return new Promise<T>((resolve, reject) => {
      this.#queued.push({ run, ops, singleStatement, resolve: resolve as (value: unknown) => void, reject });
      this.#queuedOps += ops;
      // A write queued by code running inside a batch (a write, or onCommit) waits for the next turn.
      if (this.#queuedOps >= this.#maxBatchOps && !this.#committing) this.flush();
      else this.#scheduledFlush ??= setImmediate(() => this.flush());
    });
  }

  /** Commits everything queued now, synchronously. */
  flush(): void {
    if (this.#scheduledFlush !== undefined) {
      clearImmediate(this.#scheduledFlush);
      this.#scheduledFlush = undefined;
    }
    if (this.#queued.length === 0) return;
    // Adaptive group commit: while the previous commit's sync is on its way to the disk, keep gathering writes (up
    // to maxBatchOps) and commit them together when it returns. Under load batches grow to cover the sync time,
    // so there are fewer, larger commits; when idle a write is committed at once.
    if (this.#syncing > 0 && this.#queuedOps < this.#maxBatchOps && !this.#closed) {
      this.#flushAfterSync = true;
      return;
    }
    const batch = this.#queued;
    const ops = this.#queuedOps;
    this.#queued = [];
    this.#queuedOps = 0;
    this.#committing = true;
    try {
      this.#commitBatch(batch, ops);
    } finally {
      this.#committing = false;
    }
  }

  /** Commits what is queued and refuses further writes. */
  close(): void {
    if (this.#closed) return;
    this.#syncing = 0;
    this.flush();
    this.#closed = true;
  }

  #commitBatch(batch: QueuedWrite[], ops: number): void {
    const started = performance.now();
    const outcomes: Outcome[] = [];
    try {
      this.#begin.run();
      try {
        for (const write of batch) outcomes.push(write.singleStatement ? this.#runAlone(write) : this.#runInSavepoint(write));
        this.#commit.run();
      } catch (error) {
        if (this.#db.isTransaction) this.#rollback.run();
        throw error;
      }
    } catch (error) {
      for (const write of batch) write.reject(error);
      return;
    }
    this.#onCommit?.({ writes: batch.length, ops, durationMs: performance.now() - started });
    const settle = (syncError: Error | null) => {
      batch.forEach((write, index) => {
        const outcome = outcomes[index];
        if (syncError) write.reject(syncError);
        else if (outcome?.ok) write.resolve(outcome.value);
        else write.reject(outcome?.error);
      });
    };
    if (!this.#durable) {
      settle(null);
      return;
    }
    this.#syncing++;
    this.#durable((syncError) => {
      this.#syncing--;
      settle(syncError);
      if (this.#flushAfterSync && this.#syncing === 0) {
        this.#flushAfterSync = false;
        this.flush();
      }
    });
  }

  /**
   * Runs a single-statement write: a statement that fails leaves the transaction as it was before it, unless SQLite
   * had to roll back the whole transaction (a full disk, an I/O error), which fails the batch like a failed COMMIT.
   */
  #runAlone(write: QueuedWrite): Outcome {
    try {
      return { ok: true, value: write.run() };
    } catch (error) {
      if (!this.#db.isTransaction) throw error;
      return { ok: false, error };
    }
  }

  /** Runs one write; on failure undoes its changes only. Failures of the savepoint machinery itself propagate. */
  #runInSavepoint(write: QueuedWrite): Outcome {
    this.#savepoint.run();
    let value: unknown;
    try {
      value = write.run();
    } catch (error) {
      this.#rollbackToSavepoint.run();
      this.#release.run();
      return { ok: false, error };
    }
    this.#release.run();
    return { ok: true, value };
  }
}
