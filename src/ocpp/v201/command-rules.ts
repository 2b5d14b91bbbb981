import type { SessionState } from '../adapter.ts';

/** CSMS-to-station requests of OCPP 2.0.1, functional blocks A to P. */
export const COMMAND_ACTIONS_201: ReadonlySet<string> = new Set([
  // A Security
  'CertificateSigned',
  // B Provisioning
  'GetBaseReport', 'GetReport', 'GetVariables', 'SetVariables', 'SetNetworkProfile', 'Reset',
  // C Authorization
  'ClearCache',
  // D Local authorization list
  'SendLocalList', 'GetLocalListVersion',
  // E Transactions
  'GetTransactionStatus',
  // F Remote control
  'RequestStartTransaction', 'RequestStopTransaction', 'UnlockConnector', 'TriggerMessage',
  // G Availability
  'ChangeAvailability',
  // H Reservation
  'ReserveNow', 'CancelReservation',
  // I Tariff and cost
  'CostUpdated',
  // K Smart charging
  'SetChargingProfile', 'GetChargingProfiles', 'ClearChargingProfile', 'GetCompositeSchedule',
  // L Firmware
  'UpdateFirmware', 'PublishFirmware', 'UnpublishFirmware',
  // M ISO 15118 certificates
  'GetInstalledCertificateIds', 'InstallCertificate', 'DeleteCertificate',
  // N Diagnostics
  'GetLog', 'SetMonitoringBase', 'SetMonitoringLevel', 'SetVariableMonitoring', 'ClearVariableMonitoring',
  'GetMonitoringReport', 'CustomerInformation',
  // O Display messages
  'SetDisplayMessage', 'GetDisplayMessages', 'ClearDisplayMessage',
  // P Data transfer
  'DataTransfer',
]);

/** 2.1 adds these CSMS-to-station requests (tariffs, priority and dynamic charging, event streams, V2X, DER, swapping). */
export const COMMAND_ACTIONS_21_ADDED: readonly string[] = [
  'NotifyWebPaymentStarted', 'SetDefaultTariff', 'GetTariffs', 'ClearTariffs', 'ChangeTransactionTariff',
  'UsePriorityCharging', 'UpdateDynamicSchedule', 'GetPeriodicEventStream', 'AdjustPeriodicEventStream', 'AFRRSignal',
  'NotifyAllowedEnergyTransfer', 'SetDERControl', 'GetDERControl', 'ClearDERControl', 'RequestBatterySwap',
];

/** A Pending station may be configured but not asked to charge (B02.FR.05 / F01/F02). */
const NOT_WHILE_PENDING = new Set(['RequestStartTransaction', 'RequestStopTransaction']);

/** Why a command may not go to the station in its registration state, or undefined when it may. */
export function refusal201(session: SessionState, action: string): string | undefined {
  switch (session.registration) {
    case 'Accepted':
      return undefined;
    case 'Rejected':
      return `Station ${session.stationId} was Rejected at boot: the CSMS initiates no messages to it (B03.FR.03)`;
    default:
      return NOT_WHILE_PENDING.has(action)
        ? `Station ${session.stationId} is not Accepted (registration ${session.registration ?? 'unknown'}): ${action} is not allowed until it is`
        : undefined;
  }
}

/** TriggerMessage requested messages, by the action the station will send. */
export function triggeredAction201(requestedMessage: string): string {
  switch (requestedMessage) {
    case 'SignChargingStationCertificate':
    case 'SignV2GCertificate':
    case 'SignCombinedCertificate':
      return 'SignCertificate';
    default:
      return requestedMessage;
  }
}
