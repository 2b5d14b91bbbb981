/**
 * Rows a store keeps in memory and writes behind (stations' last-seen times, transactions' meter registers) go to
 * SQLite in slices of at most this many rows, each slice its own write, committed before the next is taken. A commit
 * batch runs synchronously on the event loop, so one write of every dirty row would hold every station's answer for a
 * time that grows with the fleet: about 5 µs a row, so 40 ms a second with 1,000 stations reporting and their 1,000
 * transactions, and ten times that with ten times the stations.
 */
export const WRITE_BEHIND_SLICE_ROWS = 250;

/**
 * Periodic write-behind of in-memory rows, a slice at a time (see {@link WRITE_BEHIND_SLICE_ROWS}). `take(limit)`
 * removes and returns up to `limit` rows to write; `write(rows)` writes them in one write and settles once it is
 * committed; `putBack(rows)` keeps the rows of a failed write for the next flush.
 */
export class WriteBehind<T> {
  readonly #take: (limit: number) => T[];
  readonly #write: (rows: T[]) => Promise<void>;
  readonly #putBack: (rows: T[]) => void;
  readonly #pending: () => number;
  #running: Promise<void> | undefined;

  constructor(options: {
    take: (limit: number) => T[];
    write: (rows: T[]) => Promise<void>;
    putBack: (rows: T[]) => void;
    /** Rows waiting to be written now. */
    pending: () => number;
  }) {
    this.#take = options.take;
    this.#write = options.write;
    this.#putBack = options.putBack;
    this.#pending = options.pending;
  }

  /**
   * Writes the rows waiting now, slice after slice; a flush asked for while one runs is skipped (the next one takes
   * what is waiting then). Rows that change again meanwhile wait for the next flush: one flush writes each row once.
   */
  flush(): Promise<void> {
    this.#running ??= this.#slices().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Writes everything waiting in one write (when closing: the store commits it before it closes). */
  async flushAll(): Promise<void> {
    await this.#writeOrPutBack(this.#take(Number.POSITIVE_INFINITY));
  }

  async #slices(): Promise<void> {
    let left = this.#pending();
    while (left > 0) {
      const rows = this.#take(Math.min(left, WRITE_BEHIND_SLICE_ROWS));
      if (rows.length === 0) return;
      left -= rows.length;
      if (!(await this.#writeOrPutBack(rows))) return;
    }
  }

  /** Whether the write succeeded; if not, the rows are put back for the next flush. */
  async #writeOrPutBack(rows: T[]): Promise<boolean> {
    if (rows.length === 0) return true;
    try {
      await this.#write(rows);
      return true;
    } catch {
      this.#putBack(rows);
      return false;
    }
  }
}
