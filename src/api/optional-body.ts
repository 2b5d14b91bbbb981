import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * A request body whose schema requires no property may be omitted and is then read as `{}` (e.g. a command that
 * takes no fields, or `PUT /stations/{id}` with the defaults). One predicate decides both what the server accepts
 * and what the OpenAPI document says (`requestBody.required: false`).
 */
function bodyIsOptional(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && !('required' in schema);
}

async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined) request.body = {};
}

/** Adds the empty-body hook to every route registered after this call whose body may be omitted. */
export function acceptOmittedBodies(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!bodyIsOptional(route.schema?.body)) return;
    route.preValidation = [emptyBodyAsObject, ...[route.preValidation ?? []].flat()];
  });
}

interface OpenApiOperation {
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
}

/** Marks the request bodies that may be omitted as not required in an OpenAPI 3 document (changed in place). */
export function documentOmittedBodies<T extends { paths?: object }>(document: T): T {
  for (const pathItem of Object.values(document.paths ?? {}) as Record<string, OpenApiOperation>[]) {
    for (const operation of Object.values(pathItem)) {
      const body = operation.requestBody;
      if (body && bodyIsOptional(body.content?.['application/json']?.schema)) body.required = false;
    }
  }
  return document;
}
