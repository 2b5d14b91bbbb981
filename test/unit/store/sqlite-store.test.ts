import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeSamples, samplesDigest } from '../../../src/store/meter-readings.ts';
import type { MeterReading } from '../../../src/store/ports.ts';
import { openConnection } from '../../../src/store/sqlite/connection.ts';
import { MIGRATIONS, RECODE_CHUNK_READINGS, runMigrations } from '../../../src/store/sqlite/migrations.ts';
import { WRITE_BEHIND_SLICE_ROWS } from '../../../src/store/sqlite/write-behind.ts';
import {
  openSqliteStore,
  StoreClosedError,
  type CommitInfo,
  type SqliteStoreOptions,
} from '../../../src/store/sqlite/sqlite-store.ts';
import { assertMigratedV1, samplesTextWithNames, V1_COLUMNS, V1_READINGS_IN_ORDER, V1_ROWS } from '../../store/meter-values-v1.ts';
import { repositoryContract } from '../../store/repository-contract.ts';
import { deviceModelReport } from './device-model-report.ts';
import { assertMigratedV2, V2_STATION, V2_STATION_COLUMNS, V2_TRANSACTION_COLUMNS, V2_TRANSACTIONS } from './schema-v2-fixture.ts';

const directory = mkdtempSync(join(tmpdir(), 'joule-sqlite-store-'));
after(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
/** Takes a migrated database back to before migration 13: undoes the later migrations (drops their table) and forgets them. */
function backToBeforeMigration13(db: DatabaseSync): void {
  db.exec('DROP TABLE certificate_signing_requests');
  db.prepare('DELETE FROM schema_migrations WHERE version >= 13').run();
}

function newFile(): string {
  files += 1;
  return join(directory, `store-${files}`, 'joule.db');
}

/** Opens a store on a new file and collects what each group commit reported. */
async function openRecorded(options: Partial<SqliteStoreOptions> = {}) {
  const commits: CommitInfo[] = [];
  const file = options.file ?? newFile();
  const store = await openSqliteStore({ ...options, file, onCommit: (info) => commits.push(info) });
  return { store, commits, file };
}

/** A reading of two sampled values, its timestamp `index` seconds into 2025. */
function reading(index: number, fields: Partial<MeterReading> = {}): MeterReading {
  return {
    stationId: 'CS-1',
    evseId: 1,
    connectorId: 1,
    transactionId: '1',
    timestamp: new Date(Date.UTC(2025, 0, 1) + index * 1000).toISOString(),
    sampledValues: [
      { value: String(index), measurand: 'Energy.Active.Import.Register', phase: null, location: 'Outlet', unit: 'Wh',
        context: 'Sample.Periodic', format: 'Raw' },
      { value: '16.0', measurand: 'Current.Import', phase: 'L1', location: 'Outlet', unit: 'A', context: 'Sample.Periodic',
        format: 'Raw' },
    ],
    receivedAt: '2025-01-01T00:00:00.000Z',
    ...fields,
  };
}

repositoryContract('sqlite', () => openSqliteStore({ file: newFile() }));

describe('sqlite store: group commit', () => {
  it('commits concurrent writes of one event-loop turn together, counting a reading as one operation', async () => {
    const { store, commits } = await openRecorded();
    const added = await Promise.all(Array.from({ length: 1000 }, (_, index) => store.meterValues.append([reading(index)])));
    assert.equal(added.reduce((sum, count) => sum + count, 0), 1000);
    assert.equal(commits.length, 1);
    assert.deepEqual({ writes: commits[0]?.writes, ops: commits[0]?.ops }, { writes: 1000, ops: 1000 });
    await store.close();
  });

  it('settles a write only after its commit', async () => {
    const events: string[] = [];
    const store = await openSqliteStore({ file: newFile(), onCommit: () => events.push('commit') });
    await store.idTokens
      .put({ idToken: 'T', status: 'Accepted', expiryDate: null, groupId: null, allowConcurrentTx: false })
      .then(() => events.push('settled'));
    assert.deepEqual(events, ['commit', 'settled']);
    await store.close();
  });

  it('commits at once when a batch reaches maxBatchRows', async () => {
    const { store, commits } = await openRecorded({ maxBatchRows: 100 });
    const writes = Array.from({ length: 10 }, (_, batch) =>
      store.meterValues.append(Array.from({ length: 50 }, (_, row) => reading(batch * 50 + row))),
    );
    assert.equal(commits.length, 5, 'the five full batches commit before the turn ends');
    assert.deepEqual(await Promise.all(writes), Array.from({ length: 10 }, () => 50));
    assert.ok(commits.every((commit) => commit.ops <= 100));
    await store.close();
  });

  it('rejects only the failing write of a batch; the others commit', async () => {
    const { store, commits } = await openRecorded();
    const command = {
      stationId: 'CS-1', action: 'Reset', request: { type: 'Soft' }, actor: 'admin', origin: null,
      status: 'pending' as const, response: null, error: null, createdAt: '2025-01-01T00:00:00.000Z', completedAt: null,
    };
    const results = await Promise.allSettled([
      store.commands.create({ ...command, id: 'c1' }),
      store.commands.create({ ...command, id: 'c1', action: 'Duplicate' }),
      store.commands.create({ ...command, id: 'c2' }),
    ]);
    assert.deepEqual(results.map((result) => result.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.equal(commits.length, 1);
    assert.equal(commits[0]?.writes, 3);
    assert.equal((await store.commands.get('c1'))?.action, 'Reset');
    assert.ok(await store.commands.get('c2'));
    await store.close();
  });

  it('stores a device model report of 2,000 attributes as one write in one commit', async () => {
    const { store, commits } = await openRecorded();
    await store.stations.register({ id: 'CS-1' });
    commits.length = 0;
    await store.deviceModel.upsert('CS-1', deviceModelReport(2000), '2025-01-01T00:00:00.000Z');
    assert.deepEqual(commits.map((commit) => ({ writes: commit.writes, ops: commit.ops })), [{ writes: 1, ops: 2000 }]);
    assert.equal((await store.deviceModel.list('CS-1', {})).length, 2000);
    await store.close();
  });

  it('appends many readings in one write, skipping replays within and across calls', async () => {
    const { store } = await openRecorded();
    const readings = Array.from({ length: 5000 }, (_, index) => reading(index));
    assert.equal(await store.meterValues.append(readings), 5000);
    assert.equal(await store.meterValues.append([...readings.slice(0, 10), reading(5000), reading(5000)]), 1);
    assert.equal((await store.meterValues.forTransaction('CS-1', '1')).length, 5001 * 2);
    await store.close();
  });

  it('keeps meter readings under one index, led by time, and nothing ordered by station in the store file', async () => {
    // An index ordered by station or transaction costs each commit one more written page per reporting station; the
    // message path's throughput depends on the store file having just this one (the station index is a file of its
    // own, written in bulk: sqlite-station-index.test.ts).
    const { store, file } = await openRecorded();
    await store.meterValues.append([reading(1)]);
    await store.close();
    const db = new DatabaseSync(file);
    try {
      const indexes = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'meter_readings'
        AND sql IS NOT NULL ORDER BY name`).all();
      assert.deepEqual(indexes.map((row) => row.name), ['meter_readings_identity']);
      assert.match(String(indexes[0]?.sql), /\(timestamp, station_id, evse_id, connector_id, transaction_id, digest\)/);
    } finally {
      db.close();
    }
  });
});

describe('sqlite store: the transaction register written behind', () => {
  it('a read while the register waits for its commit still sees the newest register (E14 reconciliation read 1000 for 1400)', async () => {
    // The register is written behind every millisecond here; each write waits for the group commit (and behind an
    // fsync already running). Reads in between must find it, neither in the row yet nor pending any more.
    const store = await openSqliteStore({ file: newFile(), lastSeenFlushMs: 1 });
    try {
      const { record } = await store.transactions.start({ stationId: 'CS-1', evseId: 1, connectorId: 1, idToken: 'T', meterStartWh: 0, startedAt: '2025-01-01T00:00:00.000Z' });
      const stale: string[] = [];
      for (let i = 1; i <= 200; i++) {
        await store.transactions.updateMeter(record.id, i * 10, new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString());
        await sleep(i % 3);
        const read = await store.transactions.get(record.id);
        if (read?.lastMeterWh !== i * 10) stale.push(`${i * 10} read as ${read?.lastMeterWh}`);
      }
      assert.deepEqual(stale, []);
    } finally {
      await store.close();
    }
  });
});

describe('sqlite store: durability and lifecycle', () => {
  it('keeps the data across close and reopen, including last-seen times', async () => {
    const { store, file } = await openRecorded();
    await store.stations.register({ id: 'CS-1', registered: true });
    store.stations.touch('CS-1', '2025-01-01T12:00:00.000Z');
    const { record } = await store.transactions.start({
      stationId: 'CS-1', evseId: 1, connectorId: 1, idToken: 'T', meterStartWh: 10, startedAt: '2025-01-01T11:00:00.000Z',
    });
    await store.meterValues.append([reading(1, { transactionId: record.id })]);
    await store.close();

    const reopened = await openSqliteStore({ file });
    const station = await reopened.stations.get('CS-1');
    assert.equal(station?.registered, true);
    assert.equal(station?.lastSeen, '2025-01-01T12:00:00.000Z');
    assert.deepEqual(await reopened.transactions.get(record.id), record);
    assert.equal((await reopened.meterValues.forTransaction(record.stationId, record.id)).length, 2);
    const next = await reopened.transactions.start({
      stationId: 'CS-1', evseId: 1, connectorId: 1, idToken: 'T', meterStartWh: 10, startedAt: '2025-01-01T13:00:00.000Z',
    });
    assert.ok(Number(next.record.id) > Number(record.id), 'transaction ids are never reused');
    await reopened.close();
  });

  it('keeps every acknowledged write when the process is killed', async () => {
    const file = newFile();
    const storeModule = fileURLToPath(new URL('../../../src/store/sqlite/sqlite-store.ts', import.meta.url));
    const writer = spawn(process.execPath, ['--input-type=module', '-e', `
      const { openSqliteStore } = await import(${JSON.stringify(storeModule)});
      const store = await openSqliteStore({ file: ${JSON.stringify(file)} });
      for (let round = 0; ; round += 1) {
        // Two readings of five sampled values each, in two appends: ten values per round.
        const readings = [1, 2].map((connectorId) => ({
          stationId: 'CS-1', evseId: 1, connectorId, transactionId: null, timestamp: String(round), receivedAt: 'now',
          sampledValues: Array.from({ length: 5 }, (_, index) => ({
            value: String(index), measurand: 'm', phase: null, location: null, unit: null, context: null, format: null,
          })),
        }));
        await Promise.all(readings.map((one) => store.meterValues.append([one])));
        process.stdout.write((round + 1) * 10 + '\\n');
      }
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    let acknowledged = 0;
    writer.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const lines = output.split('\n');
      output = lines.pop() ?? '';
      if (lines.length > 0) acknowledged = Number(lines.at(-1));
      if (acknowledged >= 500) writer.kill('SIGKILL');
    });
    await once(writer, 'exit');
    assert.ok(acknowledged >= 500, `the writer stopped after ${acknowledged} acknowledged sampled values`);

    const reopened = await openSqliteStore({ file });
    const stored = (await reopened.meterValues.forStation('CS-1', 1_000_000)).length;
    assert.ok(stored >= acknowledged, `${stored} sampled values stored, ${acknowledged} acknowledged`);
    await reopened.close();
  });

  it('writes last-seen times periodically, not on every touch', async () => {
    const { store, file, commits } = await openRecorded({ lastSeenFlushMs: 20 });
    await store.stations.register({ id: 'CS-1' });
    const commitsBefore = commits.length;
    for (let second = 0; second < 50; second += 1) {
      store.stations.touch('CS-1', new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString());
    }
    assert.equal(commits.length, commitsBefore);
    await sleep(100);
    const reader = new DatabaseSync(file, { readOnly: true });
    assert.deepEqual({ ...reader.prepare('SELECT last_seen FROM stations').get() }, { last_seen: '2025-01-01T00:00:49.000Z' });
    reader.close();
    await store.close();
  });

  it('writes transactions\' meter registers in one periodic write, merged into reads before that', async () => {
    const { store, file, commits } = await openRecorded({ lastSeenFlushMs: 30 });
    const { record } = await store.transactions.start({
      stationId: 'CS-1', evseId: 1, connectorId: 1, idToken: 'TAG', meterStartWh: 0, startedAt: '2025-01-01T00:00:00.000Z',
    });
    const commitsBefore = commits.length;
    for (let second = 1; second <= 50; second += 1) {
      await store.transactions.updateMeter(record.id, second * 10, new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString());
    }
    assert.equal(commits.length, commitsBefore, 'no commit per register');
    assert.equal((await store.transactions.get(record.id))?.lastMeterWh, 500);
    assert.equal((await store.transactions.activeForStation('CS-1'))[0]?.lastMeterWh, 500);
    await sleep(120);
    const reader = new DatabaseSync(file, { readOnly: true });
    assert.deepEqual({ ...reader.prepare('SELECT last_meter_wh, last_meter_at FROM transactions').get() },
      { last_meter_wh: 500, last_meter_at: '2025-01-01T00:00:50.000Z' });
    reader.close();
    await store.close();
  });

  it('writes the last-seen times and meter registers of many stations in slices, so that no commit holds the event loop long', async () => {
    const { store, file, commits } = await openRecorded({ lastSeenFlushMs: 30 });
    const stations = 1000;
    const ids: string[] = [];
    for (let index = 0; index < stations; index += 1) {
      const { record } = await store.transactions.start({
        stationId: `CS-${index}`, evseId: 1, connectorId: 1, idToken: 'TAG', meterStartWh: 0, startedAt: '2025-01-01T00:00:00.000Z',
      });
      ids.push(record.id);
    }
    await Promise.all(Array.from({ length: stations }, (_, index) => store.stations.register({ id: `CS-${index}` })));
    await sleep(100);
    commits.length = 0;
    for (let index = 0; index < stations; index += 1) {
      store.stations.touch(`CS-${index}`, '2025-01-01T01:00:00.000Z');
      await store.transactions.updateMeter(ids[index] as string, 1234, '2025-01-01T01:00:00.000Z');
    }
    await sleep(300);
    // A slice of each of the two write-behinds (times, registers) may share one group commit; nothing more.
    assert.ok(commits.every((commit) => commit.ops <= 2 * WRITE_BEHIND_SLICE_ROWS), JSON.stringify(commits.map((commit) => commit.ops)));
    assert.ok(commits.reduce((sum, commit) => sum + commit.ops, 0) >= 2 * stations, 'every time and register written');
    const reader = new DatabaseSync(file, { readOnly: true });
    assert.deepEqual({ ...reader.prepare("SELECT count(*) AS n FROM stations WHERE last_seen = '2025-01-01T01:00:00.000Z'").get() }, { n: stations });
    assert.deepEqual({ ...reader.prepare('SELECT count(*) AS n FROM transactions WHERE last_meter_wh = 1234').get() }, { n: stations });
    reader.close();
    await store.close();
  });

  it('writes a pending meter register with the stop of its transaction, and on close', async () => {
    const file = newFile();
    const store = await openSqliteStore({ file, lastSeenFlushMs: 60_000 });
    const start = { stationId: 'CS-1', evseId: 1, connectorId: 1, idToken: 'TAG', meterStartWh: 0 };
    const stopped = (await store.transactions.start({ ...start, startedAt: '2025-01-01T00:00:00.000Z' })).record;
    const open = (await store.transactions.start({ ...start, connectorId: 2, startedAt: '2025-01-01T00:00:01.000Z' })).record;
    await store.transactions.updateMeter(stopped.id, 700, '2025-01-01T00:10:00.000Z');
    await store.transactions.updateMeter(open.id, 900, '2025-01-01T00:10:00.000Z');
    const result = await store.transactions.stop({ id: stopped.id, stoppedAt: '2025-01-01T00:11:00.000Z', meterStopWh: 750, stopReason: null, stopIdToken: null });
    assert.equal(result?.record.lastMeterWh, 700, 'the stop wrote the pending register with it');
    await store.close();
    const reopened = await openSqliteStore({ file });
    assert.equal((await reopened.transactions.get(stopped.id))?.lastMeterWh, 700);
    assert.equal((await reopened.transactions.get(open.id))?.lastMeterWh, 900, 'close wrote the pending register');
    await reopened.close();
  });

  it('does not report a transaction as inactive while a newer meter register is pending', async () => {
    const store = await openSqliteStore({ file: newFile(), lastSeenFlushMs: 60_000 });
    const { record } = await store.transactions.start({
      stationId: 'CS-1', evseId: 1, connectorId: 1, idToken: 'TAG', meterStartWh: 0, startedAt: '2025-01-01T00:00:00.000Z',
    });
    const before = new Date(Date.now() + 1000).toISOString();
    assert.deepEqual((await store.transactions.inactiveSince(before, 10)).map((tx) => tx.id), [record.id]);
    await sleep(5);
    await store.transactions.updateMeter(record.id, 10, new Date().toISOString());
    const cutoff = new Date(Date.now() - 2).toISOString();
    assert.deepEqual(await store.transactions.inactiveSince(cutoff, 10), []);
    await store.close();
  });

  it('rejects reads and writes after close with StoreClosedError', async () => {
    const { store } = await openRecorded();
    await store.close();
    await assert.rejects(store.stations.list(), StoreClosedError);
    await assert.rejects(store.stations.register({ id: 'CS-1' }), StoreClosedError);
  });

  it('commits writes queued before close', async () => {
    const { store, file } = await openRecorded();
    const pending = store.meterValues.append([reading(1), reading(2)]);
    await store.close();
    assert.equal(await pending, 2);
    const reopened = await openSqliteStore({ file });
    assert.equal((await reopened.meterValues.forStation('CS-1', 10)).length, 4);
    await reopened.close();
  });

  it('enforces that a connector status belongs to a known station', async () => {
    const { store } = await openRecorded();
    await assert.rejects(
      store.stations.recordStatus({
        stationId: 'CS-unknown', evseId: 1, connectorId: 1, status: 'Available', errorCode: null, info: null,
        vendorId: null, vendorErrorCode: null, timestamp: '2025-01-01T00:00:00.000Z', receivedAt: '2025-01-01T00:00:00.000Z',
      }),
      /FOREIGN KEY/,
    );
    await store.close();
  });
});

describe('sqlite store: connection and migrations', () => {
  it('opens connections in WAL mode with synchronous=FULL, foreign keys and a busy timeout', () => {
    const db = openConnection(join(directory, 'pragmas.db'));
    const pragma = (name: string): unknown => Object.values(db.prepare(`PRAGMA ${name}`).get() ?? {})[0];
    assert.equal(pragma('journal_mode'), 'wal');
    assert.equal(pragma('synchronous'), 2);
    assert.equal(pragma('foreign_keys'), 1);
    assert.ok(Number(pragma('busy_timeout')) > 0);
    db.close();
  });

  it('applies each migration once, however often the store is opened', async () => {
    const file = newFile();
    await (await openSqliteStore({ file })).close();
    await (await openSqliteStore({ file })).close();
    const db = openConnection(file);
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all().map((row) => row.version);
    assert.deepEqual(versions, MIGRATIONS.map((migration) => migration.version));
    assert.deepEqual(runMigrations(db), []);
    db.close();
  });

  it('migration 2 turns the meter values of schema 1 into readings, replays of them still recognised', async () => {
    const file = newFile();
    mkdirSync(dirname(file), { recursive: true });
    const db = openConnection(file);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT');
    db.exec(MIGRATIONS.find((migration) => migration.version === 1)?.sql ?? '');
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, ?, ?)').run('initial schema', 'then');
    const insert = db.prepare(`INSERT INTO meter_values (${V1_COLUMNS.join(', ')}) VALUES (${V1_COLUMNS.map(() => '?').join(', ')})`);
    for (const row of V1_ROWS) insert.run(...V1_COLUMNS.map((column) => row[column]));
    db.close();

    const store = await openSqliteStore({ file });
    await assertMigratedV1(store);
    await store.close();
    const check = openConnection(file);
    assert.equal(check.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'meter_values'").get()?.n, 0);
    assert.equal(check.prepare('SELECT count(*) AS n FROM meter_readings').get()?.n, 5);
    check.close();
  });

  it('migration 13 stores sampled values with codes; replays of readings stored with names still recognised', async () => {
    const file = newFile();
    await (await openSqliteStore({ file })).close();
    // Readings as Joule stored them up to migration 12: every field by name, digested from that text.
    const db = openConnection(file);
    const insert = db.prepare(`INSERT INTO meter_readings
      (station_id, evse_id, connector_id, transaction_id, timestamp, samples, digest, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const reading of V1_READINGS_IN_ORDER) {
      const samples = samplesTextWithNames(reading);
      insert.run(reading.stationId, reading.evseId, reading.connectorId, reading.transactionId ?? '', reading.timestamp,
        samples, samplesDigest(samples), reading.receivedAt);
    }
    backToBeforeMigration13(db);
    db.close();

    const store = await openSqliteStore({ file });
    await assertMigratedV1(store);
    await store.close();
    const check = openConnection(file);
    const stored = check.prepare('SELECT samples FROM meter_readings ORDER BY id LIMIT 4').all().map((row) => row.samples);
    assert.deepEqual(stored, V1_READINGS_IN_ORDER.map((reading) => encodeSamples(reading.sampledValues)));
    check.close();
  });

  it('migration 13 commits its data move in chunks and, interrupted, does the rest at the next start', async () => {
    const file = newFile();
    await (await openSqliteStore({ file })).close();
    const db = openConnection(file);
    const total = RECODE_CHUNK_READINGS * 2 + 500;
    const insert = db.prepare(`INSERT INTO meter_readings
      (station_id, evse_id, connector_id, transaction_id, timestamp, samples, digest, received_at) VALUES (?, 1, 1, ?, ?, ?, ?, ?)`);
    const readingAt = (index: number): MeterReading => ({
      stationId: `CS-${index % 50}`, evseId: 1, connectorId: 1, transactionId: `T-${index % 50}`,
      timestamp: new Date(Date.UTC(2025, 0, 1) + index * 1000).toISOString(),
      sampledValues: [{ value: String(index), measurand: 'Energy.Active.Import.Register', phase: null, location: 'Outlet', unit: 'Wh', context: 'Sample.Periodic', format: null }],
      receivedAt: 'r',
    });
    db.exec('BEGIN');
    for (let index = 0; index < total; index += 1) {
      const reading = readingAt(index);
      // The first third as a start interrupted after its first chunk left them: re-encoded already.
      const samples = index < RECODE_CHUNK_READINGS ? encodeSamples(reading.sampledValues) : samplesTextWithNames(reading);
      insert.run(reading.stationId, reading.transactionId, reading.timestamp, samples, samplesDigest(samples), reading.receivedAt);
    }
    db.exec('COMMIT');
    backToBeforeMigration13(db);
    db.close();

    const store = await openSqliteStore({ file });
    for (const index of [0, RECODE_CHUNK_READINGS - 1, RECODE_CHUNK_READINGS, RECODE_CHUNK_READINGS * 2 + 1, total - 1]) {
      assert.equal(await store.meterValues.append([{ ...readingAt(index), receivedAt: 'replayed' }]), 0, `a replay of reading ${index}`);
    }
    assert.equal((await store.meterValues.forTransaction('CS-7', 'T-7')).length, total / 50);
    await store.close();
    const check = openConnection(file);
    assert.equal(check.prepare("SELECT count(*) AS n FROM meter_readings WHERE samples LIKE '%Energy%'").get()?.n, 0, 'none left with names');
    assert.equal(check.prepare('SELECT max(version) AS v FROM schema_migrations').get()?.v, MIGRATIONS.at(-1)?.version);
    check.close();
  });

  it('migration 3 keeps the stations and transactions of schema 2 and adds the 2.x parts', async () => {
    const file = newFile();
    mkdirSync(dirname(file), { recursive: true });
    const db = openConnection(file);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT');
    for (const migration of MIGRATIONS.filter((candidate) => candidate.version <= 2)) {
      db.exec(migration.sql);
      migration.after?.(db);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, 'then');
    }
    // SQLite's column types: booleans as 0/1, JSON as text.
    const sqliteValue = (value: unknown): SQLInputValue =>
      typeof value === 'boolean' ? Number(value) : Array.isArray(value) ? JSON.stringify(value) : (value as SQLInputValue);
    const insert = (table: string, columns: readonly string[], row: Record<string, unknown>): void => {
      db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
        .run(...columns.map((column) => sqliteValue(row[column])));
    };
    insert('stations', V2_STATION_COLUMNS, V2_STATION);
    for (const row of V2_TRANSACTIONS) insert('transactions', V2_TRANSACTION_COLUMNS, row);
    db.close();

    const store = await openSqliteStore({ file });
    await assertMigratedV2(store);
    await store.close();
    const check = openConnection(file);
    assert.equal(check.prepare('SELECT max(version) AS version FROM schema_migrations').get()?.version, MIGRATIONS.at(-1)?.version);
    check.close();
  });

  it('refuses a database whose schema is newer than this code', async () => {
    const file = newFile();
    await (await openSqliteStore({ file })).close();
    const db = openConnection(file);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(9999, 'future', 'now');
    db.close();
    await assert.rejects(openSqliteStore({ file }), /newer/);
  });
});

describe('sqlite store: the audit log is append-only', () => {
  it('refuses UPDATE and DELETE of audit entries in the database itself', async () => {
    const file = newFile();
    const store = await openSqliteStore({ file });
    const entry = await store.auditLog.append({
      at: '2025-01-01T10:00:00.000Z', actor: 'alice', role: 'admin', action: 'POST /stations/:id/commands/:action', target: 'CP1',
      outcome: 200, remoteAddress: '127.0.0.1', details: null,
    });
    await store.close();
    const db = openConnection(file);
    try {
      assert.throws(() => db.prepare("UPDATE audit_log SET actor = 'mallory' WHERE id = ?").run(Number(entry.id)), /append-only/);
      assert.throws(() => db.prepare('DELETE FROM audit_log').run(), /append-only/);
      assert.equal(db.prepare('SELECT actor FROM audit_log WHERE id = ?').get(Number(entry.id))?.actor, 'alice');
    } finally {
      db.close();
    }
  });
});
