/** Typed payloads of the OCPP 2.0.1 messages that stations send (2.1 adds optional fields); shapes per the OCA schemas. */

export interface IdToken201 {
  idToken: string;
  type: string;
  additionalInfo?: { additionalIdToken: string; type: string }[];
}

export interface IdTokenInfo201 {
  status: string;
  cacheExpiryDateTime?: string;
  groupIdToken?: IdToken201;
}

export interface Evse201 {
  id: number;
  connectorId?: number;
}

export interface BootNotificationReq201 {
  reason: string;
  chargingStation: {
    model: string;
    vendorName: string;
    serialNumber?: string;
    firmwareVersion?: string;
    modem?: { iccid?: string; imsi?: string };
  };
}

export interface StatusNotificationReq201 {
  timestamp: string;
  connectorStatus: string;
  evseId: number;
  connectorId: number;
}

export interface AuthorizeReq201 {
  idToken: IdToken201;
  certificate?: string;
  iso15118CertificateHashData?: unknown[];
}

export interface SampledValue201 {
  value: number;
  context?: string;
  measurand?: string;
  phase?: string;
  location?: string;
  signedMeterValue?: { signedMeterData: string; signingMethod: string; encodingMethod: string; publicKey: string };
  unitOfMeasure?: { unit?: string; multiplier?: number };
}

export interface MeterValue201 {
  timestamp: string;
  sampledValue: SampledValue201[];
}

export interface TransactionEventReq201 {
  eventType: 'Started' | 'Updated' | 'Ended';
  timestamp: string;
  triggerReason: string;
  seqNo: number;
  offline?: boolean;
  numberOfPhasesUsed?: number;
  cableMaxCurrent?: number;
  reservationId?: number;
  transactionInfo: {
    transactionId: string;
    chargingState?: string;
    timeSpentCharging?: number;
    stoppedReason?: string;
    remoteStartId?: number;
  };
  evse?: Evse201;
  idToken?: IdToken201;
  meterValue?: MeterValue201[];
}

export interface MeterValuesReq201 {
  evseId: number;
  meterValue: MeterValue201[];
}

export interface ComponentRef201 {
  name: string;
  instance?: string;
  evse?: Evse201;
}

export interface VariableRef201 {
  name: string;
  instance?: string;
}

export interface NotifyReportReq201 {
  requestId: number;
  generatedAt: string;
  tbc?: boolean;
  seqNo: number;
  reportData?: {
    component: ComponentRef201;
    variable: VariableRef201;
    variableAttribute: { type?: string; value?: string; mutability?: string; persistent?: boolean; constant?: boolean }[];
    variableCharacteristics?: { unit?: string; dataType: string; minLimit?: number; maxLimit?: number; valuesList?: string; supportsMonitoring: boolean };
  }[];
}

export interface EventData201 {
  eventId: number;
  timestamp: string;
  trigger: string;
  cause?: number;
  actualValue: string;
  techCode?: string;
  techInfo?: string;
  cleared?: boolean;
  transactionId?: string;
  variableMonitoringId?: number;
  eventNotificationType: string;
  component: ComponentRef201;
  variable: VariableRef201;
}

export interface NotifyEventReq201 {
  generatedAt: string;
  tbc?: boolean;
  seqNo: number;
  eventData: EventData201[];
}

export interface GetVariablesConf201 {
  getVariableResult: {
    attributeStatus: string;
    attributeType?: string;
    attributeValue?: string;
    component: ComponentRef201;
    variable: VariableRef201;
  }[];
}

export interface SetVariablesReq201 {
  setVariableData: { attributeType?: string; attributeValue: string; component: ComponentRef201; variable: VariableRef201 }[];
}

export interface SetVariablesConf201 {
  setVariableResult: { attributeType?: string; attributeStatus: string; component: ComponentRef201; variable: VariableRef201 }[];
}

export interface GetTransactionStatusConf201 {
  ongoingIndicator?: boolean;
  messagesInQueue: boolean;
}
