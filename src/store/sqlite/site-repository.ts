import type { StatementSync } from 'node:sqlite';
import type {
  SiteGroupInput, SiteGroupRecord, SiteInput, SiteMemberInput, SiteMemberRecord, SiteRecord, SiteRepository,
} from '../ports.ts';
import { smartChargingRecords as records, toJson } from './columns.ts';
import type { SqliteDatabase } from './database.ts';

/** Sites, their groups and their EVSEs. `put*` replace every field but the creation time. */
export class SqliteSiteRepository implements SiteRepository {
  readonly #db: SqliteDatabase;
  readonly #select: StatementSync;
  readonly #selectAll: StatementSync;
  readonly #upsert: StatementSync;
  readonly #delete: StatementSync;
  readonly #groups: StatementSync;
  readonly #upsertGroup: StatementSync;
  readonly #deleteGroup: StatementSync;
  readonly #groupInUse: StatementSync;
  readonly #members: StatementSync;
  readonly #member: StatementSync;
  readonly #stationMembers: StatementSync;
  readonly #upsertMember: StatementSync;
  readonly #deleteMember: StatementSync;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#select = db.prepare('SELECT * FROM sites WHERE id = ?');
    this.#selectAll = db.prepare('SELECT * FROM sites ORDER BY id');
    this.#upsert = db.prepare(`
      INSERT INTO sites (id, name, policy, nominal_voltage_v, max_power_w, max_current_a, default_energy_wh,
        default_dwell_minutes, slot_seconds, horizon_hours, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, policy = excluded.policy,
        nominal_voltage_v = excluded.nominal_voltage_v, max_power_w = excluded.max_power_w,
        max_current_a = excluded.max_current_a, default_energy_wh = excluded.default_energy_wh,
        default_dwell_minutes = excluded.default_dwell_minutes, slot_seconds = excluded.slot_seconds,
        horizon_hours = excluded.horizon_hours, updated_at = excluded.updated_at
      RETURNING *`);
    this.#delete = db.prepare('DELETE FROM sites WHERE id = ?');
    this.#groups = db.prepare('SELECT * FROM site_groups WHERE site_id = ? ORDER BY id');
    this.#upsertGroup = db.prepare(`
      INSERT INTO site_groups (site_id, id, parent_id, name, max_power_w, max_current_a, nominal_voltage_v, created_at,
        updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (site_id, id) DO UPDATE SET parent_id = excluded.parent_id, name = excluded.name,
        max_power_w = excluded.max_power_w, max_current_a = excluded.max_current_a,
        nominal_voltage_v = excluded.nominal_voltage_v, updated_at = excluded.updated_at
      RETURNING *`);
    this.#deleteGroup = db.prepare('DELETE FROM site_groups WHERE site_id = ? AND id = ?');
    this.#groupInUse = db.prepare(`SELECT
      EXISTS (SELECT 1 FROM site_groups WHERE site_id = ?1 AND parent_id = ?2) AS children,
      EXISTS (SELECT 1 FROM site_members WHERE site_id = ?1 AND group_id = ?2) AS members`);
    this.#members = db.prepare('SELECT * FROM site_members WHERE site_id = ? ORDER BY station_id, evse_id');
    this.#member = db.prepare('SELECT * FROM site_members WHERE station_id = ? AND evse_id = ?');
    this.#stationMembers = db.prepare('SELECT * FROM site_members WHERE station_id = ? ORDER BY evse_id');
    this.#upsertMember = db.prepare(`
      INSERT INTO site_members (station_id, evse_id, site_id, group_id, phases, phase, phase_rotation, max_current_a,
        max_power_w, min_current_a, rate_unit, offline_fallback_a, priority, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (station_id, evse_id) DO UPDATE SET site_id = excluded.site_id, group_id = excluded.group_id,
        phases = excluded.phases, phase = excluded.phase, phase_rotation = excluded.phase_rotation,
        max_current_a = excluded.max_current_a, max_power_w = excluded.max_power_w,
        min_current_a = excluded.min_current_a, rate_unit = excluded.rate_unit,
        offline_fallback_a = excluded.offline_fallback_a, priority = excluded.priority, updated_at = excluded.updated_at
      RETURNING *`);
    this.#deleteMember = db.prepare('DELETE FROM site_members WHERE station_id = ? AND evse_id = ?');
  }

  get(id: string): Promise<SiteRecord | undefined> {
    return this.#db.read(() => {
      const row = this.#select.get(id);
      return row === undefined ? undefined : records.site(row);
    });
  }

  list(): Promise<SiteRecord[]> {
    return this.#db.read(() => this.#selectAll.all().map(records.site));
  }

  put(site: SiteInput): Promise<SiteRecord> {
    return this.#db.write(() => {
      const now = new Date().toISOString();
      const row = this.#upsert.get(site.id, site.name, site.policy, site.nominalVoltageV, site.maxPowerW, toJson(site.maxCurrentA),
        site.defaultEnergyWh, site.defaultDwellMinutes, site.slotSeconds, site.horizonHours, now, now);
      if (row === undefined) throw new Error('site upsert returned no row');
      return records.site(row);
    });
  }

  delete(id: string): Promise<boolean> {
    return this.#db.write(() => Number(this.#delete.run(id).changes) > 0);
  }

  groups(siteId: string): Promise<SiteGroupRecord[]> {
    return this.#db.read(() => this.#groups.all(siteId).map(records.group));
  }

  putGroup(group: SiteGroupInput): Promise<SiteGroupRecord> {
    return this.#db.write(() => {
      const now = new Date().toISOString();
      const row = this.#upsertGroup.get(group.siteId, group.id, group.parentId, group.name, group.maxPowerW,
        toJson(group.maxCurrentA), group.nominalVoltageV, now, now);
      if (row === undefined) throw new Error('site group upsert returned no row');
      return records.group(row);
    });
  }

  deleteGroup(siteId: string, id: string): Promise<boolean> {
    return this.#db.write(() => {
      const use = this.#groupInUse.get(siteId, id);
      if (use && (use.children !== 0 || use.members !== 0)) throw new Error(`group ${id} of site ${siteId} still has child groups or EVSEs`);
      return Number(this.#deleteGroup.run(siteId, id).changes) > 0;
    });
  }

  members(siteId: string): Promise<SiteMemberRecord[]> {
    return this.#db.read(() => this.#members.all(siteId).map(records.member));
  }

  memberOf(stationId: string, evseId: number): Promise<SiteMemberRecord | undefined> {
    return this.#db.read(() => {
      const row = this.#member.get(stationId, evseId);
      return row === undefined ? undefined : records.member(row);
    });
  }

  membersOfStation(stationId: string): Promise<SiteMemberRecord[]> {
    return this.#db.read(() => this.#stationMembers.all(stationId).map(records.member));
  }

  putMember(member: SiteMemberInput): Promise<SiteMemberRecord> {
    return this.#db.write(() => {
      const now = new Date().toISOString();
      const row = this.#upsertMember.get(member.stationId, member.evseId, member.siteId, member.groupId, member.phases,
        member.phase, member.phaseRotation, member.maxCurrentA, member.maxPowerW, member.minCurrentA, member.rateUnit,
        member.offlineFallbackA, member.priority, now, now);
      if (row === undefined) throw new Error('site member upsert returned no row');
      return records.member(row);
    });
  }

  deleteMember(stationId: string, evseId: number): Promise<boolean> {
    return this.#db.write(() => Number(this.#deleteMember.run(stationId, evseId).changes) > 0);
  }
}
