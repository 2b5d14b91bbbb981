import type { FastifyInstance } from 'fastify';
import type { Domain } from '../../domain/domain.ts';
import { DomainError } from '../../domain/errors.ts';
import { SecurityProfileDowngradeError } from '../../domain/stations/station-service.ts';
import { ApiError } from '../errors.ts';
import { VALIDATION_MODES } from '../../domain/stations/validation-policy.ts';
import type { RegistrationStatus, StationRegistration, ValidationMode } from '../../store/ports.ts';
import { arrayOf, errorResponses, limitParameter, PROTOCOLS, ref, REGISTRATION_STATUSES, VALIDATION_MODE_DESCRIPTION } from '../schemas.ts';

const dateTimeSchema = { type: 'string', format: 'date-time' };

/** Path parameter of every station route. */
export const stationIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, description: 'Station id' } },
};

interface StationParams {
  id: string;
}

interface StationUpdate {
  registered?: boolean;
  bootPolicy?: RegistrationStatus | null;
  securityProfile?: number | null;
  defaultProtocol?: (typeof PROTOCOLS)[number] | null;
  description?: string | null;
  validationMode?: ValidationMode | null;
  password?: string | null;
}

const stationUpdateBody = {
  type: 'object',
  description: 'Fields to set; absent fields are left as they are, null clears one. Other fields are ignored. The body may be empty.',
  properties: {
    registered: { type: 'boolean', description: 'Defaults to true: an operator PUT registers the station' },
    bootPolicy: { type: ['string', 'null'], enum: [...REGISTRATION_STATUSES, null], description: 'Answer forced on BootNotification; null = server default' },
    securityProfile: { type: ['integer', 'null'], minimum: 0, maximum: 3, description: 'Security profile 0-3, upgrade only (lowering it is 409 security_profile_downgrade); null = the server default (1, or 0 with JOULE_ALLOW_UNSECURED). 0: no authentication (unless a password is set); 1: HTTP Basic on ws or wss (needs a password); 2: TLS (wss) and HTTP Basic; 3: TLS with a client certificate (CN = station id or serial number). A connection that proves less is refused (403); one that proves more raises the profile' },
    defaultProtocol: { type: ['string', 'null'], enum: [...PROTOCOLS, null], description: 'Protocol assumed when the station offers no subprotocol' },
    description: { type: ['string', 'null'], maxLength: 1000 },
    validationMode: {
      type: ['string', 'null'],
      enum: [...VALIDATION_MODES, null],
      description: `How the station's messages are validated, from its next connection or boot (${VALIDATION_MODE_DESCRIPTION}); null = a matching vendor rule, else the server default`,
    },
    password: {
      type: ['string', 'null'],
      maxLength: 256,
      description:
        'Basic-auth password (security profiles 1 and 2), write-only: only salted hashes are stored and it is never shown. '
        + 'OCPP 2.x: 16-40 characters (letters, digits, *-_=:+|@.). OCPP 1.6 AuthorizationKey: the key itself (16-20 bytes) or its hex '
        + 'representation (32-40 hex digits); the station may send either form. Checked against the protocol the station is known to speak. '
        + 'Once set, the station must present it at every connection, whatever its securityProfile; null removes it.',
    },
  },
};

/** Registry, live state and history of stations. */
export function stationRoutes(app: FastifyInstance, domain: Domain): void {
  const tags = ['stations'];

  async function requireStation(id: string): Promise<void> {
    if (!(await domain.stations.get(id))) throw new DomainError('not_found', `Station ${id} is not known`);
  }

  app.get('/stations', {
    schema: {
      tags,
      summary: 'List stations',
      description: 'Every known station with its live state (online, connector statuses).',
      response: { 200: arrayOf('StationView', 'The stations'), ...errorResponses() },
    },
  }, () => domain.stations.list());

  app.get<{ Params: StationParams }>('/stations/:id', {
    schema: {
      tags,
      summary: 'Get a station',
      params: stationIdParams,
      response: { 200: ref('StationView', 'The station'), ...errorResponses(404) },
    },
  }, (request) => domain.stations.view(request.params.id));

  app.put<{ Params: StationParams; Body: StationUpdate }>('/stations/:id', {
    schema: {
      tags,
      summary: 'Register or update a station',
      description: 'Creates the station if it is not known, else updates the given fields. Registers it unless `registered: false` is sent.',
      params: {
        ...stationIdParams,
        properties: { id: { type: 'string', minLength: 1, maxLength: 48, pattern: '^[^:]+$', description: 'Station id: 1-48 characters, no colon' } },
      },
      body: stationUpdateBody,
      response: { 200: ref('StationView', 'The station as registered'), ...errorResponses(400, 403, 409) },
    },
  }, async (request) => {
    const body = request.body;
    const registration: StationRegistration = { id: request.params.id, registered: body.registered ?? true };
    if (body.bootPolicy !== undefined) registration.bootPolicy = body.bootPolicy;
    if (body.securityProfile !== undefined) registration.securityProfile = body.securityProfile;
    if (body.defaultProtocol !== undefined) registration.defaultProtocol = body.defaultProtocol;
    if (body.description !== undefined) registration.description = body.description;
    if (body.validationMode !== undefined) registration.validationMode = body.validationMode;
    try {
      return await domain.stations.register(registration, body.password);
    } catch (error) {
      if (error instanceof SecurityProfileDowngradeError) throw new ApiError(409, 'security_profile_downgrade', error.message);
      throw error;
    }
  });

  app.post<{ Params: StationParams; Body: { password?: string } | undefined }>('/stations/:id/password-rotation', {
    schema: {
      tags,
      summary: 'Rotate a station\'s password',
      description:
        'Sends the station a new Basic-auth password through its live connection (1.6 ChangeConfiguration AuthorizationKey as hex, '
        + '2.x SetVariables SecurityCtrlr.BasicAuthPassword) and waits for its answer. Accepted: the old and the new password stay '
        + 'valid until the station connects with the new one, then only the new one is. Rejected, no answer or offline: the new one is '
        + 'dropped. Without `password` Joule generates one (20 random letters and digits), which the operator never sees; the state is '
        + 'in the station\'s `passwordRotation`.',
      params: stationIdParams,
      body: {
        type: ['object', 'null'],
        properties: { password: { type: 'string', maxLength: 256, description: 'The new password (same rules as PUT password); default: generated' } },
      },
      response: {
        200: {
          type: 'object',
          description: 'Where the rotation stands after the station answered (see the station\'s passwordRotation)',
          required: ['status', 'requestedAt', 'updatedAt', 'detail'],
          properties: { status: { type: 'string' }, requestedAt: dateTimeSchema, updatedAt: dateTimeSchema, detail: { type: ['string', 'null'] } },
        },
        ...errorResponses(400, 404, 409),
      },
    },
  }, (request) => domain.stations.rotatePassword(request.params.id, request.body?.password));

  app.get<{ Params: StationParams; Querystring: { limit: number } }>('/stations/:id/status-history', {
    schema: {
      tags,
      summary: 'Connector status history',
      description: 'Status reports of the station\'s connectors (and of the station itself, connector 0).',
      params: stationIdParams,
      querystring: { type: 'object', properties: { limit: limitParameter } },
      response: { 200: arrayOf('ConnectorStatus', 'Status reports'), ...errorResponses(400, 404) },
    },
  }, (request) => domain.stations.statusHistory(request.params.id, request.query.limit));

  app.get<{ Params: StationParams }>('/stations/:id/configuration', {
    schema: {
      tags,
      summary: 'Reported configuration',
      description: 'The configuration values the station last reported (GetConfiguration / GetVariables / GetBaseReport).',
      params: stationIdParams,
      response: { 200: arrayOf('ConfigurationKey', 'Configuration keys'), ...errorResponses(404) },
    },
  }, (request) => domain.stations.configuration(request.params.id));

  app.get<{ Params: StationParams; Querystring: { type?: string; limit: number } }>('/stations/:id/notifications', {
    schema: {
      tags,
      summary: 'Station notifications',
      description: 'Firmware, diagnostics, log upload, security and other notifications the station sent.',
      params: stationIdParams,
      querystring: {
        type: 'object',
        properties: { type: { type: 'string', description: 'Only this notification type, e.g. FirmwareStatusNotification' }, limit: limitParameter },
      },
      response: { 200: arrayOf('StationNotification', 'Notifications'), ...errorResponses(400, 404) },
    },
  }, async (request) => {
    await requireStation(request.params.id);
    return domain.notifications.list(request.params.id, request.query.type, request.query.limit);
  });

  app.get<{ Params: StationParams; Querystring: { limit: number } }>('/stations/:id/meter-values', {
    schema: {
      tags,
      summary: 'Latest meter values of a station',
      description: 'Sampled values of every connector of the station.',
      params: stationIdParams,
      querystring: { type: 'object', properties: { limit: limitParameter } },
      response: { 200: arrayOf('MeterValue', 'Sampled values'), ...errorResponses(400, 404) },
    },
  }, async (request) => {
    await requireStation(request.params.id);
    return domain.metering.forStation(request.params.id, request.query.limit);
  });
}
