import { isSupportedMeasurand } from './meter-sampler.ts';

/** How a key's value is checked: integer, boolean, free string, or comma-separated list. */
export type ConfigType = 'int' | 'bool' | 'string' | 'csl';
/** R = read-only, RW = read-write, W = write-only (never reported, e.g. AuthorizationKey). */
export type ConfigAccess = 'R' | 'RW' | 'W';

export interface ConfigKeyDefinition {
  key: string;
  type: ConfigType;
  access: ConfigAccess;
  /** The default value. */
  value: string;
  /** Smallest accepted integer (default 0). */
  min?: number;
  /** For `csl` keys: the accepted items. */
  accepts?: (item: string) => boolean;
  /** An extra rule, given the new and the current value. */
  validate?: (value: string, current: string) => boolean;
}

export type ChangeConfigurationStatus = 'Accepted' | 'Rejected' | 'RebootRequired' | 'NotSupported';

/** One entry of GetConfiguration.conf. */
export interface ConfigurationKey {
  key: string;
  readonly: boolean;
  value: string;
}

const PROFILES = ['Core', 'FirmwareManagement', 'LocalAuthListManagement', 'Reservation', 'SmartCharging', 'RemoteTrigger'];
const PHASE_ROTATIONS = ['NotApplicable', 'Unknown', 'RST', 'RTS', 'SRT', 'STR', 'TRS', 'TSR'];

function rw(key: string, type: ConfigType, value: string, extra: Partial<ConfigKeyDefinition> = {}): ConfigKeyDefinition {
  return { key, type, access: 'RW', value, ...extra };
}

function ro(key: string, type: ConfigType, value: string): ConfigKeyDefinition {
  return { key, type, access: 'R', value };
}

const measurands = { accepts: isSupportedMeasurand };

/**
 * The standard OCPP 1.6 configuration keys (ocpp-reference §2.3, all six feature profiles, and the security
 * whitepaper's keys) with the simulator's defaults. Station-specific values (NumberOfConnectors, ...) are set as
 * overrides by `ConfigStore`'s constructor.
 */
export const STANDARD_KEYS: readonly ConfigKeyDefinition[] = [
  // Core
  rw('AllowOfflineTxForUnknownId', 'bool', 'false'),
  rw('AuthorizationCacheEnabled', 'bool', 'true'),
  rw('AuthorizeRemoteTxRequests', 'bool', 'true'),
  rw('BlinkRepeat', 'int', '3'),
  rw('ClockAlignedDataInterval', 'int', '0'),
  rw('ConnectionTimeOut', 'int', '60'),
  rw('ConnectorPhaseRotation', 'csl', '0.RST', {
    accepts: (item) => /^\d+\.(.+)$/.test(item) && PHASE_ROTATIONS.includes(item.replace(/^\d+\./, '')),
  }),
  ro('ConnectorPhaseRotationMaxLength', 'int', '1'),
  ro('GetConfigurationMaxKeys', 'int', '100'),
  rw('HeartbeatInterval', 'int', '300'),
  rw('LightIntensity', 'int', '100'),
  rw('LocalAuthorizeOffline', 'bool', 'true'),
  rw('LocalPreAuthorize', 'bool', 'false'),
  rw('MaxEnergyOnInvalidId', 'int', '0'),
  rw('MessageTimeout', 'int', '30', { min: 1 }),
  rw('MeterValuesAlignedData', 'csl', 'Energy.Active.Import.Register', measurands),
  ro('MeterValuesAlignedDataMaxLength', 'int', '9'),
  rw('MeterValuesSampledData', 'csl', 'Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC', measurands),
  ro('MeterValuesSampledDataMaxLength', 'int', '9'),
  rw('MeterValueSampleInterval', 'int', '60'),
  rw('MinimumStatusDuration', 'int', '0'),
  ro('NumberOfConnectors', 'int', '1'),
  rw('ResetRetries', 'int', '3'),
  rw('StopTransactionOnEVSideDisconnect', 'bool', 'true'),
  rw('StopTransactionOnInvalidId', 'bool', 'true'),
  rw('StopTxnAlignedData', 'csl', '', measurands),
  ro('StopTxnAlignedDataMaxLength', 'int', '9'),
  rw('StopTxnSampledData', 'csl', 'Energy.Active.Import.Register', measurands),
  ro('StopTxnSampledDataMaxLength', 'int', '9'),
  ro('SupportedFeatureProfiles', 'csl', PROFILES.join(',')),
  rw('TransactionMessageAttempts', 'int', '3'),
  rw('TransactionMessageRetryInterval', 'int', '60'),
  rw('UnlockConnectorOnEVSideDisconnect', 'bool', 'true'),
  rw('WebSocketPingInterval', 'int', '0'),
  // LocalAuthListManagement
  rw('LocalAuthListEnabled', 'bool', 'true'),
  ro('LocalAuthListMaxLength', 'int', '1000'),
  ro('SendLocalListMaxLength', 'int', '100'),
  // Reservation
  ro('ReserveConnectorZeroSupported', 'bool', 'false'),
  // SmartCharging
  ro('ChargeProfileMaxStackLevel', 'int', '10'),
  ro('ChargingScheduleAllowedChargingRateUnit', 'csl', 'Current,Power'),
  ro('ChargingScheduleMaxPeriods', 'int', '24'),
  ro('ConnectorSwitch3to1PhaseSupported', 'bool', 'false'),
  ro('MaxChargingProfilesInstalled', 'int', '20'),
  // FirmwareManagement
  ro('SupportedFileTransferProtocols', 'csl', 'FTP,FTPS,HTTP,HTTPS'),
  // Security whitepaper
  ro('AdditionalRootCertificateCheck', 'bool', 'false'),
  {
    key: 'AuthorizationKey',
    type: 'string',
    access: 'W',
    value: '',
    validate: (value) => /^(?:[0-9a-fA-F]{2}){16,20}$/.test(value),
  },
  ro('CertificateSignedMaxChainSize', 'int', '10000'),
  ro('CertificateStoreMaxLength', 'int', '10'),
  rw('CpoName', 'string', 'Joule'),
  rw('SecurityProfile', 'int', '0', { validate: (value, current) => Number(value) >= Number(current) && Number(value) <= 3 }),
];

const DEFINITIONS = new Map(STANDARD_KEYS.map((d) => [d.key.toLowerCase(), d]));

function validValue(def: ConfigKeyDefinition, value: string, current: string, maxItems: number | undefined): boolean {
  switch (def.type) {
    case 'int':
      if (!/^-?\d+$/.test(value) || Number(value) < (def.min ?? 0)) return false;
      break;
    case 'bool':
      if (!/^(true|false)$/i.test(value)) return false;
      break;
    case 'csl': {
      const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (maxItems !== undefined && items.length > maxItems) return false;
      if (def.accepts && !items.every(def.accepts)) return false;
      break;
    }
    case 'string':
      break;
  }
  return def.validate ? def.validate(value, current) : true;
}

/**
 * A station's configuration: the shared standard definitions plus this station's values (only the ones that
 * differ from the defaults are stored, so thousands of stations stay cheap). Keys are case-insensitive (CiString).
 */
export class ConfigStore {
  /** Called after a key changed (by ChangeConfiguration or `set`), with the key's canonical name. */
  onChange: ((key: string, value: string) => void) | undefined;
  private readonly values = new Map<string, string>();

  constructor(overrides: Record<string, string> = {}) {
    for (const [key, value] of Object.entries(overrides)) this.set(key, value);
  }

  /** The current value, or undefined for an unknown key. */
  get(key: string): string | undefined {
    const lower = key.toLowerCase();
    return this.values.get(lower) ?? DEFINITIONS.get(lower)?.value;
  }

  int(key: string): number {
    const n = Number(this.get(key));
    return Number.isFinite(n) ? n : 0;
  }

  bool(key: string): boolean {
    return this.get(key)?.toLowerCase() === 'true';
  }

  /** Sets a known key without the ChangeConfiguration rules (the station itself, e.g. HeartbeatInterval from Boot). */
  set(key: string, value: string): void {
    const def = DEFINITIONS.get(key.toLowerCase());
    if (!def) throw new Error(`Unknown configuration key ${key}`);
    const lower = def.key.toLowerCase();
    if (value === def.value) this.values.delete(lower);
    else this.values.set(lower, value);
    this.onChange?.(def.key, value);
  }

  /** ChangeConfiguration: unknown key -> NotSupported, read-only or invalid value -> Rejected. */
  change(key: string, value: string): ChangeConfigurationStatus {
    const def = DEFINITIONS.get(key.toLowerCase());
    if (!def) return 'NotSupported';
    if (def.access === 'R') return 'Rejected';
    const maxLength = def.type === 'csl' ? this.get(`${def.key}MaxLength`) : undefined;
    const current = this.get(def.key) ?? '';
    if (!validValue(def, value, current, maxLength === undefined ? undefined : Number(maxLength))) return 'Rejected';
    this.set(def.key, def.type === 'bool' ? value.toLowerCase() : value);
    return 'Accepted';
  }

  /** GetConfiguration: all readable keys when `keys` is empty or absent; write-only and unknown keys go to `unknownKey`. */
  list(keys: readonly string[] | undefined): { configurationKey: ConfigurationKey[]; unknownKey: string[] } {
    const wanted = keys && keys.length > 0 ? keys : STANDARD_KEYS.filter((d) => d.access !== 'W').map((d) => d.key);
    const configurationKey: ConfigurationKey[] = [];
    const unknownKey: string[] = [];
    for (const key of wanted) {
      const def = DEFINITIONS.get(key.toLowerCase());
      if (!def || def.access === 'W') unknownKey.push(key);
      else configurationKey.push({ key: def.key, readonly: def.access === 'R', value: this.get(def.key) ?? '' });
    }
    return { configurationKey, unknownKey };
  }
}
