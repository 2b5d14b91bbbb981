import { MEASURANDS_201 } from './meter-values.ts';
import type { AttributeType, ConnectorStatus } from './types.ts';

export type DataType = 'string' | 'decimal' | 'integer' | 'dateTime' | 'boolean' | 'OptionList' | 'SequenceList' | 'MemberList';
export type Mutability = 'ReadOnly' | 'WriteOnly' | 'ReadWrite';

/** What live variables read from the station (its state rather than its configuration). */
export interface DeviceModelSource {
  readonly id: string;
  readonly vendor: string;
  readonly model: string;
  readonly serialNumber: string;
  readonly evseCount: number;
  readonly evseMaxPowerW: number;
  readonly securityProfile: number;
  readonly callTimeoutS: number;
  stationAvailability(): ConnectorStatus;
  evseStatus(evseId: number): ConnectorStatus;
  evseFaulted(evseId: number): boolean;
  evsePowerW(evseId: number): number;
  localListSize(): number;
  installedProfiles(): number;
  displayMessageCount(): number;
  certificateCount(): number;
}

type Read = (source: DeviceModelSource, evseId: number) => string;

/**
 * One variable of the device model. `scope` says where its component lives: the station (controllers and
 * ChargingStation), each EVSE (`EVSE`), or each EVSE's connector (`Connector`, connector 1).
 */
export interface VariableDefinition {
  component: string;
  componentInstance?: string;
  scope: 'station' | 'evse' | 'connector';
  variable: string;
  variableInstance?: string;
  dataType: DataType;
  mutability: Mutability;
  /** The default Actual value of a configuration variable. */
  value?: string;
  /** A live variable: its Actual value is read from the station, never stored. */
  read?: Read;
  /** Attributes other than Actual (read-only). */
  extraAttributes?: readonly { type: Exclude<AttributeType, 'Actual'>; read: Read }[];
  unit?: string;
  /** For integer and decimal: the accepted range; for string: the length range. */
  minLimit?: number;
  maxLimit?: number;
  /** For OptionList, MemberList and SequenceList: the accepted items, comma-separated. */
  valuesList?: string;
  /** A change takes effect only after a reboot (SetVariables answers RebootRequired). */
  rebootRequired?: boolean;
}

function v(
  component: string,
  variable: string,
  dataType: DataType,
  mutability: Mutability,
  value: string | Read,
  extra: Partial<VariableDefinition> = {},
): VariableDefinition {
  const def: VariableDefinition = { component, scope: 'station', variable, dataType, mutability, ...extra };
  if (typeof value === 'function') def.read = value;
  else def.value = value;
  return def;
}

const rw = (component: string, variable: string, dataType: DataType, value: string, extra?: Partial<VariableDefinition>): VariableDefinition =>
  v(component, variable, dataType, 'ReadWrite', value, extra);
const ro = (component: string, variable: string, dataType: DataType, value: string | Read, extra?: Partial<VariableDefinition>): VariableDefinition =>
  v(component, variable, dataType, 'ReadOnly', value, extra);

const MEASURAND_LIST = { valuesList: MEASURANDS_201.join(',') };
const STATUSES = { valuesList: 'Available,Occupied,Reserved,Unavailable,Faulted' };
const TX_POINTS = { valuesList: 'ParkingBayOccupancy,EVConnected,Authorized,PowerPathClosed,EnergyTransfer' };
const SECONDS = { unit: 's', minLimit: 0 };
const available = (component: string): VariableDefinition => ro(component, 'Available', 'boolean', 'true');
const enabled = (component: string, value = 'true'): VariableDefinition => rw(component, 'Enabled', 'boolean', value);

function stationPowerW(source: DeviceModelSource): number {
  let watts = 0;
  for (let evseId = 1; evseId <= source.evseCount; evseId++) watts += source.evsePowerW(evseId);
  return watts;
}

/**
 * The simulator's device model (OCPP 2.0.1 part 2 appendices, "dm_components_vars"): the controller components a
 * CSMS configures, the ChargingStation, and per EVSE the EVSE and its Connector. Names are the standardised ones.
 */
export const STANDARD_VARIABLES: readonly VariableDefinition[] = [
  // The station as a whole
  ro('ChargingStation', 'AvailabilityState', 'OptionList', (s) => s.stationAvailability(), STATUSES),
  available('ChargingStation'),
  ro('ChargingStation', 'Model', 'string', (s) => s.model),
  ro('ChargingStation', 'VendorName', 'string', (s) => s.vendor),
  ro('ChargingStation', 'SerialNumber', 'string', (s) => s.serialNumber),
  ro('ChargingStation', 'SupplyPhases', 'integer', '3'),
  ro('ChargingStation', 'Power', 'decimal', (s) => stationPowerW(s).toFixed(1), {
    unit: 'W',
    extraAttributes: [{ type: 'MaxSet', read: (s) => String(s.evseMaxPowerW * s.evseCount) }],
  }),
  ro('ChargingStation', 'Problem', 'boolean', (s) => String(Array.from({ length: s.evseCount }, (_, i) => s.evseFaulted(i + 1)).some(Boolean))),
  // AlignedDataCtrlr: clock-aligned MeterValues
  enabled('AlignedDataCtrlr'),
  available('AlignedDataCtrlr'),
  rw('AlignedDataCtrlr', 'Measurands', 'MemberList', 'Energy.Active.Import.Register', MEASURAND_LIST),
  rw('AlignedDataCtrlr', 'Interval', 'integer', '0', SECONDS),
  rw('AlignedDataCtrlr', 'SendDuringIdle', 'boolean', 'false'),
  rw('AlignedDataCtrlr', 'TxEndedMeasurands', 'MemberList', '', MEASURAND_LIST),
  rw('AlignedDataCtrlr', 'TxEndedInterval', 'integer', '0', SECONDS),
  // AuthCacheCtrlr, AuthCtrlr
  enabled('AuthCacheCtrlr'),
  available('AuthCacheCtrlr'),
  rw('AuthCacheCtrlr', 'LifeTime', 'integer', '86400', SECONDS),
  enabled('AuthCtrlr'),
  rw('AuthCtrlr', 'AuthorizeRemoteStart', 'boolean', 'false'),
  rw('AuthCtrlr', 'LocalAuthorizeOffline', 'boolean', 'true'),
  rw('AuthCtrlr', 'LocalPreAuthorize', 'boolean', 'false'),
  rw('AuthCtrlr', 'OfflineTxForUnknownIdEnabled', 'boolean', 'false'),
  // ClockCtrlr
  ro('ClockCtrlr', 'DateTime', 'dateTime', () => new Date().toISOString()),
  rw('ClockCtrlr', 'TimeSource', 'SequenceList', 'Heartbeat', { valuesList: 'Heartbeat,NTP,GPS,RealTimeClock,MobileNetwork,RadioTimeTransmitter' }),
  // DeviceDataCtrlr: message size limits
  ro('DeviceDataCtrlr', 'ItemsPerMessage', 'integer', '20', { variableInstance: 'GetReport' }),
  ro('DeviceDataCtrlr', 'ItemsPerMessage', 'integer', '50', { variableInstance: 'GetVariables' }),
  ro('DeviceDataCtrlr', 'ItemsPerMessage', 'integer', '50', { variableInstance: 'SetVariables' }),
  ro('DeviceDataCtrlr', 'BytesPerMessage', 'integer', '65000', { variableInstance: 'GetReport' }),
  ro('DeviceDataCtrlr', 'BytesPerMessage', 'integer', '65000', { variableInstance: 'GetVariables' }),
  ro('DeviceDataCtrlr', 'BytesPerMessage', 'integer', '65000', { variableInstance: 'SetVariables' }),
  ro('DeviceDataCtrlr', 'ConfigurationValueSize', 'integer', '1000'),
  ro('DeviceDataCtrlr', 'ReportingValueSize', 'integer', '2500'),
  ro('DeviceDataCtrlr', 'ValueSize', 'integer', '2500'),
  // DisplayMessageCtrlr
  enabled('DisplayMessageCtrlr'),
  available('DisplayMessageCtrlr'),
  ro('DisplayMessageCtrlr', 'DisplayMessages', 'integer', (s) => String(s.displayMessageCount()), { maxLimit: 10 }),
  ro('DisplayMessageCtrlr', 'SupportedFormats', 'MemberList', 'ASCII,UTF8', { valuesList: 'ASCII,HTML,URI,UTF8' }),
  ro('DisplayMessageCtrlr', 'SupportedPriorities', 'MemberList', 'AlwaysFront,InFront,NormalCycle', { valuesList: 'AlwaysFront,InFront,NormalCycle' }),
  // LocalAuthListCtrlr
  enabled('LocalAuthListCtrlr'),
  available('LocalAuthListCtrlr'),
  ro('LocalAuthListCtrlr', 'Entries', 'integer', (s) => String(s.localListSize()), { maxLimit: 1000 }),
  ro('LocalAuthListCtrlr', 'ItemsPerMessage', 'integer', '100'),
  ro('LocalAuthListCtrlr', 'BytesPerMessage', 'integer', '65000'),
  // MonitoringCtrlr
  enabled('MonitoringCtrlr'),
  available('MonitoringCtrlr'),
  ro('MonitoringCtrlr', 'ItemsPerMessage', 'integer', '20', { variableInstance: 'SetVariableMonitoring' }),
  ro('MonitoringCtrlr', 'ItemsPerMessage', 'integer', '20', { variableInstance: 'ClearVariableMonitoring' }),
  ro('MonitoringCtrlr', 'BytesPerMessage', 'integer', '65000', { variableInstance: 'SetVariableMonitoring' }),
  ro('MonitoringCtrlr', 'BytesPerMessage', 'integer', '65000', { variableInstance: 'ClearVariableMonitoring' }),
  ro('MonitoringCtrlr', 'ActiveMonitoringBase', 'OptionList', 'All', { valuesList: 'All,FactoryDefault,HardWiredOnly' }),
  ro('MonitoringCtrlr', 'ActiveMonitoringLevel', 'integer', '9', { minLimit: 0, maxLimit: 9 }),
  // OCPPCommCtrlr
  rw('OCPPCommCtrlr', 'HeartbeatInterval', 'integer', '300', SECONDS),
  ro('OCPPCommCtrlr', 'MessageTimeout', 'integer', (s) => String(s.callTimeoutS), { variableInstance: 'Default', unit: 's' }),
  rw('OCPPCommCtrlr', 'MessageAttempts', 'integer', '3', { variableInstance: 'TransactionEvent', minLimit: 1 }),
  rw('OCPPCommCtrlr', 'MessageAttemptInterval', 'integer', '60', { variableInstance: 'TransactionEvent', ...SECONDS }),
  rw('OCPPCommCtrlr', 'NetworkConfigurationPriority', 'SequenceList', '1', { valuesList: '1,2,3', rebootRequired: true }),
  rw('OCPPCommCtrlr', 'NetworkProfileConnectionAttempts', 'integer', '3', { minLimit: 1 }),
  rw('OCPPCommCtrlr', 'OfflineThreshold', 'integer', '60', SECONDS),
  rw('OCPPCommCtrlr', 'ResetRetries', 'integer', '2'),
  rw('OCPPCommCtrlr', 'UnlockOnEVSideDisconnect', 'boolean', 'true'),
  ro('OCPPCommCtrlr', 'WebSocketPingInterval', 'integer', '0', { unit: 's' }),
  ro('OCPPCommCtrlr', 'QueueAllMessages', 'boolean', 'false'),
  ro('OCPPCommCtrlr', 'FileTransferProtocols', 'MemberList', 'HTTP,HTTPS,FTP,FTPS', { valuesList: 'FTP,FTPS,HTTP,HTTPS,SFTP' }),
  ro('OCPPCommCtrlr', 'ActiveNetworkProfile', 'integer', '1'),
  // ReservationCtrlr
  enabled('ReservationCtrlr'),
  available('ReservationCtrlr'),
  rw('ReservationCtrlr', 'NonEvseSpecific', 'boolean', 'true'),
  // SampledDataCtrlr: transaction meter values
  enabled('SampledDataCtrlr'),
  available('SampledDataCtrlr'),
  rw('SampledDataCtrlr', 'TxStartedMeasurands', 'MemberList', 'Energy.Active.Import.Register', MEASURAND_LIST),
  rw('SampledDataCtrlr', 'TxUpdatedMeasurands', 'MemberList', 'Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC', MEASURAND_LIST),
  rw('SampledDataCtrlr', 'TxUpdatedInterval', 'integer', '60', SECONDS),
  rw('SampledDataCtrlr', 'TxEndedMeasurands', 'MemberList', 'Energy.Active.Import.Register', MEASURAND_LIST),
  rw('SampledDataCtrlr', 'TxEndedInterval', 'integer', '0', SECONDS),
  ro('SampledDataCtrlr', 'RegisterValuesWithoutPhases', 'boolean', 'true'),
  // SecurityCtrlr
  v('SecurityCtrlr', 'BasicAuthPassword', 'string', 'WriteOnly', '', { minLimit: 16, maxLimit: 40 }),
  ro('SecurityCtrlr', 'SecurityProfile', 'integer', (s) => String(s.securityProfile)),
  ro('SecurityCtrlr', 'Identity', 'string', (s) => s.id),
  rw('SecurityCtrlr', 'OrganizationName', 'string', 'Joule', { maxLimit: 64 }),
  ro('SecurityCtrlr', 'CertificateEntries', 'integer', (s) => String(s.certificateCount()), { maxLimit: 10 }),
  ro('SecurityCtrlr', 'MaxCertificateChainSize', 'integer', '10000'),
  ro('SecurityCtrlr', 'AdditionalRootCertificateCheck', 'boolean', 'false'),
  rw('SecurityCtrlr', 'CertSigningWaitMinimum', 'integer', '60', SECONDS),
  rw('SecurityCtrlr', 'CertSigningRepeatTimes', 'integer', '3'),
  // SmartChargingCtrlr
  enabled('SmartChargingCtrlr'),
  available('SmartChargingCtrlr'),
  ro('SmartChargingCtrlr', 'Entries', 'integer', (s) => String(s.installedProfiles()), { variableInstance: 'ChargingProfiles', maxLimit: 20 }),
  ro('SmartChargingCtrlr', 'PeriodsPerSchedule', 'integer', '24'),
  ro('SmartChargingCtrlr', 'ProfileStackLevel', 'integer', '10'),
  rw('SmartChargingCtrlr', 'RateUnit', 'MemberList', 'A,W', { valuesList: 'A,W' }),
  rw('SmartChargingCtrlr', 'LimitChangeSignificance', 'decimal', '10', { unit: 'Percent', minLimit: 0, maxLimit: 100 }),
  ro('SmartChargingCtrlr', 'ACPhaseSwitchingSupported', 'boolean', 'false'),
  ro('SmartChargingCtrlr', 'Phases3to1', 'boolean', 'false'),
  // TariffCostCtrlr: CostUpdated
  rw('TariffCostCtrlr', 'Enabled', 'boolean', 'true', { variableInstance: 'Cost' }),
  rw('TariffCostCtrlr', 'Currency', 'string', 'EUR', { maxLimit: 3 }),
  // TxCtrlr
  rw('TxCtrlr', 'EVConnectionTimeOut', 'integer', '60', SECONDS),
  ro('TxCtrlr', 'StopTxOnEVSideDisconnect', 'boolean', 'true'),
  rw('TxCtrlr', 'StopTxOnInvalidId', 'boolean', 'true'),
  rw('TxCtrlr', 'TxStartPoint', 'MemberList', 'EVConnected,Authorized', TX_POINTS),
  rw('TxCtrlr', 'TxStopPoint', 'MemberList', 'EVConnected,Authorized', TX_POINTS),
  // Per EVSE
  ro('EVSE', 'AvailabilityState', 'OptionList', (s, evseId) => s.evseStatus(evseId), { ...STATUSES, scope: 'evse' }),
  ro('EVSE', 'Available', 'boolean', 'true', { scope: 'evse' }),
  ro('EVSE', 'Power', 'decimal', (s, evseId) => s.evsePowerW(evseId).toFixed(1), {
    scope: 'evse',
    unit: 'W',
    extraAttributes: [{ type: 'MaxSet', read: (s) => String(s.evseMaxPowerW) }],
  }),
  ro('EVSE', 'SupplyPhases', 'integer', '3', { scope: 'evse' }),
  ro('EVSE', 'AllowReset', 'boolean', 'true', { scope: 'evse' }),
  // Per connector (one per EVSE)
  ro('Connector', 'AvailabilityState', 'OptionList', (s, evseId) => s.evseStatus(evseId), { ...STATUSES, scope: 'connector' }),
  ro('Connector', 'Available', 'boolean', 'true', { scope: 'connector' }),
  ro('Connector', 'ConnectorType', 'string', 'cType2', { scope: 'connector' }),
  ro('Connector', 'SupplyPhases', 'integer', '3', { scope: 'connector' }),
  ro('Connector', 'Problem', 'boolean', (s, evseId) => String(s.evseFaulted(evseId)), { scope: 'connector' }),
];
