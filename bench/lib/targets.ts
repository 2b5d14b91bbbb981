import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { freePort, sleep, spawnNode, treeCpuMs, treeRssKb } from './proc.ts';
import { BENCH_ID_TAG } from '../load/messages.ts';
import { heapAfterGc, inspectorUrl, type HeapSample } from './inspector.ts';

export type TargetName = 'raw-ws' | 'raw-ws-durable' | 'ocpp-rpc' | 'ocpp-rpc-durable' | 'joule';

export const TARGETS: readonly TargetName[] = ['raw-ws', 'raw-ws-durable', 'ocpp-rpc', 'ocpp-rpc-durable', 'joule'];

export const TARGET_LABELS: Record<TargetName, string> = {
  'raw-ws': '(a) raw ws',
  'raw-ws-durable': '(a′) raw ws + SQLite',
  'ocpp-rpc': '(b) ocpp-rpc strict',
  'ocpp-rpc-durable': '(b′) ocpp-rpc + SQLite',
  joule: '(c) Joule',
};

/**
 * The scenarios a target takes part in (all when absent): the durable peers (a′) and (b′) differ from (a) and (b) only
 * in how they answer MeterValues, so they run only where MeterValues are sent.
 */
export const TARGET_SCENARIOS: Partial<Record<TargetName, readonly string[]>> = {
  'raw-ws-durable': ['meter-values', 'rate-mv-5k', 'rate-mv-10k'],
  'ocpp-rpc-durable': ['meter-values', 'rate-mv-5k', 'rate-mv-10k'],
};

/** The durable peers (a′) and (b′): they store MeterValues in a database of their own (durable-meter-values.ts). */
export function isDurablePeer(name: TargetName): name is 'raw-ws-durable' | 'ocpp-rpc-durable' {
  return name === 'raw-ws-durable' || name === 'ocpp-rpc-durable';
}

/** The file in which (a′) and (b′) store their meter values, in their data directory. */
const PEER_DATABASE = 'meter-values.db';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPTS: Record<Exclude<TargetName, 'joule'>, string> = {
  'raw-ws': join(ROOT, 'bench/targets/raw-ws-server.ts'),
  'raw-ws-durable': join(ROOT, 'bench/targets/raw-ws-server.ts'),
  'ocpp-rpc': join(ROOT, 'bench/targets/ocpp-rpc-csms.ts'),
  'ocpp-rpc-durable': join(ROOT, 'bench/targets/ocpp-rpc-csms.ts'),
};
export const JOULE_CLI = join(ROOT, 'bin/joule.js');

export interface TargetOptions {
  /** taskset CPU list for the server (undefined: not pinned). */
  cpus: string | undefined;
  /** Address to listen on; 0.0.0.0 lets load processes reach it on several loopback addresses. */
  host: string;
  /** Joule only: `joule serve --workers N`. */
  workers?: number | undefined;
  /** Joule only: extra environment (e.g. NODE_OPTIONS=--cpu-prof). */
  env?: Record<string, string> | undefined;
  /** Start with `--inspect=127.0.0.1:0` so that `heapAfterGc()` can ask for the heap after a full GC. */
  inspect?: boolean | undefined;
}

export interface RunningTarget {
  name: TargetName;
  pid: number;
  port: number;
  /** ws://127.0.0.1:port/ocpp (the station id is appended). */
  wsUrl: string;
  /** Joule, (a′) and (b′): the data directory (removed by `dispose`). */
  dataDir: string | undefined;
  /** VmRSS of the server (summed over its process tree), KB. */
  rssKb(): number;
  /** CPU time of the server (summed over its process tree), ms. */
  cpuMs(): number;
  /** With `inspect`: the server's memoryUsage() after a full GC (single-process servers only). */
  heapAfterGc(): Promise<HeapSample>;
  /** SIGTERM and wait for the exit (SIGKILL after 15 s). Returns the captured output. */
  stop(): Promise<string>;
  /** Removes what the target left on disk. */
  dispose(): void;
}

/** Joule data directories not yet disposed (removed if the run is interrupted). */
const liveDataDirs = new Set<string>();

export function removeDataDirs(): void {
  for (const dir of liveDataDirs) rmSync(dir, { recursive: true, force: true });
  liveDataDirs.clear();
}

export async function startTarget(name: TargetName, options: TargetOptions): Promise<RunningTarget> {
  const port = await freePort();
  let dataDir: string | undefined;
  let token = '';
  let args: string[];
  let env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  if (name === 'joule') {
    dataDir = mkdtempSync(join(tmpdir(), 'joule-bench-'));
    liveDataDirs.add(dataDir);
    token = randomBytes(16).toString('hex');
    args = [JOULE_CLI, 'serve', ...(options.workers ? ['--workers', String(options.workers)] : [])];
    env = {
      ...env,
      JOULE_DATA_DIR: dataDir,
      JOULE_API_TOKEN: token,
      JOULE_LOG_LEVEL: 'warn',
      // The simulated fleet connects without passwords (security profile 0).
      JOULE_ALLOW_UNSECURED: 'true',
      JOULE_PORT: String(port),
      JOULE_HOST: options.host,
      // One process unless asked (the default, one worker per core, would not be the single-core server measured).
      JOULE_WORKERS: String(options.workers ?? 1),
      ...options.env,
    };
  } else if (isDurablePeer(name)) {
    dataDir = mkdtempSync(join(tmpdir(), `${name}-bench-`));
    liveDataDirs.add(dataDir);
    args = [SCRIPTS[name], String(port), options.host, join(dataDir, PEER_DATABASE)];
  } else {
    args = [SCRIPTS[name], String(port), options.host];
  }
  if (options.inspect) args = ['--inspect=127.0.0.1:0', ...args];
  const child = spawnNode(args, options.cpus, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: could not spawn the server`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited during start-up:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start within 30 s:\n${output}`);
    }
    if (name === 'joule') {
      if (await healthy(port)) break;
    } else if (output.includes('{"listening"')) {
      break;
    }
    await sleep(50);
  }
  if (name === 'joule') await createBenchToken(port, token);

  return {
    name,
    pid,
    port,
    wsUrl: `ws://127.0.0.1:${port}/ocpp`,
    dataDir,
    rssKb: () => treeRssKb(pid),
    cpuMs: () => treeCpuMs(pid),
    heapAfterGc: () => {
      const url = inspectorUrl(output);
      if (!url) return Promise.reject(new Error(`${name} was not started with inspect`));
      return heapAfterGc(url);
    },
    stop: () => stopChild(child, exited).then(() => output),
    dispose: () => {
      if (!dataDir) return;
      if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
      liveDataDirs.delete(dataDir);
    },
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** `PUT /api/v1/id-tokens/BENCH`: the Accepted token every benchmark transaction uses. */
async function createBenchToken(port: number, token: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/id-tokens/${BENCH_ID_TAG}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'Accepted', allowConcurrentTx: true }),
  });
  const body = await res.text();
  if (!res.ok) throw new Error(`PUT /api/v1/id-tokens/${BENCH_ID_TAG} answered ${res.status}: ${body}`);
}

/** What Joule's SQLite store holds of meter values (read after the server stopped). */
export interface StoredMeterValues {
  /** Sampled values stored. */
  sampledValues: number;
  /** Rows holding them, and the table (the schema has kept them one row per sampled value, or per reading). */
  rows: number;
  table: string;
}

/** What a target stored of meter values, read from its data directory after it stopped. */
export async function countStoredMeterValues(name: TargetName, dataDir: string): Promise<StoredMeterValues> {
  const { DatabaseSync } = await import('node:sqlite');
  if (isDurablePeer(name)) {
    const db = new DatabaseSync(join(dataDir, PEER_DATABASE), { readOnly: true });
    try {
      const row = db
        .prepare(
          `SELECT COUNT(*) AS n, COALESCE(SUM((SELECT SUM(json_array_length(value, '$.sampledValue')) FROM json_each(meter_value))), 0) AS s
             FROM meter_values`,
        )
        .get() as { n: number; s: number };
      return { sampledValues: Number(row.s), rows: Number(row.n), table: 'meter_values' };
    } finally {
      db.close();
    }
  }
  const db = new DatabaseSync(join(dataDir, 'joule.db'), { readOnly: true });
  try {
    const has = (table: string): boolean => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
    if (has('meter_readings')) {
      const row = db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(json_array_length(samples)), 0) AS s FROM meter_readings').get() as { n: number; s: number };
      return { sampledValues: Number(row.s), rows: Number(row.n), table: 'meter_readings' };
    }
    if (has('meter_values')) {
      const row = db.prepare('SELECT COUNT(*) AS n FROM meter_values').get() as { n: number };
      return { sampledValues: Number(row.n), rows: Number(row.n), table: 'meter_values' };
    }
    throw new Error('neither meter_readings nor meter_values exists in the store');
  } finally {
    db.close();
  }
}

/** True when this Joule's CLI offers `serve --workers N` (the help text mentions it). */
export async function jouleHasWorkers(): Promise<boolean> {
  const { execFileSync } = await import('node:child_process');
  try {
    const help = execFileSync(process.execPath, [JOULE_CLI, 'help'], { encoding: 'utf8', timeout: 15_000 });
    return /--workers/.test(help);
  } catch {
    return false;
  }
}
