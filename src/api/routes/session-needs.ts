import type { FastifyInstance } from 'fastify';
import type { Domain } from '../../domain/domain.ts';
import type { NeedDraft } from '../../domain/smart-charging/site-settings.ts';
import { requireRole } from '../auth.ts';
import { errorResponses, ref } from '../schemas.ts';

const tags = ['smart-charging'];
const transactionParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, description: 'Joule\'s transaction id' } } };

const needBody = {
  type: 'object',
  additionalProperties: false,
  required: ['energyWh', 'departure'],
  properties: {
    energyWh: { type: 'number', minimum: 0, description: 'Energy the session should have received by departure, counted from the start of its transaction' },
    departure: { type: 'string', format: 'date-time', description: 'When the driver leaves' },
    evMaxPowerW: { type: ['number', 'null'], exclusiveMinimum: 0, description: 'The EV\'s own power limit, if known' },
    evMaxCurrentA: { type: ['number', 'null'], exclusiveMinimum: 0, description: 'The EV\'s own current limit per phase, if known' },
    evMinCurrentA: { type: ['number', 'null'], minimum: 0, description: 'The EV\'s minimum charging current, if known' },
  },
};

/** What a charging session needs: energy by a departure (the driver's app, a fleet system). */
export function sessionNeedRoutes(app: FastifyInstance, domain: Domain): void {
  const settings = domain.smartCharging.settings;

  app.get<{ Params: { id: string } }>('/transactions/:id/needs', {
    schema: {
      tags, summary: 'Get a session\'s need', description: 'Its own (given here, or by the EV through NotifyEVChargingNeeds), else its site\'s default (source default).',
      params: transactionParams, response: { 200: ref('SessionNeed', 'The need'), ...errorResponses(404) },
    },
  }, (request) => settings.need(request.params.id));

  app.put<{ Params: { id: string }; Body: NeedDraft }>('/transactions/:id/needs', {
    onRequest: requireRole('operator', 'admin'),
    schema: {
      tags, summary: 'Set a session\'s need', description: 'The latest need wins, whoever gives it; the site is re-planned at once. Needs the operator or admin role.',
      params: transactionParams, body: needBody, response: { 200: ref('SessionNeed', 'The need as stored'), ...errorResponses(400, 403, 404, 409) },
    },
  }, (request) => settings.putNeed(request.params.id, request.body, 'api'));

  app.delete<{ Params: { id: string } }>('/transactions/:id/needs', {
    onRequest: requireRole('operator', 'admin'),
    schema: {
      tags, summary: 'Delete a session\'s need', description: 'The site default applies again. Needs the operator or admin role.',
      params: transactionParams, response: { 204: { type: 'null', description: 'Deleted' }, ...errorResponses(403, 404) },
    },
  }, async (request, reply) => {
    await settings.deleteNeed(request.params.id);
    return reply.code(204).send();
  });
}
