/** The OCPP 2.0.1 message fields the simulated charging station reads or builds (shapes from the 2.0.1 JSON schemas). */

export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected';

export type BootReason =
  | 'ApplicationReset'
  | 'FirmwareUpdate'
  | 'LocalReset'
  | 'PowerUp'
  | 'RemoteReset'
  | 'ScheduledReset'
  | 'Triggered'
  | 'Unknown'
  | 'Watchdog';

export type ConnectorStatus = 'Available' | 'Occupied' | 'Reserved' | 'Unavailable' | 'Faulted';

export type IdTokenType = 'Central' | 'eMAID' | 'ISO14443' | 'ISO15693' | 'KeyCode' | 'Local' | 'MacAddress' | 'NoAuthorization';

export interface IdToken {
  idToken: string;
  type: IdTokenType;
}

export type AuthorizationStatus =
  | 'Accepted'
  | 'Blocked'
  | 'ConcurrentTx'
  | 'Expired'
  | 'Invalid'
  | 'NoCredit'
  | 'NotAllowedTypeEVSE'
  | 'NotAtThisLocation'
  | 'NotAtThisTime'
  | 'Unknown';

export interface IdTokenInfo {
  status: AuthorizationStatus;
  cacheExpiryDateTime?: string;
  groupIdToken?: IdToken;
  evseId?: number[];
  [field: string]: unknown;
}

export type TriggerReason =
  | 'Authorized'
  | 'CablePluggedIn'
  | 'ChargingRateChanged'
  | 'ChargingStateChanged'
  | 'Deauthorized'
  | 'EnergyLimitReached'
  | 'EVCommunicationLost'
  | 'EVConnectTimeout'
  | 'MeterValueClock'
  | 'MeterValuePeriodic'
  | 'TimeLimitReached'
  | 'Trigger'
  | 'UnlockCommand'
  | 'StopAuthorized'
  | 'EVDeparted'
  | 'EVDetected'
  | 'RemoteStop'
  | 'RemoteStart'
  | 'AbnormalCondition'
  | 'SignedDataReceived'
  | 'ResetCommand';

export type ChargingState = 'Charging' | 'EVConnected' | 'SuspendedEV' | 'SuspendedEVSE' | 'Idle';

/** TransactionEvent `stoppedReason` (ReasonEnumType). */
export type StoppedReason =
  | 'DeAuthorized'
  | 'EmergencyStop'
  | 'EnergyLimitReached'
  | 'EVDisconnected'
  | 'GroundFault'
  | 'ImmediateReset'
  | 'Local'
  | 'LocalOutOfCredit'
  | 'MasterPass'
  | 'Other'
  | 'OvercurrentFault'
  | 'PowerLoss'
  | 'PowerQuality'
  | 'Reboot'
  | 'Remote'
  | 'SOCLimitReached'
  | 'StoppedByEV'
  | 'TimeLimitReached'
  | 'Timeout';

export type ReadingContext =
  | 'Interruption.Begin'
  | 'Interruption.End'
  | 'Other'
  | 'Sample.Clock'
  | 'Sample.Periodic'
  | 'Transaction.Begin'
  | 'Transaction.End'
  | 'Trigger';

/** 2.0.1 SampledValueType: a number, the unit inside `unitOfMeasure`. */
export interface SampledValue201 {
  value: number;
  context?: ReadingContext;
  measurand?: string;
  phase?: string;
  location?: string;
  unitOfMeasure?: { unit: string };
}

export interface MeterValue201 {
  timestamp: string;
  sampledValue: SampledValue201[];
}

export interface EvseRef {
  id: number;
  connectorId?: number;
}

export interface ComponentRef {
  name: string;
  instance?: string;
  evse?: EvseRef;
}

export interface VariableRef {
  name: string;
  instance?: string;
}

export type AttributeType = 'Actual' | 'Target' | 'MinSet' | 'MaxSet';

export type MonitorType = 'UpperThreshold' | 'LowerThreshold' | 'Delta' | 'Periodic' | 'PeriodicClockAligned';

export type ChargingProfilePurpose201 = 'ChargingStationExternalConstraints' | 'ChargingStationMaxProfile' | 'TxDefaultProfile' | 'TxProfile';

export interface ChargingSchedule201 {
  id: number;
  startSchedule?: string;
  duration?: number;
  chargingRateUnit: 'A' | 'W';
  /** `setpoint`, `dischargeLimit` and `operationMode` are 2.1 (V2G: a negative setpoint asks the EV to discharge). */
  chargingSchedulePeriod: { startPeriod: number; limit: number; numberPhases?: number; phaseToUse?: number; setpoint?: number; dischargeLimit?: number; operationMode?: string }[];
  minChargingRate?: number;
  [field: string]: unknown;
}

export interface ChargingProfile201 {
  id: number;
  stackLevel: number;
  chargingProfilePurpose: ChargingProfilePurpose201;
  chargingProfileKind: 'Absolute' | 'Recurring' | 'Relative';
  recurrencyKind?: 'Daily' | 'Weekly';
  validFrom?: string;
  validTo?: string;
  transactionId?: string;
  chargingSchedule: ChargingSchedule201[];
}

export type CertificateUse201 = 'V2GRootCertificate' | 'MORootCertificate' | 'CSMSRootCertificate' | 'ManufacturerRootCertificate';

export type FirmwareStatus201 =
  | 'Downloaded'
  | 'DownloadFailed'
  | 'Downloading'
  | 'DownloadScheduled'
  | 'DownloadPaused'
  | 'Idle'
  | 'InstallationFailed'
  | 'Installing'
  | 'Installed'
  | 'InstallRebooting'
  | 'InstallScheduled'
  | 'InstallVerificationFailed'
  | 'InvalidSignature'
  | 'SignatureVerified';

export type UploadLogStatus = 'Idle' | 'Uploading' | 'Uploaded' | 'UploadFailure' | 'AcceptedCanceled';

/** 2.0.1 StatusInfoType: why a request was refused (reasonCode up to 20 characters). */
export function statusInfo(reasonCode: string, additionalInfo?: string): { reasonCode: string; additionalInfo?: string } {
  return additionalInfo === undefined ? { reasonCode } : { reasonCode, additionalInfo: additionalInfo.slice(0, 512) };
}
