import type { FastifyInstance } from 'fastify';
import type { Domain } from '../../domain/domain.ts';
import type { AuditQuery } from '../../store/ports.ts';
import { arrayOf, errorResponses, limitParameter } from '../schemas.ts';
import { requireUnlimitedAdmin } from './operators.ts';

/** The append-only audit log, for admins. */
export function auditRoutes(app: FastifyInstance, domain: Domain): void {
  app.get<{ Querystring: AuditQuery }>('/audit', {
    onRequest: requireUnlimitedAdmin,
    schema: {
      tags: ['audit'],
      summary: 'The audit log',
      description: 'Who did what, when, from where and with what result: every change, command, login (successful or not), logout and token change, and every refused request (401, 403, 429); reads too with JOULE_AUDIT_READS. Newest first; page with `before` = the last id of the previous page. Only for admins not limited to sites.',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          actor: { type: 'string', minLength: 1, description: 'Only this actor (user name)' },
          action: { type: 'string', minLength: 1, description: 'Only this action, e.g. `POST /auth/login`' },
          target: { type: 'string', minLength: 1, description: 'Only entries about this station, site, operator ... id' },
          from: { type: 'string', format: 'date-time', description: 'At or after this time' },
          to: { type: 'string', format: 'date-time', description: 'Before this time' },
          outcome: { type: 'integer', minimum: 100, maximum: 599, description: 'Only this HTTP status' },
          before: { type: 'string', pattern: '^[0-9]{1,19}$', description: 'Only entries older than this id (paging)' },
          limit: limitParameter,
        },
      },
      response: { 200: arrayOf('AuditEntry', 'Entries, newest first'), ...errorResponses(400, 403) },
    },
  }, (request) => {
    const { from, to } = request.query;
    return domain.accounts.audit({
      ...request.query,
      from: from === undefined ? undefined : new Date(from).toISOString(),
      to: to === undefined ? undefined : new Date(to).toISOString(),
    });
  });
}
