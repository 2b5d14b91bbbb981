import type { Payload } from '../../../ocpp/rpc/frames.ts';
import type { SimStation201 } from '../sim-station-201.ts';
import { statusInfo } from '../types.ts';
import { handler, type CsmsRequestHandler } from './types.ts';

/** Sends SignCertificate with a real CSR and a new key pair: CN = the serial number, O = SecurityCtrlr.OrganizationName. */
function sendSigningRequest(station: SimStation201, certificateType: 'ChargingStationCertificate' | 'V2GCertificate'): void {
  const organization = station.deviceModel.get('SecurityCtrlr.OrganizationName') ?? '';
  void station.certificates.signingRequest(station.serialNumber, String(organization))
    .then((csr) => station.notify('SignCertificate', { csr, certificateType }))
    .catch(() => undefined);
}

function withRequestId(status: string, requestId: number | undefined): Payload {
  return requestId === undefined ? { status } : { status, requestId };
}

/**
 * F06: Accepted, then the requested message goes out after the CALLRESULT (also while Pending: triggered messages
 * are the ones a Pending station may send). For an unknown EVSE, a BootNotification while Accepted (F06.FR.17) or a
 * TransactionEvent with no transaction running: Rejected.
 */
const triggerMessage = handler<{ requestedMessage: string; evse?: { id: number; connectorId?: number } }>((station, { requestedMessage, evse }, after) => {
  if (evse !== undefined && evse.id !== 0 && !station.evse(evse.id)) return { status: 'Rejected', statusInfo: statusInfo('UnknownEVSE') };
  if (evse?.connectorId !== undefined && evse.connectorId !== 1) return { status: 'Rejected', statusInfo: statusInfo('UnknownConnector') };
  const evseIds = evse === undefined || evse.id === 0 ? station.evses.map((e) => e.id) : [evse.id];
  switch (requestedMessage) {
    case 'BootNotification':
      if (station.registration === 'Accepted') return { status: 'Rejected', statusInfo: statusInfo('AlreadyAccepted') };
      after(() => void station.boot('Triggered'));
      break;
    case 'Heartbeat':
      after(() => void station.notify('Heartbeat', {}));
      break;
    case 'StatusNotification':
      after(() => void Promise.all(evseIds.map((id) => station.sendStatus(id))));
      break;
    case 'MeterValues':
      after(() => void Promise.all(evseIds.map((id) => station.sendMeterValues(id, 'Trigger'))));
      break;
    case 'TransactionEvent': {
      const running = evseIds.filter((id) => station.evse(id)?.transaction?.started);
      if (running.length === 0) return { status: 'Rejected', statusInfo: statusInfo('NoTransaction') };
      after(() => running.forEach((id) => station.triggerTransactionEvent(id)));
      break;
    }
    case 'FirmwareStatusNotification': {
      const { status, requestId } = station.transfers.firmware;
      after(() => void station.notify('FirmwareStatusNotification', withRequestId(status, requestId)));
      break;
    }
    case 'LogStatusNotification': {
      const { status, requestId } = station.transfers.log;
      after(() => void station.notify('LogStatusNotification', withRequestId(status, requestId)));
      break;
    }
    case 'SignChargingStationCertificate':
      after(() => sendSigningRequest(station, 'ChargingStationCertificate'));
      break;
    case 'SignV2GCertificate':
      after(() => sendSigningRequest(station, 'V2GCertificate'));
      break;
    default:
      return { status: 'NotImplemented' }; // SignCombinedCertificate, PublishFirmwareStatusNotification (local controllers)
  }
  return { status: 'Accepted' };
});

/** F RemoteControl: TriggerMessage. */
export const TRIGGER_HANDLERS: Record<string, CsmsRequestHandler> = {
  TriggerMessage: triggerMessage,
};
