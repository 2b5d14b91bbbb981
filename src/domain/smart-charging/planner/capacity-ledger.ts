/**
 * Capacity bookkeeping for one instant (or one time slot): per group, what its limits allow and what is already
 * drawn, on each phase and in total power. Every allocation goes through `add`, so "no node over its limit" is a
 * matter of never adding more than `headroom` says.
 */
import { POWER_SLOT, SLOTS_PER_GROUP } from './compile-site.ts';

/** How one session loads the tree per ampere of per-phase current. */
export interface LoadShape {
  /** Group indices from the EVSE's parent up to the root. */
  path: Int32Array;
  /** Site phases (0 = L1, 1 = L2, 2 = L3) that carry the current. */
  phases: readonly number[];
  /** Watts per ampere of per-phase current: voltage x number of phases. */
  wattsPerAmp: number;
}

export class CapacityLedger {
  /** `SLOTS_PER_GROUP` values per group (L1, L2, L3 in A, total in W); Infinity where unlimited. */
  readonly limits: Float64Array;
  /** Same layout: what is drawn now. */
  readonly used: Float64Array;

  constructor(limits: Float64Array, used: Float64Array) {
    this.limits = limits;
    this.used = used;
  }

  clone(): CapacityLedger {
    return new CapacityLedger(this.limits, Float64Array.from(this.used));
  }

  /** The largest per-phase current that `shape` can add without any group going over a limit (negative if already over). */
  headroom(shape: LoadShape): number {
    const { limits, used } = this;
    let room = Infinity;
    const path = shape.path;
    const phases = shape.phases;
    for (let i = 0; i < path.length; i++) {
      const o = path[i]! * SLOTS_PER_GROUP;
      for (let k = 0; k < phases.length; k++) {
        const c = o + phases[k]!;
        const r = limits[c]! - used[c]!;
        if (r < room) room = r;
      }
      const r = (limits[o + POWER_SLOT]! - used[o + POWER_SLOT]!) / shape.wattsPerAmp;
      if (r < room) room = r;
    }
    return room;
  }

  /** The group whose limit decides `headroom(shape)`, or -1 when nothing limits it. */
  bindingGroup(shape: LoadShape): number {
    const { limits, used } = this;
    let room = Infinity;
    let group = -1;
    for (let i = 0; i < shape.path.length; i++) {
      const g = shape.path[i]!;
      const o = g * SLOTS_PER_GROUP;
      for (const p of shape.phases) {
        const r = limits[o + p]! - used[o + p]!;
        if (r < room) {
          room = r;
          group = g;
        }
      }
      const r = (limits[o + POWER_SLOT]! - used[o + POWER_SLOT]!) / shape.wattsPerAmp;
      if (r < room) {
        room = r;
        group = g;
      }
    }
    return group;
  }

  /** Records `currentA` more per phase for `shape` (negative to take it back). */
  add(shape: LoadShape, currentA: number): void {
    if (currentA === 0) return;
    const used = this.used;
    const watts = currentA * shape.wattsPerAmp;
    const path = shape.path;
    const phases = shape.phases;
    for (let i = 0; i < path.length; i++) {
      const o = path[i]! * SLOTS_PER_GROUP;
      for (let k = 0; k < phases.length; k++) used[o + phases[k]!]! += currentA;
      used[o + POWER_SLOT]! += watts;
    }
  }
}
