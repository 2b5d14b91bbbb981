import type { StationNotifications } from '../station-notifications.ts';

/** Security events that the 1.6 security whitepaper and 2.x call critical (pushed by stations with guaranteed delivery). */
export const CRITICAL_SECURITY_EVENTS: ReadonlySet<string> = new Set([
  'FirmwareUpdated', 'SettingSystemTime', 'StartupOfTheDevice', 'ResetOrReboot', 'SecurityLogWasCleared',
  'MemoryExhaustion', 'TamperDetectionActivated',
]);

export interface SecurityEventReport {
  type: string;
  timestamp: string;
  techInfo?: string | undefined;
}

export interface CertificateSigningRequest {
  csr: string;
  certificateType?: string | undefined;
  requestId?: number | undefined;
}

/** Security events and certificate signing requests from stations. */
export class SecurityService {
  private readonly notifications: StationNotifications;

  constructor(notifications: StationNotifications) {
    this.notifications = notifications;
  }

  async eventReported(stationId: string, report: SecurityEventReport): Promise<void> {
    await this.notifications.record(
      stationId,
      'security.event',
      { type: report.type, techInfo: report.techInfo ?? null, critical: CRITICAL_SECURITY_EVENTS.has(report.type) },
      report.timestamp,
    );
  }

  /**
   * A station asks for its certificate to be signed. Until a certificate authority is configured (the PKI
   * capability), the request is recorded and declined, so the station keeps its current certificate.
   */
  async signingRequested(stationId: string, request: CertificateSigningRequest): Promise<{ accepted: boolean }> {
    await this.notifications.record(stationId, 'certificate.signing-requested', {
      certificateType: request.certificateType ?? null,
      requestId: request.requestId ?? null,
      csrLength: request.csr.length,
      accepted: false,
    });
    return { accepted: false };
  }
}
