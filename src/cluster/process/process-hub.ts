import type { Worker } from 'node:cluster';
import type { DomainEvent } from '../../domain/events.ts';
import { isJouleMessage, type HubToWorker, type WorkerToHub } from './messages.ts';

/**
 * The primary's side of the worker bus: fans events out to the other workers, mirrors presence (which worker holds
 * which station) to all, and routes command calls to the holding worker and the reply back.
 */
export class ProcessHub {
  private readonly workers = new Map<number, Worker>();
  private readonly holder = new Map<string, number>();
  private nextCallId = 1;
  /** hub call id -> the worker that asked and its own call id. */
  private readonly routes = new Map<number, { from: number; callId: number }>();
  private readonly publishDisconnects: (worker: number, stationIds: string[]) => DomainEvent[];

  /** `publishDisconnects` builds the station.disconnected events for the stations of a worker that died. */
  constructor(publishDisconnects: (worker: number, stationIds: string[]) => DomainEvent[]) {
    this.publishDisconnects = publishDisconnects;
  }

  add(worker: Worker): void {
    this.workers.set(worker.id, worker);
    worker.on('message', (message: unknown) => {
      if (isJouleMessage(message)) this.receive(worker.id, message as WorkerToHub);
    });
    // A new worker learns who holds what.
    if (this.holder.size > 0) this.sendTo(worker.id, { t: 'presence', changes: [...this.holder.entries()] });
  }

  /** A worker exited: its stations are offline now (they will reconnect to a surviving worker). */
  remove(workerId: number): void {
    this.workers.delete(workerId);
    const lost: string[] = [];
    for (const [stationId, holder] of this.holder) {
      if (holder === workerId) lost.push(stationId);
    }
    for (const stationId of lost) this.holder.delete(stationId);
    if (lost.length) {
      this.broadcast({ t: 'presence', changes: lost.map((id) => [id, null]) });
      this.broadcast({ t: 'events', events: this.publishDisconnects(workerId, lost) });
    }
    for (const [callId, route] of this.routes) {
      if (route.from === workerId) this.routes.delete(callId);
    }
  }

  private receive(from: number, message: WorkerToHub): void {
    switch (message.t) {
      case 'events':
        this.broadcast(message, from);
        return;
      case 'claim': {
        for (const id of message.stationIds) this.holder.set(id, from);
        this.broadcast({ t: 'presence', changes: message.stationIds.map((id) => [id, from]) }, from);
        return;
      }
      case 'release': {
        const released: [string, null][] = [];
        for (const id of message.stationIds) {
          if (this.holder.get(id) === from) {
            this.holder.delete(id);
            released.push([id, null]);
          }
        }
        if (released.length) this.broadcast({ t: 'presence', changes: released }, from);
        return;
      }
      case 'call': {
        const target = this.holder.get(message.request.stationId);
        if (target === undefined || !this.workers.has(target)) {
          this.sendTo(from, { t: 'reply', callId: message.callId, outcome: { status: 'offline' } });
          return;
        }
        const hubCallId = this.nextCallId++;
        this.routes.set(hubCallId, { from, callId: message.callId });
        this.sendTo(target, { t: 'call', callId: hubCallId, request: message.request });
        return;
      }
      case 'reply': {
        const route = this.routes.get(message.callId);
        if (!route) return;
        this.routes.delete(message.callId);
        this.sendTo(route.from, { t: 'reply', callId: route.callId, outcome: message.outcome });
        return;
      }
    }
  }

  private sendTo(workerId: number, message: HubToWorker): void {
    const worker = this.workers.get(workerId);
    if (worker?.isConnected()) worker.send(message);
  }

  private broadcast(message: HubToWorker, except?: number): void {
    for (const [id, worker] of this.workers) {
      if (id !== except && worker.isConnected()) worker.send(message);
    }
  }
}
