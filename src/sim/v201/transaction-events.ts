import type { Payload } from '../../ocpp/rpc/frames.ts';
import { chargingStateOf, type Transaction201 } from './evse.ts';
import type { MeterValue201, StoppedReason, TriggerReason } from './types.ts';

export type TransactionEventType = 'Started' | 'Updated' | 'Ended';

/** What an event carries beyond the transaction's state. */
export interface TransactionEventExtras {
  meterValues?: MeterValue201[];
  /** Send the idToken even if it went out before (StopAuthorized). */
  idToken?: boolean;
  stoppedReason?: StoppedReason;
}

/**
 * TxCtrlr.TxStartPoint: has the session reached one of the listed points (EV connected, driver authorized, power
 * path closed)? No points: when the power path closes.
 */
export function startPointReached(points: readonly string[], tx: Transaction201): boolean {
  if (points.length === 0) return tx.powerPathClosed;
  return points.some((point) => {
    switch (point) {
      case 'ParkingBayOccupancy':
      case 'EVConnected':
        return tx.evConnected;
      case 'Authorized':
        return tx.authorized;
      default:
        return tx.powerPathClosed; // PowerPathClosed, EnergyTransfer
    }
  });
}

/** TxCtrlr.TxStopPoint: does the transaction end when the driver stops the authorization, not only when the EV leaves? */
export function endsWhenDeauthorized(points: readonly string[]): boolean {
  return points.length === 0 || points.some((p) => p !== 'EVConnected' && p !== 'ParkingBayOccupancy');
}

/** The triggerReason of the Ended event that goes with a stoppedReason. */
export function stopTrigger(reason: StoppedReason): TriggerReason {
  switch (reason) {
    case 'Local':
      return 'StopAuthorized';
    case 'EVDisconnected':
      return 'EVCommunicationLost';
    case 'Remote':
      return 'RemoteStop';
    case 'DeAuthorized':
      return 'Deauthorized';
    case 'ImmediateReset':
      return 'ResetCommand';
    case 'EnergyLimitReached':
      return 'EnergyLimitReached';
    case 'TimeLimitReached':
      return 'TimeLimitReached';
    case 'Timeout':
      return 'EVConnectTimeout';
    default:
      return 'AbnormalCondition';
  }
}

/**
 * One TransactionEvent request (E01-E07): the next seqNo, chargingState in Started and Ended and whenever it
 * changed, the idToken and the remoteStartId once (with the authorization), `offline` when built while the
 * connection is down. Marks on `tx` what the CSMS will have heard.
 */
export function transactionEvent(
  evseId: number,
  tx: Transaction201,
  eventType: TransactionEventType,
  triggerReason: TriggerReason,
  extras: TransactionEventExtras,
  offline: boolean,
  nowMs: number,
): Payload {
  const state = chargingStateOf(tx);
  const info: Payload = { transactionId: tx.transactionId ?? '' };
  if (eventType !== 'Updated' || state !== tx.reportedChargingState) info.chargingState = state;
  tx.reportedChargingState = state;
  tx.reportedOfferedW = tx.offeredW;
  if (eventType === 'Ended') {
    info.timeSpentCharging = Math.round(tx.chargingMs / 1000);
    if (extras.stoppedReason !== undefined) info.stoppedReason = extras.stoppedReason;
  }
  if (triggerReason === 'RemoteStart' && tx.remoteStartId !== undefined && !tx.remoteStartIdSent) {
    info.remoteStartId = tx.remoteStartId;
    tx.remoteStartIdSent = true;
  }
  const payload: Payload = {
    eventType,
    timestamp: new Date(nowMs).toISOString(),
    triggerReason,
    seqNo: tx.seqNo++,
    transactionInfo: info,
    evse: { id: evseId, connectorId: 1 },
  };
  if (offline) payload.offline = true;
  if (eventType === 'Started' && tx.reservationId !== undefined) payload.reservationId = tx.reservationId;
  if ((tx.authorized && !tx.idTokenSent) || extras.idToken) {
    payload.idToken = { ...tx.idToken };
    tx.idTokenSent = true;
  }
  if (extras.meterValues && extras.meterValues.length > 0) payload.meterValue = extras.meterValues;
  return payload;
}
