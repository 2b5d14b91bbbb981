/**
 * The SQLite store on the MeterValues path, without the network: N stations each keep one MeterValues in flight,
 * as Joule stores it (a reading of 10 sampled values, appended durably, and the transaction's latest register), and
 * the figure is the process's CPU time (all threads: event loop, fsync, checkpoints) per stored message. CPU per
 * message is steadier across runs than messages per second on a shared machine. Run it pinned to one core, like
 * the server in `npm run bench`:
 *
 *   taskset -c 0 npm run bench:store -- [stations=100] [seconds=8]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { SampledValueRecord } from '../src/store/ports.ts';

const stations = Number(process.argv[2] ?? 100);
const seconds = Number(process.argv[3] ?? 8);
const WARMUP_MS = 2000;

const directory = mkdtempSync(join(tmpdir(), 'joule-bench-store-'));
const store = await openSqliteStore({ file: join(directory, 'joule.db') });
const stationIds = Array.from({ length: stations }, (_, index) => `BENCH-${String(index).padStart(5, '0')}`);
const transactionIds: string[] = [];
for (const stationId of stationIds) {
  const start = { stationId, evseId: 1, connectorId: 1, idToken: 'BENCH', meterStartWh: 0, startedAt: new Date().toISOString() };
  transactionIds.push((await store.transactions.start(start)).record.id);
}

/** Ten sampled values like the load generator's: an energy register and nine others. */
function sampledValues(registerWh: number): SampledValueRecord[] {
  return Array.from({ length: 10 }, (_, index) => ({
    value: String(index === 0 ? registerWh : 16 + index / 10),
    measurand: index === 0 ? 'Energy.Active.Import.Register' : 'Current.Import',
    phase: index === 0 ? null : `L${(index % 3) + 1}`,
    location: 'Outlet',
    unit: index === 0 ? 'Wh' : 'A',
    context: 'Sample.Periodic',
    format: 'Raw',
  }));
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

const perMessage = (micros: number) => (micros / count).toFixed(1);
process.stdout.write(
  `${stations} stations, one MeterValues in flight each, ${seconds} s: ${Math.round((count * 1000) / elapsedMs)} stored/s; ` +
    `CPU ${perMessage(cpu.user + cpu.system)} µs per message (user ${perMessage(cpu.user)}, system ${perMessage(cpu.system)}), ` +
    `${Math.round((cpu.user + cpu.system) / 10 / elapsedMs)} % of a core\n`,
);
