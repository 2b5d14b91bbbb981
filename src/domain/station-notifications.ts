import type { ClusterBus } from '../cluster/bus.ts';
import type { StationEventRecord, Store } from '../store/ports.ts';

/**
 * The log of station-initiated notifications that are not transactions: firmware and diagnostics progress, log
 * uploads, security events. Each capability service writes through it, so they are stored and streamed alike.
 */
export class StationNotifications {
  private readonly store: Store;
  private readonly bus: ClusterBus;

  constructor(store: Store, bus: ClusterBus) {
    this.store = store;
    this.bus = bus;
  }

  async record(stationId: string, type: string, payload: Record<string, unknown>, timestamp?: string): Promise<StationEventRecord> {
    const receivedAt = new Date().toISOString();
    const event: StationEventRecord = { stationId, type, payload, timestamp: timestamp ?? receivedAt, receivedAt };
    await this.store.stationEvents.append(event);
    this.bus.publish({ type: 'station.notification', stationId, data: { type, ...payload, timestamp: event.timestamp } });
    return event;
  }

  list(stationId: string, type: string | undefined, limit: number): Promise<StationEventRecord[]> {
    return this.store.stationEvents.list(stationId, type, limit);
  }
}
