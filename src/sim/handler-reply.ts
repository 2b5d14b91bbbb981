import type { Payload } from '../ocpp/rpc/frames.ts';
import type { Reply } from './station-connection.ts';

/** Registers work to run right after the CALLRESULT is sent (status notifications, uploads, a reboot). */
export type AfterReply = (fn: () => void) => void;

/** Answers one CSMS request (already checked against its request schema) with the response payload. */
export type RequestHandler<Station> = (station: Station, request: Payload, after: AfterReply) => Payload;

/** Runs `handler` for `request`; what it registered with `after` runs once the CALLRESULT is on the wire. */
export function replyWith<Station>(handler: RequestHandler<Station>, station: Station, request: Payload): Reply {
  const followUps: (() => void)[] = [];
  const payload = handler(station, request, (fn) => followUps.push(fn));
  if (followUps.length === 0) return { payload };
  return { payload, afterSend: () => followUps.forEach((fn) => fn()) };
}
