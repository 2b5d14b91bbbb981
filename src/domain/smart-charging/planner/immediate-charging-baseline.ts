/**
 * The plan without optimisation, for comparison: every EV charges as soon as it can, the site's policy sharing each
 * slot's capacity (what a plain load balancer does), until its need is met. Same limits, same rounding, same report
 * as the optimiser, so the two costs can be compared directly (e.g. "the optimiser saves X per day").
 */
import { buildPlanningContext, energyKWh, type PlanningInput, type PlanSession } from './planning-context.ts';
import { buildResult, type OptimisationResult } from './plan-result.ts';
import { shareCapacity, type ShareItem } from './share-capacity.ts';
import { ENERGY_TOLERANCE_KWH } from './slot-filling.ts';

export function planImmediateCharging(input: PlanningInput): OptimisationResult {
  const ctx = buildPlanningContext(input);
  const live = ctx.sessions.filter((s) => s.mode !== 'offline');
  const delivered = new Map<PlanSession, number>(live.map((s) => [s, 0]));
  for (let t = 0; t < ctx.grid.count; t++) {
    const present = live.filter((s) => {
      if (s.hours[t]! <= 0) return false;
      return s.mode !== 'scheduled' || s.requiredKWh - delivered.get(s)! > ENERGY_TOLERANCE_KWH;
    });
    const items: ShareItem[] = present.map((s) => {
      // A session with a need takes no more than it still needs (rounded up to a sendable step).
      const need = s.mode === 'scheduled' ? s.ceilQ((s.requiredKWh - delivered.get(s)!) / s.kwhPerA[t]!) : Infinity;
      const useful = Math.max(s.r.minCurrentA, s.ceilQ(s.r.drawCapA));
      return {
        shape: s.r.shape,
        minCurrentA: s.r.minCurrentA,
        maxCurrentA: Math.min(s.r.maxCurrentA, useful, Math.max(need, s.r.minCurrentA)),
        priority: s.r.priority,
        quantise: s.floorQ,
      };
    });
    const outcome = shareCapacity(ctx.ledgers[t]!, items, ctx.site.policy, ctx.site.groups.length);
    present.forEach((s, i) => {
      s.x[t] = outcome.currentA[i]!;
      delivered.set(s, delivered.get(s)! + energyKWh(s, t, s.x[t]!));
    });
  }
  return buildResult(ctx);
}
