import type { PlannerLeaseRepository } from '../ports.ts';
import type { PostgresDatabase } from './database.ts';

const ACQUIRE = {
  name: 'joule_planner_leases_acquire',
  text: `INSERT INTO planner_leases (site_id, node_id, expires_at_ms) VALUES ($1, $2, $3::bigint + $4::bigint)
    ON CONFLICT (site_id) DO UPDATE SET node_id = excluded.node_id, expires_at_ms = excluded.expires_at_ms
    WHERE planner_leases.node_id = excluded.node_id OR planner_leases.expires_at_ms <= $3::bigint
    RETURNING node_id`,
};
const RELEASE = { name: 'joule_planner_leases_release', text: 'DELETE FROM planner_leases WHERE site_id = $1 AND node_id = $2' };

/** One row per site: the node planning it and until when. Taking it is one conditional upsert (atomic per row). */
export class PostgresPlannerLeaseRepository implements PlannerLeaseRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async acquire(siteId: string, nodeId: string, nowMs: number, ttlMs: number): Promise<boolean> {
    const { rows } = await this.#db.write(ACQUIRE, [siteId, nodeId, Math.floor(nowMs), Math.ceil(ttlMs)]);
    return rows.length > 0;
  }

  async release(siteId: string, nodeId: string): Promise<void> {
    await this.#db.write(RELEASE, [siteId, nodeId]);
  }
}
