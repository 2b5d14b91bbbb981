import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OperatorChanges } from '../../domain/accounts/account-service.ts';
import type { Domain } from '../../domain/domain.ts';
import type { OperatorRole } from '../../store/ports.ts';
import { principalOf, requireRole } from '../auth.ts';
import { ROLES, siteList } from '../account-schemas.ts';
import { ApiError } from '../errors.ts';
import { arrayOf, errorResponses, ref } from '../schemas.ts';

const tags = ['accounts'];
const ADMIN_ONLY = 'Only for admins not limited to sites.';

/** Admins limited to some sites could otherwise grant themselves or others every site. */
export async function requireUnlimitedAdmin(request: FastifyRequest): Promise<void> {
  await requireRole('admin')(request);
  if (principalOf(request).sites) throw new ApiError(403, 'forbidden', 'An admin limited to sites may not do this');
}

const operatorParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } };

interface NewOperatorBody {
  username: string;
  password: string;
  role: OperatorRole;
  sites?: string[] | null;
}

/** Operator accounts, managed by admins. */
export function operatorRoutes(app: FastifyInstance, domain: Domain): void {
  const accounts = domain.accounts;

  app.get('/operators', {
    onRequest: requireUnlimitedAdmin,
    schema: { tags, summary: 'List operators', description: ADMIN_ONLY, response: { 200: arrayOf('Operator', 'The operators, by user name'), ...errorResponses(403) } },
  }, () => accounts.list());

  app.post<{ Body: NewOperatorBody }>('/operators', {
    onRequest: requireUnlimitedAdmin,
    schema: {
      tags,
      summary: 'Create an operator',
      description: `The operator logs in with the user name and password (POST /auth/login) and should then enrol MFA. Password: 12-128 characters, not a well-known one, not containing the user name. ${ADMIN_ONLY}`,
      body: {
        type: 'object', required: ['username', 'password', 'role'], additionalProperties: false,
        properties: {
          username: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]*$', description: 'Letters, digits and ._@-; unique without regard to case' },
          password: { type: 'string', minLength: 1, maxLength: 1024 },
          role: { type: 'string', enum: [...ROLES] },
          sites: siteList('Limit the operator to these sites; absent or null: every site'),
        },
      },
      response: { 201: ref('Operator', 'The operator'), ...errorResponses(400, 403, 409) },
    },
  }, async (request, reply) => reply.code(201).send(await accounts.create(request.body)));

  app.get<{ Params: { id: string } }>('/operators/:id', {
    onRequest: requireUnlimitedAdmin,
    schema: { tags, summary: 'Get an operator', description: ADMIN_ONLY, params: operatorParams, response: { 200: ref('Operator', 'The operator'), ...errorResponses(403, 404) } },
  }, (request) => accounts.get(request.params.id));

  app.put<{ Params: { id: string }; Body: OperatorChanges }>('/operators/:id', {
    onRequest: requireUnlimitedAdmin,
    schema: {
      tags,
      summary: 'Change an operator',
      description: `Role, sites, disabled, a new password (revokes the operator's tokens; so does disabling), or resetMfa (a lost authenticator: the operator enrols again). Role changes apply to its tokens at once. ${ADMIN_ONLY}`,
      params: operatorParams,
      body: {
        type: 'object', additionalProperties: false,
        properties: {
          role: { type: 'string', enum: [...ROLES] },
          sites: siteList('The sites the operator is limited to; null: every site'),
          disabled: { type: 'boolean' },
          password: { type: 'string', minLength: 1, maxLength: 1024 },
          resetMfa: { type: 'boolean' },
        },
      },
      response: { 200: ref('Operator', 'The operator'), ...errorResponses(400, 403, 404) },
    },
  }, (request) => {
    const self = principalOf(request).operatorId === request.params.id;
    const { role, disabled } = request.body;
    if (self && (disabled === true || (role !== undefined && role !== 'admin'))) {
      throw new ApiError(403, 'forbidden', 'You may not disable or demote your own account');
    }
    return accounts.update(request.params.id, request.body);
  });

  app.delete<{ Params: { id: string } }>('/operators/:id', {
    onRequest: requireUnlimitedAdmin,
    schema: { tags, summary: 'Delete an operator', description: `Its tokens go with it; its audit entries stay. ${ADMIN_ONLY}`, params: operatorParams, response: { 204: { type: 'null', description: 'Deleted' }, ...errorResponses(403, 404) } },
  }, async (request, reply) => {
    if (principalOf(request).operatorId === request.params.id) throw new ApiError(403, 'forbidden', 'You may not delete your own account');
    await accounts.delete(request.params.id);
    return reply.code(204).send();
  });
}
