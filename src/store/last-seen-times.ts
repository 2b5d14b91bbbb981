import { isLaterIso as isLater } from './iso-time.ts';

/**
 * Last-seen times of stations, kept in memory because they change on every message; the owner writes the dirty
 * ones to the database in batches. Times only move forward.
 */
export class LastSeenTimes {
  readonly #latest = new Map<string, string>();
  #dirty = new Set<string>();

  /** Records that `stationId` was seen at `at`, unless a later time is already known. */
  touch(stationId: string, at: string): void {
    const known = this.#latest.get(stationId);
    if (known !== undefined && !isLater(at, known)) return;
    this.#latest.set(stationId, at);
    this.#dirty.add(stationId);
  }

  /** The later of the stored time and the one in memory. */
  merge(stationId: string, stored: string | null): string | null {
    const inMemory = this.#latest.get(stationId);
    if (inMemory === undefined) return stored;
    return stored === null || isLater(inMemory, stored) ? inMemory : stored;
  }

  /** Stations whose time changed since it was last taken. */
  get dirtyCount(): number {
    return this.#dirty.size;
  }

  /**
   * Up to `limit` of the times changed since they were last taken (the longest dirty first), as `[stationId, at]`
   * pairs; they count as clean from now on.
   */
  takeDirty(limit = Number.POSITIVE_INFINITY): [string, string][] {
    const times: [string, string][] = [];
    let taken = 0;
    for (const stationId of this.#dirty) {
      if (taken >= limit) break;
      taken += 1;
      this.#dirty.delete(stationId);
      const at = this.#latest.get(stationId);
      if (at !== undefined) times.push([stationId, at]);
    }
    return times;
  }

  /** Marks times as dirty again, after a failed write. */
  markDirty(stationIds: Iterable<string>): void {
    for (const stationId of stationIds) this.#dirty.add(stationId);
  }
}
