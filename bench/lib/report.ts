import type { BenchRun } from './bench.ts';
import type { ScenarioResult } from './scenarios.ts';
import { TARGETS, TARGET_LABELS, TARGET_SCENARIOS, isDurablePeer, type TargetName } from './targets.ts';

type Metric = keyof ScenarioResult['metrics'] & string;

function fmt(v: number | undefined, digits: number): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ratio(num: number | undefined, den: number | undefined): string {
  if (num === undefined || den === undefined || !Number.isFinite(num) || !Number.isFinite(den) || den === 0) return '–';
  return `${(num / den).toFixed(2)}x`;
}

function find(run: BenchRun, scenario: string, target: TargetName): ScenarioResult | undefined {
  return run.results.find((r) => r.scenario === scenario && r.target === target);
}

function value(run: BenchRun, scenario: string, target: TargetName, metric: Metric): number | undefined {
  const r = find(run, scenario, target);
  if (!r || r.error) return undefined;
  return r.metrics[metric];
}

function cell(run: BenchRun, scenario: string, target: TargetName, metric: Metric, digits: number): string {
  const r = find(run, scenario, target);
  if (!r) return TARGET_SCENARIOS[target]?.includes(scenario) === false ? '' : 'not run';
  if (r.error) return 'failed';
  return fmt(r.metrics[metric], digits);
}

interface Row {
  label: string;
  scenario: string;
  metric: Metric;
  digits: number;
  /** Show Joule/(a), Joule/(b), Joule/(a′) and Joule/(b′). */
  ratios?: boolean;
}

/** The ratio columns, in order: Joule divided by each of these. */
const RATIO_TARGETS: readonly (readonly [TargetName, string])[] = [
  ['raw-ws', 'Joule/(a)'],
  ['ocpp-rpc', 'Joule/(b)'],
  ['raw-ws-durable', 'Joule/(a′)'],
  ['ocpp-rpc-durable', 'Joule/(b′)'],
];

function table(run: BenchRun, rows: Row[]): string {
  // The targets that took part in this table's scenarios (the durable peers only run where MeterValues are sent).
  const scenarios = new Set(rows.map((row) => row.scenario));
  const targets = TARGETS.filter((t) => run.results.some((r) => r.target === t && scenarios.has(r.scenario)));
  const head = ['Figure', ...targets.map((t) => TARGET_LABELS[t])];
  // Joule divided by each other target that took part; a durable peer's cell stays empty where it did not run.
  const others = targets.includes('joule') ? RATIO_TARGETS.filter(([t]) => targets.includes(t)) : [];
  head.push(...others.map(([, label]) => label));
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const row of rows) {
    const cells = [row.label, ...targets.map((t) => cell(run, row.scenario, t, row.metric, row.digits))];
    const joule = value(run, row.scenario, 'joule', row.metric);
    for (const [other] of others) {
      const peer = value(run, row.scenario, other, row.metric);
      cells.push(row.ratios === false || (isDurablePeer(other) && peer === undefined) ? '' : ratio(joule, peer));
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function ran(run: BenchRun, scenario: string): boolean {
  return run.results.some((r) => r.scenario === scenario);
}

interface TargetCheck {
  target: string;
  result: string;
  verdict: 'pass' | 'miss' | 'n/a';
}

function check(pass: boolean | undefined): 'pass' | 'miss' | 'n/a' {
  return pass === undefined ? 'n/a' : pass ? 'pass' : 'miss';
}

export function evaluateTargets(run: BenchRun): TargetCheck[] {
  const out: TargetCheck[] = [];
  const mvJ = value(run, 'meter-values', 'joule', 'roundTripsPerSec');
  const mvA = value(run, 'meter-values', 'raw-ws', 'roundTripsPerSec');
  const mvB = value(run, 'meter-values', 'ocpp-rpc', 'roundTripsPerSec');
  const mvCeiling = value(run, 'meter-values', 'raw-ws-durable', 'roundTripsPerSec');
  const hbJ = value(run, 'heartbeat', 'joule', 'roundTripsPerSec');
  const hbA = value(run, 'heartbeat', 'raw-ws', 'roundTripsPerSec');
  // Every acknowledged sampled value must be in the store for the MeterValues figure to count as durable.
  const stored = value(run, 'meter-values', 'joule', 'storedSampledValues');
  const acked = value(run, 'meter-values', 'joule', 'acknowledgedSampledValues');
  const durableOk = stored !== undefined && acked !== undefined && stored >= acked;
  const r = (a: number | undefined, b: number | undefined): number | undefined => (a !== undefined && b ? a / b : undefined);
  const mvB_ = r(mvJ, mvB);
  const mvA_ = r(mvJ, mvA);
  const hbA_ = r(hbJ, hbA);
  out.push({
    target: 'MeterValues round trips/s, stored durably, ≥ 1.0x the ocpp-rpc peer',
    result: mvB_ === undefined
      ? 'not measured'
      : `${fmt(mvJ, 0)} vs ${fmt(mvB, 0)}/s = ${mvB_.toFixed(2)}x${durableOk ? '' : ' (acknowledged values missing from the store!)'}` +
        (mvCeiling === undefined ? '' : `; the durable ceiling (a′) reached ${fmt(mvCeiling, 0)}/s = ${(mvCeiling / mvB!).toFixed(2)}x (section 5)`),
    verdict: check(mvB_ === undefined ? undefined : mvB_ >= 1.0 && durableOk),
  });
  out.push({
    target: 'MeterValues round trips/s, stored durably, ≥ 0.4x raw ws',
    result: mvA_ === undefined ? 'not measured' : `${fmt(mvJ, 0)} vs ${fmt(mvA, 0)}/s = ${mvA_.toFixed(2)}x`,
    verdict: check(mvA_ === undefined ? undefined : mvA_ >= 0.4 && durableOk),
  });
  out.push({
    target: 'Heartbeat round trips/s ≥ 0.7x raw ws',
    result: hbA_ === undefined ? 'not measured' : `${fmt(hbJ, 0)} vs ${fmt(hbA, 0)}/s = ${hbA_.toFixed(2)}x`,
    verdict: check(hbA_ === undefined ? undefined : hbA_ >= 0.7),
  });
  const p99 = value(run, 'rate-mv-5k', 'joule', 'p99Ms');
  const achieved = value(run, 'rate-mv-5k', 'joule', 'achievedPerSec');
  const offered = value(run, 'rate-mv-5k', 'joule', 'offeredPerSec');
  out.push({
    target: 'p99 ≤ 10 ms at 5,000 durable MeterValues/s',
    result: p99 === undefined ? 'not measured' : `p99 ${fmt(p99, 2)} ms, achieved ${fmt(achieved, 0)} of ${fmt(offered, 0)}/s`,
    verdict: check(p99 === undefined ? undefined : p99 <= 10 && (achieved ?? 0) >= 0.98 * (offered ?? Infinity)),
  });
  const kbAvg = value(run, 'idle', 'joule', 'kbPerConnection');
  const kbMarginal = value(run, 'idle', 'joule', 'marginalKbPerConnection');
  const kbHeap = value(run, 'idle', 'joule', 'heapKbPerConnection');
  const kb = kbAvg === undefined ? undefined : Math.max(kbAvg, kbMarginal ?? kbAvg, kbHeap ?? kbAvg);
  const idleN = value(run, 'idle', 'joule', 'stations');
  out.push({
    target: '≤ 12 KB server memory per idle station connection',
    result: kb === undefined
      ? 'not measured'
      : `VmRSS ${fmt(kbAvg, 1)} KB average, ${fmt(kbMarginal, 1)} KB marginal; heap after GC ${fmt(kbHeap, 1)} KB (${fmt(idleN, 0)} idle stations; the largest counts)`,
    verdict: check(kb === undefined ? undefined : kb <= 12),
  });
  const storm = value(run, 'storm', 'joule', 'seconds');
  const stormN = value(run, 'storm', 'joule', 'stations');
  const stormFailed = value(run, 'storm', 'joule', 'failed');
  out.push({
    target: '10,000 stations connect + boot + status ≤ 5 s',
    result: storm === undefined ? 'not measured' : `${fmt(storm, 2)} s for ${fmt(stormN, 0)} stations${stormFailed ? `, ${stormFailed} failed` : ''}`,
    verdict: check(storm === undefined || stormN !== 10_000 ? undefined : storm <= 5 && !stormFailed),
  });
  const pgRows = value(run, 'pg-store', 'joule', 'pgRowsPerSec');
  const pgValues = value(run, 'pg-store', 'joule', 'pgSampledValuesPerSec');
  out.push({
    target: 'PostgreSQL: ≥ 50,000 meter-value rows/s sustained',
    result: pgRows === undefined
      ? 'not measured'
      : `${fmt(pgRows, 0)} rows/s, each a reading of 10 sampled values: ${fmt(pgValues, 0)} sampled values/s (section 7)`,
    verdict: check(pgRows === undefined ? undefined : pgRows >= 50_000),
  });
  const fleet = find(run, 'fleet50k', 'joule');
  const skippedFleet = run.skipped.find((s) => s.scenario === 'fleet50k');
  if (fleet && !fleet.error) {
    const m = fleet.metrics;
    const ok = m.booted === 50_000 && m.stillConnected === 50_000 && (m.failures ?? 1) === 0 && (m.achievedPerSec ?? 0) >= 0.98 * (m.offeredPerSec ?? Infinity);
    out.push({
      target: '50,000 concurrent heartbeating stations (`joule serve --workers N`)',
      result: `${fmt(m.booted, 0)} booted, ${fmt(m.stillConnected, 0)} connected at the end, ${fmt(m.achievedPerSec, 0)}/${fmt(m.offeredPerSec, 0)} heartbeats/s, p99 ${fmt(m.p99Ms, 1)} ms, ${fmt(m.failures, 0)} failures`,
      verdict: check(ok),
    });
  } else {
    out.push({
      target: '50,000 concurrent heartbeating stations (`joule serve --workers N`)',
      result: fleet?.error ? `failed: ${fleet.error}` : skippedFleet ? `skipped: ${skippedFleet.reason}` : 'not run (optional: `--scenario fleet50k`)',
      verdict: fleet?.error ? 'miss' : 'n/a',
    });
  }
  return out;
}

function settingsText(run: BenchRun): string {
  const s = run.settings;
  const sec = (ms: number): string => `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
  return [
    `- Saturation: ${s.saturateConnections} stations on one load process, each keeping exactly one CALL in flight; warm-up ${sec(s.warmupMs)}, then a ${sec(s.durationMs)} window.`,
    `- Fixed rates: open loop over ${s.rateConnections} stations (at most one CALL in flight per station; a CALL due while the previous one is unanswered waits behind it), latency measured from the moment each CALL is issued, so waiting behind a slow answer counts (no coordinated omission); warm-up ${sec(s.warmupMs)}, window ${sec(s.durationMs)}.`,
    `- Idle: ${s.idleStations.toLocaleString('en-US')} stations connect and boot in two halves, then stay idle; server VmRSS before and ${sec(s.idleSettleMs)} after each half, each time right after a full GC of the server (asked over the inspector: servers in this scenario run with \`--inspect=127.0.0.1:0\`).`,
    `- Storm: ${s.stormStations.toLocaleString('en-US')} stations connect, send BootNotification and StatusNotification for connectors 0, 1 and 2; at most ${s.stormConcurrency} stations per load process in that sequence at once; load processes: one per ${s.stationsPerLoadProcess.toLocaleString('en-US')} stations (open-file cap). Every server listens with an accept queue of 4,096 connections (Joule's default \`JOULE_LISTEN_BACKLOG\`; Node's own default of 511 overflows in a storm, and the kernel then drops handshakes that are retried only a second later).`,
    `- Every target is started fresh for every scenario (Joule with an empty JOULE_DATA_DIR), and targets run one after another, never concurrently.`,
    ...((run.repeat ?? 1) > 1
      ? [`- Repeats: every scenario ran ${run.repeat} rounds, each round all its targets one after another, so that a slower or faster spell of a shared machine falls on every target alike. Each figure is from the target's median run (by throughput, p99, KB per connection or seconds, as the scenario's headline), and ratios are between those runs.`]
      : []),
  ].join('\n');
}

export function renderReport(run: BenchRun): string {
  const m = run.machine;
  const out: string[] = [];
  out.push('# Joule benchmarks');
  out.push('');
  out.push(
    `Generated by \`${run.command}\` (${run.startedAt} to ${run.finishedAt}). Every figure on this page was measured in ` +
      'that one run on the machine below; nothing is copied from elsewhere. Re-run it to refresh the page.' +
      (run.quick ? ' **This was a quick (smoke) run: short windows and small N; do not quote its figures.**' : ''),
  );
  out.push('');
  out.push('Targets: **(a)** a raw `ws` server answering the same frames with canned CALLRESULTs (the ceiling), ' +
    '**(a′)** the same server storing each MeterValues durably before answering it as (b′) does (the durable ceiling: nothing else is done), ' +
    '**(b)** a minimal CSMS on `ocpp-rpc` 2.2 in strict mode (schema-validated both ways, persists nothing), ' +
    '**(b′)** the same CSMS storing each MeterValues durably before answering it, in the plainest careful way (one row per MeterValues in SQLite, WAL, `synchronous=FULL`, ' +
    'the rows of one event-loop turn in one transaction; (a′) and (b′) run only in the MeterValues scenarios, as they differ from (a) and (b) in nothing else), ' +
    '**(c)** Joule as users run it: `node bin/joule.js serve` (one process) with a fresh temp `JOULE_DATA_DIR`, validation on, and every ' +
    'transaction message on disk in SQLite (committed and fsync\'d) before it is answered. Pinned to one core, Joule starts itself with ' +
    '`--single-threaded-gc --max-semi-space-size=32 --no-allocation-site-pretenuring` (its default `JOULE_GC=auto`; README), as it would on any one-core machine; the other targets run with Node\'s defaults.');
  out.push('');
  out.push('## Machine');
  out.push('');
  out.push('| CPU | cores | RAM | Node | kernel | Joule data dir | open-file limit | date |');
  out.push('|---|---:|---:|---|---|---|---:|---|');
  out.push(`| ${m.cpuModel} | ${m.cores} | ${m.ramGb.toFixed(1)} GB | ${m.node} | ${m.kernel} | ${m.dataFs} | ${m.openFileLimit} | ${m.date.slice(0, 10)} |`);
  out.push('');
  out.push('## How it was measured');
  out.push('');
  if (run.revision) out.push(`- Joule measured: ${run.revision}.`);
  out.push(`- Pinning: ${run.pinning.note}.`);
  if (m.wsMasking) out.push(`- WebSocket frame masking in \`ws\`: ${m.wsMasking}, for every target and the load generator.`);
  out.push('- Load generator: separate processes (`bench/load/worker.ts`, driven over IPC) built on the simulator\'s engine (`src/sim/station-connection.ts`, `src/ocpp/rpc/frames.ts`). Every station sends BootNotification first; MeterValues stations send one StartTransaction (id tag `BENCH`, created Accepted through the API for Joule) and then MeterValues with 10 sampled values (~1.3 KB) and a timestamp no earlier frame of that station had, so Joule\'s replay filter skips nothing.');
  out.push('- Server memory: VmRSS from `/proc/<pid>/status` (summed over the process tree). Server CPU: utime+stime from `/proc/<pid>/stat` over the window, in % of one core. "Other CPU": what other work on the machine used over the same window, in % of one core (the larger of the other processes\' CPU and all cores\' user+system+steal time minus the benchmark\'s own processes).');
  const nz = run.noise;
  out.push(nz.noisyRetries > 0 || nz.quietWaitMs > 0
    ? `- Noise control: before each run the orchestrator waits up to ${nz.quietWaitMs / 1000} s for other work to drop below ${nz.quietThresholdPct} % of a core, and a run during which other work used more than that is run again (up to ${nz.noisyRetries} times); the least disturbed run is reported, with a note under "Notes from this run".`
    : '- Noise control: off (no waiting for a quiet machine, no re-runs).');
  out.push(settingsText(run));
  out.push('');
  out.push('## Targets');
  out.push('');
  out.push('| Target | Measured | |');
  out.push('|---|---|---|');
  for (const t of evaluateTargets(run)) out.push(`| ${t.target} | ${t.result} | **${t.verdict}** |`);
  out.push('');

  const ratioNote = 'Ratios are Joule divided by the other target: above 1 means Joule has more of it (good for throughput, bad for latency, memory and time).';

  if (ran(run, 'heartbeat') || ran(run, 'meter-values')) {
    out.push('## 1. Round trips/s at saturation');
    out.push('');
    out.push(`${ratioNote}`);
    out.push('');
    out.push(table(run, [
      { label: '**Heartbeat round trips/s**', scenario: 'heartbeat', metric: 'roundTripsPerSec', digits: 0 },
      { label: '**MeterValues round trips/s** (10 sampled values)', scenario: 'meter-values', metric: 'roundTripsPerSec', digits: 0 },
      { label: 'Heartbeat p50 under saturation (ms)', scenario: 'heartbeat', metric: 'p50Ms', digits: 2 },
      { label: 'Heartbeat p99 under saturation (ms)', scenario: 'heartbeat', metric: 'p99Ms', digits: 2 },
      { label: 'MeterValues p50 under saturation (ms)', scenario: 'meter-values', metric: 'p50Ms', digits: 2 },
      { label: 'MeterValues p99 under saturation (ms)', scenario: 'meter-values', metric: 'p99Ms', digits: 2 },
      { label: 'Heartbeat: server CPU µs per round trip', scenario: 'heartbeat', metric: 'serverCpuUsPerRoundTrip', digits: 1 },
      { label: 'MeterValues: server CPU µs per round trip', scenario: 'meter-values', metric: 'serverCpuUsPerRoundTrip', digits: 1 },
      { label: 'Heartbeat: server CPU %', scenario: 'heartbeat', metric: 'serverCpuPct', digits: 0, ratios: false },
      { label: 'Heartbeat: load-generator CPU %', scenario: 'heartbeat', metric: 'loadCpuPct', digits: 0, ratios: false },
      { label: 'Heartbeat: other CPU %', scenario: 'heartbeat', metric: 'otherCpuPct', digits: 0, ratios: false },
      { label: 'MeterValues: server CPU %', scenario: 'meter-values', metric: 'serverCpuPct', digits: 0, ratios: false },
      { label: 'MeterValues: load-generator CPU %', scenario: 'meter-values', metric: 'loadCpuPct', digits: 0, ratios: false },
      { label: 'MeterValues: other CPU %', scenario: 'meter-values', metric: 'otherCpuPct', digits: 0, ratios: false },
    ]));
    out.push('');
    const bound = run.results
      .filter((r) => (r.scenario === 'heartbeat' || r.scenario === 'meter-values') && (r.metrics.loadCpuPct ?? 0) >= 90)
      .map((r) => `${r.scenario} ${TARGET_LABELS[r.target].split(' ')[0]}`);
    out.push('The load generator is one core, like the server: where its CPU is near 100 % the figure is bounded by the load generator as well, so it is a lower bound of what that server can do' +
      (bound.length > 0 ? ` (in this run: ${bound.join(', ')}).` : ' (in this run: none).'));
    out.push('');
  }

  for (const [i, spec] of run.settings.rates.filter((r) => ran(run, r.name)).entries()) {
    out.push(`## 2${String.fromCharCode(97 + i)}. Latency at a fixed ${spec.rate.toLocaleString('en-US')} ${spec.action}/s (${spec.name})`);
    out.push('');
    out.push(table(run, [
      { label: 'p50 (ms)', scenario: spec.name, metric: 'p50Ms', digits: 2 },
      { label: '**p99 (ms)**', scenario: spec.name, metric: 'p99Ms', digits: 2 },
      { label: 'p99.9 (ms)', scenario: spec.name, metric: 'p999Ms', digits: 2 },
      { label: 'max (ms)', scenario: spec.name, metric: 'maxMs', digits: 1 },
      { label: 'achieved rate (answers/s)', scenario: spec.name, metric: 'achievedPerSec', digits: 0 },
      { label: 'CALLs due while the previous was unanswered', scenario: spec.name, metric: 'queuedBehind', digits: 0, ratios: false },
      { label: 'load generator lag behind its schedule, mean (ms)', scenario: spec.name, metric: 'meanSendLagMs', digits: 2, ratios: false },
      { label: 'load generator lag behind its schedule, max (ms)', scenario: spec.name, metric: 'maxSendLagMs', digits: 1, ratios: false },
      { label: 'unanswered after the drain', scenario: spec.name, metric: 'unanswered', digits: 0, ratios: false },
      { label: 'failed CALLs', scenario: spec.name, metric: 'failures', digits: 0, ratios: false },
      { label: 'server CPU %', scenario: spec.name, metric: 'serverCpuPct', digits: 0, ratios: false },
      { label: 'other CPU %', scenario: spec.name, metric: 'otherCpuPct', digits: 0, ratios: false },
    ]));
    out.push('');
  }

  if (ran(run, 'idle')) {
    out.push('## 3. Memory per idle connection');
    out.push('');
    out.push(table(run, [
      { label: '**KB per idle, booted station** (VmRSS growth / N)', scenario: 'idle', metric: 'kbPerConnection', digits: 1 },
      { label: 'KB per station for the second half (marginal VmRSS growth)', scenario: 'idle', metric: 'marginalKbPerConnection', digits: 1 },
      { label: 'KB per station of V8 heap + external memory after a full GC', scenario: 'idle', metric: 'heapKbPerConnection', digits: 1 },
      { label: 'stations (N)', scenario: 'idle', metric: 'stations', digits: 0, ratios: false },
      { label: 'VmRSS before (MB)', scenario: 'idle', metric: 'rssBeforeMb', digits: 1 },
      { label: 'VmRSS with N/2 (MB)', scenario: 'idle', metric: 'rssHalfMb', digits: 1 },
      { label: 'VmRSS with N (MB)', scenario: 'idle', metric: 'rssAfterMb', digits: 1 },
      { label: 'heap + external after GC, before (MB)', scenario: 'idle', metric: 'heapBeforeMb', digits: 1 },
      { label: 'heap + external after GC, with N (MB)', scenario: 'idle', metric: 'heapAfterMb', digits: 1 },
    ]));
    out.push('');
  }

  if (ran(run, 'storm')) {
    out.push('## 4. Reconnect storm: connect, BootNotification, 3 StatusNotifications');
    out.push('');
    out.push(table(run, [
      { label: '**seconds until all done**', scenario: 'storm', metric: 'seconds', digits: 2 },
      { label: 'stations', scenario: 'storm', metric: 'stations', digits: 0, ratios: false },
      { label: 'stations/s', scenario: 'storm', metric: 'stationsPerSec', digits: 0 },
      { label: 'failed stations', scenario: 'storm', metric: 'failed', digits: 0, ratios: false },
      { label: 'load processes', scenario: 'storm', metric: 'loadProcesses', digits: 0, ratios: false },
      { label: 'server CPU %', scenario: 'storm', metric: 'serverCpuPct', digits: 0, ratios: false },
      { label: 'load-generator CPU % (all load processes)', scenario: 'storm', metric: 'loadCpuPct', digits: 0, ratios: false },
      { label: 'other CPU %', scenario: 'storm', metric: 'otherCpuPct', digits: 0, ratios: false },
    ]));
    out.push('');
    out.push('The WebSocket client handshake (`ws` over `http.request`) costs the load generator about as much CPU as the server\'s side, so with one load core this figure is partly bounded by the load generator (compare (a)).');
    out.push('');
  }

  const mvJoule = find(run, 'meter-values', 'joule');
  if (mvJoule && !mvJoule.error) {
    const durable: TargetName[] = (['raw-ws-durable', 'ocpp-rpc-durable', 'joule'] as const).filter((t) => {
      const r = find(run, 'meter-values', t);
      return r !== undefined && !r.error;
    });
    const metric = (t: TargetName, m: Metric): string => fmt(value(run, 'meter-values', t, m), 0);
    out.push('## 5. Durable meter values');
    out.push('');
    out.push(`| Figure | ${durable.map((t) => TARGET_LABELS[t]).join(' | ')} |`);
    out.push(`|---|${durable.map(() => '---:').join('|')}|`);
    const rows: [string, Metric][] = [
      ['**sampled values stored durably per second** (answered only after COMMIT)', 'durableRowsPerSec'],
      ['MeterValues acknowledged over the whole run × 10 sampled values', 'acknowledgedSampledValues'],
      ['sampled values in the store after the server stopped', 'storedSampledValues'],
      ['database rows holding them', 'storedRows'],
    ];
    for (const [label, m] of rows) out.push(`| ${label} | ${durable.map((t) => metric(t, m)).join(' | ')} |`);
    out.push('');
    const a = value(run, 'meter-values', 'raw-ws', 'sampledValuesPerSec');
    const b = value(run, 'meter-values', 'ocpp-rpc', 'sampledValuesPerSec');
    if (a !== undefined || b !== undefined) {
      out.push(`For scale, (a) acknowledged ${fmt(a, 0)} and (b) ${fmt(b, 0)} sampled values/s without storing any.`);
      out.push('');
    }
    const peer = value(run, 'meter-values', 'ocpp-rpc-durable', 'roundTripsPerSec');
    const joule = mvJoule.metrics.roundTripsPerSec;
    if (peer !== undefined && joule !== undefined) {
      out.push(
        `Like for like, with storage on both sides: Joule answered ${fmt(joule, 0)} durable MeterValues/s and (b′), the peer storing each ` +
          `MeterValues in the plainest careful way, ${fmt(peer, 0)}/s: ${ratio(joule, peer)}. Joule also validates, resolves the transaction, ` +
          'skips replays and publishes each reading as an event, which (b′) does not.',
      );
      out.push('');
    }
    const ceiling = value(run, 'meter-values', 'raw-ws-durable', 'roundTripsPerSec');
    const rpc = value(run, 'meter-values', 'ocpp-rpc', 'roundTripsPerSec');
    if (ceiling !== undefined && joule !== undefined) {
      const cpu = (t: TargetName): number | undefined => value(run, 'meter-values', t, 'serverCpuUsPerRoundTrip');
      const [cpuA, cpuA_, cpuB] = [cpu('raw-ws'), cpu('raw-ws-durable'), cpu('ocpp-rpc')];
      out.push(
        `The durable ceiling: (a′), the raw \`ws\` server storing each MeterValues as (b′) does and doing nothing else, answered ` +
          `${fmt(ceiling, 0)} durable MeterValues/s` + (rpc === undefined ? '' : `, ${ratio(ceiling, rpc)} of what (b) answers storing nothing`) +
          `; Joule answered ${ratio(joule, ceiling)} of that.` +
          (cpuA === undefined || cpuA_ === undefined || cpuB === undefined
            ? ''
            : ` Per MeterValues, (a) spends ${fmt(cpuA, 1)} µs of server CPU, (b) ${fmt(cpuB, 1)} µs and (a′) ${fmt(cpuA_, 1)} µs: ` +
              `storing it costs (a′) ${fmt(cpuA_ - cpuA, 1)} µs more than (a), while (b) spends ${fmt(cpuB - cpuA, 1)} µs more than (a) on ` +
              'everything it does. ' +
              (cpuA_ > cpuB
                ? 'A server on one core that stores each MeterValues this way cannot answer as many per second as (b), even doing nothing else.'
                : 'A server on one core that stores each MeterValues this way and does little else can answer as many per second as (b).')),
      );
      out.push('');
    }
  }

  const fleet = find(run, 'fleet50k', 'joule');
  if (fleet) {
    out.push('## 6. Fleet: 50,000 heartbeating stations on `joule serve --workers N`');
    out.push('');
    if (fleet.error) {
      out.push(`Failed: ${fleet.error}`);
    } else {
      const f = fleet.metrics;
      out.push('| Figure | (c) Joule |');
      out.push('|---|---:|');
      const rows: [string, number | undefined, number][] = [
        ['server workers', f.serverWorkers, 0],
        ['load processes', f.loadProcesses, 0],
        ['stations booted', f.booted, 0],
        ['seconds to connect and boot them', f.connectBootSeconds, 1],
        ['server CPU % while they connect and boot (all workers, one core)', f.connectServerCpuPct, 0],
        ['other CPU % meanwhile', f.connectOtherCpuPct, 0],
        ['heartbeat interval (s)', f.heartbeatIntervalS, 0],
        ['heartbeats offered/s', f.offeredPerSec, 0],
        ['heartbeats answered/s', f.achievedPerSec, 0],
        ['p50 / p99 / max (ms)', undefined, 0],
        ['server CPU % while heartbeating', f.heartbeatServerCpuPct, 0],
        ['stations still connected at the end', f.stillConnected, 0],
        ['failures', f.failures, 0],
        ['server VmRSS, all workers (MB)', f.serverRssMb, 0],
        ['server KB per station', f.kbPerStation, 1],
      ];
      for (const [label, v, d] of rows) {
        out.push(`| ${label} | ${label.startsWith('p50') ? `${fmt(f.p50Ms, 2)} / ${fmt(f.p99Ms, 2)} / ${fmt(f.maxMs, 1)}` : fmt(v, d)} |`);
      }
      out.push('');
      out.push('(a) and (b) are single processes and cannot hold 50,000 sockets under the 20,000 open-file cap, so this figure is Joule only.');
    }
    out.push('');
  }

  const pg = find(run, 'pg-store', 'joule');
  if (pg) {
    out.push('## 7. PostgreSQL: meter-value rows sustained');
    out.push('');
    if (pg.error) {
      out.push(`Failed: ${pg.error}`);
    } else {
      const m = pg.metrics;
      out.push(`\`npm run bench:store -- ${m.stations} ${m.seconds} --postgres\`: Joule's PostgreSQL store (the local server, a schema of its own) with ${fmt(m.stations, 0)} stations each keeping one MeterValues in flight, stored as Joule stores it: the reading appended (batched multi-row INSERTs, committed before the promise settles) and the transaction's latest register (written behind). No network and no protocol: this is the store's own throughput. The same process builds the readings (the load), so its CPU per message includes that. It runs on the orchestrator's core (CPU 1 when pinned: one core, like every server here); PostgreSQL's processes run on any core.`);
      out.push('');
      out.push('| Figure | (c) Joule |');
      out.push('|---|---:|');
      out.push(`| **meter-value rows/s sustained** over ${fmt(m.seconds, 0)} s (one row per reading) | ${fmt(m.pgRowsPerSec, 0)} |`);
      out.push(`| sampled values/s in them (10 per reading) | ${fmt(m.pgSampledValuesPerSec, 0)} |`);
      out.push(`| Joule process CPU per stored MeterValues (µs) | ${fmt(m.pgCpuUsPerMessage, 1)} |`);
      out.push(`| Joule process CPU % (of one core) | ${fmt(m.pgCpuPct, 0)} |`);
    }
    out.push('');
  }

  for (const [i, p] of run.profiles.entries()) {
    out.push(`## ${(pg ? 8 : 7) + i}. Where Joule spends its time under ${p.action} saturation`);
    out.push('');
    out.push(`A separate run of the ${p.action} saturation scenario with \`--cpu-prof\` on the server (${fmt(p.run.metrics.roundTripsPerSec, 0)} ${p.action}/s while profiled, server CPU ${fmt(p.run.metrics.serverCpuPct, 0)} %, other CPU ${fmt(p.run.metrics.otherCpuPct, 0)} %). ` +
      `Self time over the measurement window only (${fmt(p.summary.durationMs, 0)} ms, of which ${fmt(p.summary.busyMs, 0)} ms busy); ` +
      'time spent inside a synchronous native call (a `node:sqlite` statement, with whatever I/O it waits for) counts as self time of the JavaScript function that made it.' +
      (p.file ? ` The profile is kept in \`${p.file.slice(p.file.indexOf('bench/'))}\` (open it in Chrome DevTools).` : '') +
      (p.run.notes.length > 0 ? ` Note: ${p.run.notes.join('; ')}.` : ''));
    out.push('');
    out.push('| Function | Where | self ms | % of busy |');
    out.push('|---|---|---:|---:|');
    for (const f of p.summary.functions.slice(0, 20)) out.push(`| \`${f.name}\` | ${f.location || '(native)'} | ${fmt(f.selfMs, 0)} | ${fmt(f.selfPct, 1)} |`);
    out.push('');
    out.push('| Area | self ms | % of busy |');
    out.push('|---|---:|---:|');
    for (const a of p.summary.areas.slice(0, 15)) out.push(`| ${a.area} | ${fmt(a.selfMs, 0)} | ${fmt(a.selfPct, 1)} |`);
    out.push('');
  }

  const problems = run.results.filter((r) => r.error || r.notes.length > 0);
  if (problems.length > 0 || run.skipped.length > 0) {
    out.push('## Notes from this run');
    out.push('');
    for (const r of problems) {
      if (r.error) out.push(`- ${r.scenario} / ${TARGET_LABELS[r.target]}: **failed**: ${r.error}`);
      for (const n of r.notes) out.push(`- ${r.scenario} / ${TARGET_LABELS[r.target]}: ${n}`);
    }
    for (const s of run.skipped) out.push(`- ${s.scenario}: skipped: ${s.reason}`);
    out.push('');
  }
  return out.join('\n');
}
