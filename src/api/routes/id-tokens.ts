import type { FastifyInstance } from 'fastify';
import { ID_TOKEN_STATUSES, type AuthorizationStatus } from '../../domain/authorization/authorization-service.ts';
import type { Domain } from '../../domain/domain.ts';
import { arrayOf, errorResponses, ref } from '../schemas.ts';

interface IdTokenParams {
  idToken: string;
}

interface IdTokenBody {
  status: AuthorizationStatus;
  expiryDate?: string | null;
  groupId?: string | null;
  allowConcurrentTx?: boolean;
}

const idTokenParams = {
  type: 'object',
  required: ['idToken'],
  properties: { idToken: { type: 'string', minLength: 1, maxLength: 255, description: 'The id token (compared case-insensitively)' } },
};

const idTokenBody = {
  type: 'object',
  required: ['status'],
  description: 'Replaces the token\'s settings; absent optional fields are cleared (allowConcurrentTx: false).',
  properties: {
    status: { type: 'string', enum: [...ID_TOKEN_STATUSES] },
    expiryDate: { type: ['string', 'null'], format: 'date-time', description: 'After this the token is Expired' },
    groupId: { type: ['string', 'null'], minLength: 1, maxLength: 255, description: 'Parent / group id token' },
    allowConcurrentTx: { type: 'boolean', description: 'May hold more than one transaction at a time (default false)' },
  },
};

/** The id tokens that may charge. */
export function idTokenRoutes(app: FastifyInstance, domain: Domain): void {
  const tags = ['id-tokens'];

  app.get('/id-tokens', {
    schema: {
      tags,
      summary: 'List id tokens',
      response: { 200: arrayOf('IdToken', 'The id tokens'), ...errorResponses() },
    },
  }, () => domain.authorization.list());

  app.get<{ Params: IdTokenParams }>('/id-tokens/:idToken', {
    schema: {
      tags,
      summary: 'Get an id token',
      params: idTokenParams,
      response: { 200: ref('IdToken', 'The id token'), ...errorResponses(400, 404) },
    },
  }, (request) => domain.authorization.get(request.params.idToken));

  app.put<{ Params: IdTokenParams; Body: IdTokenBody }>('/id-tokens/:idToken', {
    schema: {
      tags,
      summary: 'Create or replace an id token',
      params: idTokenParams,
      body: idTokenBody,
      response: { 200: ref('IdToken', 'The id token as stored'), ...errorResponses(400, 403) },
    },
  }, (request) => {
    const { status, expiryDate, groupId, allowConcurrentTx } = request.body;
    return domain.authorization.put({ idToken: request.params.idToken, status, expiryDate, groupId, allowConcurrentTx });
  });

  app.delete<{ Params: IdTokenParams }>('/id-tokens/:idToken', {
    schema: {
      tags,
      summary: 'Delete an id token',
      params: idTokenParams,
      response: { 204: { type: 'null', description: 'Deleted' }, ...errorResponses(400, 403, 404) },
    },
  }, async (request, reply) => {
    await domain.authorization.remove(request.params.idToken);
    return reply.code(204).send();
  });
}
