import { connect, ErrorCode, headers, NatsError, type Msg, type NatsConnection, type Subscription } from 'nats';
import type { DomainEvent } from '../../domain/events.ts';
import type { Logger } from '../../logging.ts';
import { stampEvent, type ClusterBus, type StationCallHandler, type StationCallOutcome, type StationCallRequest } from '../bus.ts';
import { decodeJsonObject, encodeJson } from './codec.ts';
import { Presence } from './presence.ts';
import { Subjects } from './subjects.ts';

/**
 * The cluster bus over NATS (core NATS for events and commands, JetStream KV for presence). Same semantics as
 * LocalBus, across processes and machines.
 *
 * Events: `publish` delivers to this node's listeners synchronously (as LocalBus does: fast, in publish order), then
 * sends the event to `${cluster}.events.${type}`. Every node subscribes to `${cluster}.events.>`. The connection is
 * opened with `noEcho`, so the server never hands a node its own events back: each listener sees each event exactly
 * once, with no per-message filtering.
 *
 * Commands: the node holding a station subscribes to `${cluster}.station.${token}.call` for as long as it holds it.
 * `callStation` for a station held here calls the local handler directly; otherwise it is a NATS request with a
 * timeout of `timeoutMs + requestTimeoutMarginMs`: no responder -> `offline`, no reply in time -> `timeout`. A
 * handler that throws on the holder makes `callStation` throw on the caller, as with LocalBus.
 *
 * Presence: see presence.ts (per-node heartbeat key with TTL, station -> node without TTL, newest claim wins,
 * stations of a dead node reported `station.disconnected` once by one survivor).
 */

export interface NatsBusOptions {
  /** NATS server(s), e.g. `nats://127.0.0.1:4222` (comma-separated for several). */
  url: string;
  /** This node's id, unique in the cluster; event ids are `${nodeId}-${sequence}`. */
  nodeId: string;
  /** Namespace of subjects and KV buckets ([A-Za-z0-9_-]); default `joule`. */
  cluster?: string;
  /** How long a node's heartbeat keeps its stations online after it stops; default 30 s. Heartbeats every TTL/3. */
  presenceTtlMs?: number;
  /** Added to a command's timeout for the NATS request (network, queueing); default 2 s. */
  requestTimeoutMarginMs?: number;
  logger?: Logger;
}

const DEFAULT_TTL_MS = 30_000;
const DEFAULT_MARGIN_MS = 2_000;
const ERROR_HEADER = 'Joule-Error';

export async function connectNatsBus(options: NatsBusOptions): Promise<NatsBus> {
  const subjects = new Subjects(options.cluster ?? 'joule');
  if (options.nodeId === '') throw new Error('cluster bus: nodeId must not be empty');
  if (options.presenceTtlMs !== undefined && !(options.presenceTtlMs >= 300)) throw new Error('cluster bus: presenceTtlMs must be at least 300 ms');
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: options.url.split(',').map((s) => s.trim()),
      name: `joule:${subjects.cluster}:${options.nodeId}`,
      noEcho: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    });
  } catch (err) {
    throw new Error(`cluster bus: cannot connect to NATS at ${options.url}: ${(err as Error).message}`, { cause: err });
  }
  const bus = new NatsBus(nc, subjects, options);
  try {
    await bus.start();
  } catch (err) {
    await nc.close().catch(() => undefined);
    const jetStream = /jetstream/i.test((err as Error).message) ? ' (is JetStream enabled on the server? nats-server -js)' : '';
    throw new Error(`cluster bus: cannot set up presence on NATS at ${options.url}${jetStream}: ${(err as Error).message}`, { cause: err });
  }
  return bus;
}

export class NatsBus implements ClusterBus {
  readonly nodeId: string;
  private readonly nc: NatsConnection;
  private readonly subjects: Subjects;
  private readonly log: Logger | undefined;
  private readonly marginMs: number;
  private readonly presence: Presence;
  private readonly listeners = new Set<(event: DomainEvent) => void>();
  /** Call subscriptions of the stations this node holds. */
  private readonly serving = new Map<string, Subscription>();
  private handler: StationCallHandler | undefined;
  private claimedElsewhere: (stationId: string) => void = () => {};
  private sequence = 0;
  private closing: Promise<void> | undefined;
  private closed = false;

  constructor(nc: NatsConnection, subjects: Subjects, options: NatsBusOptions) {
    this.nc = nc;
    this.subjects = subjects;
    this.nodeId = options.nodeId;
    this.log = options.logger;
    this.marginMs = options.requestTimeoutMarginMs ?? DEFAULT_MARGIN_MS;
    this.presence = new Presence({
      js: nc.jetstream(),
      nodeId: options.nodeId,
      presenceBucket: subjects.presenceBucket,
      nodesBucket: subjects.nodesBucket,
      ttlMs: options.presenceTtlMs ?? DEFAULT_TTL_MS,
      logger: options.logger,
      hooks: {
        onSuperseded: (stationId, byNode) => {
          this.log?.info({ stationId, node: byNode }, 'cluster bus: station claimed by a newer connection on another node');
          this.stopServing(stationId);
          try {
            this.claimedElsewhere(stationId);
          } catch (err) {
            this.log?.error({ err, stationId }, 'cluster bus: claimed-elsewhere listener failed');
          }
        },
        onReaped: (stationId, lostNode) => {
          this.publish({ type: 'station.disconnected', stationId, data: { reason: 'node lost', node: lostNode } });
        },
      },
    });
  }

  /** @internal Subscribes to events and loads presence; connectNatsBus calls it. */
  async start(): Promise<void> {
    this.nc.subscribe(this.subjects.allEvents, { callback: (err, msg) => (err ? undefined : this.received(msg)) });
    void this.watchConnection();
    await this.presence.start();
    await this.nc.flush();
  }

  // --- events -------------------------------------------------------------------------------------------------

  publish(event: Omit<DomainEvent, 'id' | 'at'> & { at?: string }): void {
    if (this.closed) return;
    const full = stampEvent(this.nodeId, ++this.sequence, event);
    this.deliver(full);
    if (this.nc.isClosed() || this.nc.isDraining()) return;
    try {
      this.nc.publish(this.subjects.event(full.type), encodeJson(full));
    } catch (err) {
      this.log?.warn({ err, type: full.type }, 'cluster bus: event not sent to other nodes');
    }
  }

  subscribe(listener: (event: DomainEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private received(msg: Msg): void {
    const event = decodeJsonObject(msg.data);
    if (!event || typeof event.id !== 'string' || typeof event.type !== 'string' || typeof event.at !== 'string') {
      this.log?.warn({ subject: msg.subject }, 'cluster bus: unreadable event dropped');
      return;
    }
    if (typeof event.data !== 'object' || event.data === null) event.data = {};
    this.deliver(event as unknown as DomainEvent);
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

  // --- commands -----------------------------------------------------------------------------------------------

  async callStation(request: StationCallRequest): Promise<StationCallOutcome> {
    if (this.closing || this.nc.isClosed()) return { status: 'offline' };
    if (this.presence.owns(request.stationId)) return this.handler ? this.handler(request) : { status: 'offline' };
    // Not waiting for the request to time out on a node whose heartbeat stopped (its subscription may outlive it).
    if (this.presence.heldByLostNode(request.stationId)) return { status: 'offline' };
    let reply: Msg;
    try {
      reply = await this.nc.request(this.subjects.stationCall(request.stationId), encodeJson(request), {
        timeout: Math.max(1, request.timeoutMs) + this.marginMs,
      });
    } catch (err) {
      if (err instanceof NatsError) {
        switch (err.code) {
          case ErrorCode.NoResponders:
            return { status: 'offline' };
          case ErrorCode.Timeout:
            return { status: 'timeout' };
          case ErrorCode.MaxPayloadExceeded:
            return { status: 'refused', message: 'the command is larger than the cluster bus carries (NATS max_payload)' };
          case ErrorCode.ConnectionClosed:
          case ErrorCode.ConnectionDraining:
            return { status: 'offline' };
        }
      }
      throw err;
    }
    const failure = reply.headers?.get(ERROR_HEADER);
    if (failure) throw new Error(`station call failed on the node holding ${request.stationId}: ${failure}`);
    const outcome = decodeJsonObject(reply.data);
    if (!outcome || typeof outcome.status !== 'string') throw new Error(`unreadable station call reply for ${request.stationId}`);
    return outcome as unknown as StationCallOutcome;
  }

  serveStationCalls(handler: StationCallHandler): void {
    this.handler = handler;
  }

  private async serve(stationId: string, msg: Msg): Promise<void> {
    if (!msg.reply) return;
    if (!this.presence.owns(stationId)) {
      // Released or claimed elsewhere while the request was on its way: let the holder answer, if there is one.
      if (this.presence.isOnline(stationId)) return;
      this.respond(msg, { status: 'offline' });
      return;
    }
    const request = decodeJsonObject(msg.data);
    if (!request || request.stationId !== stationId || typeof request.action !== 'string') {
      this.respond(msg, undefined, 'malformed station call');
      return;
    }
    const handler = this.handler;
    if (!handler) {
      this.respond(msg, { status: 'offline' });
      return;
    }
    try {
      this.respond(msg, await handler(request as unknown as StationCallRequest));
    } catch (err) {
      this.log?.error({ err, stationId }, 'cluster bus: station call handler failed');
      this.respond(msg, undefined, err instanceof Error ? err.message : String(err));
    }
  }

  private respond(msg: Msg, outcome: StationCallOutcome | undefined, failure?: string): void {
    try {
      if (failure === undefined) {
        msg.respond(encodeJson(outcome));
      } else {
        const h = headers();
        h.set(ERROR_HEADER, failure.replace(/[\r\n]+/g, ' ').slice(0, 500) || 'error');
        msg.respond(new Uint8Array(0), { headers: h });
      }
    } catch (err) {
      this.log?.warn({ err }, 'cluster bus: station call reply not sent');
    }
  }

  // --- presence -----------------------------------------------------------------------------------------------

  claimStation(stationId: string): void {
    if (this.closing) return;
    if (!this.serving.has(stationId)) {
      const sub = this.nc.subscribe(this.subjects.stationCall(stationId), {
        callback: (err, msg) => {
          if (!err) void this.serve(stationId, msg);
        },
      });
      this.serving.set(stationId, sub);
    }
    this.presence.claim(stationId);
  }

  releaseStation(stationId: string): void {
    if (this.closing) return;
    this.presence.release(stationId);
    this.stopServing(stationId);
  }

  /** Called when another node claims a station this node holds (newest claim wins): close the older connection. */
  onClaimedElsewhere(listener: (stationId: string) => void): void {
    this.claimedElsewhere = listener;
  }

  async isOnline(stationId: string): Promise<boolean> {
    return this.presence.isOnline(stationId);
  }

  async onlineStations(): Promise<Set<string>> {
    return this.presence.online();
  }

  /** The node holding the station in this node's view; undefined when it is offline. */
  holderOf(stationId: string): string | undefined {
    return this.presence.holder(stationId);
  }

  /** The nodes this node considers alive, itself included, sorted. */
  liveNodes(): string[] {
    return this.presence.liveNodes();
  }

  private stopServing(stationId: string): void {
    const sub = this.serving.get(stationId);
    if (!sub) return;
    this.serving.delete(stationId);
    try {
      sub.unsubscribe();
    } catch {
      // the connection is already closed
    }
  }

  // --- lifecycle ----------------------------------------------------------------------------------------------

  /**
   * Leaves the cluster: stops serving, deletes this node's presence (other nodes see its stations offline at once),
   * reports `station.disconnected` for stations still claimed (their sessions' own reports would come after the bus
   * closed and be lost), then drains the connection.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const stationId of [...this.serving.keys()]) this.stopServing(stationId);
      const held = await this.presence.stop();
      for (const stationId of held) this.publish({ type: 'station.disconnected', stationId, data: { reason: 'node stopped', node: this.nodeId } });
      this.closed = true;
      this.listeners.clear();
      this.handler = undefined;
      try {
        await this.nc.drain();
      } catch (err) {
        if (!this.nc.isClosed()) this.log?.warn({ err }, 'cluster bus: drain failed');
      }
    })();
    return this.closing;
  }

  private async watchConnection(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect' || status.type === 'error') {
        this.presence.connectionChanged();
        this.log?.warn({ status: status.type, data: String(status.data) }, 'cluster bus: NATS connection trouble');
      } else if (status.type === 'reconnect') {
        this.presence.connectionChanged();
        this.log?.info({ server: String(status.data) }, 'cluster bus: NATS reconnected');
      }
    }
  }
}
