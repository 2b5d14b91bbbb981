import { ChargingSession } from '../charging-session.ts';
import type { EvBattery } from '../ev-model.ts';
import type { Outlet } from '../outlet.ts';
import type { ChargingProfile201, ChargingState, ConnectorStatus, IdToken, MeterValue201, StoppedReason } from './types.ts';

/** The driver's needs, told by the EV (ISO 15118) through NotifyEVChargingNeeds once the transaction has started. */
export interface ChargingNeeds201 {
  /** Energy still wanted, Wh. */
  energyWh: number;
  /** ISO 8601 UTC. */
  departure: string;
}

/**
 * A session on an EVSE, from the EV's arrival to its departure. The OCPP transaction inside it starts when the
 * TxStartPoint is reached (by default: cable plugged in or driver authorized, whichever comes first) and carries
 * the station's own transaction id and a sequence number per TransactionEvent.
 */
export class Transaction201 extends ChargingSession<string, StoppedReason> {
  readonly idToken: IdToken;
  /** From the authorization (IdTokenInfo.groupIdToken) or the RequestStartTransaction. */
  groupIdToken: IdToken | undefined;
  /** Set by RequestStartTransaction; sent in the TransactionEvent of the remote authorization. */
  remoteStartId: number | undefined;
  /** The TxProfile of a RequestStartTransaction, installed once the transaction has an id. */
  pendingProfile: ChargingProfile201 | undefined;
  /** What the EV tells the CSMS once the transaction has started (NotifyEVChargingNeeds). */
  needs: ChargingNeeds201 | undefined;
  /** The seqNo of the next TransactionEvent (starts at 0 with Started). */
  seqNo = 0;
  evConnected = false;
  authorized = false;
  /** Energy may flow: authorized and the EV connected (the PowerPathClosed point). */
  powerPathClosed = false;
  /** The idToken went out in a TransactionEvent already (it is sent once, with the authorization). */
  idTokenSent = false;
  remoteStartIdSent = false;
  /** What the CSMS last heard, to send chargingState only when it changed, and ChargingRateChanged. */
  reportedChargingState: ChargingState | undefined;
  reportedOfferedW = 0;
  /** Samples for the Ended event every TxEndedInterval (SampledDataCtrlr.TxEndedMeasurands). */
  endedValues: MeterValue201[] = [];
  endedSampleTimer: NodeJS.Timeout | undefined;
  /** Simulated time with energy flowing (timeSpentCharging). */
  chargingMs = 0;
  lastUpdateMs: number;
  /** From CostUpdated. */
  totalCost: number | undefined;

  constructor(evseId: number, idToken: IdToken, ev: EvBattery, nowMs: number) {
    super(evseId, idToken.idToken, ev, nowMs);
    this.idToken = idToken;
    this.lastUpdateMs = nowMs;
  }

  get evseId(): number {
    return this.connectorId;
  }

  /** The OCPP transaction has started (Started was sent or queued). */
  get started(): boolean {
    return this.transactionId !== undefined;
  }
}

/** A reservation held by an EVSE until it is used, cancelled or expires. */
export interface Reservation201 {
  id: number;
  idToken: IdToken;
  groupIdToken: IdToken | undefined;
  /** Ends the reservation at its expiryDateTime. */
  timer: NodeJS.Timeout;
}

/** One EVSE of a simulated 2.0.1 station, with its single connector (connector 1). */
export interface Evse201 extends Outlet {
  /** Set while the connector is faulted (a 1.6-style error code, sent as techCode). */
  fault: string | undefined;
  /** An EVSE reset in progress (Unavailable for a moment). */
  resetting: boolean;
  /** Reset OnIdle requested for this EVSE while it was busy. */
  resetWhenIdle: boolean;
  transaction: Transaction201 | undefined;
  reservation: Reservation201 | undefined;
  /** The last status sent (or decided while not yet allowed to send). */
  reportedStatus: ConnectorStatus | undefined;
}

export function newEvse(id: number): Evse201 {
  return {
    id,
    operative: true,
    scheduledOperative: undefined,
    fault: undefined,
    resetting: false,
    resetWhenIdle: false,
    energyWh: 0,
    transaction: undefined,
    reservation: undefined,
    reportedStatus: undefined,
  };
}

/** The 2.0.1 connector status that follows from an EVSE's state (G01: Occupied while a session holds it). */
export function evseStatus(evse: Evse201): ConnectorStatus {
  if (evse.fault) return 'Faulted';
  if (evse.transaction) return 'Occupied';
  if (!evse.operative || evse.resetting) return 'Unavailable';
  if (evse.reservation) return 'Reserved';
  return 'Available';
}

/** The transaction's charging state: no EV (Idle), EV without energy (EVConnected), or energy flowing or not. */
export function chargingStateOf(tx: Transaction201): ChargingState {
  if (!tx.evConnected) return 'Idle';
  if (!tx.powerPathClosed || tx.phase !== 'charging') return 'EVConnected';
  if (tx.powerW > 0) return 'Charging';
  return tx.offeredW > 0 ? 'SuspendedEV' : 'SuspendedEVSE';
}
