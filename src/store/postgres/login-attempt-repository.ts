import type { AttemptWindow, LoginAttemptRepository } from '../ports.ts';
import { integer, text } from './columns.ts';
import type { PostgresDatabase } from './database.ts';

// $2 is now, $3 the window: a window that started at or before now - window has ended. The keys are inserted in
// sorted order, so that two logins counting the same keys lock their rows in the same order (no deadlock).
const COUNT = {
  name: 'joule_login_attempts_count',
  text: `INSERT INTO login_attempts (key, started_at_ms, attempts)
      SELECT key, $2::bigint, 1 FROM unnest($1::text[]) AS keys (key) ORDER BY key
    ON CONFLICT (key) DO UPDATE SET
      attempts = CASE WHEN login_attempts.started_at_ms <= $2::bigint - $3::bigint THEN 1 ELSE login_attempts.attempts + 1 END,
      started_at_ms = CASE WHEN login_attempts.started_at_ms <= $2::bigint - $3::bigint THEN $2::bigint
        ELSE login_attempts.started_at_ms END
    RETURNING key, started_at_ms, attempts`,
};
const TAKE_BACK = {
  name: 'joule_login_attempts_take_back',
  text: `UPDATE login_attempts SET attempts = login_attempts.attempts - 1
    FROM unnest($1::text[], $2::bigint[]) AS counted (key, started_at_ms)
    WHERE login_attempts.key = counted.key AND login_attempts.started_at_ms = counted.started_at_ms
      AND login_attempts.attempts > 0`,
};
const SWEEP = {
  name: 'joule_login_attempts_sweep',
  text: 'DELETE FROM login_attempts WHERE started_at_ms <= $1::bigint - $2::bigint AND starts_with(key, $3::text)',
};

/** Login attempts per key, one fixed window per row; counting every key of a call is one upsert statement. */
export class PostgresLoginAttemptRepository implements LoginAttemptRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async count(keys: readonly string[], nowMs: number, windowMs: number): Promise<AttemptWindow[]> {
    const unique = [...new Set(keys)];
    const { rows } = await this.#db.write(COUNT, [unique, Math.floor(nowMs), Math.ceil(windowMs)], unique.length);
    const byKey = new Map(rows.map((row) => [text(row, 'key'), { startedAtMs: integer(row, 'started_at_ms'), attempts: integer(row, 'attempts') }]));
    return keys.map((key) => {
      const window = byKey.get(key);
      if (window === undefined) throw new Error(`login attempts: no row came back for key ${key}`);
      return window;
    });
  }

  async takeBack(keys: readonly string[], windows: readonly AttemptWindow[]): Promise<void> {
    const count = Math.min(keys.length, windows.length);
    await this.#db.write(TAKE_BACK, [keys.slice(0, count), windows.slice(0, count).map((w) => w.startedAtMs)], count);
  }

  async sweep(nowMs: number, windowMs: number, keyPrefix = ''): Promise<number> {
    const { count } = await this.#db.write(SWEEP, [Math.floor(nowMs), Math.ceil(windowMs), keyPrefix]);
    return count;
  }
}
