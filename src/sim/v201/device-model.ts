import { STANDARD_VARIABLES, type DeviceModelSource, type VariableDefinition } from './standard-variables.ts';
import type { AttributeType, ComponentRef, VariableRef } from './types.ts';

/** One variable of one component instance: a definition and, for EVSE and Connector components, the EVSE. */
export interface LocatedVariable {
  def: VariableDefinition;
  /** 0 for station-wide components. */
  evseId: number;
}

export type GetVariableStatus = 'Accepted' | 'Rejected' | 'UnknownComponent' | 'UnknownVariable' | 'NotSupportedAttributeType';
export type SetVariableStatus = GetVariableStatus | 'RebootRequired';

/** NotifyReport `reportData` element. */
export type ReportData = Record<string, unknown>;

/** Values longer than this are cut in reports (ReportingValueSize). */
const REPORT_VALUE_SIZE = 2500;

function componentKey(name: string, instance: string | undefined): string {
  return `${name}|${instance ?? ''}`.toLowerCase();
}

function variableKey(def: VariableDefinition): string {
  return `${componentKey(def.component, def.componentInstance)}|${def.variable}|${def.variableInstance ?? ''}`.toLowerCase();
}

/** `OCPPCommCtrlr.MessageTimeout[Default]` -> the same key as the definition's. */
function pathKey(path: string): string {
  const m = /^([^.]+)\.([^[]+)(?:\[(.+)\])?$/.exec(path);
  if (!m?.[1] || !m[2]) throw new Error(`bad device model path ${path}`);
  return `${componentKey(m[1], undefined)}|${m[2]}|${m[3] ?? ''}`.toLowerCase();
}

const BY_KEY = new Map(STANDARD_VARIABLES.map((def) => [variableKey(def), def]));
const COMPONENT_SCOPES = new Map(STANDARD_VARIABLES.map((def) => [componentKey(def.component, def.componentInstance), def.scope]));

function isNumber(text: string): boolean {
  return text.trim() !== '' && Number.isFinite(Number(text));
}

/** Whether `value` is acceptable for `def` (type, limits, list members). */
export function validValue(def: VariableDefinition, value: string): boolean {
  const list = def.valuesList?.split(',') ?? [];
  const items = value === '' ? [] : value.split(',').map((s) => s.trim());
  switch (def.dataType) {
    case 'integer':
    case 'decimal': {
      if (def.dataType === 'integer' ? !/^-?\d+$/.test(value) : !isNumber(value)) return false;
      const n = Number(value);
      return (def.minLimit === undefined || n >= def.minLimit) && (def.maxLimit === undefined || n <= def.maxLimit);
    }
    case 'boolean':
      return /^(true|false)$/i.test(value);
    case 'dateTime':
      return !Number.isNaN(Date.parse(value));
    case 'OptionList':
      return list.includes(value);
    case 'MemberList':
    case 'SequenceList':
      return items.every((item) => list.includes(item)) && new Set(items).size === items.length;
    case 'string':
      return (def.minLimit === undefined || value.length >= def.minLimit) && (def.maxLimit === undefined || value.length <= def.maxLimit);
  }
}

/**
 * A station's device model: the shared standard definitions plus this station's values (only those that differ
 * from the defaults are stored, so thousands of stations stay cheap). Component and variable names are compared
 * case-insensitively (CiString). Live variables (AvailabilityState, Power, Entries, ...) are read from the station.
 */
export class DeviceModel {
  /** Called after a configuration variable changed (SetVariables or `set`). */
  onChange: ((located: LocatedVariable, value: string) => void) | undefined;
  private readonly source: DeviceModelSource;
  private readonly values = new Map<string, string>();

  constructor(source: DeviceModelSource, overrides: Record<string, string> = {}) {
    this.source = source;
    for (const [path, value] of Object.entries(overrides)) {
      const def = BY_KEY.get(pathKey(path));
      if (!def || def.read || !validValue(def, value)) throw new Error(`device model: cannot set ${path} to "${value}"`);
      this.values.set(`${variableKey(def)}#0`, def.dataType === 'boolean' ? value.toLowerCase() : value);
    }
  }

  /** A station-wide variable's Actual value by path, e.g. `SampledDataCtrlr.TxUpdatedInterval`. */
  get(path: string): string {
    const def = BY_KEY.get(pathKey(path));
    if (!def) throw new Error(`device model: unknown variable ${path}`);
    return this.actual({ def, evseId: 0 });
  }

  int(path: string): number {
    const n = Number(this.get(path));
    return Number.isFinite(n) ? n : 0;
  }

  bool(path: string): boolean {
    return this.get(path).toLowerCase() === 'true';
  }

  /** A station-wide variable's maxLimit characteristic (e.g. the most LocalAuthListCtrlr.Entries); Infinity if none. */
  maxLimit(path: string): number {
    return BY_KEY.get(pathKey(path))?.maxLimit ?? Number.POSITIVE_INFINITY;
  }

  /** The accepted items of a list variable (its valuesList characteristic). */
  valuesList(path: string): string[] {
    return BY_KEY.get(pathKey(path))?.valuesList?.split(',') ?? [];
  }

  /** The items of a MemberList or SequenceList variable. */
  list(path: string): string[] {
    return this.get(path).split(',').map((s) => s.trim()).filter((s) => s !== '');
  }

  /** Sets a station-wide variable from inside the station (no mutability check; e.g. HeartbeatInterval from Boot). */
  set(path: string, value: string): void {
    const def = BY_KEY.get(pathKey(path));
    if (!def || def.read) throw new Error(`device model: cannot set ${path}`);
    this.store({ def, evseId: 0 }, value);
  }

  /** Finds a component's variable, or says which part is unknown. */
  locate(component: ComponentRef, variable: VariableRef): LocatedVariable | 'UnknownComponent' | 'UnknownVariable' {
    const key = componentKey(component.name, component.instance);
    const scope = COMPONENT_SCOPES.get(key);
    if (scope === undefined) return 'UnknownComponent';
    let evseId = 0;
    if (scope === 'station') {
      if (component.evse !== undefined) return 'UnknownComponent';
    } else {
      const evse = component.evse;
      if (!evse || evse.id < 1 || evse.id > this.source.evseCount) return 'UnknownComponent';
      if (scope === 'evse' && evse.connectorId !== undefined) return 'UnknownComponent';
      if (scope === 'connector' && evse.connectorId !== undefined && evse.connectorId !== 1) return 'UnknownComponent';
      evseId = evse.id;
    }
    const def = BY_KEY.get(`${key}|${variable.name}|${variable.instance ?? ''}`.toLowerCase());
    return def ? { def, evseId } : 'UnknownVariable';
  }

  /** The Actual value (live or configured). */
  actual(located: LocatedVariable): string {
    const { def, evseId } = located;
    if (def.read) return def.read(this.source, evseId);
    return this.values.get(`${variableKey(def)}#${evseId}`) ?? def.value ?? '';
  }

  /** GetVariables for one entry. */
  read(component: ComponentRef, variable: VariableRef, attributeType: AttributeType = 'Actual'): { status: GetVariableStatus; value?: string } {
    const located = this.locate(component, variable);
    if (typeof located === 'string') return { status: located };
    const { def, evseId } = located;
    if (attributeType !== 'Actual') {
      const extra = def.extraAttributes?.find((a) => a.type === attributeType);
      return extra ? { status: 'Accepted', value: extra.read(this.source, evseId) } : { status: 'NotSupportedAttributeType' };
    }
    if (def.mutability === 'WriteOnly') return { status: 'Rejected' };
    return { status: 'Accepted', value: this.actual(located) };
  }

  /** SetVariables for one entry: read-only or invalid -> Rejected; a change that needs a reboot -> RebootRequired. */
  write(component: ComponentRef, variable: VariableRef, value: string, attributeType: AttributeType = 'Actual'): SetVariableStatus {
    const located = this.locate(component, variable);
    if (typeof located === 'string') return located;
    const { def } = located;
    if (attributeType !== 'Actual') return 'NotSupportedAttributeType';
    if (def.mutability === 'ReadOnly' || def.read) return 'Rejected';
    if (!validValue(def, value)) return 'Rejected';
    this.store(located, def.dataType === 'boolean' ? value.toLowerCase() : value);
    return def.rebootRequired ? 'RebootRequired' : 'Accepted';
  }

  /** Every variable of every component instance, in report order. */
  *all(): Generator<LocatedVariable> {
    for (const def of STANDARD_VARIABLES) if (def.scope === 'station') yield { def, evseId: 0 };
    for (let evseId = 1; evseId <= this.source.evseCount; evseId++) {
      for (const def of STANDARD_VARIABLES) if (def.scope !== 'station') yield { def, evseId };
    }
  }

  /** The ComponentType and VariableType of a located variable, as messages carry them. */
  refs(located: LocatedVariable): { component: ComponentRef; variable: VariableRef } {
    const { def, evseId } = located;
    const component: ComponentRef = { name: def.component };
    if (def.componentInstance !== undefined) component.instance = def.componentInstance;
    if (def.scope === 'evse') component.evse = { id: evseId };
    else if (def.scope === 'connector') component.evse = { id: evseId, connectorId: 1 };
    const variable: VariableRef = { name: def.variable };
    if (def.variableInstance !== undefined) variable.instance = def.variableInstance;
    return { component, variable };
  }

  /** One NotifyReport `reportData` element: attributes (no value for write-only ones) and characteristics. */
  reportData(located: LocatedVariable): ReportData {
    const { def, evseId } = located;
    const actual: Record<string, unknown> = { type: 'Actual', mutability: def.mutability, persistent: !def.read, constant: def.mutability === 'ReadOnly' && !def.read };
    if (def.mutability !== 'WriteOnly') actual.value = this.actual(located).slice(0, REPORT_VALUE_SIZE);
    const attributes = [actual];
    for (const extra of def.extraAttributes ?? []) {
      attributes.push({ type: extra.type, value: extra.read(this.source, evseId).slice(0, REPORT_VALUE_SIZE), mutability: 'ReadOnly' });
    }
    const characteristics: Record<string, unknown> = { dataType: def.dataType, supportsMonitoring: def.mutability !== 'WriteOnly' };
    if (def.unit !== undefined) characteristics.unit = def.unit;
    if (def.minLimit !== undefined) characteristics.minLimit = def.minLimit;
    if (def.maxLimit !== undefined) characteristics.maxLimit = def.maxLimit;
    if (def.valuesList !== undefined) characteristics.valuesList = def.valuesList;
    return { ...this.refs(located), variableAttribute: attributes, variableCharacteristics: characteristics };
  }

  private store(located: LocatedVariable, value: string): void {
    const { def, evseId } = located;
    const key = `${variableKey(def)}#${evseId}`;
    if (this.values.get(key) === value || (!this.values.has(key) && def.value === value)) return;
    if (value === def.value) this.values.delete(key);
    else this.values.set(key, value);
    this.onChange?.(located, value);
  }
}
