import { looksLikePemCertificate } from '../../certificate-store.ts';
import { runSteps } from '../../handlers/steps.ts';
import type { SimStation201 } from '../sim-station-201.ts';
import type { FirmwareStatus201 } from '../types.ts';
import { handler, type CsmsRequestHandler } from './types.ts';

interface UpdateFirmwareRequest {
  requestId: number;
  retries?: number;
  retryInterval?: number;
  firmware: { location: string; retrieveDateTime: string; installDateTime?: string; signingCertificate?: string; signature?: string };
}

function timeOf(iso: string | undefined): number {
  const ms = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(ms) ? Date.now() : ms;
}

/**
 * L01: FirmwareStatusNotification through DownloadScheduled (retrieveDateTime ahead), Downloading, Downloaded,
 * SignatureVerified (signed firmware), InstallScheduled (installDateTime ahead, or transactions running), Installing,
 * InstallRebooting; the station reboots (BootNotification FirmwareUpdate) and reports Installed and the
 * FirmwareUpdated security event. A newer UpdateFirmware cancels an older one at its next step.
 */
async function installFirmware(station: SimStation201, request: UpdateFirmwareRequest): Promise<void> {
  const { requestId, firmware } = request;
  const current = (): boolean => station.transfers.firmware.requestId === requestId;
  const report = (status: FirmwareStatus201): Promise<void> => {
    station.transfers.firmware.status = status;
    return station.notify('FirmwareStatusNotification', { status, requestId });
  };
  const retrieveAtMs = timeOf(firmware.retrieveDateTime);
  if (retrieveAtMs > Date.now()) {
    await report('DownloadScheduled');
    await station.timers.sleep(retrieveAtMs - Date.now());
  }
  const download: FirmwareStatus201[] = ['Downloading', 'Downloaded'];
  if (firmware.signature !== undefined) download.push('SignatureVerified');
  if (!current() || !(await runSteps(station, download, report, current))) return;
  const installAtMs = timeOf(firmware.installDateTime);
  if (installAtMs > Date.now()) {
    await report('InstallScheduled');
    await station.timers.sleep(installAtMs - Date.now());
  }
  while (station.evses.some((e) => e.transaction)) {
    if (!current()) return;
    if (station.transfers.firmware.status !== 'InstallScheduled') await report('InstallScheduled');
    await station.timers.sleep(station.stepDelayMs);
  }
  if (!current() || !(await runSteps(station, ['Installing', 'InstallRebooting'] as const, report, current))) return;
  await station.timers.sleep(station.stepDelayMs);
  if (current()) station.rebootForFirmware(requestId, firmware.location);
}

const updateFirmware = handler<UpdateFirmwareRequest>((station, request, after) => {
  const certificate = request.firmware.signingCertificate;
  if (certificate !== undefined && !looksLikePemCertificate(certificate)) {
    after(() => void station.securityEvent('InvalidFirmwareSigningCertificate'));
    return { status: 'InvalidCertificate' };
  }
  const busy = station.transfers.firmware.requestId !== undefined;
  station.transfers.firmware = { status: 'Idle', requestId: request.requestId };
  after(() => void installFirmware(station, request));
  return { status: busy ? 'AcceptedCanceled' : 'Accepted' };
});

/** L FirmwareManagement (PublishFirmware and UnpublishFirmware are for local controllers: NotSupported). */
export const FIRMWARE_HANDLERS: Record<string, CsmsRequestHandler> = {
  UpdateFirmware: updateFirmware,
};
