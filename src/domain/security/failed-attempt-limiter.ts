import type { LoginAttemptRepository } from '../../store/ports.ts';

/**
 * Counts failed station authentications per remote address and holds an address back once it has failed too often
 * (issue 6: rate limits on station connection attempts). A fixed window per address: after `limit` failures within
 * `windowMs` of its first one, the address is answered 429 until that window ends, without a database read or a
 * scrypt check: the check before a connection reads only this process's memory.
 *
 * With `shared` (the store's attempt counters, as operator logins use: accounts/login-limits.ts) every failure is
 * also counted in the store, and the process that counts it learns the total of every process and node sharing the
 * store. So guesses spread over worker processes or nodes are held back too: a process that has not seen the address
 * fail yet lets one more guess through before it learns the total, at most `limit` + (processes - 1) per window.
 * Memory stays bounded: expired windows are swept, and past `maxAddresses` the oldest go first.
 */
export interface FailedAttemptLimits {
  /** Failures allowed per window. */
  limit: number;
  windowMs: number;
  /** Addresses tracked at most (a flood from many addresses cannot grow memory without end). */
  maxAddresses?: number;
}

export const STATION_AUTH_LIMITS: FailedAttemptLimits = { limit: 10, windowMs: 60_000 };

/** The store's keys of station addresses (operator logins use `user:` and `address:`). */
const SHARED_KEY_PREFIX = 'station-auth:';

interface Window {
  startedAt: number;
  failures: number;
}

export class FailedAttemptLimiter {
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;
  private readonly shared: LoginAttemptRepository | undefined;
  private readonly windows = new Map<string, Window>();
  private lastSharedSweep = Number.NEGATIVE_INFINITY;

  constructor(
    limits: FailedAttemptLimits = STATION_AUTH_LIMITS,
    options: { now?: () => number; shared?: LoginAttemptRepository | undefined } = {},
  ) {
    this.limit = limits.limit;
    this.windowMs = limits.windowMs;
    this.maxAddresses = limits.maxAddresses ?? 100_000;
    this.now = options.now ?? Date.now;
    this.shared = options.shared;
  }

  /** Milliseconds until `address` may try again; 0 when it may now. Reads this process's memory only. */
  retryAfterMs(address: string): number {
    const window = this.current(address);
    if (window === undefined || window.failures < this.limit) return 0;
    return window.startedAt + this.windowMs - this.now();
  }

  /**
   * Counts a failure; resolves true when this one used up the address's allowance (it is held back from now on).
   * With a shared count, a failure to reach the store leaves this process's own count (logged by the caller).
   */
  async recordFailure(address: string): Promise<boolean> {
    const window = this.countLocally(address);
    const usedUpHere = window.failures === this.limit;
    if (this.shared === undefined) return usedUpHere;
    const now = this.now();
    const [counted] = await this.shared.count([`${SHARED_KEY_PREFIX}${address}`], now, this.windowMs);
    this.sweepSharedNowAndThen(now);
    if (counted === undefined) return usedUpHere;
    // The store's window is everyone's: adopt it, with whichever count is higher.
    const current = this.current(address) ?? this.countLocally(address, 0);
    const before = current.failures;
    current.startedAt = counted.startedAtMs;
    current.failures = Math.max(current.failures, counted.attempts);
    return usedUpHere || (before < this.limit && current.failures >= this.limit);
  }

  /** This process's window for `address` after adding `failures` to it (opened now if there is none). */
  private countLocally(address: string, failures = 1): Window {
    let window = this.current(address);
    if (window === undefined) {
      if (this.windows.size >= this.maxAddresses) this.sweep();
      window = { startedAt: this.now(), failures: 0 };
      this.windows.set(address, window);
    }
    window.failures += failures;
    return window;
  }

  private current(address: string): Window | undefined {
    const window = this.windows.get(address);
    if (window !== undefined && this.now() - window.startedAt >= this.windowMs) {
      this.windows.delete(address);
      return undefined;
    }
    return window;
  }

  /** Drops expired windows, then (still full) the oldest ones: Map keeps insertion order. */
  private sweep(): void {
    const now = this.now();
    for (const [address, window] of this.windows) if (now - window.startedAt >= this.windowMs) this.windows.delete(address);
    for (const address of this.windows.keys()) {
      if (this.windows.size < this.maxAddresses) break;
      this.windows.delete(address);
    }
  }

  /** Deletes the store's ended station windows at most once per window length per process; a failure only leaves rows for later. */
  private sweepSharedNowAndThen(now: number): void {
    if (this.shared === undefined || now - this.lastSharedSweep < this.windowMs) return;
    this.lastSharedSweep = now;
    this.shared.sweep(now, this.windowMs, SHARED_KEY_PREFIX).catch(() => {});
  }
}
