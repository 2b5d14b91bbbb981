import { handler, type CsHandler } from './types.ts';

interface ReserveNowRequest {
  connectorId: number;
  expiryDate: string;
  idTag: string;
  parentIdTag?: string;
  reservationId: number;
}

const reserveNow = handler<ReserveNowRequest>((station, request, after) => {
  const { connectorId, reservationId } = request;
  if (connectorId === 0 && !station.config.bool('ReserveConnectorZeroSupported')) return { status: 'Rejected' };
  const connector = station.connector(connectorId);
  const expiresAtMs = Date.parse(request.expiryDate);
  if (!connector || !(expiresAtMs > Date.now())) return { status: 'Rejected' };
  if (connector.fault) return { status: 'Faulted' };
  if (!connector.operative || !station.operative) return { status: 'Unavailable' };
  if (connector.session || (connector.reservation && connector.reservation.id !== reservationId)) return { status: 'Occupied' };
  const previous = station.reservations.holder(reservationId);
  if (previous && previous !== connector) station.reservations.release(previous);
  station.reserve(connector, reservationId, request.idTag, request.parentIdTag, expiresAtMs);
  after(() => {
    if (previous) station.refreshStatus(previous.id);
    station.refreshStatus(connectorId);
  });
  return { status: 'Accepted' };
});

const cancelReservation = handler<{ reservationId: number }>((station, { reservationId }, after) => {
  const connector = station.reservations.holder(reservationId);
  if (!connector) return { status: 'Rejected' };
  station.reservations.release(connector);
  after(() => station.refreshStatus(connector.id));
  return { status: 'Accepted' };
});

/** Reservation profile (ReserveConnectorZeroSupported is false: connector 0 is Rejected). */
export const RESERVATION_HANDLERS: Record<string, CsHandler> = {
  ReserveNow: reserveNow,
  CancelReservation: cancelReservation,
};
