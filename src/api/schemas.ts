import type { FastifyInstance } from 'fastify';
import type { StationCallOutcome } from '../cluster/bus.ts';
import type { DomainEvent, DomainEventType } from '../domain/events.ts';
import type { ConnectorView, EvseView, StationView } from '../domain/stations/station-view.ts';
import { VALIDATION_MODES } from '../domain/stations/validation-policy.ts';
import type {
  CommandRecord,
  ConfigurationKeyRecord,
  ConnectorStatusRecord,
  DeviceVariableRecord,
  IdTokenRecord,
  MeterValueRecord,
  StationEventRecord,
  TransactionEventRecord,
  TransactionRecord,
  ValidationRuleRecord,
} from '../store/ports.ts';
import { SMART_CHARGING_SCHEMAS, type SmartChargingSchemaId } from './smart-charging-schemas.ts';
import { ACCOUNT_SCHEMAS, type AccountSchemaId } from './account-schemas.ts';

/**
 * Shared JSON schemas: they validate requests, serialize responses and become the OpenAPI components.
 * The property maps are checked against the domain types (`satisfies Record<keyof T, ...>`), so a field added to a
 * record without its schema fails the type check instead of silently vanishing from responses.
 */

type JsonSchema = Record<string, unknown>;
type PropertiesOf<T> = Record<keyof T, JsonSchema>;

const string = (description?: string): JsonSchema => ({ type: 'string', ...(description ? { description } : {}) });
const nullableString = (description?: string): JsonSchema => ({ type: ['string', 'null'], ...(description ? { description } : {}) });
const dateTime = (description?: string): JsonSchema => ({ type: 'string', format: 'date-time', ...(description ? { description } : {}) });
const nullableDateTime = (description?: string): JsonSchema => ({ ...dateTime(description), type: ['string', 'null'] });
const integer = (description?: string): JsonSchema => ({ type: 'integer', ...(description ? { description } : {}) });
const nullableInteger = (description?: string): JsonSchema => ({ type: ['integer', 'null'], ...(description ? { description } : {}) });
const nullableNumber = (description?: string): JsonSchema => ({ type: ['number', 'null'], ...(description ? { description } : {}) });
const nullableBoolean = (description?: string): JsonSchema => ({ type: ['boolean', 'null'], ...(description ? { description } : {}) });
const anyObject = (description: string): JsonSchema => ({ type: 'object', additionalProperties: true, description });

/** An object schema whose properties are all always present (as the record types promise). */
function recordSchema(properties: JsonSchema, extra: JsonSchema = {}): JsonSchema {
  return { type: 'object', ...extra, required: Object.keys(properties), properties };
}

/** A `$ref` to a shared schema, for use in route schemas (the description documents a response). */
export function ref(id: SchemaId, description?: string): JsonSchema {
  return { $ref: `${id}#`, ...(description ? { description } : {}) };
}

/** An array of a shared schema. */
export function arrayOf(id: SchemaId, description?: string): JsonSchema {
  return { type: 'array', items: ref(id), ...(description ? { description } : {}) };
}

/** The OCPP versions a station may speak. */
export const PROTOCOLS = ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const;
/** BootNotification answers an operator may force. */
export const REGISTRATION_STATUSES = ['Accepted', 'Pending', 'Rejected'] as const;
/** What each validation mode does, for the documentation of the fields that take one. */
export const VALIDATION_MODE_DESCRIPTION =
  'strict: every schema violation is answered with a CALLERROR; lenient: what can be normalised is, only unusable messages are refused; log-only: violations are logged and whatever is usable is processed';

/** Every domain event type with what it means (the record makes the list complete by construction). */
export const EVENT_TYPES: Record<DomainEventType, string> = {
  'station.connected': 'A station opened its WebSocket',
  'station.disconnected': 'A station closed its WebSocket or was dropped',
  'station.booted': 'A station sent a BootNotification and was answered',
  'station.registered': 'An operator registered or updated a station',
  'station.security': 'Connection security: a refused downgrade or client certificate (data.type downgrade / certificate-refused), a raised security profile (security-profile-raised), a password rotation step (password-rotation-*)',
  'station.notification': 'A station reported firmware, diagnostics, security or other progress',
  'connector.status': 'A connector (or the station, evseId 0) changed status',
  'authorization.checked': 'An id token was checked',
  'transaction.started': 'A transaction started',
  'transaction.updated': 'A transaction reported a new energy register',
  'transaction.ended': 'A transaction ended',
  'meter.values': 'A station reported meter values',
  'command.completed': 'An operator command was answered, failed or timed out',
  'idtoken.updated': 'An id token was created or changed',
  'validation.rules-changed': 'An operator changed the vendor validation rules',
  'smart-charging.changed': 'A site, its groups, EVSEs, tariff, prices, demand-response events, external load or a session need changed',
  'smart-charging.plan': 'A site was re-planned: the limit of every EVSE and the needs that cannot be met',
  'security.event': 'A security event, reported by a station or found by Joule (e.g. a refused CSR)',
  'security.alert': 'A critical security event (also logged at error level and sent to the alert webhook)',
  'certificate.changed': 'A station certificate was issued, installed, refused by the station, superseded or revoked',
  'certificate.signing-request': 'Manual CA mode: a station CSR was queued for the operator\'s CA (superseding the station\'s earlier one), signed or rejected',
};

const errorSchema = {
  type: 'object',
  description: 'Every error response',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: string('Stable machine-readable code, e.g. not_found, invalid_request, unauthorized, station_offline'),
        message: string('Human-readable explanation'),
        details: { description: 'Extra information, e.g. the schema errors of an invalid request or payload' },
        commandId: string('For command failures: the id of the command log entry'),
      },
    },
  },
};

const connectorViewSchema = recordSchema({
  connectorId: integer(),
  status: string('Latest status reported, e.g. Available, Charging, Faulted (version-specific values)'),
  errorCode: nullableString('Error code reported with the status (1.6), null when none'),
  info: nullableString(),
  vendorErrorCode: nullableString(),
  timestamp: dateTime('When the station reported the status'),
} satisfies PropertiesOf<ConnectorView>);

const evseViewSchema = recordSchema({
  evseId: integer('EVSE id (a 1.6 connector N is EVSE N with connector 1)'),
  connectors: arrayOf('ConnectorView'),
} satisfies PropertiesOf<EvseView>);

const stationViewSchema = recordSchema({
  id: string('The station identity (the last path segment of its WebSocket URL)'),
  online: { type: 'boolean', description: 'Whether a node holds an open WebSocket for the station now' },
  protocol: nullableString('OCPP version negotiated on the latest connection, e.g. ocpp1.6'),
  vendor: nullableString(),
  model: nullableString(),
  serialNumber: nullableString('Station serial number (1.6: chargePointSerialNumber, else chargeBoxSerialNumber)'),
  firmwareVersion: nullableString(),
  registrationStatus: { type: ['string', 'null'], enum: [...REGISTRATION_STATUSES, null], description: 'Answer given to the latest BootNotification' },
  registered: { type: 'boolean', description: 'Registered by an operator (true) or auto-registered on first connection (false)' },
  bootPolicy: { type: ['string', 'null'], enum: [...REGISTRATION_STATUSES, null], description: 'Boot answer override; null = server default' },
  securityProfile: nullableInteger('Security profile 0-3; null = the server default (1, or 0 with JOULE_ALLOW_UNSECURED)'),
  defaultProtocol: nullableString('Protocol assumed when the station offers no subprotocol'),
  description: nullableString(),
  validationMode: {
    type: ['string', 'null'],
    enum: [...VALIDATION_MODES, null],
    description: `How the station's messages are validated; null = a matching vendor rule, else the server default (${VALIDATION_MODE_DESCRIPTION})`,
  },
  iccid: nullableString(),
  imsi: nullableString(),
  meterType: nullableString(),
  meterSerialNumber: nullableString(),
  lastBootAt: nullableDateTime(),
  lastSeen: nullableDateTime('Last message from the station'),
  status: nullableString('Status reported for the station as a whole (connector 0)'),
  errorCode: nullableString('Error code reported for the station as a whole'),
  passwordRotation: {
    type: ['object', 'null'],
    description: 'The latest password rotation (POST /stations/{id}/password-rotation); null when there was none. Never the password',
    required: ['status', 'requestedAt', 'updatedAt', 'detail'],
    properties: {
      status: {
        type: 'string',
        enum: ['sent', 'accepted', 'completed', 'rejected', 'failed'],
        description: 'sent: waiting for the station (both passwords valid); accepted: the station confirmed, both valid until it connects with the new one; completed: it did, the old one is refused; rejected / failed: the new one was dropped',
      },
      requestedAt: dateTime(),
      updatedAt: dateTime(),
      detail: nullableString('Why it was rejected or failed'),
    },
  },
  evses: arrayOf('EvseView'),
  createdAt: dateTime(),
  updatedAt: dateTime(),
} satisfies PropertiesOf<StationView>);

const connectorStatusSchema = recordSchema({
  stationId: string(),
  evseId: integer(),
  connectorId: integer(),
  status: string(),
  errorCode: nullableString(),
  info: nullableString(),
  vendorId: nullableString(),
  vendorErrorCode: nullableString(),
  timestamp: dateTime('The station\'s timestamp (the server\'s when the station sent none)'),
  receivedAt: dateTime(),
} satisfies PropertiesOf<ConnectorStatusRecord>, { description: 'One status report of a connector; evseId 0 / connectorId 0 is the station itself' });

const configurationKeySchema = recordSchema({
  stationId: string(),
  key: string(),
  value: nullableString(),
  readonly: { type: 'boolean' },
  updatedAt: dateTime(),
} satisfies PropertiesOf<ConfigurationKeyRecord>, { description: 'A configuration value the station reported' });

const stationNotificationSchema = recordSchema({
  stationId: string(),
  type: string('e.g. FirmwareStatusNotification, SecurityEventNotification'),
  payload: anyObject('What the station reported'),
  timestamp: dateTime(),
  receivedAt: dateTime(),
} satisfies PropertiesOf<StationEventRecord>, { description: 'A station-initiated notification: firmware and diagnostics progress, log uploads, security events, ...' });

const meterValueSchema = recordSchema({
  stationId: string(),
  evseId: integer(),
  connectorId: integer(),
  transactionId: nullableString(),
  timestamp: dateTime(),
  measurand: string('e.g. Energy.Active.Import.Register'),
  phase: nullableString(),
  location: nullableString(),
  unit: nullableString(),
  context: nullableString(),
  format: nullableString(),
  value: string('The value exactly as sent'),
  numericValue: nullableNumber('The value as a number when it is one, else null'),
  receivedAt: dateTime(),
} satisfies PropertiesOf<MeterValueRecord>, { description: 'One sampled value' });

const idTokenSchema = recordSchema({
  idToken: string('Compared case-insensitively'),
  status: string('Accepted, Blocked, Expired, Invalid or ConcurrentTx'),
  expiryDate: nullableDateTime(),
  groupId: nullableString('Parent / group id token'),
  allowConcurrentTx: { type: 'boolean', description: 'Whether the token may hold more than one transaction at a time' },
  createdAt: dateTime(),
  updatedAt: dateTime(),
} satisfies PropertiesOf<IdTokenRecord>);

const transactionSchema = recordSchema({
  id: string('Joule\'s id (1.6 stations know it as their integer transactionId)'),
  stationTxId: string('The id the station uses'),
  stationId: string(),
  evseId: integer(),
  connectorId: integer(),
  idToken: nullableString(),
  startedAt: dateTime(),
  stoppedAt: nullableDateTime('null while active'),
  meterStartWh: nullableNumber(),
  meterStopWh: nullableNumber(),
  lastMeterWh: nullableNumber('Latest energy register seen during the transaction'),
  energyWh: nullableNumber('Energy delivered, once known'),
  stopReason: nullableString(),
  stopIdToken: nullableString(),
  reservationId: nullableInteger(),
  chargingState: nullableString('2.x chargingState of the newest event (Charging, EVConnected, SuspendedEV, SuspendedEVSE, Idle)'),
  lastSeqNo: nullableInteger('Highest 2.x TransactionEvent seqNo applied; null for 1.6'),
  remoteStartId: nullableInteger('2.x remoteStartId of the RequestStartTransaction that started it'),
  flags: {
    type: 'array',
    items: string(),
    description: 'Why the record is unusual: orphan-stop, missing-started, meter-start-zero-suspect (energy not billed), closed-stale, closed-superseded, closed-by-reconciliation',
  },
  createdAt: dateTime(),
  updatedAt: dateTime(),
} satisfies PropertiesOf<TransactionRecord>);

const transactionEventSchema = recordSchema({
  stationId: string(),
  stationTxId: string('The station\'s id for the transaction'),
  seqNo: nullableInteger('The station\'s sequence number; null when it sent none'),
  eventType: string('Started, Updated or Ended'),
  triggerReason: nullableString('Why the station sent it, e.g. Authorized, MeterValuePeriodic, EVDeparted'),
  timestamp: dateTime('The station\'s timestamp'),
  offline: { type: 'boolean', description: 'Sent from the station\'s offline queue' },
  transactionId: nullableString('Joule\'s transaction id the event was applied to'),
  payload: anyObject('The TransactionEvent request as received (after normalisation)'),
  receivedAt: dateTime(),
} satisfies PropertiesOf<TransactionEventRecord>, { description: 'One OCPP 2.x TransactionEvent as the station sent it' });

const deviceVariableSchema = recordSchema({
  stationId: string(),
  component: string('Component name, e.g. OCPPCommCtrlr, EVSE, Connector'),
  componentInstance: nullableString(),
  evseId: nullableInteger('The component\'s EVSE, null when it belongs to the station'),
  connectorId: nullableInteger('The component\'s connector, null when none'),
  variable: string('Variable name, e.g. HeartbeatInterval'),
  variableInstance: nullableString(),
  attributeType: string('Actual, Target, MinSet or MaxSet'),
  value: nullableString('The value as the station reported it; null when unknown (e.g. WriteOnly)'),
  mutability: nullableString('ReadOnly, WriteOnly or ReadWrite'),
  persistent: nullableBoolean(),
  constant: nullableBoolean(),
  unit: nullableString(),
  dataType: nullableString('string, decimal, integer, dateTime, boolean, OptionList, SequenceList, MemberList, ...'),
  minLimit: nullableNumber(),
  maxLimit: nullableNumber(),
  valuesList: nullableString('Allowed values (comma-separated) of list data types'),
  supportsMonitoring: nullableBoolean(),
  updatedAt: dateTime('When Joule last stored it'),
} satisfies PropertiesOf<DeviceVariableRecord>, { description: 'One attribute of one variable of a station\'s device model (OCPP 2.x)' });

const validationRuleSchema = recordSchema({
  id: string(),
  vendor: string('Matched case-insensitively against the BootNotification\'s vendor'),
  model: nullableString('Matched case-insensitively; null = every model of the vendor'),
  firmwarePrefix: nullableString('A prefix of the firmware version; null = every version'),
  mode: { type: 'string', enum: [...VALIDATION_MODES], description: VALIDATION_MODE_DESCRIPTION },
  description: nullableString(),
  createdAt: dateTime(),
  updatedAt: dateTime(),
} satisfies PropertiesOf<ValidationRuleRecord>, {
  description: 'A validation mode for the stations of a vendor (and optionally model and firmware prefix) that have no mode of their own; the most specific matching rule wins',
});

const callErrorProperties = {
  code: string('The OCPP error code'),
  description: string(),
  details: { description: 'The error details the station sent' },
};

const commandSchema = recordSchema({
  id: string(),
  stationId: string(),
  action: string(),
  request: anyObject('The payload sent'),
  actor: string('The user or token name that sent it'),
  origin: nullableString('The client address it came from'),
  status: { type: 'string', enum: ['pending', 'completed', 'error', 'timeout', 'failed'] },
  response: { type: ['object', 'null'], additionalProperties: true, description: 'The station\'s answer when completed' },
  error: { type: ['object', 'null'], properties: callErrorProperties, description: 'Why it did not complete' },
  createdAt: dateTime(),
  completedAt: nullableDateTime(),
} satisfies PropertiesOf<CommandRecord>, { description: 'A command log entry: who sent what, when, and what came back' });

const commandResultSchema = {
  type: 'object',
  description: 'The station answered: `completed` with its payload, or `error` with its CALLERROR',
  required: ['status', 'commandId'],
  properties: {
    status: { type: 'string', enum: ['completed', 'error'] satisfies StationCallOutcome['status'][] },
    commandId: string('The command log entry'),
    response: anyObject('The station\'s payload (status completed)'),
    error: { type: 'object', properties: callErrorProperties, description: 'The CALLERROR (status error)' },
    sent: {
      type: 'object',
      description: 'Present when Joule completed the request before sending it (a remote start on an EVSE of a managed site that named no profile gets the planner\'s TxProfile): the message as sent',
      properties: { action: string(), payload: anyObject('The payload as sent') },
    },
  },
};

const domainEventSchema = {
  type: 'object',
  required: ['id', 'type', 'at', 'data'],
  properties: {
    id: string('Unique and increasing per node'),
    type: { type: 'string', enum: Object.keys(EVENT_TYPES) },
    stationId: string(),
    at: dateTime('Server time the event was published'),
    data: anyObject('Event-specific fields'),
  } satisfies PropertiesOf<DomainEvent>,
};

/** The `$id` of a shared schema. */
export type SchemaId =
  | 'Error'
  | 'ConnectorView'
  | 'EvseView'
  | 'StationView'
  | 'ConnectorStatus'
  | 'ConfigurationKey'
  | 'StationNotification'
  | 'MeterValue'
  | 'IdToken'
  | 'Transaction'
  | 'TransactionEvent'
  | 'DeviceVariable'
  | 'ValidationRule'
  | 'Command'
  | 'CommandResult'
  | 'DomainEvent'
  | SmartChargingSchemaId
  | AccountSchemaId;

/** The shared schemas by `$id`. */
const SHARED_SCHEMAS: Record<SchemaId, JsonSchema> = {
  Error: errorSchema,
  ConnectorView: connectorViewSchema,
  EvseView: evseViewSchema,
  StationView: stationViewSchema,
  ConnectorStatus: connectorStatusSchema,
  ConfigurationKey: configurationKeySchema,
  StationNotification: stationNotificationSchema,
  MeterValue: meterValueSchema,
  IdToken: idTokenSchema,
  Transaction: transactionSchema,
  TransactionEvent: transactionEventSchema,
  DeviceVariable: deviceVariableSchema,
  ValidationRule: validationRuleSchema,
  Command: commandSchema,
  CommandResult: commandResultSchema,
  DomainEvent: domainEventSchema,
  ...SMART_CHARGING_SCHEMAS,
  ...ACCOUNT_SCHEMAS,
};

/** Adds the shared schemas to the instance (before any route refers to them). */
export function addSharedSchemas(app: FastifyInstance): void {
  for (const [id, schema] of Object.entries(SHARED_SCHEMAS)) app.addSchema({ $id: id, ...schema });
}

/** `limit` query parameter: how many rows at most. */
export const limitParameter = { type: 'integer', minimum: 1, maximum: 1000, default: 100, description: 'Maximum number of rows' };
/** `offset` query parameter: rows to skip, for paging. */
export const offsetParameter = { type: 'integer', minimum: 0, default: 0, description: 'Rows to skip, for paging' };

/** Error responses every authenticated route may give, plus the ones listed. */
export function errorResponses(...statuses: number[]): Record<number, JsonSchema> {
  const all = new Set([401, ...statuses, 500]);
  return Object.fromEntries([...all].sort((a, b) => a - b).map((status) => [status, { ...ref('Error'), description: ERROR_DESCRIPTIONS[status] ?? 'Error' }]));
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (code invalid_request, with the schema errors in details)',
  401: 'Missing or invalid bearer token (code unauthorized)',
  403: 'The token\'s role or scopes may not do this (code forbidden)',
  404: 'Not found (code not_found)',
  409: 'Conflict with the current state (e.g. station_offline, refused)',
  429: 'Too many failed attempts (code too_many_requests; Retry-After says when to try again)',
  500: 'Internal error (code internal)',
  504: 'The station did not answer in time (code timeout)',
};
