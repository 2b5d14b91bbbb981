import type { DeviceVariableUpdate } from '../../../src/store/ports.ts';

/** A NotifyReport's worth of attributes (one component, `count` variables) for the engines' batching tests. */
export function deviceModelReport(count: number): DeviceVariableUpdate[] {
  return Array.from({ length: count }, (_, index) => ({
    component: 'Controller', componentInstance: null, evseId: null, connectorId: null, variable: `V${index}`,
    variableInstance: null, attributeType: 'Actual', value: String(index), mutability: 'ReadOnly', persistent: null,
    constant: null, unit: null, dataType: 'integer', minLimit: null, maxLimit: null, valuesList: null, supportsMonitoring: null,
  }));
}
