import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { openConnection } from '../../../src/store/sqlite/connection.ts';
import { openIndexWriter, stationIndexFile } from '../../../src/store/sqlite/station-index.ts';

const directory = mkdtempSync(join(tmpdir(), 'joule-open-locked-'));
after(() => rmSync(directory, { recursive: true, force: true }));

/**
 * Another process starting at the same moment, played by a thread: it creates `file` and holds it locked
 * (exclusively, before any WAL exists) for `ms`, as a worker does while it creates the file and switches it to WAL.
 */
async function lockedFor(file: string, ms: number): Promise<{ releasing: () => boolean; released: Promise<void> }> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(`
    const { DatabaseSync } = require('node:sqlite');
    const { parentPort, workerData } = require('node:worker_threads');
    const db = new DatabaseSync(workerData.file);
    db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held (x)');
    parentPort.postMessage('locked');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.ms);
    Atomics.store(workerData.flag, 0, 1); // set before the lock goes: whoever gets it afterwards sees 1
    db.exec('COMMIT');
    db.close();
  `, { eval: true, workerData: { file, ms, flag } });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  return { releasing: () => Atomics.load(flag, 0) === 1, released: new Promise<void>((resolve) => worker.once('exit', () => resolve())) };
}

describe('sqlite: processes opening the same new files at once (joule serve --workers on a fresh data dir)', () => {
  it('the station index writer waits for another process\'s lock instead of failing with "database is locked"', async () => {
    const store = join(directory, 'index-race', 'joule.db');
    mkdirSync(join(directory, 'index-race'));
    openConnection(store).close(); // the store itself exists (the primary migrated it)
    const { releasing, released } = await lockedFor(stationIndexFile(store), 300);
    const writer = openIndexWriter(store);
    assert.ok(releasing(), 'it opened only once the other process let go');
    assert.equal((writer.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
    writer.close();
    await released;
  });

  it('the store connection waits for another process\'s lock too', async () => {
    const file = join(directory, 'store-race.db');
    const { releasing, released } = await lockedFor(file, 300);
    const db = openConnection(file);
    assert.ok(releasing(), 'it opened only once the other process let go');
    assert.equal((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
    db.close();
    await released;
  });
});
