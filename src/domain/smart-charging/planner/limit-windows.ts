/**
 * Limits that hold only for a time: peak-shaving windows, demand-response events ("the site goes down to X from T1 to
 * T2", e.g. from an OpenADR/OSCP adapter). Inside a window a group's limit is the lower of its static limit and the
 * window's. A window that covers any part of a time slot holds for the whole slot: a schedule's limit is constant
 * over a slot, so this is the only way to be under the window's limit for all of it.
 */
import { DomainError } from '../../errors.ts';
import { groupIndexOf, SLOTS_PER_GROUP, writeLimit, type CompiledSite } from './compile-site.ts';
import { parseTime } from './time-slots.ts';
import type { NodeLimit } from './site-model.ts';

export interface LimitWindow {
  /** The group it applies to; default the site root. */
  groupId?: string | undefined;
  /** ISO 8601 UTC; the window holds in [from, to). */
  from: string;
  to: string;
  limit: NodeLimit;
  /** Shown in reports, e.g. "DR event 4711" or "peak shaving". */
  label?: string | undefined;
}

export interface CompiledLimitWindow {
  group: number;
  fromMs: number;
  toMs: number;
  /** The four constraint values (L1, L2, L3 in A, total W); Infinity where the window says nothing. */
  values: Float64Array;
  label: string;
}

export function compileLimitWindows(site: CompiledSite, windows: readonly LimitWindow[] | undefined): CompiledLimitWindow[] {
  if (windows === undefined) return [];
  if (!Array.isArray(windows)) throw new DomainError('invalid', 'limitWindows must be an array');
  return windows.map((w, i) => {
    const where = `limitWindows[${i}]`;
    if (typeof w !== 'object' || w === null) throw new DomainError('invalid', `${where} must be an object`);
    const group = w.groupId === undefined ? 0 : groupIndexOf(site, w.groupId, where);
    const fromMs = parseTime(w.from, `${where}.from`);
    const toMs = parseTime(w.to, `${where}.to`);
    if (toMs <= fromMs) throw new DomainError('invalid', `${where}: "to" must be after "from"`);
    const values = new Float64Array(SLOTS_PER_GROUP);
    if (w.limit === undefined) throw new DomainError('invalid', `${where}.limit is required`);
    writeLimit(w.limit, `${where}.limit`, values, 0);
    return { group, fromMs, toMs, values, label: w.label ?? `window ${i}` };
  });
}

/**
 * Lowers `limits` (a copy of the site's) where a window overlaps [fromMs, toMs); returns the windows applied.
 * For an instant, pass toMs = fromMs + 1.
 */
export function applyLimitWindows(limits: Float64Array, windows: readonly CompiledLimitWindow[], fromMs: number, toMs: number): CompiledLimitWindow[] {
  const applied: CompiledLimitWindow[] = [];
  for (const w of windows) {
    if (w.fromMs >= toMs || w.toMs <= fromMs) continue;
    const o = w.group * SLOTS_PER_GROUP;
    for (let k = 0; k < SLOTS_PER_GROUP; k++) limits[o + k] = Math.min(limits[o + k]!, w.values[k]!);
    applied.push(w);
  }
  return applied;
}
