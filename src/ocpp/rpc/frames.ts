import type { OcppVersion } from '../versions.ts';
import { RpcError, toWireCode, type RpcErrorKind } from './error-codes.ts';

export const CALL = 2;
export const CALLRESULT = 3;
export const CALLERROR = 4;
export const CALLRESULTERROR = 5;
export const SEND = 6;

/** The longest message id the specifications allow (a UUID fits). */
export const MAX_MESSAGE_ID_LENGTH = 36;
/** 2.x: the message id to use in a CALLERROR when the offending frame's id cannot be read. */
export const UNKNOWN_MESSAGE_ID = '-1';

export type Payload = Record<string, unknown>;

export interface CallFrame { type: typeof CALL; id: string; action: string; payload: Payload }
export interface SendFrame { type: typeof SEND; id: string; action: string; payload: Payload }
export interface CallResultFrame { type: typeof CALLRESULT; id: string; payload: Payload }
export interface CallErrorFrame {
  type: typeof CALLERROR | typeof CALLRESULTERROR;
  id: string;
  code: string;
  description: string;
  details: Payload;
}
export type Frame = CallFrame | SendFrame | CallResultFrame | CallErrorFrame;

/** Why a frame could not be read, and what to answer: `reply` false means ignore it (and count it as bad). */
export interface FrameFault {
  id: string;
  kind: RpcErrorKind;
  message: string;
  reply: boolean;
}

export type ParsedFrame = { ok: true; frame: Frame } | { ok: false; fault: FrameFault };

function fault(id: string, kind: RpcErrorKind, message: string, reply = true): ParsedFrame {
  return { ok: false, fault: { id, kind, message, reply } };
}

function isPlainObject(value: unknown): value is Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses one WebSocket text message into an OCPP-J frame, following the framing rules of `version`
 * (SEND and CALLRESULTERROR exist only in 2.1). Never throws.
 */
export function parseFrame(text: string, version: OcppVersion): ParsedFrame {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return fault(UNKNOWN_MESSAGE_ID, 'RpcFrameworkError', 'Message is not valid JSON');
  }
  if (!Array.isArray(data) || data.length < 3) {
    return fault(UNKNOWN_MESSAGE_ID, 'RpcFrameworkError', 'Message is not an OCPP-J frame array');
  }
  const [type, rawId] = data as [unknown, unknown];
  if (typeof rawId !== 'string' || rawId.length === 0) {
    return fault(UNKNOWN_MESSAGE_ID, 'RpcFrameworkError', 'MessageId could not be read');
  }
  const id = rawId;
  if (id.length > MAX_MESSAGE_ID_LENGTH) {
    return fault(id, 'RpcFrameworkError', `MessageId is longer than ${MAX_MESSAGE_ID_LENGTH} characters`);
  }
  const is21 = version === 'ocpp2.1';
  switch (type) {
    case CALL:
    case SEND: {
      if (type === SEND && !is21) break;
      if (data.length !== 4) return fault(id, 'RpcFrameworkError', 'A CALL has exactly 4 elements', type === CALL);
      const action = data[2];
      const payload = data[3];
      if (typeof action !== 'string' || action.length === 0) {
        return fault(id, 'RpcFrameworkError', 'Action is not a string', type === CALL);
      }
      if (!isPlainObject(payload)) return fault(id, 'FormatViolation', 'Payload is not a JSON object', type === CALL);
      return { ok: true, frame: { type, id, action, payload } };
    }
    case CALLRESULT: {
      if (data.length !== 3) return fault(id, 'RpcFrameworkError', 'A CALLRESULT has exactly 3 elements', false);
      const payload = data[2];
      // Quirk: some stations answer `null` instead of `{}` (field notes §3 #24).
      if (payload === null) return { ok: true, frame: { type, id, payload: {} } };
      if (!isPlainObject(payload)) return fault(id, 'FormatViolation', 'Payload is not a JSON object', false);
      return { ok: true, frame: { type, id, payload } };
    }
    case CALLERROR:
    case CALLRESULTERROR: {
      if (type === CALLRESULTERROR && !is21) break;
      const code = data[2];
      const description = data[3];
      const details = data[4];
      return {
        ok: true,
        frame: {
          type,
          id,
          code: typeof code === 'string' ? code : 'GenericError',
          description: typeof description === 'string' ? description : '',
          details: isPlainObject(details) ? details : {},
        },
      };
    }
    default:
      break;
  }
  // Unknown message type number: 1.6 and 2.1 ignore it; 2.0.1 answers MessageTypeNotSupported (§4.4).
  const reply = version === 'ocpp2.0.1';
  return fault(id, 'MessageTypeNotSupported', `Message type ${String(type)} is not supported`, reply);
}

export function serializeCall(id: string, action: string, payload: Payload): string {
  return `[2,${JSON.stringify(id)},${JSON.stringify(action)},${JSON.stringify(payload)}]`;
}

export function serializeSend(id: string, action: string, payload: Payload): string {
  return `[6,${JSON.stringify(id)},${JSON.stringify(action)},${JSON.stringify(payload)}]`;
}

export function serializeCallResult(id: string, payload: Payload): string {
  return `[3,${JSON.stringify(id)},${JSON.stringify(payload)}]`;
}

/** 2.x limits errorDescription to 255 characters. */
const MAX_ERROR_DESCRIPTION = 255;

export function serializeCallError(
  id: string,
  kind: RpcErrorKind,
  description: string,
  version: OcppVersion,
  details: Payload = {},
  type: typeof CALLERROR | typeof CALLRESULTERROR = CALLERROR,
): string {
  const text = description.length > MAX_ERROR_DESCRIPTION ? description.slice(0, MAX_ERROR_DESCRIPTION) : description;
  return JSON.stringify([type, id, toWireCode(kind, version), text, details]);
}

export function serializeRpcError(id: string, error: RpcError, version: OcppVersion): string {
  return serializeCallError(id, error.kind, error.message, version, error.details);
}
