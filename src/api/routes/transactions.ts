import type { FastifyInstance } from 'fastify';
import type { Domain } from '../../domain/domain.ts';
import type { TransactionQuery } from '../../store/ports.ts';
import { arrayOf, errorResponses, limitParameter, offsetParameter, ref } from '../schemas.ts';
import { stationFilter } from '../site-scope.ts';

interface TransactionParams {
  id: string;
}

const transactionParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, description: 'Joule\'s transaction id' } },
};

const transactionQuery = {
  type: 'object',
  properties: {
    stationId: { type: 'string', minLength: 1, description: 'Only this station\'s transactions' },
    active: { type: 'boolean', description: 'true: only active (not stopped) transactions; false: only stopped ones' },
    limit: limitParameter,
    offset: offsetParameter,
  },
};

/** Charging transactions and their meter values. */
export function transactionRoutes(app: FastifyInstance, domain: Domain): void {
  const tags = ['transactions'];

  app.get<{ Querystring: TransactionQuery }>('/transactions', {
    schema: {
      tags,
      summary: 'List transactions',
      querystring: transactionQuery,
      response: { 200: arrayOf('Transaction', 'The transactions'), ...errorResponses(400) },
    },
  }, async (request) => {
    const { stationId, active, limit, offset } = request.query;
    return domain.transactions.list({ stationId, stationIds: await stationFilter(request, domain), active, limit, offset });
  });

  app.get<{ Params: TransactionParams }>('/transactions/:id', {
    schema: {
      tags,
      summary: 'Get a transaction',
      params: transactionParams,
      response: { 200: ref('Transaction', 'The transaction'), ...errorResponses(400, 404) },
    },
  }, (request) => domain.transactions.get(request.params.id));

  app.get<{ Params: TransactionParams }>('/transactions/:id/meter-values', {
    schema: {
      tags,
      summary: 'Meter values of a transaction',
      description: 'Every sampled value recorded for the transaction.',
      params: transactionParams,
      response: { 200: arrayOf('MeterValue', 'Sampled values'), ...errorResponses(400, 404) },
    },
  }, (request) => domain.metering.forTransaction(request.params.id));

  app.get<{ Params: TransactionParams }>('/transactions/:id/events', {
    schema: {
      tags,
      summary: 'Event log of a transaction',
      description: 'The OCPP 2.x TransactionEvents the station sent for the transaction, as received: by seqNo (events without one last), then timestamp, then arrival. Replays are kept once. Empty for 1.6 transactions.',
      params: transactionParams,
      response: { 200: arrayOf('TransactionEvent', 'The events'), ...errorResponses(400, 404) },
    },
  }, (request) => domain.transactions.events(request.params.id));
}
