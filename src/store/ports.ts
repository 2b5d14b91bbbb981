/**
 * Persistence ports: what the domain asks of a store, independent of the engine (SQLite or PostgreSQL).
 * Every write returns only once it is durable (committed); adapters group concurrent writes into one commit.
 * Timestamps are ISO 8601 UTC strings.
 */

export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected';

export interface StationRecord {
  id: string;
  /** The OCPP version negotiated on the latest connection, e.g. `ocpp1.6`. */
  protocol: string | null;
  vendor: string | null;
  model: string | null;
  serialNumber: string | null;
  chargeBoxSerialNumber: string | null;
  firmwareVersion: string | null;
  iccid: string | null;
  imsi: string | null;
  meterType: string | null;
  meterSerialNumber: string | null;
  /** The answer given to the latest BootNotification, null before the first one. */
  registrationStatus: RegistrationStatus | null;
  /** Registered by an operator (true) or auto-registered on first connection (false). */
  registered: boolean;
  /** Boot policy override for this station; null = the server default. */
  bootPolicy: RegistrationStatus | null;
  /** Security profile 0-3 (enforced from issue 6 on); null = the listener default. */
  securityProfile: number | null;
  /** Protocol to assume when the station offers no subprotocol (field notes §3 #1). */
  defaultProtocol: string | null;
  /** Free-form operator labels. */
  description: string | null;
  /** How this station's messages are validated (field notes §2 #2); null = a matching vendor rule or the server default. */
  validationMode: ValidationMode | null;
  lastBootAt: string | null;
  lastSeen: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What an operator may set through `PUT /stations/{id}`. */
export interface StationRegistration {
  id: string;
  registered?: boolean;
  bootPolicy?: RegistrationStatus | null;
  securityProfile?: number | null;
  defaultProtocol?: string | null;
  description?: string | null;
  validationMode?: ValidationMode | null;
}

/**
 * How strictly a station's messages are checked against the schemas: `strict` answers every violation with a
 * CALLERROR; `lenient` normalises what can be normalised (field notes §3) and refuses only unusable messages;
 * `log-only` logs violations and processes whatever the adapter can use.
 */
export type ValidationMode = 'strict' | 'lenient' | 'log-only';

/** A validation mode for every station of a vendor (and optionally a model and firmware version prefix). */
export interface ValidationRuleRecord {
  id: string;
  /** Matched case-insensitively against the BootNotification's vendor. */
  vendor: string;
  /** Matched case-insensitively; null = every model of the vendor. */
  model: string | null;
  /** A prefix of the firmware version; null = every version. */
  firmwarePrefix: string | null;
  mode: ValidationMode;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface BootInfo {
  protocol: string;
  vendor: string;
  model: string;
  serialNumber?: string | undefined;
  chargeBoxSerialNumber?: string | undefined;
  firmwareVersion?: string | undefined;
  iccid?: string | undefined;
  imsi?: string | undefined;
  meterType?: string | undefined;
  meterSerialNumber?: string | undefined;
}

/** Current state of one connector. `evseId` 0 / `connectorId` 0 is the station itself. */
export interface ConnectorStatusRecord {
  stationId: string;
  evseId: number;
  connectorId: number;
  status: string;
  errorCode: string | null;
  info: string | null;
  vendorId: string | null;
  vendorErrorCode: string | null;
  /** The station's timestamp (falls back to the server's when absent). */
  timestamp: string;
  receivedAt: string;
}

export interface IdTokenRecord {
  /** Compared case-insensitively (OCPP CiString). */
  idToken: string;
  status: string;
  expiryDate: string | null;
  /** Parent / group id token (1.6 parentIdTag, 2.x groupIdToken). */
  groupId: string | null;
  /** Whether this token may hold more than one transaction at a time. */
  allowConcurrentTx: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface TransactionRecord {
  /** Joule's id, unique across the system (1.6 stations receive it as their integer transactionId). */
  id: string;
  /** The id the station uses for this transaction. */
  stationTxId: string;
  stationId: string;
  evseId: number;
  connectorId: number;
  idToken: string | null;
  startedAt: string;
  stoppedAt: string | null;
  meterStartWh: number | null;
  meterStopWh: number | null;
  /** Latest energy register seen during the transaction (from meter values). */
  lastMeterWh: number | null;
  energyWh: number | null;
  stopReason: string | null;
  stopIdToken: string | null;
  reservationId: number | null;
  /** 2.x chargingState (Charging, EVConnected, SuspendedEV, SuspendedEVSE, Idle) of the newest event; null if unknown. */
  chargingState: string | null;
  /** Highest 2.x TransactionEvent seqNo applied to this record; null for 1.6 transactions. */
  lastSeqNo: number | null;
  /** 2.x remoteStartId that RequestStartTransaction gave, when the station reported it. */
  remoteStartId: number | null;
  /** Why the record is unusual, e.g. `orphan-stop` (a stop for a transaction never started here). */
  flags: string[];
  createdAt: string;
  updatedAt: string;
}

export interface TransactionStart {
  stationId: string;
  evseId: number;
  connectorId: number;
  idToken: string | null;
  meterStartWh: number | null;
  startedAt: string;
  reservationId?: number | null;
  /** The station's own id (2.x); absent when Joule assigns it (1.6), in which case it equals the new `id`. */
  stationTxId?: string;
  flags?: string[];
  chargingState?: string | null;
  lastSeqNo?: number | null;
  remoteStartId?: number | null;
}

export interface TransactionStop {
  id: string;
  stoppedAt: string;
  meterStopWh: number | null;
  stopReason: string | null;
  stopIdToken: string | null;
  /** When given (also null), stored as the energy instead of meterStop - meterStart (e.g. null for a suspect baseline). */
  energyWh?: number | null;
  /** Flags added to the record (kept, not duplicated). */
  addFlags?: string[];
  chargingState?: string | null;
  lastSeqNo?: number | null;
}

/**
 * Fields of a transaction that later (or out-of-order) events correct. Only the given fields change; `addFlags` are
 * added to the existing flags without duplicates.
 */
export interface TransactionAmendment {
  startedAt?: string;
  meterStartWh?: number | null;
  idToken?: string | null;
  evseId?: number;
  connectorId?: number;
  reservationId?: number | null;
  chargingState?: string | null;
  lastSeqNo?: number | null;
  remoteStartId?: number | null;
  /** Only for a stopped transaction: a recomputed energy (e.g. after a late Started supplied meterStart). */
  energyWh?: number | null;
  addFlags?: string[];
}

/** One 2.x TransactionEvent as received (kept for audit, replay detection and ordering by seqNo). */
export interface TransactionEventRecord {
  stationId: string;
  stationTxId: string;
  /** The station's seqNo; null when it sent none (lenient mode). */
  seqNo: number | null;
  eventType: string;
  triggerReason: string | null;
  /** The station's timestamp. */
  timestamp: string;
  offline: boolean;
  /** Joule's transaction id the event was applied to, once known. */
  transactionId: string | null;
  /** The event's payload as received (after normalisation). */
  payload: Record<string, unknown>;
  receivedAt: string;
}

export interface TransactionQuery {
  stationId?: string;
  /** Only these stations' (a caller limited to sites); counted before `limit` and `offset`. */
  stationIds?: readonly string[] | undefined;
  active?: boolean;
  limit?: number;
  offset?: number;
}

/** One sampled value as the station sent it (the version's defaults applied), without its reading's fields. */
export interface SampledValueRecord {
  /** The value exactly as sent. */
  value: string;
  measurand: string;
  phase: string | null;
  location: string | null;
  unit: string | null;
  context: string | null;
  format: string | null;
}

/** One meter reading as the station sent it: a timestamp and its sampled values (1.6 meterValue / 2.x MeterValueType). */
export interface MeterReading {
  stationId: string;
  evseId: number;
  connectorId: number;
  transactionId: string | null;
  timestamp: string;
  /** In the order the station sent them. */
  sampledValues: SampledValueRecord[];
  receivedAt: string;
}

/** One sampled value with its reading's fields: how stored readings are read back (one record per sampled value). */
export interface MeterValueRecord {
  stationId: string;
  evseId: number;
  connectorId: number;
  transactionId: string | null;
  timestamp: string;
  measurand: string;
  phase: string | null;
  location: string | null;
  unit: string | null;
  context: string | null;
  format: string | null;
  /** The value exactly as sent. */
  value: string;
  /** The value as a number when it is a plain finite one and the format is Raw (or none), else null. */
  numericValue: number | null;
  receivedAt: string;
}

export type CommandStatus = 'pending' | 'completed' | 'error' | 'timeout' | 'failed';

export interface CommandRecord {
  id: string;
  stationId: string;
  action: string;
  request: Record<string, unknown>;
  /** Who asked: a user or token name. */
  actor: string;
  /** Where the request came from (client address), if known. */
  origin: string | null;
  status: CommandStatus;
  response: Record<string, unknown> | null;
  error: { code: string; description: string; details?: unknown } | null;
  createdAt: string;
  completedAt: string | null;
}

/** Station-initiated notifications kept as a log (firmware, diagnostics, security events, data transfers, ...). */
export interface StationEventRecord {
  stationId: string;
  type: string;
  payload: Record<string, unknown>;
  timestamp: string;
  receivedAt: string;
}

export interface ConfigurationKeyRecord {
  stationId: string;
  key: string;
  value: string | null;
  readonly: boolean;
  updatedAt: string;
}

export interface StationRepository {
  get(id: string): Promise<StationRecord | undefined>;
  list(): Promise<StationRecord[]>;
  /** Creates the station (auto-registration or operator) or updates the given fields. */
  register(registration: StationRegistration): Promise<StationRecord>;
  /** Creates the station if needed and records the boot's identity fields and the status it was answered. */
  recordBoot(id: string, info: BootInfo, status: RegistrationStatus, at: string): Promise<StationRecord>;
  /** Last-seen times are kept in memory and flushed in batches: cheap enough to call on every message. */
  touch(id: string, at: string): void;
  connectors(stationId: string): Promise<ConnectorStatusRecord[]>;
  /** Updates the connector's current status and appends it to the history. */
  recordStatus(status: ConnectorStatusRecord): Promise<void>;
  statusHistory(stationId: string, limit: number): Promise<ConnectorStatusRecord[]>;
  configuration(stationId: string): Promise<ConfigurationKeyRecord[]>;
  saveConfiguration(stationId: string, keys: Omit<ConfigurationKeyRecord, 'stationId' | 'updatedAt'>[], at: string): Promise<void>;
  /**
   * Sets (or with null clears) the station's Basic-auth password hashes. False when the station is not known. The
   * hashes are never part of StationRecord, so they cannot leak into a view or an event.
   */
  setPasswordHashes(stationId: string, hashes: StationPasswordHashes | null): Promise<boolean>;
  /**
   * What a connection is checked against, in one read: the station and its credentials (password hashes and the
   * rotation's pending ones). Undefined when the station is not known. Read at connect.
   */
  forConnection(stationId: string): Promise<StationForConnection | undefined>;
  /** The station's latest password rotation (with the new password's hashes while pending); undefined: none. */
  passwordRotation(stationId: string): Promise<PasswordRotationRecord | undefined>;
  /** Records a rotation's state and its pending password (null: none pending). False when the station is not known. */
  setPasswordRotation(stationId: string, rotation: PasswordRotationRecord): Promise<boolean>;
  /**
   * The station connected with the pending password: in one write it becomes the current password (the old one
   * stops working) and the rotation is `completed` at `at`. False when no password was pending.
   */
  promotePendingPassword(stationId: string, at: string): Promise<boolean>;
}

/**
 * Where a station's password rotation stands (A01): `sent` (the new password is on its way; both are valid),
 * `accepted` (the station confirmed; both stay valid until it connects with the new one), `completed` (it did: only
 * the new one is valid), `rejected` / `failed` (refused, not answered, or offline: the new one was dropped).
 */
export type PasswordRotationStatus = 'sent' | 'accepted' | 'completed' | 'rejected' | 'failed';

export interface PasswordRotationRecord {
  status: PasswordRotationStatus;
  requestedAt: string;
  updatedAt: string;
  /** Why it was rejected or failed; null otherwise. */
  detail: string | null;
  /** The new password's hashes while it is pending (`sent`, `accepted`); null otherwise. */
  pending: StationPasswordHashes | null;
}

/**
 * A station's Basic-auth password (security profiles 1 and 2) as salted scrypt hashes (PHC strings), one per way
 * the station's protocol reads the same password: a 1.6 AuthorizationKey (raw 16-20 bytes, or its 32-40 hex digits
 * decoded) and a 2.x BasicAuthPassword (16-40 characters, as is). Null where the password is not valid that way.
 * At least one is set.
 */
export interface StationPasswordHashes {
  authorizationKey: string | null;
  basicAuthPassword: string | null;
}

/** A known station as a connection sees it; the hashes stay outside the record (see `setPasswordHashes`). */
export interface StationForConnection {
  station: StationRecord;
  /** Undefined when the station has no password. */
  hashes: StationPasswordHashes | undefined;
  /** The latest password rotation, with the new password's hashes while pending; undefined: never rotated. */
  rotation: PasswordRotationRecord | undefined;
}

export interface IdTokenRepository {
  get(idToken: string): Promise<IdTokenRecord | undefined>;
  put(record: Omit<IdTokenRecord, 'createdAt' | 'updatedAt'>): Promise<IdTokenRecord>;
  delete(idToken: string): Promise<boolean>;
  list(): Promise<IdTokenRecord[]>;
}

export interface TransactionRepository {
  /**
   * Starts a transaction, idempotently: a start with the same station, connector, id token and start time as an
   * existing one returns that one with `duplicate: true` (a replayed StartTransaction).
   */
  start(start: TransactionStart): Promise<{ record: TransactionRecord; duplicate: boolean }>;
  /** Ends a transaction; stopping one that has already stopped returns it unchanged with `duplicate: true`. */
  stop(stop: TransactionStop): Promise<{ record: TransactionRecord; duplicate: boolean } | undefined>;
  /** Records the latest energy register seen for an active transaction. */
  updateMeter(id: string, lastMeterWh: number, at: string): Promise<void>;
  get(id: string): Promise<TransactionRecord | undefined>;
  findByStationTxId(stationId: string, stationTxId: string): Promise<TransactionRecord | undefined>;
  list(query: TransactionQuery): Promise<TransactionRecord[]>;
  /** Active transactions of an id token (for ConcurrentTx). */
  activeForIdToken(idToken: string): Promise<TransactionRecord[]>;
  activeForConnector(stationId: string, evseId: number, connectorId: number): Promise<TransactionRecord | undefined>;
  /** Changes fields of a transaction (see TransactionAmendment); undefined when it does not exist. */
  amend(id: string, amendment: TransactionAmendment): Promise<TransactionRecord | undefined>;
  /** The station's active transactions, oldest first. */
  activeForStation(stationId: string): Promise<TransactionRecord[]>;
  /** Active transactions not updated since `before` (stale candidates), least recently updated first. */
  inactiveSince(before: string, limit: number): Promise<TransactionRecord[]>;
}

export interface TransactionEventRepository {
  /**
   * Keeps an event, idempotently: an event with the same station, station transaction id and seqNo (or, when seqNo is
   * null, the same event type and timestamp) is not stored again and `duplicate` is true.
   */
  append(event: TransactionEventRecord): Promise<{ duplicate: boolean }>;
  /** The events of a station's transaction by seqNo (nulls last), then timestamp, then arrival. */
  forStationTx(stationId: string, stationTxId: string): Promise<TransactionEventRecord[]>;
}

/**
 * One attribute of one variable of a station's device model (2.x components and variables). Identity: station,
 * component (+ instance, evse, connector), variable (+ instance) and attribute type.
 */
export interface DeviceVariableRecord {
  stationId: string;
  component: string;
  componentInstance: string | null;
  evseId: number | null;
  connectorId: number | null;
  variable: string;
  variableInstance: string | null;
  /** Actual (default), Target, MinSet or MaxSet. */
  attributeType: string;
  value: string | null;
  /** ReadOnly, WriteOnly or ReadWrite. */
  mutability: string | null;
  persistent: boolean | null;
  constant: boolean | null;
  unit: string | null;
  dataType: string | null;
  minLimit: number | null;
  maxLimit: number | null;
  valuesList: string | null;
  supportsMonitoring: boolean | null;
  updatedAt: string;
}

export type DeviceVariableUpdate = Omit<DeviceVariableRecord, 'stationId' | 'updatedAt'>;

export interface DeviceModelQuery {
  /** Exact component name (case-insensitive). */
  component?: string;
  /** Exact variable name (case-insensitive). */
  variable?: string;
  limit?: number;
  offset?: number;
}

export interface DeviceModelRepository {
  /**
   * Inserts or updates attributes by identity. A null field of an update keeps the value already stored (a GetVariables
   * answer has a value but no characteristics; a report has both), except `value`, which is always written.
   */
  upsert(stationId: string, updates: DeviceVariableUpdate[], at: string): Promise<void>;
  /** Ordered by component, componentInstance, evseId, connectorId, variable, variableInstance, attributeType. */
  list(stationId: string, query: DeviceModelQuery): Promise<DeviceVariableRecord[]>;
  /** Forgets a station's whole device model (before a FullInventory report replaces it). */
  clear(stationId: string): Promise<void>;
}

export interface ValidationRuleRepository {
  list(): Promise<ValidationRuleRecord[]>;
  /** Creates or replaces the rule with this id. */
  put(rule: Omit<ValidationRuleRecord, 'createdAt' | 'updatedAt'>): Promise<ValidationRuleRecord>;
  delete(id: string): Promise<boolean>;
}

export interface MeterValueRepository {
  /**
   * Appends readings; a reading identical to one already stored (same station, evse, connector, transaction,
   * timestamp and the same sampled values in the same order — a replay) is skipped, as is a repeat within the same
   * call; `receivedAt` is not part of that identity. A reading without sampled values carries nothing and is not
   * stored. Returns the readings added.
   */
  append(readings: MeterReading[]): Promise<number>;
  /**
   * The sampled values of a transaction's readings (found through its station: readings are kept by station, so
   * that storing one touches one place per station), one record per sampled value: by reading timestamp, then the
   * order the readings were stored, then the order of the values within their reading.
   */
  forTransaction(stationId: string, transactionId: string): Promise<MeterValueRecord[]>;
  /**
   * A station's latest sampled values, one record per sampled value: the newest readings first (by timestamp, then
   * latest stored), the values of a reading in their order; at most `limit` records.
   */
  forStation(stationId: string, limit: number): Promise<MeterValueRecord[]>;
}

export interface CommandRepository {
  create(record: CommandRecord): Promise<void>;
  complete(id: string, outcome: Pick<CommandRecord, 'status' | 'response' | 'error' | 'completedAt'>): Promise<void>;
  get(id: string): Promise<CommandRecord | undefined>;
  /** Newest first; `stationIds`: only to these stations (a caller limited to sites), counted before `limit`. */
  list(stationId: string | undefined, limit: number, stationIds?: readonly string[]): Promise<CommandRecord[]>;
}

export interface StationEventRepository {
  append(event: StationEventRecord): Promise<void>;
  list(stationId: string, type: string | undefined, limit: number): Promise<StationEventRecord[]>;
}

// --- Smart charging ---------------------------------------------------------------------------------------------
// Sites and their electrical tree (groups and EVSEs), what the grid and the market say about a site (tariffs, prices,
// demand-response events, external load), what each session needs, and the charging profiles Joule installed.

/** How a group's capacity is divided among its sessions (see domain/smart-charging/planner/share-capacity.ts). */
export type SitePolicy = 'equal-share' | 'priority' | 'first-come-first-served';

/** Per-phase amperes: one number for all three phases, or L1, L2, L3. */
export type PhaseCurrentsRecord = number | [number, number, number];

/** A limit: total active power and/or current per phase; null where the node has none. */
export interface LimitFields {
  maxPowerW: number | null;
  maxCurrentA: PhaseCurrentsRecord | null;
}

/** A site: the root of its group tree, with the grid connection's limit, and how it is planned. */
export interface SiteRecord extends LimitFields {
  id: string;
  name: string;
  policy: SitePolicy;
  /** Phase-to-neutral voltage of the supply (groups and EVSEs inherit it). */
  nominalVoltageV: number;
  /** Applied to sessions with no need of their own: energy to deliver, and how long an EV stays. Null: none. */
  defaultEnergyWh: number | null;
  defaultDwellMinutes: number | null;
  /** The planning grid: slot length (s) and horizon (h). */
  slotSeconds: number;
  horizonHours: number;
  createdAt: string;
  updatedAt: string;
}

export type SiteInput = Omit<SiteRecord, 'createdAt' | 'updatedAt'>;

/** A group of the site's tree (a feeder, a distribution board, a row of stations). */
export interface SiteGroupRecord extends LimitFields {
  siteId: string;
  /** Unique within the site. */
  id: string;
  /** The parent group; null: directly under the site. */
  parentId: string | null;
  name: string | null;
  /** Null: the parent's. */
  nominalVoltageV: number | null;
  createdAt: string;
  updatedAt: string;
}

export type SiteGroupInput = Omit<SiteGroupRecord, 'createdAt' | 'updatedAt'>;

/** An EVSE of a site: where it hangs in the tree and how it is wired. An EVSE belongs to at most one site. */
export interface SiteMemberRecord {
  siteId: string;
  stationId: string;
  /** 1 and up (a 1.6 connector N is EVSE N). */
  evseId: number;
  /** Null: directly under the site. */
  groupId: string | null;
  phases: 1 | 3;
  /** Single-phase EVSEs: the site phase they are on (null: L1). */
  phase: 'L1' | 'L2' | 'L3' | null;
  /** Three-phase EVSEs: OCPP PhaseRotation (null: RST). */
  phaseRotation: string | null;
  /** The EVSE's rating per phase. */
  maxCurrentA: number;
  maxPowerW: number | null;
  /** Below this current per phase a session is paused; null: 6 A. */
  minCurrentA: number | null;
  /** The unit the station accepts in charging schedules. */
  rateUnit: 'A' | 'W';
  /** What the station draws per phase while offline (its own fallback); null: its maximum. */
  offlineFallbackA: number | null;
  /** Higher is served first under the `priority` policy. */
  priority: number;
  createdAt: string;
  updatedAt: string;
}

export type SiteMemberInput = Omit<SiteMemberRecord, 'createdAt' | 'updatedAt'>;

export interface TimeOfUsePeriodRecord {
  /** Local clock times "HH:MM", [from, to), wrapping past midnight when to <= from. */
  from: string;
  to: string;
  pricePerKWh: number;
  /** ISO weekdays 1 (Monday) to 7; absent: every day. */
  weekdays?: number[];
}

/** A site's time-of-use tariff. */
export interface SiteTariffRecord {
  siteId: string;
  /** IANA time zone of the clock times. */
  timeZone: string;
  defaultPricePerKWh: number;
  periods: TimeOfUsePeriodRecord[];
  updatedAt: string;
}

/** One price of a dynamic price signal, holding in [start, end). */
export interface PricePointRecord {
  siteId: string;
  start: string;
  end: string;
  pricePerKWh: number;
}

/** The site (or one of its groups) must stay under a limit from `from` to `to` (demand response, peak shaving). */
export interface DemandResponseEventRecord extends LimitFields {
  id: string;
  siteId: string;
  /** Null: the whole site. */
  groupId: string | null;
  from: string;
  to: string;
  label: string | null;
  createdAt: string;
}

/** The latest measured load of the site (or a group) that Joule does not control: the building, a heat pump. */
export interface ExternalLoadRecord {
  siteId: string;
  /** Null: measured at the site's grid connection. */
  groupId: string | null;
  powerW: number | null;
  currentA: PhaseCurrentsRecord | null;
  /** When it was measured. */
  at: string;
  receivedAt: string;
}

export type SessionNeedSource = 'api' | 'station' | 'default';

/** What a charging session needs: energy (counted from the start of the transaction) by a departure time. */
export interface SessionNeedRecord {
  transactionId: string;
  energyWh: number;
  departure: string;
  source: SessionNeedSource;
  /** The EV's own limits when it told them (2.x NotifyEVChargingNeeds); null: unknown. */
  evMaxPowerW: number | null;
  evMaxCurrentA: number | null;
  evMinCurrentA: number | null;
  /**
   * V2G consent (2.1 NotifyEVChargingNeeds with a bidirectional energy transfer): the EV's maximum discharge power, W;
   * null: the EV may not discharge.
   */
  evMaxDischargePowerW: number | null;
  /** Energy the EV may give back below its level when it told its needs (down to its minimum state of charge), Wh. */
  evDischargeableWh: number | null;
  /** The outlet's Energy.Active.Export.Register when first seen with this need, and the latest (Wh); null: none. */
  exportStartWh: number | null;
  lastExportWh: number | null;
  updatedAt: string;
}

/** Replacing a need keeps the export register readings (they belong to the transaction, not to the need). */
export type SessionNeedInput = Omit<SessionNeedRecord, 'updatedAt' | 'evMaxDischargePowerW' | 'evDischargeableWh' | 'exportStartWh' | 'lastExportWh'>
  & Partial<Pick<SessionNeedRecord, 'evMaxDischargePowerW' | 'evDischargeableWh'>>;

/** A charging profile Joule sent to a station, and what the station answered. */
export interface InstalledChargingProfileRecord {
  stationId: string;
  /** 0: the whole station. */
  evseId: number;
  /** Unique per station: a profile with the same id replaces this one on the station. */
  profileId: number;
  purpose: string;
  stackLevel: number;
  /** Joule's transaction id for a TxProfile; null otherwise. */
  transactionId: string | null;
  /** The version-neutral profile (domain/smart-charging/charging-profile.ts) as sent. */
  profile: Record<string, unknown>;
  status: 'Accepted' | 'Rejected';
  sentAt: string;
}

export interface SiteRepository {
  get(id: string): Promise<SiteRecord | undefined>;
  list(): Promise<SiteRecord[]>;
  /** Creates or replaces the site (keeps its creation time). */
  put(site: SiteInput): Promise<SiteRecord>;
  /** Deletes the site with its groups, members, tariff, prices, events and external load; false when unknown. */
  delete(id: string): Promise<boolean>;
  groups(siteId: string): Promise<SiteGroupRecord[]>;
  /** Creates or replaces a group; its parent must be a group of the same site (or null). */
  putGroup(group: SiteGroupInput): Promise<SiteGroupRecord>;
  /** Refused (rejects) while the group has child groups or members. */
  deleteGroup(siteId: string, id: string): Promise<boolean>;
  /** The site's EVSEs, by station and EVSE. */
  members(siteId: string): Promise<SiteMemberRecord[]>;
  /** The site an EVSE belongs to, if any. */
  memberOf(stationId: string, evseId: number): Promise<SiteMemberRecord | undefined>;
  /** Every site EVSE of a station. */
  membersOfStation(stationId: string): Promise<SiteMemberRecord[]>;
  /** Creates or replaces the EVSE's membership (moving it from another site if it had one). */
  putMember(member: SiteMemberInput): Promise<SiteMemberRecord>;
  deleteMember(stationId: string, evseId: number): Promise<boolean>;
}

export interface SiteSignalRepository {
  tariff(siteId: string): Promise<SiteTariffRecord | undefined>;
  putTariff(tariff: Omit<SiteTariffRecord, 'updatedAt'>): Promise<SiteTariffRecord>;
  deleteTariff(siteId: string): Promise<boolean>;
  /** Adds price points; one with the same start as a stored one replaces it. */
  putPricePoints(points: PricePointRecord[]): Promise<void>;
  /** The site's price points that end after `from` and start before `to`, by start. */
  pricePoints(siteId: string, from: string, to: string): Promise<PricePointRecord[]>;
  /** Removes the site's price points that end at or before `before` (all when undefined); returns how many. */
  deletePricePoints(siteId: string, before?: string): Promise<number>;
  /** Creates or replaces an event by id. */
  putDemandResponseEvent(event: Omit<DemandResponseEventRecord, 'createdAt'>): Promise<DemandResponseEventRecord>;
  demandResponseEvent(id: string): Promise<DemandResponseEventRecord | undefined>;
  /** The site's events that end after `after` (all when undefined), by start, then id. */
  demandResponseEvents(siteId: string, after?: string): Promise<DemandResponseEventRecord[]>;
  deleteDemandResponseEvent(id: string): Promise<boolean>;
  /**
   * Keeps a reading as the newest of its measuring point (the site or a group); one older than the stored one (by
   * `at`) changes nothing.
   */
  recordExternalLoad(reading: ExternalLoadRecord): Promise<void>;
  /** The newest reading of each measuring point of the site (the site itself first, then groups by id). */
  latestExternalLoads(siteId: string): Promise<ExternalLoadRecord[]>;
}

export interface SessionNeedRepository {
  get(transactionId: string): Promise<SessionNeedRecord | undefined>;
  /** The needs of these transactions that have one. */
  forTransactions(transactionIds: readonly string[]): Promise<SessionNeedRecord[]>;
  /** Creates or replaces the need of a transaction. */
  put(need: SessionNeedInput): Promise<SessionNeedRecord>;
  /**
   * Records the outlet's export register (Energy.Active.Export.Register, Wh) for the transaction's need: the first
   * reading becomes the start, every reading the latest. False when the transaction has no stored need.
   */
  recordExport(transactionId: string, registerWh: number): Promise<boolean>;
  delete(transactionId: string): Promise<boolean>;
}

export interface ChargingProfileRepository {
  /** Creates or replaces (station and profile id) what was sent. */
  put(record: InstalledChargingProfileRecord): Promise<void>;
  /** A station's profiles, by EVSE, then purpose, stack level and id. */
  forStation(stationId: string): Promise<InstalledChargingProfileRecord[]>;
  remove(stationId: string, profileId: number): Promise<boolean>;
  /** Removes a transaction's TxProfiles (it ended: the station dropped them); returns how many. */
  removeForTransaction(stationId: string, transactionId: string): Promise<number>;
}

/**
 * Which node plans a site, in a cluster: a lease per site, taken when free or expired, renewed by its holder.
 * Times are epoch milliseconds of the caller's clock.
 */
export interface PlannerLeaseRepository {
  /** Takes or renews the lease until `nowMs + ttlMs`; false when another node holds an unexpired one. */
  acquire(siteId: string, nodeId: string, nowMs: number, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if this node holds it. */
  release(siteId: string, nodeId: string): Promise<void>;
}

// --- Operator accounts and the audit log --------------------------------------------------------------------------
// People who operate Joule (migration 6): their accounts, the bearer tokens they hold (login sessions and API tokens,
// kept only as SHA-256 digests), and the append-only log of what every operator and API client did.

export type OperatorRole = 'admin' | 'operator' | 'viewer';

export interface OperatorRecord {
  id: string;
  /** As given at creation (letters, digits, `._@-`); unique without regard to case. */
  username: string;
  role: OperatorRole;
  /** The sites this operator is limited to; null: every site. */
  sites: string[] | null;
  /** scrypt PHC string (domain/security/credentials/operator-password.ts). */
  passwordHash: string;
  /** base32 TOTP secret; set at enrolment, in force only once `mfaEnabled`. */
  totpSecret: string | null;
  mfaEnabled: boolean;
  /** The time step of the last TOTP code accepted: a code is accepted once (RFC 6238 §5.2). */
  totpLastStep: number | null;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export type OperatorInput = Omit<OperatorRecord, 'createdAt' | 'updatedAt'>;

export type ApiTokenKind = 'session' | 'api';

/** A bearer token of an operator: a login session or a named API token. The token itself is never stored. */
export interface ApiTokenRecord {
  id: string;
  /** SHA-256 of the token, 64 lower-case hex digits. */
  sha256: string;
  operatorId: string;
  kind: ApiTokenKind;
  name: string | null;
  /** What the token may do (below its owner's role), e.g. `read`, `write`, `commands`, `admin`. */
  scopes: string[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** The remote address it was created from. */
  createdFrom: string | null;
}

/** One audit log entry as written. */
export interface AuditEntryInput {
  at: string;
  /** The operator (user name), `admin` for the bootstrap token, the user name tried at a failed login, or `anonymous`. */
  actor: string;
  role: string | null;
  /** `METHOD /route/pattern`, e.g. `POST /stations/:id/commands/:action`. */
  action: string;
  /** What it acted on (a station, site, operator, token ... id), when the route names one. */
  target: string | null;
  /** The HTTP status answered. */
  outcome: number;
  remoteAddress: string | null;
  /** Route parameters, query and what the route added; never passwords, tokens or TOTP codes. */
  details: Record<string, unknown> | null;
}

export interface AuditEntryRecord extends AuditEntryInput {
  /** Increasing with insertion (a decimal string). */
  id: string;
}

/** Filters of the audit log; every one optional. Entries come newest first. */
export interface AuditQuery {
  actor?: string | undefined;
  action?: string | undefined;
  target?: string | undefined;
  /** `at` at or after this time. */
  from?: string | undefined;
  /** `at` before this time. */
  to?: string | undefined;
  outcome?: number | undefined;
  /** Cursor: only entries older than this id (the last id of the previous page). */
  before?: string | undefined;
  limit: number;
}

export interface OperatorRepository {
  get(id: string): Promise<OperatorRecord | undefined>;
  /** Without regard to case. */
  byUsername(username: string): Promise<OperatorRecord | undefined>;
  /** By user name. */
  list(): Promise<OperatorRecord[]>;
  /** Creates the operator; undefined when the user name (without case) is taken. */
  create(operator: OperatorInput): Promise<OperatorRecord | undefined>;
  /** Replaces every field but the user name and `createdAt`; undefined when unknown. */
  update(operator: OperatorInput): Promise<OperatorRecord | undefined>;
  /** Records a TOTP step as used, only when it is newer than the last one (false: replayed, or unknown operator). */
  useTotpStep(id: string, step: number): Promise<boolean>;
  /** Deletes the operator and its tokens; false when unknown. */
  delete(id: string): Promise<boolean>;
}

export interface ApiTokenRepository {
  create(token: ApiTokenRecord): Promise<void>;
  get(id: string): Promise<ApiTokenRecord | undefined>;
  bySha256(sha256: string): Promise<ApiTokenRecord | undefined>;
  /** An operator's tokens of a kind that are neither revoked nor expired at `now`, newest first. */
  live(operatorId: string, kind: ApiTokenKind, now: string): Promise<ApiTokenRecord[]>;
  /** False when unknown or already revoked. */
  revoke(id: string, at: string): Promise<boolean>;
  /** Revokes every live token of an operator; returns how many. */
  revokeAll(operatorId: string, at: string): Promise<number>;
  touch(id: string, at: string): Promise<void>;
}

/** A key's fixed window of login attempts: when its first attempt came (epoch ms) and how many it counts now. */
export interface AttemptWindow {
  startedAtMs: number;
  attempts: number;
}

/**
 * Login attempts counted per key (an operator's user name or address, a station's address) in the store, so that every process and node that
 * shares it counts against the same limits. A key's window starts with its first attempt and lasts `windowMs`; an
 * attempt after that starts a new one. Times are epoch milliseconds of the caller's clock.
 */
export interface LoginAttemptRepository {
  /**
   * Counts one attempt of each key at `nowMs`, all in one atomic write, so that attempts racing on other processes
   * are each counted once (a key listed twice counts once); returns each key's window after counting, in the order of
   * `keys`.
   */
  count(keys: readonly string[], nowMs: number, windowMs: number): Promise<AttemptWindow[]>;
  /**
   * Takes one counted attempt back from each key whose window is still the one given (an attempt that turned out
   * not to be a failure); a window that has since been replaced is left alone.
   */
  takeBack(keys: readonly string[], windows: readonly AttemptWindow[]): Promise<void>;
  /**
   * Deletes the windows of the keys starting with `keyPrefix` (all keys by default) that ended before `nowMs`;
   * returns how many. Limits with windows of different lengths share the table, each sweeping its own keys.
   */
  sweep(nowMs: number, windowMs: number, keyPrefix?: string): Promise<number>;
}

/** Append-only: there is no way to change or remove an entry (the databases refuse it too). */
export interface AuditLogRepository {
  append(entry: AuditEntryInput): Promise<AuditEntryRecord>;
  query(query: AuditQuery): Promise<AuditEntryRecord[]>;
}

// --- Certificates and security events (PKI) ---------------------------------------------------------------------
// The certificates Joule's CA issued to stations (with what became of them), the certificates stations reported
// installed (root certificates, by their hash data), and security events (reported by stations or found by Joule).

/** What became of a certificate Joule issued: sent, accepted by the station, refused by it, replaced, revoked. */
export type CertificateStatus = 'issued' | 'installed' | 'rejected' | 'superseded' | 'revoked';

export interface CertificateRecord {
  /** SHA-256 of the DER, lowercase hex: the key. */
  fingerprintSha256: string;
  /** Hex, lowercase, no leading zeros. */
  serialNumber: string;
  issuer: string;
  subject: string;
  commonName: string | null;
  organization: string | null;
  stationId: string | null;
  /** ChargingStationCertificate (the station's TLS client certificate) or V2GCertificate. */
  certificateType: string;
  notBefore: string;
  notAfter: string;
  status: CertificateStatus;
  /** The certificate as PEM. */
  pem: string;
  issuedAt: string;
  installedAt: string | null;
  revokedAt: string | null;
  revocationReason: string | null;
  /** When Joule last asked the station to renew it (TriggerMessage), or null. */
  renewalRequestedAt: string | null;
}

export type CertificateChanges = Partial<Pick<CertificateRecord, 'status' | 'installedAt' | 'revokedAt' | 'revocationReason' | 'renewalRequestedAt'>>;

export interface CertificateFilter {
  stationId?: string | undefined;
  /** Only these stations' (a caller limited to sites); counted before `limit`. */
  stationIds?: readonly string[] | undefined;
  status?: CertificateStatus | undefined;
  /** Only certificates whose notAfter is before this time (ISO 8601). */
  expiringBefore?: string | undefined;
  limit: number;
}

/** OCPP CertificateHashData: how a station names a certificate it holds (1.6 security extension, 2.x M). */
export interface CertificateHashDataRecord {
  hashAlgorithm: string;
  issuerNameHash: string;
  issuerKeyHash: string;
  serialNumber: string;
}

/** A certificate a station holds (a root it reported, or one Joule installed), by its hash data. */
export interface StationCertificateRecord {
  stationId: string;
  /** The version-neutral type: CSMSRootCertificate, ManufacturerRootCertificate, V2GRootCertificate, MORootCertificate, ... */
  certificateType: string;
  hashData: CertificateHashDataRecord;
  /** The PEM when Joule installed it, else null. */
  pem: string | null;
  /** `installed`: Joule installed it (InstallCertificate accepted); `reported`: the station listed it. */
  source: 'installed' | 'reported';
  updatedAt: string;
}

export interface CertificateRepository {
  /** Adds an issued certificate; one already known (same fingerprint) is left as it is. */
  add(record: CertificateRecord): Promise<void>;
  get(fingerprintSha256: string): Promise<CertificateRecord | undefined>;
  /** Every certificate with this serial number (several CAs may have used it). */
  bySerialNumber(serialNumber: string): Promise<CertificateRecord[]>;
  /** Newest notAfter first. */
  list(filter: CertificateFilter): Promise<CertificateRecord[]>;
  /** Changes a certificate; undefined when it is not known. */
  update(fingerprintSha256: string, changes: CertificateChanges): Promise<CertificateRecord | undefined>;
  /** Adds or replaces one certificate a station holds (same station, type and hash data). */
  putStationCertificate(record: StationCertificateRecord): Promise<void>;
  /** Replaces what the station reported for these types with `records` (an answer to GetInstalledCertificateIds). */
  replaceStationCertificates(stationId: string, certificateTypes: readonly string[], records: readonly StationCertificateRecord[]): Promise<void>;
  /** Removes a certificate a station held (DeleteCertificate accepted); false when none matched. */
  removeStationCertificate(stationId: string, hashData: CertificateHashDataRecord): Promise<boolean>;
  stationCertificates(stationId: string): Promise<StationCertificateRecord[]>;
}

/**
 * What became of a station's CSR under an external CA (JOULE_CA_MODE=manual): waiting for an operator, signed (the
 * certificate was uploaded and sent), rejected by an operator, or superseded by a newer CSR of the same station and
 * type before anyone decided.
 */
export type SigningRequestStatus = 'pending' | 'signed' | 'rejected' | 'superseded';

/** A station CSR that passed Joule's checks and waits for (or had) an operator's decision (manual CA mode). */
export interface SigningRequestRecord {
  /** A UUID. */
  id: string;
  stationId: string;
  /** ChargingStationCertificate (V2G CSRs are never queued). */
  certificateType: string;
  /** The 2.x SignCertificateRequest requestId, echoed in CertificateSigned; null when the station sent none. */
  requestId: number | null;
  /** The CSR as PEM (CERTIFICATE REQUEST). */
  csrPem: string;
  subject: string;
  commonName: string | null;
  organization: string | null;
  /** The CSR's key, e.g. `EC P-256` or `RSA 2048`. */
  keyDescription: string;
  status: SigningRequestStatus;
  receivedAt: string;
  /** When it was signed, rejected or superseded. */
  decidedAt: string | null;
  /** The operator who signed or rejected it; null while pending and when superseded. */
  decidedBy: string | null;
  /** Why it was rejected (the operator's words), or the id of the CSR that superseded it. */
  reason: string | null;
  /** The fingerprint (SHA-256, lowercase hex) of the certificate it was signed into, in the certificate inventory. */
  certificateFingerprint: string | null;
}

export interface SigningRequestFilter {
  stationId?: string | undefined;
  /** Only these stations' (a caller limited to sites); counted before `limit`. */
  stationIds?: readonly string[] | undefined;
  status?: SigningRequestStatus | undefined;
  limit: number;
}

export interface SigningRequestDecision {
  status: 'signed' | 'rejected';
  decidedAt: string;
  decidedBy: string;
  reason: string | null;
  certificateFingerprint: string | null;
}

export interface SigningRequestRepository {
  /**
   * Queues a pending CSR; in the same write, the station's earlier pending CSRs of the same certificate type become
   * `superseded` (decidedAt = the new one's receivedAt, reason = the new one's id). Returns the ids it superseded.
   * Calls that race (on any node) are queued one after the other: a station and type never has two pending CSRs.
   */
  addPending(record: SigningRequestRecord): Promise<string[]>;
  get(id: string): Promise<SigningRequestRecord | undefined>;
  /** Newest receivedAt first. */
  list(filter: SigningRequestFilter): Promise<SigningRequestRecord[]>;
  /**
   * Decides a CSR only if it is still pending (compare-and-set: two operators deciding at once, one wins); returns
   * the decided record, or undefined when it is unknown or no longer pending.
   */
  decide(id: string, decision: SigningRequestDecision): Promise<SigningRequestRecord | undefined>;
}

/** A security event: reported by a station (SecurityEventNotification) or found by Joule (e.g. a rejected CSR). */
export interface SecurityEventRecord {
  stationId: string;
  type: string;
  critical: boolean;
  techInfo: string | null;
  /** When it happened (the station's time for reported events). */
  timestamp: string;
  receivedAt: string;
  source: 'station' | 'csms';
}

export interface SecurityEventFilter {
  stationId?: string | undefined;
  /** Only these stations' (a caller limited to sites); counted before `limit`. */
  stationIds?: readonly string[] | undefined;
  critical?: boolean | undefined;
  type?: string | undefined;
  /** timestamp >= from, timestamp < to (ISO 8601). */
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
}

export interface SecurityEventRepository {
  append(event: SecurityEventRecord): Promise<void>;
  /** Newest first. */
  list(filter: SecurityEventFilter): Promise<SecurityEventRecord[]>;
}

export interface Store {
  readonly stations: StationRepository;
  readonly idTokens: IdTokenRepository;
  readonly transactions: TransactionRepository;
  readonly meterValues: MeterValueRepository;
  readonly commands: CommandRepository;
  readonly stationEvents: StationEventRepository;
  readonly transactionEvents: TransactionEventRepository;
  readonly deviceModel: DeviceModelRepository;
  readonly validationRules: ValidationRuleRepository;
  readonly sites: SiteRepository;
  readonly siteSignals: SiteSignalRepository;
  readonly sessionNeeds: SessionNeedRepository;
  readonly chargingProfiles: ChargingProfileRepository;
  readonly plannerLeases: PlannerLeaseRepository;
  readonly operators: OperatorRepository;
  readonly apiTokens: ApiTokenRepository;
  readonly loginAttempts: LoginAttemptRepository;
  readonly auditLog: AuditLogRepository;
  readonly certificates: CertificateRepository;
  /** Station CSRs waiting for an external CA (manual CA mode). */
  readonly signingRequests: SigningRequestRepository;
  readonly securityEvents: SecurityEventRepository;
  /** Flushes pending writes and closes the store. */
  close(): Promise<void>;
}
