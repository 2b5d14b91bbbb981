import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { encodeSamples, samplesDigest } from '../../../src/store/meter-readings.ts';
import type { MeterReading, TransactionStart } from '../../../src/store/ports.ts';
import { MIGRATIONS } from '../../../src/store/postgres/migrations.ts';
import { PostgresDatabase } from '../../../src/store/postgres/database.ts';
import { MeterValueBatcher } from '../../../src/store/postgres/meter-value-batcher.ts';
import { createPool, takeStartupOptions } from '../../../src/store/postgres/pool.ts';
import {
  openPostgresStore,
  StoreClosedError,
  type CommitInfo,
  type PostgresStoreOptions,
} from '../../../src/store/postgres/postgres-store.ts';
import { assertMigratedV1, samplesTextWithNames, V1_COLUMNS, V1_READINGS, V1_READINGS_IN_ORDER, V1_ROWS } from '../../store/meter-values-v1.ts';
import { repositoryContract } from '../../store/repository-contract.ts';
import { deviceModelReport } from './device-model-report.ts';
import { assertMigratedV2, V2_STATION, V2_STATION_COLUMNS, V2_TRANSACTION_COLUMNS, V2_TRANSACTIONS } from './schema-v2-fixture.ts';

/**
 * The PostgreSQL adapter against a real server: `JOULE_TEST_DATABASE_URL`, else the local default. Each store gets a
 * schema of its own, dropped at the end. A server that cannot be reached fails this file (it is not skipped).
 */
const url = process.env.JOULE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function connect(): Promise<Client> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `PostgreSQL is not reachable at ${redact(url)} (${reason}). These tests need a PostgreSQL server: start one, ` +
        'or point JOULE_TEST_DATABASE_URL at one.',
      { cause: error },
    );
  }
  return client;
}

function redact(connectionString: string): string {
  return connectionString.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

// Fail the whole file at once, with the reason, when there is no server.
await (await connect()).end();

const schemas = new Set<string>();
function newSchema(): string {
  const schema = `joule_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  schemas.add(schema);
  return schema;
}

after(async () => {
  const client = await connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
});

async function query(sql: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = await connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** The statements that take a migrated schema back to before migration 14: undo the later migrations (drop their table), forget them. */
function backToBeforeMigration14(schema: string): string[] {
  return [`DROP TABLE "${schema}".certificate_signing_requests`, `DELETE FROM "${schema}".schema_migrations WHERE version >= 14`];
}

/** Opens a store on a schema (a new one by default) and collects what each commit reported. */
async function openRecorded(options: Partial<PostgresStoreOptions> = {}) {
  const commits: CommitInfo[] = [];
  const schema = options.schema ?? newSchema();
  const store = await openPostgresStore({ url, ...options, schema, onCommit: (info) => commits.push(info) });
  return { store, commits, schema };
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

function txStart(fields: Partial<TransactionStart> = {}): TransactionStart {
  return {
    stationId: 'CS-1',
    evseId: 1,
    connectorId: 1,
    idToken: 'TAG1',
    meterStartWh: 0,
    startedAt: '2025-01-01T10:00:00.000Z',
    ...fields,
  };
}

repositoryContract('postgres', () => openPostgresStore({ url, schema: newSchema() }));

describe('postgres store: several processes on one schema', () => {
  it('two stores starting the same transaction at once get one id, one of them as duplicate', async () => {
    const schema = newSchema();
    const [a, b] = await Promise.all([openRecorded({ schema }), openRecorded({ schema })]);
    for (let round = 0; round < 20; round += 1) {
      const startedAt = new Date(Date.UTC(2025, 0, 1, 10, 0, round)).toISOString();
      const results = await Promise.all([
        a.store.transactions.start(txStart({ startedAt })),
        b.store.transactions.start(txStart({ startedAt, idToken: 'tag1' })),
        a.store.transactions.start(txStart({ startedAt, stationTxId: `uuid-${round}`, stationId: 'CS-2' })),
        b.store.transactions.start(txStart({ startedAt: `other-${round}`, stationTxId: `uuid-${round}`, stationId: 'CS-2' })),
      ]);
      assert.deepEqual(results.slice(0, 2).map((result) => result.duplicate).sort(), [false, true]);
      assert.equal(results[0]?.record.id, results[1]?.record.id);
      assert.deepEqual(results[0]?.record, results[1]?.record);
      assert.deepEqual(results.slice(2).map((result) => result.duplicate).sort(), [false, true]);
      assert.equal(results[2]?.record.id, results[3]?.record.id);
    }
    assert.equal((await a.store.transactions.list({ limit: 1000 })).length, 40);

    const { record } = await a.store.transactions.start(txStart({ startedAt: 'stop-race' }));
    const stop = { id: record.id, stoppedAt: 'later', meterStopWh: 10, stopReason: null, stopIdToken: null };
    const stops = await Promise.all([a.store.transactions.stop(stop), b.store.transactions.stop(stop)]);
    assert.deepEqual(stops.map((result) => result?.duplicate).sort(), [false, true]);
    assert.deepEqual(stops[0]?.record, stops[1]?.record);
    await Promise.all([a.store.close(), b.store.close()]);
  });

  it('two stores appending the same meter readings count each stored reading once', async () => {
    const schema = newSchema();
    const [a, b] = await Promise.all([openRecorded({ schema }), openRecorded({ schema })]);
    const readings = Array.from({ length: 2000 }, (_, index) => reading(index));
    const calls = [];
    for (let index = 0; index < readings.length; index += 10) {
      calls.push(a.store.meterValues.append(readings.slice(index, index + 10)));
      calls.push(b.store.meterValues.append(readings.slice(index, index + 10).reverse()));
    }
    const added = await Promise.all(calls);
    assert.equal(added.reduce((sum, count) => sum + count, 0), readings.length);
    assert.equal((await a.store.meterValues.forTransaction('CS-1', '1')).length, readings.length * 2);
    await Promise.all([a.store.close(), b.store.close()]);
  });

  it('migrations run once when several stores open a new schema at the same time', async () => {
    const schema = newSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore({ url, schema })));
    const versions = await query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
    assert.deepEqual(versions.map((row) => row.version), MIGRATIONS.map((migration) => migration.version));
    await Promise.all(stores.map((store) => store.close()));
    await (await openPostgresStore({ url, schema })).close();
    assert.equal((await query(`SELECT count(*)::int AS n FROM "${schema}".schema_migrations`))[0]?.n, MIGRATIONS.length);
  });

  it('meter readings carry one index, their identity as primary key: each stored reading adds one index entry', async () => {
    const { store, schema } = await openRecorded();
    await store.close();
    const indexes = await query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'meter_readings'`,
      [schema],
    );
    assert.equal(indexes.length, 1, JSON.stringify(indexes));
    assert.equal(indexes[0]?.indexname, 'meter_readings_identity');
    assert.match(String(indexes[0]?.indexdef), /UNIQUE INDEX meter_readings_identity ON .* \(station_id, "timestamp", evse_id, connector_id, transaction_id, digest\)/);
    const [constraint] = await query(
      `SELECT contype FROM pg_constraint WHERE conname = 'meter_readings_identity' AND connamespace = $1::regnamespace`,
      [schema],
    );
    assert.equal(constraint?.contype, 'p');
  });

  it('migration 2 turns the meter values of schema 1 into readings, replays of them still recognised', async () => {
    const schema = newSchema();
    const client = await connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"`);
      await client.query(`SET search_path TO "${schema}"`);
      await client.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)');
      await client.query(MIGRATIONS.find((migration) => migration.version === 1)?.sql ?? '');
      await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'initial schema', 'then')");
      for (const row of V1_ROWS) {
        await client.query(
          `INSERT INTO meter_values (${V1_COLUMNS.join(', ')}) VALUES (${V1_COLUMNS.map((_, index) => `$${index + 1}`).join(', ')})`,
          V1_COLUMNS.map((column) => row[column]),
        );
      }
    } finally {
      await client.end();
    }
    const store = await openPostgresStore({ url, schema });
    await assertMigratedV1(store);
    await store.close();
    assert.deepEqual(await query(`SELECT count(*)::int AS n FROM "${schema}".meter_readings`), [{ n: 5 }]);
  });

  it('migration 14 stores sampled values with codes; replays of readings stored with names still recognised', async () => {
    const schema = newSchema();
    // A value with an escaped NUL, which PostgreSQL's jsonb cannot hold (the migration reads it as json).
    const withNul: MeterReading = {
      ...V1_READINGS.otherStation, stationId: 'CS-NUL',
      sampledValues: [{ value: 'nul \u0000 here', measurand: 'Voltage', phase: 'L1', location: null, unit: 'V', context: null, format: null }],
    };
    await (await openPostgresStore({ url, schema })).close();
    // Readings as Joule stored them up to migration 13: every field by name, digested from that text.
    const client = await connect();
    try {
      await client.query(`SET search_path TO "${schema}"`);
      for (const reading of [...V1_READINGS_IN_ORDER, withNul]) {
        const samples = samplesTextWithNames(reading);
        await client.query(
          `INSERT INTO meter_readings (station_id, evse_id, connector_id, transaction_id, timestamp, samples, digest, received_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [reading.stationId, reading.evseId, reading.connectorId, reading.transactionId ?? '', reading.timestamp, samples,
            samplesDigest(samples), reading.receivedAt],
        );
      }
      for (const sql of backToBeforeMigration14(schema)) await client.query(sql);
    } finally {
      await client.end();
    }

    const store = await openPostgresStore({ url, schema });
    await assertMigratedV1(store);
    assert.equal(await store.meterValues.append([{ ...withNul, receivedAt: 'later' }]), 0, 'a replay of the reading with a NUL');
    assert.deepEqual((await store.meterValues.forStation('CS-NUL', 10)).map((record) => record.value), ['nul \u0000 here']);
    await store.close();
    const stored = await query(`SELECT samples FROM "${schema}".meter_readings ORDER BY id LIMIT 5`);
    assert.deepEqual(
      stored.map((row) => row.samples),
      [...V1_READINGS_IN_ORDER, withNul].map((reading) => encodeSamples(reading.sampledValues)),
    );
  });

  it('migration 3 keeps the stations and transactions of schema 2 and adds the 2.x parts', async () => {
    const schema = newSchema();
    const client = await connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"`);
      await client.query(`SET search_path TO "${schema}"`);
      await client.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)');
      for (const migration of MIGRATIONS.filter((candidate) => candidate.version <= 2)) {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          migration.version, migration.name, 'then',
        ]);
      }
      const insert = async (table: string, columns: readonly string[], row: Record<string, unknown>): Promise<void> => {
        await client.query(
          `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, index) => `$${index + 1}`).join(', ')})`,
          // jsonb takes JSON text (node-postgres would send an array as a PostgreSQL array).
          columns.map((column) => (Array.isArray(row[column]) ? JSON.stringify(row[column]) : row[column])),
        );
      };
      await insert('stations', V2_STATION_COLUMNS, V2_STATION);
      for (const row of V2_TRANSACTIONS) await insert('transactions', V2_TRANSACTION_COLUMNS, row);
      // As if the rows had taken their ids from the sequence.
      await client.query("SELECT setval('transactions_id_seq', (SELECT max(id) FROM transactions))");
    } finally {
      await client.end();
    }
    const store = await openPostgresStore({ url, schema });
    await assertMigratedV2(store);
    await store.close();
    assert.deepEqual(await query(`SELECT max(version) AS version FROM "${schema}".schema_migrations`), [{ version: MIGRATIONS.at(-1)?.version }]);
  });

  it('refuses a schema whose version is newer than this code', async () => {
    const { store, schema } = await openRecorded();
    await store.close();
    await query(`INSERT INTO "${schema}".schema_migrations (version, name, applied_at) VALUES (9999, 'future', 'now')`);
    await assert.rejects(openPostgresStore({ url, schema }), /newer/);
  });

  it('rejects a schema name that is not a plain identifier', async () => {
    await assert.rejects(openPostgresStore({ url, schema: 'bad"name' }), RangeError);
  });
});

describe('postgres store: the audit log is append-only', () => {
  it('refuses UPDATE, DELETE and TRUNCATE of audit entries in the database itself', async () => {
    const { store, schema } = await openRecorded();
    try {
      const entry = await store.auditLog.append({
        at: '2025-01-01T10:00:00.000Z', actor: 'alice', role: 'admin', action: 'POST /stations/:id/commands/:action', target: 'CP1',
        outcome: 200, remoteAddress: '127.0.0.1', details: { params: { id: 'CP1' } },
      });
      const table = `"${schema}".audit_log`;
      await assert.rejects(query(`UPDATE ${table} SET actor = 'mallory' WHERE id = $1`, [entry.id]), /append-only/);
      await assert.rejects(query(`DELETE FROM ${table}`), /append-only/);
      await assert.rejects(query(`TRUNCATE ${table}`), /append-only/);
      assert.deepEqual(await query(`SELECT actor FROM ${table}`), [{ actor: 'alice' }]);
    } finally {
      await store.close();
    }
  });
});

describe('postgres store: batched meter readings', () => {
  it('commits the appends of one event-loop turn in one INSERT, counting readings per append', async () => {
    const { store, commits } = await openRecorded({ maxBatchesInFlight: 1 });
    const added = await Promise.all(Array.from({ length: 1000 }, (_, index) => store.meterValues.append([reading(index)])));
    assert.deepEqual(new Set(added), new Set([1]));
    assert.equal(commits.length, 1);
    assert.deepEqual({ writes: commits[0]?.writes, ops: commits[0]?.ops }, { writes: 1000, ops: 1000 });

    // Replays mixed with new readings: each append gets its own count.
    commits.length = 0;
    const mixed = await Promise.all([
      store.meterValues.append([reading(0), reading(1)]),
      store.meterValues.append([reading(5000), reading(2, { receivedAt: 'later' })]),
      store.meterValues.append([reading(5001), reading(5002), reading(5001)]),
      store.meterValues.append([reading(5002)]),
      store.meterValues.append([reading(5003, { sampledValues: [] })]),
    ]);
    assert.deepEqual(mixed, [0, 1, 2, 0, 0]);
    assert.equal(commits.length, 1);
    await store.close();
  });

  it('appends made while a batch is committing form the next, larger batch', async () => {
    const { store, commits } = await openRecorded({ maxBatchesInFlight: 1, maxBatchRows: 10_000 });
    const calls: Promise<number>[] = [];
    for (let turn = 0; turn < 20; turn += 1) {
      for (let call = 0; call < 50; call += 1) {
        const first = (turn * 50 + call) * 10;
        calls.push(store.meterValues.append(Array.from({ length: 10 }, (_, row) => reading(first + row))));
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal((await Promise.all(calls)).reduce((sum, count) => sum + count, 0), 10_000);
    assert.equal(commits.reduce((sum, commit) => sum + commit.ops, 0), 10_000);
    assert.ok(commits.length < 20, `${commits.length} commits for 20 turns`);
    await store.close();
  });

  it('splits batches at maxBatchRows and statements at maxStatementRows', async () => {
    const { store, commits } = await openRecorded({ maxBatchRows: 100, maxStatementRows: 30, maxBatchesInFlight: 2 });
    const writes = Array.from({ length: 10 }, (_, batch) =>
      store.meterValues.append(Array.from({ length: 50 }, (_, row) => reading(batch * 50 + row))),
    );
    const large = store.meterValues.append(Array.from({ length: 95 }, (_, row) => reading(1000 + row)));
    assert.deepEqual(await Promise.all(writes), Array.from({ length: 10 }, () => 50));
    assert.equal(await large, 95);
    assert.ok(commits.every((commit) => commit.ops <= 100), JSON.stringify(commits));
    assert.equal(commits.reduce((sum, commit) => sum + commit.ops, 0), 595);
    assert.equal((await store.meterValues.forTransaction('CS-1', '1')).length, 595 * 2);
    await store.close();
  });

  it('stores a device model report of 2,000 attributes in one statement and one commit', async () => {
    const { store, commits } = await openRecorded();
    await store.stations.register({ id: 'CS-1' });
    commits.length = 0;
    await store.deviceModel.upsert('CS-1', deviceModelReport(2000), '2025-01-01T00:00:00.000Z');
    assert.deepEqual(commits.map((commit) => ({ writes: commit.writes, ops: commit.ops })), [{ writes: 1, ops: 2000 }]);
    assert.equal((await store.deviceModel.list('CS-1', {})).length, 2000);
    await store.close();
  });

  it('appends many readings in one call, skipping replays within and across calls', async () => {
    const { store } = await openRecorded();
    const readings = Array.from({ length: 12_000 }, (_, index) => reading(index));
    assert.equal(await store.meterValues.append(readings), 12_000);
    assert.equal(await store.meterValues.append([...readings.slice(0, 10), reading(12_000), reading(12_000)]), 1);
    assert.equal((await store.meterValues.forTransaction('CS-1', '1')).length, 12_001 * 2);
    await store.close();
  });

  it('rejects only the append PostgreSQL refuses; the others of its batch commit', async () => {
    const { store } = await openRecorded();
    const results = await Promise.allSettled([
      store.meterValues.append([reading(1)]),
      store.meterValues.append([reading(2, { timestamp: 'nul\u0000byte' })]),
      store.meterValues.append([reading(3)]),
    ]);
    assert.deepEqual(results.map((result) => result.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual((await store.meterValues.forTransaction('CS-1', '1')).map((record) => record.value), ['1', '16.0', '3', '16.0']);
    await store.close();
  });

  it('rejects only an append whose connector id no integer column can hold; the others of its batch commit', async () => {
    const { store } = await openRecorded();
    const results = await Promise.allSettled([
      store.meterValues.append([reading(1)]),
      store.meterValues.append([reading(2, { connectorId: 1.5 })]),
      store.meterValues.append([reading(3)]),
    ]);
    assert.deepEqual(results.map((result) => result.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.match(String((results[1] as PromiseRejectedResult).reason), /1\.5 is not a safe 64-bit integer/);
    assert.deepEqual((await store.meterValues.forTransaction('CS-1', '1')).map((record) => record.value), ['1', '16.0', '3', '16.0']);
    await store.close();
  });

  it('writes new readings without looking for replays; a replay sends its batch, and those of a while after, through ON CONFLICT', async () => {
    const { store, schema } = await openRecorded();
    await store.close();
    const pool = createPool({ url, schema, size: 2 });
    const statements: string[] = [];
    const run = pool.query.bind(pool) as (config: { name?: string }) => Promise<unknown>;
    Object.assign(pool, {
      query: (config: { name?: string }) => {
        statements.push(String(config.name).replace('joule_meter_readings_', ''));
        return run(config);
      },
    });
    const batcher = new MeterValueBatcher(new PostgresDatabase(pool, undefined), {
      maxBatchRows: 1000, maxStatementRows: 5000, maxInFlight: 1, skipReplaysForMs: 300,
    });
    try {
      assert.equal(await batcher.append([reading(0), reading(1)]), 2);
      assert.deepEqual(statements, ['insert_new']);
      assert.equal(await batcher.append([reading(1), reading(2)]), 1);
      assert.deepEqual(statements.slice(1), ['insert_new', 'insert_skipping_replays']);
      assert.equal(await batcher.append([reading(3)]), 1);
      assert.deepEqual(statements.slice(3), ['insert_skipping_replays']);
      await sleep(350);
      assert.equal(await batcher.append([reading(4)]), 1);
      assert.deepEqual(statements.slice(4), ['insert_new']);
      assert.deepEqual(await query(`SELECT count(*)::int AS n FROM "${schema}".meter_readings`), [{ n: 5 }]);
    } finally {
      await batcher.close();
      await pool.end();
    }
  });

  it('a reading in two batches committing at once is stored once and counted once', async () => {
    const { store } = await openRecorded({ maxBatchesInFlight: 2 });
    const first = store.meterValues.append([reading(10), reading(11)]);
    await new Promise((resolve) => setImmediate(resolve));
    const second = store.meterValues.append([reading(11), reading(12)]);
    const added = await Promise.all([first, second]);
    assert.equal(added[0] + added[1], 3);
    assert.equal((await store.meterValues.forTransaction('CS-1', '1')).length, 3 * 2);
    await store.close();
  });

  it('keeps long values (beyond a btree entry) and still skips their replays', async () => {
    const { store } = await openRecorded();
    const long = Array.from({ length: 8000 }, (_, index) => String.fromCharCode(33 + ((index * 7919) % 90))).join('');
    const signed = { value: long, measurand: 'Energy.Active.Import.Register', phase: null, location: null, unit: 'Wh',
      context: 'Sample.Periodic', format: 'SignedData' };
    const one = reading(1, { sampledValues: [signed] });
    assert.equal(await store.meterValues.append([one]), 1);
    assert.equal(await store.meterValues.append([one]), 0);
    assert.equal(await store.meterValues.append([{ ...one, sampledValues: [{ ...signed, value: `${long}x` }] }]), 1);
    assert.deepEqual((await store.meterValues.forTransaction('CS-1', '1'))[0], {
      stationId: 'CS-1', evseId: 1, connectorId: 1, transactionId: '1', timestamp: one.timestamp, ...signed,
      numericValue: null, receivedAt: one.receivedAt,
    });
    await store.close();
  });
});

describe('postgres store: transactions', () => {
  it('a replayed start without id token is a duplicate; one with a token is another transaction', async () => {
    const { store } = await openRecorded();
    const first = await store.transactions.start(txStart({ idToken: null }));
    const replay = await store.transactions.start(txStart({ idToken: null }));
    assert.deepEqual(replay, { record: first.record, duplicate: true });
    const withToken = await store.transactions.start(txStart({ idToken: 'TAG1' }));
    assert.equal(withToken.duplicate, false);
    await store.close();
  });

  it('a Joule-assigned id equal to a station transaction id the station used before takes the next id', async () => {
    const { store } = await openRecorded();
    const own = await store.transactions.start(txStart({ stationTxId: '2', startedAt: 'a' }));
    assert.equal(own.record.id, '1');
    const assigned = await store.transactions.start(txStart({ startedAt: 'b' }));
    assert.equal(assigned.duplicate, false);
    assert.equal(assigned.record.id, assigned.record.stationTxId);
    assert.notEqual(assigned.record.id, '2');
    await store.close();
  });
});

describe('postgres store: durability and lifecycle', () => {
  it('keeps every acknowledged write when the process is killed', async () => {
    const schema = newSchema();
    await (await openPostgresStore({ url, schema })).close();
    const storeModule = fileURLToPath(new URL('../../../src/store/postgres/postgres-store.ts', import.meta.url));
    const writer = spawn(process.execPath, ['--input-type=module', '-e', `
      const { openPostgresStore } = await import(${JSON.stringify(storeModule)});
      const store = await openPostgresStore({ url: ${JSON.stringify(url)}, schema: ${JSON.stringify(schema)} });
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
    const [row] = await query(`SELECT count(*)::int AS n FROM "${schema}".meter_readings`);
    assert.ok(Number(row?.n) * 5 >= acknowledged, `${String(row?.n)} readings of 5 values stored, ${acknowledged} values acknowledged`);
  });

  it('keeps the data across close and reopen, including last-seen times', async () => {
    const { store, schema } = await openRecorded();
    await store.stations.register({ id: 'CS-1', registered: true });
    store.stations.touch('CS-1', '2025-01-01T12:00:00.000Z');
    const { record } = await store.transactions.start(txStart({ meterStartWh: 10, startedAt: '2025-01-01T11:00:00.000Z' }));
    await store.meterValues.append([reading(1, { transactionId: record.id })]);
    await store.commands.create({
      id: 'c1', stationId: 'CS-1', action: 'Reset', request: { type: 'Soft' }, actor: 'admin', origin: null,
      status: 'pending', response: null, error: null, createdAt: '2025-01-01T00:00:00.000Z', completedAt: null,
    });
    await store.close();

    const reopened = await openPostgresStore({ url, schema });
    const station = await reopened.stations.get('CS-1');
    assert.equal(station?.registered, true);
    assert.equal(station?.lastSeen, '2025-01-01T12:00:00.000Z');
    assert.deepEqual(await reopened.transactions.get(record.id), record);
    assert.equal((await reopened.meterValues.forTransaction(record.stationId, record.id)).length, 2);
    assert.deepEqual((await reopened.commands.get('c1'))?.request, { type: 'Soft' });
    const next = await reopened.transactions.start(txStart({ startedAt: '2025-01-01T13:00:00.000Z' }));
    assert.ok(Number(next.record.id) > Number(record.id), 'transaction ids are never reused');
    await reopened.close();
  });

  it('commits writes queued before close', async () => {
    const { store, schema } = await openRecorded();
    const pending = store.meterValues.append([reading(1), reading(2)]);
    await store.close();
    assert.equal(await pending, 2);
    const reopened = await openPostgresStore({ url, schema });
    assert.equal((await reopened.meterValues.forStation('CS-1', 10)).length, 4);
    await reopened.close();
  });

  it('writes last-seen times periodically, not on every touch, and never backwards', async () => {
    const { store, schema, commits } = await openRecorded({ lastSeenFlushMs: 20 });
    await store.stations.register({ id: 'CS-1' });
    const commitsBefore = commits.length;
    for (let second = 0; second < 50; second += 1) {
      store.stations.touch('CS-1', new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString());
    }
    assert.equal(commits.length, commitsBefore);
    await sleep(150);
    assert.deepEqual(await query(`SELECT last_seen FROM "${schema}".stations`), [{ last_seen: '2025-01-01T00:00:49.000Z' }]);

    // Another process with an older time does not move it back.
    const other = await openPostgresStore({ url, schema });
    other.stations.touch('CS-1', '2025-01-01T00:00:10.000Z');
    await other.close();
    assert.deepEqual(await query(`SELECT last_seen FROM "${schema}".stations`), [{ last_seen: '2025-01-01T00:00:49.000Z' }]);
    await store.close();
  });

  it('writes transactions\' meter registers in one periodic statement, merged into reads before, never backwards', async () => {
    const { store, schema, commits } = await openRecorded({ lastSeenFlushMs: 30 });
    const { record } = await store.transactions.start(txStart());
    const commitsBefore = commits.length;
    for (let second = 1; second <= 50; second += 1) {
      await store.transactions.updateMeter(record.id, second * 10, new Date(Date.UTC(2025, 0, 1, 11, 0, second)).toISOString());
    }
    assert.equal(commits.length, commitsBefore, 'no commit per register');
    assert.equal((await store.transactions.get(record.id))?.lastMeterWh, 500);
    assert.equal((await store.transactions.activeForStation('CS-1'))[0]?.lastMeterWh, 500);
    await sleep(150);
    assert.deepEqual(await query(`SELECT last_meter_wh, last_meter_at FROM "${schema}".transactions`),
      [{ last_meter_wh: 500, last_meter_at: '2025-01-01T11:00:50.000Z' }]);

    // Another process with an older reading does not move it back.
    const other = await openPostgresStore({ url, schema });
    await other.transactions.updateMeter(record.id, 20, '2025-01-01T11:00:02.000Z');
    assert.equal((await other.transactions.get(record.id))?.lastMeterWh, 500, 'a later stored register wins over a pending older one');
    await other.close();
    assert.deepEqual(await query(`SELECT last_meter_wh FROM "${schema}".transactions`), [{ last_meter_wh: 500 }]);
    await store.close();
  });

  it('writes a pending meter register before the stop of its transaction, and on close', async () => {
    const { store, schema } = await openRecorded({ lastSeenFlushMs: 60_000 });
    const stopped = (await store.transactions.start(txStart())).record;
    const open = (await store.transactions.start(txStart({ connectorId: 2 }))).record;
    await store.transactions.updateMeter(stopped.id, 700, '2025-01-01T10:10:00.000Z');
    await store.transactions.updateMeter(open.id, 900, '2025-01-01T10:10:00.000Z');
    const result = await store.transactions.stop({ id: stopped.id, stoppedAt: '2025-01-01T10:11:00.000Z', meterStopWh: 750, stopReason: null, stopIdToken: null });
    assert.equal(result?.record.lastMeterWh, 700);
    await store.close();
    assert.deepEqual(await query(`SELECT id::text, last_meter_wh FROM "${schema}".transactions ORDER BY id`),
      [{ id: stopped.id, last_meter_wh: 700 }, { id: open.id, last_meter_wh: 900 }]);
  });

  it('rejects reads and writes after close with StoreClosedError', async () => {
    const { store } = await openRecorded();
    await store.close();
    await assert.rejects(store.stations.list(), StoreClosedError);
    await assert.rejects(store.stations.register({ id: 'CS-1' }), StoreClosedError);
    await assert.rejects(store.meterValues.append([reading(1)]), StoreClosedError);
  });

  it('enforces that a connector status belongs to a known station', async () => {
    const { store } = await openRecorded();
    await assert.rejects(
      store.stations.recordStatus({
        stationId: 'CS-unknown', evseId: 1, connectorId: 1, status: 'Available', errorCode: null, info: null,
        vendorId: null, vendorErrorCode: null, timestamp: '2025-01-01T00:00:00.000Z', receivedAt: '2025-01-01T00:00:00.000Z',
      }),
      /foreign key/,
    );
    await store.close();
  });

  it('keeps integers beyond 32 bits and folds only ASCII case in id tokens, as SQLite does', async () => {
    const { store } = await openRecorded();
    const { record } = await store.transactions.start(txStart({ connectorId: 2 ** 40, reservationId: 2 ** 35 }));
    assert.equal(record.connectorId, 2 ** 40);
    assert.equal(record.reservationId, 2 ** 35);
    await store.idTokens.put({ idToken: 'Émile', status: 'Accepted', expiryDate: null, groupId: null, allowConcurrentTx: false });
    assert.equal((await store.idTokens.get('éMILE'))?.idToken, undefined);
    assert.equal((await store.idTokens.get('ÉMILE'))?.idToken, 'Émile');
    await store.close();
  });

  it('keeps startup options given in the URL and still uses the configured schema', async () => {
    assert.deepEqual(takeStartupOptions('postgres://u:p%40ss@h:5432/db?options=-c%20x%3D1&sslmode=disable'), {
      url: 'postgres://u:p%40ss@h:5432/db?sslmode=disable',
      startupOptions: ['-c x=1'],
    });
    assert.deepEqual(takeStartupOptions(url), { url, startupOptions: [] });
    const schema = newSchema();
    const withOptions = new URL(url);
    withOptions.searchParams.set('options', '-c statement_timeout=12345 -c search_path=public');
    const store = await openPostgresStore({ url: withOptions.toString(), schema });
    await store.stations.register({ id: 'CS-1' });
    await store.close();
    assert.deepEqual(await query(`SELECT id FROM "${schema}".stations`), [{ id: 'CS-1' }]);
  });

  it('migrates however long a data move takes, whatever statement_timeout the connection has', async () => {
    const schema = newSchema();
    await (await openPostgresStore({ url, schema })).close();
    // Enough readings stored with names that re-encoding them (migration 14) takes far longer than the timeout.
    await query(`INSERT INTO "${schema}".meter_readings (station_id, evse_id, connector_id, transaction_id, timestamp, samples, digest, received_at)
      SELECT 'CS-' || (i % 100), 1, 1, '', lpad(i::text, 12, '0'), $1, md5(i::text), 'r' FROM generate_series(1, 40000) AS i`,
    [JSON.stringify(Array.from({ length: 10 }, (_, i) => [String(i), 'Voltage', 'L1-N', 'Outlet', 'V', 'Sample.Periodic', null]))]);
    for (const sql of backToBeforeMigration14(schema)) await query(sql);
    const withTimeout = new URL(url);
    withTimeout.searchParams.set('options', '-c statement_timeout=200');
    const store = await openPostgresStore({ url: withTimeout.toString(), schema });
    await store.close();
    assert.deepEqual(await query(`SELECT count(*)::int AS n FROM "${schema}".meter_readings WHERE samples LIKE '%Voltage%'`), [{ n: 0 }]);
  });

  it('stores JSON with characters jsonb refuses (NUL, lone surrogates) as U+FFFD, and keeps everything else', async () => {
    const { store } = await openRecorded();
    const payload = { nul: 'a\u0000b', lone: 'x\ud800y', low: '\udc00', pair: '😀', backslash: '\\u0000', quote: '"\\' };
    await store.stationEvents.append({ stationId: 'CS-1', type: 'DataTransfer', payload, timestamp: 't', receivedAt: 'r' });
    const [stored] = await store.stationEvents.list('CS-1', undefined, 1);
    assert.deepEqual(stored?.payload, {
      nul: 'a\ufffdb', lone: 'x\ufffdy', low: '\ufffd', pair: '😀', backslash: '\\u0000', quote: '"\\',
    });
    await store.close();
  });

  it('creates the tables in the configured schema only', async () => {
    const { store, schema } = await openRecorded();
    await store.stations.register({ id: 'CS-1' });
    await store.close();
    const tables = await query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [schema]);
    assert.ok(tables.some((row) => row.table_name === 'meter_readings'));
    assert.ok(!tables.some((row) => row.table_name === 'meter_values'));
    assert.deepEqual(await query(`SELECT id FROM "${schema}".stations`), [{ id: 'CS-1' }]);
  });
});

describe('postgres store: throughput', () => {
  it('sustains many meter readings per second from many concurrent appenders', async (t) => {
    const { store, commits } = await openRecorded();
    const stations = 500;
    const rounds = 40;
    const started = performance.now();
    // Each simulated station appends one reading of ten sampled values, waits for it to be stored, and appends the next.
    const added = await Promise.all(
      Array.from({ length: stations }, async (_, station) => {
        let count = 0;
        for (let round = 0; round < rounds; round += 1) {
          const sampledValues = Array.from({ length: 10 }, (_, index) => ({
            value: String(round * 10 + index), measurand: 'Energy.Active.Import.Register', phase: `L${index}`,
            location: 'Outlet', unit: 'Wh', context: 'Sample.Periodic', format: 'Raw',
          }));
          count += await store.meterValues.append([
            reading(round, { stationId: `CS-${station}`, transactionId: String(station + 1), sampledValues }),
          ]);
        }
        return count;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const readings = added.reduce((sum, count) => sum + count, 0);
    assert.equal(readings, stations * rounds);
    const perSecond = Math.round(readings / seconds);
    const meanCommit = Math.round(readings / commits.length);
    t.diagnostic(`${readings} readings (${readings * 10} sampled values) in ${seconds.toFixed(2)} s: ${perSecond} readings/s, ` +
      `${commits.length} commits of ${meanCommit} readings on average`);
    assert.ok(meanCommit >= 100, `commits of ${meanCommit} readings on average: appends are not batched`);
    // A floor far below what the store does, so that a busy CI machine does not fail it; the figure is reported.
    assert.ok(perSecond >= 2000, `${perSecond} readings/s`);
    await store.close();
  });
});
