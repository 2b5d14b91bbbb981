import type { StatementSync } from 'node:sqlite';
import type { AttemptWindow, LoginAttemptRepository } from '../ports.ts';
import { integer } from './columns.ts';
import type { SqliteDatabase } from './database.ts';

/**
 * Login attempts per key, one fixed window per row. Counting is one upsert per key that starts a new window when the
 * old one has ended, all keys of a call in one write of the group commit (so in one transaction); a key listed twice counts once.
 */
export class SqliteLoginAttemptRepository implements LoginAttemptRepository {
  readonly #db: SqliteDatabase;
  readonly #count: StatementSync;
  readonly #takeBack: StatementSync;
  readonly #sweep: StatementSync;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    // ?2 is now, ?3 the window: a window that started at or before now - window has ended.
    this.#count = db.prepare(`
      INSERT INTO login_attempts (key, started_at_ms, attempts) VALUES (?1, ?2, 1)
      ON CONFLICT (key) DO UPDATE SET
        attempts = CASE WHEN started_at_ms <= ?2 - ?3 THEN 1 ELSE attempts + 1 END,
        started_at_ms = CASE WHEN started_at_ms <= ?2 - ?3 THEN ?2 ELSE started_at_ms END
      RETURNING started_at_ms, attempts`);
    this.#takeBack = db.prepare(
      'UPDATE login_attempts SET attempts = attempts - 1 WHERE key = ? AND started_at_ms = ? AND attempts > 0');
    this.#sweep = db.prepare('DELETE FROM login_attempts WHERE started_at_ms <= ?1 - ?2 AND substr(key, 1, length(?3)) = ?3');
  }

  count(keys: readonly string[], nowMs: number, windowMs: number): Promise<AttemptWindow[]> {
    const now = Math.floor(nowMs);
    const window = Math.ceil(windowMs);
    const unique = [...new Set(keys)];
    return this.#db.write(() => {
      const byKey = new Map<string, AttemptWindow>();
      for (const key of unique) {
        const row = this.#count.get(key, now, window) ?? {};
        byKey.set(key, { startedAtMs: integer(row, 'started_at_ms'), attempts: integer(row, 'attempts') });
      }
      return keys.map((key) => byKey.get(key) as AttemptWindow);
    }, unique.length);
  }

  takeBack(keys: readonly string[], windows: readonly AttemptWindow[]): Promise<void> {
    return this.#db.write(() => {
      keys.forEach((key, index) => {
        const window = windows[index];
        if (window !== undefined) this.#takeBack.run(key, window.startedAtMs);
      });
    }, keys.length);
  }

  sweep(nowMs: number, windowMs: number, keyPrefix = ''): Promise<number> {
    return this.#db.write(() => Number(this.#sweep.run(Math.floor(nowMs), Math.ceil(windowMs), keyPrefix).changes));
  }
}
