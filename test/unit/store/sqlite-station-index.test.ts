import assert from 'node:assert/strict';
import { closeSync, copyFileSync, existsSync, fstatSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MeterReading, Store } from '../../../src/store/ports.ts';
import { damageMarkFile, MAX_ROWS_PER_UPDATE, stationIndexFile } from '../../../src/store/sqlite/station-index.ts';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const directory = mkdtempSync(join(tmpdir(), 'joule-station-index-'));
after(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
function newFile(): string {
  files += 1;
  return join(directory, `store-${files}`, 'joule.db');
}

const INTERVAL_MS = 25;

/** One reading of one sampled value (its register, `second`), `second` seconds into 2025. */
function reading(stationId: string, second: number, transactionId: string | null = 'T-1'): MeterReading {
  return {
    stationId,
    evseId: 1,
    connectorId: 1,
    transactionId,
    timestamp: new Date(Date.UTC(2025, 0, 1) + second * 1000).toISOString(),
    sampledValues: [{ value: String(second), measurand: 'Energy.Active.Import.Register', phase: null, location: null,
      unit: 'Wh', context: null, format: null }],
    receivedAt: '2025-01-01T00:00:00.000Z',
  };
}

/** The index file's mark and the store's newest reading id, read on connections of the test's own. */
function progress(file: string): { through: number; newest: number; storeId: string } {
  const index = new DatabaseSync(stationIndexFile(file), { readOnly: true });
  const store = new DatabaseSync(file, { readOnly: true });
  try {
    const state = index.prepare('SELECT through_id, store_id FROM state').get();
    const newest = store.prepare('SELECT coalesce(max(id), 0) AS id FROM meter_readings').get();
    return { through: Number(state?.through_id), newest: Number(newest?.id), storeId: String(state?.store_id) };
  } finally {
    index.close();
    store.close();
  }
}

async function untilIndexed(file: string): Promise<void> {
  for (let waited = 0; waited < 5000; waited += 10) {
    const { through, newest } = progress(file);
    if (through === newest) return;
    await sleep(10);
  }
  assert.fail('the station index did not catch up within 5 s');
}

/** The registers of a station's newest readings as `forStation` returns them (newest first). */
async function registers(store: Store, stationId: string, limit = 100_000): Promise<number[]> {
  return (await store.meterValues.forStation(stationId, limit)).map((value) => Number(value.value));
}

/** The registers of a transaction's readings, oldest first. */
async function transactionRegisters(store: Store, stationId: string, transactionId: string): Promise<number[]> {
  return (await store.meterValues.forTransaction(stationId, transactionId)).map((value) => Number(value.value));
}

describe('sqlite store: station index of meter readings', () => {
  it('reads a station and a transaction across indexed readings and the tail not indexed yet, in order, none twice', async () => {
    const file = newFile();
    // An interval longer than the test: the index is updated only when the store opens and closes.
    let store = await openSqliteStore({ file, lastSeenFlushMs: 60_000 });
    await store.meterValues.append([10, 11, 12].map((second) => reading('CS-1', second)));
    await store.meterValues.append([reading('CS-2', 11), reading('CS-1', 20, 'T-2')]);
    await store.close();
    store = await openSqliteStore({ file, lastSeenFlushMs: 60_000 });
    // A station's cached readings of its offline time arrive late, with older timestamps than indexed ones.
    await store.meterValues.append([reading('CS-1', 5), reading('CS-1', 13), reading('CS-1', 21, 'T-2')]);
    const { through, newest } = progress(file);
    assert.deepEqual([through, newest], [5, 8], 'three readings in the tail');
    const check = async (when: string) => {
      assert.deepEqual(await registers(store, 'CS-1'), [21, 20, 13, 12, 11, 10, 5], when);
      assert.deepEqual(await registers(store, 'CS-1', 3), [21, 20, 13], when);
      assert.deepEqual(await transactionRegisters(store, 'CS-1', 'T-1'), [5, 10, 11, 12, 13], when);
      assert.deepEqual(await transactionRegisters(store, 'CS-1', 'T-2'), [20, 21], when);
      assert.deepEqual(await registers(store, 'CS-2'), [11], when);
    };
    await check('with a tail');
    await store.close();
    store = await openSqliteStore({ file, lastSeenFlushMs: 60_000 });
    assert.equal(progress(file).through, 8);
    await check('all indexed');
    await store.close();
  });

  it('reads the same with a store in memory, whose index is updated in its own group commits', async () => {
    const store = await openSqliteStore({ file: ':memory:', lastSeenFlushMs: INTERVAL_MS });
    await store.meterValues.append([10, 11].map((second) => reading('CS-1', second)));
    await sleep(INTERVAL_MS * 4);
    await store.meterValues.append([reading('CS-1', 5), reading('CS-1', 12)]);
    assert.deepEqual(await registers(store, 'CS-1'), [12, 11, 10, 5]);
    await sleep(INTERVAL_MS * 4);
    assert.deepEqual(await registers(store, 'CS-1'), [12, 11, 10, 5]);
    await store.close();
  });

  it('brings the index up to date when the store opens, however far behind (a tail left by a crash)', async () => {
    const file = newFile();
    const store = await openSqliteStore({ file, lastSeenFlushMs: 60_000 });
    const count = MAX_ROWS_PER_UPDATE + 500;
    await store.meterValues.append(Array.from({ length: count }, (_, second) => reading(`CS-${second % 7}`, second)));
    await store.close();
    const index = new DatabaseSync(stationIndexFile(file));
    index.exec('UPDATE state SET through_id = 0; DELETE FROM meter_readings_by_station');
    index.close();
    const reopened = await openSqliteStore({ file });
    const { through, newest } = progress(file);
    assert.equal(through, count);
    assert.equal(newest, count);
    const expected = Array.from({ length: count }, (_, second) => second).filter((second) => second % 7 === 3).reverse();
    assert.deepEqual(await registers(reopened, 'CS-3'), expected);
    await reopened.close();
  });

  it('rebuilds the index file when it is missing, damaged, or belongs to another store', async () => {
    const file = newFile();
    const other = newFile();
    for (const path of [file, other]) {
      const store = await openSqliteStore({ file: path });
      await store.meterValues.append([reading('CS-1', 1), reading('CS-1', 2)]);
      await store.close();
    }
    const ownId = progress(file).storeId;
    assert.notEqual(progress(other).storeId, ownId);
    const damages: [string, () => void][] = [
      ['missing', () => rmSync(stationIndexFile(file), { force: true })],
      ['damaged', () => writeFileSync(stationIndexFile(file), 'not a database '.repeat(500))],
      ['another store', () => copyFileSync(stationIndexFile(other), stationIndexFile(file))],
    ];
    for (const [damage, apply] of damages) {
      for (const suffix of ['-wal', '-shm']) rmSync(`${stationIndexFile(file)}${suffix}`, { force: true });
      apply();
      const store = await openSqliteStore({ file });
      assert.deepEqual(await registers(store, 'CS-1'), [2, 1], damage);
      await store.close();
      assert.ok(existsSync(stationIndexFile(file)), damage);
      assert.deepEqual(progress(file), { through: 2, newest: 2, storeId: ownId }, damage);
    }
  });

  it('empties the index when its mark is past the newest reading (readings it saw were lost or the store restored)', async () => {
    const file = newFile();
    let store = await openSqliteStore({ file });
    await store.meterValues.append([reading('CS-1', 1), reading('CS-1', 2), reading('CS-1', 3)]);
    await store.close();
    // The store as a backup from before its third reading: the id 3 the index knows will be another reading's.
    const db = new DatabaseSync(file);
    db.exec('DELETE FROM meter_readings WHERE id = 3');
    db.close();
    store = await openSqliteStore({ file });
    await store.meterValues.append([reading('CS-2', 9)]);
    assert.deepEqual(await registers(store, 'CS-1'), [2, 1]);
    assert.deepEqual(await registers(store, 'CS-2'), [9]);
    await store.close();
  });

  it('stores readings while another connection holds the index file\'s write lock: commits never wait for the index', async () => {
    const file = newFile();
    const store = await openSqliteStore({ file, lastSeenFlushMs: INTERVAL_MS });
    const blocker = new DatabaseSync(stationIndexFile(file));
    blocker.exec('BEGIN IMMEDIATE');
    try {
      const started = performance.now();
      for (let second = 0; second < 20; second += 1) await store.meterValues.append([reading('CS-1', second)]);
      assert.ok(performance.now() - started < 2000, 'appends waited for the index file');
      assert.equal((await registers(store, 'CS-1')).length, 20);
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
    }
    await untilIndexed(file);
    assert.equal((await registers(store, 'CS-1')).length, 20);
    await store.close();
  });

  it('reports a failed index update to the store\'s background-error listener, and keeps storing readings', async () => {
    const file = newFile();
    const errors: [string, string][] = [];
    const store = await openSqliteStore({ file, lastSeenFlushMs: INTERVAL_MS, onBackgroundError: (thread, message) => errors.push([thread, message]) });
    const index = new DatabaseSync(stationIndexFile(file));
    index.exec('DROP TABLE meter_readings_by_station');
    index.close();
    assert.equal(await store.meterValues.append([reading('CS-1', 1)]), 1);
    for (let waited = 0; errors.length === 0 && waited < 5000; waited += 10) await sleep(10);
    assert.equal(errors[0]?.[0], 'station index');
    assert.match(errors[0]?.[1] ?? '', /meter_readings_by_station/);
    await store.close();
  });

  it('meets damaged pages of a valid index file at a read: reads from the table, marks it, and the next open rebuilds it', async () => {
    const file = newFile();
    const stations = Array.from({ length: 100 }, (_, index) => `CS-${index}`);
    let store = await openSqliteStore({ file, lastSeenFlushMs: 60_000 });
    for (let second = 1; second <= 20; second += 1) {
      await store.meterValues.append(stations.map((station) => reading(station, second, `T-${station}`)));
    }
    await store.close();
    // Pages that are not what SQLite wrote, in a file that is still a database (its header and state are intact).
    const index = openSync(stationIndexFile(file), 'r+');
    const pages = fstatSync(index).size / 4096;
    assert.ok(pages > 8, `${pages} pages`);
    for (const page of [pages - 2, pages - 1]) writeSync(index, Buffer.alloc(4096, 0xab), 0, 4096, page * 4096);
    closeSync(index);

    const errors: [string, string][] = [];
    store = await openSqliteStore({ file, lastSeenFlushMs: 60_000, onBackgroundError: (thread, message) => errors.push([thread, message]) });
    const expected = Array.from({ length: 20 }, (_, index) => 20 - index);
    for (const station of stations) {
      assert.deepEqual(await registers(store, station), expected, station);
      assert.deepEqual(await transactionRegisters(store, station, `T-${station}`), [...expected].reverse(), station);
    }
    assert.equal(errors.length, 1, 'reported once');
    assert.deepEqual(errors[0]?.[0], 'station index');
    assert.match(errors[0]?.[1] ?? '', /damaged .*rebuilt/);
    assert.ok(existsSync(damageMarkFile(file)), 'marked for a rebuild');
    await store.close();

    store = await openSqliteStore({ file, lastSeenFlushMs: 60_000 });
    assert.equal(existsSync(damageMarkFile(file)), false, 'rebuilt at open');
    for (const station of stations) assert.deepEqual(await registers(store, station), expected, station);
    await store.close();
    const rebuilt = new DatabaseSync(stationIndexFile(file), { readOnly: true });
    assert.equal(rebuilt.prepare('PRAGMA integrity_check').get()?.integrity_check, 'ok');
    rebuilt.close();
    assert.deepEqual(progress(file).through, 2000);
  });
});
