import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { catchUp, isDamaged, markIndexDamaged, openIndexWriter, StationIndexUpdate } from './station-index.ts';

/**
 * Runs in a worker thread: every `intervalMs`, gives the readings stored since the last time their entries in the
 * station index (see station-index.ts), on its own connection to the index file, so that neither the event loop nor
 * the store's commits wait for it. At a lower priority than the event loop: on a machine with one core the index
 * may fall behind under saturation (the tail it leaves is read from the table) rather than delay stations' replies.
 */
const { file, intervalMs } = workerData as { file: string; intervalMs: number };
try {
  // On Linux a thread has a priority of its own: this lowers the worker only.
  setPriority(0, 10);
} catch {
  // Not allowed here: the worker runs at the process's priority.
}
const db = openIndexWriter(file);
const update = new StationIndexUpdate(db, { readings: 'readings', index: 'main' });

let damaged = false;

function bringUpToDate(): void {
  if (damaged) return;
  try {
    catchUp(db, update);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (isDamaged(error)) {
      // Updates stop; reads go to the table; the index is built again when the store next opens.
      damaged = true;
      markIndexDamaged(file);
      parentPort?.postMessage({ error: `the station index is damaged (${message}): no more updates; rebuilt when the store next opens` });
      return;
    }
    parentPort?.postMessage({ error: message });
  }
}

const timer = setInterval(bringUpToDate, intervalMs);

parentPort?.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  try {
    bringUpToDate();
  } finally {
    db.close();
    parentPort?.close();
  }
});
