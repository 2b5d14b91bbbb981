import type { DomainEvent } from '../../domain/events.ts';
import { stampEvent, type ClusterBus, type StationCallHandler, type StationCallOutcome, type StationCallRequest } from '../bus.ts';
import { isJouleMessage, type HubToWorker, type WorkerToHub } from './messages.ts';

/** Extra time a routed call may take beyond the station's own timeout (IPC hops). */
const ROUTING_MARGIN_MS = 2_000;

/**
 * The bus of one worker process among several on one machine (`joule serve --workers N`). The primary process
 * routes between workers (process-hub.ts): events fan out to every worker, commands go to the worker holding the
 * station, presence is mirrored in every worker so reads need no round trip. Outgoing events and presence changes
 * are batched per event-loop turn, so a busy worker sends one IPC message per turn, not one per station message.
 */
export class ProcessBus implements ClusterBus {
  readonly nodeId: string;
  private readonly workerId: number;
  private readonly listeners = new Set<(event: DomainEvent) => void>();
  /** station id -> worker id holding it (this worker's own claims included). */
  private readonly presence = new Map<string, number>();
  private handler: StationCallHandler | undefined;
  private claimedElsewhere: (stationId: string) => void = () => {};
  private sequence = 0;
  private nextCallId = 1;
  private readonly pendingCalls = new Map<number, { resolve: (o: StationCallOutcome) => void; timer: NodeJS.Timeout }>();
  private outbox: DomainEvent[] = [];
  private claims: string[] = [];
  private releases: string[] = [];
  private flushScheduled = false;
  private readonly send: (message: WorkerToHub) => void;
  private readonly onMessage = (message: unknown) => {
    if (isJouleMessage(message)) this.receive(message as HubToWorker);
  };

  constructor(workerId: number, send: (message: WorkerToHub) => void = (m) => process.send?.(m)) {
    this.workerId = workerId;
    this.nodeId = `worker-${workerId}`;
    this.send = send;
    process.on('message', this.onMessage);
  }

  publish(event: Omit<DomainEvent, 'id' | 'at'> & { at?: string }): void {
    const full = stampEvent(this.nodeId, ++this.sequence, event);
    this.deliver(full);
    this.outbox.push(full);
    this.scheduleFlush();
  }

  subscribe(listener: (event: DomainEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async callStation(request: StationCallRequest): Promise<StationCallOutcome> {
    const holder = this.presence.get(request.stationId);
    if (holder === undefined) return { status: 'offline' };
    if (holder === this.workerId) return this.handler ? this.handler(request) : { status: 'offline' };
    const callId = this.nextCallId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pendingCalls.delete(callId);
        resolve({ status: 'timeout' });
      }, request.timeoutMs + ROUTING_MARGIN_MS);
      this.pendingCalls.set(callId, { resolve, timer });
      this.send({ t: 'call', callId, request });
    });
  }

  serveStationCalls(handler: StationCallHandler): void {
    this.handler = handler;
  }

  claimStation(stationId: string): void {
    this.presence.set(stationId, this.workerId);
    this.claims.push(stationId);
    this.scheduleFlush();
  }

  releaseStation(stationId: string): void {
    if (this.presence.get(stationId) === this.workerId) this.presence.delete(stationId);
    this.releases.push(stationId);
    this.scheduleFlush();
  }

  onClaimedElsewhere(listener: (stationId: string) => void): void {
    this.claimedElsewhere = listener;
  }

  async isOnline(stationId: string): Promise<boolean> {
    return this.presence.has(stationId);
  }

  async onlineStations(): Promise<Set<string>> {
    return new Set(this.presence.keys());
  }

  async close(): Promise<void> {
    this.flush();
    process.off('message', this.onMessage);
    for (const [, pending] of this.pendingCalls) {
      clearTimeout(pending.timer);
      pending.resolve({ status: 'offline' });
    }
    this.pendingCalls.clear();
    this.listeners.clear();
  }

  private deliver(event: DomainEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A failing subscriber must not break the publisher or the other subscribers.
      }
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    // Releases before claims: a station that reconnected within one turn ends up claimed.
    if (this.releases.length) this.send({ t: 'release', stationIds: this.releases });
    if (this.claims.length) this.send({ t: 'claim', stationIds: this.claims });
    if (this.outbox.length) this.send({ t: 'events', events: this.outbox });
    this.releases = [];
    this.claims = [];
    this.outbox = [];
  }

  private receive(message: HubToWorker): void {
    switch (message.t) {
      case 'events':
        for (const event of message.events) this.deliver(event);
        return;
      case 'presence':
        for (const [stationId, worker] of message.changes) {
          if (worker === null) {
            if (this.presence.get(stationId) !== this.workerId) this.presence.delete(stationId);
          } else if (worker !== this.workerId || !this.presence.has(stationId)) {
            const heldHere = this.presence.get(stationId) === this.workerId;
            this.presence.set(stationId, worker);
            if (heldHere && worker !== this.workerId) this.claimedElsewhere(stationId);
          }
        }
        return;
      case 'call': {
        const { callId, request } = message;
        const handled = this.handler && this.presence.get(request.stationId) === this.workerId
          ? this.handler(request)
          : Promise.resolve<StationCallOutcome>({ status: 'offline' });
        handled.then(
          (outcome) => this.send({ t: 'reply', callId, outcome }),
          (err: unknown) => this.send({ t: 'reply', callId, outcome: { status: 'error', error: { code: 'InternalError', description: String(err) } } }),
        );
        return;
      }
      case 'reply': {
        const pending = this.pendingCalls.get(message.callId);
        if (!pending) return;
        this.pendingCalls.delete(message.callId);
        clearTimeout(pending.timer);
        pending.resolve(message.outcome);
        return;
      }
    }
  }
}
