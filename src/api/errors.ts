import type { FastifyError, FastifyInstance } from 'fastify';
import { DomainError, type DomainErrorCode } from '../domain/errors.ts';

/** The body of every error response: `{ "error": { "code", "message", "details"? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; commandId?: string };
}

/** An error with its HTTP status and stable code, thrown by route handlers and hooks. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Builds an error body; `extra` adds fields such as `details` or `commandId`. */
export function errorBody(code: string, message: string, extra: { details?: unknown; commandId?: string } = {}): ErrorBody {
  return { error: { code, message, ...extra } };
}

const DOMAIN_STATUS: Record<DomainErrorCode, number> = { not_found: 404, invalid: 400, conflict: 409, forbidden: 403 };

/** Codes for the client errors Fastify itself raises (bad JSON, body too large, wrong content type, ...). */
const CLIENT_ERROR_CODES: Record<number, string> = {
  400: 'invalid_request',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
};

/**
 * Makes every error a JSON error body: domain errors by their code, schema validation failures as 400
 * `invalid_request` with the errors in `details`, unknown routes as 404 `not_found`, and anything unexpected as
 * 500 `internal` (logged; the client sees no stack or message).
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      return reply.code(error.status).send(errorBody(error.code, error.message, error.details === undefined ? {} : { details: error.details }));
    }
    if (error instanceof DomainError) return reply.code(DOMAIN_STATUS[error.code]).send(errorBody(error.code, error.message));
    if (error.validation) return reply.code(400).send(errorBody('invalid_request', error.message, { details: error.validation }));
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send(errorBody(CLIENT_ERROR_CODES[status] ?? 'bad_request', error.message));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(errorBody('internal', 'Internal server error'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody('not_found', `Route ${request.method} ${request.url.split('?')[0]} not found`));
  });
}
