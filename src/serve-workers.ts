import cluster, { type Worker } from 'node:cluster';
import { mkdirSync } from 'node:fs';
import { bootstrapAdminToken } from './api/bootstrap-token.ts';
import { ProcessHub } from './cluster/process/process-hub.ts';
import { ProcessBus } from './cluster/process/process-bus.ts';
import type { ServerConfig } from './config.ts';
import type { DomainEvent } from './domain/events.ts';
import { serveExecArgv } from './garbage-collector.ts';
import type { Logger } from './logging.ts';
import { startServer, type RunningServer } from './server.ts';
import { openStore } from './store/open-store.ts';

/** A worker that dies is started again, but not more often than this. */
const RESTART_DELAY_MS = 1_000;

/**
 * `joule serve --workers N`: the primary prepares the data (migrations, admin token), forks N workers that share the
 * HTTP/WebSocket port (the primary hands each new connection to a worker), routes the bus between them, and
 * restarts a worker that dies. Workers start with `--single-threaded-gc` when `singleThreadedGc`. Returns the admin
 * token if it was generated now.
 */
export async function runPrimary(
  config: ServerConfig,
  workers: number,
  logger: Logger,
  singleThreadedGc = false,
): Promise<{ generatedAdminToken?: string; stop(): Promise<void> }> {
  mkdirSync(config.dataDir, { recursive: true });
  const admin = bootstrapAdminToken(config.dataDir, config.apiToken);
  // Migrations run once here, before any worker opens the database.
  await (await openStore(config)).close();

  let sequence = 0;
  const hub = new ProcessHub((worker, stationIds): DomainEvent[] => {
    const at = new Date().toISOString();
    return stationIds.map((stationId) => ({ id: `primary-${++sequence}`, type: 'station.disconnected', stationId, at, data: { reason: `worker ${worker} exited` } }));
  });
  let stopping = false;
  // Workers sharing the cores collect garbage on their own thread (see garbage-collector.ts).
  cluster.setupPrimary({ execArgv: serveExecArgv(process.execArgv, singleThreadedGc, process.env.NODE_OPTIONS) });
  const fork = (): Worker => {
    const worker = cluster.fork({ JOULE_WORKER: '1' });
    hub.add(worker);
    return worker;
  };
  cluster.on('exit', (worker, code, signal) => {
    hub.remove(worker.id);
    if (stopping) return;
    logger.error({ worker: worker.id, code, signal }, 'worker exited; starting a new one');
    setTimeout(() => {
      if (!stopping) fork();
    }, RESTART_DELAY_MS).unref();
  });
  const started = Array.from({ length: workers }, fork);
  await Promise.all(started.map((w) => new Promise<void>((resolve, reject) => {
    w.once('listening', () => resolve());
    w.once('exit', (code) => reject(new Error(`worker ${w.id} exited with code ${code} before listening`)));
  })));
  logger.info({ workers, port: config.port }, 'Joule is serving with workers');
  return {
    ...(admin.generated ? { generatedAdminToken: admin.generated } : {}),
    async stop() {
      stopping = true;
      const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      await Promise.all(alive.map((w) => new Promise<void>((resolve) => {
        w.once('exit', () => resolve());
        w.process.kill('SIGTERM');
      })));
    },
  };
}

/** Runs one worker: the whole server, on the worker bus. It exits when the primary goes away. */
export async function runWorker(config: ServerConfig, logger: Logger): Promise<RunningServer> {
  const workerId = cluster.worker?.id ?? 0;
  // With NATS every worker is a node of the cluster in its own right; otherwise the primary routes between them.
  const bus = config.natsUrl ? undefined : new ProcessBus(workerId);
  const server = await startServer(config, { logger: logger.child({ worker: workerId }), ...(bus ? { bus } : {}) });
  process.on('disconnect', () => {
    // The primary is gone (stopped or killed): finish what is in flight and leave.
    server.close().finally(() => process.exit(0));
  });
  return server;
}
