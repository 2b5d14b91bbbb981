import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildBenchSite, runPlannerBench } from '../../../bench/planner.ts';
import { verifyAllocation } from '../../../src/domain/smart-charging/planner/verify-allocation.ts';

// A smoke test of bench/planner.ts, not a performance test: the benchmark code runs once on a small site and must
// produce a valid allocation and plan. No time is asserted.
describe('bench/planner.ts on a small site', () => {
  it('builds the site it describes: feeders x stations x EVSEs, one session per EVSE', () => {
    const bench = buildBenchSite({ feeders: 2, stationsPerFeeder: 3, evsesPerStation: 2, policy: 'equal-share' });
    assert.equal(bench.sessions.length, 12);
    assert.equal(bench.site.root.children.length, 2);
    assert.equal(new Set(bench.sessions.map((s) => s.evseNodeId)).size, 12);
  });

  for (const policy of ['equal-share', 'priority', 'first-come-first-served'] as const) {
    it(`${policy}: a valid allocation and a valid 24-hour plan, and the figures it prints`, () => {
      const result = runPlannerBench({ feeders: 2, stationsPerFeeder: 5, evsesPerStation: 2, policy, replans: 3, plans: 1, warmup: 0 });
      assert.equal(result.sessions, 20);
      assert.equal(result.allocation.limits.length + result.allocation.skipped.length, 20);
      assert.ok(result.allocation.limits.some((l) => l.state === 'charging' && l.limit > 0));
      assert.equal(result.allocationViolations, 0);
      assert.equal(result.planViolations, 0);
      assert.deepEqual(verifyAllocation(buildBenchSite({ feeders: 2, stationsPerFeeder: 5, evsesPerStation: 2, policy }).site, result.allocation.limits.filter((l) => l.state !== 'offline')), []);
      assert.equal(result.plan.slotStarts.length, 96);
      assert.ok(result.plan.totalEnergyKWh > 0);
      assert.ok(result.plan.sessions.filter((s) => s.mode === 'scheduled').every((s) => s.unmet !== undefined || s.energyKWh >= s.requiredKWh! - 0.001));
      assert.equal(result.replan.runs, 3);
      assert.equal(result.optimise.runs, 1);
      assert.ok(Number.isFinite(result.replan.medianMs) && Number.isFinite(result.optimise.p99Ms));
    });
  }
});
