import type { StationNotifications } from '../station-notifications.ts';

export interface UploadStatusReport {
  /** `diagnostics` (1.6 GetDiagnostics) or `log` (GetLog). */
  kind: 'diagnostics' | 'log';
  status: string;
  requestId?: number | undefined;
}

/** Diagnostics and log uploads: the progress that stations report. */
export class DiagnosticsService {
  private readonly notifications: StationNotifications;

  constructor(notifications: StationNotifications) {
    this.notifications = notifications;
  }

  async uploadStatusReported(stationId: string, report: UploadStatusReport): Promise<void> {
    await this.notifications.record(stationId, `${report.kind}.status`, { ...report });
  }
}
