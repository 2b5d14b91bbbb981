import type { Payload } from '../ocpp/rpc/frames.ts';
import type { StationConnection } from './station-connection.ts';
import { TimerSlot, type Timers } from './timers.ts';

/** The BootNotification answers; the same three in 1.6 and 2.0.1. */
export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected';

export interface RegistrationOptions {
  connection: Pick<StationConnection, 'isOpen' | 'call'>;
  timers: Timers;
  /** Wait before the next BootNotification when the CSMS gave no interval or no answer, in seconds; default 30. */
  retrySeconds?: number | undefined;
  /** Sends the station's BootNotification (again); the station builds its payload. */
  boot: () => void;
  /** Sends one Heartbeat. */
  heartbeat: () => void;
  /** The CSMS answered a BootNotification with `status` (before the heartbeat stops or a retry is scheduled). */
  answered: (status: RegistrationStatus) => void;
}

/**
 * A station's registration with its CSMS, the same in 1.6 (§4.2, §4.6) and 2.0.1 (B01-B03): BootNotification until
 * the CSMS accepts the station (again after the interval it asked for, or `retrySeconds`, while the answer is
 * Pending, Rejected, unreadable or missing), the status it gave, and the heartbeat while the station is accepted.
 */
export class Registration {
  /** Accepted, Pending or Rejected by the last BootNotification; Unknown before it and when the station drops it. */
  status: RegistrationStatus | 'Unknown' = 'Unknown';

  private readonly options: RegistrationOptions;
  private readonly heartbeat: TimerSlot;
  private retryTimer: NodeJS.Timeout | undefined;
  private waiting = false;

  constructor(options: RegistrationOptions) {
    this.options = options;
    this.heartbeat = new TimerSlot(options.timers);
  }

  /** True while a BootNotification waits for its answer. */
  get booting(): boolean {
    return this.waiting;
  }

  /**
   * Sends BootNotification with `payload` (cancelling a scheduled retry) and takes the status it answers. Resolves
   * with the heartbeat interval the CSMS gave (seconds, 0 for none) when it accepted the station; otherwise with
   * undefined, the heartbeat stopped and a retry scheduled.
   */
  async boot(payload: Payload): Promise<number | undefined> {
    this.cancelRetry();
    this.waiting = true;
    let response: Payload;
    try {
      response = await this.options.connection.call('BootNotification', payload);
    } catch {
      this.waiting = false;
      this.retry(0);
      return undefined;
    }
    this.waiting = false;
    const status = response.status;
    const intervalS = typeof response.interval === 'number' ? Math.round(response.interval) : 0;
    if (status !== 'Accepted' && status !== 'Pending' && status !== 'Rejected') {
      this.retry(intervalS);
      return undefined;
    }
    this.status = status;
    this.options.answered(status);
    if (status !== 'Accepted') {
      this.stopHeartbeat();
      this.retry(intervalS);
      return undefined;
    }
    return intervalS;
  }

  /** Heartbeats every `intervalS` from now on; none for 0 or less. */
  heartbeatEvery(intervalS: number): void {
    if (intervalS > 0) this.heartbeat.every(intervalS * 1000, this.options.heartbeat);
    else this.heartbeat.cancel();
  }

  stopHeartbeat(): void {
    this.heartbeat.cancel();
  }

  /** The connection closed: no heartbeat and no BootNotification until it is back (the status is the station's call). */
  disconnected(): void {
    this.stopHeartbeat();
    this.cancelRetry();
  }

  private cancelRetry(): void {
    this.options.timers.cancel(this.retryTimer);
    this.retryTimer = undefined;
  }

  private retry(intervalS: number): void {
    if (!this.options.connection.isOpen) return;
    const delayS = intervalS > 0 ? intervalS : (this.options.retrySeconds ?? 30);
    this.retryTimer = this.options.timers.after(delayS * 1000, this.options.boot);
  }
}
