import type { SQLInputValue, StatementSync } from 'node:sqlite';
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
import { type Row, bit, records } from './columns.ts';
import type { SqliteDatabase } from './database.ts';
import { LastSeenTimes } from '../last-seen-times.ts';
import { WriteBehind } from './write-behind.ts';
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

const CONNECTOR_STATUS_COLUMNS = `station_id, evse_id, connector_id, status, error_code, info, vendor_id,
  vendor_error_code, timestamp, received_at`;

/**
 * Stations on SQLite: the station row, current connector status with its history, and configuration keys.
 * `touch` only updates memory; dirty last-seen times are written every `lastSeenFlushMs` and on `close()`.
 */
export class SqliteStationRepository implements StationRepository {
  readonly #db: SqliteDatabase;
  readonly #lastSeen = new LastSeenTimes();
  readonly #flushTimer: NodeJS.Timeout;
  /** Dirty last-seen times are written every `lastSeenFlushMs`, a slice at a time. */
  readonly #lastSeenWrites: WriteBehind<[string, string]>;
  readonly #selectStation: StatementSync;
  readonly #selectStations: StatementSync;
  readonly #recordBoot: StatementSync;
  /** One upsert per set of registration fields given (at most 2^6), prepared when first needed. */
  readonly #registerStatements = new Map<string, StatementSync>();
  readonly #updateLastSeen: StatementSync;
  readonly #selectConnectors: StatementSync;
  readonly #upsertConnectorStatus: StatementSync;
  readonly #insertStatusHistory: StatementSync;
  readonly #selectStatusHistory: StatementSync;
  readonly #selectConfiguration: StatementSync;
  readonly #upsertConfigurationKey: StatementSync;
  readonly #updatePasswordHashes: StatementSync;
  readonly #selectForConnection: StatementSync;
  readonly #selectPasswordRotation: StatementSync;
  readonly #updatePasswordRotation: StatementSync;
  readonly #promotePendingPassword: StatementSync;

  constructor(db: SqliteDatabase, options: { lastSeenFlushMs: number }) {
    this.#db = db;
    this.#selectStation = db.prepare(`SELECT ${STATION_COLUMNS} FROM stations WHERE id = ?`);
    this.#selectStations = db.prepare(`SELECT ${STATION_COLUMNS} FROM stations ORDER BY id`);
    this.#recordBoot = db.prepare(recordBootSql(sqliteParameter));
    this.#updateLastSeen = db.prepare('UPDATE stations SET last_seen = ? WHERE id = ?');
    this.#selectConnectors = db.prepare(`SELECT ${CONNECTOR_STATUS_COLUMNS} FROM connector_status
      WHERE station_id = ? ORDER BY evse_id, connector_id`);
    this.#upsertConnectorStatus = db.prepare(`
      INSERT INTO connector_status (${CONNECTOR_STATUS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (station_id, evse_id, connector_id) DO UPDATE SET status = excluded.status,
        error_code = excluded.error_code, info = excluded.info, vendor_id = excluded.vendor_id,
        vendor_error_code = excluded.vendor_error_code, timestamp = excluded.timestamp,
        received_at = excluded.received_at`);
    this.#insertStatusHistory = db.prepare(`INSERT INTO connector_status_history (${CONNECTOR_STATUS_COLUMNS})
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#selectStatusHistory = db.prepare(`SELECT ${CONNECTOR_STATUS_COLUMNS} FROM connector_status_history
      WHERE station_id = ? ORDER BY timestamp DESC, id DESC LIMIT ?`);
    this.#selectConfiguration = db.prepare(`SELECT station_id, key, value, readonly, updated_at
      FROM configuration_keys WHERE station_id = ? ORDER BY key`);
    this.#upsertConfigurationKey = db.prepare(`
      INSERT INTO configuration_keys (station_id, key, value, readonly, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (station_id, key) DO UPDATE SET value = excluded.value, readonly = excluded.readonly,
        updated_at = excluded.updated_at`);
    this.#updatePasswordHashes = db.prepare(`UPDATE stations SET authorization_key_hash = ?, basic_auth_password_hash = ?,
      updated_at = ? WHERE id = ?`);
    this.#selectForConnection = db.prepare(selectForConnectionSql('?'));
    this.#selectPasswordRotation = db.prepare(`SELECT ${PASSWORD_ROTATION_COLUMNS} FROM stations WHERE id = ?`);
    this.#updatePasswordRotation = db.prepare(`UPDATE stations SET pending_authorization_key_hash = ?,
      pending_basic_auth_password_hash = ?, password_rotation_status = ?, password_rotation_requested_at = ?,
      password_rotation_updated_at = ?, password_rotation_detail = ? WHERE id = ?`);
    this.#promotePendingPassword = db.prepare(`UPDATE stations SET authorization_key_hash = pending_authorization_key_hash,
      basic_auth_password_hash = pending_basic_auth_password_hash, pending_authorization_key_hash = NULL,
      pending_basic_auth_password_hash = NULL, password_rotation_status = 'completed', password_rotation_detail = NULL,
      password_rotation_updated_at = ?, updated_at = ?
      WHERE id = ? AND (pending_authorization_key_hash IS NOT NULL OR pending_basic_auth_password_hash IS NOT NULL)`);
    this.#lastSeenWrites = new WriteBehind({
      take: (limit) => this.#lastSeen.takeDirty(limit),
      write: (times) =>
        this.#db.write(() => {
          for (const [stationId, at] of times) this.#updateLastSeen.run(at, stationId);
        }, times.length),
      putBack: (times) => this.#lastSeen.markDirty(times.map(([stationId]) => stationId)),
      pending: () => this.#lastSeen.dirtyCount,
    });
    this.#flushTimer = setInterval(() => void this.#lastSeenWrites.flush(), options.lastSeenFlushMs);
    this.#flushTimer.unref();
  }

  get(id: string): Promise<StationRecord | undefined> {
    return this.#db.read(() => this.#find(id));
  }

  list(): Promise<StationRecord[]> {
    return this.#db.read(() => this.#selectStations.all().map((row) => this.#toStation(row)));
  }

  register(registration: StationRegistration): Promise<StationRecord> {
    const values = registrationValues(registration, this.#lastSeen.merge(registration.id, null));
    return this.#db.write(() => {
      const statement = this.#registerStatement(givenRegistrationColumns(registration));
      const row = statement.get(...values.map((value) => (typeof value === 'boolean' ? bit(value) : value)));
      if (row === undefined) throw new Error('stations: upsert returned no row');
      return this.#toStation(row);
    });
  }

  recordBoot(id: string, info: BootInfo, status: RegistrationStatus, at: string): Promise<StationRecord> {
    return this.#db.write(() => {
      const row = this.#recordBoot.get(...bootValues(id, info, status, at, this.#lastSeen.merge(id, null)));
      if (row === undefined) throw new Error('stations: upsert returned no row');
      return this.#toStation(row);
    });
  }

  touch(id: string, at: string): void {
    this.#lastSeen.touch(id, at);
  }

  connectors(stationId: string): Promise<ConnectorStatusRecord[]> {
    return this.#db.read(() => this.#selectConnectors.all(stationId).map(records.connectorStatus));
  }

  recordStatus(status: ConnectorStatusRecord): Promise<void> {
    const values: SQLInputValue[] = [
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
    ];
    return this.#db.write(() => {
      this.#upsertConnectorStatus.run(...values);
      this.#insertStatusHistory.run(...values);
    });
  }

  statusHistory(stationId: string, limit: number): Promise<ConnectorStatusRecord[]> {
    return this.#db.read(() => this.#selectStatusHistory.all(stationId, limit).map(records.connectorStatus));
  }

  configuration(stationId: string): Promise<ConfigurationKeyRecord[]> {
    return this.#db.read(() => this.#selectConfiguration.all(stationId).map(records.configurationKey));
  }

  saveConfiguration(
    stationId: string,
    keys: Omit<ConfigurationKeyRecord, 'stationId' | 'updatedAt'>[],
    at: string,
  ): Promise<void> {
    if (keys.length === 0) return Promise.resolve();
    return this.#db.write(() => {
      for (const key of keys) this.#upsertConfigurationKey.run(stationId, key.key, key.value, bit(key.readonly), at);
    }, keys.length);
  }

  setPasswordHashes(stationId: string, hashes: StationPasswordHashes | null): Promise<boolean> {
    return this.#db.write(() => {
      const result = this.#updatePasswordHashes.run(
        hashes?.authorizationKey ?? null,
        hashes?.basicAuthPassword ?? null,
        new Date().toISOString(),
        stationId,
      );
      return Number(result.changes) > 0;
    });
  }

  forConnection(stationId: string): Promise<StationForConnection | undefined> {
    return this.#db.read(() => {
      const row = this.#selectForConnection.get(stationId);
      if (row === undefined) return undefined;
      return { station: this.#toStation(row), hashes: records.passwordHashes(row), rotation: records.passwordRotation(row) };
    });
  }

  passwordRotation(stationId: string): Promise<PasswordRotationRecord | undefined> {
    return this.#db.read(() => {
      const row = this.#selectPasswordRotation.get(stationId);
      return row === undefined ? undefined : records.passwordRotation(row);
    });
  }

  setPasswordRotation(stationId: string, rotation: PasswordRotationRecord): Promise<boolean> {
    return this.#db.write(() => {
      const result = this.#updatePasswordRotation.run(
        rotation.pending?.authorizationKey ?? null,
        rotation.pending?.basicAuthPassword ?? null,
        rotation.status,
        rotation.requestedAt,
        rotation.updatedAt,
        rotation.detail,
        stationId,
      );
      return Number(result.changes) > 0;
    });
  }

  promotePendingPassword(stationId: string, at: string): Promise<boolean> {
    return this.#db.write(() => Number(this.#promotePendingPassword.run(at, at, stationId).changes) > 0);
  }

  /** Stops the periodic last-seen flush and queues the final one, whole (committed when the database closes). */
  close(): Promise<void> {
    clearInterval(this.#flushTimer);
    return this.#lastSeenWrites.flushAll();
  }

  #find(id: string): StationRecord | undefined {
    const row = this.#selectStation.get(id);
    return row === undefined ? undefined : this.#toStation(row);
  }

  /** The upsert of {@link registerSql} for these registration columns, prepared when first needed. */
  #registerStatement(columns: string[]): StatementSync {
    const key = columns.join(',');
    let statement = this.#registerStatements.get(key);
    if (statement === undefined) {
      statement = this.#db.prepare(registerSql(columns, sqliteParameter));
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

/** SQLite's numbered parameter: `?1` (bound by position, and reusable in a statement). */
function sqliteParameter(n: number): string {
  return `?${n}`;
}
