import type { ValidatorFactory } from '@fastify/ajv-compiler';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import packageJson from '../../package.json' with { type: 'json' };
import type { Domain } from '../domain/domain.ts';
import { requireBearerAuth, type ApiAuth } from './auth.ts';
import { installErrorHandling } from './errors.ts';
import { acceptOmittedBodies, documentOmittedBodies } from './optional-body.ts';
import { certificateRoutes } from './routes/certificates.ts';
import { signingRequestRoutes } from './routes/signing-requests.ts';
import { commandRoutes } from './routes/commands.ts';
import { deviceModelRoutes } from './routes/device-model.ts';
import { eventRoutes } from './routes/events.ts';
import { idTokenRoutes } from './routes/id-tokens.ts';
import { stationRoutes } from './routes/stations.ts';
import { systemRoutes } from './routes/system.ts';
import { transactionRoutes } from './routes/transactions.ts';
import { validationRuleRoutes } from './routes/validation-rules.ts';
import { chargingProfileRoutes } from './routes/charging-profiles.ts';
import { sessionNeedRoutes } from './routes/session-needs.ts';
import { siteRoutes } from './routes/sites.ts';
import { addSharedSchemas } from './schemas.ts';
import { installAuditLog } from './audit-hook.ts';
import { installSiteScope } from './site-scope.ts';
import { authRoutes } from './routes/auth.ts';
import { operatorRoutes } from './routes/operators.ts';
import { auditRoutes } from './routes/audit.ts';
import { defaultSseLimits, type SseLimits } from './sse-stream.ts';
import { LazySchemaCompilers } from './lazy-schema-compilers.ts';

export interface ApiOptions {
  domain: Domain;
  /** Who may call `/api/v1`. */
  auth: ApiAuth;
  /** A pino (or other Fastify-compatible) logger; `false` or absent: no logging. */
  logger?: FastifyBaseLogger | false;
  /** Overrides for the OpenAPI `info` object (default title "Joule CSMS API", version from package.json). */
  openapiInfo?: { title?: string; version?: string; description?: string };
  /** Heartbeat and backlog limits of `/api/v1/events` streams. */
  sse?: Partial<SseLimits>;
  /** Audit reads (GET) too, not only changes, commands, logins and refusals (JOULE_AUDIT_READS). */
  auditReads?: boolean;
  /** Compiles route schemas on first use (default: a new one; tests pass theirs to compile them all). */
  schemaCompilers?: LazySchemaCompilers;
}

/** Where the OpenAPI document and Swagger UI are served (`/api/docs/json` is the document). */
export const API_DOCS_PREFIX = '/api/docs';
/** Prefix of every authenticated route. */
export const API_PREFIX = '/api/v1';

const TAGS = [
  { name: 'stations', description: 'Station registry and live state' },
  { name: 'commands', description: 'Operator commands to stations and the command log' },
  { name: 'id-tokens', description: 'Id tokens that may charge' },
  { name: 'transactions', description: 'Charging transactions, their meter values and event logs' },
  { name: 'validation-rules', description: 'How strictly the messages of each make of station are validated' },
  { name: 'smart-charging', description: 'Sites, their limits, tariffs, demand response and session needs; plans and the profiles sent' },
  { name: 'certificates', description: 'Joule\'s certificate authority, the station certificates it issued, root certificates on stations, revocation' },
  { name: 'security-events', description: 'Security events reported by stations or found by Joule' },
  { name: 'events', description: 'Live domain events' },
  { name: 'accounts', description: 'Login, sessions, MFA, API tokens and operator accounts' },
  { name: 'audit', description: 'The append-only audit log' },
  { name: 'system', description: 'Health' },
];

/**
 * Builds the REST API: `/api/v1/*` (bearer auth), `/health`, and the OpenAPI document with Swagger UI at
 * `/api/docs`. Returns the instance unstarted: more routes (e.g. the dashboard) may still be registered, then call
 * `listen()`. It leaves HTTP `upgrade` events alone, so a WebSocket server can share `app.server`.
 */
export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const { domain, auth } = options;
  // Path parameters longer than Fastify's default 100 characters (id tokens reach 255) get a 400 from their schema.
  const compilers = options.schemaCompilers ?? new LazySchemaCompilers();
  const fastifyOptions = {
    routerOptions: { maxParamLength: 1024 },
    schemaController: {
      compilersFactory: {
        buildSerializer: compilers.buildSerializer,
        // @fastify/ajv-compiler's published type has the compiler take a bare schema; Fastify passes the route.
        buildValidator: compilers.buildValidator as unknown as ValidatorFactory,
      },
    },
  };
  const app: FastifyInstance = options.logger
    ? Fastify({ ...fastifyOptions, loggerInstance: options.logger })
    : Fastify({ ...fastifyOptions, logger: false });
  installErrorHandling(app);
  addSharedSchemas(app);
  acceptOmittedBodies(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: options.openapiInfo?.title ?? 'Joule CSMS API',
        version: options.openapiInfo?.version ?? packageJson.version,
        description: options.openapiInfo?.description ?? 'Stations, commands, id tokens, transactions, validation rules, smart charging (sites, limits, tariffs, demand response, plans), live events, operator accounts and the audit log of the Joule OCPP central system.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearerAuth: [] }],
      tags: TAGS,
    },
    transformObject: (document) => ('openapiObject' in document ? documentOmittedBodies(document.openapiObject) : document.swaggerObject),
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: API_DOCS_PREFIX });

  systemRoutes(app);
  await app.register(async (v1) => {
    requireBearerAuth(v1, auth);
    installSiteScope(v1, domain, API_PREFIX);
    installAuditLog(v1, { append: (entry) => domain.accounts.recordAudit(entry) }, { auditReads: options.auditReads ?? false, prefix: API_PREFIX });
    authRoutes(v1, domain);
    operatorRoutes(v1, domain);
    auditRoutes(v1, domain);
    stationRoutes(v1, domain);
    deviceModelRoutes(v1, domain);
    commandRoutes(v1, domain);
    idTokenRoutes(v1, domain);
    transactionRoutes(v1, domain);
    validationRuleRoutes(v1, domain);
    siteRoutes(v1, domain);
    sessionNeedRoutes(v1, domain);
    chargingProfileRoutes(v1, domain);
    certificateRoutes(v1, domain);
    signingRequestRoutes(v1, domain);
    eventRoutes(v1, domain, { ...defaultSseLimits, ...options.sse });
  }, { prefix: API_PREFIX });

  return app;
}
