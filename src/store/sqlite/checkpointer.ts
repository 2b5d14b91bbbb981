import { Worker } from 'node:worker_threads';
import { BUSY_TIMEOUT_MS } from './connection.ts';

/**
 * How often the WAL is checkpointed in the background. Often, so that each PASSIVE checkpoint is short and the WAL
 * can start over from its beginning between bursts of commits.
 */
export const CHECKPOINT_INTERVAL_MS = 100;

/**
 * Background WAL checkpoints (see checkpoint-worker.ts). The writing connection's own automatic checkpoint is set
 * high (a safety net only), because a checkpoint run inside a COMMIT on the event loop copies thousands of pages and
 * fsyncs the database file while every station waits.
 */
export class Checkpointer {
  readonly #worker: Worker;
  #stopped = false;

  constructor(file: string, onError: (message: string) => void = () => {}) {
    this.#worker = new Worker(new URL('./checkpoint-worker.ts', import.meta.url), {
      workerData: { file, intervalMs: CHECKPOINT_INTERVAL_MS, busyTimeoutMs: BUSY_TIMEOUT_MS },
    });
    this.#worker.unref();
    this.#worker.on('message', (message: { error?: string }) => {
      if (message.error) onError(message.error);
    });
    this.#worker.on('error', (error) => onError(error.message));
  }

  /** Runs a last checkpoint and ends the thread. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
    // Unref'd while running so it never keeps the process alive; held now until its last checkpoint is done.
    this.#worker.ref();
    this.#worker.postMessage('stop');
    await exited;
  }
}
