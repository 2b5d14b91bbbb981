import type { Payload } from '../ocpp/rpc/frames.ts';
import { RpcError } from '../ocpp/rpc/error-codes.ts';
import { schemaValidator } from '../ocpp/validation/schema-validator.ts';
import { CertificateStore } from './certificate-store.ts';
import { ChargingProfileStore, type ChargingProfile, type Electrical } from './charging-profiles.ts';
import { ConfigStore } from './config-store.ts';
import { ChargingSession, connectorStatus, newConnector, type Connector } from './connector.ts';
import { DEFAULT_EV, EvBattery, type EvSpec } from './ev-model.ts';
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
import { RandomBehaviour, type RandomSessionOptions } from './random-behaviour.ts';
import { StationConnection, type ConnectionObserver, type Reply } from './station-connection.ts';
import { Timers } from './timers.ts';
import { idleTransfers, type TransferState } from './transfer-state.ts';

export interface SimStationOptions {
  /** CSMS endpoint without the station id, e.g. `ws://localhost:8180/ocpp`. */
  url: string;
  id: string;
  /** Number of connectors; default 2. */
  connectors?: number;
  /** HTTP Basic auth password (security profile 1). */
  password?: string;
  vendor?: string;
  model?: string;
  serialNumber?: string;
  firmwareVersion?: string;
  /** Initial MeterValueSampleInterval in seconds; default 60. */
  meterValueSampleInterval?: number;
  /** Most power one connector delivers; default 22 kW (3 x 32 A at 230 V). */
  connectorMaxPowerKw?: number;
  /** The EV plugged in by sessions that name none; default `DEFAULT_EV`. */
  ev?: EvSpec;
  /** Simulated time runs this many times faster than the wall clock for energy and random sessions; default 1. */
  speed?: number;
  /** Default 30 000 ms. */
  callTimeoutMs?: number;
  /** Reconnect when the socket drops; default true. */
  reconnect?: boolean;
  /** Wait before a new BootNotification when the CSMS gave interval 0 or Boot failed; default 30 s. */
  bootRetrySeconds?: number;
  /** Time between the steps of uploads, firmware installs and reboots; default 2000 ms. */
  stepDelayMs?: number;
  /** DataTransfer requests for this vendor are Accepted, others get UnknownVendorId; default `Joule`. */
  dataTransferVendorId?: string;
  /** Run random sessions once booted. */
  randomSessions?: RandomSessionOptions;
  observer?: ConnectionObserver;
  onFrame?: (direction: 'in' | 'out', text: string) => void;
  onEvent?: (event: SimStationEvent) => void;
  /** Source of randomness (tests pass a seeded one); default Math.random. */
  random?: () => number;
}

/** What a station reports to its owner (fleet counters, verbose logs, tests). */
export type SimStationEvent =
  | { type: 'connected'; stationId: string }
  | { type: 'disconnected'; stationId: string; code: number; reason: string }
  | { type: 'registration'; stationId: string; status: RegistrationStatus }
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

const VOLTAGE_V = 230;
const PHASES = 3;

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
export class SimStation {
  readonly id: string;
  readonly config: ConfigStore;
  readonly localList = new LocalAuthList();
  readonly profiles = new ChargingProfileStore();
  readonly certificates = new CertificateStore();
  readonly transfers: TransferState = idleTransfers();
  readonly supply: Electrical = { voltageV: VOLTAGE_V, phases: PHASES };
  /** Connector N is `connectors[N - 1]`. */
  readonly connectors: readonly Connector[];
  readonly connectorMaxW: number;
  readonly speed: number;
  readonly stepDelayMs: number;
  readonly dataTransferVendorId: string;
  readonly random: () => number;
  /** Timers of the station's flows; all cancelled by `stop()`. */
  readonly timers = new Timers();
  /** The whole station's availability (ChangeAvailability on connector 0). */
  operative = true;
  firmwareVersion: string;

  private readonly options: SimStationOptions;
  private readonly connection: StationConnection;
  private readonly authCache = new Map<string, IdTagInfo>();
  private readonly randomBehaviour: RandomBehaviour | undefined;
  private registrationStatus: RegistrationStatus | 'Unknown' = 'Unknown';
  private stationStatus: ChargePointStatus | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private bootTimer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(options: SimStationOptions) {
    this.options = options;
    this.id = options.id;
    const count = options.connectors ?? 2;
    this.connectors = Array.from({ length: count }, (_, i) => newConnector(i + 1));
    this.connectorMaxW = (options.connectorMaxPowerKw ?? 22) * 1000;
    this.speed = options.speed ?? 1;
    this.stepDelayMs = options.stepDelayMs ?? 2000;
    this.dataTransferVendorId = options.dataTransferVendorId ?? 'Joule';
    this.random = options.random ?? Math.random;
    this.firmwareVersion = options.firmwareVersion ?? '1.0.0';
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
    this.connection = new StationConnection({
      url: options.url,
      stationId: options.id,
      version: 'ocpp1.6',
      password: options.password,
      callTimeoutMs: options.callTimeoutMs ?? 30_000,
      reconnect: options.reconnect ?? true,
      onCall: (action, payload) => this.dispatch(action, payload),
      onOpen: () => this.opened(),
      onClose: (code, reason) => this.closed(code, reason),
      observer: options.observer,
      onFrame: options.onFrame,
    });
    this.randomBehaviour = options.randomSessions ? new RandomBehaviour(this, options.randomSessions) : undefined;
  }

  /** Accepted, Pending or Rejected by the last BootNotification; Unknown before it and while offline. */
  get registration(): RegistrationStatus | 'Unknown' {
    return this.registrationStatus;
  }

  get online(): boolean {
    return this.connection.isOpen;
  }

  /** Connects (and keeps reconnecting until `stop()`). */
  start(): void {
    this.connection.connect();
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
      await Promise.all(this.connectors.map((c) => this.stopSession(c.id, 'Other')));
      await this.connection.idle();
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

  /** Sends a CALL to the CSMS; see `StationConnection.call`. */
  call(action: string, payload: Payload): Promise<Payload> {
    return this.connection.call(action, payload);
  }

  /** Sends a CALL whose answer does not matter; resolves when answered or failed (failures are counted by the observer). */
  notify(action: string, payload: Payload): Promise<void> {
    return this.connection.call(action, payload).then(
      () => undefined,
      () => undefined,
    );
  }

  /** BootNotification and what follows from the answer (heartbeat, status reports, retries). */
  async boot(): Promise<void> {
    this.timers.cancel(this.bootTimer);
    this.bootTimer = undefined;
    let response: Payload;
    try {
      response = await this.connection.call('BootNotification', this.bootPayload());
    } catch {
      this.retryBoot(0);
      return;
    }
    const status = response.status;
    const interval = typeof response.interval === 'number' ? Math.round(response.interval) : 0;
    if (status !== 'Accepted' && status !== 'Pending' && status !== 'Rejected') {
      this.retryBoot(interval);
      return;
    }
    this.setRegistration(status);
    if (status !== 'Accepted') {
      this.stopHeartbeat();
      this.retryBoot(interval);
      return;
    }
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
    if (this.registrationStatus === 'Accepted') void this.sendStatus(connectorId);
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
    const session = new ChargingSession(connectorId, idTag, new EvBattery(options.ev ?? this.options.ev ?? DEFAULT_EV), Date.now());
    if (connector.reservation) {
      session.reservationId = connector.reservation.id;
      this.cancelReservation(connector);
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
    this.cancelReservation(connector);
    const timer = this.timers.after(expiresAtMs - Date.now(), () => {
      if (connector.reservation?.id !== id) return;
      connector.reservation = undefined;
      this.refreshStatus(connector.id);
    });
    connector.reservation = { id, idTag, parentIdTag, timer };
  }

  /** True when `connector` is not reserved, or reserved for `idTag` or (by the local list or cache) its parentIdTag. */
  mayUseReservation(connector: Connector, idTag: string): boolean {
    const reservation = connector.reservation;
    if (!reservation || reservation.idTag.toLowerCase() === idTag.toLowerCase()) return true;
    const parent = this.localAuthorization(idTag)?.parentIdTag;
    return reservation.parentIdTag !== undefined && parent?.toLowerCase() === reservation.parentIdTag.toLowerCase();
  }

  cancelReservation(connector: Connector): void {
    if (!connector.reservation) return;
    this.timers.cancel(connector.reservation.timer);
    connector.reservation = undefined;
  }

  /** The connector that holds reservation `id`. */
  findReservation(id: number): Connector | undefined {
    return this.connectors.find((c) => c.reservation?.id === id);
  }

  /** ClearCache. */
  clearAuthorizationCache(): void {
    this.authCache.clear();
  }

  private dispatch(action: string, payload: Payload): Reply | undefined {
    if (this.registrationStatus === 'Rejected') return undefined; // a Rejected station does not answer
    const handler = CS_HANDLERS.get(action);
    if (!handler) throw new RpcError('NotImplemented', `${action} is not implemented`);
    schemaValidator().assert('ocpp1.6', action, 'request', payload);
    const followUps: (() => void)[] = [];
    const response = handler(this, payload, (fn) => followUps.push(fn));
    if (followUps.length === 0) return { payload: response };
    return { payload: response, afterSend: () => followUps.forEach((fn) => fn()) };
  }

  private opened(): void {
    this.registrationStatus = 'Unknown';
    this.emit({ type: 'connected', stationId: this.id });
    void this.boot();
  }

  private closed(code: number, reason: string): void {
    this.registrationStatus = 'Unknown';
    this.stopHeartbeat();
    this.timers.cancel(this.bootTimer);
    this.bootTimer = undefined;
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

  private retryBoot(intervalS: number): void {
    if (!this.connection.isOpen) return;
    const delayS = intervalS > 0 ? intervalS : (this.options.bootRetrySeconds ?? 30);
    this.bootTimer = this.timers.after(delayS * 1000, () => void this.boot());
  }

  private setRegistration(status: RegistrationStatus): void {
    this.registrationStatus = status;
    this.emit({ type: 'registration', stationId: this.id, status });
  }

  private restartHeartbeat(): void {
    this.stopHeartbeat();
    const intervalS = this.config.int('HeartbeatInterval');
    if (this.registrationStatus !== 'Accepted' || intervalS <= 0) return;
    this.heartbeatTimer = this.timers.every(intervalS * 1000, () => void this.notify('Heartbeat', {}));
  }

  private stopHeartbeat(): void {
    this.timers.cancel(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
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
    if (this.registrationStatus !== 'Accepted') return `registration is ${this.registrationStatus}`;
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
  private abandon(connector: Connector, session: ChargingSession, reason: string): SessionResult {
    this.finish(connector, session);
    return { started: false, reason };
  }

  /** Finishing, then the connector is free (and takes a scheduled availability change). */
  private finish(connector: Connector, session: ChargingSession): void {
    session.phase = 'finishing';
    session.powerW = 0;
    this.refreshStatus(connector.id);
    connector.session = undefined;
    if (connector.scheduledOperative !== undefined) {
      connector.operative = connector.scheduledOperative;
      connector.scheduledOperative = undefined;
    }
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

  /** Books the energy delivered since the last update, then sets the power for the limits in force now. */
  private updatePower(connector: Connector, nowMs: number): void {
    const session = connector.session;
    if (!session || session.phase !== 'charging') return;
    connector.energyWh += session.advance(nowMs, this.speed);
    session.offeredW = session.deauthorized ? 0 : this.offeredPowerW(connector.id, session, nowMs);
    session.powerW = session.ev.acceptedPowerW(session.offeredW);
  }

  /** min(connector maximum, Tx/TxDefault limit, the station maximum shared equally by the charging sessions). */
  private offeredPowerW(connectorId: number, session: ChargingSession, nowMs: number): number {
    const limits = this.profiles.limitsAt(connectorId, nowMs, session.startedAtMs, this.supply);
    let watts = this.connectorMaxW;
    if (limits.txW !== undefined) watts = Math.min(watts, limits.txW);
    if (limits.stationMaxW !== undefined) watts = Math.min(watts, limits.stationMaxW / Math.max(1, this.activeSessions()));
    return Math.max(0, watts);
  }

  private reading(connector: Connector): ElectricalReading {
    const session = connector.session;
    const reading: ElectricalReading = {
      energyWh: connector.energyWh,
      powerW: session?.powerW ?? 0,
      offeredW: session?.offeredW ?? 0,
      voltageV: VOLTAGE_V + (this.random() - 0.5) * 4,
      phases: PHASES,
    };
    if (session) reading.socPercent = session.ev.socPercent;
    return reading;
  }

  private emit(event: SimStationEvent): void {
    this.options.onEvent?.(event);
  }
}
