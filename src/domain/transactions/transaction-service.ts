import type { ClusterBus } from '../../cluster/bus.ts';
import type { Store, TransactionQuery, TransactionRecord } from '../../store/ports.ts';
import type { AuthorizationService, IdTokenInfo } from '../authorization/authorization-service.ts';
import { DomainError } from '../errors.ts';
import type { MeteringService } from '../metering/metering-service.ts';
import type { MeterValueInput } from '../metering/sampled-value.ts';
import type { TransactionLookup } from './transaction-lookup.ts';

export interface TransactionStartInput {
  evseId: number;
  connectorId: number;
  idToken: string | null;
  meterStartWh: number | null;
  /** The station's start time. */
  timestamp: string;
  reservationId?: number | undefined;
  /** The station's id for the transaction (2.x); Joule assigns one when absent (1.6). */
  stationTxId?: string | undefined;
}

export interface TransactionStopInput {
  stationTxId: string;
  meterStopWh: number | null;
  timestamp: string;
  idToken?: string | undefined;
  reason?: string | undefined;
  /** Meter values delivered with the stop (1.6 transactionData). */
  meterValues?: MeterValueInput[] | undefined;
  evseId?: number | undefined;
  connectorId?: number | undefined;
}

export interface TransactionStarted {
  transaction: TransactionRecord;
  idTokenInfo: IdTokenInfo;
  /** True when this start was already recorded (a replay): it was answered the same and not counted again. */
  duplicate: boolean;
}

export interface TransactionStopped {
  transaction: TransactionRecord;
  idTokenInfo?: IdTokenInfo;
  duplicate: boolean;
}

/** Transactions: started, metered and ended exactly once, whatever the station replays. */
export class TransactionService {
  private readonly store: Store;
  private readonly bus: ClusterBus;
  private readonly authorization: AuthorizationService;
  private readonly metering: MeteringService;
  private readonly lookup: TransactionLookup;

  constructor(store: Store, bus: ClusterBus, authorization: AuthorizationService, metering: MeteringService, lookup: TransactionLookup) {
    this.store = store;
    this.bus = bus;
    this.authorization = authorization;
    this.metering = metering;
    this.lookup = lookup;
  }

  async start(stationId: string, input: TransactionStartInput): Promise<TransactionStarted> {
    const { record, duplicate } = await this.store.transactions.start({
      stationId,
      evseId: input.evseId,
      connectorId: input.connectorId,
      idToken: input.idToken,
      meterStartWh: input.meterStartWh,
      startedAt: input.timestamp,
      reservationId: input.reservationId ?? null,
      ...(input.stationTxId === undefined ? {} : { stationTxId: input.stationTxId }),
    });
    if (record.stoppedAt === null) this.lookup.remember(record);
    const idTokenInfo: IdTokenInfo = input.idToken
      ? await this.authorization.authorize(stationId, input.idToken, record.id)
      : { status: 'Accepted' };
    if (!duplicate) this.bus.publish({ type: 'transaction.started', stationId, data: { ...transactionEventData(record), authorization: idTokenInfo.status } });
    return { transaction: record, idTokenInfo, duplicate };
  }

  async stop(stationId: string, input: TransactionStopInput): Promise<TransactionStopped> {
    let tx = await this.store.transactions.findByStationTxId(stationId, input.stationTxId);
    if (!tx) tx = await this.recordOrphanStop(stationId, input);
    this.lookup.forget(tx);
    if (input.meterValues?.length) await this.metering.recordForTransaction(tx, input.meterValues);
    const stopped = await this.store.transactions.stop({
      id: tx.id,
      stoppedAt: input.timestamp,
      meterStopWh: input.meterStopWh,
      stopReason: input.reason ?? null,
      stopIdToken: input.idToken ?? null,
    });
    if (!stopped) throw new DomainError('not_found', `Transaction ${tx.id} vanished while stopping`);
    const idTokenInfo = input.idToken ? await this.authorization.authorize(stationId, input.idToken, tx.id) : undefined;
    if (!stopped.duplicate) this.bus.publish({ type: 'transaction.ended', stationId, data: transactionEventData(stopped.record) });
    return { transaction: stopped.record, duplicate: stopped.duplicate, ...(idTokenInfo ? { idTokenInfo } : {}) };
  }

  /**
   * A stop for a transaction Joule never saw start (offline start, unknown or -1 id, field notes §3 #17): it is kept
   * as a transaction flagged `orphan-stop` so that nothing the station reports is lost, and answered normally.
   */
  private async recordOrphanStop(stationId: string, input: TransactionStopInput): Promise<TransactionRecord> {
    const { record } = await this.store.transactions.start({
      stationId,
      evseId: input.evseId ?? 0,
      connectorId: input.connectorId ?? 0,
      idToken: input.idToken ?? null,
      meterStartWh: null,
      startedAt: input.timestamp,
      stationTxId: `orphan:${input.stationTxId}:${input.timestamp}`,
      flags: ['orphan-stop'],
    });
    return record;
  }

  async get(id: string): Promise<TransactionRecord> {
    const tx = await this.store.transactions.get(id);
    if (!tx) throw new DomainError('not_found', `Transaction ${id} is not known`);
    return tx;
  }

  list(query: TransactionQuery): Promise<TransactionRecord[]> {
    return this.store.transactions.list(query);
  }

  async findByStationTxId(stationId: string, stationTxId: string): Promise<TransactionRecord | undefined> {
    return this.store.transactions.findByStationTxId(stationId, stationTxId);
  }
}

function transactionEventData(tx: TransactionRecord): Record<string, unknown> {
  return {
    transactionId: tx.id,
    evseId: tx.evseId,
    connectorId: tx.connectorId,
    idToken: tx.idToken,
    startedAt: tx.startedAt,
    stoppedAt: tx.stoppedAt,
    meterStartWh: tx.meterStartWh,
    meterStopWh: tx.meterStopWh,
    energyWh: tx.energyWh,
    stopReason: tx.stopReason,
  };
}
