import type { HistogramData } from './histogram.ts';
import type { BenchAction } from './messages.ts';

/** Messages from the orchestrator to a load process (over the child_process IPC channel). */
export type WorkerCommand = OpenCommand | SaturateCommand | RateCommand | CloseCommand;

/**
 * Opens `count` stations `${prefix}${i}`: connect, BootNotification, a StatusNotification per listed connector and,
 * if asked, one StartTransaction, one CALL at a time per station. At most `concurrency` stations are in that
 * sequence at once (the rest wait for a slot).
 */
export interface OpenCommand {
  cmd: 'open';
  url: string;
  prefix: string;
  count: number;
  concurrency: number;
  statusConnectors: number[];
  startTransaction: boolean;
  callTimeoutMs: number;
}

/** Closed loop: every station keeps exactly one CALL in flight (the OCPP rule) for warmup + duration. */
export interface SaturateCommand {
  cmd: 'saturate';
  action: BenchAction;
  warmupMs: number;
  durationMs: number;
}

/**
 * Open loop: `rate` CALLs/s in total for this process, spread round-robin over its stations, each issued at its due
 * time (checked every millisecond; a station whose previous CALL is still unanswered queues it: still one in flight
 * per station). Latency is measured from the moment a CALL is issued, so server stalls and the queueing they cause
 * are in it (no coordinated omission); the load generator's own lag behind the schedule is reported apart.
 */
export interface RateCommand {
  cmd: 'rate';
  action: BenchAction;
  rate: number;
  warmupMs: number;
  durationMs: number;
  /** How long to wait for the answers to CALLs due in the window after it ended. */
  drainMs: number;
}

export interface CloseCommand {
  cmd: 'close';
}

/** Messages from a load process to the orchestrator. */
export type WorkerEvent = ReadyEvent | OpenedEvent | LoadResult | ClosedEvent | ErrorEvent;

export interface ReadyEvent {
  evt: 'ready';
}

export interface OpenedEvent {
  evt: 'opened';
  /** Epoch milliseconds (sub-millisecond precision) when the command arrived and when the last station was done. */
  startedAt: number;
  finishedAt: number;
  ok: number;
  failed: number;
  /** A few distinct error messages. */
  errors: string[];
  /** Epoch ms when the last socket opened. */
  lastOpenAt: number;
}

export interface FailureCounts {
  callError: number;
  timeout: number;
  disconnected: number;
}

export interface LoadResult {
  evt: 'result';
  /** CALLs answered with a CALLRESULT whose answer arrived inside the window. */
  completedInWindow: number;
  windowMs: number;
  /** Saturate: per-call round trip; rate: from the due time to the answer, for CALLs due inside the window. */
  latency: HistogramData;
  failures: FailureCounts;
  /** Rate: CALLs due inside the window, and those of them not answered by the end of the drain. */
  dueInWindow: number;
  unanswered: number;
  /** Rate: CALLs that were due while the station's previous CALL was still unanswered. */
  queuedBehind: number;
  /** CALLRESULTs of this action over the whole run (warmup, window and drain): what the server acknowledged. */
  acknowledged: number;
  /** This process's CPU time during the window, in ms. */
  cpuMs: number;
  /** Stations still connected at the end. */
  connected: number;
  /** Rate: how late CALLs due in the window were issued (the load generator's own lag). */
  meanSendLagMs: number;
  maxSendLagMs: number;
}

export interface ClosedEvent {
  evt: 'closed';
}

export interface ErrorEvent {
  evt: 'error';
  message: string;
}
