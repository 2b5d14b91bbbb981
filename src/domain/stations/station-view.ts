import type { ConnectorStatusRecord, StationRecord, ValidationMode } from '../../store/ports.ts';
import type { PasswordRotationView } from './password-rotation.ts';

export interface ConnectorView {
  connectorId: number;
  status: string;
  errorCode: string | null;
  info: string | null;
  vendorErrorCode: string | null;
  timestamp: string;
}

export interface EvseView {
  evseId: number;
  connectors: ConnectorView[];
}

/** A station as the API shows it: the stored record, whether it is online now, and its EVSEs and connectors. */
export interface StationView {
  id: string;
  online: boolean;
  protocol: string | null;
  vendor: string | null;
  model: string | null;
  serialNumber: string | null;
  firmwareVersion: string | null;
  registrationStatus: string | null;
  registered: boolean;
  bootPolicy: string | null;
  securityProfile: number | null;
  defaultProtocol: string | null;
  description: string | null;
  /** The station's own validation mode; null = a matching vendor rule or the server default. */
  validationMode: ValidationMode | null;
  iccid: string | null;
  imsi: string | null;
  meterType: string | null;
  meterSerialNumber: string | null;
  lastBootAt: string | null;
  lastSeen: string | null;
  /** Status reported for the station as a whole (connector 0), if any. */
  status: string | null;
  errorCode: string | null;
  /** The latest password rotation (never the password); null when there was none. */
  passwordRotation: PasswordRotationView | null;
  evses: EvseView[];
  createdAt: string;
  updatedAt: string;
}

export function toStationView(
  station: StationRecord,
  online: boolean,
  connectors: ConnectorStatusRecord[],
  passwordRotation: PasswordRotationView | null = null,
): StationView {
  const evses = new Map<number, EvseView>();
  let stationLevel: ConnectorStatusRecord | undefined;
  for (const c of connectors) {
    if (c.evseId === 0) {
      stationLevel = c;
      continue;
    }
    let evse = evses.get(c.evseId);
    if (!evse) {
      evse = { evseId: c.evseId, connectors: [] };
      evses.set(c.evseId, evse);
    }
    evse.connectors.push({
      connectorId: c.connectorId,
      status: c.status,
      errorCode: c.errorCode,
      info: c.info,
      vendorErrorCode: c.vendorErrorCode,
      timestamp: c.timestamp,
    });
  }
  const sorted = [...evses.values()].sort((a, b) => a.evseId - b.evseId);
  for (const evse of sorted) evse.connectors.sort((a, b) => a.connectorId - b.connectorId);
  return {
    id: station.id,
    online,
    protocol: station.protocol,
    vendor: station.vendor,
    model: station.model,
    serialNumber: station.serialNumber ?? station.chargeBoxSerialNumber,
    firmwareVersion: station.firmwareVersion,
    registrationStatus: station.registrationStatus,
    registered: station.registered,
    bootPolicy: station.bootPolicy,
    securityProfile: station.securityProfile,
    defaultProtocol: station.defaultProtocol,
    description: station.description,
    validationMode: station.validationMode,
    iccid: station.iccid,
    imsi: station.imsi,
    meterType: station.meterType,
    meterSerialNumber: station.meterSerialNumber,
    lastBootAt: station.lastBootAt,
    lastSeen: station.lastSeen,
    status: stationLevel?.status ?? null,
    errorCode: stationLevel?.errorCode ?? null,
    passwordRotation,
    evses: sorted,
    createdAt: station.createdAt,
    updatedAt: station.updatedAt,
  };
}
