/**
 * Repair for the greedy plan: a session short of its need because a limit is full in a slot may ask the sessions
 * loading that limit to move part of their energy to other slots of their own windows. Nobody loses energy (a move
 * that cannot be placed in full is undone), the mover may pay more, the short session gets closer to its need.
 *
 * This fixes what taking sessions one at a time cannot see, e.g. an EV that could charge at full power in any slot
 * taking the cheap slots that a slower EV, capped per slot, needed all of. The work is bounded by a budget of moves
 * so that a site that is simply too small does not cost minutes of futile searching.
 */
import { POWER_SLOT, SLOTS_PER_GROUP } from './compile-site.ts';
import { energyKWh, plannedKWh, type PlanningContext, type PlanSession } from './planning-context.ts';
import { addEnergyInSlot, bindingConstraint, ENERGY_TOLERANCE_KWH, heldBackByCapacity, loadsConstraint, ownCeilingA } from './slot-filling.ts';

/** Per-phase amperes (phase constraint) or watts (power constraint) per ampere of the session's current. */
function coefficient(s: PlanSession, c: number): number {
  return c % SLOTS_PER_GROUP === POWER_SLOT ? s.r.shape.wattsPerAmp : 1;
}

interface Change {
  slot: number;
  before: number;
}

function undo(ctx: PlanningContext, s: PlanSession, changes: readonly Change[]): void {
  for (let i = changes.length - 1; i >= 0; i--) {
    const { slot, before } = changes[i]!;
    ctx.ledgers[slot]!.add(s.r.shape, before - s.x[slot]!);
    s.x[slot] = before;
  }
}

/**
 * Lowers `v` in slot `t` by about `amountA` (all of it when what would remain is below its minimum) and places the
 * energy lost in `v`'s other slots, cheapest first. Returns the changes made, or undefined (and nothing changed) when
 * the energy could not all be placed.
 */
function moveOut(ctx: PlanningContext, v: PlanSession, t: number, amountA: number, order: readonly number[]): Change[] | undefined {
  const x = v.x[t]!;
  let next = v.floorQ(Math.max(0, x - amountA));
  if (next < v.r.minCurrentA) next = 0;
  if (next >= x) return undefined;
  const changes: Change[] = [{ slot: t, before: x }];
  ctx.ledgers[t]!.add(v.r.shape, next - x);
  v.x[t] = next;
  let missing = energyKWh(v, t, x) - energyKWh(v, t, next);
  for (const slot of order) {
    if (missing <= ENERGY_TOLERANCE_KWH) break;
    if (slot === t || slot < v.firstSlot || slot >= v.endSlot || v.hours[slot] === 0 || v.x[slot]! < 0) continue;
    const before = v.x[slot]!;
    const added = addEnergyInSlot(ctx, v, slot, missing);
    if (added > 0) {
      changes.push({ slot, before });
      missing -= added;
    }
  }
  if (missing > ENERGY_TOLERANCE_KWH) {
    undo(ctx, v, changes);
    return undefined;
  }
  return changes;
}

/**
 * Tries to bring `u` to its need by moving other sessions out of the way, slot by slot, cheapest first.
 * `charging[t]` lists the sessions that may be asked to move in slot t (those charging there when the repair began;
 * entries that stopped charging since are skipped). `budget.moves` is decremented per attempted move; returns when
 * `u` is met, nothing more can be moved, or the budget is spent.
 */
export function relocateForCapacity(ctx: PlanningContext, u: PlanSession, charging: readonly PlanSession[][], order: readonly number[], budget: { moves: number }): void {
  let remaining = u.requiredKWh - plannedKWh(u);
  for (const t of order) {
    if (remaining <= ENERGY_TOLERANCE_KWH || budget.moves <= 0) return;
    if (t < u.firstSlot || t >= u.endSlot || u.hours[t] === 0) continue;
    let progress = true;
    while (progress && remaining > ENERGY_TOLERANCE_KWH && budget.moves > 0 && heldBackByCapacity(ctx, u, t)) {
      progress = false;
      const c = bindingConstraint(ctx, u, t);
      if (c < 0) break;
      const x = Math.max(0, u.x[t]!);
      let target = Math.min(ownCeilingA(u), u.ceilQ(x + remaining / u.kwhPerA[t]!));
      if (x === 0) target = Math.max(target, u.r.minCurrentA);
      const ledger = ctx.ledgers[t]!;
      const deficit = (target - x) * coefficient(u, c) - (ledger.limits[c]! - ledger.used[c]!);
      if (deficit <= 0) break;
      for (const v of charging[t]!) {
        if (v === u || v.x[t]! <= 0 || !loadsConstraint(v, c)) continue;
        budget.moves--;
        const changes = moveOut(ctx, v, t, deficit / coefficient(v, c), order);
        if (changes === undefined) continue;
        const added = addEnergyInSlot(ctx, u, t, remaining);
        if (added <= 0) {
          // Another limit holds it back too: the move bought nothing, so it is undone.
          undo(ctx, v, changes);
          continue;
        }
        remaining -= added;
        progress = true;
        break;
      }
    }
  }
}
