/** Per-group figures for reports: what flows, what the limits allow, and limits broken by load Joule cannot control. */
import type { CapacityLedger } from './capacity-ledger.ts';
import { POWER_SLOT, SLOTS_PER_GROUP, type CompiledSite } from './compile-site.ts';

export interface GroupLoad {
  groupId: string;
  /** Per-phase current through the group, L1, L2, L3 (A), all load included. */
  currentA: [number, number, number];
  powerW: number;
  /** Limits in force (null: none). */
  limitA: [number | null, number | null, number | null];
  limitW: number | null;
  /** The part of the load Joule does not control: measured external load and offline stations at their fallback. */
  uncontrolledA: [number, number, number];
  uncontrolledW: number;
}

export type ConstraintName = 'L1' | 'L2' | 'L3' | 'W';
const CONSTRAINT_NAMES: readonly ConstraintName[] = ['L1', 'L2', 'L3', 'W'];

/** A group whose limit is broken by uncontrolled load alone: every session below it is paused, and it is still over. */
export interface OverloadWarning {
  kind: 'uncontrolled-load-over-limit';
  groupId: string;
  constraint: ConstraintName;
  limit: number;
  uncontrolled: number;
}

const finiteOrNull = (v: number): number | null => (v === Infinity ? null : v);

export function groupLoads(site: CompiledSite, ledger: CapacityLedger, uncontrolled: Float64Array): GroupLoad[] {
  return site.groups.map((g) => {
    const o = g.index * SLOTS_PER_GROUP;
    const u = ledger.used;
    const l = ledger.limits;
    return {
      groupId: g.id,
      currentA: [u[o]!, u[o + 1]!, u[o + 2]!],
      powerW: u[o + POWER_SLOT]!,
      limitA: [finiteOrNull(l[o]!), finiteOrNull(l[o + 1]!), finiteOrNull(l[o + 2]!)],
      limitW: finiteOrNull(l[o + POWER_SLOT]!),
      uncontrolledA: [uncontrolled[o]!, uncontrolled[o + 1]!, uncontrolled[o + 2]!],
      uncontrolledW: uncontrolled[o + POWER_SLOT]!,
    };
  });
}

export function overloadWarnings(site: CompiledSite, limits: Float64Array, uncontrolled: Float64Array): OverloadWarning[] {
  const warnings: OverloadWarning[] = [];
  for (const g of site.groups) {
    for (let k = 0; k < SLOTS_PER_GROUP; k++) {
      const c = g.index * SLOTS_PER_GROUP + k;
      if (uncontrolled[c]! > limits[c]! + 1e-9) {
        warnings.push({ kind: 'uncontrolled-load-over-limit', groupId: g.id, constraint: CONSTRAINT_NAMES[k]!, limit: limits[c]!, uncontrolled: uncontrolled[c]! });
      }
    }
  }
  return warnings;
}

/** External load plus offline fallbacks, propagated up the tree. */
export function uncontrolledUsage(site: CompiledSite): Float64Array {
  const u = Float64Array.from(site.externalUsage);
  for (let c = 0; c < u.length; c++) u[c] = u[c]! + site.offlineUsage[c]!;
  return u;
}
