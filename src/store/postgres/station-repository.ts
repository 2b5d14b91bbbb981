import type {
  BootInfo,
  ConfigurationKeyRecord,
  ConnectorStatusRecord,
  PasswordRotationRecord,
  RegistrationStatus,
  StationForConnection,
  StationPasswordHashes,
  StationRecord,
  StationRegistration,
  StationRepository,
} from '../ports.ts';
import {
  bootValues,
  givenRegistrationColumns,
  recordBootSql,
  registerSql,
  PASSWORD_ROTATION_COLUMNS,
  registrationValues,
  selectForConnectionSql,
  STATION_COLUMNS,
} from '../station-columns.ts';
import { LastSeenTimes } from '../last-seen-times.ts';
import { type Row, boolean, records, text } from './columns.ts';
import type { PostgresDatabase, Statement } from './database.ts';


const RECORD_BOOT = { name: 'joule_stations_record_boot', text: recordBootSql((n) => `$${n}`) };
const SELECT_STATION = { name: 'joule_stations_select', text: `SELECT ${STATION_COLUMNS} FROM stations WHERE id = $1` };
const SELECT_STATIONS = { name: 'joule_stations_select_all', text: `SELECT ${STATION_COLUMNS} FROM stations ORDER BY id` };
/** Writes last-seen times in one statement; a time never goes back (another Joule process may have written a later one). */
const UPDATE_LAST_SEEN = {
  name: 'joule_stations_update_last_seen',
  text: `UPDATE stations AS s SET last_seen = v.at
    FROM unnest($1::text[], $2::text[]) AS v(id, at)
    WHERE s.id = v.id AND (s.last_seen IS NULL OR s.last_seen < v.at)`,
};

const CONNECTOR_STATUS_COLUMNS = `station_id, evse_id, connector_id, status, error_code, info, vendor_id,
  vendor_error_code, timestamp, received_at`;
/** The current status (upsert) and its history row, in one statement. */
const RECORD_STATUS = {
  name: 'joule_connector_status_record',
  text: `WITH current AS (
      INSERT INTO connector_status (${CONNECTOR_STATUS_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
      ON CONFLICT (station_id, evse_id, connector_id) DO UPDATE SET status = excluded.status,
        error_code = excluded.error_code, info = excluded.info, vendor_id = excluded.vendor_id,
        vendor_error_code = excluded.vendor_error_code, timestamp = excluded.timestamp,
        received_at = excluded.received_at
    )
    INSERT INTO connector_status_history (${CONNECTOR_STATUS_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
};
const SELECT_CONNECTORS = {
  name: 'joule_connector_status_select',
  text: `SELECT ${CONNECTOR_STATUS_COLUMNS} FROM connector_status WHERE station_id = $1 ORDER BY evse_id, connector_id`,
};
const SELECT_STATUS_HISTORY = {
  name: 'joule_connector_status_history',
  text: `SELECT ${CONNECTOR_STATUS_COLUMNS} FROM connector_status_history
    WHERE station_id = $1 ORDER BY timestamp DESC, id DESC LIMIT $2`,
};
const SELECT_CONFIGURATION = {
  name: 'joule_configuration_select',
  text: 'SELECT station_id, key, value, readonly, updated_at FROM configuration_keys WHERE station_id = $1 ORDER BY key',
};
const UPSERT_CONFIGURATION = {
  name: 'joule_configuration_upsert',
  text: `INSERT INTO configuration_keys (station_id, key, value, readonly, updated_at)
    SELECT $1, k.key, k.value, k.readonly, $2 FROM unnest($3::text[], $4::text[], $5::boolean[]) AS k(key, value, readonly)
    ON CONFLICT (station_id, key) DO UPDATE SET value = excluded.value, readonly = excluded.readonly,
      updated_at = excluded.updated_at`,
};

const UPDATE_PASSWORD_HASHES = {
  name: 'joule_stations_update_password_hashes',
  text: 'UPDATE stations SET authorization_key_hash = $2, basic_auth_password_hash = $3, updated_at = $4 WHERE id = $1',
};
const SELECT_FOR_CONNECTION = { name: 'joule_stations_select_for_connection', text: selectForConnectionSql('$1') };

const SELECT_PASSWORD_ROTATION = {
  name: 'joule_stations_select_password_rotation',
  text: `SELECT ${PASSWORD_ROTATION_COLUMNS} FROM stations WHERE id = $1`,
};
const UPDATE_PASSWORD_ROTATION = {
  name: 'joule_stations_update_password_rotation',
  text: `UPDATE stations SET pending_authorization_key_hash = $2, pending_basic_auth_password_hash = $3,
    password_rotation_status = $4, password_rotation_requested_at = $5, password_rotation_updated_at = $6,
    password_rotation_detail = $7 WHERE id = $1`,
};
/** The pending password becomes the current one, in one statement (a concurrent rotation cannot interleave). */
const PROMOTE_PENDING_PASSWORD = {
  name: 'joule_stations_promote_pending_password',
  text: `UPDATE stations SET authorization_key_hash = pending_authorization_key_hash,
    basic_auth_password_hash = pending_basic_auth_password_hash, pending_authorization_key_hash = NULL,
    pending_basic_auth_password_hash = NULL, password_rotation_status = 'completed', password_rotation_detail = NULL,
    password_rotation_updated_at = $2, updated_at = $2
    WHERE id = $1 AND (pending_authorization_key_hash IS NOT NULL OR pending_basic_auth_password_hash IS NOT NULL)`,
};

/**
 * Stations on PostgreSQL: the station row, current connector status with its history, and configuration keys.
 * Each change is one statement (upserts), so concurrent writers, in this process or another, never lose each other's
 * fields. `touch` only updates memory; dirty last-seen times are written every `lastSeenFlushMs` and on `close()`.
 */
export class PostgresStationRepository implements StationRepository {
  readonly #db: PostgresDatabase;
  readonly #lastSeen = new LastSeenTimes();
  readonly #flushTimer: NodeJS.Timeout;
  readonly #registerStatements = new Map<string, Statement>();

  constructor(db: PostgresDatabase, options: { lastSeenFlushMs: number }) {
    this.#db = db;
    this.#flushTimer = setInterval(() => void this.#flushLastSeen(false), options.lastSeenFlushMs);
    this.#flushTimer.unref();
  }

  async get(id: string): Promise<StationRecord | undefined> {
    const [row] = await this.#db.read(SELECT_STATION, [id]);
    return row === undefined ? undefined : this.#toStation(row);
  }

  async list(): Promise<StationRecord[]> {
    return (await this.#db.read(SELECT_STATIONS, [])).map((row) => this.#toStation(row));
  }

  async register(registration: StationRegistration): Promise<StationRecord> {
    const {
      rows: [row],
    } = await this.#db.write(
      this.#registerStatement(givenRegistrationColumns(registration)),
      registrationValues(registration, this.#lastSeen.merge(registration.id, null)),
    );
    if (row === undefined) throw new Error('stations: upsert returned no row');
    return this.#toStation(row);
  }

  async recordBoot(id: string, info: BootInfo, status: RegistrationStatus, at: string): Promise<StationRecord> {
    const {
      rows: [row],
    } = await this.#db.write(RECORD_BOOT, bootValues(id, info, status, at, this.#lastSeen.merge(id, null)));
    if (row === undefined) throw new Error('stations: upsert returned no row');
    return this.#toStation(row);
  }

  touch(id: string, at: string): void {
    this.#lastSeen.touch(id, at);
  }

  async connectors(stationId: string): Promise<ConnectorStatusRecord[]> {
    return (await this.#db.read(SELECT_CONNECTORS, [stationId])).map(records.connectorStatus);
  }

  async recordStatus(status: ConnectorStatusRecord): Promise<void> {
    await this.#db.write(
      RECORD_STATUS,
      [
        status.stationId,
        status.evseId,
        status.connectorId,
        status.status,
        status.errorCode,
        status.info,
        status.vendorId,
        status.vendorErrorCode,
        status.timestamp,
        status.receivedAt,
      ],
      2,
    );
  }

  async statusHistory(stationId: string, limit: number): Promise<ConnectorStatusRecord[]> {
    return (await this.#db.read(SELECT_STATUS_HISTORY, [stationId, limit])).map(records.connectorStatus);
  }

  async configuration(stationId: string): Promise<ConfigurationKeyRecord[]> {
    return (await this.#db.read(SELECT_CONFIGURATION, [stationId])).map(records.configurationKey);
  }

  async saveConfiguration(
    stationId: string,
    keys: Omit<ConfigurationKeyRecord, 'stationId' | 'updatedAt'>[],
    at: string,
  ): Promise<void> {
    if (keys.length === 0) return;
    // One row per key (the last one given wins, as when applied in order), in key order so that concurrent saves
    // lock rows in the same order.
    const byKey = new Map(keys.map((key) => [key.key, key]));
    const ordered = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    await this.#db.write(
      UPSERT_CONFIGURATION,
      [
        stationId,
        at,
        ordered.map((key) => key.key),
        ordered.map((key) => key.value),
        ordered.map((key) => key.readonly),
      ],
      ordered.length,
    );
  }

  async setPasswordHashes(stationId: string, hashes: StationPasswordHashes | null): Promise<boolean> {
    const result = await this.#db.write(UPDATE_PASSWORD_HASHES, [
      stationId,
      hashes?.authorizationKey ?? null,
      hashes?.basicAuthPassword ?? null,
      new Date().toISOString(),
    ]);
    return result.count > 0;
  }

  async forConnection(stationId: string): Promise<StationForConnection | undefined> {
    const [row] = await this.#db.read(SELECT_FOR_CONNECTION, [stationId]);
    if (row === undefined) return undefined;
    return { station: this.#toStation(row), hashes: records.passwordHashes(row), rotation: records.passwordRotation(row) };
  }

  async passwordRotation(stationId: string): Promise<PasswordRotationRecord | undefined> {
    const [row] = await this.#db.read(SELECT_PASSWORD_ROTATION, [stationId]);
    return row === undefined ? undefined : records.passwordRotation(row);
  }

  async setPasswordRotation(stationId: string, rotation: PasswordRotationRecord): Promise<boolean> {
    const result = await this.#db.write(UPDATE_PASSWORD_ROTATION, [
      stationId,
      rotation.pending?.authorizationKey ?? null,
      rotation.pending?.basicAuthPassword ?? null,
      rotation.status,
      rotation.requestedAt,
      rotation.updatedAt,
      rotation.detail,
    ]);
    return result.count > 0;
  }

  async promotePendingPassword(stationId: string, at: string): Promise<boolean> {
    return (await this.#db.write(PROMOTE_PENDING_PASSWORD, [stationId, at])).count > 0;
  }

  /** Stops the periodic last-seen flush and writes the dirty times once more. */
  close(): Promise<void> {
    clearInterval(this.#flushTimer);
    return this.#flushLastSeen(true);
  }

  /** Writes the dirty last-seen times in one statement; on failure they stay dirty for the next attempt. */
  async #flushLastSeen(internal: boolean): Promise<void> {
    const times = this.#lastSeen.takeDirty().sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (times.length === 0) return;
    try {
      await this.#db.write(
        UPDATE_LAST_SEEN,
        [times.map(([stationId]) => stationId), times.map(([, at]) => at)],
        times.length,
        internal,
      );
    } catch {
      this.#lastSeen.markDirty(times.map(([stationId]) => stationId));
    }
  }

  /**
   * Inserts the station (with defaults for what was not given) or updates only the given columns; one named
   * statement per combination of given columns. Parameters: id, the six registration fields, last seen, now.
   */
  #registerStatement(columns: string[]): Statement {
    const key = columns.join(',');
    let statement = this.#registerStatements.get(key);
    if (statement === undefined) {
      statement = {
        name: `joule_stations_register_${columns.length === 0 ? 'none' : columns.join('_')}`,
        text: registerSql(columns, (n) => `$${n}`),
      };
      this.#registerStatements.set(key, statement);
    }
    return statement;
  }

  #toStation(row: Row): StationRecord {
    const station = records.station(row);
    station.lastSeen = this.#lastSeen.merge(station.id, station.lastSeen);
    return station;
  }

}


