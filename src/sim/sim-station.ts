import type { Payload } from '../ocpp/rpc/frames.ts';
import { RpcError } from '../ocpp/rpc/error-codes.ts';
import { schemaValidator } from '../ocpp/validation/schema-validator.ts';
import { CertificateStore } from './certificate-store.ts';
import { ChargingProfileStore, type ChargingProfile } from './charging-profiles.ts';
import { ConfigStore } from './config-store.ts';
import { ConnectorSession, connectorStatus, newConnector, type Connector } from './connector.ts';
import { DEFAULT_EV, EvBattery, type EvSpec } from './ev-model.ts';
import { replyWith } from './handler-reply.ts';
import { CS_HANDLERS } from './handlers/index.ts';
import { LocalAuthList } from './local-auth-list.ts';
import { sampleValues, type ElectricalReading } from './meter-sampler.ts';
import type {
  ChargePointErrorCode,
  ChargePointStatus,
  IdTagInfo,
  ReadingContext,
  RegistrationStatus,
  StopReason,
} from './ocpp16-types.ts';
import { applyScheduledAvailability } from './outlet.ts';
import { PowerDelivery } from './power-delivery.ts';
import { RandomBehaviour } from './random-behaviour.ts';
import { Reservations } from './reservations.ts';
import { SimStationBase, type StationLinkEvent, type StationOptions } from './sim-station-base.ts';
import type { Reply } from './station-connection.ts';
import { idleTransfers, type TransferState } from './transfer-state.ts';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SimStationOptions extends StationOptions {
  /** Number of connectors; default 2. */
  connectors?: number;
  /** Most power one connector delivers; default 22 kW (3 x 32 A at 230 V). */
  connectorMaxPowerKw?: number;
  onEvent?: (event: SimStationEvent) => void;
}

/** What a station reports to its owner (fleet counters, verbose logs, tests). */
export type SimStationEvent =
  | StationLinkEvent
  | { type: 'status'; stationId: string; connectorId: number; status: ChargePointStatus }
  | { type: 'session-started'; stationId: string; connectorId: number; transactionId: number; idTag: string }
  | { type: 'session-ended'; stationId: string; connectorId: number; transactionId: number; reason: StopReason };

export interface StartSessionOptions {
  ev?: EvSpec;
  /** Started by RemoteStartTransaction: Authorize only if AuthorizeRemoteTxRequests is true. */
  remote?: boolean;
  /** A TxProfile to install once the transaction has started (from RemoteStartTransaction). */
  chargingProfile?: ChargingProfile;
}

export type SessionResult = { started: true; transactionId: number } | { started: false; reason: string };

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function asIdTagInfo(value: unknown): IdTagInfo {
  const status = (value as { status?: unknown } | undefined)?.status;
  return typeof status === 'string' ? (value as IdTagInfo) : { status: 'Invalid' };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A simulated OCPP 1.6 charge point: boots, heartbeats, reports connector status, runs charging sessions with an
 * EV model and periodic meter values, and answers every CS-to-CP operation of the six 1.6 feature profiles and the
 * security extension with real state (configuration, local list, reservations, charging profiles, certificates).
 */
export class SimStation extends SimStationBase<SimStationEvent> {
  readonly config: ConfigStore;
  readonly localList = new LocalAuthList();
  readonly profiles = new ChargingProfileStore();
  readonly certificates = new CertificateStore();
  readonly transfers: TransferState = idleTransfers();
  /** Connector N is `connectors[N - 1]`. */
  readonly connectors: readonly Connector[];
  readonly reservations: Reservations<Connector>;
  /** The supply, the power offered to each connector under the installed profiles, the meter readings. */
  readonly power: PowerDelivery;

  private readonly options: SimStationOptions;
  private readonly authCache = new Map<string, IdTagInfo>();
  private readonly randomBehaviour: RandomBehaviour | undefined;
  private stationStatus: ChargePointStatus | undefined;

  constructor(options: SimStationOptions) {
    super(options, 'ocpp1.6');
    this.options = options;
    const count = options.connectors ?? 2;
    this.connectors = Array.from({ length: count }, (_, i) => newConnector(i + 1));
    this.reservations = new Reservations(this.connectors, this.timers);
    this.power = new PowerDelivery({
      outletMaxW: (options.connectorMaxPowerKw ?? 22) * 1000,
      outlets: count,
      speed: this.speed,
      random: this.random,
      limits: this.profiles,
      chargingSessions: () => this.activeSessions(),
    });
    const overrides: Record<string, string> = {
      NumberOfConnectors: String(count),
      ConnectorPhaseRotation: Array.from({ length: count + 1 }, (_, i) => `${i}.RST`).join(','),
      ConnectorPhaseRotationMaxLength: String(count + 1),
      SecurityProfile: options.password === undefined ? '0' : '1',
    };
    if (options.meterValueSampleInterval !== undefined) overrides.MeterValueSampleInterval = String(options.meterValueSampleInterval);
    if (options.callTimeoutMs !== undefined) overrides.MessageTimeout = String(Math.max(1, Math.round(options.callTimeoutMs / 1000)));
    this.config = new ConfigStore(overrides);
    this.config.onChange = (key, value) => this.configChanged(key, value);
    this.randomBehaviour = options.randomSessions ? new RandomBehaviour(this, options.randomSessions) : undefined;
  }

  /** Accepted, Pending or Rejected by the last BootNotification; Unknown before it and while offline. */
  get registration(): RegistrationStatus | 'Unknown' {
    return this.registrationState.status;
  }

  /**
   * Ends running sessions (StopTransaction reason Other, then their status notifications are delivered) unless
   * `endSessions` is false, then disconnects for good.
   */
  async stop(options: { endSessions?: boolean } = {}): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.randomBehaviour?.stop();
    if (options.endSessions !== false && this.connection.isOpen) {
      // A session still starting (Authorize or StartTransaction in flight) stops once its start is answered, which can
      // be after the calls in flight now: repeat until every connector is free, so that no transaction the CSMS saw
      // start is left without its StopTransaction.
      const deadline = Date.now() + this.connection.callTimeoutMs;
      do {
        await Promise.all(this.connectors.map((c) => this.stopSession(c.id, 'Other')));
        await this.connection.idle();
        if (!this.connectors.some((c) => c.session !== undefined)) break;
        await sleep(5);
      } while (Date.now() < deadline && this.connection.isOpen);
    }
    this.timers.clear();
    await this.connection.close();
  }

  connector(connectorId: number): Connector | undefined {
    return this.connectors[connectorId - 1];
  }

  /** The current status of a connector (0 = the station as a whole). */
  statusOf(connectorId: number): ChargePointStatus | undefined {
    if (connectorId === 0) return this.operative ? 'Available' : 'Unavailable';
    const connector = this.connector(connectorId);
    return connector ? connectorStatus(connector) : undefined;
  }

  /** Number of connectors with a transaction running. */
  activeSessions(): number {
    let n = 0;
    for (const c of this.connectors) if (c.session?.transactionId !== undefined && c.session.phase === 'charging') n++;
    return n;
  }

  /** BootNotification and what follows from the answer (heartbeat, status reports, retries). */
  override async boot(): Promise<void> {
    const interval = await this.registrationState.boot(this.bootPayload());
    if (interval === undefined) return;
    if (interval > 0) this.config.set('HeartbeatInterval', String(interval));
    else this.restartHeartbeat();
    this.refreshAllStatuses(true);
    this.randomBehaviour?.start();
  }

  /** Sends StatusNotification for a connector if its status changed (or `force`); only once Accepted. */
  refreshStatus(connectorId: number, force = false): void {
    const status = this.statusOf(connectorId);
    if (status === undefined) return;
    const connector = this.connector(connectorId);
    const previous = connectorId === 0 ? this.stationStatus : connector?.reportedStatus;
    if (!force && status === previous) return;
    if (connectorId === 0) this.stationStatus = status;
    else if (connector) connector.reportedStatus = status;
    this.emit({ type: 'status', stationId: this.id, connectorId, status });
    if (this.registrationState.status === 'Accepted') void this.sendStatus(connectorId);
  }

  /** `refreshStatus` for connector 0 and every connector. */
  refreshAllStatuses(force = false): void {
    for (let id = 0; id <= this.connectors.length; id++) this.refreshStatus(id, force);
  }

  /** Sends the current StatusNotification of a connector, whatever the registration (e.g. triggered). */
  sendStatus(connectorId: number): Promise<void> {
    const status = this.statusOf(connectorId);
    if (status === undefined) return Promise.resolve();
    const errorCode: ChargePointErrorCode = this.connector(connectorId)?.fault ?? 'NoError';
    return this.notify('StatusNotification', { connectorId, errorCode, status, timestamp: iso(Date.now()) });
  }

  /** Marks a connector faulted (`errorCode`) or healthy again (undefined), and reports it. */
  setFault(connectorId: number, errorCode: ChargePointErrorCode | undefined): void {
    const connector = this.connector(connectorId);
    if (!connector) return;
    connector.fault = errorCode === 'NoError' ? undefined : errorCode;
    this.refreshStatus(connectorId);
  }

  /**
   * A charging session: Preparing, Authorize (unless remote and AuthorizeRemoteTxRequests is false, or the idTag
   * is Accepted locally with LocalPreAuthorize), StartTransaction, Charging and periodic MeterValues. A refused
   * idTag ends it properly: Finishing then Available (after StopTransaction DeAuthorized if a transaction began).
   */
  async startSession(connectorId: number, idTag: string, options: StartSessionOptions = {}): Promise<SessionResult> {
    const connector = this.connector(connectorId);
    const refusal = this.startRefusal(connector, idTag);
    if (refusal !== undefined || !connector) return { started: false, reason: refusal ?? 'unknown connector' };
    const session = new ConnectorSession(connectorId, idTag, new EvBattery(options.ev ?? this.options.ev ?? DEFAULT_EV), Date.now());
    if (connector.reservation) {
      session.reservationId = connector.reservation.id;
      this.reservations.release(connector);
    }
    connector.session = session;
    this.refreshStatus(connectorId);
    let transactionId: number;
    let tagStatus: IdTagInfo['status'];
    try {
      if (!options.remote || this.config.bool('AuthorizeRemoteTxRequests')) {
        const info = await this.authorize(idTag);
        if (info.status !== 'Accepted') return this.abandon(connector, session, `Authorize: ${info.status}`);
      }
      if (session.stopRequested) return this.abandon(connector, session, 'stopped before the transaction started');
      const request: Payload = { connectorId, idTag, meterStart: Math.round(connector.energyWh), timestamp: iso(Date.now()) };
      if (session.reservationId !== undefined) request.reservationId = session.reservationId;
      const response = await this.call('StartTransaction', request);
      if (typeof response.transactionId !== 'number' || !Number.isInteger(response.transactionId)) {
        return this.abandon(connector, session, 'StartTransaction answer has no transactionId');
      }
      transactionId = response.transactionId;
      const info = asIdTagInfo(response.idTagInfo);
      this.remember(idTag, info);
      tagStatus = info.status;
    } catch (error) {
      return this.abandon(connector, session, errorMessage(error));
    }
    const now = Date.now();
    session.begin(transactionId, now);
    session.beginValues = sampleValues(this.config.get('StopTxnSampledData') ?? '', this.reading(connector), 'Transaction.Begin');
    if (options.chargingProfile) this.profiles.install(connectorId, { ...options.chargingProfile, transactionId }, now);
    this.emit({ type: 'session-started', stationId: this.id, connectorId, transactionId, idTag });
    if (tagStatus !== 'Accepted') {
      if (this.config.bool('StopTransactionOnInvalidId')) {
        await this.stopSession(connectorId, 'DeAuthorized');
        return { started: false, reason: `StartTransaction: ${tagStatus}` };
      }
      session.deauthorized = true;
    }
    this.updatePower(connector, now);
    this.refreshStatus(connectorId);
    if (session.stopRequested) await this.stopSession(connectorId, session.stopRequested);
    else this.scheduleMeterValues(connector);
    return { started: true, transactionId };
  }

  /**
   * Ends the session on a connector: StopTransaction (meterStop, reason, transactionData with the
   * Transaction.Begin and Transaction.End values), then Finishing and Available. False if nothing to stop.
   */
  async stopSession(connectorId: number, reason: StopReason = 'Local'): Promise<boolean> {
    const connector = this.connector(connectorId);
    const session = connector?.session;
    if (!connector || !session) return false;
    if (session.phase === 'preparing') {
      session.stopRequested = reason;
      return true;
    }
    const transactionId = session.transactionId;
    if (session.phase !== 'charging' || transactionId === undefined) return false;
    const now = Date.now();
    this.updatePower(connector, now);
    session.phase = 'stopping';
    this.timers.cancel(session.meterTimer);
    session.meterTimer = undefined;
    const endValues = sampleValues(this.config.get('StopTxnSampledData') ?? '', this.reading(connector), 'Transaction.End');
    const transactionData = [];
    if (session.beginValues.length > 0) transactionData.push({ timestamp: iso(session.startedAtMs), sampledValue: session.beginValues });
    if (endValues.length > 0) transactionData.push({ timestamp: iso(now), sampledValue: endValues });
    const request: Payload = {
      transactionId,
      idTag: session.idTag,
      meterStop: Math.round(connector.energyWh),
      timestamp: iso(now),
      reason,
    };
    if (transactionData.length > 0) request.transactionData = transactionData;
    try {
      const response = await this.call('StopTransaction', request);
      if (response.idTagInfo !== undefined) this.remember(session.idTag, asIdTagInfo(response.idTagInfo));
    } catch {
      // Counted by the observer; a simulated station does not keep an offline queue.
    }
    this.profiles.clearTransactionProfiles(connectorId);
    this.finish(connector, session);
    this.emit({ type: 'session-ended', stationId: this.id, connectorId, transactionId, reason });
    return true;
  }

  /** Sends MeterValues for a connector now (with the transactionId while charging). */
  sendMeterValues(connectorId: number, context: ReadingContext): Promise<void> {
    const connector = this.connector(connectorId);
    if (!connector) return Promise.resolve();
    const now = Date.now();
    this.updatePower(connector, now);
    this.refreshStatus(connectorId);
    const sampledValue = sampleValues(this.config.get('MeterValuesSampledData') ?? '', this.reading(connector), context);
    const payload: Payload = { connectorId, meterValue: [{ timestamp: iso(now), sampledValue }] };
    const session = connector.session;
    if (session?.transactionId !== undefined && session.phase === 'charging') payload.transactionId = session.transactionId;
    return this.notify('MeterValues', payload);
  }

  /** Re-evaluates the power of every session after a change of charging profiles, and reports status changes. */
  applyLimits(): void {
    const now = Date.now();
    for (const connector of this.connectors) {
      this.updatePower(connector, now);
      this.refreshStatus(connector.id);
    }
  }

  /** Reset: ends sessions (reason SoftReset/HardReset), then disconnects, reconnects and boots again. */
  async reset(type: 'Hard' | 'Soft'): Promise<void> {
    const reason: StopReason = type === 'Hard' ? 'HardReset' : 'SoftReset';
    await Promise.all(this.connectors.map((c) => this.stopSession(c.id, reason)));
    await this.connection.idle();
    this.connection.restart(this.stepDelayMs);
  }

  /** Holds `connector` for `idTag` until `expiresAtMs` (replacing any reservation it had). */
  reserve(connector: Connector, id: number, idTag: string, parentIdTag: string | undefined, expiresAtMs: number): void {
    this.reservations.hold(connector, expiresAtMs, (timer) => ({ id, idTag, parentIdTag, timer }), () => this.refreshStatus(connector.id));
  }

  /** True when `connector` is not reserved, or reserved for `idTag` or (by the local list or cache) its parentIdTag. */
  mayUseReservation(connector: Connector, idTag: string): boolean {
    const reservation = connector.reservation;
    if (!reservation || reservation.idTag.toLowerCase() === idTag.toLowerCase()) return true;
    const parent = this.localAuthorization(idTag)?.parentIdTag;
    return reservation.parentIdTag !== undefined && parent?.toLowerCase() === reservation.parentIdTag.toLowerCase();
  }

  /** ClearCache. */
  clearAuthorizationCache(): void {
    this.authCache.clear();
  }

  protected override dispatch(action: string, payload: Payload): Reply | undefined {
    if (this.registrationState.status === 'Rejected') return undefined; // a Rejected station does not answer
    const handler = CS_HANDLERS.get(action);
    if (!handler) throw new RpcError('NotImplemented', `${action} is not implemented`);
    schemaValidator().assert('ocpp1.6', action, 'request', payload);
    return replyWith(handler, this, payload);
  }

  protected override opened(): void {
    this.registrationState.status = 'Unknown';
    this.emit({ type: 'connected', stationId: this.id });
    void this.boot();
  }

  protected override closed(code: number, reason: string): void {
    this.registrationState.status = 'Unknown';
    this.registrationState.disconnected();
    this.emit({ type: 'disconnected', stationId: this.id, code, reason });
  }

  private bootPayload(): Payload {
    return {
      chargePointVendor: (this.options.vendor ?? 'Joule').slice(0, 20),
      chargePointModel: (this.options.model ?? 'Sim16').slice(0, 20),
      chargePointSerialNumber: (this.options.serialNumber ?? this.id).slice(0, 25),
      firmwareVersion: this.firmwareVersion.slice(0, 50),
    };
  }

  /** Heartbeats every HeartbeatInterval while Accepted. */
  private restartHeartbeat(): void {
    const intervalS = this.config.int('HeartbeatInterval');
    this.registrationState.heartbeatEvery(this.registrationState.status === 'Accepted' ? intervalS : 0);
  }

  private configChanged(key: string, value: string): void {
    switch (key) {
      case 'HeartbeatInterval':
        this.restartHeartbeat();
        break;
      case 'MeterValueSampleInterval':
        for (const connector of this.connectors) this.scheduleMeterValues(connector);
        break;
      case 'MessageTimeout':
        this.connection.callTimeoutMs = Number(value) * 1000;
        break;
      case 'AuthorizationKey':
        this.connection.password = value;
        break;
      default:
        break;
    }
  }

  private startRefusal(connector: Connector | undefined, idTag: string): string | undefined {
    if (this.stopping) return 'station stopped';
    const registration = this.registrationState.status;
    if (registration !== 'Accepted') return `registration is ${registration}`;
    if (!connector) return 'unknown connector';
    if (connector.session) return 'connector busy';
    if (connector.fault) return 'connector faulted';
    if (!connector.operative || !this.operative) return 'connector unavailable';
    if (!this.mayUseReservation(connector, idTag)) return 'connector reserved';
    return undefined;
  }

  private async authorize(idTag: string): Promise<IdTagInfo> {
    if (this.config.bool('LocalPreAuthorize')) {
      const local = this.localAuthorization(idTag);
      if (local?.status === 'Accepted') return local;
    }
    const response = await this.call('Authorize', { idTag });
    const info = asIdTagInfo(response.idTagInfo);
    this.remember(idTag, info);
    return info;
  }

  /** The local list entry (if enabled) or the cached answer (if enabled); expired ones count as Expired. */
  private localAuthorization(idTag: string): IdTagInfo | undefined {
    const listed = this.config.bool('LocalAuthListEnabled') ? this.localList.lookup(idTag) : undefined;
    const info = listed ?? (this.config.bool('AuthorizationCacheEnabled') ? this.authCache.get(idTag.toLowerCase()) : undefined);
    if (info?.expiryDate !== undefined && Date.parse(info.expiryDate) < Date.now()) return { ...info, status: 'Expired' };
    return info;
  }

  private remember(idTag: string, info: IdTagInfo): void {
    if (this.config.bool('AuthorizationCacheEnabled')) this.authCache.set(idTag.toLowerCase(), info);
  }

  /** A session that never got a transaction: Finishing, then Available. */
  private abandon(connector: Connector, session: ConnectorSession, reason: string): SessionResult {
    this.finish(connector, session);
    return { started: false, reason };
  }

  /** Finishing, then the connector is free (and takes a scheduled availability change). */
  private finish(connector: Connector, session: ConnectorSession): void {
    session.phase = 'finishing';
    session.powerW = 0;
    this.refreshStatus(connector.id);
    connector.session = undefined;
    applyScheduledAvailability(connector);
    this.refreshStatus(connector.id);
    if (this.profiles.size > 0) this.applyLimits();
  }

  private scheduleMeterValues(connector: Connector): void {
    const session = connector.session;
    if (!session) return;
    this.timers.cancel(session.meterTimer);
    session.meterTimer = undefined;
    const intervalS = this.config.int('MeterValueSampleInterval');
    if (intervalS <= 0 || session.phase !== 'charging') return;
    session.meterTimer = this.timers.every(intervalS * 1000, () => void this.sendMeterValues(connector.id, 'Sample.Periodic'));
  }

  /** Books the energy delivered since the last update, then sets the power for the limits in force now (none once deauthorized). */
  private updatePower(connector: Connector, nowMs: number): void {
    const session = connector.session;
    if (session?.phase === 'charging') this.power.update(connector, session, nowMs, !session.deauthorized);
  }

  /** The EV's state of charge is known while one is plugged in (the session). */
  private reading(connector: Connector): ElectricalReading {
    return this.power.reading(connector, connector.session, connector.session !== undefined);
  }
}
