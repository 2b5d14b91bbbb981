/**
 * `npm run bench`: Joule side by side with a raw `ws` server (the ceiling) and a minimal `ocpp-rpc` strict CSMS (the
 * peer; in the MeterValues scenarios both also as (a′) and (b′), storing each MeterValues durably), one run, same machine. See docs/benchmarks.md for the last full report and `--help` for the options.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ALL_SCENARIOS, DEFAULT_SCENARIOS, FULL_SETTINGS, QUICK_SCENARIOS, QUICK_SETTINGS, runBenchmark, type BenchRun } from './lib/bench.ts';
import { renderReport } from './lib/report.ts';
import { TARGETS, removeDataDirs, type TargetName } from './lib/targets.ts';
import { killChildren } from './lib/proc.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

const HELP = `Usage: npm run bench -- [options]

  --quick                 short windows, small N and one fixed rate (a smoke run, under a minute); do not
                          quote its figures
  --scenario <names>      run only these (comma-separated or repeated): ${ALL_SCENARIOS.join(', ')}
                          fleet50k (50,000 heartbeating stations on \`joule serve --workers N\`) runs only when named
  --fleet                 add fleet50k to the default scenarios
  --target <names>        only these targets: ${TARGETS.join(', ')}
  --out <file>            write the markdown report there (default: print it to stdout)
  --json <file>           raw results (default bench/results/latest.json)
  --profile               also profile Joule (--cpu-prof) under MeterValues and under Heartbeat saturation and
                          report its hot spots; the .cpuprofile files are kept in bench/results/
  --repeat <n>            run every scenario n rounds (each round all targets in turn) and report each
                          target's median run (default 1)
  --connections <n>       stations for the saturation scenarios (default ${FULL_SETTINGS.saturateConnections})
  --duration <s>          measurement window (default ${FULL_SETTINGS.durationMs / 1000} s)
  --warmup <s>            warm-up before the window (default ${FULL_SETTINGS.warmupMs / 1000} s)
  --stations <n>          stations for idle and storm (default ${FULL_SETTINGS.idleStations})
  --fleet-workers <n>     \`joule serve --workers\` for fleet50k (default ${FULL_SETTINGS.fleetServerWorkers})
  --quiet-wait <s>        before each run, wait up to s seconds until other processes use less than
                          --quiet-threshold % of a core (default 30 s; 0 in --quick)
  --quiet-threshold <pct> default 25
  --noisy-retries <n>     run a measurement again (up to n times) when other processes used more than
                          --quiet-threshold % of a core during it; the least disturbed run counts (default 2; 0 in --quick)
  --render <json>         run nothing: render the report of an earlier run from its raw results (e.g. after
                          changing the report's layout), to stdout or --out
  --no-pin                do not pin with taskset (servers on CPU 0, load on CPU 1 by default)
`;

function list(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      fleet: { type: 'boolean', default: false },
      scenario: { type: 'string', multiple: true },
      target: { type: 'string', multiple: true },
      out: { type: 'string' },
      json: { type: 'string' },
      profile: { type: 'boolean', default: false },
      repeat: { type: 'string' },
      connections: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      stations: { type: 'string' },
      'fleet-workers': { type: 'string' },
      'quiet-wait': { type: 'string' },
      'quiet-threshold': { type: 'string' },
      'noisy-retries': { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      render: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (values.render) {
    const report = renderReport(JSON.parse(readFileSync(values.render, 'utf8')) as BenchRun);
    if (values.out) writeFileSync(values.out, `${report}\n`);
    else process.stdout.write(`${report}\n`);
    return;
  }
  const settings = { ...(values.quick ? QUICK_SETTINGS : FULL_SETTINGS) };
  const num = (raw: string | undefined, name: string): number | undefined => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
    return n;
  };
  settings.saturateConnections = num(values.connections, 'connections') ?? settings.saturateConnections;
  const duration = num(values.duration, 'duration');
  if (duration) settings.durationMs = duration * 1000;
  const warmup = num(values.warmup, 'warmup');
  if (warmup) settings.warmupMs = warmup * 1000;
  const stations = num(values.stations, 'stations');
  if (stations) settings.idleStations = settings.stormStations = stations;
  settings.fleetServerWorkers = num(values['fleet-workers'], 'fleet-workers') ?? settings.fleetServerWorkers;

  const scenarios = list(values.scenario);
  for (const s of scenarios) if (!(ALL_SCENARIOS as readonly string[]).includes(s)) throw new Error(`unknown scenario "${s}" (${ALL_SCENARIOS.join(', ')})`);
  const targets = list(values.target) as TargetName[];
  for (const t of targets) if (!TARGETS.includes(t)) throw new Error(`unknown target "${t}" (${TARGETS.join(', ')})`);

  const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  const run = await runBenchmark({
    settings,
    scenarios: [
      ...(scenarios.length > 0 ? scenarios : values.quick ? QUICK_SCENARIOS : DEFAULT_SCENARIOS),
      ...(values.fleet && !scenarios.includes('fleet50k') ? ['fleet50k'] : []),
    ],
    targets: targets.length > 0 ? TARGETS.filter((t) => targets.includes(t)) : [...TARGETS],
    pin: !values['no-pin'],
    profile: values.profile,
    profileKeepDir: join(ROOT, 'bench/results'),
    repeat: num(values.repeat, 'repeat') ?? 1,
    quick: values.quick,
    quietWaitMs: (values['quiet-wait'] === undefined ? (values.quick ? 0 : 30) : Number(values['quiet-wait'])) * 1000,
    quietThresholdPct: num(values['quiet-threshold'], 'quiet-threshold') ?? 25,
    noisyRetries: values['noisy-retries'] === undefined ? (values.quick ? 0 : 2) : Number(values['noisy-retries']),
    command,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const report = renderReport(run);
  const json = values.json ?? join(ROOT, 'bench/results/latest.json');
  mkdirSync(dirname(json), { recursive: true });
  writeFileSync(json, `${JSON.stringify(run, null, 2)}\n`);
  if (values.out) {
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, `${report}\n`);
    process.stderr.write(`report written to ${values.out}; raw results in ${json}\n`);
  } else {
    process.stdout.write(`${report}\n`);
    process.stderr.write(`raw results in ${json}\n`);
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    process.stderr.write(`bench: ${signal}; stopping the servers and load processes it started\n`);
    killChildren();
    removeDataDirs();
    process.exit(130);
  });
}

main().catch((error: unknown) => {
  killChildren();
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
