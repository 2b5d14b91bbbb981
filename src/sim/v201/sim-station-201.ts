import type { Payload } from '../../ocpp/rpc/frames.ts';
import { RpcError } from '../../ocpp/rpc/error-codes.ts';
import { schemaValidator } from '../../ocpp/validation/schema-validator.ts';
import { CertificateStore } from '../certificate-store.ts';
import { DEFAULT_EV, EvBattery, type EvSpec } from '../ev-model.ts';
import { replyWith } from '../handler-reply.ts';
import { LocalAuthList } from '../local-auth-list.ts';
import type { ElectricalReading } from '../meter-sampler.ts';
import { applyScheduledAvailability } from '../outlet.ts';
import { PowerDelivery } from '../power-delivery.ts';
import { RandomBehaviour, type RandomSessionHost } from '../random-behaviour.ts';
import { Reservations } from '../reservations.ts';
import { SimStationBase, type StationLinkEvent, type StationOptions } from '../sim-station-base.ts';
import type { Reply } from '../station-connection.ts';
import { TimerSlot, nextBoundary } from '../timers.ts';
import { asIdTokenInfo, Authorizer } from './authorizer.ts';
import { ChargingProfileBook } from './charging-profile-book.ts';
import { DeviceModel, type LocatedVariable } from './device-model.ts';
import { chargingStateOf, evseStatus, newEvse, Transaction201, type ChargingNeeds201, type Evse201 } from './evse.ts';
import { CSMS_REQUEST_HANDLERS } from './handlers/index.ts';
import { meterValue201 } from './meter-values.ts';
import { MonitorReporter } from './monitor-reporter.ts';
import { MonitoringState } from './monitoring.ts';
import type { DeviceModelSource } from './standard-variables.ts';
import { TransactionEventQueue } from './transaction-event-queue.ts';
import {
  endsWhenDeauthorized,
  startPointReached,
  stopTrigger,
  transactionEvent,
  type TransactionEventExtras,
  type TransactionEventType,
} from './transaction-events.ts';
import type {
  BootReason,
  CertificateUse201,
  ChargingProfile201,
  ConnectorStatus,
  FirmwareStatus201,
  IdToken,
  IdTokenInfo,
  IdTokenType,
  ReadingContext,
  RegistrationStatus,
  StoppedReason,
  TriggerReason,
  UploadLogStatus,
} from './types.ts';

export interface SimStation201Options extends StationOptions {
  /**
   * `ocpp2.1` makes it a 2.1 station: its EVs that can discharge (EvSpec.maxDischargeKw) ask for a bidirectional
   * transfer (AC_BPT) in NotifyEVChargingNeeds, follow discharge setpoints, and the meter reports the export register.
   * Default `ocpp2.0.1`.
   */
  protocol?: 'ocpp2.0.1' | 'ocpp2.1';
  /** Number of EVSEs, one connector each; default 2. */
  evses?: number;
  /** Most power one EVSE delivers; default 22 kW (3 x 32 A at 230 V). */
  evseMaxPowerKw?: number;
  /** The type of the idTokens drivers present locally; default ISO14443 (an RFID card). */
  idTokenType?: IdTokenType;
  /**
   * Send BootNotification on every new connection. Default false: OCPP-J 2.0.1 §5.3 says a station that reconnects
   * without having rebooted should not; if the CSMS then answers SecurityError (it forgot the registration), the
   * station boots anyway.
   */
  bootOnReconnect?: boolean;
  /** Device model values to start with, by `Component.Variable` or `Component.Variable[Instance]`. */
  variables?: Record<string, string>;
  onEvent?: (event: SimStation201Event) => void;
}

/** What a 2.0.1 station reports to its owner (fleet counters, verbose logs, tests). */
export type SimStation201Event =
  | StationLinkEvent
  | { type: 'status'; stationId: string; evseId: number; connectorId: number; status: ConnectorStatus }
  | { type: 'session-started'; stationId: string; evseId: number; transactionId: string; idToken: string }
  | { type: 'session-ended'; stationId: string; evseId: number; transactionId: string; reason: StoppedReason };

export interface StartSession201Options {
  ev?: EvSpec;
  /** Default: the station's `idTokenType` option. */
  idTokenType?: IdTokenType;
  /** Started by RequestStartTransaction with this remoteStartId: authorized by the CSMS unless AuthorizeRemoteStart. */
  remoteStartId?: number;
  groupIdToken?: IdToken;
  /** A TxProfile to install once the transaction has started (from RequestStartTransaction). */
  chargingProfile?: ChargingProfile201;
  /** The EV tells these needs (NotifyEVChargingNeeds) once the transaction has started. */
  needs?: ChargingNeeds201;
}

export type SessionResult201 = { started: true; transactionId: string } | { started: false; reason: string };

/** Where firmware and log transfers are, reported again when the CSMS triggers their status message. */
export interface Transfers201 {
  firmware: { status: FirmwareStatus201; requestId: number | undefined };
  log: { status: UploadLogStatus; requestId: number | undefined };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * A random session on a 2.1 station: the EV can give back what its charger takes (V2G) and tells its needs, half of
 * what its battery lacks by a departure 1-4 hours (simulated) away.
 */
function v2xSession(ev: EvSpec, random: () => number): StartSession201Options {
  const lackWh = (ev.batteryKWh * 1000 * (100 - ev.initialSocPercent)) / 100;
  return {
    ev: { ...ev, maxDischargeKw: ev.maxPowerKw, minSocPercent: Math.min(ev.initialSocPercent, 30) },
    needs: { energyWh: Math.round(lackWh / 2), departure: new Date(Date.now() + (1 + 3 * random()) * 3_600_000).toISOString() },
  };
}

/** Resolves when `promise` does or after `ms`, whichever is first (a bounded wait). */
function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The firmware version in a firmware file location (`.../fw-2.1.0.bin` -> `2.1.0`), if it names one. */
function versionIn(location: string): string | undefined {
  return /(\d+\.\d+(?:\.\d+)?)[^/]*$/.exec(location)?.[1];
}

/**
 * A simulated OCPP 2.0.1 charging station: boots (and retries while Pending or Rejected), heartbeats, reports each
 * EVSE's connector status, runs transactions with an EV model (TransactionEvent Started / Updated / Ended with its
 * own transaction ids and sequence numbers, queued in order while offline), and answers every CSMS-to-station
 * request of the 2.0.1 blocks A-P with real state: a device model, local list and cache, reservations, charging
 * profiles that limit the EV, variable monitors, display messages, certificates, firmware and log transfers.
 */
export class SimStation201 extends SimStationBase<SimStation201Event> implements DeviceModelSource {
  readonly vendor: string;
  readonly model: string;
  readonly serialNumber: string;
  readonly deviceModel: DeviceModel;
  readonly localList = new LocalAuthList<IdTokenInfo>();
  readonly profiles = new ChargingProfileBook();
  readonly certificates = new CertificateStore<CertificateUse201>();
  readonly monitoring = new MonitoringState();
  /** NotifyEvent for what the monitors notice. */
  readonly monitorReporter: MonitorReporter;
  readonly authorizer: Authorizer;
  /** SetDisplayMessage messages by id (MessageInfoType, as received). */
  readonly displayMessages = new Map<number, Payload>();
  /** SetNetworkProfile connection data by configuration slot. */
  readonly networkProfiles = new Map<number, Payload>();
  readonly transfers: Transfers201 = {
    firmware: { status: 'Idle', requestId: undefined },
    log: { status: 'Idle', requestId: undefined },
  };
  /** EVSE N is `evses[N - 1]`. */
  readonly evses: readonly Evse201[];
  readonly reservations: Reservations<Evse201>;
  /** The supply, the power offered to each EVSE under the installed profiles, the meter readings. */
  readonly power: PowerDelivery;
  /** A station-wide Reset OnIdle waits for the last transaction to end. */
  resetWhenIdle = false;
  /** The station's own certificate chains from CertificateSigned. */
  v2gCertificate: string | undefined;

  private readonly options: SimStation201Options;
  private readonly randomBehaviour: RandomBehaviour | undefined;
  private readonly txQueue: TransactionEventQueue;
  /** Clock-aligned meter data (AlignedDataCtrlr). */
  private readonly alignedData = new TimerSlot(this.timers);
  private bootReason: BootReason = 'PowerUp';
  /** Set by a reset or firmware install: the next connection is a reboot and boots. */
  private rebooting = false;
  /** requestId of the firmware whose InstallRebooting reboot is under way; Installed follows the next boot. */
  private firmwareAwaitingBoot: number | undefined;

  constructor(options: SimStation201Options) {
    super(options, options.protocol ?? 'ocpp2.0.1');
    this.options = options;
    this.vendor = (options.vendor ?? 'Joule').slice(0, 50);
    this.model = (options.model ?? 'Sim201').slice(0, 20);
    this.serialNumber = (options.serialNumber ?? options.id).slice(0, 25);
    this.evses = Array.from({ length: options.evses ?? 2 }, (_, i) => newEvse(i + 1));
    this.reservations = new Reservations(this.evses, this.timers);
    this.power = new PowerDelivery({
      outletMaxW: (options.evseMaxPowerKw ?? 22) * 1000,
      outlets: this.evses.length,
      speed: this.speed,
      random: this.random,
      limits: this.profiles,
      chargingSessions: () => this.activeSessions(),
    });
    const variables: Record<string, string> = {};
    if (options.meterValueSampleInterval !== undefined) variables['SampledDataCtrlr.TxUpdatedInterval'] = String(options.meterValueSampleInterval);
    // A 2.1 (V2X) meter also reports what EVs gave back.
    if (options.protocol === 'ocpp2.1') variables['SampledDataCtrlr.TxUpdatedMeasurands'] = 'Energy.Active.Import.Register,Energy.Active.Export.Register,Power.Active.Import,Power.Active.Export,Current.Import,Voltage,SoC';
    this.deviceModel = new DeviceModel(this, { ...variables, ...options.variables });
    this.deviceModel.onChange = (located, value) => this.variableChanged(located, value);
    this.txQueue = new TransactionEventQueue({
      send: (payload) => this.connection.call('TransactionEvent', payload),
      canSend: () => this.connection.isOpen && this.registrationState.status === 'Accepted',
      answered: (request, response) => this.transactionEventAnswered(request, response),
      attempts: () => this.deviceModel.int('OCPPCommCtrlr.MessageAttempts[TransactionEvent]'),
      retryIntervalMs: () => this.deviceModel.int('OCPPCommCtrlr.MessageAttemptInterval[TransactionEvent]') * 1000,
      registrationLost: () => this.registrationLost(),
      timers: this.timers,
    });
    this.authorizer = new Authorizer(this);
    this.monitorReporter = new MonitorReporter(this);
    this.randomBehaviour = options.randomSessions ? new RandomBehaviour(this.randomSessionHost(), options.randomSessions) : undefined;
  }

  // ---- State for the device model and the handlers ----

  /** The OCPP version the station speaks. */
  get protocol(): 'ocpp2.0.1' | 'ocpp2.1' {
    return this.connection.version === 'ocpp2.1' ? 'ocpp2.1' : 'ocpp2.0.1';
  }

  get evseCount(): number {
    return this.evses.length;
  }

  get evseMaxPowerW(): number {
    return this.power.outletMaxW;
  }

  get securityProfile(): number {
    return this.options.password === undefined ? 0 : 1;
  }

  get callTimeoutS(): number {
    return Math.max(1, Math.round(this.connection.callTimeoutMs / 1000));
  }

  /** Accepted, Pending or Rejected by the last BootNotification; Unknown before it and while offline. */
  get registration(): RegistrationStatus | 'Unknown' {
    return this.connection.isOpen ? this.registrationState.status : 'Unknown';
  }

  /** TransactionEvents not yet delivered. */
  get queuedTransactionEvents(): number {
    return this.txQueue.length;
  }

  evse(evseId: number): Evse201 | undefined {
    return this.evses[evseId - 1];
  }

  statusOf(evseId: number): ConnectorStatus | undefined {
    const evse = this.evse(evseId);
    return evse ? evseStatus(evse) : undefined;
  }

  stationAvailability(): ConnectorStatus {
    return this.operative ? 'Available' : 'Unavailable';
  }

  evseStatus(evseId: number): ConnectorStatus {
    return this.statusOf(evseId) ?? 'Unavailable';
  }

  evseFaulted(evseId: number): boolean {
    return this.evse(evseId)?.fault !== undefined;
  }

  evsePowerW(evseId: number): number {
    return this.evse(evseId)?.transaction?.powerW ?? 0;
  }

  localListSize(): number {
    return this.localList.size;
  }

  installedProfiles(): number {
    return this.profiles.size;
  }

  displayMessageCount(): number {
    return this.displayMessages.size;
  }

  certificateCount(): number {
    const uses: CertificateUse201[] = ['V2GRootCertificate', 'MORootCertificate', 'CSMSRootCertificate', 'ManufacturerRootCertificate'];
    return uses.reduce((n, use) => n + this.certificates.ids(use).length, 0);
  }

  /** EVSEs with a transaction running. */
  activeSessions(): number {
    let n = 0;
    for (const evse of this.evses) if (evse.transaction?.started && evse.transaction.phase === 'charging') n++;
    return n;
  }

  /** The transaction with this id while it runs (Started sent, Ended not yet). */
  findTransaction(transactionId: string): Transaction201 | undefined {
    for (const evse of this.evses) {
      const tx = evse.transaction;
      if (tx?.transactionId === transactionId && tx.phase === 'charging') return tx;
    }
    return undefined;
  }

  /** True while a message of this transaction waits for delivery (GetTransactionStatus). */
  hasQueuedEvents(transactionId?: string): boolean {
    return transactionId === undefined ? this.txQueue.length > 0 : this.txQueue.holds(transactionId);
  }

  // ---- Lifecycle ----

  /**
   * Ends running transactions (stoppedReason Other) and waits for their Ended events to be delivered, unless
   * `endSessions` is false, then disconnects for good.
   */
  async stop(options: { endSessions?: boolean } = {}): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.randomBehaviour?.stop();
    if (options.endSessions !== false && this.connection.isOpen) {
      await Promise.all(this.evses.map((evse) => this.stopSession(evse.id, 'Other')));
      await within(this.txQueue.idle(), this.connection.callTimeoutMs);
      await this.connection.idle();
    }
    this.timers.clear();
    this.txQueue.clear();
    await this.connection.close();
  }

  /** Sends a CALL to the CSMS. A SecurityError answer means the CSMS lost the registration: boot again. */
  override call(action: string, payload: Payload): Promise<Payload> {
    return super.call(action, payload).catch((error: unknown) => {
      if (error instanceof RpcError && error.kind === 'SecurityError' && action !== 'BootNotification') this.registrationLost();
      throw error;
    });
  }

  /** True when the station may send unsolicited messages (connected and Accepted). */
  mayReport(): boolean {
    return this.connection.isOpen && this.registrationState.status === 'Accepted';
  }

  /** BootNotification with `reason` and what follows from the answer (heartbeat, statuses, queued events, retries). */
  override async boot(reason: BootReason = this.bootReason): Promise<void> {
    const interval = await this.registrationState.boot({
      chargingStation: { model: this.model, vendorName: this.vendor, serialNumber: this.serialNumber, firmwareVersion: this.firmwareVersion.slice(0, 50) },
      reason,
    });
    if (interval === undefined) return;
    this.bootReason = 'Unknown';
    this.rebooting = false;
    if (interval > 0) this.deviceModel.set('OCPPCommCtrlr.HeartbeatInterval', String(interval));
    this.registered();
    if (reason === 'RemoteReset') void this.securityEvent('ResetOrReboot', 'Reset by the CSMS');
    const firmwareRequest = this.firmwareAwaitingBoot;
    if (firmwareRequest !== undefined) {
      this.firmwareAwaitingBoot = undefined;
      void this.firmwareInstalled(firmwareRequest);
    }
  }

  /** Reboots: closes the connection and boots with `reason` when it is back (a reset or a firmware install). */
  reboot(reason: BootReason): void {
    this.bootReason = reason;
    this.rebooting = true;
    this.registrationState.status = 'Unknown';
    this.registrationState.stopHeartbeat();
    this.alignedData.cancel();
    this.connection.restart(this.stepDelayMs);
  }

  // ---- Status ----

  /** Sends StatusNotification for an EVSE's connector if its status changed (or `force`); only once Accepted. */
  refreshStatus(evseId: number, force = false): void {
    const evse = this.evse(evseId);
    if (!evse) return;
    const status = evseStatus(evse);
    if (!force && status === evse.reportedStatus) return;
    const changed = status !== evse.reportedStatus;
    evse.reportedStatus = status;
    this.emit({ type: 'status', stationId: this.id, evseId, connectorId: 1, status });
    if (this.mayReport()) void this.sendStatus(evseId);
    if (changed) {
      this.monitorReporter.observeVariable({ name: 'Connector', evse: { id: evseId, connectorId: 1 } }, 'AvailabilityState');
      this.monitorReporter.observeVariable({ name: 'EVSE', evse: { id: evseId } }, 'AvailabilityState');
    }
  }

  refreshAllStatuses(force = false): void {
    for (const evse of this.evses) this.refreshStatus(evse.id, force);
    this.monitorReporter.observeVariable({ name: 'ChargingStation' }, 'AvailabilityState');
  }

  /** Sends the current StatusNotification of an EVSE's connector, whatever the registration (e.g. triggered). */
  sendStatus(evseId: number): Promise<void> {
    const status = this.statusOf(evseId);
    if (status === undefined) return Promise.resolve();
    return this.notify('StatusNotification', { timestamp: iso(Date.now()), connectorStatus: status, evseId, connectorId: 1 });
  }

  /** Marks an EVSE's connector faulted (`errorCode`) or healthy again (undefined): status and a NotifyEvent. */
  setFault(evseId: number, errorCode: string | undefined): void {
    const evse = this.evse(evseId);
    if (!evse || evse.fault === errorCode) return;
    const wasFaulted = evse.fault !== undefined;
    evse.fault = errorCode === 'NoError' ? undefined : errorCode;
    if (evse.fault && evse.reservation) this.removeReservation(evse);
    this.refreshStatus(evseId);
    if (wasFaulted !== (evse.fault !== undefined)) this.monitorReporter.problem(evseId, evse.fault);
  }

  // ---- Sessions and transactions ----

  /**
   * A charging session. Local: the EV is plugged in (Occupied), the driver's idToken is authorized (local list or
   * cache with LocalPreAuthorize, else Authorize; offline rules when disconnected), then energy flows. Remote
   * (RequestStartTransaction): authorized by the CSMS (Authorize only with AuthorizeRemoteStart), then the EV
   * plugs in. The transaction starts at the TxStartPoint; a refused idToken ends it (Deauthorized).
   */
  async startSession(evseId: number, idToken: string, options: StartSession201Options = {}): Promise<SessionResult201> {
    const evse = this.evse(evseId);
    const token: IdToken = { idToken: idToken.slice(0, 36), type: options.idTokenType ?? this.options.idTokenType ?? 'ISO14443' };
    const refusal = this.startRefusal(evse, token, options.groupIdToken);
    if (refusal !== undefined || !evse) return { started: false, reason: refusal ?? 'unknown EVSE' };
    const tx = new Transaction201(evseId, token, new EvBattery(options.ev ?? this.options.ev ?? DEFAULT_EV), Date.now());
    tx.remoteStartId = options.remoteStartId;
    tx.groupIdToken = options.groupIdToken;
    tx.pendingProfile = options.chargingProfile;
    tx.needs = options.needs;
    if (evse.reservation) {
      tx.reservationId = evse.reservation.id;
      this.reservations.release(evse);
    }
    evse.transaction = tx;
    const remote = options.remoteStartId !== undefined;
    if (remote) this.refreshStatus(evseId);
    else this.plugIn(evse, tx);
    if (!remote || this.deviceModel.bool('AuthCtrlr.AuthorizeRemoteStart')) {
      const info = await this.authorizer.authorize(token);
      if (evse.transaction !== tx || tx.phase === 'stopping' || tx.phase === 'finishing') return { started: false, reason: 'stopped while authorizing' };
      if (info.groupIdToken) tx.groupIdToken = info.groupIdToken;
      if (info.status !== 'Accepted') {
        await this.refuse(evse, tx);
        return { started: false, reason: `Authorize: ${info.status}` };
      }
    }
    tx.authorized = true;
    this.progress(evse, tx, remote ? 'RemoteStart' : 'Authorized');
    if (remote) this.plugIn(evse, tx);
    tx.powerPathClosed = true;
    this.progress(evse, tx, 'ChargingStateChanged');
    if (tx.stopRequested !== undefined) {
      await this.stopSession(evseId, tx.stopRequested);
      return { started: false, reason: 'stopped before the transaction started' };
    }
    if (!tx.started || evse.transaction !== tx) return { started: false, reason: 'the transaction did not start' };
    return { started: true, transactionId: tx.transactionId ?? '' };
  }

  /**
   * Ends the transaction on an EVSE: TransactionEvent Ended (stoppedReason, the trigger that goes with it, the
   * Transaction.End meter values), then the EV leaves (Available). False if nothing to stop.
   */
  async stopSession(evseId: number, reason: StoppedReason = 'Local'): Promise<boolean> {
    const evse = this.evse(evseId);
    const tx = evse?.transaction;
    if (!evse || !tx) return false;
    if (!tx.started) {
      if (tx.phase !== 'preparing') return false;
      tx.stopRequested = reason; // before the start point: applied once the flow gets there
      return true;
    }
    if (tx.phase !== 'charging') return false;
    const now = Date.now();
    this.updatePower(evse, now);
    tx.phase = 'stopping';
    this.timers.cancel(tx.meterTimer);
    this.timers.cancel(tx.endedSampleTimer);
    let trigger = stopTrigger(reason);
    if (reason === 'Local' && !endsWhenDeauthorized(this.deviceModel.list('TxCtrlr.TxStopPoint'))) {
      // TxStopPoint EVConnected only: presenting the card stops the energy, the transaction ends when the EV leaves.
      tx.powerPathClosed = false;
      tx.powerW = 0;
      tx.offeredW = 0;
      this.transactionEvent(evse, tx, 'Updated', 'StopAuthorized', { idToken: true });
      trigger = 'EVCommunicationLost';
    }
    if (reason === 'EVDisconnected' || trigger === 'EVCommunicationLost') tx.evConnected = false;
    tx.powerPathClosed = false;
    tx.powerW = 0;
    tx.offeredW = 0;
    const endSample = meterValue201(this.deviceModel.get('SampledDataCtrlr.TxEndedMeasurands'), this.reading(evse), 'Transaction.End', now);
    const meterValues = endSample ? [...tx.endedValues, endSample] : tx.endedValues;
    await this.transactionEvent(evse, tx, 'Ended', trigger, { stoppedReason: reason, meterValues, idToken: trigger === 'StopAuthorized' });
    this.profiles.clearTransaction(tx.transactionId ?? '');
    this.finish(evse, tx);
    this.emit({ type: 'session-ended', stationId: this.id, evseId, transactionId: tx.transactionId ?? '', reason });
    return true;
  }

  /** Re-evaluates the power of every transaction after a change of charging profiles, and reports the changes. */
  applyLimits(): void {
    const now = Date.now();
    const significance = this.deviceModel.int('SmartChargingCtrlr.LimitChangeSignificance') / 100;
    for (const evse of this.evses) {
      const tx = evse.transaction;
      if (!tx?.started || tx.phase !== 'charging') continue;
      this.updatePower(evse, now);
      if (chargingStateOf(tx) !== tx.reportedChargingState) {
        this.transactionEvent(evse, tx, 'Updated', 'ChargingStateChanged');
      } else if (Math.abs(tx.offeredW - tx.reportedOfferedW) > significance * Math.max(tx.reportedOfferedW, 1)) {
        this.transactionEvent(evse, tx, 'Updated', 'ChargingRateChanged');
      }
    }
  }

  /** TransactionEvent Updated (Trigger) for an EVSE's running transaction; false if it has none. */
  triggerTransactionEvent(evseId: number): boolean {
    const evse = this.evse(evseId);
    const tx = evse?.transaction;
    if (!evse || !tx?.started || tx.phase !== 'charging') return false;
    const now = Date.now();
    this.updatePower(evse, now);
    const sample = meterValue201(this.deviceModel.get('SampledDataCtrlr.TxUpdatedMeasurands'), this.reading(evse), 'Trigger', now);
    void this.transactionEvent(evse, tx, 'Updated', 'Trigger', { meterValues: sample ? [sample] : [] });
    return true;
  }

  /** MeterValues for an EVSE now (AlignedDataCtrlr.Measurands; at least the energy register). */
  sendMeterValues(evseId: number, context: ReadingContext): Promise<void> {
    const evse = this.evse(evseId);
    if (!evse) return Promise.resolve();
    const now = Date.now();
    this.updatePower(evse, now);
    const reading = this.reading(evse);
    const sample =
      meterValue201(this.deviceModel.get('AlignedDataCtrlr.Measurands'), reading, context, now) ??
      meterValue201('Energy.Active.Import.Register', reading, context, now);
    return sample ? this.notify('MeterValues', { evseId, meterValue: [sample] }) : Promise.resolve();
  }

  /** Marks a running transaction's costs (CostUpdated). */
  costUpdated(transactionId: string, totalCost: number): boolean {
    const tx = this.findTransaction(transactionId);
    if (tx) tx.totalCost = totalCost;
    return tx !== undefined;
  }

  // ---- Reservations ----

  /** Holds `evse` for `idToken` until `expiresAtMs` (replacing any reservation it had); ReservationStatusUpdate Expired if unused. */
  reserve(evse: Evse201, id: number, idToken: IdToken, groupIdToken: IdToken | undefined, expiresAtMs: number): void {
    this.reservations.hold(evse, expiresAtMs, (timer) => ({ id, idToken, groupIdToken, timer }), () => {
      if (this.mayReport()) void this.notify('ReservationStatusUpdate', { reservationId: id, reservationUpdateStatus: 'Expired' });
      this.refreshStatus(evse.id);
    });
  }

  /** True when `evse` is not reserved, or reserved for this idToken or (given or looked up) its group. */
  mayUseReservation(evse: Evse201, token: IdToken, groupIdToken?: IdToken): boolean {
    const reservation = evse.reservation;
    if (!reservation || reservation.idToken.idToken.toLowerCase() === token.idToken.toLowerCase()) return true;
    const group = groupIdToken ?? this.authorizer.local(token)?.groupIdToken;
    return reservation.groupIdToken !== undefined && group?.idToken.toLowerCase() === reservation.groupIdToken.idToken.toLowerCase();
  }

  /** The station had to drop a reservation (EVSE faulted or made inoperative): ReservationStatusUpdate Removed. */
  removeReservation(evse: Evse201): void {
    const reservation = evse.reservation;
    if (!reservation) return;
    this.reservations.release(evse);
    if (this.mayReport()) void this.notify('ReservationStatusUpdate', { reservationId: reservation.id, reservationUpdateStatus: 'Removed' });
  }

  // ---- Reset, firmware, events ----

  /** Reset of the whole station: ends transactions (ImmediateReset), waits for their delivery, reboots (RemoteReset). */
  async resetStation(): Promise<void> {
    this.resetWhenIdle = false;
    await Promise.all(this.evses.map((evse) => this.stopSession(evse.id, 'ImmediateReset')));
    await within(this.txQueue.idle(), this.connection.callTimeoutMs);
    await this.connection.idle();
    this.reboot('RemoteReset');
  }

  /** Reset of one EVSE: ends its transaction (ImmediateReset), then it is Unavailable for a moment. */
  async resetEvse(evse: Evse201): Promise<void> {
    evse.resetWhenIdle = false;
    await this.stopSession(evse.id, 'ImmediateReset');
    evse.resetting = true;
    this.refreshStatus(evse.id);
    this.timers.after(this.stepDelayMs, () => {
      evse.resetting = false;
      this.refreshStatus(evse.id);
    });
  }

  /** After InstallRebooting: Installed and the FirmwareUpdated security event follow the next boot. */
  rebootForFirmware(requestId: number, location: string): void {
    this.firmwareVersion = versionIn(location) ?? this.firmwareVersion;
    this.firmwareAwaitingBoot = requestId;
    this.reboot('FirmwareUpdate');
  }

  securityEvent(type: string, techInfo?: string): Promise<void> {
    const payload: Payload = { type, timestamp: iso(Date.now()) };
    if (techInfo !== undefined) payload.techInfo = techInfo.slice(0, 255);
    return this.notify('SecurityEventNotification', payload);
  }

  /**
   * Sends `items` in messages of `perMessage` each, numbered by seqNo from 0 and `tbc` on all but the last. Nothing
   * for no items: the report messages need at least one (the request was answered EmptyResultSet instead).
   */
  async sendInParts<T>(action: string, items: readonly T[], perMessage: number, build: (part: T[], seqNo: number) => Payload): Promise<void> {
    const size = Math.max(1, perMessage);
    const count = Math.ceil(items.length / size);
    for (let seqNo = 0; seqNo < count; seqNo++) {
      const payload = build(items.slice(seqNo * size, (seqNo + 1) * size), seqNo);
      if (seqNo < count - 1) payload.tbc = true;
      await this.notify(action, payload);
    }
  }

  // ---- Internals ----

  protected override dispatch(action: string, payload: Payload): Reply | undefined {
    if (this.registrationState.status === 'Rejected') return undefined; // B03: a Rejected station does not answer
    const handler = CSMS_REQUEST_HANDLERS.get(action);
    const validator = schemaValidator();
    if (!handler) {
      const known = validator.knows(this.connection.version, action);
      throw new RpcError(known ? 'NotSupported' : 'NotImplemented', `${action} is ${known ? 'not supported by this station' : 'not implemented'}`);
    }
    validator.assert(this.connection.version, action, 'request', payload);
    return replyWith(handler, this, payload);
  }

  protected override opened(): void {
    this.emit({ type: 'connected', stationId: this.id });
    if (this.registrationState.status === 'Accepted' && !this.rebooting && !this.options.bootOnReconnect) {
      this.registered(); // a reconnect, not a reboot: no BootNotification (OCPP-J 2.0.1 §5.3)
    } else {
      void this.boot();
    }
  }

  protected override closed(code: number, reason: string): void {
    if (this.registrationState.status !== 'Accepted') this.registrationState.status = 'Unknown';
    this.registrationState.disconnected();
    this.alignedData.cancel();
    this.emit({ type: 'disconnected', stationId: this.id, code, reason });
  }

  /** Accepted (by a boot, or still after a reconnect): heartbeats, every status, the waiting events, aligned data. */
  private registered(): void {
    this.restartHeartbeat();
    this.txQueue.resume();
    this.refreshAllStatuses(true);
    this.scheduleAlignedData();
    this.randomBehaviour?.start();
  }

  /** The CSMS answered SecurityError: it does not (any longer) count this station as registered. */
  private registrationLost(): void {
    if (this.registrationState.booting || !this.connection.isOpen) return;
    this.registrationState.status = 'Unknown';
    this.registrationState.stopHeartbeat();
    void this.boot();
  }

  /** Heartbeats every OCPPCommCtrlr.HeartbeatInterval while connected and Accepted. */
  private restartHeartbeat(): void {
    const intervalS = this.deviceModel.int('OCPPCommCtrlr.HeartbeatInterval');
    this.registrationState.heartbeatEvery(this.mayReport() ? intervalS : 0);
  }

  /** Clock-aligned meter data every AlignedDataCtrlr.Interval seconds, at whole multiples of it (UTC). */
  /** Clock-aligned data at the next whole multiple of the interval after `afterMs` (the boundary last served). */
  private scheduleAlignedData(afterMs = Date.now()): void {
    const intervalMs = this.deviceModel.int('AlignedDataCtrlr.Interval') * 1000;
    if (intervalMs <= 0 || !this.mayReport()) {
      this.alignedData.cancel();
      return;
    }
    const due = nextBoundary(afterMs, intervalMs);
    this.alignedData.after(due - Date.now(), () => {
      this.sendAlignedData(due);
      // After a stall longer than the interval, the next boundary after now (no burst of missed ones).
      this.scheduleAlignedData(Math.max(due, Date.now()));
    });
  }

  /**
   * MeterValues (Sample.Clock) for idle EVSEs; TransactionEvent MeterValueClock for running transactions; stamped
   * with the aligned time they are for, as a meter's clock-aligned register is.
   */
  private sendAlignedData(alignedAtMs: number): void {
    if (!this.deviceModel.bool('AlignedDataCtrlr.Enabled')) return;
    const duringIdleOnly = this.deviceModel.bool('AlignedDataCtrlr.SendDuringIdle');
    const measurands = this.deviceModel.get('AlignedDataCtrlr.Measurands');
    const now = Date.now();
    for (const evse of this.evses) {
      const tx = evse.transaction;
      this.updatePower(evse, now);
      const sample = meterValue201(measurands, this.reading(evse), 'Sample.Clock', alignedAtMs);
      if (!sample) continue;
      if (tx?.started && tx.phase === 'charging') {
        if (!duringIdleOnly) void this.transactionEvent(evse, tx, 'Updated', 'MeterValueClock', { meterValues: [sample] });
      } else {
        void this.notify('MeterValues', { evseId: evse.id, meterValue: [sample] });
      }
    }
  }

  private variableChanged(located: LocatedVariable, value: string): void {
    const { def } = located;
    switch (`${def.component}.${def.variable}`) {
      case 'OCPPCommCtrlr.HeartbeatInterval':
        this.restartHeartbeat();
        break;
      case 'SampledDataCtrlr.TxUpdatedInterval':
      case 'SampledDataCtrlr.TxEndedInterval':
        for (const evse of this.evses) this.scheduleMeterValues(evse);
        break;
      case 'AlignedDataCtrlr.Interval':
        this.scheduleAlignedData();
        break;
      case 'SecurityCtrlr.BasicAuthPassword':
        this.connection.password = value; // used from the next connection on (A01)
        break;
      case 'AuthCacheCtrlr.Enabled':
        if (value === 'false') this.authorizer.clearCache();
        break;
      default:
        break;
    }
    this.monitorReporter.observe(located);
  }

  private startRefusal(evse: Evse201 | undefined, token: IdToken, groupIdToken: IdToken | undefined): string | undefined {
    if (this.stopping) return 'station stopped';
    const registration = this.registrationState.status;
    if (registration !== 'Accepted') return `registration is ${registration}`;
    if (!evse) return 'unknown EVSE';
    if (evse.transaction) return 'EVSE busy';
    if (evse.fault) return 'EVSE faulted';
    if (!evse.operative || !this.operative || evse.resetting) return 'EVSE unavailable';
    if (!this.mayUseReservation(evse, token, groupIdToken)) return 'EVSE reserved';
    return undefined;
  }

  /** The EV's cable is plugged in: Occupied, and the transaction may start (CablePluggedIn). */
  private plugIn(evse: Evse201, tx: Transaction201): void {
    tx.evConnected = true;
    this.refreshStatus(evse.id);
    this.progress(evse, tx, 'CablePluggedIn');
  }

  /** A step of the session happened: Started if it reaches the TxStartPoint, Updated if the transaction runs. */
  private progress(evse: Evse201, tx: Transaction201, trigger: TriggerReason): void {
    if (tx.phase === 'stopping' || tx.phase === 'finishing') return;
    if (tx.started) {
      const now = Date.now();
      this.updatePower(evse, now);
      if (trigger === 'ChargingStateChanged' && chargingStateOf(tx) === tx.reportedChargingState) return;
      void this.transactionEvent(evse, tx, 'Updated', trigger);
      return;
    }
    if (!startPointReached(this.deviceModel.list('TxCtrlr.TxStartPoint'), tx)) return;
    const now = Date.now();
    tx.begin(this.newTransactionId(), now);
    tx.lastUpdateMs = now;
    if (tx.pendingProfile) {
      this.profiles.install(evse.id, { ...tx.pendingProfile, transactionId: tx.transactionId }, now);
      tx.pendingProfile = undefined;
    }
    this.updatePower(evse, now);
    const begin = meterValue201(this.deviceModel.get('SampledDataCtrlr.TxStartedMeasurands'), this.reading(evse), 'Transaction.Begin', now);
    void this.transactionEvent(evse, tx, 'Started', trigger, { meterValues: begin ? [begin] : [] }).then(() => this.notifyChargingNeeds(evse, tx));
    this.emit({ type: 'session-started', stationId: this.id, evseId: evse.id, transactionId: tx.transactionId ?? '', idToken: tx.idToken.idToken });
    this.scheduleMeterValues(evse);
  }

  /**
   * The EV's needs, once the CSMS knows the transaction: energy and departure; on a 2.1 station an EV that can
   * discharge asks for a bidirectional transfer (AC_BPT) with its discharge power and the energy above its minimum.
   */
  private async notifyChargingNeeds(evse: Evse201, tx: Transaction201): Promise<void> {
    const needs = tx.needs;
    if (!needs || evse.transaction !== tx || tx.phase !== 'charging' || !this.mayReport()) return;
    const ev = tx.ev;
    const chargingNeeds: Payload = { departureTime: needs.departure };
    if (this.connection.version === 'ocpp2.1' && ev.maxDischargeW > 0) {
      chargingNeeds.requestedEnergyTransfer = 'AC_BPT';
      chargingNeeds.v2xChargingParameters = {
        maxChargePower: ev.maxPowerW, maxDischargePower: ev.maxDischargeW, evTargetEnergyRequest: needs.energyWh,
        evMinV2XEnergyRequest: -Math.floor(ev.dischargeableWh),
      };
    } else {
      chargingNeeds.requestedEnergyTransfer = 'AC_three_phase';
      chargingNeeds.acChargingParameters = { energyAmount: Math.round(needs.energyWh), evMinCurrent: 6, evMaxCurrent: Math.floor(ev.maxPowerW / 690), evMaxVoltage: 400 };
    }
    await this.call('NotifyEVChargingNeeds', { evseId: evse.id, chargingNeeds }).catch(() => undefined);
  }

  /** Builds one TransactionEvent and queues it; resolves like `TransactionEventQueue.enqueue`. */
  private transactionEvent(
    evse: Evse201,
    tx: Transaction201,
    eventType: TransactionEventType,
    triggerReason: TriggerReason,
    extras: TransactionEventExtras = {},
  ): Promise<void> {
    const payload = transactionEvent(evse.id, tx, eventType, triggerReason, extras, !this.connection.isOpen, Date.now());
    return this.txQueue.enqueue(payload, tx.transactionId ?? '');
  }

  /** The CSMS's answer to a TransactionEvent: remember the idTokenInfo; a refused idToken ends (or suspends) the transaction. */
  private transactionEventAnswered(request: Payload, response: Payload): void {
    const token = request.idToken as IdToken | undefined;
    if (!token || response.idTokenInfo === undefined) return;
    const info = asIdTokenInfo(response.idTokenInfo);
    this.authorizer.remember(token, info);
    if (info.status === 'Accepted') return;
    const transactionId = (request.transactionInfo as { transactionId?: string } | undefined)?.transactionId ?? '';
    const tx = this.findTransaction(transactionId);
    if (!tx || tx.deauthorized || request.eventType === 'Ended') return;
    const evse = this.evse(tx.evseId);
    if (!evse) return;
    if (this.deviceModel.bool('TxCtrlr.StopTxOnInvalidId')) {
      void this.stopSession(evse.id, 'DeAuthorized');
      return;
    }
    tx.deauthorized = true;
    this.applyLimits();
  }

  /** The idToken was refused: a started transaction ends (Deauthorized), the EV leaves. */
  private async refuse(evse: Evse201, tx: Transaction201): Promise<void> {
    if (tx.started) {
      await this.stopSession(evse.id, 'DeAuthorized');
      return;
    }
    this.finish(evse, tx);
  }

  /** The EV leaves: the EVSE is free (takes a scheduled availability change or reset), a pending reset may run. */
  private finish(evse: Evse201, tx: Transaction201): void {
    tx.phase = 'finishing';
    tx.powerW = 0;
    evse.transaction = undefined;
    this.observePower(evse.id);
    applyScheduledAvailability(evse);
    this.refreshStatus(evse.id);
    if (this.profiles.size > 0) this.applyLimits();
    if (evse.resetWhenIdle) void this.resetEvse(evse);
    if (this.resetWhenIdle && this.evses.every((e) => !e.transaction)) void this.resetStation();
  }

  private scheduleMeterValues(evse: Evse201): void {
    const tx = evse.transaction;
    if (!tx) return;
    this.timers.cancel(tx.meterTimer);
    this.timers.cancel(tx.endedSampleTimer);
    tx.meterTimer = undefined;
    tx.endedSampleTimer = undefined;
    if (!tx.started || tx.phase !== 'charging') return;
    const intervalS = this.deviceModel.int('SampledDataCtrlr.TxUpdatedInterval');
    if (intervalS > 0) tx.meterTimer = this.timers.every(intervalS * 1000, () => this.sendPeriodicUpdate(evse, tx));
    const endedS = this.deviceModel.int('SampledDataCtrlr.TxEndedInterval');
    if (endedS > 0) {
      tx.endedSampleTimer = this.timers.every(endedS * 1000, () => {
        const now = Date.now();
        this.updatePower(evse, now);
        const sample = meterValue201(this.deviceModel.get('SampledDataCtrlr.TxEndedMeasurands'), this.reading(evse), 'Sample.Periodic', now);
        if (sample) tx.endedValues.push(sample);
      });
    }
  }

  /** Updated MeterValuePeriodic (or ChargingStateChanged when the state changed since the last event). */
  private sendPeriodicUpdate(evse: Evse201, tx: Transaction201): void {
    if (evse.transaction !== tx || tx.phase !== 'charging') return;
    const now = Date.now();
    this.updatePower(evse, now);
    const sample = meterValue201(this.deviceModel.get('SampledDataCtrlr.TxUpdatedMeasurands'), this.reading(evse), 'Sample.Periodic', now);
    const trigger: TriggerReason = chargingStateOf(tx) !== tx.reportedChargingState ? 'ChargingStateChanged' : 'MeterValuePeriodic';
    void this.transactionEvent(evse, tx, 'Updated', trigger, { meterValues: sample ? [sample] : [] });
  }

  /** Books the energy delivered since the last update, then sets the power for the limits in force now. */
  private updatePower(evse: Evse201, nowMs: number): void {
    const tx = evse.transaction;
    if (!tx || tx.phase !== 'charging') return;
    if (tx.powerW > 0) tx.chargingMs += (nowMs - tx.lastUpdateMs) * this.speed;
    tx.lastUpdateMs = nowMs;
    this.power.update(evse, tx, nowMs, tx.powerPathClosed && !tx.deauthorized);
    this.observePower(evse.id);
  }

  /** Evaluates monitors on EVSE.Power and ChargingStation.Power (only when there are monitors). */
  private observePower(evseId: number): void {
    this.monitorReporter.observeVariable({ name: 'EVSE', evse: { id: evseId } }, 'Power');
    this.monitorReporter.observeVariable({ name: 'ChargingStation' }, 'Power');
  }

  /** The EV's state of charge is known while its cable is plugged in. */
  private reading(evse: Evse201): ElectricalReading {
    const tx = evse.transaction;
    return this.power.reading(evse, tx, tx?.evConnected === true);
  }

  /** A UUID-shaped transaction id (version 4 layout) from the station's random source, so seeded runs repeat. */
  private newTransactionId(): string {
    const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(this.random() * 16).toString(16)).join('');
    const variant = '89ab'[Math.floor(this.random() * 4)] ?? '8';
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
  }

  private async firmwareInstalled(requestId: number): Promise<void> {
    this.transfers.firmware = { status: 'Installed', requestId };
    await this.notify('FirmwareStatusNotification', { status: 'Installed', requestId });
    await this.securityEvent('FirmwareUpdated', `version ${this.firmwareVersion}`);
    if (this.transfers.firmware.requestId === requestId) this.transfers.firmware = { status: 'Idle', requestId: undefined };
  }

  /** Random sessions drive the EVSEs as if they were 1.6 connectors (one connector each). */
  private randomSessionHost(): RandomSessionHost {
    const station = this; // the registration getter below reads the station, not the object literal
    return {
      connectors: station.evses,
      random: station.random,
      speed: station.speed,
      get registration(): string {
        return station.registration;
      },
      statusOf: (id) => station.statusOf(id),
      setFault: (id, errorCode) => station.setFault(id, errorCode),
      startSession: (id, idTag, options) => station.startSession(id, idTag, station.protocol === 'ocpp2.1' ? v2xSession(options.ev, station.random) : options),
      connector: (id) => {
        const evse = station.evse(id);
        return evse ? { session: evse.transaction } : undefined;
      },
      stopSession: (id, reason) => station.stopSession(id, reason),
    };
  }
}
