import type { StatementSync } from 'node:sqlite';
import type {
  DemandResponseEventRecord, ExternalLoadRecord, PricePointRecord, SiteSignalRepository, SiteTariffRecord,
} from '../ports.ts';
import { groupKey } from '../smart-charging-mappers.ts';
import { smartChargingRecords as records, toJson } from './columns.ts';
import type { SqliteDatabase } from './database.ts';

/** What the grid and the market say about a site: tariff, price points, demand-response events, external load. */
export class SqliteSiteSignalRepository implements SiteSignalRepository {
  readonly #db: SqliteDatabase;
  readonly #tariff: StatementSync;
  readonly #upsertTariff: StatementSync;
  readonly #deleteTariff: StatementSync;
  readonly #upsertPrice: StatementSync;
  readonly #prices: StatementSync;
  readonly #deletePricesBefore: StatementSync;
  readonly #deleteAllPrices: StatementSync;
  readonly #upsertEvent: StatementSync;
  readonly #event: StatementSync;
  readonly #events: StatementSync;
  readonly #eventsAfter: StatementSync;
  readonly #deleteEvent: StatementSync;
  readonly #upsertLoad: StatementSync;
  readonly #latestLoads: StatementSync;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#tariff = db.prepare('SELECT * FROM site_tariffs WHERE site_id = ?');
    this.#upsertTariff = db.prepare(`
      INSERT INTO site_tariffs (site_id, time_zone, default_price_per_kwh, periods, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (site_id) DO UPDATE SET time_zone = excluded.time_zone,
        default_price_per_kwh = excluded.default_price_per_kwh, periods = excluded.periods, updated_at = excluded.updated_at
      RETURNING *`);
    this.#deleteTariff = db.prepare('DELETE FROM site_tariffs WHERE site_id = ?');
    this.#upsertPrice = db.prepare(`
      INSERT INTO site_price_points (site_id, starts_at, ends_at, price_per_kwh) VALUES (?, ?, ?, ?)
      ON CONFLICT (site_id, starts_at) DO UPDATE SET ends_at = excluded.ends_at, price_per_kwh = excluded.price_per_kwh`);
    this.#prices = db.prepare(`SELECT * FROM site_price_points WHERE site_id = ? AND ends_at > ? AND starts_at < ?
      ORDER BY starts_at`);
    this.#deletePricesBefore = db.prepare('DELETE FROM site_price_points WHERE site_id = ? AND ends_at <= ?');
    this.#deleteAllPrices = db.prepare('DELETE FROM site_price_points WHERE site_id = ?');
    this.#upsertEvent = db.prepare(`
      INSERT INTO demand_response_events (id, site_id, group_id, max_power_w, max_current_a, starts_at, ends_at, label,
        created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET site_id = excluded.site_id, group_id = excluded.group_id,
        max_power_w = excluded.max_power_w, max_current_a = excluded.max_current_a, starts_at = excluded.starts_at,
        ends_at = excluded.ends_at, label = excluded.label
      RETURNING *`);
    this.#event = db.prepare('SELECT * FROM demand_response_events WHERE id = ?');
    this.#events = db.prepare('SELECT * FROM demand_response_events WHERE site_id = ? ORDER BY starts_at, id');
    this.#eventsAfter = db.prepare('SELECT * FROM demand_response_events WHERE site_id = ? AND ends_at > ? ORDER BY starts_at, id');
    this.#deleteEvent = db.prepare('DELETE FROM demand_response_events WHERE id = ?');
    this.#upsertLoad = db.prepare(`
      INSERT INTO external_loads (site_id, group_key, measured_at, power_w, current_a, received_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (site_id, group_key) DO UPDATE SET measured_at = excluded.measured_at, power_w = excluded.power_w,
        current_a = excluded.current_a, received_at = excluded.received_at
      WHERE excluded.measured_at >= external_loads.measured_at`);
    this.#latestLoads = db.prepare('SELECT * FROM external_loads WHERE site_id = ? ORDER BY group_key');
  }

  tariff(siteId: string): Promise<SiteTariffRecord | undefined> {
    return this.#db.read(() => {
      const row = this.#tariff.get(siteId);
      return row === undefined ? undefined : records.tariff(row);
    });
  }

  putTariff(tariff: Omit<SiteTariffRecord, 'updatedAt'>): Promise<SiteTariffRecord> {
    return this.#db.write(() => {
      const row = this.#upsertTariff.get(tariff.siteId, tariff.timeZone, tariff.defaultPricePerKWh,
        JSON.stringify(tariff.periods), new Date().toISOString());
      if (row === undefined) throw new Error('tariff upsert returned no row');
      return records.tariff(row);
    });
  }

  deleteTariff(siteId: string): Promise<boolean> {
    return this.#db.write(() => Number(this.#deleteTariff.run(siteId).changes) > 0);
  }

  putPricePoints(points: PricePointRecord[]): Promise<void> {
    return this.#db.write(() => {
      for (const p of points) this.#upsertPrice.run(p.siteId, p.start, p.end, p.pricePerKWh);
    }, Math.max(1, points.length));
  }

  pricePoints(siteId: string, from: string, to: string): Promise<PricePointRecord[]> {
    return this.#db.read(() => this.#prices.all(siteId, from, to).map(records.pricePoint));
  }

  deletePricePoints(siteId: string, before?: string): Promise<number> {
    return this.#db.write(() =>
      Number((before === undefined ? this.#deleteAllPrices.run(siteId) : this.#deletePricesBefore.run(siteId, before)).changes),
    );
  }

  putDemandResponseEvent(event: Omit<DemandResponseEventRecord, 'createdAt'>): Promise<DemandResponseEventRecord> {
    return this.#db.write(() => {
      const row = this.#upsertEvent.get(event.id, event.siteId, event.groupId, event.maxPowerW, toJson(event.maxCurrentA),
        event.from, event.to, event.label, new Date().toISOString());
      if (row === undefined) throw new Error('demand-response event upsert returned no row');
      return records.demandResponseEvent(row);
    });
  }

  demandResponseEvent(id: string): Promise<DemandResponseEventRecord | undefined> {
    return this.#db.read(() => {
      const row = this.#event.get(id);
      return row === undefined ? undefined : records.demandResponseEvent(row);
    });
  }

  demandResponseEvents(siteId: string, after?: string): Promise<DemandResponseEventRecord[]> {
    return this.#db.read(() =>
      (after === undefined ? this.#events.all(siteId) : this.#eventsAfter.all(siteId, after)).map(records.demandResponseEvent),
    );
  }

  deleteDemandResponseEvent(id: string): Promise<boolean> {
    return this.#db.write(() => Number(this.#deleteEvent.run(id).changes) > 0);
  }

  recordExternalLoad(reading: ExternalLoadRecord): Promise<void> {
    return this.#db.write(() => {
      this.#upsertLoad.run(reading.siteId, groupKey(reading.groupId), reading.at, reading.powerW, toJson(reading.currentA),
        reading.receivedAt);
    });
  }

  latestExternalLoads(siteId: string): Promise<ExternalLoadRecord[]> {
    return this.#db.read(() => this.#latestLoads.all(siteId).map(records.externalLoad));
  }
}
