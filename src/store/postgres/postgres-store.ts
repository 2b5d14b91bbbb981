import type { Store } from '../ports.ts';
import type { CommitInfo } from '../commit.ts';
import { PostgresCommandRepository } from './command-repository.ts';
import { PostgresDatabase } from './database.ts';
import { PostgresIdTokenRepository } from './id-token-repository.ts';
import { PostgresMeterValueRepository } from './meter-value-repository.ts';
import { runMigrations } from './migrations.ts';
import { createPool, DEFAULT_POOL_SIZE } from './pool.ts';
import { PostgresStationEventRepository } from './station-event-repository.ts';
import { PostgresStationRepository } from './station-repository.ts';
import { PostgresTransactionRepository } from './transaction-repository.ts';
import { PostgresTransactionEventRepository } from './transaction-event-repository.ts';
import { PostgresDeviceModelRepository } from './device-model-repository.ts';
import { PostgresValidationRuleRepository } from './validation-rule-repository.ts';
import { PostgresSiteRepository } from './site-repository.ts';
import { PostgresSiteSignalRepository } from './site-signal-repository.ts';
import { PostgresSessionNeedRepository } from './session-need-repository.ts';
import { PostgresChargingProfileRepository } from './charging-profile-repository.ts';
import { PostgresPlannerLeaseRepository } from './planner-lease-repository.ts';
import { PostgresOperatorRepository } from './operator-repository.ts';
import { PostgresApiTokenRepository } from './api-token-repository.ts';
import { PostgresLoginAttemptRepository } from './login-attempt-repository.ts';
import { PostgresAuditLogRepository } from './audit-log-repository.ts';
import { PostgresCertificateRepository } from './certificate-repository.ts';
import { PostgresSigningRequestRepository } from './signing-request-repository.ts';
import { PostgresSecurityEventRepository } from './security-event-repository.ts';

export type { CommitInfo } from '../commit.ts';
export { StoreClosedError } from '../commit.ts';
export { DEFAULT_POOL_SIZE } from './pool.ts';

/**
 * Meter-value rows per group commit at most. Appends of one event-loop turn beyond this are committed in several
 * batches, in parallel (up to {@link DEFAULT_MAX_BATCHES_IN_FLIGHT}): on the reference machine, 1,000-row batches two
 * at a time sustained more rows per second than larger ones one at a time, and with a quarter of the latency.
 */
export const DEFAULT_MAX_BATCH_ROWS = 1000;
/** Meter-value batches being committed at once (each on its own connection). */
export const DEFAULT_MAX_BATCHES_IN_FLIGHT = 2;
/** Meter-value rows per INSERT statement at most; a larger batch is several statements in one transaction. */
export const DEFAULT_MAX_STATEMENT_ROWS = 5_000;
/** How often the in-memory last-seen times of stations are written. */
export const DEFAULT_LAST_SEEN_FLUSH_MS = 1000;
/** The schema Joule's tables live in unless configured. */
export const DEFAULT_SCHEMA = 'public';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (node-postgres connection string; `?sslmode=...` etc. allowed). */
  url: string;
  /** The schema for Joule's tables, created if missing; default {@link DEFAULT_SCHEMA}. */
  schema?: string | undefined;
  /** Connections at most; default {@link DEFAULT_POOL_SIZE}. */
  poolSize?: number | undefined;
  /** Meter-value rows in one group commit at most; default {@link DEFAULT_MAX_BATCH_ROWS}. */
  maxBatchRows?: number | undefined;
  /** Meter-value rows in one INSERT statement at most; default {@link DEFAULT_MAX_STATEMENT_ROWS}. */
  maxStatementRows?: number | undefined;
  /** Meter-value batches being committed at once; default {@link DEFAULT_MAX_BATCHES_IN_FLIGHT} (at most the pool size). */
  maxBatchesInFlight?: number | undefined;
  /** Called after each commit (metrics, tests): a meter-value batch counts its appends and rows; must not throw. */
  onCommit?: ((info: CommitInfo) => void) | undefined;
  /** Interval of the last-seen flush; default {@link DEFAULT_LAST_SEEN_FLUSH_MS}. */
  lastSeenFlushMs?: number | undefined;
  /** Errors of idle pooled connections (e.g. the server restarted); they are otherwise ignored. */
  onConnectionError?: ((error: Error) => void) | undefined;
}

/**
 * Opens the PostgreSQL store: a connection pool whose connections use the configured schema, migrated (under an
 * advisory lock, so that several Joule processes may start at once) before the first use. Every write's promise
 * settles once its commit is durable; meter values are group-committed in batches.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const poolSize = options.poolSize ?? DEFAULT_POOL_SIZE;
  if (!(Number.isInteger(poolSize) && poolSize >= 1)) throw new RangeError('poolSize must be a positive integer');
  const pool = createPool({ url: options.url, schema, size: poolSize, onError: options.onConnectionError });
  try {
    await runMigrations(pool, schema);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  const db = new PostgresDatabase(pool, options.onCommit);
  return new PostgresStore(db, {
    lastSeenFlushMs: options.lastSeenFlushMs ?? DEFAULT_LAST_SEEN_FLUSH_MS,
    maxBatchRows: options.maxBatchRows ?? DEFAULT_MAX_BATCH_ROWS,
    maxStatementRows: options.maxStatementRows ?? DEFAULT_MAX_STATEMENT_ROWS,
    maxInFlight: options.maxBatchesInFlight ?? Math.min(DEFAULT_MAX_BATCHES_IN_FLIGHT, poolSize),
  });
}

interface PostgresStoreSettings {
  lastSeenFlushMs: number;
  maxBatchRows: number;
  maxStatementRows: number;
  maxInFlight: number;
}

class PostgresStore implements Store {
  readonly stations: PostgresStationRepository;
  readonly idTokens: PostgresIdTokenRepository;
  readonly transactions: PostgresTransactionRepository;
  readonly meterValues: PostgresMeterValueRepository;
  readonly commands: PostgresCommandRepository;
  readonly stationEvents: PostgresStationEventRepository;
  readonly transactionEvents: PostgresTransactionEventRepository;
  readonly deviceModel: PostgresDeviceModelRepository;
  readonly validationRules: PostgresValidationRuleRepository;
  readonly sites: PostgresSiteRepository;
  readonly siteSignals: PostgresSiteSignalRepository;
  readonly sessionNeeds: PostgresSessionNeedRepository;
  readonly chargingProfiles: PostgresChargingProfileRepository;
  readonly plannerLeases: PostgresPlannerLeaseRepository;
  readonly operators: PostgresOperatorRepository;
  readonly apiTokens: PostgresApiTokenRepository;
  readonly loginAttempts: PostgresLoginAttemptRepository;
  readonly auditLog: PostgresAuditLogRepository;
  readonly certificates: PostgresCertificateRepository;
  readonly signingRequests: PostgresSigningRequestRepository;
  readonly securityEvents: PostgresSecurityEventRepository;
  readonly #db: PostgresDatabase;
  #closing: Promise<void> | undefined;

  constructor(db: PostgresDatabase, settings: PostgresStoreSettings) {
    this.#db = db;
    this.stations = new PostgresStationRepository(db, { lastSeenFlushMs: settings.lastSeenFlushMs });
    this.idTokens = new PostgresIdTokenRepository(db);
    this.transactions = new PostgresTransactionRepository(db, { meterFlushMs: settings.lastSeenFlushMs });
    this.meterValues = new PostgresMeterValueRepository(db, {
      maxBatchRows: settings.maxBatchRows,
      maxStatementRows: settings.maxStatementRows,
      maxInFlight: settings.maxInFlight,
    });
    this.commands = new PostgresCommandRepository(db);
    this.stationEvents = new PostgresStationEventRepository(db);
    this.transactionEvents = new PostgresTransactionEventRepository(db);
    this.deviceModel = new PostgresDeviceModelRepository(db);
    this.validationRules = new PostgresValidationRuleRepository(db);
    this.sites = new PostgresSiteRepository(db);
    this.siteSignals = new PostgresSiteSignalRepository(db);
    this.sessionNeeds = new PostgresSessionNeedRepository(db);
    this.chargingProfiles = new PostgresChargingProfileRepository(db);
    this.plannerLeases = new PostgresPlannerLeaseRepository(db);
    this.operators = new PostgresOperatorRepository(db);
    this.apiTokens = new PostgresApiTokenRepository(db);
    this.loginAttempts = new PostgresLoginAttemptRepository(db);
    this.auditLog = new PostgresAuditLogRepository(db);
    this.certificates = new PostgresCertificateRepository(db);
    this.signingRequests = new PostgresSigningRequestRepository(db);
    this.securityEvents = new PostgresSecurityEventRepository(db);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /**
   * Refuses new calls, writes the last-seen times, the pending meter registers and the queued meter values, waits for
   * every write, ends the pool.
   */
  async #close(): Promise<void> {
    this.#db.refuse();
    try {
      await Promise.all([this.stations.close(), this.transactions.close(), this.meterValues.close()]);
    } finally {
      await this.#db.end();
    }
  }
}
