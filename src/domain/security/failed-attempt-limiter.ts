/**
 * Counts failed station authentications per remote address, in this process's memory, and holds an address back once
 * it has failed too often (issue 6: rate limits on station connection attempts). A fixed window per address: after
 * `limit` failures within `windowMs` of its first one, the address is answered 429 until that window ends, without a
 * database read or a scrypt check. Memory stays bounded: expired windows are swept, and past `maxAddresses` the
 * oldest go first. (Operator logins are limited in the store instead, across processes: accounts/login-limits.ts.)
 */
export interface FailedAttemptLimits {
  /** Failures allowed per window. */
  limit: number;
  windowMs: number;
  /** Addresses tracked at most (a flood from many addresses cannot grow memory without end). */
  maxAddresses?: number;
}

export const STATION_AUTH_LIMITS: FailedAttemptLimits = { limit: 10, windowMs: 60_000 };

interface Window {
  startedAt: number;
  failures: number;
}

export class FailedAttemptLimiter {
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;
  private readonly windows = new Map<string, Window>();

  constructor(limits: FailedAttemptLimits = STATION_AUTH_LIMITS, now: () => number = Date.now) {
    this.limit = limits.limit;
    this.windowMs = limits.windowMs;
    this.maxAddresses = limits.maxAddresses ?? 100_000;
    this.now = now;
  }

  /** Milliseconds until `address` may try again; 0 when it may now. */
  retryAfterMs(address: string): number {
    const window = this.current(address);
    if (window === undefined || window.failures < this.limit) return 0;
    return window.startedAt + this.windowMs - this.now();
  }

  /** Counts a failure; true when this one used up the address's allowance (it is held back from now on). */
  recordFailure(address: string): boolean {
    let window = this.current(address);
    if (window === undefined) {
      if (this.windows.size >= this.maxAddresses) this.sweep();
      window = { startedAt: this.now(), failures: 0 };
      this.windows.set(address, window);
    }
    window.failures += 1;
    return window.failures === this.limit;
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
}
