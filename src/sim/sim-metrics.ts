import { LatencyHistogram, type LatencySummary } from './latency-histogram.ts';
import type { CallFailureReason, ConnectionObserver } from './station-connection.ts';

/** Counters over many stations' connections. */
export interface MetricsSnapshot {
  connects: number;
  disconnects: number;
  messagesSent: number;
  messagesReceived: number;
  callsAnswered: number;
  callErrors: number;
  callTimeouts: number;
  /** Calls that failed because the connection was (or went) down. */
  callsNotDelivered: number;
  latencyMs: LatencySummary;
  /** The message of the most recent socket error, if any. */
  lastSocketError: string | undefined;
}

/** One shared observer for all connections of a fleet: plain counters and a latency histogram. */
export class SimMetrics implements ConnectionObserver {
  private connects = 0;
  private disconnects = 0;
  private sent = 0;
  private received = 0;
  private answered = 0;
  private errors = 0;
  private timeouts = 0;
  private undelivered = 0;
  private readonly latency = new LatencyHistogram();
  private lastSocketError: string | undefined;

  connected(): void {
    this.connects++;
  }

  disconnected(): void {
    this.disconnects++;
  }

  frameSent(): void {
    this.sent++;
  }

  frameReceived(): void {
    this.received++;
  }

  callSucceeded(latencyMs: number): void {
    this.answered++;
    this.latency.record(latencyMs);
  }

  callFailed(reason: CallFailureReason): void {
    if (reason === 'error') this.errors++;
    else if (reason === 'timeout') this.timeouts++;
    else this.undelivered++;
  }

  socketError(error: Error): void {
    this.lastSocketError = error.message;
  }

  snapshot(): MetricsSnapshot {
    return {
      connects: this.connects,
      disconnects: this.disconnects,
      messagesSent: this.sent,
      messagesReceived: this.received,
      callsAnswered: this.answered,
      callErrors: this.errors,
      callTimeouts: this.timeouts,
      callsNotDelivered: this.undelivered,
      latencyMs: this.latency.summary(),
      lastSocketError: this.lastSocketError,
    };
  }
}
