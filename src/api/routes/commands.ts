import type { FastifyInstance, FastifyReply } from 'fastify';
import type { StationCallOutcome } from '../../cluster/bus.ts';
import type { Domain } from '../../domain/domain.ts';
import { principalOf } from '../auth.ts';
import { errorBody } from '../errors.ts';
import { arrayOf, errorResponses, limitParameter, ref } from '../schemas.ts';
import { stationFilter } from '../site-scope.ts';
import { stationIdParams } from './stations.ts';

interface CommandParams {
  id: string;
  action: string;
}

const commandParams = {
  type: 'object',
  required: ['id', 'action'],
  properties: {
    ...stationIdParams.properties,
    action: {
      type: 'string',
      pattern: '^[A-Za-z][A-Za-z0-9]{0,63}$',
      description: 'The OCPP action for the station\'s protocol version, e.g. RemoteStartTransaction (1.6), RequestStartTransaction (2.0.1), Reset',
    },
  },
};

const SEND_DESCRIPTION = `Sends the OCPP request to the station and waits for its answer (or the timeout).
- \`200\` status \`completed\`: the station's payload in \`response\`.
- \`200\` status \`error\`: the station answered with a CALLERROR, in \`error\`.
- \`400\` \`invalid_payload\`: the action is not one the station's protocol version accepts, or the payload fails its schema (the schema errors are in \`details\`); nothing was sent.
- \`404\` \`not_found\`: the station is not known.
- \`409\` \`station_offline\`: the station is not connected; \`409\` \`refused\`: the command may not be sent now (e.g. a remote start to a Pending station, or too many commands queued).
- \`504\` \`timeout\`: no answer in time.
Every attempt is recorded in the command log (\`commandId\`).

Profile on authorization: a \`RemoteStartTransaction\` (1.6, with \`connectorId\`) or \`RequestStartTransaction\` (2.x, with \`evseId\`) for an EVSE of a managed site that carries no \`chargingProfile\` is sent with the planner's TxProfile for the session (no transactionId), fitted to the station's rate unit; the answer's \`sent\` shows the message as sent. A profile the operator gives is sent as given.`;

/** Operator commands to stations, and the command log (who sent what, when, and the result). */
export function commandRoutes(app: FastifyInstance, domain: Domain): void {
  const tags = ['commands'];

  app.post<{ Params: CommandParams; Querystring: { timeoutMs?: number }; Body: Record<string, unknown> }>('/stations/:id/commands/:action', {
    schema: {
      tags,
      summary: 'Send a command to a station',
      description: SEND_DESCRIPTION,
      params: commandParams,
      querystring: {
        type: 'object',
        properties: { timeoutMs: { type: 'integer', minimum: 1, maximum: 300_000, description: 'How long to wait for the station (default: server setting)' } },
      },
      body: { type: 'object', additionalProperties: true, description: 'The OCPP request payload; `{}` or no body for actions without fields' },
      response: { 200: ref('CommandResult'), ...errorResponses(400, 403, 404, 409, 504) },
    },
  }, async (request, reply) => {
    const { commandId, outcome } = await domain.commands.send({
      stationId: request.params.id,
      action: request.params.action,
      payload: request.body,
      actor: principalOf(request).name,
      origin: request.ip,
      timeoutMs: request.query.timeoutMs,
    });
    return sendOutcome(reply, commandId, outcome);
  });

  app.get<{ Querystring: { stationId?: string; limit: number } }>('/commands', {
    schema: {
      tags,
      summary: 'The command log',
      querystring: {
        type: 'object',
        properties: { stationId: { type: 'string', minLength: 1, description: 'Only commands to this station' }, limit: limitParameter },
      },
      response: { 200: arrayOf('Command', 'Command log entries'), ...errorResponses(400) },
    },
  }, async (request) => domain.commands.list(request.query.stationId, request.query.limit, await stationFilter(request, domain)));

  app.get<{ Params: { id: string } }>('/commands/:id', {
    schema: {
      tags,
      summary: 'Get a command log entry',
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } },
      response: { 200: ref('Command', 'The command log entry'), ...errorResponses(404) },
    },
  }, (request) => domain.commands.get(request.params.id));
}

/** Turns a command's outcome into the HTTP answer of the public contract. */
function sendOutcome(reply: FastifyReply, commandId: string, outcome: StationCallOutcome): FastifyReply {
  switch (outcome.status) {
    case 'completed':
      return reply.code(200).send({ status: 'completed', commandId, response: outcome.response, ...(outcome.sent ? { sent: outcome.sent } : {}) });
    case 'error':
      return reply.code(200).send({ status: 'error', commandId, error: outcome.error });
    case 'invalid':
      return reply.code(400).send(errorBody('invalid_payload', outcome.message, { details: outcome.errors, commandId }));
    case 'refused':
      return reply.code(409).send(errorBody('refused', outcome.message, { commandId }));
    case 'offline':
      return reply.code(409).send(errorBody('station_offline', 'The station is not connected', { commandId }));
    case 'timeout':
      return reply.code(504).send(errorBody('timeout', 'The station did not answer in time', { commandId }));
  }
}
