import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig, ConfigError } from './config.ts';
import { restartWithGcMode, SINGLE_THREADED_GC_FLAG, singleThreadedGc } from './garbage-collector.ts';
import { createLogger } from './logging.ts';

const USAGE = `Usage: joule <command> [options]

Commands:
  serve [--workers N]  run the central system (REST API and OCPP WebSocket endpoint on one port);
                   N worker processes share the port (default: one per CPU core)
  sim [options]    run simulated OCPP 1.6 and/or 2.0.1 stations against a central system (joule sim --help)
  help             show this help

Configuration is read from JOULE_* environment variables; see README.md.`;

function workersFrom(args: string[], configured: number): number {
  const { values } = parseArgs({ args, options: { workers: { type: 'string', short: 'w' } }, strict: true });
  const raw = values.workers;
  const n = raw === undefined ? configured : Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 256) throw new ConfigError(`--workers must be a whole number from 0 to 256 (got "${raw}")`);
  return n === 0 ? availableParallelism() : n;
}

function printAdminToken(token: string | undefined): void {
  if (!token) return;
  process.stdout.write(
    `\nAdmin API token (shown once; keep it safe, only its hash is stored):\n\n  ${token}\n\n` +
      `Use it as: Authorization: Bearer <token>   (set JOULE_API_TOKEN to choose your own)\n\n`,
  );
}

async function serve(args: string[]): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const workers = cluster.isWorker ? 1 : workersFrom(args, config.workers);
  const cores = availableParallelism();
  // Decided by the primary for its workers (their node options); a single process restarts itself with the option.
  const singleThreaded = singleThreadedGc(config.gc, cores, workers);
  if (!cluster.isWorker && workers <= 1 && restartWithGcMode(singleThreaded) === 'unsupported') {
    logger.warn(`this Node cannot restart itself with ${SINGLE_THREADED_GC_FLAG}; start it as \`node ${SINGLE_THREADED_GC_FLAG} bin/joule.js serve\` for shorter pauses on one core`);
  }
  if (!cluster.isWorker) {
    logger.info({ cores, processes: workers, gc: singleThreaded ? 'single-threaded' : 'parallel', setting: config.gc }, 'garbage collector');
  }
  let close: () => Promise<void>;
  if (cluster.isWorker) {
    const { runWorker } = await import('./serve-workers.ts');
    close = (await runWorker(config, logger)).close;
  } else if (workers > 1) {
    const { runPrimary } = await import('./serve-workers.ts');
    const primary = await runPrimary(config, workers, logger, singleThreaded);
    printAdminToken(primary.generatedAdminToken);
    process.stdout.write(`Joule on port ${config.port} with ${workers} workers  OCPP: ws://<host>:${config.port}/ocpp/{stationId}  API docs: /api/docs\n`);
    close = primary.stop;
  } else {
    const { startServer } = await import('./server.ts');
    const server = await startServer(config, { logger });
    printAdminToken(server.generatedAdminToken);
    process.stdout.write(`Joule ${server.url}  OCPP: ws://<host>:${server.port}/ocpp/{stationId}  API docs: ${server.url}/api/docs\n`);
    close = server.close;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'sim': {
      const { simCommand } = await import('./sim/sim-command.ts');
      return simCommand(rest);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}\n`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${err.message}\n`);
  } else {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
