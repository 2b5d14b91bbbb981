/** setTimeout's longest delay; a longer one would fire at once. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * The first whole multiple of `periodMs` since the epoch that comes after `afterMs`: when clock-aligned data is due.
 * Chain from the boundary just served, not from the clock: a timer may fire a millisecond before its boundary by
 * the wall clock (timers run on the monotonic clock), and the clock would then name that same boundary again.
 */
export function nextBoundary(afterMs: number, periodMs: number): number {
  return (Math.floor(afterMs / periodMs) + 1) * periodMs;
}

/**
 * The timers of one simulated station, cancelled together when it stops (no stray timer keeps the process alive).
 */
export class Timers {
  private readonly handles = new Set<NodeJS.Timeout>();

  /** Runs `fn` once after `ms` (at most about 24.8 days). */
  after(ms: number, fn: () => void): NodeJS.Timeout {
    const handle = setTimeout(() => {
      this.handles.delete(handle);
      fn();
    }, Math.min(Math.max(0, ms), MAX_DELAY_MS));
    this.handles.add(handle);
    return handle;
  }

  /** Runs `fn` every `ms` until cancelled. */
  every(ms: number, fn: () => void): NodeJS.Timeout {
    const handle = setInterval(fn, ms);
    this.handles.add(handle);
    return handle;
  }

  /** Resolves after `ms`; never resolves if the timers are cleared first (the waiting flow is abandoned). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  cancel(handle: NodeJS.Timeout | undefined): void {
    if (handle === undefined) return;
    clearTimeout(handle);
    this.handles.delete(handle);
  }

  clear(): void {
    for (const handle of this.handles) clearTimeout(handle);
    this.handles.clear();
  }
}

/**
 * One timer of a station that a new schedule replaces (the heartbeat, clock-aligned meter data): scheduling cancels
 * what the slot held.
 */
export class TimerSlot {
  private readonly timers: Timers;
  private handle: NodeJS.Timeout | undefined;

  constructor(timers: Timers) {
    this.timers = timers;
  }

  /** Runs `fn` once after `ms`, instead of what the slot held. */
  after(ms: number, fn: () => void): void {
    this.cancel();
    this.handle = this.timers.after(ms, fn);
  }

  /** Runs `fn` every `ms`, instead of what the slot held. */
  every(ms: number, fn: () => void): void {
    this.cancel();
    this.handle = this.timers.every(ms, fn);
  }

  cancel(): void {
    this.timers.cancel(this.handle);
    this.handle = undefined;
  }
}
