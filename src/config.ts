import { isOcppVersion, type OcppVersion } from './ocpp/versions.ts';
import type { ValidationMode } from './store/ports.ts';

/** The server's configuration, read from JOULE_* environment variables (see README.md). */
export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  apiToken: string | undefined;
  databaseUrl: string | undefined;
  /** PostgreSQL schema holding Joule's tables. */
  databaseSchema: string;
  natsUrl: string | undefined;
  /** Subject and bucket namespace on NATS, so several Joule clusters can share one NATS server. */
  natsCluster: string;
  /** A node that stops renewing its presence for this long is dead: its stations show offline everywhere. */
  presenceTtlS: number;
  /** This process's name on the bus; default `<hostname>-<pid>`. Must be unique among live processes. */
  nodeId: string | undefined;
  unknownStations: 'accept' | 'pending' | 'reject';
  heartbeatIntervalS: number;
  bootRetryIntervalS: number;
  commandTimeoutMs: number;
  authorizeUnknownIdTokens: boolean;
  defaultProtocol: OcppVersion | undefined;
  pingIntervalS: number;
  /** 0 = derived from the heartbeat interval (twice it, plus a minute). */
  idleTimeoutS: number;
  maxFrameBytes: number;
  /** Validation of stations with no setting and no vendor rule: strict, lenient or log-only. */
  validationMode: ValidationMode;
  /** Active transactions with no message for this long are closed as stale; 0 = never. */
  staleTransactionHours: number;
  /** Events within this time are gathered into one re-plan of a site (smart charging). */
  smartChargingDebounceMs: number;
  /** How long a node's planner lease on a site lasts without renewal (smart charging in a cluster). */
  smartChargingLeaseS: number;
  /** Where Joule's certificate authority comes from: builtin (created under the data dir), file, or off. */
  caMode: 'builtin' | 'file' | 'off';
  /** The operator's organisation: O of the built-in CA and of every station CSR. Default: the file CA's O, else Joule. */
  caOrganization: string | undefined;
  caCertFile: string | undefined;
  caKeyFile: string | undefined;
  caChainFile: string | undefined;
  /** Which names a station certificate's CN may be: identityOrSerialNumber, identity or serialNumber. */
  csrCommonNameRule: 'identityOrSerialNumber' | 'identity' | 'serialNumber';
  /** Validity of station certificates Joule signs, days. */
  certValidityDays: number;
  /** Installed station certificates expiring within this many days are renewed (0 = no renewal job). */
  certRenewDays: number;
  /** POSTed (JSON) on every critical security event. */
  securityAlertWebhook: string | undefined;
  logLevel: string;
  /** Worker processes sharing the port (`--workers`); 0 = one per CPU core. */
  workers: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false (got "${env[name]}")`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const unknownStations = env.JOULE_UNKNOWN_STATIONS ?? 'accept';
  if (unknownStations !== 'accept' && unknownStations !== 'pending' && unknownStations !== 'reject') {
    throw new ConfigError(`JOULE_UNKNOWN_STATIONS must be accept, pending or reject (got "${unknownStations}")`);
  }
  const defaultProtocol = env.JOULE_DEFAULT_PROTOCOL || undefined;
  if (defaultProtocol !== undefined && !isOcppVersion(defaultProtocol)) {
    throw new ConfigError(`JOULE_DEFAULT_PROTOCOL must be ocpp1.6, ocpp2.0.1 or ocpp2.1 (got "${defaultProtocol}")`);
  }
  const validationMode = env.JOULE_VALIDATION_MODE || 'strict';
  if (validationMode !== 'strict' && validationMode !== 'lenient' && validationMode !== 'log-only') {
    throw new ConfigError(`JOULE_VALIDATION_MODE must be strict, lenient or log-only (got "${validationMode}")`);
  }
  const caMode = env.JOULE_CA_MODE || 'builtin';
  if (caMode !== 'builtin' && caMode !== 'file' && caMode !== 'off') {
    throw new ConfigError(`JOULE_CA_MODE must be builtin, file or off (got "${caMode}")`);
  }
  if (caMode === 'file' && (!env.JOULE_CA_CERT_FILE || !env.JOULE_CA_KEY_FILE)) {
    throw new ConfigError('JOULE_CA_MODE=file needs JOULE_CA_CERT_FILE and JOULE_CA_KEY_FILE');
  }
  const csrCommonNameRule = env.JOULE_CSR_CN_RULE || 'identityOrSerialNumber';
  if (csrCommonNameRule !== 'identityOrSerialNumber' && csrCommonNameRule !== 'identity' && csrCommonNameRule !== 'serialNumber') {
    throw new ConfigError(`JOULE_CSR_CN_RULE must be identityOrSerialNumber, identity or serialNumber (got "${csrCommonNameRule}")`);
  }
  const securityAlertWebhook = env.JOULE_SECURITY_ALERT_WEBHOOK || undefined;
  if (securityAlertWebhook !== undefined && !/^https?:\/\//.test(securityAlertWebhook)) {
    throw new ConfigError(`JOULE_SECURITY_ALERT_WEBHOOK must be an http(s) URL (got "${securityAlertWebhook}")`);
  }
  return {
    port: int(env, 'JOULE_PORT', 8180, 0, 65535),
    host: env.JOULE_HOST || '0.0.0.0',
    dataDir: env.JOULE_DATA_DIR || './data',
    apiToken: env.JOULE_API_TOKEN || undefined,
    databaseUrl: env.JOULE_DATABASE_URL || undefined,
    databaseSchema: env.JOULE_DATABASE_SCHEMA || 'public',
    natsUrl: env.JOULE_NATS_URL || undefined,
    natsCluster: env.JOULE_NATS_CLUSTER || 'joule',
    presenceTtlS: int(env, 'JOULE_PRESENCE_TTL', 30, 1, 3_600),
    nodeId: env.JOULE_NODE_ID || undefined,
    unknownStations,
    heartbeatIntervalS: int(env, 'JOULE_HEARTBEAT_INTERVAL', 300, 1, 86_400),
    bootRetryIntervalS: int(env, 'JOULE_BOOT_RETRY_INTERVAL', 60, 0, 86_400),
    commandTimeoutMs: int(env, 'JOULE_COMMAND_TIMEOUT_MS', 30_000, 100, 600_000),
    authorizeUnknownIdTokens: bool(env, 'JOULE_AUTHORIZE_UNKNOWN_ID_TOKENS', false),
    defaultProtocol,
    pingIntervalS: int(env, 'JOULE_PING_INTERVAL', 30, 0, 3_600),
    idleTimeoutS: int(env, 'JOULE_IDLE_TIMEOUT', 0, 0, 7 * 86_400),
    maxFrameBytes: int(env, 'JOULE_MAX_FRAME_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    validationMode,
    staleTransactionHours: int(env, 'JOULE_STALE_TRANSACTION_HOURS', 48, 0, 24 * 365),
    smartChargingDebounceMs: int(env, 'JOULE_SMART_CHARGING_DEBOUNCE_MS', 200, 0, 60_000),
    smartChargingLeaseS: int(env, 'JOULE_SMART_CHARGING_LEASE', 30, 2, 3_600),
    caMode,
    caOrganization: env.JOULE_CA_ORGANIZATION || undefined,
    caCertFile: env.JOULE_CA_CERT_FILE || undefined,
    caKeyFile: env.JOULE_CA_KEY_FILE || undefined,
    caChainFile: env.JOULE_CA_CHAIN_FILE || undefined,
    csrCommonNameRule,
    certValidityDays: int(env, 'JOULE_CERT_VALIDITY_DAYS', 365, 1, 36_500),
    certRenewDays: int(env, 'JOULE_CERT_RENEW_DAYS', 30, 0, 3_650),
    securityAlertWebhook,
    logLevel: env.JOULE_LOG_LEVEL || 'info',
    workers: int(env, 'JOULE_WORKERS', 0, 0, 256),
  };
}
