import type { Payload } from '../../ocpp/rpc/frames.ts';
import type { AfterReply, RequestHandler } from '../handler-reply.ts';
import type { SimStation } from '../sim-station.ts';

export type { AfterReply };

/** Answers one CS-to-CP request (already checked against the 1.6 request schema) with the response payload. */
export type CsHandler = RequestHandler<SimStation>;

/** Types a handler by its request shape; the schema check before dispatch guarantees that shape. */
export function handler<Request>(fn: (station: SimStation, request: Request, after: AfterReply) => Payload): CsHandler {
  return fn as unknown as CsHandler;
}
