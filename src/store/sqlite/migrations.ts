import type { DatabaseSync } from 'node:sqlite';
import { encodeSamples, recodeSamples, samplesDigest } from '../meter-readings.ts';
import type { SampledValueRecord } from '../ports.ts';
import { emptyAsNull, integer, nullableText, text, type Row } from './columns.ts';

/** One schema change. Versions are applied in increasing order, each in its own transaction, and never edited once released. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * Runs after `sql`, in the same transaction: for data moves that need code rather than SQL. A move that can be
   * repeated may commit part of its work and go on in a new transaction (see recodeStoredSamples).
   */
  after?: (db: DatabaseSync) => void;
}

/**
 * The schema, as numbered migrations.
 *
 * Conventions: timestamps are ISO 8601 text; booleans are 0/1; JSON is text. The nullable parts of a dedupe key
 * (`meter_readings.transaction_id`; the device model's instances, EVSE and connector, with -1 for a missing number;
 * before migration 2, also phase, location and context in `meter_values`) are stored as `''` for "none", because a
 * unique index treats NULLs as distinct. A station's own state (connectors, status history, configuration, device
 * model) references `stations`; logs (transactions and their events, meter values, commands, station events) do
 * not, so that they never block on or vanish with a station row.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE stations (
        id TEXT PRIMARY KEY,
        protocol TEXT,
        vendor TEXT,
        model TEXT,
        serial_number TEXT,
        charge_box_serial_number TEXT,
        firmware_version TEXT,
        iccid TEXT,
        imsi TEXT,
        meter_type TEXT,
        meter_serial_number TEXT,
        registration_status TEXT,
        registered INTEGER NOT NULL DEFAULT 0,
        boot_policy TEXT,
        security_profile INTEGER,
        default_protocol TEXT,
        description TEXT,
        last_boot_at TEXT,
        last_seen TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE connector_status (
        station_id TEXT NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
        evse_id INTEGER NOT NULL,
        connector_id INTEGER NOT NULL,
        status TEXT NOT NULL,
        error_code TEXT,
        info TEXT,
        vendor_id TEXT,
        vendor_error_code TEXT,
        timestamp TEXT NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (station_id, evse_id, connector_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE connector_status_history (
        id INTEGER PRIMARY KEY,
        station_id TEXT NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
        evse_id INTEGER NOT NULL,
        connector_id INTEGER NOT NULL,
        status TEXT NOT NULL,
        error_code TEXT,
        info TEXT,
        vendor_id TEXT,
        vendor_error_code TEXT,
        timestamp TEXT NOT NULL,
        received_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX connector_status_history_by_station ON connector_status_history (station_id, timestamp);

      CREATE TABLE configuration_keys (
        station_id TEXT NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT,
        readonly INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (station_id, key)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE id_tokens (
        id_token TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
        status TEXT NOT NULL,
        expiry_date TEXT,
        group_id TEXT,
        allow_concurrent_tx INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE transactions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        station_tx_id TEXT NOT NULL,
        station_id TEXT NOT NULL,
        evse_id INTEGER NOT NULL,
        connector_id INTEGER NOT NULL,
        id_token TEXT COLLATE NOCASE,
        started_at TEXT NOT NULL,
        stopped_at TEXT,
        meter_start_wh REAL,
        meter_stop_wh REAL,
        last_meter_wh REAL,
        last_meter_at TEXT,
        energy_wh REAL,
        stop_reason TEXT,
        stop_id_token TEXT,
        reservation_id INTEGER,
        flags TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX transactions_by_station_tx_id ON transactions (station_id, station_tx_id);
      CREATE INDEX transactions_by_station ON transactions (station_id, started_at);
      CREATE INDEX transactions_by_start ON transactions (started_at);
      CREATE INDEX transactions_active_by_station ON transactions (station_id, started_at) WHERE stopped_at IS NULL;
      CREATE INDEX transactions_active_by_start ON transactions (started_at) WHERE stopped_at IS NULL;
      CREATE INDEX transactions_active_by_id_token ON transactions (id_token, started_at) WHERE stopped_at IS NULL;

      CREATE TABLE meter_values (
        id INTEGER PRIMARY KEY,
        station_id TEXT NOT NULL,
        evse_id INTEGER NOT NULL,
        connector_id INTEGER NOT NULL,
        transaction_id TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        measurand TEXT NOT NULL,
        phase TEXT NOT NULL,
        location TEXT NOT NULL,
        context TEXT NOT NULL,
        unit TEXT,
        format TEXT,
        value TEXT NOT NULL,
        numeric_value REAL,
        received_at TEXT NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX meter_values_identity ON meter_values
        (station_id, timestamp, evse_id, connector_id, transaction_id, measurand, phase, location, context, value);
      CREATE INDEX meter_values_by_transaction ON meter_values (transaction_id, timestamp)
        WHERE transaction_id <> '';

      CREATE TABLE commands (
        id TEXT PRIMARY KEY,
        station_id TEXT NOT NULL,
        action TEXT NOT NULL,
        request TEXT NOT NULL,
        actor TEXT NOT NULL,
        origin TEXT,
        status TEXT NOT NULL,
        response TEXT,
        error TEXT,
        created_at TEXT NOT NULL,
        completed_at TEXT
      ) STRICT;
      CREATE INDEX commands_by_station ON commands (station_id, created_at);
      CREATE INDEX commands_by_creation ON commands (created_at);

      CREATE TABLE station_events (
        id INTEGER PRIMARY KEY,
        station_id TEXT NOT NULL,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        received_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX station_events_by_station ON station_events (station_id, timestamp);
    `,
  },
  {
    version: 2,
    name: 'meter values as one row per reading',
    // One row per meter reading (a timestamp and its sampled values, as JSON text: see ../meter-readings.ts), about
    // ten times fewer rows and index entries than one per sampled value. A replay has the same station, timestamp,
    // evse, connector, transaction ('' for none) and digest of the sampled values; the unique index over those, led
    // by station and timestamp, also serves the station's newest readings. Rows of `meter_values` become readings
    // by (station, evse, connector, transaction, timestamp), their values in stored order; a reading takes the id
    // and receivedAt of its first row, so readings keep the storage order of their values.
    sql: `
      CREATE TABLE meter_readings (
        id INTEGER PRIMARY KEY,
        station_id TEXT NOT NULL,
        evse_id INTEGER NOT NULL,
        connector_id INTEGER NOT NULL,
        transaction_id TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        samples TEXT NOT NULL,
        digest TEXT NOT NULL,
        received_at TEXT NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX meter_readings_identity ON meter_readings
        (station_id, timestamp, evse_id, connector_id, transaction_id, digest);
      CREATE INDEX meter_readings_by_transaction ON meter_readings (transaction_id, timestamp)
        WHERE transaction_id <> '';
    `,
    after: (db) => {
      copyMeterValuesToReadings(db);
      db.exec('DROP TABLE meter_values');
    },
  },
  {
    version: 3,
    name: 'OCPP 2.x transactions, device model and validation rules',
    // New columns are nullable, so existing rows read as "unknown" (no data move). Stale-transaction checks scan the
    // active transactions (few; transactions_active_by_start): an index on updated_at would be rewritten by every
    // meter value on the hot path. Transaction events are a log:
    // a replay is the same station, station transaction id and seqNo (a unique index, in which a null seqNo is
    // distinct) or, without a seqNo, the same event type and timestamp (a partial unique index). The device model
    // keys its optional identity parts with sentinels ('' and -1, see ../device-variables.ts), names compared
    // without ASCII case as OCPP 2.x requires; it is a station's own state, so it references `stations`.
    sql: `
      ALTER TABLE transactions ADD COLUMN charging_state TEXT;
      ALTER TABLE transactions ADD COLUMN last_seq_no INTEGER;
      ALTER TABLE transactions ADD COLUMN remote_start_id INTEGER;

      ALTER TABLE stations ADD COLUMN validation_mode TEXT
        CHECK (validation_mode IN ('strict', 'lenient', 'log-only'));

      CREATE TABLE transaction_events (
        id INTEGER PRIMARY KEY,
        station_id TEXT NOT NULL,
        station_tx_id TEXT NOT NULL,
        seq_no INTEGER,
        event_type TEXT NOT NULL,
        trigger_reason TEXT,
        timestamp TEXT NOT NULL,
        offline INTEGER NOT NULL,
        transaction_id TEXT,
        payload TEXT NOT NULL,
        received_at TEXT NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX transaction_events_by_seq_no ON transaction_events (station_id, station_tx_id, seq_no);
      CREATE UNIQUE INDEX transaction_events_without_seq_no ON transaction_events
        (station_id, station_tx_id, event_type, timestamp) WHERE seq_no IS NULL;

      CREATE TABLE device_variables (
        station_id TEXT NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
        component TEXT NOT NULL COLLATE NOCASE,
        component_instance TEXT NOT NULL COLLATE NOCASE,
        evse_id INTEGER NOT NULL,
        connector_id INTEGER NOT NULL,
        variable TEXT NOT NULL COLLATE NOCASE,
        variable_instance TEXT NOT NULL COLLATE NOCASE,
        attribute_type TEXT NOT NULL,
        value TEXT,
        mutability TEXT,
        persistent INTEGER,
        constant INTEGER,
        unit TEXT,
        data_type TEXT,
        min_limit REAL,
        max_limit REAL,
        values_list TEXT,
        supports_monitoring INTEGER,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (station_id, component, component_instance, evse_id, connector_id, variable, variable_instance,
          attribute_type)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE validation_rules (
        id TEXT PRIMARY KEY,
        vendor TEXT NOT NULL,
        model TEXT,
        firmware_prefix TEXT,
        mode TEXT NOT NULL CHECK (mode IN ('strict', 'lenient', 'log-only')),
        description TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'smart charging: sites, signals, session needs, installed profiles',
    // A site is the root of its tree; groups reference their parent within the same site (NO ACTION, so deleting a
    // site cascades through its whole tree in one statement, while a group with children or members cannot be deleted
    // alone). An EVSE belongs to one site at most (its primary key). Per-phase currents and tariff periods are JSON.
    // External load keeps the newest reading per measuring point ('' for the site itself, so that it can be a key;
    // an older reading arriving late changes nothing); demand-response events name a nullable group. Installed profiles and session needs reference neither stations
    // nor transactions: they are records of what was sent and said, kept whatever happens to those rows.
    sql: `
      CREATE TABLE sites (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        policy TEXT NOT NULL CHECK (policy IN ('equal-share', 'priority', 'first-come-first-served')),
        nominal_voltage_v REAL NOT NULL,
        max_power_w REAL,
        max_current_a TEXT,
        default_energy_wh REAL,
        default_dwell_minutes REAL,
        slot_seconds INTEGER NOT NULL,
        horizon_hours REAL NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE site_groups (
        site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        parent_id TEXT,
        name TEXT,
        max_power_w REAL,
        max_current_a TEXT,
        nominal_voltage_v REAL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (site_id, id),
        FOREIGN KEY (site_id, parent_id) REFERENCES site_groups (site_id, id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE site_members (
        station_id TEXT NOT NULL,
        evse_id INTEGER NOT NULL,
        site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
        group_id TEXT,
        phases INTEGER NOT NULL CHECK (phases IN (1, 3)),
        phase TEXT CHECK (phase IN ('L1', 'L2', 'L3')),
        phase_rotation TEXT,
        max_current_a REAL NOT NULL,
        max_power_w REAL,
        min_current_a REAL,
        rate_unit TEXT NOT NULL CHECK (rate_unit IN ('A', 'W')),
        offline_fallback_a REAL,
        priority INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (station_id, evse_id),
        FOREIGN KEY (site_id, group_id) REFERENCES site_groups (site_id, id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX site_members_by_site ON site_members (site_id, station_id, evse_id);
      CREATE INDEX site_members_by_group ON site_members (site_id, group_id);

      CREATE TABLE site_tariffs (
        site_id TEXT PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
        time_zone TEXT NOT NULL,
        default_price_per_kwh REAL NOT NULL,
        periods TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE site_price_points (
        site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        price_per_kwh REAL NOT NULL,
        PRIMARY KEY (site_id, starts_at)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE demand_response_events (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
        group_id TEXT,
        max_power_w REAL,
        max_current_a TEXT,
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        label TEXT,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX demand_response_events_by_site ON demand_response_events (site_id, ends_at);

      CREATE TABLE external_loads (
        site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
        group_key TEXT NOT NULL,
        measured_at TEXT NOT NULL,
        power_w REAL,
        current_a TEXT,
        received_at TEXT NOT NULL,
        PRIMARY KEY (site_id, group_key)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE session_needs (
        transaction_id TEXT PRIMARY KEY,
        energy_wh REAL NOT NULL,
        departure TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('api', 'station', 'default')),
        ev_max_power_w REAL,
        ev_max_current_a REAL,
        ev_min_current_a REAL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE installed_charging_profiles (
        station_id TEXT NOT NULL,
        profile_id INTEGER NOT NULL,
        evse_id INTEGER NOT NULL,
        purpose TEXT NOT NULL,
        stack_level INTEGER NOT NULL,
        transaction_id TEXT,
        profile TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('Accepted', 'Rejected')),
        sent_at TEXT NOT NULL,
        PRIMARY KEY (station_id, profile_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE planner_leases (
        site_id TEXT PRIMARY KEY,
        node_id TEXT NOT NULL,
        expires_at_ms INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'station passwords: Basic-auth hashes for security profiles 1 and 2',
    // Salted scrypt hashes (PHC strings) of the station's password, one per way its protocol reads it (1.6
    // AuthorizationKey bytes, 2.x BasicAuthPassword text); null where it is not valid that way, both null when the
    // station has no password. Never selected with the station record, so never in a view.
    sql: `
      ALTER TABLE stations ADD COLUMN authorization_key_hash TEXT;
      ALTER TABLE stations ADD COLUMN basic_auth_password_hash TEXT;
    `,
  },
  {
    version: 6,
    name: 'operator accounts, their tokens and the append-only audit log',
    // User names are unique without case (ASCII: the domain allows no other letters, and lower() folds ASCII in both
    // engines). Tokens are kept as SHA-256 digests only. The audit log refuses UPDATE and DELETE by trigger.
    sql: `
      CREATE TABLE operators (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        role TEXT NOT NULL,
        sites TEXT,
        password_hash TEXT NOT NULL,
        totp_secret TEXT,
        mfa_enabled INTEGER NOT NULL DEFAULT 0,
        totp_last_step INTEGER,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX operators_username ON operators (lower(username));

      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        operator_id TEXT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        name TEXT,
        scopes TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at TEXT,
        created_from TEXT
      ) STRICT;
      CREATE INDEX api_tokens_operator ON api_tokens (operator_id, kind, created_at);

      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        role TEXT,
        action TEXT NOT NULL,
        target TEXT,
        outcome INTEGER NOT NULL,
        remote_address TEXT,
        details TEXT
      ) STRICT;
      CREATE INDEX audit_log_at ON audit_log (at, id);
      CREATE INDEX audit_log_actor ON audit_log (actor, id);
      CREATE INDEX audit_log_target ON audit_log (target, id);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    `,
  },
  {
    version: 7,
    name: 'station password rotation: the pending password and the rotation state',
    // The new password of a rotation in progress (A01), as salted hashes like the current one, accepted besides it
    // until the station connects with it; and where the rotation stands (sent, accepted, completed, rejected,
    // failed). Never selected with the station record.
    sql: `
      ALTER TABLE stations ADD COLUMN pending_authorization_key_hash TEXT;
      ALTER TABLE stations ADD COLUMN pending_basic_auth_password_hash TEXT;
      ALTER TABLE stations ADD COLUMN password_rotation_status TEXT;
      ALTER TABLE stations ADD COLUMN password_rotation_requested_at TEXT;
      ALTER TABLE stations ADD COLUMN password_rotation_updated_at TEXT;
      ALTER TABLE stations ADD COLUMN password_rotation_detail TEXT;
    `,
  },
  {
    version: 8,
    name: 'certificates: issued station certificates, certificates stations hold, security events',
    // Issued certificates are keyed by their SHA-256 fingerprint; (issuer, serial) is unique per CA (RFC 5280).
    // What a station holds is keyed by its hash data (1.6 security extension / 2.x CertificateHashData), compared in
    // lowercase. Security events are a log (rowid orders equal times), searched by station, time, type and criticality.
    sql: `
      CREATE TABLE certificates (
        fingerprint_sha256 TEXT PRIMARY KEY,
        serial_number TEXT NOT NULL,
        issuer TEXT NOT NULL,
        subject TEXT NOT NULL,
        common_name TEXT,
        organization TEXT,
        station_id TEXT,
        certificate_type TEXT NOT NULL,
        not_before TEXT NOT NULL,
        not_after TEXT NOT NULL,
        status TEXT NOT NULL,
        pem TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        installed_at TEXT,
        revoked_at TEXT,
        revocation_reason TEXT,
        renewal_requested_at TEXT
      ) STRICT;
      CREATE UNIQUE INDEX certificates_by_issuer_serial ON certificates (issuer, serial_number);
      CREATE INDEX certificates_by_serial ON certificates (serial_number);
      CREATE INDEX certificates_by_station ON certificates (station_id, not_after);
      CREATE INDEX certificates_by_expiry ON certificates (not_after);
      CREATE TABLE station_certificates (
        station_id TEXT NOT NULL,
        certificate_type TEXT NOT NULL,
        hash_algorithm TEXT NOT NULL,
        issuer_name_hash TEXT NOT NULL,
        issuer_key_hash TEXT NOT NULL,
        serial_number TEXT NOT NULL,
        pem TEXT,
        source TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (station_id, certificate_type, hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number)
      ) STRICT;
      CREATE TABLE security_events (
        id INTEGER PRIMARY KEY,
        station_id TEXT NOT NULL,
        type TEXT NOT NULL,
        critical INTEGER NOT NULL,
        tech_info TEXT,
        timestamp TEXT NOT NULL,
        received_at TEXT NOT NULL,
        source TEXT NOT NULL
      ) STRICT;
      CREATE INDEX security_events_by_time ON security_events (timestamp);
      CREATE INDEX security_events_by_station ON security_events (station_id, timestamp);
    `,
  },
  {
    version: 9,
    name: 'V2G: discharge consent and exported energy of a session need',
    sql: `
      ALTER TABLE session_needs ADD COLUMN ev_max_discharge_power_w REAL;
      ALTER TABLE session_needs ADD COLUMN ev_dischargeable_wh REAL;
      ALTER TABLE session_needs ADD COLUMN export_start_wh REAL;
      ALTER TABLE session_needs ADD COLUMN last_export_wh REAL;
    `,
  },
  {
    version: 10,
    name: 'meter readings under one index',
    // Each index ordered by station (or transaction) costs every group commit one more written page per station
    // that reported in it, which was half the CPU of storing a reading. A transaction's readings are now read through
    // the identity index (its station, filtered by transaction id in the index).
    sql: `
      DROP INDEX meter_readings_by_transaction;
    `,
  },
  {
    version: 11,
    name: 'meter readings under a time-led identity index; the store\'s identity',
    // Readings arrive in time order: an identity index led by time takes one or two new pages per group commit, where
    // one led by station took a page per station that reported in it. A station's readings are found through the
    // station index, a file of its own beside the store that is written in bulk (station-index.ts) and records the
    // identity of the store it belongs to.
    sql: `
      DROP INDEX meter_readings_identity;
      CREATE UNIQUE INDEX meter_readings_identity ON meter_readings
        (timestamp, station_id, evse_id, connector_id, transaction_id, digest);
      CREATE TABLE store_identity (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        id TEXT NOT NULL
      ) STRICT;
      INSERT INTO store_identity (singleton, id) VALUES (1, lower(hex(randomblob(16))));
    `,
  },
  {
    version: 12,
    name: 'login attempts counted in the store',
    // Operators' login attempts per user name and per address, one fixed window per key, so that every worker and
    // node sharing the store counts against the same limits (domain/accounts/login-limits.ts). Ended windows are
    // swept; the index finds them.
    sql: `
      CREATE TABLE login_attempts (
        key TEXT PRIMARY KEY,
        started_at_ms INTEGER NOT NULL,
        attempts INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX login_attempts_started ON login_attempts (started_at_ms);
    `,
  },
  {
    version: 13,
    name: 'sampled values stored with codes',
    // The enumeration values of stored sampled values become codes (sample-codes.ts): a reading of ten sampled values
    // takes 275 bytes instead of 676, and each group commit writes fewer pages. Every stored reading is
    // re-encoded and its digest recomputed from the new text, so that a replay of a reading stored before the
    // migration is still recognised.
    sql: '',
    after: (db) => recodeStoredSamples(db),
  },
  {
    version: 14,
    name: 'certificate signing requests queued for an external CA',
    // Manual CA mode: a station's CSR waits here for an operator to have it signed elsewhere (or to reject it). Lists
    // run by status or by station, newest first; queuing a CSR looks up the station's pending ones of its type, which
    // it supersedes.
    sql: `
      CREATE TABLE certificate_signing_requests (
        id TEXT PRIMARY KEY,
        station_id TEXT NOT NULL,
        certificate_type TEXT NOT NULL,
        request_id INTEGER,
        csr_pem TEXT NOT NULL,
        subject TEXT NOT NULL,
        common_name TEXT,
        organization TEXT,
        key_description TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'signed', 'rejected', 'superseded')),
        received_at TEXT NOT NULL,
        decided_at TEXT,
        decided_by TEXT,
        reason TEXT,
        certificate_fingerprint TEXT
      ) STRICT;
      CREATE INDEX certificate_signing_requests_by_status ON certificate_signing_requests (status, received_at);
      CREATE INDEX certificate_signing_requests_by_station ON certificate_signing_requests (station_id, received_at);
      CREATE INDEX certificate_signing_requests_pending ON certificate_signing_requests (station_id, certificate_type)
        WHERE status = 'pending';
    `,
  },
];

/** Readings re-encoded per transaction of migration 13's data move. */
export const RECODE_CHUNK_READINGS = 20_000;

/**
 * Migration 13's data move: every reading's samples re-encoded with codes and digested again, in rowid order. It
 * commits every RECODE_CHUNK_READINGS readings and truncates the WAL, so that a large store needs free disk for one
 * chunk, not for a copy of all its readings. That is safe because the move can be repeated: a reading already
 * re-encoded encodes to the same text and is left alone, and the migration is recorded only once the move is done (a
 * start interrupted midway does the rest the next time).
 */
function recodeStoredSamples(db: DatabaseSync): void {
  const select = db.prepare('SELECT id, samples FROM meter_readings WHERE id > ? ORDER BY id LIMIT 1000');
  const update = db.prepare('UPDATE meter_readings SET samples = ?, digest = ? WHERE id = ?');
  let after = 0;
  let sinceCommit = 0;
  for (;;) {
    const rows = select.all(after);
    for (const row of rows) {
      const stored = text(row, 'samples');
      const recoded = recodeSamples(stored);
      if (recoded !== stored) update.run(recoded, samplesDigest(recoded), integer(row, 'id'));
    }
    if (rows.length < 1000) return;
    after = integer(rows.at(-1) ?? {}, 'id');
    sinceCommit += rows.length;
    if (sinceCommit >= RECODE_CHUNK_READINGS) {
      sinceCommit = 0;
      // Within runMigrations' transaction: end it, empty the WAL into the database, and go on in a new one.
      db.exec('COMMIT');
      db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
      db.exec('BEGIN IMMEDIATE');
    }
  }
}

/** Migration 2's data move: groups the rows of `meter_values` into readings (walked in the order of its unique index). */
function copyMeterValuesToReadings(db: DatabaseSync): void {
  const select = db.prepare(`SELECT id, station_id, evse_id, connector_id, transaction_id, timestamp, measurand, phase,
      location, context, unit, format, value, received_at
    FROM meter_values ORDER BY station_id, timestamp, evse_id, connector_id, transaction_id, id`);
  const insert = db.prepare(`INSERT INTO meter_readings
    (id, station_id, evse_id, connector_id, transaction_id, timestamp, samples, digest, received_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  let first: Row | undefined;
  let samples: SampledValueRecord[] = [];
  const flush = (): void => {
    if (first === undefined) return;
    const json = encodeSamples(samples);
    insert.run(integer(first, 'id'), text(first, 'station_id'), integer(first, 'evse_id'), integer(first, 'connector_id'),
      text(first, 'transaction_id'), text(first, 'timestamp'), json, samplesDigest(json), text(first, 'received_at'));
  };
  const sameReading = (a: Row, b: Row): boolean =>
    a.station_id === b.station_id && a.timestamp === b.timestamp && a.evse_id === b.evse_id &&
    a.connector_id === b.connector_id && a.transaction_id === b.transaction_id;
  for (const row of select.iterate()) {
    if (first === undefined || !sameReading(first, row)) {
      flush();
      first = row;
      samples = [];
    }
    samples.push({
      value: text(row, 'value'),
      measurand: text(row, 'measurand'),
      phase: emptyAsNull(row, 'phase'),
      location: emptyAsNull(row, 'location'),
      unit: nullableText(row, 'unit'),
      context: emptyAsNull(row, 'context'),
      format: nullableText(row, 'format'),
    });
  }
  flush();
}

/**
 * Brings the schema up to date: applies, in order, the migrations newer than the latest one recorded in
 * `schema_migrations`, each in its own `BEGIN IMMEDIATE` transaction that re-reads the recorded version (so two
 * processes opening the same file never apply one twice). Returns the versions applied now (empty when the schema
 * was current). Refuses a database written by a newer Joule.
 */
export function runMigrations(db: DatabaseSync): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
  const selectVersion = db.prepare('SELECT coalesce(max(version), 0) AS version FROM schema_migrations');
  const recordMigration = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const currentVersion = (): number => integer(selectVersion.get() ?? {}, 'version');

  const ordered = [...MIGRATIONS].sort((a, b) => a.version - b.version);
  const latestKnown = ordered.at(-1)?.version ?? 0;
  const found = currentVersion();
  if (found > latestKnown) {
    throw new Error(`Database schema version ${found} is newer than this Joule knows (${latestKnown}): upgrade Joule`);
  }

  const applied: number[] = [];
  for (const migration of ordered) {
    if (migration.version <= found) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      if (migration.version > currentVersion()) {
        db.exec(migration.sql);
        migration.after?.(db);
        recordMigration.run(migration.version, migration.name, new Date().toISOString());
        applied.push(migration.version);
      }
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
  return applied;
}
