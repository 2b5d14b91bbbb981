import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { ClusterBus } from './cluster/bus.ts';
import { LocalBus } from './cluster/local-bus.ts';
import { connectNatsBus } from './cluster/nats/nats-bus.ts';
import type { ServerConfig } from './config.ts';
import { createDomain, type Domain } from './domain/domain.ts';
import { Gateway } from './gateway/gateway.ts';
import { createTlsListener, readPem, readTlsMaterial } from './gateway/tls-listener.ts';
import { createLogger, type Logger } from './logging.ts';
import { Ocpp16Adapter } from './ocpp/v16/adapter.ts';
import { Ocpp201Adapter } from './ocpp/v201/adapter.ts';
import { Ocpp21Adapter } from './ocpp/v21/adapter.ts';
import { StaleTransactionJob } from './domain/transactions/stale-transaction-job.ts';
import { loadCertificateAuthority } from './domain/security/certificate-authority-source.ts';
import { CertificateRenewalJob } from './domain/security/certificate-renewal-job.ts';
import type { ClientCertificateCheck } from './domain/security/client-certificate-decision.ts';
import { singleNameField } from './domain/security/pki/distinguished-name.ts';
import { schemaValidator } from './ocpp/validation/schema-validator.ts';
import { openStore } from './store/open-store.ts';
import { buildApi } from './api/api-server.ts';
import { AccountTokenAuth, HashedTokenAuth } from './api/auth.ts';
import { bootstrapAdminToken } from './api/bootstrap-token.ts';

export interface RunningServer {
  /** Base HTTP URL, e.g. http://127.0.0.1:8180 */
  url: string;
  port: number;
  /** The TLS listener's port (security profiles 2 and 3), when JOULE_TLS_PORT is set. */
  tlsPort?: number;
  domain: Domain;
  gateway: Gateway;
  /** For the TLS edge (profile 3): whether a station may connect with its client certificate, by Joule's inventory. */
  checkClientCertificate: ClientCertificateCheck;
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
  /** Further check of profile-3 client certificates (revocation, the PKI inventory); default: accept. */
  clientCertificateCheck?: ClientCertificateCheck;
}

/** NATS when configured (many processes or machines), else the in-process bus. */
async function openBus(config: ServerConfig, logger: Logger): Promise<ClusterBus> {
  if (!config.natsUrl) return new LocalBus();
  const nodeId = config.nodeId ?? `${hostname()}-${process.pid}`;
  return connectNatsBus({ url: config.natsUrl, nodeId, cluster: config.natsCluster, presenceTtlMs: config.presenceTtlS * 1000, logger });
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true });
  const store = await openStore(config, (thread, message) => logger.warn({ thread, err: message }, 'store background work failed; retried at its next interval'));
  const bus = options.bus ?? (await openBus(config, logger));
  const { authority, external } = await loadCertificateAuthority({
    mode: config.caMode,
    dataDir: config.dataDir,
    organization: config.caOrganization ?? 'Joule',
    certificateFile: config.caCertFile,
    keyFile: config.caKeyFile,
    chainFile: config.caChainFile,
  });
  const caCertificate = (authority ?? external)?.certificate;
  const caOrganization = caCertificate === undefined ? undefined : singleNameField(caCertificate.subjectName, 'O');
  const domain = createDomain(store, bus, {
    unknownStations: config.unknownStations,
    heartbeatIntervalS: config.heartbeatIntervalS,
    bootRetryIntervalS: config.bootRetryIntervalS,
    commandTimeoutMs: config.commandTimeoutMs,
    authorizeUnknownIdTokens: config.authorizeUnknownIdTokens,
    defaultValidationMode: config.validationMode,
    allowUnsecuredStations: config.security.allowUnsecured,
    pki: {
      authority,
      external,
      organizationName: config.caOrganization ?? caOrganization ?? 'Joule',
      commonNameRule: config.csrCommonNameRule,
      validityDays: config.certValidityDays,
      renewDays: config.certRenewDays,
    },
    securityAlerts: { webhookUrl: config.securityAlertWebhook },
    logger,
    smartCharging: {
      debounceMs: config.smartChargingDebounceMs,
      leaseTtlMs: config.smartChargingLeaseS * 1000,
      onError: (siteId, err) => logger.warn({ siteId, err }, 'smart charging: re-planning a site failed; it is tried again on the next event'),
    },
    accounts: {
      sessionTtlMs: Math.round(config.sessionHours * 3_600_000),
      loginLimits: { perUsername: config.loginMaxFailures, perAddress: config.loginMaxFailuresPerAddress, windowMs: 15 * 60_000 },
    },
  });
  const tlsConfig = config.security.tls;
  const clientCaFile = config.security.clientCaFile;
  // Station certificates must chain to JOULE_TLS_CLIENT_CA, else to the root of the CA that signs station CSRs
  // (Joule's, or the operator's in manual mode).
  const clientCaPem = clientCaFile === undefined ? domain.certificates.authorityRootPem() : readPem(clientCaFile, 'client CA (JOULE_TLS_CLIENT_CA)');
  const tlsMaterial = tlsConfig === undefined ? undefined : readTlsMaterial(tlsConfig, clientCaPem);
  const gateway = new Gateway({
    domain,
    adapters: [new Ocpp16Adapter(domain), new Ocpp201Adapter(domain), new Ocpp21Adapter(domain)],
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
        systemCallTimeoutMs: config.commandTimeoutMs,
      },
      security: {
        clientCaPem,
        trustedProxies: config.security.trustedProxies,
        proxyCertificateHeader: config.security.proxyCertificateHeader,
        // Revocation and binding by the PKI inventory, unless the caller brings its own check.
        clientCertificateCheck: options.clientCertificateCheck ??
          ((stationId, certificateDer) => domain.certificates.checkClientCertificate(stationId, certificateDer)),
      },
    },
  });
  const admin = bootstrapAdminToken(config.dataDir, config.apiToken);
  const auth = new AccountTokenAuth(new HashedTokenAuth([admin.hash]), domain.accounts);
  const app = await buildApi({ domain, logger, auth, auditReads: config.auditReads });
  gateway.attach(app.server);
  const staleJob = config.staleTransactionHours > 0 ? new StaleTransactionJob(domain.transactions, config.staleTransactionHours * 3_600_000, logger) : undefined;
  staleJob?.start();
  const tlsServer = tlsMaterial === undefined ? undefined : createTlsListener(tlsMaterial);
  if (tlsServer !== undefined && tlsConfig !== undefined) {
    gateway.attach(tlsServer, { tls: true });
    tlsServer.on('tlsClientError', (err) => logger.info({ err: err.message }, 'TLS handshake failed (version, cipher suite or certificate)'));
    await new Promise<void>((resolve, reject) => {
      tlsServer.once('error', reject);
      tlsServer.listen({ port: tlsConfig.port, host: tlsConfig.host, backlog: config.listenBacklog }, () => {
        tlsServer.off('error', reject);
        resolve();
      });
    });
  }

  const renewalJob = authority !== undefined && config.certRenewDays > 0 ? new CertificateRenewalJob(domain.certificates, logger) : undefined;
  renewalJob?.start();
  await app.listen({ port: config.port, host: config.host, backlog: config.listenBacklog });
  const port = (app.server.address() as AddressInfo).port;
  const tlsPort = tlsServer === undefined ? undefined : (tlsServer.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  logger.info({ port, tlsPort, versions: gateway.supportedVersions, dataDir: config.dataDir }, 'Joule is serving');

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    ...(tlsPort === undefined ? {} : { tlsPort }),
    domain,
    gateway,
    checkClientCertificate: (stationId, certificateDer) => domain.certificates.checkClientCertificate(stationId, certificateDer),
    ...(admin.generated ? { generatedAdminToken: admin.generated } : {}),
    close: () => {
      closing ??= (async () => {
        staleJob?.stop();
        renewalJob?.stop();
        gateway.close();
        if (tlsServer !== undefined) {
          tlsServer.closeAllConnections();
          await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
        }
        await app.close();
        await bus.close();
        await store.close();
      })();
      return closing;
    },
  };
}
