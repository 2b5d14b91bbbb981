import type { CommandRecord, CommandRepository } from '../ports.ts';
import { jsonText, records, text, toJson } from './columns.ts';
import type { PostgresDatabase } from './database.ts';
import { POSTGRES_STATION_LIST } from '../station-list-sql.ts';

const NEWEST_FIRST = 'ORDER BY created_at DESC, seq DESC';
const COLUMNS = 'id, station_id, action, request, actor, origin, status, response, error, created_at, completed_at';

const INSERT = {
  name: 'joule_commands_insert',
  text: `INSERT INTO commands (${COLUMNS}) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11)`,
};
const COMPLETE = {
  name: 'joule_commands_complete',
  text: 'UPDATE commands SET status = $1, response = $2::jsonb, error = $3::jsonb, completed_at = $4 WHERE id = $5',
};
const SELECT = { name: 'joule_commands_select', text: `SELECT ${COLUMNS} FROM commands WHERE id = $1` };
const SELECT_RECENT = { name: 'joule_commands_recent', text: `SELECT ${COLUMNS} FROM commands ${NEWEST_FIRST} LIMIT $1` };
const SELECT_RECENT_FOR_STATIONS = {
  name: 'joule_commands_recent_for_stations',
  text: `SELECT ${COLUMNS} FROM commands WHERE ${POSTGRES_STATION_LIST.condition('station_id', '$1')} ${NEWEST_FIRST} LIMIT $2`,
};
const SELECT_RECENT_FOR_STATION = {
  name: 'joule_commands_recent_for_station',
  text: `SELECT ${COLUMNS} FROM commands WHERE station_id = $1 ${NEWEST_FIRST} LIMIT $2`,
};

/** Operator commands sent to stations and their outcomes; request, response and error are jsonb. */
export class PostgresCommandRepository implements CommandRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async create(record: CommandRecord): Promise<void> {
    await this.#db.write(INSERT, [
      record.id,
      record.stationId,
      record.action,
      jsonText(record.request),
      record.actor,
      record.origin,
      record.status,
      toJson(record.response),
      toJson(record.error),
      record.createdAt,
      record.completedAt,
    ]);
  }

  async complete(id: string, outcome: Pick<CommandRecord, 'status' | 'response' | 'error' | 'completedAt'>): Promise<void> {
    await this.#db.write(COMPLETE, [outcome.status, toJson(outcome.response), toJson(outcome.error), outcome.completedAt, id]);
  }

  async get(id: string): Promise<CommandRecord | undefined> {
    const [row] = await this.#db.read(SELECT, [id]);
    return row === undefined ? undefined : records.command(row);
  }

  async list(stationId: string | undefined, limit: number, stationIds?: readonly string[]): Promise<CommandRecord[]> {
    if (stationId !== undefined && stationIds !== undefined && !stationIds.includes(stationId)) return [];
    const rows = stationId !== undefined
      ? await this.#db.read(SELECT_RECENT_FOR_STATION, [stationId, limit])
      : stationIds !== undefined
        ? await this.#db.read(SELECT_RECENT_FOR_STATIONS, [POSTGRES_STATION_LIST.value(stationIds), limit])
        : await this.#db.read(SELECT_RECENT, [limit]);
    return rows.map(records.command);
  }
}

