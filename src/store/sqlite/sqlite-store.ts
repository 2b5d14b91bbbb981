import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Store } from '../ports.ts';
import { SqliteCommandRepository } from './command-repository.ts';
import { openConnection } from './connection.ts';
import { Checkpointer } from './checkpointer.ts';
import { attachStationIndex, BackgroundStationIndexer, InProcessStationIndexer, type StationIndexer } from './station-index.ts';
import { WalSync } from './wal-sync.ts';
import { SqliteDatabase } from './database.ts';
import { SqliteIdTokenRepository } from './id-token-repository.ts';
import { SqliteMeterValueRepository } from './meter-value-repository.ts';
import { runMigrations } from './migrations.ts';
import { SqliteStationEventRepository } from './station-event-repository.ts';
import { SqliteStationRepository } from './station-repository.ts';
import { SqliteTransactionRepository } from './transaction-repository.ts';
import { SqliteTransactionEventRepository } from './transaction-event-repository.ts';
import { SqliteDeviceModelRepository } from './device-model-repository.ts';
import { SqliteValidationRuleRepository } from './validation-rule-repository.ts';
import { SqliteSiteRepository } from './site-repository.ts';
import { SqliteSiteSignalRepository } from './site-signal-repository.ts';
import { SqliteSessionNeedRepository } from './session-need-repository.ts';
import { SqliteChargingProfileRepository } from './charging-profile-repository.ts';
import { SqlitePlannerLeaseRepository } from './planner-lease-repository.ts';
import { SqliteOperatorRepository } from './operator-repository.ts';
import { SqliteApiTokenRepository } from './api-token-repository.ts';
import { SqliteLoginAttemptRepository } from './login-attempt-repository.ts';
import { SqliteAuditLogRepository } from './audit-log-repository.ts';
import { SqliteCertificateRepository } from './certificate-repository.ts';
import { SqliteSigningRequestRepository } from './signing-request-repository.ts';
import { SqliteSecurityEventRepository } from './security-event-repository.ts';
import type { CommitInfo } from './write-queue.ts';

export type { CommitInfo } from './write-queue.ts';
export { StoreClosedError } from './write-queue.ts';

/** Rows (operations) after which a batch is committed without waiting for the end of the event-loop turn. */
export const DEFAULT_MAX_BATCH_ROWS = 2000;
/** How often the in-memory last-seen times of stations are written. */
export const DEFAULT_LAST_SEEN_FLUSH_MS = 1000;

export interface SqliteStoreOptions {
  /** Database file path (its folder is created if missing), or `:memory:`. */
  file: string;
  /** Commit a batch at once when it reaches this many rows; default {@link DEFAULT_MAX_BATCH_ROWS}. */
  maxBatchRows?: number | undefined;
  /** Called after each group commit (metrics, tests); must not throw. */
  onCommit?: ((info: CommitInfo) => void) | undefined;
  /**
   * Interval of the write-behind flushes (stations' last-seen times, transactions' latest meter registers) and of the
   * station index's updates (station-index.ts); default {@link DEFAULT_LAST_SEEN_FLUSH_MS}.
   */
  lastSeenFlushMs?: number | undefined;
  /**
   * Hears of failures of the background threads (WAL checkpoints, station index updates), which are retried at their
   * next interval: the store keeps serving, but a WAL that is not checkpointed grows and an index that falls behind
   * makes a station's readings slower to read.
   */
  onBackgroundError?: BackgroundErrorListener | undefined;
}

/** `thread`: `checkpoints` or `station index`. */
export type BackgroundErrorListener = (thread: string, message: string) => void;

/**
 * Opens (creating and migrating as needed) the embedded SQLite store. Writes are group-committed: each returned
 * promise settles once its data is durable. Async so that every engine's factory has the same shape.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  const onDisk = options.file !== ':memory:';
  // Checkpoints run in a background thread, even on one core: there the copy costs the same CPU, but the event loop
  // is no longer stopped for it and its fsync of the database file. Measured pinned to one core under MeterValues:
  // 11.0-11.1k/s with checkpoints in commits, 11.8-13.1k/s with the thread; p99 at 5,000/s 133-155 ms and 18-133 ms.
  const backgroundCheckpoints = onDisk;
  const connection = openConnection(options.file, onDisk, backgroundCheckpoints);
  let walSync: WalSync | undefined;
  try {
    runMigrations(connection);
    attachStationIndex(connection, options.file);
    // The migrations wrote in WAL mode, so the WAL file exists now; make sure what they wrote is on disk too.
    if (onDisk) {
      walSync = new WalSync(options.file);
      walSync.afterCommit(() => {});
    }
  } catch (error) {
    connection.close();
    throw error;
  }
  const db = new SqliteDatabase(connection, {
    maxBatchOps: options.maxBatchRows ?? DEFAULT_MAX_BATCH_ROWS,
    onCommit: options.onCommit,
  }, walSync);
  const onError = options.onBackgroundError ?? (() => {});
  const checkpointer = backgroundCheckpoints ? new Checkpointer(options.file, (message) => onError('checkpoints', message)) : undefined;
  const flushMs = options.lastSeenFlushMs ?? DEFAULT_LAST_SEEN_FLUSH_MS;
  const stationIndexer = onDisk
    ? new BackgroundStationIndexer(options.file, flushMs, (message) => onError('station index', message))
    : new InProcessStationIndexer(db, flushMs);
  const meterValues = new SqliteMeterValueRepository(db, {
    file: onDisk ? options.file : undefined,
    onIndexDamaged: (message) => onError('station index', message),
  });
  return new SqliteStore(db, flushMs, checkpointer, stationIndexer, meterValues);
}

class SqliteStore implements Store {
  readonly stations: SqliteStationRepository;
  readonly idTokens: SqliteIdTokenRepository;
  readonly transactions: SqliteTransactionRepository;
  readonly meterValues: SqliteMeterValueRepository;
  readonly commands: SqliteCommandRepository;
  readonly stationEvents: SqliteStationEventRepository;
  readonly transactionEvents: SqliteTransactionEventRepository;
  readonly deviceModel: SqliteDeviceModelRepository;
  readonly validationRules: SqliteValidationRuleRepository;
  readonly sites: SqliteSiteRepository;
  readonly siteSignals: SqliteSiteSignalRepository;
  readonly sessionNeeds: SqliteSessionNeedRepository;
  readonly chargingProfiles: SqliteChargingProfileRepository;
  readonly plannerLeases: SqlitePlannerLeaseRepository;
  readonly operators: SqliteOperatorRepository;
  readonly apiTokens: SqliteApiTokenRepository;
  readonly loginAttempts: SqliteLoginAttemptRepository;
  readonly auditLog: SqliteAuditLogRepository;
  readonly certificates: SqliteCertificateRepository;
  readonly signingRequests: SqliteSigningRequestRepository;
  readonly securityEvents: SqliteSecurityEventRepository;
  readonly #db: SqliteDatabase;
  readonly #checkpointer: Checkpointer | undefined;
  readonly #stationIndexer: StationIndexer;
  #closing: Promise<void> | undefined;

  constructor(
    db: SqliteDatabase,
    lastSeenFlushMs: number,
    checkpointer: Checkpointer | undefined,
    stationIndexer: StationIndexer,
    meterValues: SqliteMeterValueRepository,
  ) {
    this.#db = db;
    this.#checkpointer = checkpointer;
    this.#stationIndexer = stationIndexer;
    this.stations = new SqliteStationRepository(db, { lastSeenFlushMs });
    this.idTokens = new SqliteIdTokenRepository(db);
    this.transactions = new SqliteTransactionRepository(db, { meterFlushMs: lastSeenFlushMs });
    this.meterValues = meterValues;
    this.commands = new SqliteCommandRepository(db);
    this.stationEvents = new SqliteStationEventRepository(db);
    this.transactionEvents = new SqliteTransactionEventRepository(db);
    this.deviceModel = new SqliteDeviceModelRepository(db);
    this.validationRules = new SqliteValidationRuleRepository(db);
    this.sites = new SqliteSiteRepository(db);
    this.siteSignals = new SqliteSiteSignalRepository(db);
    this.sessionNeeds = new SqliteSessionNeedRepository(db);
    this.chargingProfiles = new SqliteChargingProfileRepository(db);
    this.plannerLeases = new SqlitePlannerLeaseRepository(db);
    this.operators = new SqliteOperatorRepository(db);
    this.apiTokens = new SqliteApiTokenRepository(db);
    this.loginAttempts = new SqliteLoginAttemptRepository(db);
    this.auditLog = new SqliteAuditLogRepository(db);
    this.certificates = new SqliteCertificateRepository(db);
    this.signingRequests = new SqliteSigningRequestRepository(db);
    this.securityEvents = new SqliteSecurityEventRepository(db);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const lastSeenWritten = this.stations.close();
    const metersWritten = this.transactions.close();
    this.#db.close();
    await lastSeenWritten;
    await metersWritten;
    await this.#stationIndexer.close();
    await this.#checkpointer?.stop();
  }
}
