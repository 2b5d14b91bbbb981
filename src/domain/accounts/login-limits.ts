/**
 * Rate limits on operator logins: failures are counted per user name and per remote address (a fixed window each);
 * while either is used up, a login is answered "too many attempts" before any password is checked. Counting is per
 * process: in a cluster each node counts its own, so the limits hold per node.
 */
import { FailedAttemptLimiter } from '../security/failed-attempt-limiter.ts';

export interface LoginLimitSettings {
  /** Failed logins per user name within the window. */
  perUsername: number;
  /** Failed logins per remote address within the window. */
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimitSettings = { perUsername: 5, perAddress: 20, windowMs: 15 * 60_000 };

export class LoginLimits {
  private readonly byUsername: FailedAttemptLimiter;
  private readonly byAddress: FailedAttemptLimiter;

  constructor(settings: LoginLimitSettings = DEFAULT_LOGIN_LIMITS, now: () => number = Date.now) {
    this.byUsername = new FailedAttemptLimiter({ limit: settings.perUsername, windowMs: settings.windowMs }, now);
    this.byAddress = new FailedAttemptLimiter({ limit: settings.perAddress, windowMs: settings.windowMs }, now);
  }

  /** Milliseconds until this user name from this address may try again; 0 when it may now. */
  retryAfterMs(username: string, address: string): number {
    return Math.max(this.byUsername.retryAfterMs(usernameKey(username)), this.byAddress.retryAfterMs(address));
  }

  recordFailure(username: string, address: string): void {
    this.byUsername.recordFailure(usernameKey(username));
    this.byAddress.recordFailure(address);
  }
}

function usernameKey(username: string): string {
  return username.trim().toLowerCase();
}
