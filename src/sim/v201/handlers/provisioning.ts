import type { Payload } from '../../../ocpp/rpc/frames.ts';
import { RpcError } from '../../../ocpp/rpc/error-codes.ts';
import type { DeviceModel, LocatedVariable } from '../device-model.ts';
import { sameComponent, sameVariable } from '../monitoring.ts';
import type { SimStation201 } from '../sim-station-201.ts';
import { statusInfo, type AttributeType, type ComponentRef, type VariableRef } from '../types.ts';
import { handler, type CsmsRequestHandler } from './types.ts';

interface VariableEntry {
  component: ComponentRef;
  variable: VariableRef;
  attributeType?: AttributeType;
}

interface ComponentVariable {
  component: ComponentRef;
  variable?: VariableRef;
}

/** B06/B05: more entries than ItemsPerMessage is refused as a whole. */
function checkItems(station: SimStation201, count: number, message: string): void {
  const max = station.deviceModel.int(`DeviceDataCtrlr.ItemsPerMessage[${message}]`);
  if (count > max) throw new RpcError('OccurrenceConstraintViolation', `${message}: at most ${max} entries per message`);
}

const getVariables = handler<{ getVariableData: VariableEntry[] }>((station, { getVariableData }) => {
  checkItems(station, getVariableData.length, 'GetVariables');
  return {
    getVariableResult: getVariableData.map((entry) => {
      const { status, value } = station.deviceModel.read(entry.component, entry.variable, entry.attributeType);
      const result: Payload = { attributeStatus: status, component: entry.component, variable: entry.variable };
      if (entry.attributeType !== undefined) result.attributeType = entry.attributeType;
      if (value !== undefined) result.attributeValue = value.slice(0, 2500);
      if (status === 'Rejected') result.attributeStatusInfo = statusInfo('WriteOnly');
      return result;
    }),
  };
});

/** OCPPCommCtrlr.NetworkConfigurationPriority may only name slots that hold a profile (slot 1 is the one in use). */
function unknownSlot(station: SimStation201, entry: VariableEntry & { attributeValue: string }): boolean {
  if (entry.component.name.toLowerCase() !== 'ocppcommctrlr' || entry.variable.name.toLowerCase() !== 'networkconfigurationpriority') return false;
  return entry.attributeValue.split(',').some((slot) => Number(slot) !== 1 && !station.networkProfiles.has(Number(slot)));
}

const setVariables = handler<{ setVariableData: (VariableEntry & { attributeValue: string })[] }>((station, { setVariableData }) => {
  checkItems(station, setVariableData.length, 'SetVariables');
  return {
    setVariableResult: setVariableData.map((entry) => {
      const status = unknownSlot(station, entry)
        ? 'Rejected'
        : station.deviceModel.write(entry.component, entry.variable, entry.attributeValue, entry.attributeType);
      const result: Payload = { attributeStatus: status, component: entry.component, variable: entry.variable };
      if (entry.attributeType !== undefined) result.attributeType = entry.attributeType;
      return result;
    }),
  };
});

/** B07: Full = everything; Configuration = what the CSMS can set; Summary = availability and problems. */
function baseReport(model: DeviceModel, reportBase: string): LocatedVariable[] {
  const all = [...model.all()];
  switch (reportBase) {
    case 'ConfigurationInventory':
      return all.filter((l) => l.def.mutability !== 'ReadOnly');
    case 'SummaryInventory':
      return all.filter((l) => ['AvailabilityState', 'Available', 'Problem', 'Tripped', 'Overload', 'Fallback'].includes(l.def.variable));
    default:
      return all;
  }
}

/** B08: the components/variables asked for, of the components meeting any of the criteria (a variable of that name is true). */
function customReport(model: DeviceModel, componentVariable: ComponentVariable[] | undefined, criteria: string[] | undefined): LocatedVariable[] {
  const all = [...model.all()];
  const componentOf = (l: LocatedVariable): string => `${l.def.component}|${l.def.componentInstance ?? ''}|${l.evseId}`;
  let selected = all;
  if (componentVariable) {
    selected = selected.filter((l) => {
      const refs = model.refs(l);
      return componentVariable.some((cv) => sameComponent(cv.component, refs.component) && (cv.variable === undefined || sameVariable(cv.variable, refs.variable)));
    });
  }
  if (criteria) {
    const meeting = new Set(all.filter((l) => criteria.includes(l.def.variable) && model.actual(l) === 'true').map(componentOf));
    selected = selected.filter((l) => meeting.has(componentOf(l)));
  }
  return selected;
}

/** NotifyReport in parts of ItemsPerMessage[GetReport], seqNo from 0, tbc on all but the last. */
function sendReport(station: SimStation201, requestId: number, selection: LocatedVariable[]): Promise<void> {
  const model = station.deviceModel;
  const reportData = selection.map((l) => model.reportData(l));
  const generatedAt = new Date().toISOString();
  return station.sendInParts('NotifyReport', reportData, model.int('DeviceDataCtrlr.ItemsPerMessage[GetReport]'), (part, seqNo) => ({
    requestId,
    generatedAt,
    seqNo,
    reportData: part,
  }));
}

const getBaseReport = handler<{ requestId: number; reportBase: string }>((station, { requestId, reportBase }, after) => {
  const selection = baseReport(station.deviceModel, reportBase);
  if (selection.length === 0) return { status: 'EmptyResultSet' };
  after(() => void sendReport(station, requestId, selection));
  return { status: 'Accepted' };
});

const getReport = handler<{ requestId: number; componentVariable?: ComponentVariable[]; componentCriteria?: string[] }>(
  (station, { requestId, componentVariable, componentCriteria }, after) => {
    if (componentVariable) checkItems(station, componentVariable.length, 'GetReport');
    const selection = customReport(station.deviceModel, componentVariable, componentCriteria);
    if (selection.length === 0) return { status: 'EmptyResultSet' };
    after(() => void sendReport(station, requestId, selection));
    return { status: 'Accepted' };
  },
);

interface ConnectionData {
  ocppVersion: string;
  ocppTransport: string;
  ocppCsmsUrl: string;
  messageTimeout: number;
  securityProfile: number;
  ocppInterface: string;
}

/** B09: stores a connection profile in a slot of NetworkConfigurationPriority's list; it is used after a reboot. */
const setNetworkProfile = handler<{ configurationSlot: number; connectionData: ConnectionData }>((station, { configurationSlot, connectionData }) => {
  const slots = station.deviceModel.valuesList('OCPPCommCtrlr.NetworkConfigurationPriority').map(Number);
  if (!slots.includes(configurationSlot)) return { status: 'Rejected', statusInfo: statusInfo('InvalidConfSlot') };
  if (connectionData.ocppVersion !== 'OCPP20' || connectionData.ocppTransport !== 'JSON') return { status: 'Rejected', statusInfo: statusInfo('UnsupportedParam') };
  if (!/^wss?:\/\//.test(connectionData.ocppCsmsUrl)) return { status: 'Rejected', statusInfo: statusInfo('InvalidURL') };
  if (connectionData.securityProfile < station.securityProfile || connectionData.securityProfile > 3) {
    return { status: 'Rejected', statusInfo: statusInfo('InvalidProfile', 'a lower security profile is not allowed') };
  }
  if (connectionData.securityProfile >= 2 && !connectionData.ocppCsmsUrl.startsWith('wss://')) return { status: 'Rejected', statusInfo: statusInfo('InvalidURL') };
  station.networkProfiles.set(configurationSlot, { ...connectionData });
  return { status: 'Accepted' };
});

/** B11/B12: Immediate ends transactions (ImmediateReset) and reboots; OnIdle waits for them (Scheduled). */
const reset = handler<{ type: 'Immediate' | 'OnIdle'; evseId?: number }>((station, { type, evseId }, after) => {
  if (evseId !== undefined) {
    const evse = station.evse(evseId);
    if (!evse) return { status: 'Rejected', statusInfo: statusInfo('UnknownEVSE') };
    if (type === 'OnIdle' && evse.transaction) {
      evse.resetWhenIdle = true;
      return { status: 'Scheduled' };
    }
    after(() => void station.resetEvse(evse));
    return { status: 'Accepted' };
  }
  if (type === 'OnIdle' && station.evses.some((e) => e.transaction)) {
    station.resetWhenIdle = true;
    return { status: 'Scheduled' };
  }
  after(() => void station.resetStation());
  return { status: 'Accepted' };
});

/** B Provisioning. */
export const PROVISIONING_HANDLERS: Record<string, CsmsRequestHandler> = {
  GetVariables: getVariables,
  SetVariables: setVariables,
  GetBaseReport: getBaseReport,
  GetReport: getReport,
  SetNetworkProfile: setNetworkProfile,
  Reset: reset,
};
