import type { Pool, PoolClient } from 'pg';
import { escapeIdentifier } from 'pg';
import { recodeSamples, samplesDigest } from '../meter-readings.ts';
import { SAMPLE_TERMS } from '../sample-codes.ts';
import { integer } from './columns.ts';
import { assertSchemaName } from './pool.ts';

/** One schema change. Versions are applied in increasing order, each in its own transaction, and never edited once released. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Runs after `sql`, in the same transaction: for data moves that need code rather than SQL. */
  after?: (client: PoolClient) => Promise<void>;
}

/**
 * The schema, as numbered migrations. It mirrors the SQLite schema (`../sqlite/migrations.ts`) so that both adapters
 * behave the same:
 *
 * - Text is `COLLATE "C"` (byte order, as SQLite's default BINARY collation), whatever the database's default
 *   collation: `ORDER BY` gives the same order on both engines, and index comparisons are plain memcmp.
 * - Timestamps are ISO 8601 text, returned exactly as given; in UTC with one format they sort as time.
 * - Id tokens compare case-insensitively through `lower(id_token)` on a "C" column, which folds ASCII only, like
 *   SQLite's NOCASE (a database's Unicode collation would fold more).
 * - Integers from stations are `bigint` (SQLite integers are 64-bit); JSON is `jsonb`; booleans are `boolean`.
 * - Meter values are kept one row per reading (migration 2, `meter_readings`): its sampled values as JSON text
 *   (`../meter-readings.ts`), deduplicated by a unique index over station, timestamp, evse, connector, transaction and
 *   a digest of that text (its primary key since migration 12; its serial id has no index). The transaction is `''` for "none", because a unique index treats NULLs as distinct (as
 *   were phase, location and context in migration 1's `meter_values`, whose value entered its index as itself when
 *   short and as its md5 when long, since a btree entry is limited to about 2.7 kB).
 * - A transaction start is made idempotent by unique indexes (station + station transaction id; station + start
 *   time + EVSE + connector + id token), so that concurrent replays from several Joule processes resolve to one row.
 * - A station's own state (connectors, status history, configuration, device model) references `stations`; logs
 *   (transactions and their events, meter values, commands, station events) do not, so that they never block on or
 *   vanish with a station row.
 * - Logs have a `bigserial` id that orders rows of equal time by insertion, as SQLite's rowid does.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE stations (
        id text COLLATE "C" PRIMARY KEY,
        protocol text COLLATE "C",
        vendor text COLLATE "C",
        model text COLLATE "C",
        serial_number text COLLATE "C",
        charge_box_serial_number text COLLATE "C",
        firmware_version text COLLATE "C",
        iccid text COLLATE "C",
        imsi text COLLATE "C",
        meter_type text COLLATE "C",
        meter_serial_number text COLLATE "C",
        registration_status text COLLATE "C",
        registered boolean NOT NULL DEFAULT false,
        boot_policy text COLLATE "C",
        security_profile bigint,
        default_protocol text COLLATE "C",
        description text COLLATE "C",
        last_boot_at text COLLATE "C",
        last_seen text COLLATE "C",
        created_at text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL
      );

      CREATE TABLE connector_status (
        station_id text COLLATE "C" NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
        evse_id bigint NOT NULL,
        connector_id bigint NOT NULL,
        status text COLLATE "C" NOT NULL,
        error_code text COLLATE "C",
        info text COLLATE "C",
        vendor_id text COLLATE "C",
        vendor_error_code text COLLATE "C",
        timestamp text COLLATE "C" NOT NULL,
        received_at text COLLATE "C" NOT NULL,
        PRIMARY KEY (station_id, evse_id, connector_id)
      );

      CREATE TABLE connector_status_history (
        id bigserial PRIMARY KEY,
        station_id text COLLATE "C" NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
        evse_id bigint NOT NULL,
        connector_id bigint NOT NULL,
        status text COLLATE "C" NOT NULL,
        error_code text COLLATE "C",
        info text COLLATE "C",
        vendor_id text COLLATE "C",
        vendor_error_code text COLLATE "C",
        timestamp text COLLATE "C" NOT NULL,
        received_at text COLLATE "C" NOT NULL
      );
      CREATE INDEX connector_status_history_by_station ON connector_status_history (station_id, timestamp);

      CREATE TABLE configuration_keys (
        station_id text COLLATE "C" NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
        key text COLLATE "C" NOT NULL,
        value text COLLATE "C",
        readonly boolean NOT NULL,
        updated_at text COLLATE "C" NOT NULL,
        PRIMARY KEY (station_id, key)
      );

      CREATE TABLE id_tokens (
        id_token text COLLATE "C" NOT NULL,
        status text COLLATE "C" NOT NULL,
        expiry_date text COLLATE "C",
        group_id text COLLATE "C",
        allow_concurrent_tx boolean NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL
      );
      CREATE UNIQUE INDEX id_tokens_key ON id_tokens (lower(id_token));

      CREATE TABLE transactions (
        id bigserial PRIMARY KEY,
        station_tx_id text COLLATE "C" NOT NULL,
        station_id text COLLATE "C" NOT NULL,
        evse_id bigint NOT NULL,
        connector_id bigint NOT NULL,
        id_token text COLLATE "C",
        started_at text COLLATE "C" NOT NULL,
        stopped_at text COLLATE "C",
        meter_start_wh double precision,
        meter_stop_wh double precision,
        last_meter_wh double precision,
        last_meter_at text COLLATE "C",
        energy_wh double precision,
        stop_reason text COLLATE "C",
        stop_id_token text COLLATE "C",
        reservation_id bigint,
        flags jsonb NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL
      );
      CREATE UNIQUE INDEX transactions_by_station_tx_id ON transactions (station_id, station_tx_id);
      CREATE UNIQUE INDEX transactions_same_start ON transactions
        (station_id, started_at, evse_id, connector_id, lower(id_token)) WHERE id_token IS NOT NULL;
      CREATE UNIQUE INDEX transactions_same_start_without_token ON transactions
        (station_id, started_at, evse_id, connector_id) WHERE id_token IS NULL;
      CREATE INDEX transactions_by_station ON transactions (station_id, started_at);
      CREATE INDEX transactions_by_start ON transactions (started_at);
      CREATE INDEX transactions_active_by_station ON transactions (station_id, started_at) WHERE stopped_at IS NULL;
      CREATE INDEX transactions_active_by_start ON transactions (started_at) WHERE stopped_at IS NULL;
      CREATE INDEX transactions_active_by_id_token ON transactions (lower(id_token), started_at)
        WHERE stopped_at IS NULL;

      CREATE TABLE meter_values (
        id bigserial PRIMARY KEY,
        station_id text COLLATE "C" NOT NULL,
        evse_id bigint NOT NULL,
        connector_id bigint NOT NULL,
        transaction_id text COLLATE "C" NOT NULL,
        timestamp text COLLATE "C" NOT NULL,
        measurand text COLLATE "C" NOT NULL,
        phase text COLLATE "C" NOT NULL,
        location text COLLATE "C" NOT NULL,
        context text COLLATE "C" NOT NULL,
        unit text COLLATE "C",
        format text COLLATE "C",
        value text COLLATE "C" NOT NULL,
        numeric_value double precision,
        received_at text COLLATE "C" NOT NULL
      );
      CREATE UNIQUE INDEX meter_values_identity ON meter_values
        (station_id, timestamp, evse_id, connector_id, transaction_id, measurand, phase, location, context,
         (CASE WHEN octet_length(value) <= 256 THEN value ELSE 'md5:' || md5(value) END));
      CREATE INDEX meter_values_by_transaction ON meter_values (transaction_id, timestamp)
        WHERE transaction_id <> '';

      CREATE TABLE commands (
        seq bigserial NOT NULL,
        id text COLLATE "C" PRIMARY KEY,
        station_id text COLLATE "C" NOT NULL,
        action text COLLATE "C" NOT NULL,
        request jsonb NOT NULL,
        actor text COLLATE "C" NOT NULL,
        origin text COLLATE "C",
        status text COLLATE "C" NOT NULL,
        response jsonb,
        error jsonb,
        created_at text COLLATE "C" NOT NULL,
        completed_at text COLLATE "C"
      );
      CREATE INDEX commands_by_station ON commands (station_id, created_at);
      CREATE INDEX commands_by_creation ON commands (created_at);

      CREATE TABLE station_events (
        id bigserial PRIMARY KEY,
        station_id text COLLATE "C" NOT NULL,
        type text COLLATE "C" NOT NULL,
        payload jsonb NOT NULL,
        timestamp text COLLATE "C" NOT NULL,
        received_at text COLLATE "C" NOT NULL
      );
      CREATE INDEX station_events_by_station ON station_events (station_id, timestamp);
    `,
  },
  {
    version: 2,
    name: 'meter values as one row per reading',
    // As SQLite's migration 2. The rows of meter_values become readings by (station, evse, connector, transaction,
    // timestamp), their values in stored order, each reading with the id and received_at of its first row. The
    // samples text is built here exactly as encodeSamples builds it (to_json escapes a string as JSON.stringify does),
    // and its digest as samplesDigest computes it, so that a replay of a reading stored before the migration is
    // still recognised. The indexes are built after the copy.
    sql: `
      CREATE TABLE meter_readings (
        id bigserial PRIMARY KEY,
        station_id text COLLATE "C" NOT NULL,
        evse_id bigint NOT NULL,
        connector_id bigint NOT NULL,
        transaction_id text COLLATE "C" NOT NULL,
        timestamp text COLLATE "C" NOT NULL,
        samples text COLLATE "C" NOT NULL,
        digest text COLLATE "C" NOT NULL,
        received_at text COLLATE "C" NOT NULL
      );

      INSERT INTO meter_readings
        (id, station_id, evse_id, connector_id, transaction_id, timestamp, samples, digest, received_at)
      SELECT id, station_id, evse_id, connector_id, transaction_id, timestamp, samples,
        left(encode(sha256(convert_to(samples, 'UTF8')), 'base64'), 22), received_at
      FROM (
        SELECT min(id) AS id, station_id, evse_id, connector_id, transaction_id, timestamp,
          '[' || string_agg(
            '[' || to_json(value)::text
            || ',' || to_json(measurand)::text
            || ',' || coalesce(to_json(nullif(phase, ''))::text, 'null')
            || ',' || coalesce(to_json(nullif(location, ''))::text, 'null')
            || ',' || coalesce(to_json(unit)::text, 'null')
            || ',' || coalesce(to_json(nullif(context, ''))::text, 'null')
            || ',' || coalesce(to_json(format)::text, 'null')
            || ']', ',' ORDER BY id) || ']' AS samples,
          (array_agg(received_at ORDER BY id))[1] AS received_at
        FROM meter_values
        GROUP BY station_id, evse_id, connector_id, transaction_id, timestamp
      ) AS readings;
      SELECT setval(pg_get_serial_sequence('meter_readings', 'id'),
        coalesce((SELECT max(id) FROM meter_readings), 0) + 1, false);

      CREATE UNIQUE INDEX meter_readings_identity ON meter_readings
        (station_id, timestamp, evse_id, connector_id, transaction_id, digest);
      CREATE INDEX meter_readings_by_transaction ON meter_readings (transaction_id, timestamp)
        WHERE transaction_id <> '';
      DROP TABLE meter_values;
    `,
  },
  {
    version: 3,
    name: 'OCPP 2.x transactions, device model and validation rules',
    // As SQLite's migration 3. The device model's names are compared without ASCII case through `lower()` in its
    // unique index (as id tokens are), its optional identity parts stored as '' and -1 (../device-variables.ts).
    sql: `
      ALTER TABLE transactions ADD COLUMN charging_state text COLLATE "C";
      ALTER TABLE transactions ADD COLUMN last_seq_no bigint;
      ALTER TABLE transactions ADD COLUMN remote_start_id bigint;

      ALTER TABLE stations ADD COLUMN validation_mode text COLLATE "C"
        CHECK (validation_mode IN ('strict', 'lenient', 'log-only'));

      CREATE TABLE transaction_events (
        id bigserial PRIMARY KEY,
        station_id text COLLATE "C" NOT NULL,
        station_tx_id text COLLATE "C" NOT NULL,
        seq_no bigint,
        event_type text COLLATE "C" NOT NULL,
        trigger_reason text COLLATE "C",
        timestamp text COLLATE "C" NOT NULL,
        offline boolean NOT NULL,
        transaction_id text COLLATE "C",
        payload jsonb NOT NULL,
        received_at text COLLATE "C" NOT NULL
      );
      CREATE UNIQUE INDEX transaction_events_by_seq_no ON transaction_events (station_id, station_tx_id, seq_no);
      CREATE UNIQUE INDEX transaction_events_without_seq_no ON transaction_events
        (station_id, station_tx_id, event_type, timestamp) WHERE seq_no IS NULL;

      CREATE TABLE device_variables (
        station_id text COLLATE "C" NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
        component text COLLATE "C" NOT NULL,
        component_instance text COLLATE "C" NOT NULL,
        evse_id bigint NOT NULL,
        connector_id bigint NOT NULL,
        variable text COLLATE "C" NOT NULL,
        variable_instance text COLLATE "C" NOT NULL,
        attribute_type text COLLATE "C" NOT NULL,
        value text COLLATE "C",
        mutability text COLLATE "C",
        persistent boolean,
        constant boolean,
        unit text COLLATE "C",
        data_type text COLLATE "C",
        min_limit double precision,
        max_limit double precision,
        values_list text COLLATE "C",
        supports_monitoring boolean,
        updated_at text COLLATE "C" NOT NULL
      );
      CREATE UNIQUE INDEX device_variables_identity ON device_variables (station_id, lower(component),
        lower(component_instance), evse_id, connector_id, lower(variable), lower(variable_instance), attribute_type);

      CREATE TABLE validation_rules (
        id text COLLATE "C" PRIMARY KEY,
        vendor text COLLATE "C" NOT NULL,
        model text COLLATE "C",
        firmware_prefix text COLLATE "C",
        mode text COLLATE "C" NOT NULL CHECK (mode IN ('strict', 'lenient', 'log-only')),
        description text COLLATE "C",
        created_at text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'smart charging: sites, signals, session needs, installed profiles',
    // As SQLite's migration 4: groups reference their parent within the site (NO ACTION: a site's delete cascades
    // through its tree in one statement; a group with children or members cannot go alone); an EVSE belongs to one
    // site at most; external load keeps the newest reading per measuring point ('' = the site itself).
    sql: `
      CREATE TABLE sites (
        id text COLLATE "C" PRIMARY KEY,
        name text COLLATE "C" NOT NULL,
        policy text COLLATE "C" NOT NULL CHECK (policy IN ('equal-share', 'priority', 'first-come-first-served')),
        nominal_voltage_v double precision NOT NULL,
        max_power_w double precision,
        max_current_a jsonb,
        default_energy_wh double precision,
        default_dwell_minutes double precision,
        slot_seconds bigint NOT NULL,
        horizon_hours double precision NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL
      );

      CREATE TABLE site_groups (
        site_id text COLLATE "C" NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
        id text COLLATE "C" NOT NULL,
        parent_id text COLLATE "C",
        name text COLLATE "C",
        max_power_w double precision,
        max_current_a jsonb,
        nominal_voltage_v double precision,
        created_at text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL,
        PRIMARY KEY (site_id, id),
        FOREIGN KEY (site_id, parent_id) REFERENCES site_groups (site_id, id)
      );

      CREATE TABLE site_members (
        station_id text COLLATE "C" NOT NULL,
        evse_id bigint NOT NULL,
        site_id text COLLATE "C" NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
        group_id text COLLATE "C",
        phases bigint NOT NULL CHECK (phases IN (1, 3)),
        phase text COLLATE "C" CHECK (phase IN ('L1', 'L2', 'L3')),
        phase_rotation text COLLATE "C",
        max_current_a double precision NOT NULL,
        max_power_w double precision,
        min_current_a double precision,
        rate_unit text COLLATE "C" NOT NULL CHECK (rate_unit IN ('A', 'W')),
        offline_fallback_a double precision,
        priority bigint NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL,
        PRIMARY KEY (station_id, evse_id),
        FOREIGN KEY (site_id, group_id) REFERENCES site_groups (site_id, id)
      );
      CREATE INDEX site_members_by_site ON site_members (site_id, station_id, evse_id);
      CREATE INDEX site_members_by_group ON site_members (site_id, group_id);

      CREATE TABLE site_tariffs (
        site_id text COLLATE "C" PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
        time_zone text COLLATE "C" NOT NULL,
        default_price_per_kwh double precision NOT NULL,
        periods jsonb NOT NULL,
        updated_at text COLLATE "C" NOT NULL
      );

      CREATE TABLE site_price_points (
        site_id text COLLATE "C" NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
        starts_at text COLLATE "C" NOT NULL,
        ends_at text COLLATE "C" NOT NULL,
        price_per_kwh double precision NOT NULL,
        PRIMARY KEY (site_id, starts_at)
      );

      CREATE TABLE demand_response_events (
        id text COLLATE "C" PRIMARY KEY,
        site_id text COLLATE "C" NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
        group_id text COLLATE "C",
        max_power_w double precision,
        max_current_a jsonb,
        starts_at text COLLATE "C" NOT NULL,
        ends_at text COLLATE "C" NOT NULL,
        label text COLLATE "C",
        created_at text COLLATE "C" NOT NULL
      );
      CREATE INDEX demand_response_events_by_site ON demand_response_events (site_id, ends_at);

      CREATE TABLE external_loads (
        site_id text COLLATE "C" NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
        group_key text COLLATE "C" NOT NULL,
        measured_at text COLLATE "C" NOT NULL,
        power_w double precision,
        current_a jsonb,
        received_at text COLLATE "C" NOT NULL,
        PRIMARY KEY (site_id, group_key)
      );

      CREATE TABLE session_needs (
        transaction_id text COLLATE "C" PRIMARY KEY,
        energy_wh double precision NOT NULL,
        departure text COLLATE "C" NOT NULL,
        source text COLLATE "C" NOT NULL CHECK (source IN ('api', 'station', 'default')),
        ev_max_power_w double precision,
        ev_max_current_a double precision,
        ev_min_current_a double precision,
        updated_at text COLLATE "C" NOT NULL
      );

      CREATE TABLE installed_charging_profiles (
        station_id text COLLATE "C" NOT NULL,
        profile_id bigint NOT NULL,
        evse_id bigint NOT NULL,
        purpose text COLLATE "C" NOT NULL,
        stack_level bigint NOT NULL,
        transaction_id text COLLATE "C",
        profile jsonb NOT NULL,
        status text COLLATE "C" NOT NULL CHECK (status IN ('Accepted', 'Rejected')),
        sent_at text COLLATE "C" NOT NULL,
        PRIMARY KEY (station_id, profile_id)
      );

      CREATE TABLE planner_leases (
        site_id text COLLATE "C" PRIMARY KEY,
        node_id text COLLATE "C" NOT NULL,
        expires_at_ms bigint NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'station passwords: Basic-auth hashes for security profiles 1 and 2',
    // Salted scrypt hashes (PHC strings) of the station's password, one per way its protocol reads it (1.6
    // AuthorizationKey bytes, 2.x BasicAuthPassword text); null where it is not valid that way, both null when the
    // station has no password. Never selected with the station record, so never in a view.
    sql: `
      ALTER TABLE stations ADD COLUMN authorization_key_hash text COLLATE "C";
      ALTER TABLE stations ADD COLUMN basic_auth_password_hash text COLLATE "C";
    `,
  },
  {
    version: 6,
    name: 'operator accounts, their tokens and the append-only audit log',
    // As SQLite's migration 6. The audit log refuses UPDATE, DELETE and TRUNCATE by trigger.
    sql: `
      CREATE TABLE operators (
        id text COLLATE "C" PRIMARY KEY,
        username text COLLATE "C" NOT NULL,
        role text COLLATE "C" NOT NULL,
        sites jsonb,
        password_hash text COLLATE "C" NOT NULL,
        totp_secret text COLLATE "C",
        mfa_enabled boolean NOT NULL DEFAULT false,
        totp_last_step bigint,
        disabled boolean NOT NULL DEFAULT false,
        created_at text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL
      );
      CREATE UNIQUE INDEX operators_username ON operators (lower(username));

      CREATE TABLE api_tokens (
        id text COLLATE "C" PRIMARY KEY,
        sha256 text COLLATE "C" NOT NULL UNIQUE,
        operator_id text COLLATE "C" NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
        kind text COLLATE "C" NOT NULL,
        name text COLLATE "C",
        scopes jsonb NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        expires_at text COLLATE "C" NOT NULL,
        last_used_at text COLLATE "C",
        revoked_at text COLLATE "C",
        created_from text COLLATE "C"
      );
      CREATE INDEX api_tokens_operator ON api_tokens (operator_id, kind, created_at);

      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at text COLLATE "C" NOT NULL,
        actor text COLLATE "C" NOT NULL,
        role text COLLATE "C",
        action text COLLATE "C" NOT NULL,
        target text COLLATE "C",
        outcome integer NOT NULL,
        remote_address text COLLATE "C",
        details jsonb
      );
      CREATE INDEX audit_log_at ON audit_log (at, id);
      CREATE INDEX audit_log_actor ON audit_log (actor, id);
      CREATE INDEX audit_log_target ON audit_log (target, id);
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit log is append-only'; END
      $$;
      CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
    `,
  },
  {
    version: 7,
    name: 'station password rotation: the pending password and the rotation state',
    // The new password of a rotation in progress (A01), as salted hashes like the current one, accepted besides it
    // until the station connects with it; and where the rotation stands (sent, accepted, completed, rejected,
    // failed). Never selected with the station record.
    sql: `
      ALTER TABLE stations ADD COLUMN pending_authorization_key_hash text COLLATE "C";
      ALTER TABLE stations ADD COLUMN pending_basic_auth_password_hash text COLLATE "C";
      ALTER TABLE stations ADD COLUMN password_rotation_status text COLLATE "C";
      ALTER TABLE stations ADD COLUMN password_rotation_requested_at text COLLATE "C";
      ALTER TABLE stations ADD COLUMN password_rotation_updated_at text COLLATE "C";
      ALTER TABLE stations ADD COLUMN password_rotation_detail text COLLATE "C";
    `,
  },
  {
    version: 8,
    name: 'certificates: issued station certificates, certificates stations hold, security events',
    // Issued certificates are keyed by their SHA-256 fingerprint; (issuer, serial) is unique per CA (RFC 5280).
    // What a station holds is keyed by its hash data (1.6 security extension / 2.x CertificateHashData), compared in
    // lowercase. Security events are a log (the bigserial orders equal times), searched by station, time, type and
    // criticality.
    sql: `
      CREATE TABLE certificates (
        fingerprint_sha256 text COLLATE "C" PRIMARY KEY,
        serial_number text COLLATE "C" NOT NULL,
        issuer text COLLATE "C" NOT NULL,
        subject text COLLATE "C" NOT NULL,
        common_name text COLLATE "C",
        organization text COLLATE "C",
        station_id text COLLATE "C",
        certificate_type text COLLATE "C" NOT NULL,
        not_before text COLLATE "C" NOT NULL,
        not_after text COLLATE "C" NOT NULL,
        status text COLLATE "C" NOT NULL,
        pem text COLLATE "C" NOT NULL,
        issued_at text COLLATE "C" NOT NULL,
        installed_at text COLLATE "C",
        revoked_at text COLLATE "C",
        revocation_reason text COLLATE "C",
        renewal_requested_at text COLLATE "C"
      );
      CREATE UNIQUE INDEX certificates_by_issuer_serial ON certificates (issuer, serial_number);
      CREATE INDEX certificates_by_serial ON certificates (serial_number);
      CREATE INDEX certificates_by_station ON certificates (station_id, not_after);
      CREATE INDEX certificates_by_expiry ON certificates (not_after);
      CREATE TABLE station_certificates (
        station_id text COLLATE "C" NOT NULL,
        certificate_type text COLLATE "C" NOT NULL,
        hash_algorithm text COLLATE "C" NOT NULL,
        issuer_name_hash text COLLATE "C" NOT NULL,
        issuer_key_hash text COLLATE "C" NOT NULL,
        serial_number text COLLATE "C" NOT NULL,
        pem text COLLATE "C",
        source text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL,
        PRIMARY KEY (station_id, certificate_type, hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number)
      );
      CREATE TABLE security_events (
        id bigserial PRIMARY KEY,
        station_id text COLLATE "C" NOT NULL,
        type text COLLATE "C" NOT NULL,
        critical boolean NOT NULL,
        tech_info text COLLATE "C",
        timestamp text COLLATE "C" NOT NULL,
        received_at text COLLATE "C" NOT NULL,
        source text COLLATE "C" NOT NULL
      );
      CREATE INDEX security_events_by_time ON security_events (timestamp);
      CREATE INDEX security_events_by_station ON security_events (station_id, timestamp);
    `,
  },
  {
    version: 9,
    name: 'V2G: discharge consent and exported energy of a session need',
    sql: `
      ALTER TABLE session_needs ADD COLUMN ev_max_discharge_power_w double precision;
      ALTER TABLE session_needs ADD COLUMN ev_dischargeable_wh double precision;
      ALTER TABLE session_needs ADD COLUMN export_start_wh double precision;
      ALTER TABLE session_needs ADD COLUMN last_export_wh double precision;
    `,
  },
  {
    version: 10,
    name: 'room on the pages of transactions and stations for in-place (HOT) updates',
    // Every second Joule writes the latest meter register of each active transaction and the last-seen time of each
    // station that spoke. With full pages almost every such UPDATE put the new row version on another page and added
    // an entry to each of the table's indexes (nine on transactions), which also had to be cleaned up again. With room
    // left on the page, and no indexed column changed, PostgreSQL updates the row in place (a HOT update) and leaves
    // the indexes alone. Pages written from now on keep 30 % free; existing rows move into such pages as they change.
    sql: `
      ALTER TABLE transactions SET (fillfactor = 70);
      ALTER TABLE stations SET (fillfactor = 70);
    `,
  },
  {
    version: 11,
    name: 'meter readings under one index',
    // As SQLite's migration 10. A second index on meter_readings cost every inserted reading one more index entry
    // (about a tenth of the database's CPU per reading). A transaction's readings are read through the identity
    // index: its station, filtered by transaction id inside the index.
    sql: `
      DROP INDEX meter_readings_by_transaction;
    `,
  },
  {
    version: 12,
    name: 'meter readings keyed by their identity',
    // The identity of a reading (station, timestamp, EVSE, connector, transaction, digest of its sampled values) is
    // its primary key, and the serial id a column without an index of its own: every inserted reading then adds one
    // index entry, not two. The id still orders readings of one timestamp as they arrived.
    sql: `
      ALTER TABLE meter_readings DROP CONSTRAINT meter_readings_pkey;
      ALTER TABLE meter_readings ADD CONSTRAINT meter_readings_identity PRIMARY KEY USING INDEX meter_readings_identity;
    `,
  },
  {
    version: 13,
    name: 'login attempts counted in the store',
    // As SQLite's migration 12: one fixed window of login attempts per user name and per address, shared by every node.
    sql: `
      CREATE TABLE login_attempts (
        key text COLLATE "C" PRIMARY KEY,
        started_at_ms bigint NOT NULL,
        attempts integer NOT NULL
      );
      CREATE INDEX login_attempts_started ON login_attempts (started_at_ms);
    `,
  },
  {
    version: 14,
    name: 'sampled values stored with codes',
    // As SQLite's migration 13: the enumeration values of stored sampled values become codes (sample-codes.ts), a
    // reading of ten sampled values 275 bytes instead of 676. The text is built here exactly as encodeSamples
    // builds it (to_json escapes a string as JSON.stringify does), and the digest as samplesDigest computes it, so
    // that a replay of a reading stored before the migration is still recognised.
    // jsonb reads a reading once where json parses an element again for every field (about twice as fast); a reading
    // whose text holds an escaped NUL, which neither jsonb nor PostgreSQL's JSON functions will unescape, is recoded
    // in code after it.
    sql: recodeReadingsSql(),
    after: recodeReadingsWithNul,
  },
  {
    version: 15,
    name: 'certificate signing requests queued for an external CA',
    // As SQLite's migration 14: a station's CSR waits for an operator to have it signed elsewhere (or to reject it).
    // Lists run by status or by station, newest first; queuing a CSR looks up the station's pending ones of its type,
    // which it supersedes.
    sql: `
      CREATE TABLE certificate_signing_requests (
        id text COLLATE "C" PRIMARY KEY,
        station_id text COLLATE "C" NOT NULL,
        certificate_type text COLLATE "C" NOT NULL,
        request_id bigint,
        csr_pem text COLLATE "C" NOT NULL,
        subject text COLLATE "C" NOT NULL,
        common_name text COLLATE "C",
        organization text COLLATE "C",
        key_description text COLLATE "C" NOT NULL,
        status text COLLATE "C" NOT NULL CHECK (status IN ('pending', 'signed', 'rejected', 'superseded')),
        received_at text COLLATE "C" NOT NULL,
        decided_at text COLLATE "C",
        decided_by text COLLATE "C",
        reason text COLLATE "C",
        certificate_fingerprint text COLLATE "C"
      );
      CREATE INDEX certificate_signing_requests_by_status ON certificate_signing_requests (status, received_at);
      CREATE INDEX certificate_signing_requests_by_station ON certificate_signing_requests (station_id, received_at);
      CREATE INDEX certificate_signing_requests_pending ON certificate_signing_requests (station_id, certificate_type)
        WHERE status = 'pending';
    `,
  },
];

/** Migration 14's re-encoding (and new digest) of every reading without an escaped NUL. */
function recodeReadingsSql(): string {
  const codes = `$codes$${JSON.stringify(Object.fromEntries(SAMPLE_TERMS.map((term, index) => [term, index + 1])))}$codes$::jsonb`;
  const fields = [1, 2, 3, 4, 5, 6].map((field) => `',' || ${recodedField(`e.s -> ${field}`, 'codes.map')}`).join(' || ');
  return `
      UPDATE meter_readings m SET (samples, digest) = (
        SELECT recoded.samples, left(encode(sha256(convert_to(recoded.samples, 'UTF8')), 'base64'), 22)
        FROM (
          SELECT '[' || string_agg('[' || to_json(e.s ->> 0)::text || ${fields} || ']', ',' ORDER BY e.n) || ']' AS samples
          FROM (SELECT ${codes} AS map) AS codes, jsonb_array_elements(m.samples::jsonb) WITH ORDINALITY AS e (s, n)
        ) AS recoded
      )
      WHERE m.samples <> '[]' AND strpos(m.samples, '\\u0000') = 0`;
}

/**
 * SQL for one stored field of a sampled value (`value`, a jsonb expression) as encodeSamples writes it: null as 0, a
 * code as it is, a listed term as its code (`codes`: a jsonb object from term to code), any other string as a JSON
 * string.
 */
function recodedField(value: string, codes: string): string {
  return `CASE jsonb_typeof(${value}) WHEN 'null' THEN '0' WHEN 'number' THEN (${value})::text
    ELSE coalesce(${codes} ->> (${value} #>> '{}'), to_json(${value} #>> '{}')::text) END`;
}

/** Migration 14's re-encoding of the (rare) readings whose text holds an escaped NUL, found by their row address. */
async function recodeReadingsWithNul(client: PoolClient): Promise<void> {
  const rows = await client.query<{ ctid: string; samples: string }>(
    "SELECT ctid::text AS ctid, samples FROM meter_readings WHERE strpos(samples, '\\u0000') > 0",
  );
  for (const row of rows.rows) {
    const samples = recodeSamples(row.samples);
    await client.query('UPDATE meter_readings SET samples = $1, digest = $2 WHERE ctid = $3::tid', [samples, samplesDigest(samples), row.ctid]);
  }
}

/** The advisory lock that serialises migrations of one schema: (Joule's class id, hash of the schema name). */
const LOCK_CLASS = 0x4a6f756c; // "Joul"

/**
 * Brings the schema up to date: under a session advisory lock (so that Joule processes starting together against
 * one database migrate one after the other), creates the schema and `schema_migrations` if missing, then applies,
 * in order, each migration newer than the latest recorded one, each in its own transaction (PostgreSQL DDL is
 * transactional: a migration is applied whole or not at all). Returns the versions applied now (empty when the
 * schema was current). Refuses a schema written by a newer Joule.
 */
export async function runMigrations(pool: Pool, schema: string): Promise<number[]> {
  assertSchemaName(schema);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_CLASS, schema]);
    try {
      return await migrateLocked(client, schema);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, schema]);
    }
  } catch (error) {
    // A connection whose state is unknown (e.g. still holding the lock) is closed rather than reused.
    broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.release(broken);
  }
}

async function migrateLocked(client: PoolClient, schema: string): Promise<number[]> {
  const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  // Only when missing: CREATE SCHEMA IF NOT EXISTS would still need the CREATE privilege on the database.
  if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${escapeIdentifier(schema)}`);
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at text NOT NULL
  )`);
  const currentVersion = async (): Promise<number> => {
    const result = await client.query('SELECT coalesce(max(version), 0) AS version FROM schema_migrations');
    return integer(result.rows[0] ?? {}, 'version');
  };

  const ordered = [...MIGRATIONS].sort((a, b) => a.version - b.version);
  const latestKnown = ordered.at(-1)?.version ?? 0;
  const found = await currentVersion();
  if (found > latestKnown) {
    throw new Error(`Database schema version ${found} is newer than this Joule knows (${latestKnown}): upgrade Joule`);
  }

  const applied: number[] = [];
  for (const migration of ordered) {
    if (migration.version <= found) continue;
    await client.query('BEGIN');
    try {
      // A migration that rewrites data runs as long as the data takes: a statement_timeout of the role, the database or
      // the URL's options must not cut it off (and leave Joule unable to start).
      await client.query('SET LOCAL statement_timeout = 0');
      await client.query(migration.sql);
      await migration.after?.(client);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        new Date().toISOString(),
      ]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    applied.push(migration.version);
  }
  return applied;
}
