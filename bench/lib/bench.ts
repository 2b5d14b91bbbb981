import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jouleRevision, machineInfo, type MachineInfo } from './machine.ts';
import { fileURLToPath } from 'node:url';
import { NoiseMeter, hasTaskset, pinProcess, sleep } from './proc.ts';
import { summarizeProfile, type ProfileSummary } from './profile.ts';
import {
  fleetScenario, idleScenario, pgStoreScenario, rateScenario, saturateScenario, stormScenario,
  type BenchSettings, type Pinning, type RateScenario, type ScenarioContext, type ScenarioResult,
} from './scenarios.ts';
import { TARGETS, TARGET_SCENARIOS, jouleHasWorkers, type TargetName } from './targets.ts';
import type { BenchAction } from '../load/messages.ts';

export const RATE_SCENARIOS: RateScenario[] = [
  { name: 'rate-mv-5k', action: 'MeterValues', rate: 5000 },
  { name: 'rate-mv-10k', action: 'MeterValues', rate: 10_000 },
  { name: 'rate-hb-10k', action: 'Heartbeat', rate: 10_000 },
];

/** Every scenario by name; `fleet50k` runs only when asked for. */
export const ALL_SCENARIOS = ['heartbeat', 'meter-values', ...RATE_SCENARIOS.map((r) => r.name), 'idle', 'storm', 'pg-store', 'fleet50k'] as const;
export const DEFAULT_SCENARIOS = ALL_SCENARIOS.filter((s) => s !== 'fleet50k');
/** `--quick` smokes every kind of scenario once (one fixed rate instead of three) to stay under a minute. */
export const QUICK_SCENARIOS = DEFAULT_SCENARIOS.filter((s) => s !== 'rate-mv-10k' && s !== 'rate-hb-10k');

export const FULL_SETTINGS: BenchSettings = {
  saturateConnections: 100,
  warmupMs: 2000,
  durationMs: 8000,
  rateConnections: 1000,
  rates: RATE_SCENARIOS,
  drainMs: 5000,
  idleStations: 10_000,
  idleSettleMs: 3000,
  stormStations: 10_000,
  stormConcurrency: 1000,
  stationsPerLoadProcess: 15_000,
  callTimeoutMs: 60_000,
  fleetStations: 50_000,
  fleetServerWorkers: 4,
  fleetHeartbeatIntervalS: 10,
  fleetDurationMs: 20_000,
};

export const QUICK_SETTINGS: BenchSettings = {
  ...FULL_SETTINGS,
  saturateConnections: 50,
  warmupMs: 300,
  durationMs: 1000,
  rateConnections: 250,
  drainMs: 1000,
  idleStations: 1000,
  idleSettleMs: 500,
  stormStations: 1000,
  fleetDurationMs: 5000,
};

export interface BenchOptions {
  settings: BenchSettings;
  scenarios: string[];
  targets: TargetName[];
  /** Pin servers to CPU 0 and load processes (and this process) to CPU 1 with taskset. */
  pin: boolean;
  /** Profile Joule (--cpu-prof) under MeterValues saturation after the figures. */
  profile: boolean;
  /** Where to keep the raw .cpuprofile (a directory); default: not kept. */
  profileKeepDir?: string | undefined;
  /** Runs per scenario and target; the run with the median headline figure is reported. */
  repeat: number;
  /**
   * Before each run, wait up to this long (ms) until the other processes of the machine use less than
   * `quietThresholdPct` of a core (0: do not wait).
   */
  quietWaitMs: number;
  quietThresholdPct: number;
  /** A run during which other processes used more than `quietThresholdPct` of a core is run again this often. */
  noisyRetries: number;
  /** A smoke run (the report says so). */
  quick: boolean;
  command: string;
  log: (line: string) => void;
}

export interface ProfileResult {
  action: BenchAction;
  summary: ProfileSummary;
  run: ScenarioResult;
  /** The kept .cpuprofile, if any. */
  file?: string | undefined;
}

export interface BenchRun {
  machine: MachineInfo;
  /** The Joule code measured (git commit, and whether the tree had changes). */
  revision?: string | undefined;
  command: string;
  quick: boolean;
  startedAt: string;
  finishedAt: string;
  settings: BenchSettings;
  /** Rounds of every scenario (each round runs all its targets); a figure is the median of a target's runs. */
  repeat?: number | undefined;
  pinning: { server: string; load: string; note: string };
  results: ScenarioResult[];
  profiles: ProfileResult[];
  /** How disturbed runs were handled (see BenchOptions). */
  noise: { quietWaitMs: number; quietThresholdPct: number; noisyRetries: number };
  /** Why a requested scenario did not run. */
  skipped: { scenario: string; reason: string }[];
}

/** The figure that decides the median run of a repeated scenario (pg-store: rows/s, not its fixed duration). */
export function headline(result: ScenarioResult): number {
  const m = result.metrics;
  return m.roundTripsPerSec ?? m.pgRowsPerSec ?? m.p99Ms ?? m.kbPerConnection ?? m.seconds ?? m.achievedPerSec ?? 0;
}

async function runOne(scenario: string, target: TargetName, ctx: ScenarioContext): Promise<ScenarioResult> {
  const rate = ctx.settings.rates.find((r) => r.name === scenario);
  if (rate) return rateScenario(target, rate, ctx);
  switch (scenario) {
    case 'heartbeat':
      return saturateScenario(target, 'Heartbeat', ctx);
    case 'meter-values':
      return saturateScenario(target, 'MeterValues', ctx);
    case 'idle':
      return idleScenario(target, ctx);
    case 'storm':
      return stormScenario(target, ctx);
    case 'fleet50k':
      return fleetScenario(ctx);
    case 'pg-store':
      return pgStoreScenario(ctx);
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}

function summaryLine(r: ScenarioResult): string {
  const m = r.metrics;
  const parts: string[] = [];
  const add = (label: string, v: number | undefined, digits = 0, unit = ''): void => {
    if (v !== undefined) parts.push(`${label} ${v.toFixed(digits)}${unit}`);
  };
  add('rt/s', m.roundTripsPerSec);
  add('achieved/s', m.achievedPerSec);
  add('p50', m.p50Ms, 2, ' ms');
  add('p99', m.p99Ms, 2, ' ms');
  add('KB/conn', m.kbPerConnection, 1);
  add('seconds', m.seconds, 2);
  add('server cpu', m.serverCpuPct, 0, '%');
  add('other cpu', m.otherCpuPct, 0, '%');
  if (m.failures) add('failures', m.failures);
  if (m.failed) add('failed', m.failed);
  return parts.join(', ');
}

/** Waits (up to `maxWaitMs`) until other processes use less than `thresholdPct` of a core; returns their last %. */
async function waitForQuiet(maxWaitMs: number, thresholdPct: number, log: (line: string) => void): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  let announced = false;
  for (;;) {
    const noise = new NoiseMeter(new Set([process.pid]));
    await sleep(1000);
    const pct = noise.otherMs() / 10;
    if (pct < thresholdPct || Date.now() >= deadline) {
      if (announced) log(`  other processes now at ${pct.toFixed(0)}% of a core${pct < thresholdPct ? '' : ' (gave up waiting)'}`);
      return pct;
    }
    if (!announced) log(`  waiting for the machine to quieten: other processes use ${pct.toFixed(0)}% of a core (threshold ${thresholdPct}%)`);
    announced = true;
  }
}

/** CPU (% of a core) that other processes of the machine used during a run's measurement. */
function noise(result: ScenarioResult): number {
  const m = result.metrics;
  return Math.max(m.otherCpuPct ?? 0, m.connectOtherCpuPct ?? 0, m.heartbeatOtherCpuPct ?? 0);
}

/**
 * Runs once; while other processes disturbed the measurement (more than the quiet threshold), waits for quiet and
 * runs again, up to `noisyRetries` times; keeps the least disturbed run.
 */
async function runLeastNoisy(
  scenario: string,
  target: TargetName,
  label: string,
  run: () => Promise<ScenarioResult>,
  options: BenchOptions,
): Promise<ScenarioResult> {
  const { log } = options;
  const attempts: ScenarioResult[] = [];
  for (let attempt = 0; attempt <= options.noisyRetries; attempt++) {
    if (options.quietWaitMs > 0) await waitForQuiet(options.quietWaitMs, options.quietThresholdPct, log);
    log(`${label}${attempt > 0 ? ` (again: attempt ${attempt + 1})` : ''} ...`);
    const started = Date.now();
    let result: ScenarioResult;
    try {
      result = await run();
    } catch (error) {
      result = { scenario, target, metrics: {}, notes: [], error: error instanceof Error ? error.message : String(error) };
    }
    log(`  ${result.error ? `FAILED: ${result.error}` : summaryLine(result)}  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    attempts.push(result);
    if (result.error || noise(result) <= options.quietThresholdPct) break;
    if (attempt < options.noisyRetries) log(`  other processes used ${noise(result).toFixed(0)}% of a core during the measurement; running it again`);
  }
  const ok = attempts.filter((r) => !r.error);
  if (ok.length === 0) return attempts[attempts.length - 1]!;
  const best = ok.reduce((a, b) => (noise(b) < noise(a) ? b : a));
  if (attempts.length > 1) {
    best.notes.push(`run ${attempts.length} times because other processes of the machine used CPU during the measurement (${attempts.map((r) => (r.error ? 'failed' : `${noise(r).toFixed(0)}%`)).join(', ')} of a core); the least disturbed run is reported`);
  }
  if (noise(best) > options.quietThresholdPct) best.notes.push(`disturbed: other processes used ${noise(best).toFixed(0)}% of a core during the measurement`);
  return best;
}

export async function runBenchmark(options: BenchOptions): Promise<BenchRun> {
  const { settings, log } = options;
  const startedAt = new Date().toISOString();
  // Before pinning this process (which would hide the other cores from os.availableParallelism()).
  const machine = machineInfo();
  const pinAvailable = options.pin && hasTaskset();
  const pinning: Pinning = pinAvailable ? { server: '0', load: '1' } : { server: undefined, load: undefined };
  let note: string;
  if (!options.pin) note = 'not pinned (--no-pin)';
  else if (!pinAvailable) note = 'not pinned: taskset (util-linux) is not available, so servers and load processes share the cores';
  else note = 'servers pinned to CPU 0, load processes and the orchestrator to CPU 1 (taskset)';
  if (pinAvailable) pinProcess(process.pid, '1');

  const ctx: ScenarioContext = { settings, pinning, log };
  const results: ScenarioResult[] = [];
  const skipped: { scenario: string; reason: string }[] = [];

  for (const scenario of options.scenarios) {
    let targets = options.targets.filter((target) => TARGET_SCENARIOS[target]?.includes(scenario) ?? true);
    if (scenario === 'pg-store') {
      if (!options.targets.includes('joule')) continue;
      targets = ['joule'];
    }
    if (scenario === 'fleet50k') {
      if (!options.targets.includes('joule')) continue;
      if (!(await jouleHasWorkers())) {
        const reason = '`joule serve --workers N` is not available in this build yet (joule help does not mention --workers)';
        log(`skip fleet50k: ${reason}`);
        skipped.push({ scenario, reason });
        continue;
      }
      targets = ['joule'];
    }
    // Repeats go round the targets (a, b, c, a, b, c, ...) so that a slower or faster spell of a shared machine falls
    // on every target alike, not on the three runs of one.
    const runsOf = new Map(targets.map((target) => [target, [] as ScenarioResult[]]));
    for (let i = 0; i < Math.max(1, options.repeat); i++) {
      for (const target of targets) {
        const label = `${scenario} / ${target}${options.repeat > 1 ? ` (round ${i + 1}/${options.repeat})` : ''}`;
        runsOf.get(target)?.push(await runLeastNoisy(scenario, target, label, () => runOne(scenario, target, ctx), options));
      }
    }
    for (const target of targets) {
      const runs = runsOf.get(target) ?? [];
      const good = runs.filter((r) => !r.error).sort((a, b) => headline(a) - headline(b));
      const chosen = good.length > 0 ? good[Math.floor((good.length - 1) / 2)]! : runs[0]!;
      if (runs.length > 1) chosen.notes.push(`median of ${runs.length} runs (headline figures: ${runs.map((r) => headline(r).toFixed(2)).join(', ')})`);
      results.push(chosen);
    }
  }

  const profiles: ProfileResult[] = [];
  if (options.profile && options.targets.includes('joule')) {
    for (const action of ['MeterValues', 'Heartbeat'] as const) {
      let best: ProfileResult | undefined;
      for (let attempt = 0; attempt <= options.noisyRetries; attempt++) {
        if (options.quietWaitMs > 0) await waitForQuiet(options.quietWaitMs, options.quietThresholdPct, log);
        const profile = await profileJoule(action, options, ctx, attempt);
        if (profile && (!best || noise(profile.run) < noise(best.run))) {
          if (best?.file) rmSync(best.file, { force: true });
          best = profile;
        } else if (profile?.file) {
          rmSync(profile.file, { force: true });
        }
        if (!profile || noise(profile.run) <= options.quietThresholdPct) break;
        if (attempt < options.noisyRetries) log(`  other processes used ${noise(profile.run).toFixed(0)}% of a core while profiling; profiling again`);
      }
      if (best && noise(best.run) > options.quietThresholdPct) {
        best.run.notes.push(`other processes used ${noise(best.run).toFixed(0)}% of a core while profiling`);
      }
      if (best?.file) {
        const final = best.file.replace(/\.attempt\d+(\.cpuprofile)$/, '$1');
        renameSync(best.file, final);
        best.file = final;
      }
      if (best) profiles.push(best);
    }
  }

  return {
    machine,
    revision: jouleRevision(fileURLToPath(new URL('../../', import.meta.url))),
    command: options.command,
    quick: options.quick,
    startedAt,
    finishedAt: new Date().toISOString(),
    settings,
    repeat: Math.max(1, options.repeat),
    pinning: { server: pinning.server ?? 'any', load: pinning.load ?? 'any', note },
    results,
    profiles,
    noise: { quietWaitMs: options.quietWaitMs, quietThresholdPct: options.quietThresholdPct, noisyRetries: options.noisyRetries },
    skipped,
  };
}

/** Joule under saturation with `--cpu-prof`; the summary covers the measurement window only. */
async function profileJoule(action: BenchAction, options: BenchOptions, ctx: ScenarioContext, attempt: number): Promise<ProfileResult | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'joule-bench-prof-'));
  let file: string | undefined;
  options.log(`profile: Joule under ${action} saturation with --cpu-prof ...`);
  try {
    const run = await saturateScenario('joule', action, {
      ...ctx,
      jouleEnv: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` },
    });
    const profiles = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
    const largest = profiles.sort((a, b) => statSync(b).size - statSync(a).size)[0];
    if (!largest) throw new Error('Joule wrote no .cpuprofile');
    const summary = summarizeProfile(largest, 25, run.window);
    if (options.profileKeepDir) {
      mkdirSync(options.profileKeepDir, { recursive: true });
      file = join(options.profileKeepDir, `joule-${action === 'MeterValues' ? 'meter-values' : 'heartbeat'}.attempt${attempt}.cpuprofile`);
      copyFileSync(largest, file);
    }
    options.log(`  profiled ${run.metrics.roundTripsPerSec?.toFixed(0)} ${action}/s; busy ${summary.busyMs.toFixed(0)} ms of ${summary.durationMs.toFixed(0)} ms`);
    return { action, summary, run, file };
  } catch (error) {
    options.log(`  profile FAILED: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export { TARGETS };
