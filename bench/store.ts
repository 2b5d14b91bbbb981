/**
 * A store on the MeterValues path, without the network: N stations each keep one MeterValues in flight, as Joule
 * stores it (a reading of 10 sampled values, appended durably, and the transaction's latest register). Figures:
 * stored readings (rows) and sampled values per second, and this process's CPU time (all threads: event loop,
 * fsync, checkpoints) per stored message, which is steadier across runs than messages per second on a shared
 * machine.
 *
 *   taskset -c 0 npm run bench:store -- [stations=100] [seconds=8]            SQLite, pinned to one core like the
 *                                                                             server in `npm run bench`
 *   npm run bench:store -- 2000 10 --postgres[=url]                           PostgreSQL (default: the local one,
 *                                                                             in a schema of its own, dropped after)
 *
 * `--json` prints the figures as one JSON object instead (the `pg-store` scenario of `npm run bench` uses it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres/postgres-store.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { SampledValueRecord, Store } from '../src/store/ports.ts';

const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const postgresFlag = process.argv.slice(2).find((arg) => arg === '--postgres' || arg.startsWith('--postgres='));
/** Print the figures as one JSON line (for `npm run bench`), not as a sentence. */
const json = process.argv.includes('--json');
const stations = Number(positional[0] ?? 100);
const seconds = Number(positional[1] ?? 8);
const WARMUP_MS = 2000;
const SAMPLED_VALUES = 10;

const postgresUrl = postgresFlag === undefined
  ? undefined
  : postgresFlag.includes('=') ? postgresFlag.slice('--postgres='.length) : process.env.JOULE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `joule_bench_store_${process.pid}`;
const directory = mkdtempSync(join(tmpdir(), 'joule-bench-store-'));
const store: Store = postgresUrl === undefined
  ? await openSqliteStore({ file: join(directory, 'joule.db') })
  : await openPostgresStore({ url: postgresUrl, schema });
const stationIds = Array.from({ length: stations }, (_, index) => `BENCH-${String(index).padStart(5, '0')}`);
const transactionIds: string[] = [];
for (const stationId of stationIds) {
  const start = { stationId, evseId: 1, connectorId: 1, idToken: 'BENCH', meterStartWh: 0, startedAt: new Date().toISOString() };
  transactionIds.push((await store.transactions.start(start)).record.id);
}

/**
 * The nine sampled values after the register, built once: this process is the load generator as well as the store,
 * and building them anew for every message cost about a fifth of its CPU (objects and garbage collection), which is
 * not the store's cost. The store only reads them.
 */
const OTHER_VALUES: readonly SampledValueRecord[] = Array.from({ length: SAMPLED_VALUES - 1 }, (_, index) => ({
  value: String(16 + (index + 1) / 10),
  measurand: 'Current.Import',
  phase: `L${((index + 1) % 3) + 1}`,
  location: 'Outlet',
  unit: 'A',
  context: 'Sample.Periodic',
  format: 'Raw',
}));

/** Ten sampled values like the load generator's: an energy register and nine others. */
function sampledValues(registerWh: number): SampledValueRecord[] {
  return [
    { value: String(registerWh), measurand: 'Energy.Active.Import.Register', phase: null, location: 'Outlet', unit: 'Wh', context: 'Sample.Periodic', format: 'Raw' },
    ...OTHER_VALUES,
  ];
}

let stored = 0;
let stopping = false;
let clock = Date.now();
async function station(index: number): Promise<void> {
  const stationId = stationIds[index] as string;
  const transactionId = transactionIds[index] as string;
  for (let registerWh = 0; !stopping; registerWh += 10) {
    const timestamp = new Date(clock++).toISOString();
    const reading = { stationId, evseId: 1, connectorId: 1, transactionId, timestamp, sampledValues: sampledValues(registerWh), receivedAt: timestamp };
    await Promise.all([store.meterValues.append([reading]), store.transactions.updateMeter(transactionId, registerWh, timestamp)]);
    stored++;
  }
}

const running = stationIds.map((_, index) => station(index));
await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
const storedBefore = stored;
const cpuBefore = process.cpuUsage();
const started = performance.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const count = stored - storedBefore;
const cpu = process.cpuUsage(cpuBefore);
const elapsedMs = performance.now() - started;
stopping = true;
await Promise.all(running);
await store.close();
rmSync(directory, { recursive: true, force: true });
if (postgresUrl !== undefined) {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

const perMessage = (micros: number) => (micros / count).toFixed(1);
const perSecond = (n: number) => Math.round((n * 1000) / elapsedMs).toLocaleString('en-US');
if (json) {
  process.stdout.write(`${JSON.stringify({
    engine: postgresUrl === undefined ? 'sqlite' : 'postgres',
    stations,
    seconds,
    rowsPerSec: (count * 1000) / elapsedMs,
    sampledValuesPerSec: (count * SAMPLED_VALUES * 1000) / elapsedMs,
    cpuUsPerMessage: (cpu.user + cpu.system) / count,
    cpuPct: (cpu.user + cpu.system) / 10 / elapsedMs,
  })}\n`);
} else {
  process.stdout.write(
    `${postgresUrl === undefined ? 'SQLite' : 'PostgreSQL'}, ${stations} stations, one MeterValues in flight each, ${seconds} s: ` +
      `${perSecond(count)} readings (rows)/s = ${perSecond(count * SAMPLED_VALUES)} sampled values/s stored; ` +
      `CPU ${perMessage(cpu.user + cpu.system)} µs per message (user ${perMessage(cpu.user)}, system ${perMessage(cpu.system)}), ` +
      `${Math.round((cpu.user + cpu.system) / 10 / elapsedMs)} % of a core\n`,
  );
}
