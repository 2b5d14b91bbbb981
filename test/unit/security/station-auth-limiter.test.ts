import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FailedAttemptLimiter } from '../../../src/domain/security/failed-attempt-limiter.ts';
import type { Store } from '../../../src/store/ports.ts';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const LIMITS = { limit: 10, windowMs: 60_000 };

describe('station authentication limits (issue 6), per remote address', () => {
  let store: Store;
  let now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const clock = (): number => now;
  before(async () => {
    store = await openSqliteStore({ file: ':memory:' });
  });
  after(async () => {
    await store.close();
  });

  it('holds an address back after 10 failures within a minute, in one process, until the window ends', async () => {
    const limiter = new FailedAttemptLimiter(LIMITS, { now: clock });
    const used: boolean[] = [];
    for (let failure = 1; failure <= 10; failure += 1) {
      assert.equal(limiter.retryAfterMs('10.0.0.1'), 0, `before failure ${failure}`);
      used.push(await limiter.recordFailure('10.0.0.1'));
    }
    assert.deepEqual(used.map((u, i) => (u ? i + 1 : 0)).filter(Boolean), [10], 'the tenth failure uses the allowance up');
    assert.equal(limiter.retryAfterMs('10.0.0.1'), 60_000);
    assert.equal(limiter.retryAfterMs('10.0.0.2'), 0, 'other addresses are not held back');
    now += 59_999;
    assert.equal(limiter.retryAfterMs('10.0.0.1'), 1);
    now += 1;
    assert.equal(limiter.retryAfterMs('10.0.0.1'), 0, 'the window has ended');
  });

  it('with the store shared, guesses spread over processes are held back: at most 10 + (processes - 1) per window', async () => {
    // Three "processes" (workers or nodes) sharing one store; each checks only its own memory before a connection.
    const processes = [0, 1, 2].map(() => new FailedAttemptLimiter(LIMITS, { now: clock, shared: store.loginAttempts }));
    let allowed = 0;
    for (let guess = 0; guess < 30; guess += 1) {
      const process = processes[guess % 3] as FailedAttemptLimiter;
      if (process.retryAfterMs('10.9.9.9') > 0) continue;
      allowed += 1;
      await process.recordFailure('10.9.9.9');
    }
    assert.ok(allowed <= 10 + 2, `${allowed} guesses got through`);
    assert.ok(allowed >= 10, `${allowed} guesses: the limit is per window, not lower`);
    for (const process of processes) assert.ok(process.retryAfterMs('10.9.9.9') > 0, 'every process holds the address back');
    const alone = new FailedAttemptLimiter(LIMITS, { now: clock });
    let unshared = 0;
    for (let guess = 0; guess < 30; guess += 1) {
      const process = guess % 3 === 0 ? alone : undefined;
      if (process && process.retryAfterMs('10.8.8.8') === 0) {
        unshared += 1;
        await process.recordFailure('10.8.8.8');
      }
    }
    assert.equal(unshared, 10, 'one process alone allows its 10');
  });

  it('a process that never saw the address fail learns the total at its first failure', async () => {
    const [a, b] = [0, 1].map(() => new FailedAttemptLimiter(LIMITS, { now: clock, shared: store.loginAttempts })) as [FailedAttemptLimiter, FailedAttemptLimiter];
    for (let failure = 0; failure < 10; failure += 1) await a.recordFailure('10.7.7.7');
    assert.ok(a.retryAfterMs('10.7.7.7') > 0);
    assert.equal(b.retryAfterMs('10.7.7.7'), 0, 'b has not heard of it yet');
    assert.equal(await b.recordFailure('10.7.7.7'), true, 'its first failure there is past the shared limit');
    assert.equal(b.retryAfterMs('10.7.7.7'), 60_000, 'held back until the shared window (started by a) ends');
  });

  it('counts in this process when the store cannot be reached, and says so', async () => {
    const broken = await openSqliteStore({ file: ':memory:' });
    await broken.close();
    const limiter = new FailedAttemptLimiter({ limit: 2, windowMs: 60_000 }, { now: clock, shared: broken.loginAttempts });
    await assert.rejects(limiter.recordFailure('10.6.6.6'));
    await assert.rejects(limiter.recordFailure('10.6.6.6'));
    assert.ok(limiter.retryAfterMs('10.6.6.6') > 0, 'held back on the local count');
  });
});
