import type { ClusterBus } from '../cluster/bus.ts';
import type { Store } from '../store/ports.ts';
import { AuthorizationService } from './authorization/authorization-service.ts';
import { CommandService } from './commands/command-service.ts';
import type { DomainConfig } from './config.ts';
import { DeviceModelService } from './device-model/device-model-service.ts';
import { DataTransferService } from './data-transfer/data-transfer-service.ts';
import { DiagnosticsService } from './diagnostics/diagnostics-service.ts';
import { FirmwareService } from './firmware/firmware-service.ts';
import { MeteringService } from './metering/metering-service.ts';
import { CertificateService } from './security/certificate-service.ts';
import { SecurityAlerts } from './security/security-alerts.ts';
import { SecurityService } from './security/security-service.ts';
import { StationNotifications } from './station-notifications.ts';
import { StationService } from './stations/station-service.ts';
import { ValidationPolicy } from './stations/validation-policy.ts';
import { TransactionLookup } from './transactions/transaction-lookup.ts';
import { TransactionService } from './transactions/transaction-service.ts';
import { SmartChargingService } from './smart-charging/smart-charging-service.ts';
import { AccountService } from './accounts/account-service.ts';

/** Every version-neutral capability service, wired to one store and one bus. */
export interface Domain {
  readonly config: DomainConfig;
  readonly bus: ClusterBus;
  readonly stations: StationService;
  readonly authorization: AuthorizationService;
  readonly transactions: TransactionService;
  readonly metering: MeteringService;
  readonly commands: CommandService;
  readonly dataTransfer: DataTransferService;
  readonly notifications: StationNotifications;
  readonly firmware: FirmwareService;
  readonly diagnostics: DiagnosticsService;
  readonly security: SecurityService;
  readonly certificates: CertificateService;
  readonly deviceModel: DeviceModelService;
  readonly validation: ValidationPolicy;
  readonly smartCharging: SmartChargingService;
  readonly accounts: AccountService;
}

export function createDomain(store: Store, bus: ClusterBus, config: DomainConfig): Domain {
  const authorization = new AuthorizationService(store, bus, config);
  const transactionLookup = new TransactionLookup(store);
  const metering = new MeteringService(store, bus, transactionLookup);
  const notifications = new StationNotifications(store, bus);
  const commands = new CommandService(store, bus, config);
  const alerts = new SecurityAlerts({ ...config.securityAlerts, logger: config.logger });
  const security = new SecurityService(store, bus, notifications, alerts);
  const certificates = new CertificateService(store, bus, commands, notifications, security, {
    organizationName: 'Joule',
    ...config.pki,
    logger: config.logger,
  });
  return {
    config,
    bus,
    stations: new StationService(store, bus, config),
    authorization,
    transactions: new TransactionService(store, bus, authorization, metering, transactionLookup),
    metering,
    commands,
    dataTransfer: new DataTransferService(),
    notifications,
    firmware: new FirmwareService(notifications),
    diagnostics: new DiagnosticsService(notifications),
    security,
    certificates,
    deviceModel: new DeviceModelService(store, bus),
    validation: new ValidationPolicy(store, bus, config.defaultValidationMode),
    smartCharging: new SmartChargingService(store, bus, commands, { commandTimeoutMs: config.commandTimeoutMs, ...config.smartCharging }),
    accounts: new AccountService(store, config.accounts),
  };
}
