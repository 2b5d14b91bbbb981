/** What the station is uploading or installing, reported again when the CSMS triggers the status message. */

export type DiagnosticsStatus = 'Idle' | 'Uploaded' | 'UploadFailed' | 'Uploading';

export type FirmwareStatus =
  | 'Downloaded'
  | 'DownloadFailed'
  | 'Downloading'
  | 'Idle'
  | 'InstallationFailed'
  | 'Installing'
  | 'Installed';

/** SignedFirmwareStatusNotification statuses the simulator goes through. */
export type SignedFirmwareStatus = 'Idle' | 'Downloading' | 'Downloaded' | 'SignatureVerified' | 'Installing' | 'Installed';

/** LogStatusNotification statuses the simulator goes through. */
export type LogStatus = 'Idle' | 'Uploading' | 'Uploaded';

export interface TransferState {
  diagnostics: DiagnosticsStatus;
  firmware: FirmwareStatus;
  /** `requestId` of the running SignedUpdateFirmware, undefined when idle. */
  signedFirmware: { status: SignedFirmwareStatus; requestId: number | undefined };
  /** `requestId` of the running GetLog upload, undefined when idle. */
  log: { status: LogStatus; requestId: number | undefined };
}

export function idleTransfers(): TransferState {
  return {
    diagnostics: 'Idle',
    firmware: 'Idle',
    signedFirmware: { status: 'Idle', requestId: undefined },
    log: { status: 'Idle', requestId: undefined },
  };
}
