import type { FastifyInstance } from 'fastify';
import type { Domain } from '../../domain/domain.ts';
import type { DomainEvent } from '../../domain/events.ts';
import { errorResponses, EVENT_TYPES, ref } from '../schemas.ts';
import { SseStream, type SseLimits } from '../sse-stream.ts';
import { eventVisible, siteLimitOf } from '../site-scope.ts';

interface EventsQuery {
  types?: string;
  stationId?: string;
}

const EVENTS_DESCRIPTION = `Server-Sent Events of domain events, live (no replay). Each message is
\`id: <event id>\\nevent: <event type>\\ndata: <the event as JSON>\\n\\n\`; a \`: ping\` comment comes every 15 s.
Event types: ${Object.entries(EVENT_TYPES).map(([type, meaning]) => `\`${type}\` (${meaning})`).join(', ')}.
A client that does not keep up is disconnected.`;

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/** Keeps the event if it passes the client's filters. */
function matcher(query: EventsQuery): (event: DomainEvent) => boolean {
  const types = query.types ? new Set(query.types.split(',').map((t) => t.trim()).filter(Boolean)) : undefined;
  const { stationId } = query;
  return (event) => (!types || types.has(event.type)) && (!stationId || event.stationId === stationId);
}

/** `GET /events`: the live domain event stream. Open streams are ended when the server closes. */
export function eventRoutes(app: FastifyInstance, domain: Domain, limits: SseLimits): void {
  const streams = new Set<SseStream>();
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.end();
  });

  app.get<{ Querystring: EventsQuery }>('/events', {
    schema: {
      tags: ['events'],
      summary: 'Live domain events (Server-Sent Events)',
      description: EVENTS_DESCRIPTION,
      querystring: {
        type: 'object',
        properties: {
          types: { type: 'string', maxLength: 2000, description: 'Comma-separated event types to receive, e.g. transaction.started,transaction.ended (default: all)' },
          stationId: { type: 'string', minLength: 1, description: 'Only events of this station' },
        },
      },
      response: {
        200: { description: 'The event stream', content: { 'text/event-stream': { schema: ref('DomainEvent') } } },
        ...errorResponses(400),
      },
    },
  }, async (request, reply) => {
    // A caller limited to sites sees only their stations' and sites' events; the stations are looked up again
    // whenever site settings change.
    const sites = siteLimitOf(request);
    let allowed = sites === null ? undefined : await domain.accounts.stationsOfSites(sites);
    reply.hijack();
    if (request.socket.destroyed) return; // the client left while it was being authenticated
    const filter = matcher(request.query);
    const matches = (event: DomainEvent): boolean => {
      if (sites !== null && event.type === 'smart-charging.changed') {
        void domain.accounts.stationsOfSites(sites).then((stations) => { allowed = stations; }, () => undefined);
      }
      return filter(event) && (sites === null || allowed === undefined || eventVisible(event, sites, allowed));
    };
    const raw = reply.raw;
    raw.writeHead(200, SSE_HEADERS);
    const stream = new SseStream(raw, limits, domain.bus.nodeId);
    streams.add(stream);
    const unsubscribe = domain.bus.subscribe((event) => {
      if (matches(event)) stream.send(event);
    });
    raw.on('close', () => {
      unsubscribe();
      stream.stop();
      streams.delete(stream);
    });
  });
}
