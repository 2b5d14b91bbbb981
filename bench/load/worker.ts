/**
 * A load-generator process: `node bench/load/worker.ts`, forked by the orchestrator and driven over IPC
 * (protocol.ts). It runs simulated stations on the simulator's engine (`src/sim/station-connection.ts`, which frames
 * with `src/ocpp/rpc/frames.ts`): one WebSocket per station, one CALL in flight per station.
 */
import { performance } from 'node:perf_hooks';
import { CallFailure, StationConnection, type ConnectionObserver } from '../../src/sim/station-connection.ts';
import { RpcError } from '../../src/ocpp/rpc/error-codes.ts';
import type { Payload } from '../../src/ocpp/rpc/frames.ts';
import { Histogram } from './histogram.ts';
import {
  MeterValuesSource, bootNotification, heartbeat, startTransaction, statusNotification, type BenchAction,
} from './messages.ts';
import type {
  FailureCounts, LoadResult, OpenCommand, OpenedEvent, RateCommand, SaturateCommand, WorkerCommand, WorkerEvent,
} from './protocol.ts';

interface Station {
  id: string;
  conn: StationConnection;
  meter: MeterValuesSource | undefined;
  /** CALLs sent or queued and not yet settled (rate mode). */
  outstanding: number;
}

const stations: Station[] = [];

function send(event: WorkerEvent): void {
  process.send?.(event);
}

/** Epoch milliseconds with sub-millisecond precision, comparable across processes of this machine. */
function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function noop(): void {}

function describe(error: unknown): string {
  if (error instanceof RpcError) return `CALLERROR ${error.kind}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Connects one station and waits for the socket to open (or fail). */
function connect(url: string, id: string, callTimeoutMs: number, onDrop: () => void): Promise<StationConnection> {
  return new Promise((resolve, reject) => {
    let opened = false;
    const observer: ConnectionObserver = {
      connected: noop,
      disconnected: noop,
      frameSent: noop,
      frameReceived: noop,
      callSucceeded: noop,
      callFailed: noop,
      socketError(error) {
        if (!opened) {
          opened = true;
          reject(error);
        }
      },
    };
    const conn = new StationConnection({
      url,
      stationId: id,
      reconnect: false,
      callTimeoutMs,
      observer,
      onOpen() {
        if (opened) return;
        opened = true;
        resolve(conn);
      },
      onClose: onDrop,
    });
    conn.connect();
  });
}

let lastOpenAt = 0;

async function openStation(cmd: OpenCommand, index: number): Promise<Station> {
  const id = `${cmd.prefix}${index}`;
  const conn = await connect(cmd.url, id, cmd.callTimeoutMs, noop);
  lastOpenAt = epochNow();
  try {
    const boot = await conn.call('BootNotification', bootNotification());
    if (boot.status !== 'Accepted') throw new Error(`BootNotification answered ${String(boot.status)}`);
    for (const connectorId of cmd.statusConnectors) await conn.call('StatusNotification', statusNotification(connectorId));
    let meter: MeterValuesSource | undefined;
    if (cmd.startTransaction) {
      const started = await conn.call('StartTransaction', startTransaction());
      const info = started.idTagInfo as { status?: unknown } | undefined;
      if (info?.status !== 'Accepted') throw new Error(`StartTransaction: idTagInfo.status ${String(info?.status)}`);
      if (typeof started.transactionId !== 'number') throw new Error('StartTransaction: no transactionId');
      meter = new MeterValuesSource(started.transactionId);
    }
    return { id, conn, meter, outstanding: 0 };
  } catch (error) {
    void conn.close();
    throw error;
  }
}

async function open(cmd: OpenCommand): Promise<OpenedEvent> {
  const startedAt = epochNow();
  let next = 0;
  let ok = 0;
  let failed = 0;
  const errors = new Set<string>();
  const lane = async (): Promise<void> => {
    while (next < cmd.count) {
      const index = next++;
      try {
        stations.push(await openStation(cmd, index));
        ok++;
      } catch (error) {
        failed++;
        if (errors.size < 5) errors.add(describe(error));
      }
    }
  };
  const lanes: Promise<void>[] = [];
  for (let i = 0; i < Math.min(cmd.concurrency, cmd.count); i++) lanes.push(lane());
  await Promise.all(lanes);
  return { evt: 'opened', startedAt, finishedAt: epochNow(), ok, failed, errors: [...errors], lastOpenAt };
}

function payloadFor(station: Station, action: BenchAction): Payload {
  if (action === 'Heartbeat') return heartbeat();
  if (!station.meter) throw new Error('MeterValues needs stations opened with startTransaction');
  return station.meter.next();
}

function countFailure(failures: FailureCounts, error: unknown): 'disconnected' | 'other' {
  if (error instanceof CallFailure) {
    if (error.reason === 'timeout') {
      failures.timeout++;
      return 'other';
    }
    failures.disconnected++;
    return 'disconnected';
  }
  failures.callError++;
  return 'other';
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function saturate(cmd: SaturateCommand): Promise<LoadResult> {
  const start = performance.now();
  const windowStart = start + cmd.warmupMs;
  const end = windowStart + cmd.durationMs;
  const latency = new Histogram();
  const failures: FailureCounts = { callError: 0, timeout: 0, disconnected: 0 };
  let completedInWindow = 0;
  let acknowledged = 0;
  let cpuStart: NodeJS.CpuUsage | undefined;
  let cpuMs = 0;
  const windowTimer = setTimeout(() => {
    cpuStart = process.cpuUsage();
  }, cmd.warmupMs);
  const endTimer = setTimeout(() => {
    if (cpuStart) cpuMs = cpuMsSince(cpuStart);
  }, cmd.warmupMs + cmd.durationMs);
  const loop = async (station: Station): Promise<void> => {
    for (;;) {
      const sentAt = performance.now();
      if (sentAt >= end) return;
      try {
        await station.conn.call(cmd.action, payloadFor(station, cmd.action));
      } catch (error) {
        if (countFailure(failures, error) === 'disconnected') return;
        continue;
      }
      acknowledged++;
      const done = performance.now();
      if (done >= windowStart && done < end) {
        completedInWindow++;
        latency.record(done - sentAt);
      }
    }
  };
  await Promise.all(stations.map(loop));
  clearTimeout(windowTimer);
  clearTimeout(endTimer);
  // The loops may all end just before the end timer fires.
  if (cpuStart && cpuMs === 0) cpuMs = cpuMsSince(cpuStart);
  return {
    evt: 'result',
    completedInWindow,
    windowMs: cmd.durationMs,
    latency: latency.toData(),
    failures,
    dueInWindow: 0,
    unanswered: 0,
    queuedBehind: 0,
    acknowledged,
    cpuMs,
    connected: stations.filter((s) => s.conn.isOpen).length,
    meanSendLagMs: 0,
    maxSendLagMs: 0,
  };
}

async function rate(cmd: RateCommand): Promise<LoadResult> {
  const count = stations.length;
  if (count === 0) throw new Error('rate: no stations are open');
  const intervalMs = 1000 / cmd.rate;
  const t0 = performance.now() + 2;
  const windowStart = t0 + cmd.warmupMs;
  const end = windowStart + cmd.durationMs;
  const total = Math.floor((end - t0) / intervalMs);
  const latency = new Histogram();
  const failures: FailureCounts = { callError: 0, timeout: 0, disconnected: 0 };
  let completedInWindow = 0;
  let dueInWindow = 0;
  let answeredDueInWindow = 0;
  let queuedBehind = 0;
  let acknowledged = 0;
  let pending = 0;
  let cpuStart: NodeJS.CpuUsage | undefined;
  let cpuMs = 0;
  let k = 0;

  let lagSumMs = 0;
  let lagMaxMs = 0;
  let issued = 0;

  // Latency counts from the moment the CALL is issued (sent, or queued behind the station's unanswered CALL):
  // server stalls and queueing are in it, the load generator's own timer lag is not (it is reported apart).
  const issue = (station: Station, due: number, issuedAt: number): void => {
    const inWindow = due >= windowStart && due < end;
    if (inWindow) {
      dueInWindow++;
      const lag = issuedAt - due;
      lagSumMs += lag;
      issued++;
      if (lag > lagMaxMs) lagMaxMs = lag;
    }
    if (station.outstanding > 0) queuedBehind++;
    station.outstanding++;
    pending++;
    station.conn.call(cmd.action, payloadFor(station, cmd.action)).then(
      () => {
        station.outstanding--;
        pending--;
        acknowledged++;
        const done = performance.now();
        if (done >= windowStart && done < end) completedInWindow++;
        if (inWindow) {
          answeredDueInWindow++;
          latency.record(done - issuedAt);
        }
      },
      (error: unknown) => {
        station.outstanding--;
        pending--;
        countFailure(failures, error);
      },
    );
  };

  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      if (cpuStart === undefined && now >= windowStart) cpuStart = process.cpuUsage();
      while (k < total) {
        const due = t0 + k * intervalMs;
        if (due > now) break;
        const station = stations[k % count]!;
        if (station.conn.isOpen) issue(station, due, now);
        k++;
      }
      if (k >= total && now >= end) {
        if (cpuStart) cpuMs = cpuMsSince(cpuStart);
        resolve();
        return;
      }
      setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
  });
  const drainDeadline = performance.now() + cmd.drainMs;
  while (pending > 0 && performance.now() < drainDeadline) await sleep(5);
  return {
    evt: 'result',
    completedInWindow,
    windowMs: cmd.durationMs,
    latency: latency.toData(),
    failures,
    dueInWindow,
    unanswered: dueInWindow - answeredDueInWindow,
    queuedBehind,
    acknowledged,
    cpuMs,
    connected: stations.filter((s) => s.conn.isOpen).length,
    meanSendLagMs: issued === 0 ? 0 : lagSumMs / issued,
    maxSendLagMs: lagMaxMs,
  };
}

async function closeAll(): Promise<void> {
  const closing = Promise.all(stations.map((s) => s.conn.close()));
  await Promise.race([closing, sleep(3000)]);
  stations.length = 0;
}

async function handle(cmd: WorkerCommand): Promise<void> {
  switch (cmd.cmd) {
    case 'open':
      send(await open(cmd));
      return;
    case 'saturate':
      send(await saturate(cmd));
      return;
    case 'rate':
      send(await rate(cmd));
      return;
    case 'close':
      await closeAll();
      send({ evt: 'closed' });
      process.disconnect?.();
      setTimeout(() => process.exit(0), 50).unref();
      return;
  }
}

if (!process.send) {
  process.stderr.write('bench/load/worker.ts is a load-generator process for bench/run.ts; it is driven over IPC.\n');
  process.exit(2);
}
process.on('message', (cmd: WorkerCommand) => {
  handle(cmd).catch((error: unknown) => send({ evt: 'error', message: describe(error) }));
});
process.on('disconnect', () => {
  setTimeout(() => process.exit(0), 3500).unref();
});
send({ evt: 'ready' });
