import type { OcppVersion } from '../versions.ts';

/**
 * Version-neutral names for the OCPP-J RPC error codes. `toWireCode` turns them into the exact string each
 * version uses on the wire (1.6 keeps the typos `FormationViolation` and `OccurenceConstraintViolation`).
 */
export type RpcErrorKind =
  | 'NotImplemented'
  | 'NotSupported'
  | 'InternalError'
  | 'ProtocolError'
  | 'SecurityError'
  | 'FormatViolation'
  | 'PropertyConstraintViolation'
  | 'OccurrenceConstraintViolation'
  | 'TypeConstraintViolation'
  | 'GenericError'
  | 'MessageTypeNotSupported'
  | 'RpcFrameworkError';

/** Every error code string that each version defines, exactly as printed in its OCPP-J specification. */
export const WIRE_ERROR_CODES: Readonly<Record<OcppVersion, readonly string[]>> = {
  'ocpp1.6': [
    'NotImplemented', 'NotSupported', 'InternalError', 'ProtocolError', 'SecurityError', 'FormationViolation',
    'PropertyConstraintViolation', 'OccurenceConstraintViolation', 'TypeConstraintViolation', 'GenericError',
  ],
  'ocpp2.0.1': [
    'FormatViolation', 'GenericError', 'InternalError', 'MessageTypeNotSupported', 'NotImplemented', 'NotSupported',
    'OccurrenceConstraintViolation', 'PropertyConstraintViolation', 'ProtocolError', 'RpcFrameworkError',
    'SecurityError', 'TypeConstraintViolation',
  ],
  'ocpp2.1': [
    'FormatViolation', 'GenericError', 'InternalError', 'MessageTypeNotSupported', 'NotImplemented', 'NotSupported',
    'OccurrenceConstraintViolation', 'PropertyConstraintViolation', 'ProtocolError', 'RpcFrameworkError',
    'SecurityError', 'TypeConstraintViolation',
  ],
};

/** The wire string for an error kind in a version. Kinds a version lacks fall back to its nearest code. */
export function toWireCode(kind: RpcErrorKind, version: OcppVersion): string {
  if (version === 'ocpp1.6') {
    switch (kind) {
      case 'FormatViolation': return 'FormationViolation';
      case 'OccurrenceConstraintViolation': return 'OccurenceConstraintViolation';
      case 'MessageTypeNotSupported': return 'NotSupported';
      case 'RpcFrameworkError': return 'FormationViolation';
      default: return kind;
    }
  }
  return kind;
}

/** Reads an error code received from a peer of any version (both spellings accepted, see field notes quirk 24). */
export function fromWireCode(code: string): RpcErrorKind {
  switch (code) {
    case 'FormationViolation': return 'FormatViolation';
    case 'OccurenceConstraintViolation': return 'OccurrenceConstraintViolation';
    case 'NotImplemented': case 'NotSupported': case 'InternalError': case 'ProtocolError': case 'SecurityError':
    case 'FormatViolation': case 'PropertyConstraintViolation': case 'OccurrenceConstraintViolation':
    case 'TypeConstraintViolation': case 'GenericError': case 'MessageTypeNotSupported': case 'RpcFrameworkError':
      return code;
    default: return 'GenericError';
  }
}

/** An error to be answered to the peer as a CALLERROR. Thrown by handlers and by validation. */
export class RpcError extends Error {
  readonly kind: RpcErrorKind;
  readonly details: Record<string, unknown>;
  constructor(kind: RpcErrorKind, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'RpcError';
    this.kind = kind;
    this.details = details;
  }
}
