import type { SimStation } from '../sim-station.ts';
import type { FirmwareStatus } from '../transfer-state.ts';
import { fileTimestamp, runSteps } from './steps.ts';
import { handler, type CsHandler } from './types.ts';

const FIRMWARE_STEPS: readonly FirmwareStatus[] = ['Downloading', 'Downloaded', 'Installing', 'Installed'];

/** DiagnosticsStatusNotification Uploading, then Uploaded; Idle afterwards. */
async function uploadDiagnostics(station: SimStation): Promise<void> {
  await runSteps(station, ['Uploading', 'Uploaded'] as const, (status) => {
    station.transfers.diagnostics = status;
    return station.notify('DiagnosticsStatusNotification', { status });
  });
  station.transfers.diagnostics = 'Idle';
}

/** Waits for retrieveDate, then FirmwareStatusNotification Downloading, Downloaded, Installing, Installed. */
async function installFirmware(station: SimStation, retrieveAtMs: number): Promise<void> {
  await station.timers.sleep(retrieveAtMs - Date.now());
  await runSteps(station, FIRMWARE_STEPS, (status) => {
    station.transfers.firmware = status;
    return station.notify('FirmwareStatusNotification', { status });
  });
  station.transfers.firmware = 'Idle';
}

const getDiagnostics = handler<{ location: string }>((station, _request, after) => {
  after(() => void uploadDiagnostics(station));
  return { fileName: `diagnostics-${station.id.slice(0, 200)}-${fileTimestamp(Date.now())}.log` };
});

const updateFirmware = handler<{ location: string; retrieveDate: string }>((station, { retrieveDate }, after) => {
  const retrieveAtMs = Date.parse(retrieveDate);
  after(() => void installFirmware(station, Number.isNaN(retrieveAtMs) ? Date.now() : retrieveAtMs));
  return {};
});

/** FirmwareManagement profile. */
export const FIRMWARE_HANDLERS: Record<string, CsHandler> = {
  GetDiagnostics: getDiagnostics,
  UpdateFirmware: updateFirmware,
};
