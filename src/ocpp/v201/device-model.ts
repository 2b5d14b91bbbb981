import type { DeviceVariableUpdate } from '../../store/ports.ts';
import type { ComponentRef201, GetVariablesConf201, NotifyReportReq201, SetVariablesConf201, SetVariablesReq201, VariableRef201 } from './messages.ts';

function identity(component: ComponentRef201, variable: VariableRef201, attributeType: string | undefined) {
  return {
    component: component.name,
    componentInstance: component.instance ?? null,
    evseId: component.evse?.id ?? null,
    connectorId: component.evse?.connectorId ?? null,
    variable: variable.name,
    variableInstance: variable.instance ?? null,
    attributeType: attributeType ?? 'Actual',
  };
}

const NO_CHARACTERISTICS = {
  mutability: null, persistent: null, constant: null, unit: null, dataType: null, minLimit: null, maxLimit: null,
  valuesList: null, supportsMonitoring: null,
} as const;

/** NotifyReport reportData: one update per variable attribute, with the variable's characteristics. */
export function reportedVariables(report: NotifyReportReq201): DeviceVariableUpdate[] {
  const updates: DeviceVariableUpdate[] = [];
  for (const item of report.reportData ?? []) {
    const c = item.variableCharacteristics;
    for (const attribute of item.variableAttribute) {
      updates.push({
        ...identity(item.component, item.variable, attribute.type),
        value: attribute.value ?? null,
        mutability: attribute.mutability ?? null,
        persistent: attribute.persistent ?? null,
        constant: attribute.constant ?? null,
        unit: c?.unit ?? null,
        dataType: c?.dataType ?? null,
        minLimit: c?.minLimit ?? null,
        maxLimit: c?.maxLimit ?? null,
        valuesList: c?.valuesList ?? null,
        supportsMonitoring: c?.supportsMonitoring ?? null,
      });
    }
  }
  return updates;
}

/** GetVariables results the station could read (status Accepted) become the stored values. */
export function readVariables(response: GetVariablesConf201): DeviceVariableUpdate[] {
  return response.getVariableResult
    .filter((r) => r.attributeStatus === 'Accepted')
    .map((r) => ({ ...identity(r.component, r.variable, r.attributeType), value: r.attributeValue ?? null, ...NO_CHARACTERISTICS }));
}

/**
 * SetVariables values the station accepted (Accepted, or RebootRequired: stored, effective after a reboot). Write-only
 * secrets (SecurityCtrlr.BasicAuthPassword) are never stored.
 */
export function writtenVariables(request: SetVariablesReq201, response: SetVariablesConf201): DeviceVariableUpdate[] {
  const updates: DeviceVariableUpdate[] = [];
  for (const result of response.setVariableResult) {
    if (result.attributeStatus !== 'Accepted' && result.attributeStatus !== 'RebootRequired') continue;
    if (result.component.name === 'SecurityCtrlr' && result.variable.name === 'BasicAuthPassword') continue;
    const sent = request.setVariableData.find((d) =>
      d.component.name === result.component.name && (d.component.instance ?? null) === (result.component.instance ?? null) &&
      (d.component.evse?.id ?? null) === (result.component.evse?.id ?? null) &&
      (d.component.evse?.connectorId ?? null) === (result.component.evse?.connectorId ?? null) &&
      d.variable.name === result.variable.name && (d.variable.instance ?? null) === (result.variable.instance ?? null) &&
      (d.attributeType ?? 'Actual') === (result.attributeType ?? 'Actual'));
    if (!sent) continue;
    updates.push({ ...identity(result.component, result.variable, result.attributeType), value: sent.attributeValue, ...NO_CHARACTERISTICS });
  }
  return updates;
}
