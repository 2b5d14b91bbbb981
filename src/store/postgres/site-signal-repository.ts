import type {
  DemandResponseEventRecord, ExternalLoadRecord, PricePointRecord, SiteSignalRepository, SiteTariffRecord,
} from '../ports.ts';
import { groupKey } from '../smart-charging-mappers.ts';
import { jsonText, smartChargingRecords as records, toJson } from './columns.ts';
import type { PostgresDatabase } from './database.ts';

const TARIFF_COLUMNS = 'site_id, time_zone, default_price_per_kwh, periods, updated_at';
const EVENT_COLUMNS = 'id, site_id, group_id, max_power_w, max_current_a, starts_at, ends_at, label, created_at';
const LOAD_COLUMNS = 'site_id, group_key, measured_at, power_w, current_a, received_at';

const TARIFF = { name: 'joule_site_tariffs_select', text: `SELECT ${TARIFF_COLUMNS} FROM site_tariffs WHERE site_id = $1` };
const UPSERT_TARIFF = {
  name: 'joule_site_tariffs_upsert',
  text: `INSERT INTO site_tariffs (${TARIFF_COLUMNS}) VALUES ($1, $2, $3, $4::jsonb, $5)
    ON CONFLICT (site_id) DO UPDATE SET time_zone = excluded.time_zone,
      default_price_per_kwh = excluded.default_price_per_kwh, periods = excluded.periods, updated_at = excluded.updated_at
    RETURNING ${TARIFF_COLUMNS}`,
};
const DELETE_TARIFF = { name: 'joule_site_tariffs_delete', text: 'DELETE FROM site_tariffs WHERE site_id = $1' };
/** Many points in one statement; a repeated start within the batch keeps the last. */
const UPSERT_PRICES = {
  name: 'joule_site_price_points_upsert',
  text: `INSERT INTO site_price_points (site_id, starts_at, ends_at, price_per_kwh)
    SELECT DISTINCT ON (site_id, starts_at) site_id, starts_at, ends_at, price_per_kwh
    FROM unnest($1::text[], $2::text[], $3::text[], $4::double precision[]) WITH ORDINALITY
      AS p (site_id, starts_at, ends_at, price_per_kwh, n)
    ORDER BY site_id, starts_at, n DESC
    ON CONFLICT (site_id, starts_at) DO UPDATE SET ends_at = excluded.ends_at, price_per_kwh = excluded.price_per_kwh`,
};
const PRICES = {
  name: 'joule_site_price_points_select',
  text: `SELECT site_id, starts_at, ends_at, price_per_kwh FROM site_price_points
    WHERE site_id = $1 AND ends_at > $2 AND starts_at < $3 ORDER BY starts_at`,
};
const DELETE_PRICES_BEFORE = {
  name: 'joule_site_price_points_delete_before',
  text: 'DELETE FROM site_price_points WHERE site_id = $1 AND ends_at <= $2',
};
const DELETE_ALL_PRICES = { name: 'joule_site_price_points_delete_all', text: 'DELETE FROM site_price_points WHERE site_id = $1' };
const UPSERT_EVENT = {
  name: 'joule_demand_response_events_upsert',
  text: `INSERT INTO demand_response_events (${EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9)
    ON CONFLICT (id) DO UPDATE SET site_id = excluded.site_id, group_id = excluded.group_id,
      max_power_w = excluded.max_power_w, max_current_a = excluded.max_current_a, starts_at = excluded.starts_at,
      ends_at = excluded.ends_at, label = excluded.label
    RETURNING ${EVENT_COLUMNS}`,
};
const EVENT = { name: 'joule_demand_response_events_select', text: `SELECT ${EVENT_COLUMNS} FROM demand_response_events WHERE id = $1` };
const EVENTS = {
  name: 'joule_demand_response_events_of_site',
  text: `SELECT ${EVENT_COLUMNS} FROM demand_response_events WHERE site_id = $1 ORDER BY starts_at, id`,
};
const EVENTS_AFTER = {
  name: 'joule_demand_response_events_of_site_after',
  text: `SELECT ${EVENT_COLUMNS} FROM demand_response_events WHERE site_id = $1 AND ends_at > $2 ORDER BY starts_at, id`,
};
const DELETE_EVENT = { name: 'joule_demand_response_events_delete', text: 'DELETE FROM demand_response_events WHERE id = $1' };
const UPSERT_LOAD = {
  name: 'joule_external_loads_upsert',
  text: `INSERT INTO external_loads (${LOAD_COLUMNS}) VALUES ($1, $2, $3, $4, $5::jsonb, $6)
    ON CONFLICT (site_id, group_key) DO UPDATE SET measured_at = excluded.measured_at, power_w = excluded.power_w,
      current_a = excluded.current_a, received_at = excluded.received_at
    WHERE excluded.measured_at >= external_loads.measured_at`,
};
const LOADS = {
  name: 'joule_external_loads_of_site',
  text: `SELECT ${LOAD_COLUMNS} FROM external_loads WHERE site_id = $1 ORDER BY group_key`,
};

/** What the grid and the market say about a site: tariff, price points, demand-response events, external load. */
export class PostgresSiteSignalRepository implements SiteSignalRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async tariff(siteId: string): Promise<SiteTariffRecord | undefined> {
    const [row] = await this.#db.read(TARIFF, [siteId]);
    return row === undefined ? undefined : records.tariff(row);
  }

  async putTariff(tariff: Omit<SiteTariffRecord, 'updatedAt'>): Promise<SiteTariffRecord> {
    const { rows: [row] } = await this.#db.write(UPSERT_TARIFF, [tariff.siteId, tariff.timeZone, tariff.defaultPricePerKWh,
      jsonText(tariff.periods), new Date().toISOString()]);
    if (row === undefined) throw new Error('tariff upsert returned no row');
    return records.tariff(row);
  }

  async deleteTariff(siteId: string): Promise<boolean> {
    return (await this.#db.write(DELETE_TARIFF, [siteId])).count > 0;
  }

  async putPricePoints(points: PricePointRecord[]): Promise<void> {
    if (points.length === 0) return;
    await this.#db.write(UPSERT_PRICES, [
      points.map((p) => p.siteId), points.map((p) => p.start), points.map((p) => p.end), points.map((p) => p.pricePerKWh),
    ], points.length);
  }

  async pricePoints(siteId: string, from: string, to: string): Promise<PricePointRecord[]> {
    return (await this.#db.read(PRICES, [siteId, from, to])).map(records.pricePoint);
  }

  async deletePricePoints(siteId: string, before?: string): Promise<number> {
    const result = before === undefined
      ? await this.#db.write(DELETE_ALL_PRICES, [siteId])
      : await this.#db.write(DELETE_PRICES_BEFORE, [siteId, before]);
    return result.count;
  }

  async putDemandResponseEvent(event: Omit<DemandResponseEventRecord, 'createdAt'>): Promise<DemandResponseEventRecord> {
    const { rows: [row] } = await this.#db.write(UPSERT_EVENT, [event.id, event.siteId, event.groupId, event.maxPowerW,
      toJson(event.maxCurrentA), event.from, event.to, event.label, new Date().toISOString()]);
    if (row === undefined) throw new Error('demand-response event upsert returned no row');
    return records.demandResponseEvent(row);
  }

  async demandResponseEvent(id: string): Promise<DemandResponseEventRecord | undefined> {
    const [row] = await this.#db.read(EVENT, [id]);
    return row === undefined ? undefined : records.demandResponseEvent(row);
  }

  async demandResponseEvents(siteId: string, after?: string): Promise<DemandResponseEventRecord[]> {
    const rows = after === undefined ? await this.#db.read(EVENTS, [siteId]) : await this.#db.read(EVENTS_AFTER, [siteId, after]);
    return rows.map(records.demandResponseEvent);
  }

  async deleteDemandResponseEvent(id: string): Promise<boolean> {
    return (await this.#db.write(DELETE_EVENT, [id])).count > 0;
  }

  async recordExternalLoad(reading: ExternalLoadRecord): Promise<void> {
    await this.#db.write(UPSERT_LOAD, [reading.siteId, groupKey(reading.groupId), reading.at, reading.powerW,
      toJson(reading.currentA), reading.receivedAt]);
  }

  async latestExternalLoads(siteId: string): Promise<ExternalLoadRecord[]> {
    return (await this.#db.read(LOADS, [siteId])).map(records.externalLoad);
  }
}
