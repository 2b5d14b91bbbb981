import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * Runs in a worker thread: checkpoints the WAL into the database file every `intervalMs`, on its own connection,
 * so that the copy and its fsyncs never stall the event loop that answers stations. PASSIVE checkpoints do not
 * block writers; once every frame is copied, the next writer starts the WAL over from the beginning.
 */
const { file, intervalMs, busyTimeoutMs } = workerData as { file: string; intervalMs: number; busyTimeoutMs: number };
const db = new DatabaseSync(file);
db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}; PRAGMA synchronous = NORMAL;`);
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

const timer = setInterval(() => {
  try {
    checkpoint.get();
  } catch (error) {
    parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
}, intervalMs);

parentPort?.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  try {
    checkpoint.get();
  } finally {
    db.close();
    parentPort?.close();
  }
});
