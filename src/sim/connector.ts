import type { EvBattery } from './ev-model.ts';
import type { ChargePointErrorCode, ChargePointStatus, SampledValue, StopReason } from './ocpp16-types.ts';

/**
 * Where a session is: waiting for Authorize/StartTransaction, running, sending StopTransaction, or done with the
 * transaction while the EV is still plugged in.
 */
export type SessionPhase = 'preparing' | 'charging' | 'stopping' | 'finishing';

/**
 * One charging session on a connector: the EV, the transaction, and the power it draws. The transaction id and the
 * stop reasons are the 1.6 ones by default; the 2.0.1 station uses its own (a string id it makes, 2.0.1 reasons).
 */
export class ChargingSession<TransactionId = number, Reason = StopReason> {
  /** The 1.6 connector, or the 2.0.1 EVSE. */
  readonly connectorId: number;
  readonly idTag: string;
  readonly ev: EvBattery;
  phase: SessionPhase = 'preparing';
  transactionId: TransactionId | undefined;
  reservationId: number | undefined;
  /** When the transaction started (also the start of Relative and TxProfile schedules). */
  startedAtMs = 0;
  /** Transaction.Begin values for StopTransaction's transactionData. */
  beginValues: SampledValue[] = [];
  /** The power the EV draws, and the power the station offers it. */
  powerW = 0;
  offeredW = 0;
  /** The idTag was not Accepted at StartTransaction and StopTransactionOnInvalidId is false: no energy. */
  deauthorized = false;
  /** A stop asked for while the session was still preparing; applied once the transaction has started. */
  stopRequested: Reason | undefined;
  meterTimer: NodeJS.Timeout | undefined;
  private lastAdvanceMs: number;

  constructor(connectorId: number, idTag: string, ev: EvBattery, nowMs: number) {
    this.connectorId = connectorId;
    this.idTag = idTag;
    this.ev = ev;
    this.lastAdvanceMs = nowMs;
  }

  /** Marks the transaction started at `nowMs`. */
  begin(transactionId: TransactionId, nowMs: number): void {
    this.transactionId = transactionId;
    this.phase = 'charging';
    this.startedAtMs = nowMs;
    this.lastAdvanceMs = nowMs;
  }

  /**
   * Integrates the current power from the last call until `nowMs` (times `speed`, the simulated-time factor) into
   * the EV battery; returns the energy delivered, in Wh.
   */
  advance(nowMs: number, speed: number): number {
    const elapsedH = ((nowMs - this.lastAdvanceMs) / 3_600_000) * speed;
    this.lastAdvanceMs = nowMs;
    if (this.phase !== 'charging' || elapsedH <= 0 || this.powerW <= 0) return 0;
    return this.ev.charge(this.powerW * elapsedH);
  }
}

/** A reservation held by a connector until it is used, cancelled or expires. */
export interface Reservation {
  id: number;
  idTag: string;
  parentIdTag: string | undefined;
  /** Ends the reservation at its expiryDate. */
  timer: NodeJS.Timeout;
}

/** The state of one connector (1..N) of a simulated station. */
export interface Connector {
  readonly id: number;
  /** ChangeAvailability state; `scheduledOperative` is applied when the running session ends. */
  operative: boolean;
  scheduledOperative: boolean | undefined;
  /** Set while the connector is faulted. */
  fault: ChargePointErrorCode | undefined;
  /** The energy meter register (Wh), across sessions. */
  energyWh: number;
  session: ChargingSession | undefined;
  reservation: Reservation | undefined;
  /** The last status sent (or decided while not yet allowed to send). */
  reportedStatus: ChargePointStatus | undefined;
}

export function newConnector(id: number): Connector {
  return {
    id,
    operative: true,
    scheduledOperative: undefined,
    fault: undefined,
    energyWh: 0,
    session: undefined,
    reservation: undefined,
    reportedStatus: undefined,
  };
}

/** The 1.6 status that follows from a connector's state. */
export function connectorStatus(connector: Connector): ChargePointStatus {
  if (connector.fault) return 'Faulted';
  const session = connector.session;
  if (session) {
    switch (session.phase) {
      case 'preparing':
        return 'Preparing';
      case 'charging':
      case 'stopping':
        if (session.powerW > 0) return 'Charging';
        return session.offeredW > 0 ? 'SuspendedEV' : 'SuspendedEVSE';
      case 'finishing':
        return 'Finishing';
    }
  }
  if (!connector.operative) return 'Unavailable';
  if (connector.reservation) return 'Reserved';
  return 'Available';
}
