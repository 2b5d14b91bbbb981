import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { StoreClosedError, type CommitInfo } from '../commit.ts';
import type { Row } from './columns.ts';

/** A named statement: node-postgres prepares it once per connection and reuses the plan. */
export interface Statement {
  name: string;
  text: string;
}

/** Something to run statements on: the pool (each statement commits on its own) or a client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow = Row>(
    config: { name?: string; text: string; values?: unknown[] },
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** What a write statement gave: the rows it returned and the number of rows it changed. */
export interface WriteResult {
  rows: Row[];
  count: number;
}

/** SQLSTATEs after which re-running the whole transaction is the fix: serialization failure, deadlock. */
const RETRYABLE_CODES = new Set(['40001', '40P01']);
export function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && RETRYABLE_CODES.has(String((error as { code?: unknown }).code));
}

/**
 * What the repositories share: one pool. Each write of a repository is one statement committed on its own
 * (PostgreSQL makes it durable before answering, `synchronous_commit=on`); the meter-value batcher runs its own
 * statements and transactions inside {@link track}. The database counts the writes in flight so that `end()` can
 * wait for them.
 */
export class PostgresDatabase {
  readonly #pool: Pool;
  readonly #onCommit: ((info: CommitInfo) => void) | undefined;
  readonly #inFlight = new Set<Promise<unknown>>();
  #closed = false;
  #ended = false;

  constructor(pool: Pool, onCommit: ((info: CommitInfo) => void) | undefined) {
    this.#pool = pool;
    this.#onCommit = onCommit;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The pool, for writers that run and report their own statements inside {@link track}. */
  get pool(): Queryable {
    return this.#pool;
  }

  /** Runs `work` in one transaction on one connection, without retry or report (for use inside {@link track}). */
  inTransaction<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    return inTransaction(this.#pool, work);
  }

  /** Runs a read-only statement. */
  async read(statement: Statement, values: unknown[]): Promise<Row[]> {
    if (this.#closed) throw new StoreClosedError();
    const result = await this.#pool.query<Row>({ name: statement.name, text: statement.text, values });
    return result.rows;
  }

  /**
   * Runs one statement as its own transaction; `ops` is the number of rows it writes (for `onCommit`). An `internal`
   * write (the store's own flushes while closing) is accepted until the pool ends.
   */
  write(statement: Statement, values: unknown[], ops = 1, internal = false): Promise<WriteResult> {
    return this.#track(internal, async () => {
      const started = performance.now();
      const result = await this.#pool.query<Row>({ name: statement.name, text: statement.text, values });
      this.reportCommit({ writes: 1, ops, durationMs: performance.now() - started });
      return { rows: result.rows, count: result.rowCount ?? 0 };
    });
  }

  /** Tells `onCommit` about a commit (used by writers that manage their own statements). */
  reportCommit(info: CommitInfo): void {
    try {
      this.#onCommit?.(info);
    } catch {
      // onCommit must not throw; if it does, the write has still committed.
    }
  }

  /**
   * Registers work done outside `write` (the meter-value batches, which the store drains while
   * closing) so that `end()` waits for it.
   */
  track<T>(run: () => Promise<T>): Promise<T> {
    return this.#track(true, run);
  }

  /** Refuses new reads and writes from now on (internal ones, the final flushes, are still accepted). */
  refuse(): void {
    this.#closed = true;
  }

  /** Refuses all work, waits for the writes in flight, then closes every connection. Idempotent. */
  async end(): Promise<void> {
    this.#closed = true;
    if (this.#ended) return;
    this.#ended = true;
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    await this.#pool.end();
  }

  #track<T>(internal: boolean, run: () => Promise<T>): Promise<T> {
    if (this.#ended || (this.#closed && !internal)) return Promise.reject(new StoreClosedError());
    const promise = run();
    this.#inFlight.add(promise);
    const forget = (): void => {
      this.#inFlight.delete(promise);
    };
    promise.then(forget, forget);
    return promise;
  }
}

/** BEGIN, `work`, COMMIT on one pooled connection; ROLLBACK on failure. A connection that broke is discarded. */
async function inTransaction<T>(pool: Pool, work: (client: Queryable) => Promise<T>): Promise<T> {
  const client: PoolClient = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    try {
      const value = await work(client);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    }
  } finally {
    client.release(broken);
  }
}
