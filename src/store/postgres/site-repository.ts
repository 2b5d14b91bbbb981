import type {
  SiteGroupInput, SiteGroupRecord, SiteInput, SiteMemberInput, SiteMemberRecord, SiteRecord, SiteRepository,
} from '../ports.ts';
import { smartChargingRecords as records, toJson } from './columns.ts';
import type { PostgresDatabase } from './database.ts';

const SITE_COLUMNS = `id, name, policy, nominal_voltage_v, max_power_w, max_current_a, default_energy_wh,
  default_dwell_minutes, slot_seconds, horizon_hours, created_at, updated_at`;
const GROUP_COLUMNS = 'site_id, id, parent_id, name, max_power_w, max_current_a, nominal_voltage_v, created_at, updated_at';
const MEMBER_COLUMNS = `station_id, evse_id, site_id, group_id, phases, phase, phase_rotation, max_current_a, max_power_w,
  min_current_a, rate_unit, offline_fallback_a, priority, created_at, updated_at`;

const SELECT = { name: 'joule_sites_select', text: `SELECT ${SITE_COLUMNS} FROM sites WHERE id = $1` };
const SELECT_ALL = { name: 'joule_sites_select_all', text: `SELECT ${SITE_COLUMNS} FROM sites ORDER BY id` };
const UPSERT = {
  name: 'joule_sites_upsert',
  text: `INSERT INTO sites (${SITE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $11)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, policy = excluded.policy,
      nominal_voltage_v = excluded.nominal_voltage_v, max_power_w = excluded.max_power_w,
      max_current_a = excluded.max_current_a, default_energy_wh = excluded.default_energy_wh,
      default_dwell_minutes = excluded.default_dwell_minutes, slot_seconds = excluded.slot_seconds,
      horizon_hours = excluded.horizon_hours, updated_at = excluded.updated_at
    RETURNING ${SITE_COLUMNS}`,
};
const DELETE = { name: 'joule_sites_delete', text: 'DELETE FROM sites WHERE id = $1' };
const GROUPS = { name: 'joule_site_groups_select', text: `SELECT ${GROUP_COLUMNS} FROM site_groups WHERE site_id = $1 ORDER BY id` };
const UPSERT_GROUP = {
  name: 'joule_site_groups_upsert',
  text: `INSERT INTO site_groups (${GROUP_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $8)
    ON CONFLICT (site_id, id) DO UPDATE SET parent_id = excluded.parent_id, name = excluded.name,
      max_power_w = excluded.max_power_w, max_current_a = excluded.max_current_a,
      nominal_voltage_v = excluded.nominal_voltage_v, updated_at = excluded.updated_at
    RETURNING ${GROUP_COLUMNS}`,
};
const DELETE_GROUP = { name: 'joule_site_groups_delete', text: 'DELETE FROM site_groups WHERE site_id = $1 AND id = $2' };
const MEMBERS = {
  name: 'joule_site_members_of_site',
  text: `SELECT ${MEMBER_COLUMNS} FROM site_members WHERE site_id = $1 ORDER BY station_id, evse_id`,
};
const MEMBER = {
  name: 'joule_site_members_select',
  text: `SELECT ${MEMBER_COLUMNS} FROM site_members WHERE station_id = $1 AND evse_id = $2`,
};
const STATION_MEMBERS = {
  name: 'joule_site_members_of_station',
  text: `SELECT ${MEMBER_COLUMNS} FROM site_members WHERE station_id = $1 ORDER BY evse_id`,
};
const UPSERT_MEMBER = {
  name: 'joule_site_members_upsert',
  text: `INSERT INTO site_members (${MEMBER_COLUMNS})
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
    ON CONFLICT (station_id, evse_id) DO UPDATE SET site_id = excluded.site_id, group_id = excluded.group_id,
      phases = excluded.phases, phase = excluded.phase, phase_rotation = excluded.phase_rotation,
      max_current_a = excluded.max_current_a, max_power_w = excluded.max_power_w, min_current_a = excluded.min_current_a,
      rate_unit = excluded.rate_unit, offline_fallback_a = excluded.offline_fallback_a, priority = excluded.priority,
      updated_at = excluded.updated_at
    RETURNING ${MEMBER_COLUMNS}`,
};
const DELETE_MEMBER = { name: 'joule_site_members_delete', text: 'DELETE FROM site_members WHERE station_id = $1 AND evse_id = $2' };

const FOREIGN_KEY_VIOLATION = '23503';

/** Sites, their groups and their EVSEs. `put*` replace every field but the creation time. */
export class PostgresSiteRepository implements SiteRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async get(id: string): Promise<SiteRecord | undefined> {
    const [row] = await this.#db.read(SELECT, [id]);
    return row === undefined ? undefined : records.site(row);
  }

  async list(): Promise<SiteRecord[]> {
    return (await this.#db.read(SELECT_ALL, [])).map(records.site);
  }

  async put(site: SiteInput): Promise<SiteRecord> {
    const { rows: [row] } = await this.#db.write(UPSERT, [site.id, site.name, site.policy, site.nominalVoltageV, site.maxPowerW,
      toJson(site.maxCurrentA), site.defaultEnergyWh, site.defaultDwellMinutes, site.slotSeconds, site.horizonHours,
      new Date().toISOString()]);
    if (row === undefined) throw new Error('site upsert returned no row');
    return records.site(row);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.#db.write(DELETE, [id])).count > 0;
  }

  async groups(siteId: string): Promise<SiteGroupRecord[]> {
    return (await this.#db.read(GROUPS, [siteId])).map(records.group);
  }

  async putGroup(group: SiteGroupInput): Promise<SiteGroupRecord> {
    const { rows: [row] } = await this.#db.write(UPSERT_GROUP, [group.siteId, group.id, group.parentId, group.name,
      group.maxPowerW, toJson(group.maxCurrentA), group.nominalVoltageV, new Date().toISOString()]);
    if (row === undefined) throw new Error('site group upsert returned no row');
    return records.group(row);
  }

  async deleteGroup(siteId: string, id: string): Promise<boolean> {
    try {
      return (await this.#db.write(DELETE_GROUP, [siteId, id])).count > 0;
    } catch (error) {
      if ((error as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) {
        throw new Error(`group ${id} of site ${siteId} still has child groups or EVSEs`, { cause: error });
      }
      throw error;
    }
  }

  async members(siteId: string): Promise<SiteMemberRecord[]> {
    return (await this.#db.read(MEMBERS, [siteId])).map(records.member);
  }

  async memberOf(stationId: string, evseId: number): Promise<SiteMemberRecord | undefined> {
    const [row] = await this.#db.read(MEMBER, [stationId, evseId]);
    return row === undefined ? undefined : records.member(row);
  }

  async membersOfStation(stationId: string): Promise<SiteMemberRecord[]> {
    return (await this.#db.read(STATION_MEMBERS, [stationId])).map(records.member);
  }

  async putMember(member: SiteMemberInput): Promise<SiteMemberRecord> {
    const { rows: [row] } = await this.#db.write(UPSERT_MEMBER, [member.stationId, member.evseId, member.siteId,
      member.groupId, member.phases, member.phase, member.phaseRotation, member.maxCurrentA, member.maxPowerW,
      member.minCurrentA, member.rateUnit, member.offlineFallbackA, member.priority, new Date().toISOString()]);
    if (row === undefined) throw new Error('site member upsert returned no row');
    return records.member(row);
  }

  async deleteMember(stationId: string, evseId: number): Promise<boolean> {
    return (await this.#db.write(DELETE_MEMBER, [stationId, evseId])).count > 0;
  }
}
