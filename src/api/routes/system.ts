import type { FastifyInstance } from 'fastify';

/** Unauthenticated probes for load balancers and orchestrators. */
export function systemRoutes(app: FastifyInstance): void {
  app.get('/health', {
    schema: {
      tags: ['system'],
      summary: 'Liveness probe',
      description: 'Answers while the process serves HTTP. Needs no token.',
      security: [],
      response: {
        200: { description: 'The server is up', type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } },
      },
    },
  }, () => ({ status: 'ok' }));
}
