import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Domain } from '../../domain/domain.ts';
import type { SigningRequestQueue } from '../../domain/security/signing-request-queue.ts';
import type { SigningRequestRecord, SigningRequestStatus } from '../../store/ports.ts';
import { principalOf, requireRole } from '../auth.ts';
import { certificateSchema, signingRequestSchema, signingRequestStatusSchema, stationCommandOutcomeSchema } from '../certificate-schemas.ts';
import { ApiError } from '../errors.ts';
import { errorResponses, limitParameter } from '../schemas.ts';
import { allowedStations, stationFilter } from '../site-scope.ts';

const tags = ['certificates'];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } };

/** The queue, or 409 when Joule signs CSRs itself or has no CA. */
function queueOf(domain: Domain): SigningRequestQueue {
  const queue = domain.certificates.signingRequests;
  if (queue === undefined) {
    throw new ApiError(409, 'not_manual_ca', `CSRs are queued only with JOULE_CA_MODE=manual (signing here: ${domain.certificates.signing})`);
  }
  return queue;
}

/** A CSR the caller may see (a caller limited to sites sees only their stations'; others are 404). */
async function visible(request: FastifyRequest, domain: Domain, id: string): Promise<SigningRequestRecord> {
  const found = await queueOf(domain).get(id);
  const allowed = await allowedStations(request, domain);
  if (allowed !== null && !allowed.has(found.stationId)) throw new ApiError(404, 'not_found', `No certificate signing request ${id}`);
  return found;
}

/**
 * Manual CA mode (JOULE_CA_MODE=manual): the station CSRs waiting for the operator's own CA. An operator downloads a
 * CSR, signs it with that CA outside Joule, and uploads the certificate, which Joule checks and sends to the station.
 */
export function signingRequestRoutes(app: FastifyInstance, domain: Domain): void {
  app.get<{ Querystring: { stationId?: string; status?: SigningRequestStatus; limit: number } }>('/certificate-signing-requests', {
    schema: {
      tags,
      summary: 'Station CSRs queued for the operator\'s CA (manual CA mode), newest first',
      querystring: {
        type: 'object',
        properties: { stationId: { type: 'string', minLength: 1 }, status: signingRequestStatusSchema, limit: limitParameter },
      },
      response: { 200: { type: 'array', items: signingRequestSchema, description: 'CSRs, newest first' }, ...errorResponses(400, 409) },
    },
  }, async (request) => {
    const { stationId, status, limit } = request.query;
    return queueOf(domain).list({ stationId, stationIds: await stationFilter(request, domain), status, limit });
  });

  app.get<{ Params: { id: string } }>('/certificate-signing-requests/:id', {
    schema: {
      tags,
      summary: 'One queued station CSR (manual CA mode)',
      params: idParams,
      response: { 200: signingRequestSchema, ...errorResponses(404, 409) },
    },
  }, (request) => visible(request, domain, request.params.id));

  app.post<{ Params: { id: string }; Body: { certificateChain: string } }>('/certificate-signing-requests/:id/certificate', {
    onRequest: requireRole('admin'),
    schema: {
      tags,
      summary: 'Upload the certificate the operator\'s CA signed for a pending CSR (admin): checked, recorded and sent to the station (CertificateSigned)',
      description: 'The certificate must carry the CSR\'s public key, O and CN, be a station (not CA) certificate valid now, allow TLS client use, and chain to the root of JOULE_CA_CERT_FILE / JOULE_CA_CHAIN_FILE; intermediates may follow it in the upload. The answer says what the station did with it: `delivery.stationStatus` Accepted means installed.',
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['certificateChain'],
        properties: { certificateChain: { type: 'string', minLength: 1, maxLength: 65536, description: 'PEM: the station certificate first, then any intermediate CAs' } },
      },
      response: {
        200: {
          type: 'object',
          description: 'The CSR (now signed), the certificate in the inventory, and the station\'s answer to CertificateSigned',
          required: ['signingRequest', 'certificate', 'delivery'],
          properties: { signingRequest: signingRequestSchema, certificate: certificateSchema, delivery: stationCommandOutcomeSchema },
        },
        ...errorResponses(400, 403, 404, 409),
      },
    },
  }, async (request) => {
    const found = await visible(request, domain, request.params.id);
    if (!(await domain.bus.isOnline(found.stationId))) {
      throw new ApiError(409, 'station_offline', `Station ${found.stationId} is not connected: the certificate could not be delivered now`);
    }
    return queueOf(domain).sign(found.id, request.body.certificateChain, principalOf(request).name);
  });

  app.post<{ Params: { id: string }; Body: { reason: string } }>('/certificate-signing-requests/:id/reject', {
    onRequest: requireRole('admin'),
    schema: {
      tags,
      summary: 'Reject a pending CSR (admin): nothing is sent to the station, which may send a new CSR',
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['reason'],
        properties: { reason: { type: 'string', minLength: 1, maxLength: 500, description: 'Why (kept with the CSR and in the station\'s notifications)' } },
      },
      response: { 200: signingRequestSchema, ...errorResponses(400, 403, 404, 409) },
    },
  }, async (request) => {
    const found = await visible(request, domain, request.params.id);
    return queueOf(domain).reject(found.id, request.body.reason, principalOf(request).name);
  });
}
