import type { DomainEvent } from '../domain/events.ts';

/** Where an SSE stream writes: an `http.ServerResponse` after its headers are sent. */
export interface SseSink {
  write(chunk: string): boolean;
  /** Bytes accepted by `write` but not yet handed to the socket. */
  readonly writableLength: number;
  end(): void;
  destroy(): void;
}

export interface SseLimits {
  /** A `: ping` comment is sent this often so that proxies and clients keep the connection. */
  heartbeatMs: number;
  /** A client whose unsent backlog grows beyond this is dropped instead of buffering without bound. */
  maxBufferedBytes: number;
}

/** 15 s heartbeats, 1 MiB backlog per client. */
export const defaultSseLimits: SseLimits = { heartbeatMs: 15_000, maxBufferedBytes: 1024 * 1024 };

/** Formats a domain event as one Server-Sent Events message. */
export function formatSseEvent(event: DomainEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * One client's event stream: writes events and heartbeats, and drops a client that stops reading (its backlog
 * exceeds `maxBufferedBytes`) so that a slow client cannot grow the server's memory.
 */
export class SseStream {
  private readonly sink: SseSink;
  private readonly limits: SseLimits;
  private readonly heartbeat: NodeJS.Timeout;
  private open = true;

  /** `node` names the server node the client is connected to (in a cluster), sent in the opening comment. */
  constructor(sink: SseSink, limits: SseLimits, node?: string) {
    this.sink = sink;
    this.limits = limits;
    this.write(node ? `: connected to node ${node}\n\n` : ': connected\n\n');
    this.heartbeat = setInterval(() => this.write(': ping\n\n'), limits.heartbeatMs);
    this.heartbeat.unref();
  }

  get isOpen(): boolean {
    return this.open;
  }

  send(event: DomainEvent): void {
    this.write(formatSseEvent(event));
  }

  /** Ends the stream gracefully (server shutdown). */
  end(): void {
    if (!this.open) return;
    this.stop();
    this.sink.end();
  }

  /** Stops writing; called when the connection has closed. */
  stop(): void {
    this.open = false;
    clearInterval(this.heartbeat);
  }

  private write(chunk: string): void {
    if (!this.open) return;
    if (!this.sink.write(chunk) && this.sink.writableLength > this.limits.maxBufferedBytes) {
      this.stop();
      this.sink.destroy();
    }
  }
}
