import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { WalSync } from './wal-sync.ts';
import { StoreClosedError, WriteQueue, type Write, type WriteQueueOptions } from './write-queue.ts';

/**
 * What the repositories share: one connection, with reads run directly and every write sent through the group
 * commit queue. Both return promises, so callers look the same as for a networked engine.
 */
export class SqliteDatabase {
  readonly #connection: DatabaseSync;
  readonly #writes: WriteQueue;
  readonly #walSync: WalSync | undefined;

  /** With `walSync`, commits are made durable by an fsync of the WAL off the event loop (see wal-sync.ts). */
  constructor(connection: DatabaseSync, options: WriteQueueOptions, walSync?: WalSync) {
    this.#connection = connection;
    this.#walSync = walSync;
    this.#writes = new WriteQueue(connection, walSync ? { ...options, durable: (done) => walSync.afterCommit(done) } : options);
  }

  get closed(): boolean {
    return this.#writes.closed;
  }

  /** Prepares a statement once; repositories keep the result and reuse it. */
  prepare(sql: string): StatementSync {
    return this.#connection.prepare(sql);
  }

  /** Runs a query now; a failure becomes a rejected promise. */
  read<T>(query: () => T): Promise<T> {
    if (this.#writes.closed) return Promise.reject(new StoreClosedError());
    try {
      return Promise.resolve(query());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Queues a change of `ops` operations (rows) for the next group commit; settles once it is durable. A
   * `singleStatement` change runs at most one statement that changes data and throws only from it (see WriteQueue).
   */
  write<T>(change: Write<T>, ops = 1, singleStatement = false): Promise<T> {
    return this.#writes.enqueue(change, ops, singleStatement);
  }

  /** Commits the queued writes and closes the connection. Idempotent. */
  close(): void {
    if (this.#writes.closed) return;
    this.#writes.close();
    this.#walSync?.close();
    this.#connection.close();
  }
}
