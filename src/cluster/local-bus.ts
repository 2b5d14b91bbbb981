import type { DomainEvent } from '../domain/events.ts';
import { stampEvent, type ClusterBus, type StationCallHandler, type StationCallOutcome, type StationCallRequest } from './bus.ts';

/** The in-process bus for a single node: events go to local subscribers, commands to the local gateway. */
export class LocalBus implements ClusterBus {
  readonly nodeId: string;
  private readonly listeners = new Set<(event: DomainEvent) => void>();
  private readonly online = new Set<string>();
  private handler: StationCallHandler | undefined;
  private sequence = 0;

  constructor(nodeId = 'local') {
    this.nodeId = nodeId;
  }

  publish(event: Omit<DomainEvent, 'id' | 'at'> & { at?: string }): void {
    const full = stampEvent(this.nodeId, ++this.sequence, event);
    for (const listener of this.listeners) {
      try {
        listener(full);
      } catch {
        // A failing subscriber must not break the publisher or the other subscribers.
      }
    }
  }

  subscribe(listener: (event: DomainEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async callStation(request: StationCallRequest): Promise<StationCallOutcome> {
    if (!this.handler || !this.online.has(request.stationId)) return { status: 'offline' };
    return this.handler(request);
  }

  serveStationCalls(handler: StationCallHandler): void {
    this.handler = handler;
  }

  claimStation(stationId: string): void {
    this.online.add(stationId);
  }

  releaseStation(stationId: string): void {
    this.online.delete(stationId);
  }

  /** One node: a newer connection always lands here, where the gateway replaces the older one itself. */
  onClaimedElsewhere(_listener: (stationId: string) => void): void {}

  async isOnline(stationId: string): Promise<boolean> {
    return this.online.has(stationId);
  }

  async onlineStations(): Promise<Set<string>> {
    return new Set(this.online);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.handler = undefined;
  }
}
