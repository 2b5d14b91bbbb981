import type { Payload } from '../ocpp/rpc/frames.ts';
import type { OcppVersion } from '../ocpp/versions.ts';
import type { EvSpec } from './ev-model.ts';
import type { RandomSessionOptions } from './random-behaviour.ts';
import { Registration, type RegistrationStatus } from './registration.ts';
import { StationConnection, type ConnectionObserver, type Reply } from './station-connection.ts';
import { Timers } from './timers.ts';

/** What every simulated station (1.6 or 2.0.1) is configured with; each protocol's station adds its own options. */
export interface StationOptions {
  /** CSMS endpoint without the station id, e.g. `ws://localhost:8180/ocpp`. */
  url: string;
  id: string;
  /** HTTP Basic auth password (security profile 1). */
  password?: string;
  vendor?: string;
  model?: string;
  serialNumber?: string;
  firmwareVersion?: string;
  /** Initial meter value interval in seconds (1.6 MeterValueSampleInterval, 2.0.1 SampledDataCtrlr.TxUpdatedInterval); default 60. */
  meterValueSampleInterval?: number;
  /** The EV plugged in by sessions that name none; default `DEFAULT_EV`. */
  ev?: EvSpec;
  /** Simulated time runs this many times faster than the wall clock for energy and random sessions; default 1. */
  speed?: number;
  /** Default 30 000 ms (the MessageTimeout configuration of either protocol). */
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
  /** Source of randomness (tests pass a seeded one); default Math.random. */
  random?: () => number;
}

/** What every station reports to its owner about its link to the CSMS; each protocol adds its session events. */
export type StationLinkEvent =
  | { type: 'connected'; stationId: string }
  | { type: 'disconnected'; stationId: string; code: number; reason: string }
  | { type: 'registration'; stationId: string; status: RegistrationStatus };

/**
 * What every simulated station is, whatever its protocol: its settings, the timers of its flows, its socket to the
 * CSMS and its registration there (BootNotification retries, heartbeat). The protocol's station (1.6 `SimStation`,
 * 2.0.1 `SimStation201`) builds its BootNotification, answers the CSMS's requests and runs the sessions.
 */
export abstract class SimStationBase<Event> {
  readonly id: string;
  readonly speed: number;
  readonly stepDelayMs: number;
  readonly dataTransferVendorId: string;
  readonly random: () => number;
  /** Timers of the station's flows; all cancelled by `stop()`. */
  readonly timers = new Timers();
  /** The whole station's availability (ChangeAvailability for the whole station). */
  operative = true;
  firmwareVersion: string;

  protected readonly connection: StationConnection;
  protected readonly registrationState: Registration;
  /** Set by `stop()`: no new sessions, no second stop. */
  protected stopping = false;
  private readonly onEvent: ((event: Event | StationLinkEvent) => void) | undefined;

  protected constructor(options: StationOptions & { onEvent?: (event: Event | StationLinkEvent) => void }, version: OcppVersion) {
    this.id = options.id;
    this.speed = options.speed ?? 1;
    this.stepDelayMs = options.stepDelayMs ?? 2000;
    this.dataTransferVendorId = options.dataTransferVendorId ?? 'Joule';
    this.random = options.random ?? Math.random;
    this.firmwareVersion = options.firmwareVersion ?? '1.0.0';
    this.onEvent = options.onEvent;
    this.connection = new StationConnection({
      url: options.url,
      stationId: options.id,
      version,
      password: options.password,
      callTimeoutMs: options.callTimeoutMs ?? 30_000,
      reconnect: options.reconnect ?? true,
      onCall: (action, payload) => this.dispatch(action, payload),
      onOpen: () => this.opened(),
      onClose: (code, reason) => this.closed(code, reason),
      observer: options.observer,
      onFrame: options.onFrame,
    });
    this.registrationState = new Registration({
      connection: this.connection,
      timers: this.timers,
      retrySeconds: options.bootRetrySeconds,
      boot: () => void this.boot(),
      heartbeat: () => void this.notify('Heartbeat', {}),
      answered: (status) => this.emit({ type: 'registration', stationId: this.id, status }),
    });
  }

  get online(): boolean {
    return this.connection.isOpen;
  }

  /** Connects (and keeps reconnecting until `stop()`). */
  start(): void {
    this.connection.connect();
  }

  /** Sends a CALL to the CSMS; see `StationConnection.call`. */
  call(action: string, payload: Payload): Promise<Payload> {
    return this.connection.call(action, payload);
  }

  /** Sends a CALL whose answer does not matter; resolves when answered or failed (failures are counted by the observer). */
  notify(action: string, payload: Payload): Promise<void> {
    return this.call(action, payload).then(
      () => undefined,
      () => undefined,
    );
  }

  /** BootNotification (the protocol's payload, sent through `registrationState.boot`) and what follows from the answer. */
  abstract boot(): Promise<void>;

  /** Answers a CSMS request; undefined sends no answer at all. */
  protected abstract dispatch(action: string, payload: Payload): Reply | undefined;

  /** The socket is open (a connection or a reconnection). */
  protected abstract opened(): void;

  protected abstract closed(code: number, reason: string): void;

  protected emit(event: Event | StationLinkEvent): void {
    this.onEvent?.(event);
  }
}
