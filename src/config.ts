import { isIP } from 'node:net';
import { GC_MODES, type GcMode } from './garbage-collector.ts';
import { isOcppVersion, type OcppVersion } from './ocpp/versions.ts';
import type { ValidationMode } from './store/ports.ts';

/** The server's configuration, read from JOULE_* environment variables (see README.md). */
export interface ServerConfig {
  port: number;
  host: string;
  /**
   * Connections the kernel queues for accepting, on each listener. A reconnect storm (a site's network comes back)
   * overflows a small queue: the kernel then drops handshakes and the stations retry only after a second or more.
   * Linux caps it at net.core.somaxconn.
   */
  listenBacklog: number;
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
  /** How long an operator's login session lasts, hours (fractions allowed). */
  sessionHours: number;
  /** Failed logins per user name (per 15 minutes) before logins of that name are refused with 429. */
  loginMaxFailures: number;
  /** Failed logins per remote address (per 15 minutes) before logins from it are refused with 429. */
  loginMaxFailuresPerAddress: number;
  /** Audit reads (GET) too. */
  auditReads: boolean;
  /**
   * Where the certificate authority of station certificates comes from: builtin (created under the data dir), file
   * (the operator's CA with its key), manual (the operator's CA without its key: CSRs wait for an upload), or off.
   */
  caMode: 'builtin' | 'file' | 'manual' | 'off';
  /** The operator's organisation: O of the built-in CA and of every station CSR. Default: the file or manual CA's O, else Joule. */
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
  /** V8's garbage collector in serving processes: on the main thread only, with helper threads, or chosen by cores. */
  gc: GcMode;
  /** Security (issue 6): profile defaults and the TLS listener. */
  security: SecurityConfig;
}

/** How stations must authenticate, and the TLS listener for security profiles 2 and 3 (README "Security profiles and TLS"). */
export interface SecurityConfig {
  /** Profile 0 (no authentication) for stations without a profile of their own; off by default. */
  allowUnsecured: boolean;
  /**
   * PEM file of the CA certificates station (client) certificates must chain to, on the TLS listener or forwarded by
   * a trusted proxy; undefined: profile 3 is impossible.
   */
  clientCaFile: string | undefined;
  /** The TLS listener; undefined when JOULE_TLS_PORT is not set. */
  tls: TlsListenerConfig | undefined;
  /** Addresses or CIDRs of TLS-terminating proxies whose client-certificate header is believed. */
  trustedProxies: string[];
  /** The header such a proxy forwards the client certificate in (URL-encoded PEM, nginx `$ssl_client_escaped_cert`). */
  proxyCertificateHeader: string;
}

export interface TlsListenerConfig {
  port: number;
  host: string;
  /** PEM files: one certificate chain per server key (an ECDSA and an RSA one, so both kinds of client are served). */
  certFiles: string[];
  keyFiles: string[];
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

function decimal(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new ConfigError(`${name} must be a number from ${min} to ${max} (got "${raw}")`);
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
  if (caMode !== 'builtin' && caMode !== 'file' && caMode !== 'manual' && caMode !== 'off') {
    throw new ConfigError(`JOULE_CA_MODE must be builtin, file, manual or off (got "${caMode}")`);
  }
  if (caMode === 'file' && (!env.JOULE_CA_CERT_FILE || !env.JOULE_CA_KEY_FILE)) {
    throw new ConfigError('JOULE_CA_MODE=file needs JOULE_CA_CERT_FILE and JOULE_CA_KEY_FILE');
  }
  if (caMode === 'manual' && !env.JOULE_CA_CERT_FILE) {
    throw new ConfigError('JOULE_CA_MODE=manual needs JOULE_CA_CERT_FILE (the certificate of the CA that signs station certificates)');
  }
  if (caMode === 'manual' && env.JOULE_CA_KEY_FILE) {
    throw new ConfigError('JOULE_CA_MODE=manual signs nothing in Joule: leave JOULE_CA_KEY_FILE unset (with the key, use JOULE_CA_MODE=file)');
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
    listenBacklog: int(env, 'JOULE_LISTEN_BACKLOG', 4096, 1, 65535),
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
    sessionHours: decimal(env, 'JOULE_SESSION_HOURS', 12, 0.0001, 24 * 30),
    loginMaxFailures: int(env, 'JOULE_LOGIN_MAX_FAILURES', 5, 1, 1000),
    loginMaxFailuresPerAddress: int(env, 'JOULE_LOGIN_MAX_FAILURES_PER_ADDRESS', 20, 1, 100_000),
    auditReads: bool(env, 'JOULE_AUDIT_READS', false),
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
    gc: gcMode(env),
    security: securityConfig(env),
  };
}

function gcMode(env: NodeJS.ProcessEnv): GcMode {
  const raw = env.JOULE_GC || 'auto';
  if (!(GC_MODES as readonly string[]).includes(raw)) throw new ConfigError(`JOULE_GC must be one of ${GC_MODES.join(', ')} (got "${raw}")`);
  return raw as GcMode;
}

/** A comma-separated list of paths or addresses; empty entries dropped. */
function list(env: NodeJS.ProcessEnv, name: string): string[] {
  return (env[name] ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function securityConfig(env: NodeJS.ProcessEnv): SecurityConfig {
  const trustedProxies = list(env, 'JOULE_TLS_PROXY_TRUSTED');
  for (const entry of trustedProxies) {
    if (!isAddressOrCidr(entry)) throw new ConfigError(`JOULE_TLS_PROXY_TRUSTED: "${entry}" is not an IP address or CIDR (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8)`);
  }
  const header = (env.JOULE_TLS_PROXY_CERT_HEADER || 'x-client-cert').toLowerCase();
  if (!/^[a-z0-9-]+$/.test(header)) throw new ConfigError(`JOULE_TLS_PROXY_CERT_HEADER must be a header name (got "${header}")`);
  return {
    allowUnsecured: bool(env, 'JOULE_ALLOW_UNSECURED', false),
    clientCaFile: env.JOULE_TLS_CLIENT_CA || undefined,
    tls: tlsListenerConfig(env),
    trustedProxies,
    proxyCertificateHeader: header,
  };
}

function tlsListenerConfig(env: NodeJS.ProcessEnv): TlsListenerConfig | undefined {
  const certFiles = list(env, 'JOULE_TLS_CERT');
  const keyFiles = list(env, 'JOULE_TLS_KEY');
  if (env.JOULE_TLS_PORT === undefined || env.JOULE_TLS_PORT === '') {
    if (certFiles.length > 0 || keyFiles.length > 0) throw new ConfigError('JOULE_TLS_CERT/JOULE_TLS_KEY are set but JOULE_TLS_PORT is not');
    return undefined;
  }
  if (certFiles.length === 0 || certFiles.length !== keyFiles.length) {
    throw new ConfigError('JOULE_TLS_PORT needs JOULE_TLS_CERT and JOULE_TLS_KEY: as many certificate files as key files (e.g. an ECDSA and an RSA pair), comma-separated, in the same order');
  }
  return {
    port: int(env, 'JOULE_TLS_PORT', 0, 0, 65535),
    host: env.JOULE_TLS_HOST || env.JOULE_HOST || '0.0.0.0',
    certFiles,
    keyFiles,
  };
}

function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  if (rest.length > 0 || address === undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return Number.isInteger(bits) && bits >= 0 && bits <= (family === 4 ? 32 : 128) && /^\d+$/.test(prefix);
}
