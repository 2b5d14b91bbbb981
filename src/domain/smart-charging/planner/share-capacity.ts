/**
 * Dividing what a ledger has left among sessions, by the site's policy:
 *
 * 1. Minimum first. In policy order, each session gets its minimum current if every group above it can still carry
 *    it; otherwise it is paused (0 A) and the group that could not carry it is named. Later sessions may still fit
 *    (another feeder, another phase, a smaller minimum), so one paused session does not pause everyone behind it.
 * 2. The rest in rounds. Equal share: one round, max-min fair among all admitted sessions. Priority: one round per
 *    priority level, highest first, equal share within a level. First come first served: one round per session in
 *    arrival order, each taking what it can.
 *
 * Used for the instant allocation, for each slot of the immediate-charging baseline, and for sessions without a known
 * energy need in the optimiser.
 */
import type { CapacityLedger, LoadShape } from './capacity-ledger.ts';
import { fillEqually, type FillItem } from './water-fill.ts';
import type { SharingPolicy } from './site-model.ts';

export interface ShareItem {
  shape: LoadShape;
  minCurrentA: number;
  maxCurrentA: number;
  /** Only read under the `priority` policy. */
  priority: number;
  /** Rounds a per-phase current down to what will actually be sent (the station's unit, 0.1 steps). */
  quantise: (currentA: number) => number;
}

export interface ShareOutcome {
  /** Per item, the per-phase current granted (0 when paused). */
  currentA: Float64Array;
  /** Per item: -1 when charging; the index of the group that could not carry its minimum; -2 when its own maximum is below its minimum. */
  pausedBy: Int32Array;
  /** Per charging item: the group whose full limit kept it below its maximum, or -1. */
  heldBy: Int32Array;
}

export const PAUSED_BY_OWN_LIMIT = -2;

/** Slack for comparisons with limits after floating-point sums (in A). */
const TOLERANCE_A = 1e-9;

/** `items` must already be in the policy's order (see `comparePolicy`). */
export function shareCapacity(ledger: CapacityLedger, items: readonly ShareItem[], policy: SharingPolicy, groupCount: number): ShareOutcome {
  const n = items.length;
  const currentA = new Float64Array(n);
  const pausedBy = new Int32Array(n).fill(-1);
  const heldBy = new Int32Array(n).fill(-1);
  const admitted: number[] = [];

  for (let i = 0; i < n; i++) {
    const item = items[i]!;
    if (item.maxCurrentA < item.minCurrentA - TOLERANCE_A) {
      pausedBy[i] = PAUSED_BY_OWN_LIMIT;
      continue;
    }
    if (ledger.headroom(item.shape) < item.minCurrentA - TOLERANCE_A) {
      pausedBy[i] = ledger.bindingGroup(item.shape);
      continue;
    }
    ledger.add(item.shape, item.minCurrentA);
    currentA[i] = item.minCurrentA;
    admitted.push(i);
  }

  const fillRound = (round: number[]): void => {
    const fill: FillItem[] = round.map((i) => ({ shape: items[i]!.shape, from: currentA[i]!, to: items[i]!.maxCurrentA }));
    const { level, stoppedBy } = fillEqually(ledger, fill, groupCount);
    round.forEach((i, k) => {
      currentA[i] = level[k]!;
      heldBy[i] = stoppedBy[k]!;
    });
  };

  if (policy === 'equal-share') {
    fillRound(admitted);
  } else if (policy === 'first-come-first-served') {
    for (const i of admitted) fillRound([i]);
  } else {
    let start = 0;
    while (start < admitted.length) {
      let end = start + 1;
      while (end < admitted.length && items[admitted[end]!]!.priority === items[admitted[start]!]!.priority) end++;
      fillRound(admitted.slice(start, end));
      start = end;
    }
  }

  // What is sent is rounded down in the station's unit; give the ledger back the difference.
  for (const i of admitted) {
    const item = items[i]!;
    const sent = item.quantise(currentA[i]!);
    ledger.add(item.shape, sent - currentA[i]!);
    currentA[i] = sent;
  }
  return { currentA, pausedBy, heldBy };
}
