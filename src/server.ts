import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { ClusterBus } from './cluster/bus.ts';
import { LocalBus } from './cluster/local-bus.ts';
import { ConfigError, type ServerConfig } from './config.ts';
import { createDomain, type Domain } from './domain/domain.ts';
import { Gateway } from './gateway/gateway.ts';
import { createLogger, type Logger } from './logging.ts';
import { Ocpp16Adapter } from './ocpp/v16/adapter.ts';
import { schemaValidator } from './ocpp/validation/schema-validator.ts';
import { openSqliteStore } from './store/sqlite/sqlite-store.ts';
import { buildApi } from './api/api-server.ts';
import { HashedTokenAuth } from './api/auth.ts';
import { bootstrapAdminToken } from './api/bootstrap-token.ts';

export interface RunningServer {
  /** Base HTTP URL, e.g. http://127.0.0.1:8180 */
  url: string;
  port: number;
  domain: Domain;
  gateway: Gateway;
  /** Set when the admin token was generated at this start (print it once). */
  generatedAdminToken?: string;
  close(): Promise<void>;
}

/**
 * The composition root: store, bus, domain, protocol adapters, gateway and API on one HTTP port. Each layer is
 * created here and handed to the one above it.
 */
export interface StartOptions {
  logger?: Logger;
  /** The bus to use; default: NATS when configured, else the in-process bus. Workers pass their ProcessBus. */
  bus?: ClusterBus;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  if (config.databaseUrl) throw new ConfigError('JOULE_DATABASE_URL (PostgreSQL) is not supported by this version yet; unset it to use embedded SQLite');
  if (config.natsUrl) throw new ConfigError('JOULE_NATS_URL (cluster mode) is not supported by this version yet; unset it to run one node');
  mkdirSync(config.dataDir, { recursive: true });
  const store = await openSqliteStore({ file: join(config.dataDir, 'joule.db') });
  const bus = options.bus ?? new LocalBus();
  const domain = createDomain(store, bus, {
    unknownStations: config.unknownStations,
    heartbeatIntervalS: config.heartbeatIntervalS,
    bootRetryIntervalS: config.bootRetryIntervalS,
    commandTimeoutMs: config.commandTimeoutMs,
    authorizeUnknownIdTokens: config.authorizeUnknownIdTokens,
  });
  const gateway = new Gateway({
    domain,
    adapters: [new Ocpp16Adapter(domain)],
    validator: schemaValidator(),
    logger,
    options: {
      path: '/ocpp',
      maxFrameBytes: config.maxFrameBytes,
      defaultProtocol: config.defaultProtocol,
      session: {
        pingIntervalMs: config.pingIntervalS * 1000,
        idleTimeoutMs: (config.idleTimeoutS || 2 * config.heartbeatIntervalS + 60) * 1000,
        maxBadMessages: 50,
        badMessageWindowMs: 60_000,
        maxQueuedCalls: 100,
      },
    },
  });
  const admin = bootstrapAdminToken(config.dataDir, config.apiToken);
  const app = await buildApi({ domain, logger, auth: new HashedTokenAuth([admin.hash]) });
  gateway.attach(app.server);
  await app.listen({ port: config.port, host: config.host });
  const port = (app.server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  logger.info({ port, versions: gateway.supportedVersions, dataDir: config.dataDir }, 'Joule is serving');

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    domain,
    gateway,
    ...(admin.generated ? { generatedAdminToken: admin.generated } : {}),
    close: () => {
      closing ??= (async () => {
        gateway.close();
        await app.close();
        await bus.close();
        await store.close();
      })();
      return closing;
    },
  };
}
