import type { Payload } from '../../../ocpp/rpc/frames.ts';
import { RpcError } from '../../../ocpp/rpc/error-codes.ts';
import { fileTimestamp, runSteps } from '../../handlers/steps.ts';
import { locatedKey, type MonitoringBase, type SetMonitoringData, type VariableMonitor } from '../monitoring.ts';
import type { SimStation201 } from '../sim-station-201.ts';
import { statusInfo, type ComponentRef, type IdToken, type VariableRef } from '../types.ts';
import { handler, type CsmsRequestHandler } from './types.ts';

/** NotifyCustomerInformation `data` is at most 512 characters per message. */
const CUSTOMER_DATA_SIZE = 512;

/** LogStatusNotification Uploading, then Uploaded, unless a newer GetLog took over. */
async function uploadLog(station: SimStation201, requestId: number): Promise<void> {
  const current = (): boolean => station.transfers.log.requestId === requestId;
  const done = await runSteps(
    station,
    ['Uploading', 'Uploaded'] as const,
    (status) => {
      station.transfers.log.status = status;
      return station.notify('LogStatusNotification', { status, requestId });
    },
    current,
  );
  if (done && current()) station.transfers.log = { status: 'Idle', requestId: undefined };
}

/** N01: Accepted (AcceptedCanceled when it replaces an upload in progress), the file name, then the upload. */
const getLog = handler<{ logType: 'DiagnosticsLog' | 'SecurityLog'; requestId: number; log: { remoteLocation: string } }>(
  (station, { logType, requestId }, after) => {
    const busy = station.transfers.log.requestId !== undefined;
    station.transfers.log = { status: 'Idle', requestId };
    after(() => void uploadLog(station, requestId));
    return { status: busy ? 'AcceptedCanceled' : 'Accepted', filename: `${logType}-${station.id.slice(0, 200)}-${fileTimestamp(Date.now())}.log` };
  },
);

function checkItems(station: SimStation201, count: number, message: string): void {
  const max = station.deviceModel.int(`MonitoringCtrlr.ItemsPerMessage[${message}]`);
  if (count > max) throw new RpcError('OccurrenceConstraintViolation', `${message}: at most ${max} entries per message`);
}

/** N04: one result per monitor asked for; Accepted ones get an id (new, or the one replaced). */
const setVariableMonitoring = handler<{ setMonitoringData: SetMonitoringData[] }>((station, { setMonitoringData }) => {
  checkItems(station, setMonitoringData.length, 'SetVariableMonitoring');
  const enabled = station.deviceModel.bool('MonitoringCtrlr.Enabled');
  return {
    setMonitoringResult: setMonitoringData.map((data) => {
      const { status, monitor } = enabled ? station.monitoring.set(data, station.deviceModel) : { status: 'Rejected' as const, monitor: undefined };
      const result: Payload = { status, type: data.type, severity: data.severity, component: data.component, variable: data.variable };
      if (monitor) {
        result.id = monitor.id;
        station.monitorReporter.started(monitor);
      } else if (data.id !== undefined) {
        result.id = data.id;
      }
      if (!enabled) result.statusInfo = statusInfo('Disabled');
      return result;
    }),
  };
});

/** N06. */
const clearVariableMonitoring = handler<{ id: number[] }>((station, { id: ids }) => {
  checkItems(station, ids.length, 'ClearVariableMonitoring');
  return {
    clearMonitoringResult: ids.map((id) => {
      const status = station.monitoring.clear(id);
      if (status === 'Accepted') station.monitorReporter.stopped(id);
      return { status, id };
    }),
  };
});

/** N03: FactoryDefault and HardWiredOnly remove the custom monitors. */
const setMonitoringBase = handler<{ monitoringBase: MonitoringBase }>((station, { monitoringBase }) => {
  for (const monitor of station.monitoring.applyBase(monitoringBase)) station.monitorReporter.stopped(monitor.id);
  station.deviceModel.set('MonitoringCtrlr.ActiveMonitoringBase', monitoringBase);
  return { status: 'Accepted' };
});

/** N05: only events with a severity up to this level are reported (0 = danger ... 9 = debug). */
const setMonitoringLevel = handler<{ severity: number }>((station, { severity }) => {
  if (severity < 0 || severity > 9) return { status: 'Rejected', statusInfo: statusInfo('ValueOutOfRange') };
  station.deviceModel.set('MonitoringCtrlr.ActiveMonitoringLevel', String(severity));
  return { status: 'Accepted' };
});

/** NotifyMonitoringReport `monitor` elements: one per variable with its monitors. */
function monitorReport(station: SimStation201, monitors: VariableMonitor[]): Payload[] {
  const byVariable = new Map<string, VariableMonitor[]>();
  for (const monitor of monitors) {
    const key = locatedKey(monitor.located);
    byVariable.set(key, [...(byVariable.get(key) ?? []), monitor]);
  }
  return [...byVariable.values()].flatMap(([first, ...others]) => {
    if (!first) return [];
    const list = [first, ...others];
    return [{
      ...station.deviceModel.refs(first.located),
      variableMonitoring: list.map((m) => ({ id: m.id, transaction: m.transaction, value: m.value, type: m.type, severity: m.severity })),
    }];
  });
}

/** N02: EmptyResultSet, or Accepted and then NotifyMonitoringReport in parts. */
const getMonitoringReport = handler<{
  requestId: number;
  componentVariable?: { component: ComponentRef; variable?: VariableRef }[];
  monitoringCriteria?: string[];
}>((station, { requestId, componentVariable, monitoringCriteria }, after) => {
  const monitors = station.monitoring.find(componentVariable, monitoringCriteria, station.deviceModel);
  if (monitors.length === 0) return { status: 'EmptyResultSet' };
  const report = monitorReport(station, monitors);
  const generatedAt = new Date().toISOString();
  after(
    () =>
      void station.sendInParts('NotifyMonitoringReport', report, station.deviceModel.int('DeviceDataCtrlr.ItemsPerMessage[GetReport]'), (part, seqNo) => ({
        requestId,
        seqNo,
        generatedAt,
        monitor: part,
      })),
  );
  return { status: 'Accepted' };
});

interface CustomerInformationRequest {
  requestId: number;
  report: boolean;
  clear: boolean;
  idToken?: IdToken;
  customerCertificate?: { serialNumber: string };
  customerIdentifier?: string;
}

/** What the station holds about a customer (and, with `clear`, forgets), as text. */
function customerData(station: SimStation201, request: CustomerInformationRequest): string {
  const lines: string[] = [];
  const token = request.idToken;
  if (token) {
    const info = station.authorizer.local(token);
    lines.push(`idToken ${token.idToken} (${token.type}): ${info ? `authorization ${info.status}` : 'no stored authorization'}`);
    const sessions = station.evses.filter((e) => e.transaction?.idToken.idToken.toLowerCase() === token.idToken.toLowerCase());
    for (const evse of sessions) lines.push(`transaction ${evse.transaction?.transactionId ?? '(not started)'} on EVSE ${evse.id}`);
    if (request.clear) lines.push(station.authorizer.forget(token) ? 'cached authorization cleared' : 'nothing to clear');
  }
  if (request.customerIdentifier !== undefined) lines.push(`customer ${request.customerIdentifier}: no data stored`);
  if (request.customerCertificate) lines.push(`certificate ${request.customerCertificate.serialNumber}: no data stored`);
  return lines.join('\n');
}

/** N09/N10: Accepted, then NotifyCustomerInformation (512-character parts); without any identifier: Invalid. */
const customerInformation = handler<CustomerInformationRequest>((station, request, after) => {
  if (!request.idToken && !request.customerCertificate && request.customerIdentifier === undefined) return { status: 'Invalid' };
  if (!request.report && !request.clear) return { status: 'Rejected', statusInfo: statusInfo('NothingToDo') };
  const data = customerData(station, request);
  const parts: string[] = [];
  for (let i = 0; i < data.length; i += CUSTOMER_DATA_SIZE) parts.push(data.slice(i, i + CUSTOMER_DATA_SIZE));
  const generatedAt = new Date().toISOString();
  after(
    () =>
      void station.sendInParts('NotifyCustomerInformation', parts.length > 0 ? parts : ['no data'], 1, (part, seqNo) => ({
        data: part[0] ?? '',
        seqNo,
        generatedAt,
        requestId: request.requestId,
      })),
  );
  return { status: 'Accepted' };
});

/** N Diagnostics. */
export const DIAGNOSTICS_HANDLERS: Record<string, CsmsRequestHandler> = {
  GetLog: getLog,
  SetVariableMonitoring: setVariableMonitoring,
  ClearVariableMonitoring: clearVariableMonitoring,
  SetMonitoringBase: setMonitoringBase,
  SetMonitoringLevel: setMonitoringLevel,
  GetMonitoringReport: getMonitoringReport,
  CustomerInformation: customerInformation,
};
