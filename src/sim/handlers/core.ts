import type { ChargingProfile } from '../charging-profiles.ts';
import { applyAvailability } from '../outlet.ts';
import { handler, type CsHandler } from './types.ts';

const changeAvailability = handler<{ connectorId: number; type: 'Inoperative' | 'Operative' }>((station, request, after) => {
  const { connectorId } = request;
  const operative = request.type === 'Operative';
  const single = station.connector(connectorId);
  if (connectorId !== 0 && !single) return { status: 'Rejected' };
  let scheduled = false;
  for (const connector of single ? [single] : station.connectors) {
    if (applyAvailability(connector, operative, connector.session !== undefined)) scheduled = true;
  }
  if (connectorId === 0) station.operative = operative;
  after(() => station.refreshAllStatuses());
  return { status: scheduled ? 'Scheduled' : 'Accepted' };
});

const changeConfiguration = handler<{ key: string; value: string }>((station, { key, value }) => ({
  status: station.config.change(key, value),
}));

const clearCache = handler<Record<string, never>>((station) => {
  station.clearAuthorizationCache();
  return { status: 'Accepted' };
});

const dataTransfer = handler<{ vendorId: string; messageId?: string; data?: string }>((station, { vendorId, data }) => {
  if (vendorId !== station.dataTransferVendorId) return { status: 'UnknownVendorId' };
  return data === undefined ? { status: 'Accepted' } : { status: 'Accepted', data };
});

const getConfiguration = handler<{ key?: string[] }>((station, { key }) => {
  const { configurationKey, unknownKey } = station.config.list(key);
  return unknownKey.length > 0 ? { configurationKey, unknownKey } : { configurationKey };
});

const remoteStartTransaction = handler<{ connectorId?: number; idTag: string; chargingProfile?: ChargingProfile }>(
  (station, { connectorId, idTag, chargingProfile }, after) => {
    if (station.registration !== 'Accepted') return { status: 'Rejected' };
    if (chargingProfile && chargingProfile.chargingProfilePurpose !== 'TxProfile') return { status: 'Rejected' };
    const usable = (id: number): boolean => {
      const connector = station.connector(id);
      if (!connector) return false;
      const status = station.statusOf(id);
      return status === 'Available' || (status === 'Reserved' && station.mayUseReservation(connector, idTag));
    };
    const target = connectorId === undefined ? station.connectors.find((c) => usable(c.id))?.id : connectorId;
    if (target === undefined || !usable(target)) return { status: 'Rejected' };
    const options = chargingProfile ? { remote: true, chargingProfile } : { remote: true };
    after(() => void station.startSession(target, idTag, options));
    return { status: 'Accepted' };
  },
);

const remoteStopTransaction = handler<{ transactionId: number }>((station, { transactionId }, after) => {
  const connector = station.connectors.find((c) => c.session?.transactionId === transactionId && c.session.phase === 'charging');
  if (!connector) return { status: 'Rejected' };
  after(() => void station.stopSession(connector.id, 'Remote'));
  return { status: 'Accepted' };
});

const reset = handler<{ type: 'Hard' | 'Soft' }>((station, { type }, after) => {
  after(() => void station.reset(type));
  return { status: 'Accepted' };
});

const unlockConnector = handler<{ connectorId: number }>((station, { connectorId }, after) => {
  const connector = station.connector(connectorId);
  if (!connector) return { status: 'NotSupported' };
  if (connector.session) after(() => void station.stopSession(connectorId, 'UnlockCommand'));
  return { status: 'Unlocked' };
});

/** Core profile: the CS-to-CP operations. */
export const CORE_HANDLERS: Record<string, CsHandler> = {
  ChangeAvailability: changeAvailability,
  ChangeConfiguration: changeConfiguration,
  ClearCache: clearCache,
  DataTransfer: dataTransfer,
  GetConfiguration: getConfiguration,
  RemoteStartTransaction: remoteStartTransaction,
  RemoteStopTransaction: remoteStopTransaction,
  Reset: reset,
  UnlockConnector: unlockConnector,
};
