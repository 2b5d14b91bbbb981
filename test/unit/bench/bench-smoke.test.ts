import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FULL_SETTINGS, headline, runBenchmark, type BenchOptions } from '../../../bench/lib/bench.ts';
import { renderReport } from '../../../bench/lib/report.ts';
import type { BenchSettings } from '../../../bench/lib/scenarios.ts';

// A smoke test of the benchmark machinery (npm run bench), not a performance test: it runs every kind of scenario
// for a few hundred milliseconds with a handful of stations against the raw ws target (the ocpp-rpc peers only where
// a test is about them), and checks that real, non-zero figures came out. It asserts no thresholds.

/** A smoke run: unpinned, no profile, one round unless asked, no waiting for a quiet machine and no re-runs. */
function smokeRun(options: Pick<BenchOptions, 'settings' | 'scenarios' | 'targets'> & Partial<BenchOptions>) {
  return runBenchmark({
    pin: false,
    profile: false,
    repeat: 1,
    quietWaitMs: 0,
    quietThresholdPct: 100,
    noisyRetries: 0,
    quick: true,
    command: 'bench-smoke.test.ts',
    log: () => {},
    ...options,
  });
}

describe('npm run bench: the orchestrator in minimal form against the raw ws target', () => {
  it('measures round trips, latency at a fixed rate, idle memory and a small storm', async () => {
    const settings: BenchSettings = {
      ...FULL_SETTINGS,
      saturateConnections: 4,
      warmupMs: 100,
      durationMs: 300,
      rateConnections: 4,
      rates: [{ name: 'rate-mv-smoke', action: 'MeterValues', rate: 200 }],
      drainMs: 500,
      idleStations: 20,
      idleSettleMs: 100,
      stormStations: 20,
      stormConcurrency: 10,
    };
    const run = await smokeRun({
      settings,
      scenarios: ['heartbeat', 'meter-values', 'rate-mv-smoke', 'idle', 'storm'],
      targets: ['raw-ws'],
    });
    const get = (scenario: string) => {
      const result = run.results.find((r) => r.scenario === scenario && r.target === 'raw-ws');
      assert.ok(result, `${scenario} ran`);
      assert.equal(result.error, undefined, `${scenario} did not fail`);
      return result.metrics;
    };
    const heartbeat = get('heartbeat');
    assert.ok(heartbeat.roundTripsPerSec! > 0);
    assert.ok(heartbeat.p99Ms! > 0);
    assert.equal(heartbeat.failures, 0);
    const meterValues = get('meter-values');
    assert.ok(meterValues.roundTripsPerSec! > 0);
    assert.ok(meterValues.sampledValuesPerSec! > 0);
    const rate = get('rate-mv-smoke');
    assert.ok(rate.achievedPerSec! > 0);
    assert.ok(rate.p50Ms! > 0);
    assert.ok(rate.dueInWindow! > 0);
    const idle = get('idle');
    assert.equal(idle.stations, 20);
    assert.ok(idle.rssAfterMb! > 0);
    const storm = get('storm');
    assert.equal(storm.failed, 0);
    assert.ok(storm.seconds! > 0);
    assert.ok(run.machine.cores > 0);

    const report = renderReport(run);
    assert.match(report, /\(a\) raw ws/);
    assert.match(report, /Round trips\/s at saturation/);
  });

  it('repeats go round the targets (a, b, a, b, a, b) and each target reports its median run', async () => {
    const lines: string[] = [];
    const run = await smokeRun({
      settings: { ...FULL_SETTINGS, saturateConnections: 2, warmupMs: 50, durationMs: 150 },
      scenarios: ['heartbeat'],
      targets: ['raw-ws', 'ocpp-rpc'],
      repeat: 3,
      log: (line) => lines.push(line),
    });
    const started = lines.filter((line) => line.startsWith('heartbeat / ')).map((line) => line.replace(/ \.\.\.$/, ''));
    assert.deepEqual(started, [1, 2, 3].flatMap((round) => [
      `heartbeat / raw-ws (round ${round}/3)`,
      `heartbeat / ocpp-rpc (round ${round}/3)`,
    ]));
    assert.deepEqual(run.results.map((result) => result.target), ['raw-ws', 'ocpp-rpc']);
    for (const result of run.results) {
      assert.ok(result.notes.some((note) => note.startsWith('median of 3 runs')), JSON.stringify(result.notes));
    }
    assert.match(renderReport(run), /Repeats: every scenario ran 3 rounds/);
  });

  it('the durable ocpp-rpc peer (b′) runs only where MeterValues are sent, and stores every MeterValues it acknowledged', async () => {
    const run = await smokeRun({
      settings: { ...FULL_SETTINGS, saturateConnections: 4, warmupMs: 100, durationMs: 300 },
      scenarios: ['heartbeat', 'meter-values'],
      targets: ['ocpp-rpc-durable'],
    });
    assert.deepEqual(run.results.map((result) => `${result.scenario} ${result.target}`), ['meter-values ocpp-rpc-durable']);
    const [meterValues] = run.results;
    assert.equal(meterValues!.error, undefined);
    const m = meterValues!.metrics;
    assert.ok(m.roundTripsPerSec! > 0);
    assert.ok(m.acknowledgedSampledValues! > 0);
    assert.equal(m.storedSampledValues, m.acknowledgedSampledValues);
    assert.equal(m.storedRows! * 10, m.storedSampledValues);
    assert.match(renderReport(run), /\(b′\) ocpp-rpc \+ SQLite/);
  });

  it('the durable ceiling (a′) runs only where MeterValues are sent, stores every MeterValues it acknowledged, and is quoted against (b)', async () => {
    const run = await smokeRun({
      settings: { ...FULL_SETTINGS, saturateConnections: 4, warmupMs: 100, durationMs: 300, stormStations: 20, stormConcurrency: 20 },
      scenarios: ['heartbeat', 'meter-values', 'storm'],
      targets: ['raw-ws-durable', 'ocpp-rpc', 'joule'],
    });
    assert.deepEqual(
      run.results.map((result) => `${result.scenario} ${result.target}`),
      ['heartbeat ocpp-rpc', 'heartbeat joule', 'meter-values raw-ws-durable', 'meter-values ocpp-rpc', 'meter-values joule', 'storm ocpp-rpc', 'storm joule'],
    );
    const ceiling = run.results.find((result) => result.target === 'raw-ws-durable')!;
    assert.equal(ceiling.error, undefined);
    const m = ceiling.metrics;
    assert.ok(m.roundTripsPerSec! > 0);
    assert.ok(m.acknowledgedSampledValues! > 0);
    assert.equal(m.storedSampledValues, m.acknowledgedSampledValues);
    assert.equal(m.storedRows! * 10, m.storedSampledValues);
    const report = renderReport(run);
    assert.match(report, /\(a′\) raw ws \+ SQLite/);
    assert.match(report, /the durable ceiling \(a′\) reached [\d,]+\/s = \d+\.\d\dx \(section 5\)/);
    // A table shows only the targets that ran its scenarios: the storm's has no (a′) column.
    const stormTable = report.slice(report.indexOf('## 4. Reconnect storm'));
    assert.match(stormTable, /\| Figure \| \(b\) ocpp-rpc strict \| \(c\) Joule \| Joule\/\(b\) \|/);
    assert.match(report, /The durable ceiling: \(a′\).* answered [\d,]+ durable MeterValues\/s, \d+\.\d\dx of what \(b\) answers storing nothing; Joule answered \d+\.\d\dx of that\./);
  });

  it('the median run of repeated pg-store runs is chosen by rows/s, not by their equal duration', () => {
    const run = (rows: number) => ({ scenario: 'pg-store', target: 'joule' as const, metrics: { seconds: 30, pgRowsPerSec: rows }, notes: [] });
    assert.deepEqual([run(52_363), run(58_618), run(52_121)].map(headline), [52_363, 58_618, 52_121]);
  });
});
