import type { StationEventRecord, StationEventRepository } from '../ports.ts';
import { jsonText, records, text } from './columns.ts';
import type { PostgresDatabase } from './database.ts';

const NEWEST_FIRST = 'ORDER BY timestamp DESC, id DESC';
const COLUMNS = 'station_id, type, payload, timestamp, received_at';

const INSERT = {
  name: 'joule_station_events_insert',
  text: `INSERT INTO station_events (${COLUMNS}) VALUES ($1, $2, $3::jsonb, $4, $5)`,
};
const SELECT_FOR_STATION = {
  name: 'joule_station_events_for_station',
  text: `SELECT ${COLUMNS} FROM station_events WHERE station_id = $1 ${NEWEST_FIRST} LIMIT $2`,
};
const SELECT_FOR_STATION_OF_TYPE = {
  name: 'joule_station_events_for_station_of_type',
  text: `SELECT ${COLUMNS} FROM station_events WHERE station_id = $1 AND type = $2 ${NEWEST_FIRST} LIMIT $3`,
};

/** The log of station-initiated notifications; the payload is jsonb. */
export class PostgresStationEventRepository implements StationEventRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async append(event: StationEventRecord): Promise<void> {
    await this.#db.write(INSERT, [
      event.stationId,
      event.type,
      jsonText(event.payload),
      event.timestamp,
      event.receivedAt,
    ]);
  }

  async list(stationId: string, type: string | undefined, limit: number): Promise<StationEventRecord[]> {
    const rows =
      type === undefined
        ? await this.#db.read(SELECT_FOR_STATION, [stationId, limit])
        : await this.#db.read(SELECT_FOR_STATION_OF_TYPE, [stationId, type, limit]);
    return rows.map(records.stationEvent);
  }
}

