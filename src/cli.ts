import { loadConfig, ConfigError } from './config.ts';
import { createLogger } from './logging.ts';

const USAGE = `Usage: joule <command> [options]

Commands:
  serve            run the central system (REST API and OCPP WebSocket endpoint on one port)
  sim [options]    run simulated OCPP 1.6 stations against a central system (joule sim --help)
  help             show this help

Configuration is read from JOULE_* environment variables; see README.md.`;

async function serve(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const { startServer } = await import('./server.ts');
  const server = await startServer(config, logger);
  if (server.generatedAdminToken) {
    process.stdout.write(
      `\nAdmin API token (shown once; keep it safe, only its hash is stored):\n\n  ${server.generatedAdminToken}\n\n` +
        `Use it as: Authorization: Bearer <token>   (set JOULE_API_TOKEN to choose your own)\n\n`,
    );
  }
  process.stdout.write(`Joule ${server.url}  OCPP: ws://<host>:${server.port}/ocpp/{stationId}  API docs: ${server.url}/api/docs\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close().then(
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
      return serve();
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
