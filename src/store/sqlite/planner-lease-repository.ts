import type { StatementSync } from 'node:sqlite';
import type { PlannerLeaseRepository } from '../ports.ts';
import type { SqliteDatabase } from './database.ts';

/** One row per site: the node planning it and until when. Taking it is one conditional upsert. */
export class SqlitePlannerLeaseRepository implements PlannerLeaseRepository {
  readonly #db: SqliteDatabase;
  readonly #acquire: StatementSync;
  readonly #release: StatementSync;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#acquire = db.prepare(`
      INSERT INTO planner_leases (site_id, node_id, expires_at_ms) VALUES (?1, ?2, ?3 + ?4)
      ON CONFLICT (site_id) DO UPDATE SET node_id = excluded.node_id, expires_at_ms = excluded.expires_at_ms
      WHERE planner_leases.node_id = excluded.node_id OR planner_leases.expires_at_ms <= ?3
      RETURNING node_id`);
    this.#release = db.prepare('DELETE FROM planner_leases WHERE site_id = ? AND node_id = ?');
  }

  acquire(siteId: string, nodeId: string, nowMs: number, ttlMs: number): Promise<boolean> {
    return this.#db.write(() => this.#acquire.get(siteId, nodeId, Math.floor(nowMs), Math.ceil(ttlMs)) !== undefined);
  }

  release(siteId: string, nodeId: string): Promise<void> {
    return this.#db.write(() => {
      this.#release.run(siteId, nodeId);
    });
  }
}
