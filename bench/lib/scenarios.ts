import { randomBytes } from 'node:crypto';
import { Histogram } from '../load/histogram.ts';
import { SAMPLED_VALUES_PER_FRAME, type BenchAction } from '../load/messages.ts';
import type { LoadResult, OpenedEvent } from '../load/protocol.ts';
import { LoadPool } from './load-pool.ts';
import { NoiseMeter, cpuMs, monotonicUs, processTree, sleep } from './proc.ts';
import { countStoredMeterValues, startTarget, type RunningTarget, type TargetName } from './targets.ts';
import type { HeapSample } from './inspector.ts';

export interface RateScenario {
  name: string;
  action: BenchAction;
  rate: number;
}

export interface BenchSettings {
  /** Closed loop: stations, each with one CALL in flight. */
  saturateConnections: number;
  warmupMs: number;
  durationMs: number;
  /** Open loop: stations the offered rate is spread over. */
  rateConnections: number;
  rates: RateScenario[];
  drainMs: number;
  idleStations: number;
  idleSettleMs: number;
  stormStations: number;
  /** Stations in their connect/boot/status sequence at once, per load process. */
  stormConcurrency: number;
  /** Most stations one load process opens (the per-process open-file cap here is 20,000). */
  stationsPerLoadProcess: number;
  callTimeoutMs: number;
  fleetStations: number;
  fleetServerWorkers: number;
  fleetHeartbeatIntervalS: number;
  fleetDurationMs: number;
}

export interface Pinning {
  /** taskset CPU list for servers and for load processes; undefined = not pinned. */
  server: string | undefined;
  load: string | undefined;
}

export interface ScenarioResult {
  scenario: string;
  target: TargetName;
  /** Named figures of this run; every one measured. */
  metrics: Record<string, number>;
  notes: string[];
  /** The measurement window on CLOCK_MONOTONIC (µs), e.g. to cut a CPU profile to it. */
  window?: { startUs: number; endUs: number };
  error?: string;
  skipped?: string;
}

interface WindowStats {
  serverCpuPct: number;
  /** CPU of every other user-space process of the machine (noise from other work), in % of one core. */
  otherCpuPct: number;
  serverRssKb: number;
  startUs: number;
  endUs: number;
}

/** Waits out the warmup, then samples server CPU, other processes' CPU and RSS over the window. */
async function measureWindow(target: RunningTarget, pool: LoadPool, warmupMs: number, durationMs: number): Promise<WindowStats> {
  await sleep(warmupMs);
  const noise = new NoiseMeter(new Set([...processTree(target.pid), ...pool.pids, process.pid]));
  const cpu0 = target.cpuMs();
  const startUs = monotonicUs();
  await sleep(durationMs);
  const endUs = monotonicUs();
  const cpu1 = target.cpuMs();
  const elapsedMs = (endUs - startUs) / 1000;
  return {
    serverCpuPct: ((cpu1 - cpu0) / elapsedMs) * 100,
    otherCpuPct: (noise.otherMs() / elapsedMs) * 100,
    serverRssKb: target.rssKb(),
    startUs,
    endUs,
  };
}

export interface ScenarioContext {
  settings: BenchSettings;
  pinning: Pinning;
  /** Extra environment for Joule (profiling). */
  jouleEnv?: Record<string, string> | undefined;
  log: (line: string) => void;
  /** Called after Joule stopped, before its data directory is removed (e.g. to collect a CPU profile). */
  afterJouleStop?: ((target: RunningTarget) => Promise<void>) | undefined;
}


function prefix(tag: string): string {
  return `b${randomBytes(3).toString('hex')}${tag}`;
}

function checkOpened(opened: OpenedEvent[], expected: number, what: string): void {
  const ok = opened.reduce((s, o) => s + o.ok, 0);
  if (ok !== expected) {
    const errors = [...new Set(opened.flatMap((o) => o.errors))].join('; ');
    throw new Error(`${what}: ${ok} of ${expected} stations opened (${errors})`);
  }
}

function processesFor(stations: number, settings: BenchSettings): number {
  return Math.max(1, Math.ceil(stations / settings.stationsPerLoadProcess));
}

/**
 * Starts the target (fresh) and `loadProcesses` load processes at the same time, runs `run`, then closes the load
 * processes and stops the target. `afterStop` runs after the server exited and before its data directory goes.
 */
async function withTarget<T>(
  name: TargetName,
  ctx: ScenarioContext,
  loadProcesses: number,
  run: (target: RunningTarget, pool: LoadPool) => Promise<T>,
  options: { workers?: number; host?: string; inspect?: boolean; afterStop?: (target: RunningTarget) => Promise<void> } = {},
): Promise<T> {
  const poolStarting = LoadPool.start(loadProcesses, ctx.pinning.load);
  let target: RunningTarget;
  try {
    target = await startTarget(name, {
      cpus: ctx.pinning.server,
      host: options.host ?? '127.0.0.1',
      workers: options.workers,
      env: name === 'joule' ? ctx.jouleEnv : undefined,
      inspect: options.inspect,
    });
  } catch (error) {
    await poolStarting.then((pool) => pool.close(), () => undefined);
    throw error;
  }
  let failed = false;
  try {
    const pool = await poolStarting;
    try {
      return await run(target, pool);
    } finally {
      await pool.close();
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    const output = await target.stop();
    try {
      if (!failed && options.afterStop) await options.afterStop(target);
      if (name === 'joule' && ctx.afterJouleStop) await ctx.afterJouleStop(target);
    } finally {
      target.dispose();
    }
    if (failed && output.trim()) ctx.log(`  server output (last lines):\n${output.trim().split('\n').slice(-10).join('\n')}`);
  }
}

function sumFailures(results: LoadResult[]): number {
  return results.reduce((s, r) => s + r.failures.callError + r.failures.timeout + r.failures.disconnected, 0);
}

function distinctErrors(opened: OpenedEvent[]): string {
  return [...new Set(opened.flatMap((o) => o.errors))].join('; ');
}

/** Closed loop at saturation: round trips/s with `saturateConnections` stations each keeping one CALL in flight. */
export async function saturateScenario(name: TargetName, action: BenchAction, ctx: ScenarioContext): Promise<ScenarioResult> {
  const { settings } = ctx;
  const scenario = action === 'Heartbeat' ? 'heartbeat' : 'meter-values';
  const result: ScenarioResult = { scenario, target: name, metrics: {}, notes: [] };
  let acknowledged = 0;
  const run = async (target: RunningTarget, pool: LoadPool): Promise<void> => {
    const opened = await pool.open([target.wsUrl], prefix('s'), settings.saturateConnections, {
      concurrency: 100,
      statusConnectors: [],
      startTransaction: action === 'MeterValues',
      callTimeoutMs: settings.callTimeoutMs,
    });
    checkOpened(opened, settings.saturateConnections, scenario);
    const running = pool.saturate({ action, warmupMs: settings.warmupMs, durationMs: settings.durationMs });
    const w = await measureWindow(target, pool, settings.warmupMs, settings.durationMs);
    result.window = { startUs: w.startUs, endUs: w.endUs };
    const results = await running;
    const completed = results.reduce((s, r) => s + r.completedInWindow, 0);
    const latency = Histogram.from(results.map((r) => r.latency)).stats();
    acknowledged = results.reduce((s, r) => s + r.acknowledged, 0);
    const seconds = settings.durationMs / 1000;
    Object.assign(result.metrics, {
      connections: settings.saturateConnections,
      roundTripsPerSec: completed / seconds,
      p50Ms: latency.p50Ms,
      p99Ms: latency.p99Ms,
      maxMs: latency.maxMs,
      failures: sumFailures(results),
      serverCpuPct: w.serverCpuPct,
      // Server CPU time per answered CALL: what each round trip costs the server, however busy the load generator was.
      serverCpuUsPerRoundTrip: completed > 0 ? (w.serverCpuPct / 100) * settings.durationMs * 1000 / completed : 0,
      loadCpuPct: (results.reduce((s, r) => s + r.cpuMs, 0) / settings.durationMs) * 100,
      otherCpuPct: w.otherCpuPct,
      serverRssMb: w.serverRssKb / 1024,
      acknowledged,
    });
    if (action === 'MeterValues') result.metrics.sampledValuesPerSec = (completed * SAMPLED_VALUES_PER_FRAME) / seconds;
  };
  const afterStop = async (target: RunningTarget): Promise<void> => {
    if (action !== 'MeterValues' || !target.dataDir) return;
    const stored = await countStoredMeterValues(name, target.dataDir);
    const expected = acknowledged * SAMPLED_VALUES_PER_FRAME;
    result.metrics.storedSampledValues = stored.sampledValues;
    result.metrics.storedRows = stored.rows;
    result.metrics.acknowledgedSampledValues = expected;
    result.metrics.durableRowsPerSec = result.metrics.sampledValuesPerSec ?? 0;
    result.notes.push(`meter values are stored in \`${stored.table}\` (${stored.rows} rows for ${stored.sampledValues} sampled values)`);
    if (stored.sampledValues < expected) result.notes.push(`only ${stored.sampledValues} sampled values stored for ${expected} acknowledged`);
  };
  await withTarget(name, ctx, 1, run, { afterStop });
  return result;
}

/** Open loop: a fixed offered rate over `rateConnections` stations; latency percentiles and achieved rate. */
export async function rateScenario(name: TargetName, spec: RateScenario, ctx: ScenarioContext): Promise<ScenarioResult> {
  const { settings } = ctx;
  const result: ScenarioResult = { scenario: spec.name, target: name, metrics: {}, notes: [] };
  await withTarget(name, ctx, 1, async (target, pool) => {
    const opened = await pool.open([target.wsUrl], prefix('r'), settings.rateConnections, {
      concurrency: 200,
      statusConnectors: [],
      startTransaction: spec.action === 'MeterValues',
      callTimeoutMs: settings.callTimeoutMs,
    });
    checkOpened(opened, settings.rateConnections, spec.name);
    const running = pool.rate({
      action: spec.action,
      rate: spec.rate,
      warmupMs: settings.warmupMs,
      durationMs: settings.durationMs,
      drainMs: settings.drainMs,
    });
    const w = await measureWindow(target, pool, settings.warmupMs, settings.durationMs);
    result.window = { startUs: w.startUs, endUs: w.endUs };
    const results = await running;
    const latency = Histogram.from(results.map((r) => r.latency)).stats();
    const seconds = settings.durationMs / 1000;
    Object.assign(result.metrics, {
      connections: settings.rateConnections,
      offeredPerSec: spec.rate,
      achievedPerSec: results.reduce((s, r) => s + r.completedInWindow, 0) / seconds,
      p50Ms: latency.p50Ms,
      p90Ms: latency.p90Ms,
      p99Ms: latency.p99Ms,
      p999Ms: latency.p999Ms,
      maxMs: latency.maxMs,
      dueInWindow: results.reduce((s, r) => s + r.dueInWindow, 0),
      unanswered: results.reduce((s, r) => s + r.unanswered, 0),
      queuedBehind: results.reduce((s, r) => s + r.queuedBehind, 0),
      meanSendLagMs: results.reduce((s, r) => s + r.meanSendLagMs, 0) / results.length,
      maxSendLagMs: Math.max(...results.map((r) => r.maxSendLagMs)),
      failures: sumFailures(results),
      serverCpuPct: w.serverCpuPct,
      otherCpuPct: w.otherCpuPct,
    });
  });
  return result;
}

/** Server memory per idle, booted station connection: VmRSS before and after opening `idleStations`. */
export async function idleScenario(name: TargetName, ctx: ScenarioContext): Promise<ScenarioResult> {
  const { settings } = ctx;
  const n = settings.idleStations;
  const result: ScenarioResult = { scenario: 'idle', target: name, metrics: {}, notes: [] };
  await withTarget(name, ctx, processesFor(n, settings), async (target, pool) => {
    const open = async (tag: string, count: number): Promise<void> => {
      const opened = await pool.open([target.wsUrl], prefix(tag), count, {
        concurrency: 200,
        statusConnectors: [],
        startTransaction: false,
        callTimeoutMs: settings.callTimeoutMs,
      });
      checkOpened(opened, count, 'idle');
    };
    // In two halves: the average over all N, and the marginal cost of the second half (the first half may have
    // filled heap the server had already reserved, which the average alone would hide).
    // Every reading follows a full GC (asked over the inspector), so that garbage from start-up or from the boots
    // does not count, and heap the server reserved earlier does not hide what the connections hold.
    const half = Math.floor(n / 2);
    const settle = async (): Promise<{ heap: HeapSample; rss: number }> => {
      await sleep(settings.idleSettleMs);
      const heap = await target.heapAfterGc();
      await sleep(200);
      return { heap, rss: target.rssKb() };
    };
    const before = await settle();
    await open('i', half);
    const middle = await settle();
    await open('j', n - half);
    const after = await settle();
    const heldKb = (h: HeapSample): number => (h.heapUsed + h.external) / 1024;
    Object.assign(result.metrics, {
      stations: n,
      rssBeforeMb: before.rss / 1024,
      rssHalfMb: middle.rss / 1024,
      rssAfterMb: after.rss / 1024,
      kbPerConnection: (after.rss - before.rss) / n,
      marginalKbPerConnection: (after.rss - middle.rss) / (n - half),
      heapKbPerConnection: (heldKb(after.heap) - heldKb(before.heap)) / n,
      heapBeforeMb: heldKb(before.heap) / 1024,
      heapAfterMb: heldKb(after.heap) / 1024,
    });
  }, { inspect: true });
  return result;
}

/** Reconnect storm: `stormStations` connect, boot and send StatusNotification for connectors 0, 1, 2. */
export async function stormScenario(name: TargetName, ctx: ScenarioContext): Promise<ScenarioResult> {
  const { settings } = ctx;
  const n = settings.stormStations;
  const result: ScenarioResult = { scenario: 'storm', target: name, metrics: {}, notes: [] };
  await withTarget(name, ctx, processesFor(n, settings), async (target, pool) => {
    const noise = new NoiseMeter(new Set([...processTree(target.pid), ...pool.pids, process.pid]));
    const cpu0 = target.cpuMs();
    const load0 = pool.pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
    const startUs = monotonicUs();
    const opened = await pool.open([target.wsUrl], prefix('t'), n, {
      concurrency: settings.stormConcurrency,
      statusConnectors: [0, 1, 2],
      startTransaction: false,
      callTimeoutMs: settings.callTimeoutMs,
    });
    result.window = { startUs, endUs: monotonicUs() };
    const cpu1 = target.cpuMs();
    const load1 = pool.pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
    const otherMs = noise.otherMs();
    const start = Math.min(...opened.map((o) => o.startedAt));
    const end = Math.max(...opened.map((o) => o.finishedAt));
    const ok = opened.reduce((s, o) => s + o.ok, 0);
    const seconds = (end - start) / 1000;
    Object.assign(result.metrics, {
      stations: n,
      loadProcesses: pool.size,
      concurrencyPerProcess: settings.stormConcurrency,
      seconds,
      allConnectedSeconds: (Math.max(...opened.map((o) => o.lastOpenAt)) - start) / 1000,
      stationsPerSec: ok / seconds,
      messagesPerSec: (ok * 4) / seconds,
      failed: n - ok,
      serverCpuPct: ((cpu1 - cpu0) / (end - start)) * 100,
      // Summed over the load processes, in % of one core.
      loadCpuPct: ((load1 - load0) / (end - start)) * 100,
      otherCpuPct: (otherMs / (end - start)) * 100,
    });
    if (ok !== n) result.notes.push(`${n - ok} stations failed: ${distinctErrors(opened)}`);
  });
  return result;
}

/**
 * 50,000 heartbeating stations on `joule serve --workers N` (Joule only: a single-process server cannot hold them
 * under the 20,000 open-file cap). Load processes reach the server on different loopback addresses so that each has
 * its own ephemeral port range.
 */
export async function fleetScenario(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { settings } = ctx;
  const n = settings.fleetStations;
  const result: ScenarioResult = { scenario: 'fleet50k', target: 'joule', metrics: {}, notes: [] };
  const processes = processesFor(n, settings);
  const run = async (target: RunningTarget, pool: LoadPool): Promise<void> => {
    const urls = Array.from({ length: processes }, (_, i) => target.wsUrl.replace('127.0.0.1', `127.0.0.${i + 1}`));
    const noise = new NoiseMeter(new Set([...processTree(target.pid), ...pool.pids, process.pid]));
    const cpu0 = target.cpuMs();
    const opened = await pool.open(urls, prefix('f'), n, {
      concurrency: 500,
      statusConnectors: [],
      startTransaction: false,
      callTimeoutMs: settings.callTimeoutMs,
    });
    const ok = opened.reduce((s, o) => s + o.ok, 0);
    const connectSeconds = (Math.max(...opened.map((o) => o.finishedAt)) - Math.min(...opened.map((o) => o.startedAt))) / 1000;
    const cpu1 = target.cpuMs();
    const connectOtherMs = noise.otherMs();
    if (ok !== n) result.notes.push(`${n - ok} stations failed to connect and boot: ${distinctErrors(opened)}`);
    const rate = ok / settings.fleetHeartbeatIntervalS;
    const fleetWarmupMs = Math.min(settings.warmupMs, 2000);
    const running = pool.rate({
      action: 'Heartbeat',
      rate,
      warmupMs: fleetWarmupMs,
      durationMs: settings.fleetDurationMs,
      drainMs: settings.drainMs,
    });
    const w = await measureWindow(target, pool, fleetWarmupMs, settings.fleetDurationMs);
    const results = await running;
    const latency = Histogram.from(results.map((r) => r.latency)).stats();
    const rss = w.serverRssKb;
    Object.assign(result.metrics, {
      stations: n,
      booted: ok,
      serverWorkers: settings.fleetServerWorkers,
      loadProcesses: processes,
      connectBootSeconds: connectSeconds,
      connectServerCpuPct: ((cpu1 - cpu0) / (connectSeconds * 1000)) * 100,
      connectOtherCpuPct: (connectOtherMs / (connectSeconds * 1000)) * 100,
      heartbeatServerCpuPct: w.serverCpuPct,
      heartbeatOtherCpuPct: w.otherCpuPct,
      heartbeatIntervalS: settings.fleetHeartbeatIntervalS,
      offeredPerSec: rate,
      achievedPerSec: results.reduce((s, r) => s + r.completedInWindow, 0) / (settings.fleetDurationMs / 1000),
      p50Ms: latency.p50Ms,
      p99Ms: latency.p99Ms,
      maxMs: latency.maxMs,
      stillConnected: results.reduce((s, r) => s + r.connected, 0),
      failures: sumFailures(results) + results.reduce((s, r) => s + r.unanswered, 0),
      serverRssMb: rss / 1024,
      kbPerStation: rss / Math.max(1, ok),
    });
  };
  await withTarget('joule', ctx, processes, run, { workers: settings.fleetServerWorkers, host: '0.0.0.0' });
  return result;
}

/** Stations (one MeterValues in flight each) and seconds of the PostgreSQL store scenario. */
export const PG_STORE_STATIONS = 4000;
export const PG_STORE_SECONDS = 30;

/**
 * The PostgreSQL store alone (`bench/store.ts --postgres`): sustained meter-value rows per second into the local
 * PostgreSQL, with Joule's own store code (batched INSERTs, written-behind transaction registers). Joule's process
 * inherits the orchestrator's core (CPU 1 when pinned), so it has one core like every server here; the database
 * server's processes run on any core.
 */
export async function pgStoreScenario(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { spawn } = await import('node:child_process');
  const script = new URL('../store.ts', import.meta.url).pathname;
  const seconds = ctx.settings.durationMs >= 8000 ? PG_STORE_SECONDS : Math.max(2, ctx.settings.durationMs / 1000);
  const child = spawn(process.execPath, [script, String(PG_STORE_STATIONS), String(seconds), '--postgres', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`bench/store.ts --postgres exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}`);
  const figures = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
  ctx.log(`  PostgreSQL: ${Math.round(figures.rowsPerSec ?? 0)} rows/s`);
  return {
    scenario: 'pg-store',
    target: 'joule',
    metrics: {
      stations: PG_STORE_STATIONS,
      seconds,
      pgRowsPerSec: figures.rowsPerSec ?? 0,
      pgSampledValuesPerSec: figures.sampledValuesPerSec ?? 0,
      pgCpuUsPerMessage: figures.cpuUsPerMessage ?? 0,
      pgCpuPct: figures.cpuPct ?? 0,
    },
    notes: [],
  };
}
