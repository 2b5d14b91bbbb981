import type { ClusterBus } from '../../cluster/bus.ts';
import type { SecurityEventFilter, SecurityEventRecord, Store } from '../../store/ports.ts';
import type { StationNotifications } from '../station-notifications.ts';
import type { SecurityAlerts } from './security-alerts.ts';

/** Security events that the 1.6 security whitepaper and 2.x call critical (pushed by stations with guaranteed delivery). */
export const CRITICAL_SECURITY_EVENTS: ReadonlySet<string> = new Set([
  'FirmwareUpdated', 'SettingSystemTime', 'StartupOfTheDevice', 'ResetOrReboot', 'SecurityLogWasCleared',
  'MemoryExhaustion', 'TamperDetectionActivated',
]);

/** The techInfo limit of SecurityEventNotification: Joule's own events are cut to it too. */
const TECH_INFO_MAX = 255;

export interface SecurityEventReport {
  type: string;
  timestamp: string;
  techInfo?: string | undefined;
}

/**
 * Security events: reported by stations (SecurityEventNotification) or found by Joule (a CSR it refused). Each is
 * kept in the security event log, published as `security.event`; a critical one also as `security.alert`, logged at
 * error level and sent to the alert webhook (in the background). Station reports also stay in the station's
 * notification log, as before.
 */
export class SecurityService {
  private readonly store: Store;
  private readonly bus: ClusterBus;
  private readonly notifications: StationNotifications;
  private readonly alerts: SecurityAlerts;

  constructor(store: Store, bus: ClusterBus, notifications: StationNotifications, alerts: SecurityAlerts) {
    this.store = store;
    this.bus = bus;
    this.notifications = notifications;
    this.alerts = alerts;
  }

  async eventReported(stationId: string, report: SecurityEventReport): Promise<void> {
    const critical = CRITICAL_SECURITY_EVENTS.has(report.type);
    const techInfo = report.techInfo ?? null;
    await this.notifications.record(stationId, 'security.event', { type: report.type, techInfo, critical }, report.timestamp);
    await this.append({ stationId, type: report.type, critical, techInfo, timestamp: report.timestamp, receivedAt: new Date().toISOString(), source: 'station' });
  }

  /** A security event Joule found itself (e.g. a refused CSR). */
  async detected(stationId: string, type: string, techInfo: string, critical = false): Promise<void> {
    const now = new Date().toISOString();
    await this.append({ stationId, type, critical, techInfo: techInfo.slice(0, TECH_INFO_MAX), timestamp: now, receivedAt: now, source: 'csms' });
  }

  list(filter: SecurityEventFilter): Promise<SecurityEventRecord[]> {
    return this.store.securityEvents.list(filter);
  }

  private async append(event: SecurityEventRecord): Promise<void> {
    await this.store.securityEvents.append(event);
    const data = { type: event.type, critical: event.critical, techInfo: event.techInfo, timestamp: event.timestamp, source: event.source };
    this.bus.publish({ type: 'security.event', stationId: event.stationId, data });
    if (!event.critical) return;
    this.bus.publish({ type: 'security.alert', stationId: event.stationId, data });
    this.alerts.raise({ stationId: event.stationId, type: event.type, timestamp: event.timestamp, techInfo: event.techInfo, receivedAt: event.receivedAt });
  }
}
