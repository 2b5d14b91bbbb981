import { looksLikePemCertificate, type CertificateHashData, type CertificateUse } from '../certificate-store.ts';
import type { SimStation } from '../sim-station.ts';
import type { SignedFirmwareStatus } from '../transfer-state.ts';
import { fileTimestamp, runSteps } from './steps.ts';
import { handler, type CsHandler } from './types.ts';

interface GetLogRequest {
  logType: 'DiagnosticsLog' | 'SecurityLog';
  requestId: number;
  log: { remoteLocation: string };
}

interface SignedUpdateFirmwareRequest {
  requestId: number;
  firmware: { location: string; retrieveDateTime: string; installDateTime?: string; signingCertificate: string; signature: string };
}

function securityEvent(station: SimStation, type: string): Promise<void> {
  return station.notify('SecurityEventNotification', { type, timestamp: new Date().toISOString() });
}

function timeOf(iso: string | undefined): number {
  const ms = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(ms) ? Date.now() : ms;
}

/** LogStatusNotification Uploading, then Uploaded, unless a newer GetLog took over. */
async function uploadLog(station: SimStation, requestId: number): Promise<void> {
  const current = (): boolean => station.transfers.log.requestId === requestId;
  const done = await runSteps(station, ['Uploading', 'Uploaded'] as const, (status) => {
    station.transfers.log.status = status;
    return station.notify('LogStatusNotification', { status, requestId });
  }, current);
  if (done && current()) station.transfers.log = { status: 'Idle', requestId: undefined };
}

/** SignedFirmwareStatusNotification from Downloading to Installed, then the FirmwareUpdated security event. */
async function installSignedFirmware(station: SimStation, requestId: number, retrieveAtMs: number, installAtMs: number): Promise<void> {
  const current = (): boolean => station.transfers.signedFirmware.requestId === requestId;
  const report = (status: SignedFirmwareStatus): Promise<void> => {
    station.transfers.signedFirmware.status = status;
    return station.notify('SignedFirmwareStatusNotification', { status, requestId });
  };
  await station.timers.sleep(retrieveAtMs - Date.now());
  if (!(await runSteps(station, ['Downloading', 'Downloaded', 'SignatureVerified'] as const, report, current))) return;
  await station.timers.sleep(installAtMs - Date.now());
  if (!(await runSteps(station, ['Installing', 'Installed'] as const, report, current))) return;
  await securityEvent(station, 'FirmwareUpdated');
  if (current()) station.transfers.signedFirmware = { status: 'Idle', requestId: undefined };
}

const getLog = handler<GetLogRequest>((station, { logType, requestId }, after) => {
  const busy = station.transfers.log.requestId !== undefined;
  station.transfers.log = { status: 'Idle', requestId };
  after(() => void uploadLog(station, requestId));
  return {
    status: busy ? 'AcceptedCanceled' : 'Accepted',
    filename: `${logType}-${station.id.slice(0, 200)}-${fileTimestamp(Date.now())}.log`,
  };
});

const signedUpdateFirmware = handler<SignedUpdateFirmwareRequest>((station, { requestId, firmware }, after) => {
  if (!looksLikePemCertificate(firmware.signingCertificate)) {
    after(() => void securityEvent(station, 'InvalidFirmwareSigningCertificate'));
    return { status: 'InvalidCertificate' };
  }
  const busy = station.transfers.signedFirmware.requestId !== undefined;
  station.transfers.signedFirmware = { status: 'Idle', requestId };
  const retrieveAtMs = timeOf(firmware.retrieveDateTime);
  const installAtMs = timeOf(firmware.installDateTime);
  after(() => void installSignedFirmware(station, requestId, retrieveAtMs, installAtMs));
  return { status: busy ? 'AcceptedCanceled' : 'Accepted' };
});

const installCertificate = handler<{ certificateType: CertificateUse; certificate: string }>((station, request) => ({
  status: station.certificates.install(request.certificateType, request.certificate, station.config.int('CertificateStoreMaxLength')),
}));

const deleteCertificate = handler<{ certificateHashData: CertificateHashData }>((station, { certificateHashData }) => ({
  status: station.certificates.remove(certificateHashData),
}));

const getInstalledCertificateIds = handler<{ certificateType: CertificateUse }>((station, { certificateType }) => {
  const certificateHashData = station.certificates.ids(certificateType);
  return certificateHashData.length > 0 ? { status: 'Accepted', certificateHashData } : { status: 'NotFound' };
});

const certificateSigned = handler<{ certificateChain: string }>((station, { certificateChain }, after) => {
  const maxSize = station.config.int('CertificateSignedMaxChainSize');
  if (!looksLikePemCertificate(certificateChain) || certificateChain.length > maxSize) {
    after(() => void securityEvent(station, 'InvalidChargePointCertificate'));
    return { status: 'Rejected' };
  }
  station.certificates.acceptCertificate(certificateChain);
  return { status: 'Accepted' };
});

/** The 1.6 security extension's CS-to-CP operations (ExtendedTriggerMessage is with the triggers). */
export const SECURITY_HANDLERS: Record<string, CsHandler> = {
  GetLog: getLog,
  SignedUpdateFirmware: signedUpdateFirmware,
  InstallCertificate: installCertificate,
  DeleteCertificate: deleteCertificate,
  GetInstalledCertificateIds: getInstalledCertificateIds,
  CertificateSigned: certificateSigned,
};
