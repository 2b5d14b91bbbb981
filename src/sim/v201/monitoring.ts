import type { DeviceModel, LocatedVariable } from './device-model.ts';
import type { ComponentRef, MonitorType, VariableRef } from './types.ts';

export type MonitorKind = 'CustomMonitor' | 'PreconfiguredMonitor' | 'HardWiredMonitor';
export type MonitoringBase = 'All' | 'FactoryDefault' | 'HardWiredOnly';

/** One variable monitor (N04) and what it last saw. */
export interface VariableMonitor {
  id: number;
  located: LocatedVariable;
  type: MonitorType;
  value: number;
  severity: number;
  transaction: boolean;
  kind: MonitorKind;
  /** Threshold monitors: the value is beyond the threshold now. */
  tripped: boolean;
  /** Delta monitors: the value the next change is measured against. */
  reference: string;
}

/** SetVariableMonitoring's `setMonitoringData` element. */
export interface SetMonitoringData {
  id?: number;
  transaction?: boolean;
  value: number;
  type: MonitorType;
  severity: number;
  component: ComponentRef;
  variable: VariableRef;
}

export type SetMonitoringStatus = 'Accepted' | 'UnknownComponent' | 'UnknownVariable' | 'UnsupportedMonitorType' | 'Rejected' | 'Duplicate';

/** What a monitor noticed: the NotifyEvent `eventData` is built from it. */
export interface MonitorEvent {
  monitor: VariableMonitor;
  trigger: 'Alerting' | 'Delta' | 'Periodic';
  actualValue: string;
  cleared: boolean;
}

/** GetMonitoringReport `monitoringCriteria` -> the monitor types they select. */
const CRITERIA_TYPES: Record<string, readonly MonitorType[]> = {
  ThresholdMonitoring: ['UpperThreshold', 'LowerThreshold'],
  DeltaMonitoring: ['Delta'],
  PeriodicMonitoring: ['Periodic', 'PeriodicClockAligned'],
};

export function locatedKey(located: LocatedVariable): string {
  const { def, evseId } = located;
  return `${def.component}|${def.componentInstance ?? ''}|${def.variable}|${def.variableInstance ?? ''}#${evseId}`.toLowerCase();
}

function numeric(located: LocatedVariable): boolean {
  return located.def.dataType === 'integer' || located.def.dataType === 'decimal';
}

/**
 * The variable monitors of a station (OCPP 2.0.1 N04-N07): thresholds and deltas evaluated whenever the station
 * observes a monitored variable (a SetVariables change, a status change, a new power reading), periodic monitors
 * driven by the station's timers. Monitors whose severity is above the monitoring level are not reported.
 */
export class MonitoringState {
  private readonly monitors = new Map<number, VariableMonitor>();
  /** locatedKey -> monitors on that variable; lets `observe` return at once for unmonitored variables. */
  private readonly byVariable = new Map<string, VariableMonitor[]>();
  private nextId = 1;

  get size(): number {
    return this.monitors.size;
  }

  get(id: number): VariableMonitor | undefined {
    return this.monitors.get(id);
  }

  /** SetVariableMonitoring for one entry; returns the status and, when Accepted, the monitor. */
  set(data: SetMonitoringData, model: DeviceModel): { status: SetMonitoringStatus; monitor?: VariableMonitor } {
    const located = model.locate(data.component, data.variable);
    if (typeof located === 'string') return { status: located };
    if (located.def.mutability === 'WriteOnly') return { status: 'UnsupportedMonitorType' };
    const threshold = data.type === 'UpperThreshold' || data.type === 'LowerThreshold';
    if (threshold && !numeric(located)) return { status: 'UnsupportedMonitorType' };
    if (data.severity < 0 || data.severity > 9) return { status: 'Rejected' };
    if ((data.type === 'Periodic' || data.type === 'PeriodicClockAligned') && data.value <= 0) return { status: 'Rejected' };
    if (data.type === 'Delta' && data.value < 0) return { status: 'Rejected' };
    const key = locatedKey(located);
    const existing = data.id === undefined ? undefined : this.monitors.get(data.id);
    if (data.id !== undefined && (!existing || existing.kind === 'HardWiredMonitor')) return { status: 'Rejected' };
    const duplicate = (this.byVariable.get(key) ?? []).some(
      (m) => m.id !== data.id && m.type === data.type && m.value === data.value && m.severity === data.severity,
    );
    if (duplicate) return { status: 'Duplicate' };
    if (existing) this.remove(existing.id);
    const current = model.actual(located);
    const monitor: VariableMonitor = {
      id: existing?.id ?? this.nextId++,
      located,
      type: data.type,
      value: data.value,
      severity: data.severity,
      transaction: data.transaction ?? false,
      kind: existing?.kind ?? 'CustomMonitor',
      tripped: threshold && this.beyond(data.type, data.value, current),
      reference: current,
    };
    this.monitors.set(monitor.id, monitor);
    const list = this.byVariable.get(key);
    if (list) list.push(monitor);
    else this.byVariable.set(key, [monitor]);
    return { status: 'Accepted', monitor };
  }

  /** ClearVariableMonitoring for one id. */
  clear(id: number): 'Accepted' | 'Rejected' | 'NotFound' {
    const monitor = this.monitors.get(id);
    if (!monitor) return 'NotFound';
    if (monitor.kind === 'HardWiredMonitor') return 'Rejected';
    this.remove(id);
    return 'Accepted';
  }

  /** SetMonitoringBase: FactoryDefault and HardWiredOnly remove the custom monitors. Returns the removed ones. */
  applyBase(base: MonitoringBase): VariableMonitor[] {
    if (base === 'All') return [];
    const removed = [...this.monitors.values()].filter((m) => m.kind === 'CustomMonitor' || (base === 'HardWiredOnly' && m.kind === 'PreconfiguredMonitor'));
    for (const monitor of removed) this.remove(monitor.id);
    return removed;
  }

  /** True when some monitor watches this variable. */
  watches(located: LocatedVariable): boolean {
    return this.byVariable.has(locatedKey(located));
  }

  /**
   * The events a new value of a monitored variable causes: a threshold crossed (or cleared again), a delta
   * exceeded (numbers) or any change (other types). `maxSeverity` is the monitoring level.
   */
  observe(located: LocatedVariable, value: string, maxSeverity: number): MonitorEvent[] {
    const monitors = this.byVariable.get(locatedKey(located));
    if (!monitors) return [];
    const events: MonitorEvent[] = [];
    for (const monitor of monitors) {
      if (monitor.type === 'UpperThreshold' || monitor.type === 'LowerThreshold') {
        const beyond = this.beyond(monitor.type, monitor.value, value);
        if (beyond === monitor.tripped) continue;
        monitor.tripped = beyond;
        if (monitor.severity <= maxSeverity) events.push({ monitor, trigger: 'Alerting', actualValue: value, cleared: !beyond });
      } else if (monitor.type === 'Delta') {
        const changed = numeric(located)
          ? Math.abs(Number(value) - Number(monitor.reference)) >= monitor.value && value !== monitor.reference
          : value !== monitor.reference;
        if (!changed) continue;
        monitor.reference = value;
        if (monitor.severity <= maxSeverity) events.push({ monitor, trigger: 'Delta', actualValue: value, cleared: false });
      }
    }
    return events;
  }

  /** GetMonitoringReport: monitors on the given components/variables, of the given criteria. */
  find(componentVariables: readonly { component: ComponentRef; variable?: VariableRef }[] | undefined, criteria: readonly string[] | undefined, model: DeviceModel): VariableMonitor[] {
    const types = criteria === undefined ? undefined : new Set(criteria.flatMap((c) => CRITERIA_TYPES[c] ?? []));
    return [...this.monitors.values()].filter((monitor) => {
      if (types && !types.has(monitor.type)) return false;
      if (!componentVariables) return true;
      const refs = model.refs(monitor.located);
      return componentVariables.some((cv) => sameComponent(cv.component, refs.component) && (cv.variable === undefined || sameVariable(cv.variable, refs.variable)));
    });
  }

  private beyond(type: MonitorType, threshold: number, value: string): boolean {
    const n = Number(value);
    if (!Number.isFinite(n)) return false;
    return type === 'UpperThreshold' ? n > threshold : n < threshold;
  }

  private remove(id: number): void {
    const monitor = this.monitors.get(id);
    if (!monitor) return;
    this.monitors.delete(id);
    const key = locatedKey(monitor.located);
    const rest = (this.byVariable.get(key) ?? []).filter((m) => m.id !== id);
    if (rest.length > 0) this.byVariable.set(key, rest);
    else this.byVariable.delete(key);
  }
}

function same(a: string | undefined, b: string | undefined): boolean {
  return (a ?? '').toLowerCase() === (b ?? '').toLowerCase();
}

/** A requested component matches when its name and instance match and, if it names an EVSE (and connector), those too. */
export function sameComponent(wanted: ComponentRef, actual: ComponentRef): boolean {
  if (!same(wanted.name, actual.name)) return false;
  if (wanted.instance !== undefined && !same(wanted.instance, actual.instance)) return false;
  if (wanted.evse === undefined) return true;
  if (actual.evse?.id !== wanted.evse.id) return false;
  return wanted.evse.connectorId === undefined || actual.evse.connectorId === wanted.evse.connectorId;
}

/** A requested variable matches by name and, if given, instance. */
export function sameVariable(wanted: VariableRef, actual: VariableRef): boolean {
  return same(wanted.name, actual.name) && (wanted.instance === undefined || same(wanted.instance, actual.instance));
}
