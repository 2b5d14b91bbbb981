import type { StationNotifications } from '../station-notifications.ts';

export interface FirmwareStatusReport {
  status: string;
  /** 1.6 security extension and 2.x: the request the status belongs to. */
  requestId?: number | undefined;
  /** Whether the status comes from a signed-firmware update (security extension / 2.x). */
  signed: boolean;
}

/** Firmware updates: the progress that stations report. */
export class FirmwareService {
  private readonly notifications: StationNotifications;

  constructor(notifications: StationNotifications) {
    this.notifications = notifications;
  }

  async statusReported(stationId: string, report: FirmwareStatusReport): Promise<void> {
    await this.notifications.record(stationId, 'firmware.status', { ...report });
  }
}
