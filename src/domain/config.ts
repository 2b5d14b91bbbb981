import type { RegistrationStatus, ValidationMode } from '../store/ports.ts';
import type { Logger } from '../logging.ts';
import type { PkiConfig } from './security/certificate-service.ts';
import type { SecurityAlertOptions } from './security/security-alerts.ts';
import type { SmartChargingConfig } from './smart-charging/smart-charging-service.ts';
import type { AccountSettings } from './accounts/account-service.ts';

/** What the domain needs to know of the server's configuration. */
export interface DomainConfig {
  /** `accept`: anyone may connect and is Accepted; `pending`: unregistered stations are held Pending; `reject`: refused. */
  unknownStations: 'accept' | 'pending' | 'reject';
  /** Heartbeat interval given to Accepted stations, seconds. */
  heartbeatIntervalS: number;
  /** Interval given to Pending/Rejected stations before they boot again, seconds. */
  bootRetryIntervalS: number;
  /** How long an operator command waits for the station's answer. */
  commandTimeoutMs: number;
  /** Accept id tokens Joule does not know (for demos and open sites); default false. */
  authorizeUnknownIdTokens: boolean;
  /** Validation mode of stations with no setting of their own and no matching vendor rule. */
  defaultValidationMode: ValidationMode;
  /** Profile 0 (no authentication) for stations without a security profile of their own; default false (profile 1). */
  allowUnsecuredStations?: boolean | undefined;
  /** Smart charging settings; what is left out takes its default (smart-charging-service.ts). */
  smartCharging?: Partial<SmartChargingConfig> | undefined;
  /** Operator accounts: session lifetime, login limits ...; what is left out takes its default (accounts/account-service.ts). */
  accounts?: Partial<AccountSettings> | undefined;
  /** The certificate authority and certificate policy; without it, CSRs are declined. */
  pki?: Omit<PkiConfig, 'logger'> | undefined;
  /** Where alerts on critical security events go (besides the log). */
  securityAlerts?: Omit<SecurityAlertOptions, 'logger'> | undefined;
  /** For what happens in the background (certificate delivery, alerts). */
  logger?: Logger | undefined;
}

export const defaultDomainConfig: DomainConfig = {
  unknownStations: 'accept',
  heartbeatIntervalS: 300,
  bootRetryIntervalS: 60,
  commandTimeoutMs: 30_000,
  authorizeUnknownIdTokens: false,
  defaultValidationMode: 'strict',
};

export function bootAnswerFor(policy: DomainConfig['unknownStations'], registered: boolean, override: RegistrationStatus | null): RegistrationStatus {
  if (override) return override;
  if (registered) return 'Accepted';
  return policy === 'accept' ? 'Accepted' : policy === 'pending' ? 'Pending' : 'Rejected';
}
