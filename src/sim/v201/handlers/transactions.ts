import type { Payload } from '../../../ocpp/rpc/frames.ts';
import type { Evse201 } from '../evse.ts';
import type { SimStation201 } from '../sim-station-201.ts';
import { statusInfo, type ChargingProfile201, type IdToken } from '../types.ts';
import { profileLimits } from './smart-charging.ts';
import { handler, type CsmsRequestHandler } from './types.ts';

/** E14: whether the transaction still runs, and whether its (or any) messages wait in the offline queue. */
const getTransactionStatus = handler<{ transactionId?: string }>((station, { transactionId }) => {
  if (transactionId === undefined) return { messagesInQueue: station.hasQueuedEvents() };
  return { ongoingIndicator: station.findTransaction(transactionId) !== undefined, messagesInQueue: station.hasQueuedEvents(transactionId) };
});

interface RequestStartRequest {
  evseId?: number;
  idToken: IdToken;
  remoteStartId: number;
  groupIdToken?: IdToken;
  chargingProfile?: ChargingProfile201;
}

/** Free, or reserved for this idToken (or its group). */
function usable(station: SimStation201, evse: Evse201, request: RequestStartRequest): boolean {
  const status = station.statusOf(evse.id);
  return status === 'Available' || (status === 'Reserved' && station.mayUseReservation(evse, request.idToken, request.groupIdToken));
}

/** The TxProfile of a remote start must be one the station could install once the transaction runs (F01, K05). */
function profileProblem(station: SimStation201, evseId: number, profile: ChargingProfile201): string | undefined {
  if (profile.chargingProfilePurpose !== 'TxProfile' || profile.transactionId !== undefined) return 'InvalidProfile';
  if (!station.deviceModel.bool('SmartChargingCtrlr.Enabled')) return 'NotEnabled';
  const pending = 'pending';
  return station.profiles.problem(evseId, { ...profile, transactionId: pending }, { ...profileLimits(station), transactionOn: () => pending });
}

/** F01/F02: Accepted when an EVSE is free; the session starts after the answer (remoteStartId in its TransactionEvent). */
const requestStartTransaction = handler<RequestStartRequest>((station, request, after) => {
  if (station.registration !== 'Accepted') return { status: 'Rejected', statusInfo: statusInfo('NotAccepted') };
  const target = request.evseId === undefined ? station.evses.find((e) => usable(station, e, request)) : station.evse(request.evseId);
  if (!target) return { status: 'Rejected', statusInfo: statusInfo(request.evseId === undefined ? 'NoFreeEVSE' : 'UnknownEVSE') };
  if (!usable(station, target, request)) return { status: 'Rejected', statusInfo: statusInfo(String(station.statusOf(target.id))) };
  const profile = request.chargingProfile;
  const problem = profile ? profileProblem(station, target.id, profile) : undefined;
  if (problem) return { status: 'Rejected', statusInfo: statusInfo(problem) };
  after(
    () =>
      void station.startSession(target.id, request.idToken.idToken, {
        idTokenType: request.idToken.type,
        remoteStartId: request.remoteStartId,
        groupIdToken: request.groupIdToken,
        chargingProfile: profile,
      }),
  );
  return { status: 'Accepted' };
});

/** F03: ends the transaction (RemoteStop, stoppedReason Remote) after the answer. */
const requestStopTransaction = handler<{ transactionId: string }>((station, { transactionId }, after) => {
  const tx = station.findTransaction(transactionId);
  if (!tx) return { status: 'Rejected', statusInfo: statusInfo('UnknownTxId') };
  after(() => void station.stopSession(tx.evseId, 'Remote'));
  return { status: 'Accepted' };
});

/** F05: an authorized transaction keeps the cable locked; otherwise it is unlocked (and an unauthorized session ends). */
const unlockConnector = handler<{ evseId: number; connectorId: number }>((station, { evseId, connectorId }, after) => {
  const evse = station.evse(evseId);
  if (!evse || connectorId !== 1) return { status: 'UnknownConnector' };
  const tx = evse.transaction;
  if (tx?.authorized) return { status: 'OngoingAuthorizedTransaction' };
  if (tx) after(() => void station.stopSession(evseId, 'EVDisconnected'));
  return { status: 'Unlocked' };
});

/** I: the running cost of a transaction (kept for display; nothing else to answer). */
const costUpdated = handler<{ totalCost: number; transactionId: string }>((station, { totalCost, transactionId }) => {
  station.costUpdated(transactionId, totalCost);
  return {};
});

/** P: requests for the configured vendor are Accepted (the data echoed), others get UnknownVendorId. */
const dataTransfer = handler<{ vendorId: string; messageId?: string; data?: unknown }>((station, { vendorId, data }) => {
  if (vendorId !== station.dataTransferVendorId) return { status: 'UnknownVendorId' };
  const response: Payload = { status: 'Accepted' };
  if (data !== undefined) response.data = data;
  return response;
});

/** E Transactions, F RemoteControl (TriggerMessage has its own file), I TariffAndCost, P DataTransfer. */
export const TRANSACTION_HANDLERS: Record<string, CsmsRequestHandler> = {
  GetTransactionStatus: getTransactionStatus,
  RequestStartTransaction: requestStartTransaction,
  RequestStopTransaction: requestStopTransaction,
  UnlockConnector: unlockConnector,
  CostUpdated: costUpdated,
  DataTransfer: dataTransfer,
};
