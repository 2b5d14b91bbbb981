/**
 * Putting a session's energy into slots one at a time, with all the rules a slot's current must obey: at most the
 * session's maximum and the ledger's headroom, at least its minimum (or nothing), in steps that can be sent.
 */
import { POWER_SLOT, SLOTS_PER_GROUP } from './compile-site.ts';
import { energyKWh, type PlanningContext, type PlanSession } from './planning-context.ts';

/** Energies below this are "met" (1 Wh): it absorbs the rounding of currents to 0.1 A / 0.1 W. */
export const ENERGY_TOLERANCE_KWH = 0.001;

/** The most per-phase current worth planning for a session: its maximum, or what its EV can draw (at least the minimum). */
export function ownCeilingA(s: PlanSession): number {
  return Math.min(s.r.maxCurrentA, s.ceilQ(Math.max(s.r.minCurrentA, s.r.drawCapA)));
}

/** True when the site's limits, not the session's own, keep it from getting more in slot `t`. */
export function heldBackByCapacity(ctx: PlanningContext, s: PlanSession, t: number): boolean {
  const x = Math.max(0, s.x[t]!);
  if (x >= ownCeilingA(s) - 0.1) return false;
  const room = ctx.ledgers[t]!.headroom(s.r.shape);
  return x + room < ownCeilingA(s) - 0.1 && (x > 0 || room < s.r.minCurrentA);
}

/**
 * Adds up to `wantKWh` to session `s` in slot `t` (charging only). Returns the energy added (kWh); 0 when the slot
 * cannot take at least the minimum current. The current is rounded up to a sendable step when that fits, so that a
 * need is met rather than missed by a rounding step.
 */
export function addEnergyInSlot(ctx: PlanningContext, s: PlanSession, t: number, wantKWh: number): number {
  const perA = s.kwhPerA[t]!;
  if (perA <= 0 || wantKWh <= 0) return 0;
  const x = Math.max(0, s.x[t]!);
  const ledger = ctx.ledgers[t]!;
  // Offering more than the EV can draw buys nothing; offering the minimum is needed even if it draws less.
  const ceiling = Math.min(ownCeilingA(s), s.floorQ(Math.min(s.r.maxCurrentA, x + ledger.headroom(s.r.shape))));
  if (ceiling <= x + 1e-9 || ceiling < s.r.minCurrentA - 1e-9) return 0;
  let target = Math.min(ceiling, s.ceilQ(x + wantKWh / perA));
  if (target < s.r.minCurrentA) target = Math.min(ceiling, s.ceilQ(s.r.minCurrentA));
  const added = energyKWh(s, t, target) - energyKWh(s, t, x);
  if (target <= x || added <= 0) return 0;
  ledger.add(s.r.shape, target - x);
  s.x[t] = target;
  return added;
}

/** Takes a session's charging out of slot `t` entirely; returns the energy removed. */
export function clearSlot(ctx: PlanningContext, s: PlanSession, t: number): number {
  const x = s.x[t]!;
  if (x <= 0) return 0;
  ctx.ledgers[t]!.add(s.r.shape, -x);
  s.x[t] = 0;
  return energyKWh(s, t, x);
}

/** The constraint (`SLOTS_PER_GROUP * group + k`) that limits session `s` in slot `t`, or -1. */
export function bindingConstraint(ctx: PlanningContext, s: PlanSession, t: number): number {
  const { limits, used } = ctx.ledgers[t]!;
  const shape = s.r.shape;
  let room = Infinity;
  let constraint = -1;
  for (let i = 0; i < shape.path.length; i++) {
    const o = shape.path[i]! * SLOTS_PER_GROUP;
    for (const p of shape.phases) {
      const r = limits[o + p]! - used[o + p]!;
      if (r < room) {
        room = r;
        constraint = o + p;
      }
    }
    const r = (limits[o + POWER_SLOT]! - used[o + POWER_SLOT]!) / shape.wattsPerAmp;
    if (r < room) {
      room = r;
      constraint = o + POWER_SLOT;
    }
  }
  return constraint;
}

/** True when session `s` draws on constraint `c`. */
export function loadsConstraint(s: PlanSession, c: number): boolean {
  const group = Math.floor(c / SLOTS_PER_GROUP);
  const k = c % SLOTS_PER_GROUP;
  if (!s.r.shape.path.includes(group)) return false;
  return k === POWER_SLOT || s.r.shape.phases.includes(k);
}
