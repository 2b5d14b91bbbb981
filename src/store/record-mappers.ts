import type {
  PasswordRotationRecord,
  PasswordRotationStatus,
  StationPasswordHashes,
  CommandRecord, CommandStatus, ConfigurationKeyRecord, ConnectorStatusRecord, DeviceVariableRecord, IdTokenRecord,
  RegistrationStatus, StationEventRecord, StationRecord, TransactionEventRecord, TransactionRecord, ValidationMode,
  ValidationRuleRecord,
} from './ports.ts';
import { NO_NUMBER, NO_TEXT } from './device-variables.ts';

/** One result row of either engine, by column name. */
export type ResultRow = Record<string, unknown>;

/**
 * How an engine reads typed values from its rows (SQLite: booleans as 0/1, JSON as text; PostgreSQL: booleans,
 * jsonb parsed, bigint as decimal strings). Each read checks the value and names the column when it does not fit.
 */
export interface ColumnReader {
  text(row: ResultRow, column: string): string;
  nullableText(row: ResultRow, column: string): string | null;
  integer(row: ResultRow, column: string): number;
  nullableNumber(row: ResultRow, column: string): number | null;
  boolean(row: ResultRow, column: string): boolean;
  nullableBoolean(row: ResultRow, column: string): boolean | null;
  json<T>(row: ResultRow, column: string): T;
  nullableJson<T>(row: ResultRow, column: string): T | null;
  oneOf<T extends string>(row: ResultRow, column: string, allowed: readonly T[]): T;
  nullableOneOf<T extends string>(row: ResultRow, column: string, allowed: readonly T[]): T | null;
  /** An integer key as its exact decimal string. */
  key(row: ResultRow, column: string): string;
}

const REGISTRATION_STATUSES: readonly RegistrationStatus[] = ['Accepted', 'Pending', 'Rejected'];
const COMMAND_STATUSES: readonly CommandStatus[] = ['pending', 'completed', 'error', 'timeout', 'failed'];
const PASSWORD_ROTATION_STATUSES: readonly PasswordRotationStatus[] = ['sent', 'accepted', 'completed', 'rejected', 'failed'];
export const VALIDATION_MODES: readonly ValidationMode[] = ['strict', 'lenient', 'log-only'];

/** Rows to records, the same for every engine: the tables have the same columns in SQLite and PostgreSQL. */
export function recordMappers(c: ColumnReader) {
  return {
    /** The password hashes of a station row; undefined when it has no password. */
    passwordHashes(row: ResultRow): StationPasswordHashes | undefined {
      const authorizationKey = c.nullableText(row, 'authorization_key_hash');
      const basicAuthPassword = c.nullableText(row, 'basic_auth_password_hash');
      return authorizationKey === null && basicAuthPassword === null ? undefined : { authorizationKey, basicAuthPassword };
    },

    /** The password-rotation columns of a station row (migration 7); undefined when the station never rotated. */
    passwordRotation(row: ResultRow): PasswordRotationRecord | undefined {
      const status = c.nullableOneOf(row, 'password_rotation_status', PASSWORD_ROTATION_STATUSES);
      if (status === null) return undefined;
      const pending = {
        authorizationKey: c.nullableText(row, 'pending_authorization_key_hash'),
        basicAuthPassword: c.nullableText(row, 'pending_basic_auth_password_hash'),
      };
      return {
        status,
        requestedAt: c.text(row, 'password_rotation_requested_at'),
        updatedAt: c.text(row, 'password_rotation_updated_at'),
        detail: c.nullableText(row, 'password_rotation_detail'),
        pending: pending.authorizationKey === null && pending.basicAuthPassword === null ? null : pending,
      };
    },

    station(row: ResultRow): StationRecord {
      return {
        id: c.text(row, 'id'),
        protocol: c.nullableText(row, 'protocol'),
        vendor: c.nullableText(row, 'vendor'),
        model: c.nullableText(row, 'model'),
        serialNumber: c.nullableText(row, 'serial_number'),
        chargeBoxSerialNumber: c.nullableText(row, 'charge_box_serial_number'),
        firmwareVersion: c.nullableText(row, 'firmware_version'),
        iccid: c.nullableText(row, 'iccid'),
        imsi: c.nullableText(row, 'imsi'),
        meterType: c.nullableText(row, 'meter_type'),
        meterSerialNumber: c.nullableText(row, 'meter_serial_number'),
        registrationStatus: c.nullableOneOf(row, 'registration_status', REGISTRATION_STATUSES),
        registered: c.boolean(row, 'registered'),
        bootPolicy: c.nullableOneOf(row, 'boot_policy', REGISTRATION_STATUSES),
        securityProfile: c.nullableNumber(row, 'security_profile'),
        defaultProtocol: c.nullableText(row, 'default_protocol'),
        description: c.nullableText(row, 'description'),
        validationMode: c.nullableOneOf(row, 'validation_mode', VALIDATION_MODES),
        lastBootAt: c.nullableText(row, 'last_boot_at'),
        lastSeen: c.nullableText(row, 'last_seen'),
        createdAt: c.text(row, 'created_at'),
        updatedAt: c.text(row, 'updated_at'),
      };
    },

    connectorStatus(row: ResultRow): ConnectorStatusRecord {
      return {
        stationId: c.text(row, 'station_id'),
        evseId: c.integer(row, 'evse_id'),
        connectorId: c.integer(row, 'connector_id'),
        status: c.text(row, 'status'),
        errorCode: c.nullableText(row, 'error_code'),
        info: c.nullableText(row, 'info'),
        vendorId: c.nullableText(row, 'vendor_id'),
        vendorErrorCode: c.nullableText(row, 'vendor_error_code'),
        timestamp: c.text(row, 'timestamp'),
        receivedAt: c.text(row, 'received_at'),
      };
    },

    configurationKey(row: ResultRow): ConfigurationKeyRecord {
      return {
        stationId: c.text(row, 'station_id'),
        key: c.text(row, 'key'),
        value: c.nullableText(row, 'value'),
        readonly: c.boolean(row, 'readonly'),
        updatedAt: c.text(row, 'updated_at'),
      };
    },

    idToken(row: ResultRow): IdTokenRecord {
      return {
        idToken: c.text(row, 'id_token'),
        status: c.text(row, 'status'),
        expiryDate: c.nullableText(row, 'expiry_date'),
        groupId: c.nullableText(row, 'group_id'),
        allowConcurrentTx: c.boolean(row, 'allow_concurrent_tx'),
        createdAt: c.text(row, 'created_at'),
        updatedAt: c.text(row, 'updated_at'),
      };
    },

    transaction(row: ResultRow): TransactionRecord {
      return {
        id: c.key(row, 'id'),
        stationTxId: c.text(row, 'station_tx_id'),
        stationId: c.text(row, 'station_id'),
        evseId: c.integer(row, 'evse_id'),
        connectorId: c.integer(row, 'connector_id'),
        idToken: c.nullableText(row, 'id_token'),
        startedAt: c.text(row, 'started_at'),
        stoppedAt: c.nullableText(row, 'stopped_at'),
        meterStartWh: c.nullableNumber(row, 'meter_start_wh'),
        meterStopWh: c.nullableNumber(row, 'meter_stop_wh'),
        lastMeterWh: c.nullableNumber(row, 'last_meter_wh'),
        energyWh: c.nullableNumber(row, 'energy_wh'),
        stopReason: c.nullableText(row, 'stop_reason'),
        stopIdToken: c.nullableText(row, 'stop_id_token'),
        reservationId: c.nullableNumber(row, 'reservation_id'),
        chargingState: c.nullableText(row, 'charging_state'),
        lastSeqNo: c.nullableNumber(row, 'last_seq_no'),
        remoteStartId: c.nullableNumber(row, 'remote_start_id'),
        flags: c.json<string[]>(row, 'flags'),
        createdAt: c.text(row, 'created_at'),
        updatedAt: c.text(row, 'updated_at'),
      };
    },

    command(row: ResultRow): CommandRecord {
      return {
        id: c.text(row, 'id'),
        stationId: c.text(row, 'station_id'),
        action: c.text(row, 'action'),
        request: c.json<Record<string, unknown>>(row, 'request'),
        actor: c.text(row, 'actor'),
        origin: c.nullableText(row, 'origin'),
        status: c.oneOf(row, 'status', COMMAND_STATUSES),
        response: c.nullableJson<Record<string, unknown>>(row, 'response'),
        error: c.nullableJson<CommandRecord['error']>(row, 'error'),
        createdAt: c.text(row, 'created_at'),
        completedAt: c.nullableText(row, 'completed_at'),
      };
    },

    stationEvent(row: ResultRow): StationEventRecord {
      return {
        stationId: c.text(row, 'station_id'),
        type: c.text(row, 'type'),
        payload: c.json<Record<string, unknown>>(row, 'payload'),
        timestamp: c.text(row, 'timestamp'),
        receivedAt: c.text(row, 'received_at'),
      };
    },

    transactionEvent(row: ResultRow): TransactionEventRecord {
      return {
        stationId: c.text(row, 'station_id'),
        stationTxId: c.text(row, 'station_tx_id'),
        seqNo: c.nullableNumber(row, 'seq_no'),
        eventType: c.text(row, 'event_type'),
        triggerReason: c.nullableText(row, 'trigger_reason'),
        timestamp: c.text(row, 'timestamp'),
        offline: c.boolean(row, 'offline'),
        transactionId: c.nullableText(row, 'transaction_id'),
        payload: c.json<Record<string, unknown>>(row, 'payload'),
        receivedAt: c.text(row, 'received_at'),
      };
    },

    /** The optional identity columns hold sentinels (see ./device-variables.ts), read back as null. */
    deviceVariable(row: ResultRow): DeviceVariableRecord {
      const textOrNull = (column: string): string | null => {
        const value = c.text(row, column);
        return value === NO_TEXT ? null : value;
      };
      const numberOrNull = (column: string): number | null => {
        const value = c.integer(row, column);
        return value === NO_NUMBER ? null : value;
      };
      return {
        stationId: c.text(row, 'station_id'),
        component: c.text(row, 'component'),
        componentInstance: textOrNull('component_instance'),
        evseId: numberOrNull('evse_id'),
        connectorId: numberOrNull('connector_id'),
        variable: c.text(row, 'variable'),
        variableInstance: textOrNull('variable_instance'),
        attributeType: c.text(row, 'attribute_type'),
        value: c.nullableText(row, 'value'),
        mutability: c.nullableText(row, 'mutability'),
        persistent: c.nullableBoolean(row, 'persistent'),
        constant: c.nullableBoolean(row, 'constant'),
        unit: c.nullableText(row, 'unit'),
        dataType: c.nullableText(row, 'data_type'),
        minLimit: c.nullableNumber(row, 'min_limit'),
        maxLimit: c.nullableNumber(row, 'max_limit'),
        valuesList: c.nullableText(row, 'values_list'),
        supportsMonitoring: c.nullableBoolean(row, 'supports_monitoring'),
        updatedAt: c.text(row, 'updated_at'),
      };
    },

    validationRule(row: ResultRow): ValidationRuleRecord {
      return {
        id: c.text(row, 'id'),
        vendor: c.text(row, 'vendor'),
        model: c.nullableText(row, 'model'),
        firmwarePrefix: c.nullableText(row, 'firmware_prefix'),
        mode: c.oneOf(row, 'mode', VALIDATION_MODES),
        description: c.nullableText(row, 'description'),
        createdAt: c.text(row, 'created_at'),
        updatedAt: c.text(row, 'updated_at'),
      };
    },
  };
}
