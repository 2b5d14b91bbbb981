import type { Payload } from '../../ocpp/rpc/frames.ts';
import { nextBoundary, type Timers } from '../timers.ts';
import type { DeviceModel, LocatedVariable } from './device-model.ts';
import type { MonitorEvent, MonitoringState, VariableMonitor } from './monitoring.ts';

/** What reporting monitor events needs of the station. */
export interface MonitorReporterHost {
  readonly deviceModel: DeviceModel;
  readonly monitoring: MonitoringState;
  readonly timers: Timers;
  /** Connected and Accepted: NotifyEvent may be sent. */
  mayReport(): boolean;
  notify(action: string, payload: Payload): Promise<void>;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Turns what the monitors notice into NotifyEvent (N07, N08): evaluates a variable when the station changed it,
 * runs the timers of periodic monitors, and reports the hard-wired Problem of a faulted connector.
 */
export class MonitorReporter {
  private readonly host: MonitorReporterHost;
  private readonly periodic = new Map<number, NodeJS.Timeout>();
  private nextEventId = 1;

  constructor(host: MonitorReporterHost) {
    this.host = host;
  }

  /** A monitor was set: periodic ones get their timer (PeriodicClockAligned at whole multiples of the period). */
  started(monitor: VariableMonitor): void {
    this.stopped(monitor.id);
    if (monitor.type !== 'Periodic' && monitor.type !== 'PeriodicClockAligned') return;
    const { timers, deviceModel, monitoring } = this.host;
    const periodMs = monitor.value * 1000;
    const fire = (): void => {
      if (monitoring.get(monitor.id) !== monitor) return;
      if (monitor.severity > deviceModel.int('MonitoringCtrlr.ActiveMonitoringLevel')) return;
      this.send([{ monitor, trigger: 'Periodic', actualValue: deviceModel.actual(monitor.located), cleared: false }]);
    };
    if (monitor.type === 'Periodic') {
      this.periodic.set(monitor.id, timers.every(periodMs, fire));
      return;
    }
    const aligned = (afterMs: number): void => {
      const due = nextBoundary(afterMs, periodMs);
      const next = timers.after(due - Date.now(), () => {
        fire();
        aligned(Math.max(due, Date.now()));
      });
      this.periodic.set(monitor.id, next);
    };
    aligned(Date.now());
  }

  /** A monitor was cleared: its timer goes. */
  stopped(id: number): void {
    this.host.timers.cancel(this.periodic.get(id));
    this.periodic.delete(id);
  }

  /** Evaluates the monitors of a variable the station has just changed. */
  observe(located: LocatedVariable): void {
    const { monitoring, deviceModel } = this.host;
    if (!monitoring.watches(located)) return;
    const events = monitoring.observe(located, deviceModel.actual(located), deviceModel.int('MonitoringCtrlr.ActiveMonitoringLevel'));
    if (events.length > 0) this.send(events);
  }

  /** `observe` by component and variable name; nothing to do (and no lookup) while there are no monitors. */
  observeVariable(component: { name: string; evse?: { id: number; connectorId?: number } }, variable: string): void {
    if (this.host.monitoring.size === 0) return;
    const located = this.host.deviceModel.locate(component, { name: variable });
    if (typeof located !== 'string') this.observe(located);
  }

  /** A connector became faulted (`errorCode`, sent as techCode) or healthy again: hard-wired NotifyEvent on its Problem. */
  problem(evseId: number, errorCode: string | undefined): void {
    const component = { name: 'Connector', evse: { id: evseId, connectorId: 1 } };
    if (this.host.mayReport()) {
      const event: Payload = {
        eventId: this.nextEventId++,
        timestamp: iso(Date.now()),
        trigger: 'Alerting',
        actualValue: String(errorCode !== undefined),
        component,
        variable: { name: 'Problem' },
        eventNotificationType: 'HardWiredNotification',
      };
      if (errorCode !== undefined) event.techCode = errorCode.slice(0, 50);
      else event.cleared = true;
      void this.host.notify('NotifyEvent', { generatedAt: iso(Date.now()), seqNo: 0, eventData: [event] });
    }
    this.observeVariable(component, 'Problem');
    this.observeVariable({ name: 'ChargingStation' }, 'Problem');
  }

  private send(events: MonitorEvent[]): void {
    if (!this.host.mayReport()) return;
    const now = iso(Date.now());
    const eventData = events.map((event) => {
      const data: Payload = {
        eventId: this.nextEventId++,
        timestamp: now,
        trigger: event.trigger,
        actualValue: event.actualValue.slice(0, 2500),
        ...this.host.deviceModel.refs(event.monitor.located),
        variableMonitoringId: event.monitor.id,
        eventNotificationType: event.monitor.kind,
      };
      if (event.cleared) data.cleared = true;
      return data;
    });
    void this.host.notify('NotifyEvent', { generatedAt: now, seqNo: 0, eventData });
  }
}
