/**
 * What an idle EVSE may let an arriving EV draw before the planner has seen the new session (its TxDefaultProfile).
 * Without one, a station lets a new EV charge without limit (1.6 §3.13.6, K06/K07), so the first seconds of every
 * arrival would break the site's limits.
 *
 * The room left under every group after the sessions' allocations (and external load, offline stations) is shared
 * by the idle EVSEs below it: each gets its part on each of its phases and of the power, so that even if EVs arrive
 * at all of them at once no limit is broken. The share is the lowest over the whole plan (a constant default must
 * hold while the planned sessions ramp up and down); below the EVSE's minimum current it is 0: the EV then waits
 * for its TxProfile, which follows its start within one re-plan.
 */
import type { CompiledEvse, CompiledSite } from './planner/compile-site.ts';
import { POWER_SLOT, SLOTS_PER_GROUP } from './planner/compile-site.ts';
import { powerToCurrent } from './planner/electrical.ts';

/** One slot of the plan: the limits in force and what flows, `SLOTS_PER_GROUP` values per group. */
export interface SlotLoad {
  limits: Float64Array;
  used: Float64Array;
}

/** How a session loads the tree, per ampere of per-phase current. */
export interface SessionLoad {
  evse: CompiledEvse;
  /** Phases the session draws on (a prefix of the EVSE's). */
  phases: number;
  /** Per-phase current per slot. */
  currentA: ArrayLike<number>;
}

/** Adds every session's current of slot `t` to `used`, along its EVSE's path. */
export function addSessionLoads(used: Float64Array, sessions: readonly SessionLoad[], t: number): void {
  for (const s of sessions) {
    const a = s.currentA[t] ?? 0;
    if (a <= 0) continue;
    const sitePhases = s.evse.sitePhases.slice(0, s.phases);
    const watts = a * s.evse.voltageV * s.phases;
    for (const g of s.evse.path) {
      const o = g * SLOTS_PER_GROUP;
      for (const p of sitePhases) used[o + p] = used[o + p]! + a;
      used[o + POWER_SLOT] = used[o + POWER_SLOT]! + watts;
    }
  }
}

/**
 * The per-phase current each idle EVSE may offer an arriving EV, by EVSE node id: the lowest share over all slots,
 * 0 when that is below the EVSE's minimum current.
 */
export function idleShares(site: CompiledSite, idle: readonly CompiledEvse[], slots: readonly SlotLoad[]): Map<string, number> {
  const groups = site.groups.length;
  // Per group: how many idle EVSEs load each phase, and their watts per ampere together.
  const count = new Float64Array(groups * SLOTS_PER_GROUP);
  for (const e of idle) {
    for (const g of e.path) {
      const o = g * SLOTS_PER_GROUP;
      for (const p of e.sitePhases) count[o + p] = count[o + p]! + 1;
      count[o + POWER_SLOT] = count[o + POWER_SLOT]! + e.voltageV * e.sitePhases.length;
    }
  }
  const shares = new Map<string, number>();
  for (const e of idle) {
    const node = e.node;
    let share = node.maxCurrentA;
    if (node.maxPowerW !== undefined) share = Math.min(share, powerToCurrent(node.maxPowerW, e.voltageV, e.sitePhases.length));
    for (const slot of slots) {
      for (const g of e.path) {
        const o = g * SLOTS_PER_GROUP;
        for (const p of e.sitePhases) share = Math.min(share, (slot.limits[o + p]! - slot.used[o + p]!) / count[o + p]!);
        share = Math.min(share, (slot.limits[o + POWER_SLOT]! - slot.used[o + POWER_SLOT]!) / count[o + POWER_SLOT]!);
      }
    }
    shares.set(node.id, share >= e.minCurrentA && share > 0 ? share : 0);
  }
  return shares;
}
