import { closeSync, constants, fsync, fsyncSync, openSync } from 'node:fs';

/**
 * Makes committed transactions durable without blocking the event loop. The connection runs with
 * `synchronous=NORMAL`, so COMMIT writes the WAL but does not fsync it; this fsyncs the WAL file on libuv's thread
 * pool instead, and the writes of a commit are acknowledged only once an fsync that started after their COMMIT
 * has returned. Commits that finish while an fsync is running share the next one (group commit across commits).
 * fsync flushes the file itself, whichever descriptor asks, so one descriptor of our own serves every connection.
 */
export class WalSync {
  readonly #fd: number;
  #running = false;
  #waiting: ((error: Error | null) => void)[] = [];
  #closed = false;

  /** Opens the WAL of `databaseFile` (SQLite creates it on first use; an empty one is what SQLite would create). */
  constructor(databaseFile: string) {
    this.#fd = openSync(`${databaseFile}-wal`, constants.O_RDWR | constants.O_CREAT, 0o644);
  }

  /** Calls `done` once everything committed before this call is on disk. */
  afterCommit(done: (error: Error | null) => void): void {
    if (this.#closed) {
      done(null);
      return;
    }
    this.#waiting.push(done);
    if (!this.#running) this.#start();
  }

  #start(): void {
    const group = this.#waiting;
    this.#waiting = [];
    this.#running = true;
    fsync(this.#fd, (error) => {
      this.#running = false;
      for (const done of group) done(error);
      if (this.#waiting.length > 0 && !this.#closed) this.#start();
    });
  }

  /** Syncs what is pending, synchronously, and releases the descriptor. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    let error: Error | null = null;
    try {
      fsyncSync(this.#fd);
    } catch (e) {
      error = e as Error;
    }
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const done of waiting) done(error);
    // An fsync still running on the pool keeps its own reference to the file; its callback settles nothing new.
    closeSync(this.#fd);
  }
}
