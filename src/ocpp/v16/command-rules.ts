import type { SessionState } from '../adapter.ts';

/** CS-to-CP operations of the six 1.6 feature profiles and of the security extension. */
export const COMMAND_ACTIONS_16: ReadonlySet<string> = new Set([
  // Core
  'ChangeAvailability', 'ChangeConfiguration', 'ClearCache', 'DataTransfer', 'GetConfiguration',
  'RemoteStartTransaction', 'RemoteStopTransaction', 'Reset', 'UnlockConnector',
  // FirmwareManagement
  'GetDiagnostics', 'UpdateFirmware',
  // LocalAuthListManagement
  'GetLocalListVersion', 'SendLocalList',
  // Reservation
  'CancelReservation', 'ReserveNow',
  // SmartCharging
  'ClearChargingProfile', 'GetCompositeSchedule', 'SetChargingProfile',
  // RemoteTrigger
  'TriggerMessage',
  // Security extension
  'CertificateSigned', 'DeleteCertificate', 'ExtendedTriggerMessage', 'GetInstalledCertificateIds', 'GetLog',
  'InstallCertificate', 'SignedUpdateFirmware',
]);

/** Operations a Pending station must not receive ([S16] §4.2: no RemoteStart/RemoteStopTransaction). */
const NOT_WHILE_PENDING = new Set(['RemoteStartTransaction', 'RemoteStopTransaction']);

/** Why a command may not go to the station in its registration state, or undefined when it may. */
export function refusal16(session: SessionState, action: string): string | undefined {
  switch (session.registration) {
    case 'Accepted':
      return undefined;
    case 'Rejected':
      return `Station ${session.stationId} was Rejected at boot: the central system initiates no messages to it`;
    default:
      return NOT_WHILE_PENDING.has(action)
        ? `Station ${session.stationId} is not Accepted (registration ${session.registration ?? 'unknown'}): ${action} is not allowed until it is`
        : undefined;
  }
}

/** TriggerMessage / ExtendedTriggerMessage requested messages, by the action the station will send. */
export function triggeredAction16(requestedMessage: string): string {
  return requestedMessage === 'SignChargePointCertificate' ? 'SignCertificate' : requestedMessage;
}
