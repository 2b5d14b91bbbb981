import type { Evse201 } from '../evse.ts';
import type { SimStation201 } from '../sim-station-201.ts';
import { statusInfo, type IdToken } from '../types.ts';
import { handler, type CsmsRequestHandler } from './types.ts';

interface ReserveNowRequest {
  id: number;
  expiryDateTime: string;
  idToken: IdToken;
  evseId?: number;
  groupIdToken?: IdToken;
  connectorType?: string;
}

/** The connector type of every simulated connector (Connector.ConnectorType). */
const CONNECTOR_TYPE = 'cType2';

/** Why `evse` cannot take reservation `id` now, as a ReserveNow status. */
function refusal(evse: Evse201, id: number): 'Faulted' | 'Unavailable' | 'Occupied' | undefined {
  if (evse.fault) return 'Faulted';
  if (!evse.operative || evse.resetting) return 'Unavailable';
  if (evse.transaction || (evse.reservation && evse.reservation.id !== id)) return 'Occupied';
  return undefined;
}

/** Without an EVSE (NonEvseSpecific): the EVSE holding this reservation already, else the first that can take it. */
function pickEvse(station: SimStation201, id: number): Evse201 | 'Faulted' | 'Unavailable' | 'Occupied' {
  const holder = station.reservations.holder(id);
  if (holder && refusal(holder, id) === undefined) return holder;
  const free = station.evses.find((e) => refusal(e, id) === undefined);
  if (free) return free;
  if (station.evses.every((e) => e.fault)) return 'Faulted';
  if (station.evses.every((e) => refusal(e, id) === 'Unavailable' || refusal(e, id) === 'Faulted')) return 'Unavailable';
  return 'Occupied';
}

/** H01: reserves an EVSE (Reserved after the answer) until expiryDateTime, then ReservationStatusUpdate Expired. */
const reserveNow = handler<ReserveNowRequest>((station, request, after) => {
  const { id } = request;
  const model = station.deviceModel;
  if (!model.bool('ReservationCtrlr.Enabled')) return { status: 'Rejected', statusInfo: statusInfo('Disabled') };
  const expiresAtMs = Date.parse(request.expiryDateTime);
  if (!(expiresAtMs > Date.now())) return { status: 'Rejected', statusInfo: statusInfo('InvalidExpiry') };
  const type = request.connectorType;
  if (type !== undefined && type !== CONNECTOR_TYPE && type !== 'Unknown' && type !== 'Undetermined') {
    return { status: 'Rejected', statusInfo: statusInfo('UnknownConnType') };
  }
  let evse: Evse201 | undefined;
  if (request.evseId === undefined || request.evseId === 0) {
    if (!model.bool('ReservationCtrlr.NonEvseSpecific')) return { status: 'Rejected', statusInfo: statusInfo('EVSERequired') };
    const picked = pickEvse(station, id);
    if (typeof picked === 'string') return { status: picked };
    evse = picked;
  } else {
    evse = station.evse(request.evseId);
    if (!evse) return { status: 'Rejected', statusInfo: statusInfo('UnknownEVSE') };
    const refused = refusal(evse, id);
    if (refused) return { status: refused };
  }
  const previous = station.reservations.holder(id);
  if (previous && previous !== evse) station.reservations.release(previous);
  station.reserve(evse, id, request.idToken, request.groupIdToken, expiresAtMs);
  const target = evse;
  after(() => {
    if (previous && previous !== target) station.refreshStatus(previous.id);
    station.refreshStatus(target.id);
  });
  return { status: 'Accepted' };
});

/** H02. */
const cancelReservation = handler<{ reservationId: number }>((station, { reservationId }, after) => {
  const evse = station.reservations.holder(reservationId);
  if (!evse) return { status: 'Rejected', statusInfo: statusInfo('UnknownReservation') };
  station.reservations.release(evse);
  after(() => station.refreshStatus(evse.id));
  return { status: 'Accepted' };
});

/** H Reservation. */
export const RESERVATION_HANDLERS: Record<string, CsmsRequestHandler> = {
  ReserveNow: reserveNow,
  CancelReservation: cancelReservation,
};
