/**
 * Max-min fair ("equal share") division of the remaining capacity among a set of sessions: progressive filling.
 *
 * Every session i starts at its current level `from[i]` (already recorded in the ledger) and may rise to `to[i]`.
 * A common water level L rises; a session whose `from` is below L is at L; it stops when it reaches its `to`, or when
 * a constraint it loads (a group's phase current or total power) becomes full, at which point every session loading
 * that constraint stops too. The result is the classic max-min fair allocation under the tree's limits.
 *
 * Cost: events (a session joining or leaving, a constraint filling) come from two heaps, so a fill costs about
 * O(n x depth x log n) for n sessions, whatever the number of groups.
 */
import type { CapacityLedger, LoadShape } from './capacity-ledger.ts';
import { POWER_SLOT, SLOTS_PER_GROUP } from './compile-site.ts';

export interface FillItem {
  shape: LoadShape;
  /** Current per-phase current, already recorded in the ledger. */
  from: number;
  /** The most it may get. */
  to: number;
}

/** Relative tolerance for "this constraint is full" and for events at the same level. */
const EPS = 1e-9;

const WAITING = 0;
const RISING = 1;
const DONE = 2;

/** A binary min-heap of item indices keyed by `key[i]`. */
class MinHeap {
  readonly #items: number[] = [];
  readonly #key: Float64Array;
  constructor(key: Float64Array) {
    this.#key = key;
  }
  get size(): number {
    return this.#items.length;
  }
  peek(): number {
    return this.#items[0]!;
  }
  push(i: number): void {
    const a = this.#items;
    const key = this.#key;
    a.push(i);
    let j = a.length - 1;
    while (j > 0) {
      const parent = (j - 1) >> 1;
      if (key[a[parent]!]! <= key[i]!) break;
      a[j] = a[parent]!;
      j = parent;
    }
    a[j] = i;
  }
  pop(): number {
    const a = this.#items;
    const key = this.#key;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let j = 0;
      for (;;) {
        const l = 2 * j + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && key[a[r]!]! < key[a[l]!]! ? r : l;
        if (key[a[c]!]! >= key[last]!) break;
        a[j] = a[c]!;
        j = c;
      }
      a[j] = last;
    }
    return top;
  }
}

/** A min-heap of (level, constraint) pairs. Pairs go stale when a constraint's level changes; callers skip those. */
class LevelHeap {
  readonly #levels: number[] = [];
  readonly #ids: number[] = [];
  get size(): number {
    return this.#levels.length;
  }
  peekLevel(): number {
    return this.#levels[0]!;
  }
  peekId(): number {
    return this.#ids[0]!;
  }
  push(level: number, id: number): void {
    const lv = this.#levels;
    const ids = this.#ids;
    let j = lv.length;
    lv.push(level);
    ids.push(id);
    while (j > 0) {
      const parent = (j - 1) >> 1;
      if (lv[parent]! <= level) break;
      lv[j] = lv[parent]!;
      ids[j] = ids[parent]!;
      j = parent;
    }
    lv[j] = level;
    ids[j] = id;
  }
  pop(): void {
    const lv = this.#levels;
    const ids = this.#ids;
    const lastLevel = lv.pop()!;
    const lastId = ids.pop()!;
    if (lv.length === 0) return;
    let j = 0;
    for (;;) {
      const l = 2 * j + 1;
      if (l >= lv.length) break;
      const r = l + 1;
      const c = r < lv.length && lv[r]! < lv[l]! ? r : l;
      if (lv[c]! >= lastLevel) break;
      lv[j] = lv[c]!;
      ids[j] = ids[c]!;
      j = c;
    }
    lv[j] = lastLevel;
    ids[j] = lastId;
  }
}

export interface FillResult {
  /** Per item, its final per-phase current (never below its `from`, never above its `to`). */
  level: Float64Array;
  /** Per item, the group whose full limit stopped it, or -1 when it reached its `to` (or never rose). */
  stoppedBy: Int32Array;
}

/** Raises the items as equally as the ledger allows and records the result in the ledger. */
export function fillEqually(ledger: CapacityLedger, items: readonly FillItem[], groupCount: number): FillResult {
  const m = items.length;
  const level = new Float64Array(m);
  const stoppedBy = new Int32Array(m).fill(-1);
  if (m === 0) return { level, stoppedBy };
  if (m === 1) {
    // One session (first come first served gives each its own round): as much as the ledger and its maximum allow.
    const item = items[0]!;
    const room = ledger.headroom(item.shape);
    const raise = Math.max(0, Math.min(item.to - item.from, room));
    if (room < item.to - item.from) stoppedBy[0] = ledger.bindingGroup(item.shape);
    ledger.add(item.shape, raise);
    level[0] = item.from + raise;
    return { level, stoppedBy };
  }
  const limits = ledger.limits;
  const used = ledger.used;

  // Per group, the items below it (a linked list in flat arrays).
  const head = new Int32Array(groupCount).fill(-1);
  let entries = 0;
  for (const item of items) entries += item.shape.path.length;
  const entryItem = new Int32Array(entries);
  const entryNext = new Int32Array(entries);
  let e = 0;
  const from = new Float64Array(m);
  const to = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const item = items[i]!;
    from[i] = item.from;
    to[i] = Math.max(item.from, item.to);
    level[i] = item.from;
    const path = item.shape.path;
    for (let k = 0; k < path.length; k++) {
      const g = path[k]!;
      entryItem[e] = i;
      entryNext[e] = head[g]!;
      head[g] = e++;
    }
  }
  const rate = new Float64Array(groupCount * SLOTS_PER_GROUP);
  // The water level at which each constraint fills, as last computed; the heap finds the lowest.
  const fillLevel = new Float64Array(groupCount * SLOTS_PER_GROUP).fill(Infinity);
  const filling = new LevelHeap();
  const full = new Uint8Array(groupCount * SLOTS_PER_GROUP);
  const state = new Uint8Array(m);
  const joinOrder = Array.from({ length: m }, (_, i) => i).sort((a, b) => from[a]! - from[b]!);
  const leaving = new MinHeap(to);
  let joinPtr = 0;
  let L = -Infinity;

  // Constraints whose fill level changed since the heap last saw them; re-levelled once per event, not per session
  // (a thousand sessions joining at once change the site's constraint a thousand times).
  const dirty = new Int32Array(groupCount * SLOTS_PER_GROUP);
  const isDirty = new Uint8Array(groupCount * SLOTS_PER_GROUP);
  let dirtyCount = 0;
  const relevel = (c: number): void => {
    // Constraints without a limit never fill; they stay out of the heap.
    if (isDirty[c] || limits[c] === Infinity) return;
    isDirty[c] = 1;
    dirty[dirtyCount++] = c;
  };
  const flush = (): void => {
    for (let k = 0; k < dirtyCount; k++) {
      const c = dirty[k]!;
      isDirty[c] = 0;
      if (full[c]) continue;
      const r = rate[c]!;
      const at = r > EPS ? (limits[c]! - used[c]!) / r : Infinity;
      fillLevel[c] = at;
      if (at !== Infinity) filling.push(at, c);
    }
    dirtyCount = 0;
  };
  // used[c] + rate[c] * L is the usage of constraint c at water level L: a rising item's `from` is taken out of
  // used[] when it joins and its final level is put back when it stops.
  const shift = (i: number, base: number, sign: number): void => {
    const shape = items[i]!.shape;
    const path = shape.path;
    const phases = shape.phases;
    const w = shape.wattsPerAmp;
    for (let k = 0; k < path.length; k++) {
      const o = path[k]! * SLOTS_PER_GROUP;
      for (let p = 0; p < phases.length; p++) {
        const c = o + phases[p]!;
        used[c]! -= sign * base;
        rate[c]! += sign;
        relevel(c);
      }
      used[o + POWER_SLOT]! -= sign * base * w;
      rate[o + POWER_SLOT]! += sign * w;
      relevel(o + POWER_SLOT);
    }
  };
  /** The lowest level at which a constraint fills, dropping stale heap entries; Infinity when none will. */
  const lowestFill = (): number => {
    flush();
    while (filling.size > 0) {
      const c = filling.peekId();
      if (!full[c] && fillLevel[c] === filling.peekLevel()) return filling.peekLevel();
      filling.pop();
    }
    return Infinity;
  };
  const stop = (i: number, at: number): void => {
    state[i] = DONE;
    level[i] = at;
    shift(i, at, -1);
  };
  const loads = (i: number, c: number): boolean => {
    const k = c % SLOTS_PER_GROUP;
    return k === POWER_SLOT || items[i]!.shape.phases.includes(k);
  };
  const markFull = (c: number): void => {
    full[c] = 1;
    const group = (c - (c % SLOTS_PER_GROUP)) / SLOTS_PER_GROUP;
    for (let en = head[group]!; en !== -1; en = entryNext[en]!) {
      const i = entryItem[en]!;
      if (state[i] === DONE || !loads(i, c)) continue;
      stoppedBy[i] = group;
      if (state[i] === RISING) stop(i, Math.min(to[i]!, Math.max(L, from[i]!)));
      else state[i] = DONE; // waiting below a full constraint: stays at its `from`
    }
  };
  const blockedBy = (i: number): number => {
    const shape = items[i]!.shape;
    for (let k = 0; k < shape.path.length; k++) {
      const g = shape.path[k]!;
      const o = g * SLOTS_PER_GROUP;
      if (full[o + POWER_SLOT]) return g;
      for (const p of shape.phases) if (full[o + p]) return g;
    }
    return -1;
  };

  for (;;) {
    const nextJoin = joinPtr < m ? from[joinOrder[joinPtr]!]! : Infinity;
    const nextLeave = leaving.size > 0 ? to[leaving.peek()]! : Infinity;
    const nextFull = lowestFill();
    const next = Math.min(nextJoin, nextLeave, nextFull);
    if (next === Infinity) break;
    if (next > L) L = next;
    const tol = EPS * Math.max(1, Math.abs(L));

    // Every constraint that fills at this level (within tolerance) stops the items loading it.
    while (lowestFill() <= L + tol) {
      const c = filling.peekId();
      filling.pop();
      markFull(c);
    }
    while (leaving.size > 0) {
      const i = leaving.peek();
      if (state[i] !== RISING) {
        leaving.pop();
        continue;
      }
      if (to[i]! > L + tol) break;
      leaving.pop();
      stop(i, to[i]!);
    }
    while (joinPtr < m && from[joinOrder[joinPtr]!]! <= L + tol) {
      const i = joinOrder[joinPtr++]!;
      if (state[i] !== WAITING) continue;
      if (to[i]! <= from[i]!) {
        state[i] = DONE;
        continue;
      }
      const g = blockedBy(i);
      if (g !== -1) {
        state[i] = DONE;
        stoppedBy[i] = g;
        continue;
      }
      state[i] = RISING;
      shift(i, from[i]!, 1);
      leaving.push(i);
    }
  }
  // Every `to` is finite, so nothing is still rising here; were one unbounded and unlimited, it would stay put.
  for (let i = 0; i < m; i++) if (state[i] === RISING) stop(i, Number.isFinite(L) ? Math.max(L, from[i]!) : from[i]!);
  return { level, stoppedBy };
}
