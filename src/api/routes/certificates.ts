import type { FastifyInstance } from 'fastify';
import type { Domain } from '../../domain/domain.ts';
import type { RootCertificateType } from '../../domain/security/certificate-requests.ts';
import type { StationCommandOutcome } from '../../domain/security/certificate-service.ts';
import { parseCertificate } from '../../domain/security/pki/pem.ts';
import { singleNameField } from '../../domain/security/pki/distinguished-name.ts';
import type { CertificateHashDataRecord, CertificateStatus } from '../../store/ports.ts';
import { principalOf, requireRole } from '../auth.ts';
import {
  certificateSchema, certificateStatusSchema, hashDataSchema, rootCertificateTypeSchema, securityEventSchema,
  stationCertificateSchema, stationCommandOutcomeSchema,
} from '../certificate-schemas.ts';
import { ApiError } from '../errors.ts';
import { errorResponses, limitParameter } from '../schemas.ts';
import { stationFilter } from '../site-scope.ts';
import { stationIdParams } from './stations.ts';

const tags = ['certificates'];
const dateTime = { type: 'string', format: 'date-time' };

/** Offline, timeout and invalid outcomes as HTTP errors (the command log keeps them all); the rest is 200. */
function answered<T extends StationCommandOutcome>(sent: T): T {
  switch (sent.outcome) {
    case 'offline': throw new ApiError(409, 'station_offline', 'The station is not connected', { commandId: sent.commandId });
    case 'refused': throw new ApiError(409, 'refused', sent.reason ?? 'The command may not be sent now', { commandId: sent.commandId });
    case 'timeout': throw new ApiError(504, 'timeout', 'The station did not answer in time', { commandId: sent.commandId });
    case 'invalid': throw new ApiError(400, 'invalid_payload', sent.reason ?? 'The request cannot be sent to this station', { commandId: sent.commandId });
    default: return sent;
  }
}

/** The certificate inventory, Joule's CA, root certificates on stations, revocation. */
export function certificateRoutes(app: FastifyInstance, domain: Domain): void {
  app.get<{ Querystring: { stationId?: string; status?: CertificateStatus; expiringBefore?: string; limit: number } }>('/certificates', {
    schema: {
      tags,
      summary: 'The inventory of station certificates Joule issued (newest expiry first)',
      querystring: {
        type: 'object',
        properties: {
          stationId: { type: 'string', minLength: 1 },
          status: certificateStatusSchema,
          expiringBefore: { ...dateTime, description: 'Only certificates whose notAfter is before this time' },
          limit: limitParameter,
        },
      },
      response: { 200: { type: 'array', items: certificateSchema, description: 'Certificates, newest expiry first' }, ...errorResponses(400) },
    },
  }, async (request) => {
    const { stationId, status, expiringBefore, limit } = request.query;
    return domain.certificates.list({
      stationId, stationIds: await stationFilter(request, domain), status,
      expiringBefore: expiringBefore === undefined ? undefined : new Date(expiringBefore).toISOString(), limit,
    });
  });

  app.get('/certificates/authority', {
    schema: {
      tags,
      summary: 'The certificate authority of station certificates: how CSRs are signed, and its root (what a TLS edge trusts for station certificates)',
      response: {
        200: {
          type: 'object',
          description: 'The CA (configured false: JOULE_CA_MODE=off)',
          required: ['configured', 'signing'],
          properties: {
            configured: { type: 'boolean' },
            signing: { type: 'string', enum: ['automatic', 'manual', 'off'], description: 'automatic: Joule\'s CA signs checked CSRs at once (builtin, file); manual: they wait in /certificate-signing-requests for the operator\'s CA; off: CSRs are declined' },
            rootCertificatePem: { type: 'string' },
            subject: { type: 'string' },
            organization: { type: ['string', 'null'] },
            notAfter: dateTime,
          },
        },
        ...errorResponses(),
      },
    },
  }, () => {
    const ca = domain.certificates.authority;
    const pem = domain.certificates.authorityRootPem();
    const signing = domain.certificates.signing;
    if (ca === undefined || pem === undefined) return { configured: false, signing };
    const root = parseCertificate(pem);
    return { configured: true, signing, rootCertificatePem: pem, subject: root.subject, organization: singleNameField(ca.certificate.subjectName, 'O') ?? null, notAfter: root.notAfter.toISOString() };
  });

  app.post<{ Params: { serial: string }; Body: { reason?: string } }>('/certificates/:serial/revoke', {
    onRequest: requireRole('admin'),
    schema: {
      tags,
      summary: 'Revoke a certificate Joule issued (admin): the station can no longer connect with it (profile 3)',
      params: { type: 'object', required: ['serial'], properties: { serial: { type: 'string', pattern: '^[0-9A-Fa-f:]{1,64}$', description: 'Serial number, hex' } } },
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          reason: { type: 'string', enum: ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'privilegeWithdrawn'] },
        },
      },
      response: { 200: { type: 'array', items: certificateSchema, description: 'The revoked certificates' }, ...errorResponses(400, 403, 404) },
    },
  }, (request) => domain.certificates.revoke(request.params.serial, request.body?.reason));

  app.get<{ Params: { id: string } }>('/stations/:id/certificates', {
    schema: {
      tags,
      summary: 'A station\'s certificates: those Joule issued to it, and those it holds (roots installed or reported)',
      params: stationIdParams,
      response: {
        200: {
          type: 'object',
          description: 'Issued to the station, and held by it',
          required: ['issued', 'held'],
          properties: { issued: { type: 'array', items: certificateSchema }, held: { type: 'array', items: stationCertificateSchema } },
        },
        ...errorResponses(404),
      },
    },
  }, async (request) => {
    if ((await domain.stations.get(request.params.id)) === undefined) throw new ApiError(404, 'not_found', `Station ${request.params.id} is not known`);
    return domain.certificates.forStation(request.params.id);
  });

  app.post<{ Params: { id: string }; Body: { certificateType: RootCertificateType; certificate: string } }>('/stations/:id/certificates/install', {
    schema: {
      tags,
      summary: 'Install a root certificate on a station (InstallCertificate)',
      params: stationIdParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['certificateType', 'certificate'],
        properties: { certificateType: rootCertificateTypeSchema, certificate: { type: 'string', minLength: 1, maxLength: 5500, description: 'PEM' } },
      },
      response: { 200: { ...stationCommandOutcomeSchema, description: 'The station\'s answer' }, ...errorResponses(400, 404, 409, 504) },
    },
  }, async (request) => answered(await domain.certificates.installRoot(request.params.id, request.body.certificateType, request.body.certificate, principalOf(request).name)));

  app.post<{ Params: { id: string }; Body: { certificateHashData: CertificateHashDataRecord } }>('/stations/:id/certificates/delete', {
    schema: {
      tags,
      summary: 'Delete a certificate from a station (DeleteCertificate), by the hash data it reported',
      params: stationIdParams,
      body: { type: 'object', additionalProperties: false, required: ['certificateHashData'], properties: { certificateHashData: hashDataSchema } },
      response: { 200: { ...stationCommandOutcomeSchema, description: 'The station\'s answer' }, ...errorResponses(400, 404, 409, 504) },
    },
  }, async (request) => answered(await domain.certificates.deleteFromStation(request.params.id, request.body.certificateHashData, principalOf(request).name)));

  app.post<{ Params: { id: string }; Body: { certificateType: RootCertificateType } }>('/stations/:id/certificates/refresh', {
    schema: {
      tags,
      summary: 'Ask a station which certificates of a type it holds (GetInstalledCertificateIds) and keep the answer',
      params: stationIdParams,
      body: { type: 'object', additionalProperties: false, required: ['certificateType'], properties: { certificateType: rootCertificateTypeSchema } },
      response: {
        200: { ...stationCommandOutcomeSchema, description: 'The station\'s answer and what it holds now', properties: { ...stationCommandOutcomeSchema.properties, certificates: { type: 'array', items: stationCertificateSchema } } },
        ...errorResponses(400, 404, 409, 504),
      },
    },
  }, async (request) => answered(await domain.certificates.refreshStationCertificates(request.params.id, request.body.certificateType, principalOf(request).name)));

  app.get<{ Querystring: { stationId?: string; critical?: boolean; type?: string; from?: string; to?: string; limit: number } }>('/security-events', {
    schema: {
      tags: ['security-events'],
      summary: 'Security events, newest first: reported by stations (SecurityEventNotification) or found by Joule',
      querystring: {
        type: 'object',
        properties: {
          stationId: { type: 'string', minLength: 1 },
          critical: { type: 'boolean' },
          type: { type: 'string', minLength: 1, maxLength: 50 },
          from: { ...dateTime, description: 'timestamp >= from' },
          to: { ...dateTime, description: 'timestamp < to' },
          limit: limitParameter,
        },
      },
      response: { 200: { type: 'array', items: securityEventSchema, description: 'Security events' }, ...errorResponses(400) },
    },
  }, async (request) => {
    const { from, to, ...rest } = request.query;
    return domain.security.list({
      ...rest,
      stationIds: await stationFilter(request, domain),
      from: from === undefined ? undefined : new Date(from).toISOString(),
      to: to === undefined ? undefined : new Date(to).toISOString(),
    });
  });
}
