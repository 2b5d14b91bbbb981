import { randomEv, type EvSpec } from './ev-model.ts';
import { Timers } from './timers.ts';

/** Random sessions of a station (`joule sim --sessions`). Times are in simulated seconds (divided by the speed). */
export interface RandomSessionOptions {
  /** The idTags drivers present; one is picked per session. */
  idTags: readonly string[];
  /** Idle time between sessions on a connector, [min, max]; default [60, 900]. */
  idleSeconds?: readonly [number, number];
  /** Session length, [min, max]; default [600, 5400]. */
  sessionSeconds?: readonly [number, number];
  /** Chance that an idle connector faults for a while instead of starting a session; default 0.02. */
  faultProbability?: number;
}

/** How a driver ends a session; both reasons exist in 1.6 and 2.0.1. */
type DriverStopReason = 'Local' | 'EVDisconnected';

/**
 * What random sessions need of a station; the 1.6 `SimStation` is one as it is, the 2.0.1 station lends its EVSEs
 * (one connector each) as `connectors`. A transaction id is only compared, so its type does not matter here.
 */
export interface RandomSessionHost {
  readonly connectors: readonly { readonly id: number }[];
  readonly random: () => number;
  /** Simulated-time factor. */
  readonly speed: number;
  readonly registration: string;
  statusOf(connectorId: number): string | undefined;
  setFault(connectorId: number, errorCode: 'OtherError' | undefined): void;
  startSession(
    connectorId: number,
    idTag: string,
    options: { ev: EvSpec },
  ): Promise<{ started: true; transactionId: unknown } | { started: false; reason: string }>;
  connector(connectorId: number): { readonly session: { readonly transactionId: unknown } | undefined } | undefined;
  stopSession(connectorId: number, reason: DriverStopReason): Promise<boolean>;
}

const STOP_REASONS: readonly DriverStopReason[] = ['Local', 'Local', 'EVDisconnected'];
const FAULT_SECONDS: readonly [number, number] = [30, 300];

/**
 * Drives a station like drivers would: on each connector, after a random idle time an EV arrives with a random
 * idTag and state of charge, charges for a random time and leaves; now and then a connector faults and recovers.
 */
export class RandomBehaviour {
  private readonly station: RandomSessionHost;
  private readonly options: RandomSessionOptions;
  private readonly timers = new Timers();
  private started = false;

  constructor(station: RandomSessionHost, options: RandomSessionOptions) {
    this.station = station;
    this.options = options;
  }

  /** Starts the loop on every connector (again after `stop()`); does nothing if already running. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const connector of this.station.connectors) this.idle(connector.id);
  }

  stop(): void {
    this.started = false;
    this.timers.clear();
  }

  private pick(range: readonly [number, number]): number {
    const [min, max] = range;
    return ((min + this.station.random() * (max - min)) * 1000) / this.station.speed;
  }

  private idle(connectorId: number): void {
    this.timers.after(this.pick(this.options.idleSeconds ?? [60, 900]), () => void this.arrive(connectorId));
  }

  private async arrive(connectorId: number): Promise<void> {
    const station = this.station;
    if (station.statusOf(connectorId) !== 'Available' || station.registration !== 'Accepted') {
      this.idle(connectorId);
      return;
    }
    if (station.random() < (this.options.faultProbability ?? 0.02)) {
      station.setFault(connectorId, 'OtherError');
      this.timers.after(this.pick(FAULT_SECONDS), () => {
        station.setFault(connectorId, undefined);
        this.idle(connectorId);
      });
      return;
    }
    const tags = this.options.idTags;
    const idTag = tags[Math.floor(station.random() * tags.length)] ?? 'SIMTAG';
    const result = await station.startSession(connectorId, idTag, { ev: randomEv(station.random) });
    if (!this.started) return;
    if (!result.started) {
      this.idle(connectorId);
      return;
    }
    this.timers.after(this.pick(this.options.sessionSeconds ?? [600, 5400]), () => void this.leave(connectorId, result.transactionId));
  }

  /** The driver leaves, unless the session already ended another way (e.g. RemoteStopTransaction). */
  private async leave(connectorId: number, transactionId: unknown): Promise<void> {
    const station = this.station;
    if (station.connector(connectorId)?.session?.transactionId === transactionId) {
      const reason = STOP_REASONS[Math.floor(station.random() * STOP_REASONS.length)] ?? 'Local';
      await station.stopSession(connectorId, reason);
    }
    if (this.started) this.idle(connectorId);
  }
}
