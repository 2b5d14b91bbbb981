import type { BootInfo, RegistrationStatus, StationRegistration } from './ports.ts';

/**
 * The columns of `stations` both stores read and write, and which of them each kind of change owns. The password
 * columns are left out: they are read and written only by the password methods, never returned with a station.
 */
export const STATION_COLUMNS = `id, protocol, vendor, model, serial_number, charge_box_serial_number, firmware_version, iccid,
  imsi, meter_type, meter_serial_number, registration_status, registered, boot_policy, security_profile,
  default_protocol, description, validation_mode, last_boot_at, last_seen, created_at, updated_at`;

/** A station row's password rotation (migration 7): its state and the pending password's hashes. */
export const PASSWORD_ROTATION_COLUMNS = `pending_authorization_key_hash, pending_basic_auth_password_hash,
  password_rotation_status, password_rotation_requested_at, password_rotation_updated_at, password_rotation_detail`;

/** A station row's password hashes and its password rotation, read at connect. */
export const PASSWORD_COLUMNS = `authorization_key_hash, basic_auth_password_hash, ${PASSWORD_ROTATION_COLUMNS}`;

/** SELECT of a station with its password columns (`StationRepository.forConnection`); `parameter` is the engine's `?`. */
export function selectForConnectionSql(parameter: string): string {
  return `SELECT ${STATION_COLUMNS}, ${PASSWORD_COLUMNS} FROM stations WHERE id = ${parameter}`;
}

/** What an operator may set, as (port field, column); `register` updates only the fields it was given. */
export const REGISTRATION_FIELDS = [
  ['registered', 'registered'],
  ['bootPolicy', 'boot_policy'],
  ['securityProfile', 'security_profile'],
  ['defaultProtocol', 'default_protocol'],
  ['description', 'description'],
  ['validationMode', 'validation_mode'],
] as const;

/** The identity a BootNotification carries, as (port field, column). */
export const BOOT_FIELDS = [
  ['protocol', 'protocol'],
  ['vendor', 'vendor'],
  ['model', 'model'],
  ['serialNumber', 'serial_number'],
  ['chargeBoxSerialNumber', 'charge_box_serial_number'],
  ['firmwareVersion', 'firmware_version'],
  ['iccid', 'iccid'],
  ['imsi', 'imsi'],
  ['meterType', 'meter_type'],
  ['meterSerialNumber', 'meter_serial_number'],
] as const;

/** How a store writes the n-th (1-based) statement parameter: `$1` on PostgreSQL, `?1` on SQLite. */
export type Placeholder = (n: number) => string;

/**
 * Creates or updates a station after a boot, in one statement (atomic against a concurrent boot or registration):
 * the identity fields, the answer and the boot time; the operator's fields and the stored last-seen time stay.
 * Parameters: {@link bootValues}.
 */
export function recordBootSql(p: Placeholder): string {
  const last = BOOT_FIELDS.length + 1;
  return `INSERT INTO stations (id, ${BOOT_FIELDS.map(([, column]) => column).join(', ')}, registration_status,
      last_boot_at, last_seen, created_at, updated_at)
    VALUES (${p(1)}, ${BOOT_FIELDS.map((_, index) => p(index + 2)).join(', ')}, ${p(last + 1)}, ${p(last + 2)},
      ${p(last + 3)}, ${p(last + 4)}, ${p(last + 4)})
    ON CONFLICT (id) DO UPDATE SET ${BOOT_FIELDS.map(([, column]) => `${column} = excluded.${column}`).join(', ')},
      registration_status = excluded.registration_status, last_boot_at = excluded.last_boot_at,
      updated_at = excluded.updated_at
    RETURNING ${STATION_COLUMNS}`;
}

/** The parameters of {@link recordBootSql}; `lastSeen` is the station's last-seen time for a new row. */
export function bootValues(id: string, info: BootInfo, status: RegistrationStatus, at: string, lastSeen: string | null): (string | null)[] {
  return [id, ...BOOT_FIELDS.map(([field]) => info[field] ?? null), status, at, lastSeen, new Date().toISOString()];
}

/** The registration fields `registration` gives (the others it leaves as they are), as their columns. */
export function givenRegistrationColumns(registration: StationRegistration): string[] {
  return REGISTRATION_FIELDS.filter(([field]) => registration[field] !== undefined).map(([, column]) => column);
}

/**
 * Creates a station, or updates the registration fields `columns` of one, in one statement; returns the row.
 * Parameters: {@link registrationValues}.
 */
export function registerSql(columns: readonly string[], p: Placeholder): string {
  const updates = [...columns.map((column) => `${column} = excluded.${column}`), 'updated_at = excluded.updated_at'];
  const values = [...REGISTRATION_FIELDS.map((_, index) => p(index + 2)), p(REGISTRATION_FIELDS.length + 2)];
  const now = p(REGISTRATION_FIELDS.length + 3);
  return `INSERT INTO stations (id, ${REGISTRATION_FIELDS.map(([, column]) => column).join(', ')}, last_seen,
      created_at, updated_at)
    VALUES (${p(1)}, ${values.join(', ')}, ${now}, ${now})
    ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')}
    RETURNING ${STATION_COLUMNS}`;
}

/** The parameters of {@link registerSql}: a field not given is written as on a new station (and kept on an old one). */
export function registrationValues(registration: StationRegistration, lastSeen: string | null): (string | number | boolean | null)[] {
  return [
    registration.id,
    registration.registered ?? false,
    registration.bootPolicy ?? null,
    registration.securityProfile ?? null,
    registration.defaultProtocol ?? null,
    registration.description ?? null,
    registration.validationMode ?? null,
    lastSeen,
    new Date().toISOString(),
  ];
}
