/** Typed payloads of the OCPP 1.6 (and security extension) messages that stations send; shapes per the OCA schemas. */

export interface IdTagInfo16 {
  status: string;
  expiryDate?: string;
  parentIdTag?: string;
}

export interface BootNotificationReq16 {
  chargePointVendor: string;
  chargePointModel: string;
  chargePointSerialNumber?: string;
  chargeBoxSerialNumber?: string;
  firmwareVersion?: string;
  iccid?: string;
  imsi?: string;
  meterType?: string;
  meterSerialNumber?: string;
}

export interface StatusNotificationReq16 {
  connectorId: number;
  errorCode: string;
  status: string;
  info?: string;
  timestamp?: string;
  vendorId?: string;
  vendorErrorCode?: string;
}

export interface AuthorizeReq16 {
  idTag: string;
}

export interface StartTransactionReq16 {
  connectorId: number;
  idTag: string;
  meterStart: number;
  timestamp: string;
  reservationId?: number;
}

export interface SampledValue16 {
  value: string;
  context?: string;
  format?: string;
  measurand?: string;
  phase?: string;
  location?: string;
  unit?: string;
}

export interface MeterValue16 {
  timestamp: string;
  sampledValue: SampledValue16[];
}

export interface StopTransactionReq16 {
  transactionId: number;
  meterStop: number;
  timestamp: string;
  idTag?: string;
  reason?: string;
  transactionData?: MeterValue16[];
}

export interface MeterValuesReq16 {
  connectorId: number;
  transactionId?: number;
  meterValue: MeterValue16[];
}

export interface DataTransferReq16 {
  vendorId: string;
  messageId?: string;
  data?: string;
}

export interface StatusOnly16 {
  status: string;
}

export interface SecurityEventNotificationReq16 {
  type: string;
  timestamp: string;
  techInfo?: string;
}

export interface SignCertificateReq16 {
  csr: string;
}

export interface LogStatusNotificationReq16 {
  status: string;
  requestId?: number;
}

export interface SignedFirmwareStatusNotificationReq16 {
  status: string;
  requestId?: number;
}

export interface GetConfigurationConf16 {
  configurationKey?: { key: string; readonly: boolean; value?: string }[];
  unknownKey?: string[];
}
