import type { Payload } from '../../../ocpp/rpc/frames.ts';
import type { AfterReply, RequestHandler } from '../../handler-reply.ts';
import type { SimStation201 } from '../sim-station-201.ts';

export type { AfterReply };

/** Answers one CSMS-to-station request (already checked against the 2.0.1 request schema) with the response payload. */
export type CsmsRequestHandler = RequestHandler<SimStation201>;

/** Types a handler by its request shape; the schema check before dispatch guarantees that shape. */
export function handler<Request>(fn: (station: SimStation201, request: Request, after: AfterReply) => Payload): CsmsRequestHandler {
  return fn as unknown as CsmsRequestHandler;
}
