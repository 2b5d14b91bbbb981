import type { ClusterBus } from '../../cluster/bus.ts';
import type { DeviceModelQuery, DeviceVariableRecord, DeviceVariableUpdate, Store } from '../../store/ports.ts';
import { DomainError } from '../errors.ts';

/** A report of a station's device model, in one or more parts (2.x NotifyReport with tbc/seqNo). */
export interface DeviceModelReport {
  requestId: number;
  seqNo: number;
  /** More parts follow. */
  more: boolean;
  variables: DeviceVariableUpdate[];
}

/** A station's components and variables: stored from its reports and from what it answers to reads and writes. */
export class DeviceModelService {
  private readonly store: Store;
  private readonly bus: ClusterBus;

  constructor(store: Store, bus: ClusterBus) {
    this.store = store;
    this.bus = bus;
  }

  /** A part of a device model report (NotifyReport): stored as it arrives. */
  async reported(stationId: string, report: DeviceModelReport): Promise<void> {
    if (report.variables.length > 0) await this.store.deviceModel.upsert(stationId, report.variables, new Date().toISOString());
    if (!report.more) {
      this.bus.publish({ type: 'station.notification', stationId, data: { type: 'device-model.reported', requestId: report.requestId, parts: report.seqNo + 1 } });
    }
  }

  /** Values the station answered to a read or accepted in a write. */
  async valuesConfirmed(stationId: string, variables: DeviceVariableUpdate[]): Promise<void> {
    if (variables.length > 0) await this.store.deviceModel.upsert(stationId, variables, new Date().toISOString());
  }

  async list(stationId: string, query: DeviceModelQuery): Promise<DeviceVariableRecord[]> {
    if (!(await this.store.stations.get(stationId))) throw new DomainError('not_found', `Station ${stationId} is not known`);
    return this.store.deviceModel.list(stationId, query);
  }

  /** Forgets what is stored (e.g. before a new full inventory). */
  async clear(stationId: string): Promise<void> {
    await this.store.deviceModel.clear(stationId);
  }
}
