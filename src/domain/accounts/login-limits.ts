/**
 * Rate limits on operator logins: attempts are counted per user name and per remote address, a fixed window each,
 * in the store (`LoginAttemptRepository`), so every worker and every node that shares the store counts against the
 * same limits. An attempt is counted before its password is checked, in one atomic write, and taken back when it
 * turns out not to be a failure (a success, a right password still waiting for its code, a disabled account): so
 * attempts racing on several processes cannot together get past a limit, and only failures use it up.
 */
import type { AttemptWindow, LoginAttemptRepository } from '../../store/ports.ts';

export interface LoginLimitSettings {
  /** Failed logins per user name within the window. */
  perUsername: number;
  /** Failed logins per remote address within the window. */
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimitSettings = { perUsername: 5, perAddress: 20, windowMs: 15 * 60_000 };

/** An attempt under way: counted, within the limits; its outcome decides whether it stays counted. */
export interface CountedAttempt {
  readonly keys: readonly string[];
  readonly windows: readonly AttemptWindow[];
}

export type AttemptAdmission = { ok: true; attempt: CountedAttempt } | { ok: false; retryAfterMs: number };

export class LoginLimits {
  private readonly attempts: LoginAttemptRepository;
  private readonly settings: LoginLimitSettings;
  private readonly now: () => number;
  private lastSweepMs = Number.NEGATIVE_INFINITY;

  constructor(attempts: LoginAttemptRepository, settings: LoginLimitSettings = DEFAULT_LOGIN_LIMITS, now: () => number = Date.now) {
    this.attempts = attempts;
    this.settings = settings;
    this.now = now;
  }

  /**
   * Counts an attempt of this user name from this address. Past either limit it is refused, with the time until
   * the window that is used up ends; the refused attempt stays counted (it is one more try within the window).
   */
  async admit(username: string, address: string): Promise<AttemptAdmission> {
    const now = this.now();
    const keys = [usernameKey(username), addressKey(address)];
    const [byUsername, byAddress] = await this.attempts.count(keys, now, this.settings.windowMs);
    this.sweepNowAndThen(now);
    if (byUsername === undefined || byAddress === undefined) throw new Error('login attempts: a key was not counted');
    // Within a limit while this attempt is at most the limit-th: `limit` failures are allowed per window.
    const usedUp = [
      ...(byUsername.attempts > this.settings.perUsername ? [byUsername] : []),
      ...(byAddress.attempts > this.settings.perAddress ? [byAddress] : []),
    ];
    if (usedUp.length > 0) {
      return { ok: false, retryAfterMs: Math.max(...usedUp.map((window) => window.startedAtMs + this.settings.windowMs - now)) };
    }
    return { ok: true, attempt: { keys, windows: [byUsername, byAddress] } };
  }

  /** The attempt was not a failure: it no longer counts against the limits. */
  async notAFailure(attempt: CountedAttempt): Promise<void> {
    await this.attempts.takeBack(attempt.keys, attempt.windows);
  }

  /** Deletes ended windows at most once per window length per process; a failure here only leaves rows for later. */
  private sweepNowAndThen(now: number): void {
    if (now - this.lastSweepMs < this.settings.windowMs) return;
    this.lastSweepMs = now;
    this.attempts.sweep(now, this.settings.windowMs).catch(() => {});
  }
}

function usernameKey(username: string): string {
  return `user:${username.trim().toLowerCase()}`;
}

function addressKey(address: string): string {
  return `address:${address}`;
}
