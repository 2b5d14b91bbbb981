import type { Payload } from '../../ocpp/rpc/frames.ts';
import type { SimStation } from '../sim-station.ts';

/** Registers work to run right after the CALLRESULT is sent (status notifications, uploads, a reboot). */
export type AfterReply = (fn: () => void) => void;

/** Answers one CS-to-CP request (already checked against the 1.6 request schema) with the response payload. */
export type CsHandler = (station: SimStation, request: Payload, after: AfterReply) => Payload;

/** Types a handler by its request shape; the schema check before dispatch guarantees that shape. */
export function handler<Request>(fn: (station: SimStation, request: Request, after: AfterReply) => Payload): CsHandler {
  return fn as unknown as CsHandler;
}
