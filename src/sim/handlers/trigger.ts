import type { SimStation } from '../sim-station.ts';
import { handler, type CsHandler } from './types.ts';

/** Sends one requested message; `connectorId` narrows MeterValues and StatusNotification to one connector. */
type TriggeredSender = (station: SimStation, connectorId: number | undefined) => Promise<void>;

function connectorIds(station: SimStation, connectorId: number | undefined, includeStation: boolean): number[] {
  if (connectorId !== undefined) return [connectorId];
  const ids = station.connectors.map((c) => c.id);
  return includeStation ? [0, ...ids] : ids;
}

const sendBoot: TriggeredSender = (station) => station.boot();
const sendHeartbeat: TriggeredSender = (station) => station.notify('Heartbeat', {});

const sendMeterValues: TriggeredSender = async (station, connectorId) => {
  for (const id of connectorIds(station, connectorId, false)) await station.sendMeterValues(id, 'Trigger');
};

const sendStatusNotifications: TriggeredSender = async (station, connectorId) => {
  for (const id of connectorIds(station, connectorId, true)) await station.sendStatus(id);
};

/** A real CSR with a new key pair: CN = the station's identity, O = its CpoName. */
function signingRequest(station: SimStation): Promise<string> {
  return station.certificates.signingRequest(station.id, station.config.get('CpoName') ?? '');
}

const TRIGGERS: ReadonlyMap<string, TriggeredSender> = new Map<string, TriggeredSender>([
  ['BootNotification', sendBoot],
  ['DiagnosticsStatusNotification', (station) => station.notify('DiagnosticsStatusNotification', { status: station.transfers.diagnostics })],
  ['FirmwareStatusNotification', (station) => station.notify('FirmwareStatusNotification', { status: station.transfers.firmware })],
  ['Heartbeat', sendHeartbeat],
  ['MeterValues', sendMeterValues],
  ['StatusNotification', sendStatusNotifications],
]);

function withRequestId(status: string, requestId: number | undefined): Record<string, unknown> {
  return requestId === undefined ? { status } : { status, requestId };
}

const EXTENDED_TRIGGERS: ReadonlyMap<string, TriggeredSender> = new Map<string, TriggeredSender>([
  ['BootNotification', sendBoot],
  ['Heartbeat', sendHeartbeat],
  ['MeterValues', sendMeterValues],
  ['StatusNotification', sendStatusNotifications],
  ['LogStatusNotification', (station) => {
    const { status, requestId } = station.transfers.log;
    return station.notify('LogStatusNotification', withRequestId(status, requestId));
  }],
  ['FirmwareStatusNotification', (station) => {
    const { status, requestId } = station.transfers.signedFirmware;
    return station.notify('SignedFirmwareStatusNotification', withRequestId(status, requestId));
  }],
  ['SignChargePointCertificate', async (station) => station.notify('SignCertificate', { csr: await signingRequest(station) })],
]);

/** Accepted, then the message goes out after the CALLRESULT; a connector the station lacks is Rejected. */
function triggerHandler(senders: ReadonlyMap<string, TriggeredSender>): CsHandler {
  return handler<{ requestedMessage: string; connectorId?: number }>((station, { requestedMessage, connectorId }, after) => {
    if (connectorId !== undefined && connectorId !== 0 && !station.connector(connectorId)) return { status: 'Rejected' };
    const send = senders.get(requestedMessage);
    if (!send) return { status: 'NotImplemented' };
    after(() => void send(station, connectorId === 0 && requestedMessage !== 'StatusNotification' ? undefined : connectorId));
    return { status: 'Accepted' };
  });
}

/** RemoteTrigger profile, and the security extension's ExtendedTriggerMessage. */
export const TRIGGER_HANDLERS: Record<string, CsHandler> = {
  TriggerMessage: triggerHandler(TRIGGERS),
  ExtendedTriggerMessage: triggerHandler(EXTENDED_TRIGGERS),
};
