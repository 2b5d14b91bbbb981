import type { ClusterBus } from '../../cluster/bus.ts';
import type { Store, TransactionQuery, TransactionRecord } from '../../store/ports.ts';
import { sanitizeIdToken, type AuthorizationService, type IdTokenInfo } from '../authorization/authorization-service.ts';
import { nowIso, stationTime } from '../clock.ts';
import { DomainError } from '../errors.ts';
import type { MeteringService } from '../metering/metering-service.ts';
import { measuredDraw } from '../metering/measured-draw.ts';
import { energyRegisterWh, type MeterValueInput } from '../metering/sampled-value.ts';
import { defaultBaselinePolicy, energySoFarWh, SUSPECT_BASELINE_FLAG, zeroBaselineSuspect, type BaselinePolicy } from './baseline.ts';
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

/** The phases of a transaction that a station reports as events (2.x TransactionEvent eventType). */
export type TransactionPhase = 'Started' | 'Updated' | 'Ended';

/** One transaction event as a station reports it (2.x TransactionEvent), version-neutral. */
export interface TransactionEventInput {
  stationTxId: string;
  phase: TransactionPhase;
  /** The station's sequence number; events are ordered by it. Undefined when the station sent none. */
  seqNo?: number | undefined;
  timestamp: string;
  triggerReason?: string | undefined;
  /** Sent from the station's offline queue. */
  offline: boolean;
  evseId?: number | undefined;
  connectorId?: number | undefined;
  idToken?: string | undefined;
  chargingState?: string | undefined;
  stoppedReason?: string | undefined;
  remoteStartId?: number | undefined;
  reservationId?: number | undefined;
  meterValues: MeterValueInput[];
  /** The message as received, kept in the transaction's event log. */
  raw: Record<string, unknown>;
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

export interface TransactionEventOutcome {
  transaction: TransactionRecord;
  /** When the event named an id token. */
  idTokenInfo?: IdTokenInfo;
  /** The same event (station, transaction, seqNo) was seen before. */
  duplicate: boolean;
}

/** What a station says of a transaction it was asked about (2.x GetTransactionStatus). */
export interface TransactionStatusReport {
  /** The transaction is still going on at the station; undefined when the station does not know it. */
  ongoing: boolean | undefined;
  /** The station still has queued messages for it. */
  messagesInQueue: boolean;
}

/** Flags that tell how a record came about when the station's messages were incomplete. */
export const FLAG_ORPHAN_STOP = 'orphan-stop';
export const FLAG_STARTED_LATE = 'missing-started';
export const FLAG_SUPERSEDED = 'closed-superseded';
export const FLAG_RECONCILED = 'closed-by-reconciliation';
export const FLAG_STALE = 'closed-stale';

/** Transactions: started, metered and ended exactly once, whatever the station replays or reorders. */
export class TransactionService {
  private readonly store: Store;
  private readonly bus: ClusterBus;
  private readonly authorization: AuthorizationService;
  private readonly metering: MeteringService;
  private readonly lookup: TransactionLookup;
  private readonly baseline: BaselinePolicy;

  constructor(
    store: Store,
    bus: ClusterBus,
    authorization: AuthorizationService,
    metering: MeteringService,
    lookup: TransactionLookup,
    baseline: BaselinePolicy = defaultBaselinePolicy,
  ) {
    this.store = store;
    this.bus = bus;
    this.authorization = authorization;
    this.metering = metering;
    this.lookup = lookup;
    this.baseline = baseline;
  }

  /** A transaction started (1.6 StartTransaction). Joule assigns the id the station uses from now on. */
  async start(stationId: string, raw: TransactionStartInput): Promise<TransactionStarted> {
    const input = { ...raw, idToken: raw.idToken === null ? null : sanitizeIdToken(raw.idToken), timestamp: stationTime(raw.timestamp, nowIso()) };
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
    if (!duplicate) await this.closeSuperseded(record);
    if (record.stoppedAt === null) this.lookup.remember(record);
    const idTokenInfo: IdTokenInfo = input.idToken
      ? await this.authorization.authorize(stationId, input.idToken, record.id)
      : { status: 'Accepted' };
    if (!duplicate) this.bus.publish({ type: 'transaction.started', stationId, data: { ...transactionEventData(record), authorization: idTokenInfo.status } });
    return { transaction: record, idTokenInfo, duplicate };
  }

  /** A transaction ended (1.6 StopTransaction). A stop for an unknown transaction is kept as an orphan stop. */
  async stop(stationId: string, raw: TransactionStopInput): Promise<TransactionStopped> {
    const input = { ...raw, idToken: raw.idToken === undefined ? undefined : sanitizeIdToken(raw.idToken), timestamp: stationTime(raw.timestamp, nowIso()) };
    let tx = await this.store.transactions.findByStationTxId(stationId, input.stationTxId);
    if (!tx) tx = await this.recordOrphanStop(stationId, input);
    if (input.meterValues?.length) await this.metering.recordForTransaction(tx, input.meterValues);
    const { record, duplicate } = await this.end(tx, {
      stoppedAt: input.timestamp,
      meterStopWh: input.meterStopWh,
      reason: input.reason ?? null,
      idToken: input.idToken ?? null,
    });
    const idTokenInfo = input.idToken ? await this.authorization.authorize(stationId, input.idToken, tx.id) : undefined;
    return { transaction: record, duplicate, ...(idTokenInfo ? { idTokenInfo } : {}) };
  }

  /**
   * A transaction event (2.x TransactionEvent). Events are applied idempotently and ordered by seqNo: an event that
   * arrives before its transaction's Started creates the record (flagged), a late Started fills in the start, and
   * nothing reopens an ended transaction (field notes §3 #19, #20).
   */
  async event(stationId: string, raw: TransactionEventInput): Promise<TransactionEventOutcome> {
    const input = { ...raw, idToken: raw.idToken === undefined ? undefined : sanitizeIdToken(raw.idToken), timestamp: stationTime(raw.timestamp, nowIso()) };
    const seqNo = input.seqNo ?? null;
    const beginWh = registerWh(input.meterValues, 'Transaction.Begin');
    let tx = await this.store.transactions.findByStationTxId(stationId, input.stationTxId);
    let created = false;
    if (!tx) {
      const started = await this.store.transactions.start({
        stationId,
        stationTxId: input.stationTxId,
        evseId: input.evseId ?? 0,
        connectorId: input.connectorId ?? 0,
        idToken: input.idToken ?? null,
        meterStartWh: beginWh ?? (input.phase === 'Started' ? energyRegisterWh(input.meterValues) ?? null : null),
        startedAt: input.timestamp,
        reservationId: input.reservationId ?? null,
        chargingState: input.chargingState ?? null,
        lastSeqNo: seqNo,
        remoteStartId: input.remoteStartId ?? null,
        flags: input.phase === 'Started' ? [] : [FLAG_STARTED_LATE],
      });
      tx = started.record;
      created = !started.duplicate;
      if (created) await this.closeSuperseded(tx);
    } else {
      const amendment = amendmentFor(tx, input, beginWh);
      if (Object.keys(amendment).length > 0) tx = (await this.store.transactions.amend(tx.id, amendment)) ?? tx;
    }

    if (input.meterValues.length > 0) await this.metering.recordForTransaction(tx, input.meterValues);
    const { duplicate } = await this.store.transactionEvents.append({
      stationId,
      stationTxId: input.stationTxId,
      seqNo,
      eventType: input.phase,
      triggerReason: input.triggerReason ?? null,
      timestamp: input.timestamp,
      offline: input.offline,
      transactionId: tx.id,
      payload: input.raw,
      receivedAt: nowIso(),
    });

    const idTokenInfo = input.idToken ? await this.authorization.authorize(stationId, input.idToken, tx.id) : undefined;
    if (created) this.bus.publish({ type: 'transaction.started', stationId, data: { ...transactionEventData(tx), authorization: idTokenInfo?.status ?? null } });

    if (input.phase === 'Ended') {
      const ended = await this.end(tx, {
        stoppedAt: input.timestamp,
        meterStopWh: registerWh(input.meterValues, 'Transaction.End') ?? energyRegisterWh(input.meterValues) ?? tx.lastMeterWh,
        reason: input.stoppedReason ?? 'Local',
        idToken: input.idToken ?? null,
        ...(input.chargingState === undefined ? {} : { chargingState: input.chargingState }),
        seqNo,
      });
      tx = ended.record;
    } else if (tx.stoppedAt === null) {
      this.lookup.remember(tx);
      const latestWh = energyRegisterWh(input.meterValues);
      const draw = measuredDraw(input.meterValues);
      // What the EV draws now, for smart charging (with the EVSE, so that it needs no lookup).
      const drawData = draw === undefined ? {} : { evseId: tx.evseId, draw };
      if (latestWh !== undefined) {
        await this.store.transactions.updateMeter(tx.id, latestWh, input.timestamp);
        if (!duplicate && !created) {
          this.bus.publish({ type: 'transaction.updated', stationId, data: { transactionId: tx.id, meterWh: latestWh, energyWh: this.energySoFar(tx, latestWh), chargingState: tx.chargingState, ...drawData } });
        }
      } else if (!duplicate && !created) {
        this.bus.publish({ type: 'transaction.updated', stationId, data: { transactionId: tx.id, chargingState: tx.chargingState, triggerReason: input.triggerReason ?? null, ...drawData } });
      }
    }
    return { transaction: tx, duplicate, ...(idTokenInfo ? { idTokenInfo } : {}) };
  }

  /**
   * What a station answered about an open transaction after it rebooted (2.x GetTransactionStatus): a transaction the
   * station no longer has, with nothing queued for it, is closed here; one with queued messages stays open until
   * they arrive (field notes §3 #20).
   */
  async reconcile(stationId: string, stationTxId: string, report: TransactionStatusReport): Promise<TransactionRecord | undefined> {
    const tx = await this.store.transactions.findByStationTxId(stationId, stationTxId);
    if (!tx || tx.stoppedAt !== null) return tx;
    if (report.ongoing !== false || report.messagesInQueue) return tx;
    const { record } = await this.end(tx, {
      stoppedAt: await this.lastReportedAt(tx),
      meterStopWh: tx.lastMeterWh,
      reason: 'Other',
      idToken: null,
      flags: [FLAG_RECONCILED],
    });
    this.bus.publish({ type: 'station.notification', stationId, data: { type: 'transaction.reconciled', transactionId: tx.id, stationTxId, why: 'the station reported after reboot that the transaction is no longer ongoing and nothing is queued for it' } });
    return record;
  }

  /** The station's transactions Joule still holds open (e.g. to reconcile after a reboot). */
  active(stationId: string): Promise<TransactionRecord[]> {
    return this.store.transactions.activeForStation(stationId);
  }

  /**
   * Closes transactions with no message for longer than `maxIdleMs` (a station that never sent its stop, field notes
   * §3 #18). Each is ended at the last time its station reported on it, with the flag `closed-stale`, and the
   * reason is recorded.
   */
  async closeStale(maxIdleMs: number, now = Date.now(), batch = 500): Promise<TransactionRecord[]> {
    const before = new Date(now - maxIdleMs).toISOString();
    const stale = await this.store.transactions.inactiveSince(before, batch);
    const closed: TransactionRecord[] = [];
    for (const tx of stale) {
      const { record, duplicate } = await this.end(tx, {
        stoppedAt: await this.lastReportedAt(tx),
        meterStopWh: tx.lastMeterWh,
        reason: 'Other',
        idToken: null,
        flags: [FLAG_STALE],
      });
      if (duplicate) continue;
      closed.push(record);
      this.bus.publish({ type: 'station.notification', stationId: tx.stationId, data: { type: 'transaction.closed-stale', transactionId: tx.id, why: `no message for this transaction since ${tx.updatedAt} (limit ${Math.round(maxIdleMs / 60_000)} min)` } });
    }
    return closed;
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

  /** The transaction's event log (2.x events as received). */
  async events(id: string) {
    const tx = await this.get(id);
    return this.store.transactionEvents.forStationTx(tx.stationId, tx.stationTxId);
  }

  /**
   * The station's last word on a transaction it never ended: the newest of its start, its events and its meter
   * readings, by the station's clock (when Joule last wrote the record may be much later, e.g. at a reboot).
   */
  private async lastReportedAt(tx: TransactionRecord): Promise<string> {
    let latest = Date.parse(tx.startedAt);
    for (const event of await this.store.transactionEvents.forStationTx(tx.stationId, tx.stationTxId)) latest = Math.max(latest, Date.parse(event.timestamp) || 0);
    const readings = await this.store.meterValues.forTransaction(tx.stationId, tx.id);
    const last = readings.at(-1);
    if (last) latest = Math.max(latest, Date.parse(last.timestamp) || 0);
    return new Date(latest).toISOString();
  }

  /** Ends a transaction once; the energy of a suspect zero baseline is left unknown so that it is not billed. */
  private async end(
    tx: TransactionRecord,
    end: { stoppedAt: string; meterStopWh: number | null; reason: string | null; idToken: string | null; flags?: string[]; chargingState?: string | null; seqNo?: number | null },
  ): Promise<{ record: TransactionRecord; duplicate: boolean }> {
    this.lookup.forget(tx);
    const flags = [...(end.flags ?? [])];
    const suspect = end.meterStopWh !== null && zeroBaselineSuspect(tx.meterStartWh, end.meterStopWh, Date.parse(end.stoppedAt) - Date.parse(tx.startedAt), this.baseline);
    if (suspect) flags.push(SUSPECT_BASELINE_FLAG);
    const stopped = await this.store.transactions.stop({
      id: tx.id,
      stoppedAt: end.stoppedAt,
      meterStopWh: end.meterStopWh,
      stopReason: end.reason,
      stopIdToken: end.idToken,
      ...(suspect || tx.flags.includes(SUSPECT_BASELINE_FLAG) ? { energyWh: null } : {}),
      ...(flags.length > 0 ? { addFlags: flags } : {}),
      ...(end.chargingState === undefined ? {} : { chargingState: end.chargingState }),
      ...(end.seqNo === undefined || end.seqNo === null ? {} : { lastSeqNo: Math.max(end.seqNo, tx.lastSeqNo ?? -1) }),
    });
    if (!stopped) throw new DomainError('not_found', `Transaction ${tx.id} vanished while stopping`);
    if (!stopped.duplicate) this.bus.publish({ type: 'transaction.ended', stationId: tx.stationId, data: transactionEventData(stopped.record) });
    return stopped;
  }

  /** Energy so far, or null when the baseline is unknown or suspect. */
  private energySoFar(tx: TransactionRecord, registerWh: number): number | null {
    return energySoFarWh(tx, registerWh, Date.now(), this.baseline);
  }

  /**
   * A new transaction on a connector where an older one is still open: the station lost the older one (rebooted, or
   * never sent its stop), so it ends where the new one begins.
   */
  private async closeSuperseded(tx: TransactionRecord): Promise<void> {
    if (tx.evseId === 0) return;
    const open = await this.store.transactions.activeForStation(tx.stationId);
    for (const older of open) {
      if (older.id === tx.id || older.evseId !== tx.evseId || older.connectorId !== tx.connectorId) continue;
      if (Date.parse(older.startedAt) > Date.parse(tx.startedAt)) continue;
      await this.end(older, { stoppedAt: tx.startedAt, meterStopWh: older.lastMeterWh, reason: 'Other', idToken: null, flags: [FLAG_SUPERSEDED] });
    }
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
      flags: [FLAG_ORPHAN_STOP],
    });
    return record;
  }
}

/** The register value of a given reading context (Transaction.Begin / Transaction.End) in Wh, if sent. */
function registerWh(values: MeterValueInput[], context: string): number | undefined {
  const matching = values
    .map((mv) => ({ timestamp: mv.timestamp, sampledValues: mv.sampledValues.filter((sv) => sv.context === context) }))
    .filter((mv) => mv.sampledValues.length > 0);
  return matching.length === 0 ? undefined : energyRegisterWh(matching);
}

/** What an event changes on a transaction already known: newer fields by seqNo, start fields from a late Started. */
function amendmentFor(tx: TransactionRecord, input: TransactionEventInput, beginWh: number | undefined) {
  const newer = input.seqNo === undefined || tx.lastSeqNo === null || input.seqNo > tx.lastSeqNo;
  const amendment: Parameters<Store['transactions']['amend']>[1] = {};
  if (newer && tx.stoppedAt === null) {
    if (input.chargingState !== undefined) amendment.chargingState = input.chargingState;
    if (input.seqNo !== undefined) amendment.lastSeqNo = input.seqNo;
  }
  if (input.idToken !== undefined && tx.idToken === null) amendment.idToken = input.idToken;
  if (input.remoteStartId !== undefined && tx.remoteStartId === null) amendment.remoteStartId = input.remoteStartId;
  if (input.evseId !== undefined && tx.evseId === 0) amendment.evseId = input.evseId;
  if (input.connectorId !== undefined && tx.connectorId === 0) amendment.connectorId = input.connectorId;
  const startMissing = tx.flags.includes(FLAG_STARTED_LATE);
  if (input.phase === 'Started' && startMissing) {
    // The Started event arrives after later events (offline queue): it carries the real start.
    if (Date.parse(input.timestamp) < Date.parse(tx.startedAt)) amendment.startedAt = input.timestamp;
    const startWh = beginWh ?? energyRegisterWh(input.meterValues);
    if (startWh !== undefined && tx.meterStartWh === null) {
      amendment.meterStartWh = startWh;
      if (tx.stoppedAt !== null && tx.meterStopWh !== null && tx.meterStopWh >= startWh) amendment.energyWh = tx.meterStopWh - startWh;
    }
  } else if (beginWh !== undefined && tx.meterStartWh === null) {
    amendment.meterStartWh = beginWh;
  }
  return amendment;
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
    flags: tx.flags,
  };
}
