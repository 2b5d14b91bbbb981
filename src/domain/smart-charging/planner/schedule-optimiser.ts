/**
 * The 24-hour plan: per session, a current per time slot that keeps every group under its limits in every slot
 * (peak-shaving windows and demand-response events included), meets each EV's energy need by its departure where
 * that is possible, and buys the energy in the cheapest slots.
 *
 * Method: a greedy with capacity bookkeeping and a repair step. Every unit of current goes through the slot's
 * ledger, so whatever the heuristic decides, no limit is ever broken; what is heuristic is only how close the cost
 * and the needs met come to the best possible. It is fast enough to run on every change (about 50 ms for 1,000
 * sessions x 96 slots, see bench/planner.ts), which matters more for a plan that is redone all the time than the
 * last percent an LP solver would find.
 *
 * 1. Earliest departure first. Sessions with a need are taken in order of departure (then priority, then arrival);
 *    each puts its energy into the cheapest slots of its own window that still have room, ties to the earlier slot.
 *    Sessions present now share the same start, so their windows are nested and a tighter window is served before
 *    a looser one could take its slots (the earliest-deadline-first idea). With one shared limit, no per-EV caps and no
 *    minimum current this meets every need that can be met, at the lowest cost; with EV caps, phases and feeders it may not, which
 *    step 2 repairs in part.
 * 2. Repair (capacity-relocation.ts). A session still short because a limit is full in a slot asks the sessions
 *    loading that limit to move energy to other slots of their own windows; they keep all their energy.
 * 3. Priority decides the shortfalls that remain. A session still short may take slots from sessions of lower
 *    priority that load the limit holding it back; those then take what is left elsewhere in their own windows.
 * 4. Sessions without a known need (none given, no site default) share what is left in each slot by the site's
 *    policy, optionally only in slots at or below a price.
 * 5. V2G (see v2g-arbitrage.ts) for sessions that may discharge and whose need is met.
 *
 * A session's shortfall is reported with its reason: its own limits over its window cannot deliver the energy
 * (`departure-too-soon`, or `ev-max-power` when the EVSE alone could have), or the site's limits could not
 * (`capacity`, with the groups that held it back).
 */
import { shareCapacity, type ShareItem } from './share-capacity.ts';
import { buildPlanningContext, plannedKWh, type PlanningContext, type PlanningInput, type PlanSession } from './planning-context.ts';
import { buildResult, type OptimisationResult } from './plan-result.ts';
import { addEnergyInSlot, bindingConstraint, clearSlot, ENERGY_TOLERANCE_KWH, heldBackByCapacity, loadsConstraint } from './slot-filling.ts';
import { planDischarge, type DischargeOptions } from './v2g-arbitrage.ts';
import { relocateForCapacity } from './capacity-relocation.ts';
import { DomainError } from '../../errors.ts';
import { compareArrival } from './resolve-sessions.ts';

export interface OptimiseInput extends PlanningInput {
  /** Sessions without a known need charge only in slots at or below this price; default: in every slot. */
  opportunisticMaxPricePerKWh?: number | undefined;
  discharge?: DischargeOptions | undefined;
}

/** Slot indices by price, cheapest first, earlier first among equals. */
function slotsByPrice(ctx: PlanningContext): number[] {
  const price = ctx.prices.pricePerKWh;
  return Array.from({ length: ctx.grid.count }, (_, t) => t).sort((a, b) => price[a]! - price[b]! || a - b);
}

function fillCheapest(ctx: PlanningContext, s: PlanSession, order: readonly number[], blocked: Map<number, number>): void {
  let remaining = s.requiredKWh - plannedKWh(s);
  for (const t of order) {
    if (remaining <= ENERGY_TOLERANCE_KWH) return;
    if (t < s.firstSlot || t >= s.endSlot || s.hours[t] === 0) continue;
    const added = addEnergyInSlot(ctx, s, t, remaining);
    remaining -= added;
    if (remaining > ENERGY_TOLERANCE_KWH && heldBackByCapacity(ctx, s, t)) {
      const c = bindingConstraint(ctx, s, t);
      if (c >= 0) blocked.set(c, (blocked.get(c) ?? 0) + 1);
    }
  }
}

/**
 * Step 3: a short session takes slots, cheapest first, from lower-priority sessions that load what holds it back.
 * `charging[t]` lists the sessions charging in slot t before this step, lowest priority first (latest arrival first
 * among equals); sessions only lose slots here (except the one taking them, which no lower priority may take from).
 */
function evictForPriority(ctx: PlanningContext, u: PlanSession, charging: readonly PlanSession[][], order: readonly number[], evicted: Set<PlanSession>): void {
  let remaining = u.requiredKWh - plannedKWh(u);
  for (const t of order) {
    if (remaining <= ENERGY_TOLERANCE_KWH) return;
    if (t < u.firstSlot || t >= u.endSlot || u.hours[t] === 0) continue;
    const candidates = charging[t]!;
    if (candidates.length === 0 || candidates[0]!.r.priority >= u.r.priority) continue;
    while (remaining > ENERGY_TOLERANCE_KWH) {
      const added = addEnergyInSlot(ctx, u, t, remaining);
      remaining -= added;
      if (remaining <= ENERGY_TOLERANCE_KWH || !heldBackByCapacity(ctx, u, t)) break;
      const c = bindingConstraint(ctx, u, t);
      if (c < 0) break;
      let victim: PlanSession | undefined;
      for (const v of candidates) {
        if (v.r.priority >= u.r.priority) break;
        if (v.x[t]! > 0 && loadsConstraint(v, c)) {
          victim = v;
          break;
        }
      }
      if (victim === undefined) break;
      clearSlot(ctx, victim, t);
      evicted.add(victim);
    }
  }
}

function fillOpportunistic(ctx: PlanningContext, sessions: readonly PlanSession[], maxPrice: number): void {
  if (sessions.length === 0) return;
  for (let t = 0; t < ctx.grid.count; t++) {
    if (ctx.prices.pricePerKWh[t]! > maxPrice) continue;
    const present = sessions.filter((s) => s.hours[t]! > 0);
    const items: ShareItem[] = present.map((s) => ({
      shape: s.r.shape,
      minCurrentA: s.r.minCurrentA,
      maxCurrentA: s.r.maxCurrentA,
      priority: s.r.priority,
      quantise: s.floorQ,
    }));
    const outcome = shareCapacity(ctx.ledgers[t]!, items, ctx.site.policy, ctx.site.groups.length);
    present.forEach((s, i) => {
      s.x[t] = outcome.currentA[i]!;
    });
  }
}

export function optimiseSchedules(input: OptimiseInput): OptimisationResult {
  const maxPrice = input.opportunisticMaxPricePerKWh ?? Infinity;
  if (typeof maxPrice !== 'number' || Number.isNaN(maxPrice)) throw new DomainError('invalid', 'opportunisticMaxPricePerKWh must be a number');
  const ctx = buildPlanningContext(input);
  const order = slotsByPrice(ctx);
  const scheduled = ctx.sessions
    .filter((s) => s.mode === 'scheduled')
    .sort((a, b) => a.departureMs! - b.departureMs! || b.r.priority - a.r.priority || compareArrival(a.r, b.r));

  // Per session: how often each constraint held it back (for the report).
  const blocked = new Map<PlanSession, Map<number, number>>();
  for (const s of scheduled) {
    const b = new Map<number, number>();
    blocked.set(s, b);
    fillCheapest(ctx, s, order, b);
  }

  // A session still short asks the others to move out of its way (they keep their energy).
  const budget = { moves: 20 * scheduled.length + 100 };
  const short = (s: PlanSession): boolean => s.requiredKWh - plannedKWh(s) > ENERGY_TOLERANCE_KWH;
  if (scheduled.some(short)) {
    // Latest departure first: those have the most other slots to move to.
    const flexibleFirst = [...scheduled].reverse();
    const charging = Array.from({ length: ctx.grid.count }, (_, t) => flexibleFirst.filter((v) => v.x[t]! > 0));
    for (const u of scheduled) if (short(u)) relocateForCapacity(ctx, u, charging, order, budget);
  }

  const evicted = new Set<PlanSession>();
  const byPriority = [...scheduled].sort((a, b) => b.r.priority - a.r.priority || a.departureMs! - b.departureMs!);
  if (byPriority.length > 0 && byPriority[0]!.r.priority !== byPriority[byPriority.length - 1]!.r.priority) {
    const lowestFirst = [...scheduled].sort((a, b) => a.r.priority - b.r.priority || compareArrival(b.r, a.r));
    const charging = Array.from({ length: ctx.grid.count }, (_, t) => lowestFirst.filter((v) => v.x[t]! > 0));
    for (const u of byPriority) if (short(u)) evictForPriority(ctx, u, charging, order, evicted);
  }
  // Sessions that lost slots take what is left, in the same order as before.
  for (const s of scheduled) if (evicted.has(s)) fillCheapest(ctx, s, order, blocked.get(s)!);

  fillOpportunistic(ctx, ctx.sessions.filter((s) => s.mode === 'opportunistic'), maxPrice);

  const discharged = planDischarge(ctx, scheduled, order, input.discharge);
  return buildResult(ctx, { blocked, evicted, discharged });
}
