import type { EvBattery } from './ev-model.ts';

/**
 * Where a session is: waiting for its transaction to start, running, ending its transaction, or done with the
 * transaction while the EV is still plugged in.
 */
export type SessionPhase = 'preparing' | 'charging' | 'stopping' | 'finishing';

/**
 * One charging session on an outlet (a 1.6 connector, a 2.0.1 EVSE): the EV, the transaction, and the power it
 * draws. Each protocol brings its own transaction id type (1.6: the CSMS's integer, 2.0.1: the station's string) and
 * stop reasons.
 */
export class ChargingSession<TransactionId, Reason> {
  /** The 1.6 connector, or the 2.0.1 EVSE. */
  readonly connectorId: number;
  readonly idTag: string;
  readonly ev: EvBattery;
  phase: SessionPhase = 'preparing';
  transactionId: TransactionId | undefined;
  reservationId: number | undefined;
  /** When the transaction started (also the start of Relative and TxProfile schedules). */
  startedAtMs = 0;
  /** The power the EV draws, and the power the station offers it. */
  powerW = 0;
  offeredW = 0;
  /** The CSMS refused the idTag once the transaction ran, and the station keeps the transaction: no energy. */
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
   * the EV battery; returns the energy delivered, in Wh (negative: given back by a discharging EV, V2G).
   */
  advance(nowMs: number, speed: number): number {
    const elapsedH = ((nowMs - this.lastAdvanceMs) / 3_600_000) * speed;
    this.lastAdvanceMs = nowMs;
    if (this.phase !== 'charging' || elapsedH <= 0 || this.powerW === 0) return 0;
    if (this.powerW < 0) return -this.ev.discharge(-this.powerW * elapsedH);
    return this.ev.charge(this.powerW * elapsedH);
  }

  /**
   * The station offers `offeredW` from now on; the EV draws what it accepts of it. A discharge setpoint (`dischargeW`
   * > 0, V2G) makes an EV that can discharge give back that power instead (its power is then negative).
   */
  offer(offeredW: number, dischargeW = 0): void {
    this.offeredW = offeredW;
    const back = this.ev.dischargePowerW(dischargeW);
    this.powerW = back > 0 ? -back : this.ev.acceptedPowerW(offeredW);
  }
}

/** A session of either protocol, where only the physics matter. */
export type AnyChargingSession = ChargingSession<unknown, unknown>;
