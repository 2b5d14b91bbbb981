import type { ErrorObject } from 'ajv';
import type { OcppVersion } from '../versions.ts';
import type { ValidationMode } from '../../store/ports.ts';
import { describeError, schemaValidator, violationOf, type MessageDirection, type SchemaValidator, type SchemaViolation } from './schema-validator.ts';
import { PayloadNormaliser, type PayloadFix } from './payload-normaliser.ts';
import { isKeyEnumProperty } from './lenient-policy.ts';

/**
 * Whether a station's message (a CALL payload, or a CALLRESULT payload answering Joule's command) is let through,
 * per validation mode (field notes §2 #2):
 *
 * - `strict`: today's check, nothing else. Valid -> accepted as is; invalid -> refused with the schema violation.
 * - `lenient`: a valid message is accepted as is, except that malformed timestamps are repaired (the schemas are
 *   compiled without format checks, so `2022-02-29` or a zone-less time is "valid" yet would be misread later).
 *   An invalid one is normalised (payload-normaliser.ts, unknown properties removed) and checked again: valid ->
 *   accepted with its fixes; still invalid -> accepted only when every remaining violation is harmless, otherwise
 *   refused with the violations of the normalised payload that make it unusable.
 * - `log-only`: like lenient, but unknown properties are kept, and whatever remains is accepted as long as the
 *   payload is a JSON object; the remaining violations are reported for the log.
 *
 * "Unusable" (lenient refuses; the CALLERROR's kind is that of the first unusable violation): after normalisation,
 * any violation other than
 * - `enum` on a property that is not a key field (lenient-policy.ts `isKeyEnumProperty`: …status, eventType, type,
 *   chargingRateUnit), e.g. measurand `Request.Energy` or an unknown errorCode;
 * - `pattern` or `format` (the OCA schemas declare no patterns and formats are not compiled: kept for robustness).
 * So a missing required field, a wrong type that could not be coerced ("abc" where an integer is required, a
 * required null), an over-long identifier, a number out of range, too many or too few array items, or an unknown
 * status value all refuse the message. A payload that is not a JSON object is unusable in every mode.
 *
 * Unknown properties: lenient removes them (the adapters never read them, and what Joule stores, e.g. the 2.x
 * TransactionEvent payload, stays schema-shaped) and lists each removal among the fixes; log-only keeps them (the
 * mode promises to pass the message on) and reports them among the remaining violations; strict refuses them.
 *
 * Cost: strict and every valid message cost one `check`, as before; lenient and log-only add, for a valid message,
 * one regular-expression test per timestamp field. Normalising, the all-errors check and the per-action schema plans
 * (compiled on first use and cached) are paid only by messages that failed validation.
 */

export interface RemainingViolation {
  /** JSON pointer into the accepted payload (`/meterValue/0/sampledValue/0/measurand`; `/` for the root). */
  path: string;
  /** The JSON-schema keyword that failed (`enum`, `additionalProperties`, `required`, `format`, ...). */
  keyword: string;
  message: string;
}

export interface AcceptedPayload {
  accept: true;
  /** The payload to hand to the adapter: the station's own object when nothing was fixed, else a new one. */
  payload: Record<string, unknown>;
  /** What normalisation changed (empty for a valid message). Log them; they do not make the message bad. */
  fixes: readonly PayloadFix[];
  /** Violations still in `payload` (lenient: only harmless ones; log-only: any). Empty when it is valid. */
  remaining: readonly RemainingViolation[];
}

export interface RefusedPayload {
  accept: false;
  /** What to answer: `toWireCode(violation.kind, version)` gives the version's error code. */
  violation: SchemaViolation;
  /** Fixes that were tried before the message was found unusable (empty in strict mode). */
  fixes: readonly PayloadFix[];
}

export type Admission = AcceptedPayload | RefusedPayload;

const NONE: readonly never[] = Object.freeze([]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The name of the property an error is about (`/meterValue/0/sampledValue/1/unit` -> `unit`). */
function propertyOf(error: ErrorObject): string {
  const segments = error.instancePath.split('/');
  for (let i = segments.length - 1; i > 0; i--) {
    const segment = segments[i] as string;
    if (!/^\d+$/.test(segment)) return segment.replace(/~1/g, '/').replace(/~0/g, '~');
  }
  return '';
}

/** Harmless: the message means the same to Joule whatever this value is (see "Unusable" above). */
export function isHarmlessViolation(error: ErrorObject): boolean {
  if (error.keyword === 'pattern' || error.keyword === 'format') return true;
  return error.keyword === 'enum' && !isKeyEnumProperty(propertyOf(error));
}

function remainingOf(error: ErrorObject): RemainingViolation {
  return { path: error.instancePath || '/', keyword: error.keyword, message: describeError(error) };
}

export class PayloadAdmission {
  private readonly validator: SchemaValidator;
  private readonly normaliser: PayloadNormaliser;

  constructor(validator: SchemaValidator) {
    this.validator = validator;
    this.normaliser = new PayloadNormaliser(validator);
  }

  /**
   * Mode-independent and cheap (nothing for actions without timestamps, one test per timestamp otherwise): true
   * when a payload that passed `check` still has a date-time that is not well-formed RFC 3339 (quirk #8). A caller
   * that looks a station's mode up only when a message fails the schema uses this to know that a valid message
   * needs the mode too: `admit` repairs such timestamps in lenient and log-only modes.
   */
  hasTimestampsToRepair(version: OcppVersion, action: string, direction: MessageDirection, payload: unknown): boolean {
    return this.normaliser.hasTimestampsToRepair(version, action, direction, payload);
  }

  /**
   * Compiles, ahead of time, what the lenient modes otherwise compile on an action's first failing message (the
   * schema plan and the all-errors validator: 3-30 ms per action, on the event loop). Optional; for a process that
   * serves non-strict stations of this version.
   */
  prepare(version: OcppVersion): void {
    for (const action of this.validator.actionsOf(version)) {
      for (const direction of ['request', 'response'] as const) {
        this.normaliser.hasTimestampsToRepair(version, action, direction, undefined);
        this.validator.checkAll(version, action, direction, undefined);
      }
    }
  }

  /** Decides what the gateway does with a station's payload under `mode` (see the top of this file). */
  admit(mode: ValidationMode, version: OcppVersion, action: string, direction: MessageDirection, payload: unknown): Admission {
    const violation = this.validator.check(version, action, direction, payload);
    if (!violation) {
      if (mode === 'strict' || !this.normaliser.hasTimestampsToRepair(version, action, direction, payload)) {
        return { accept: true, payload: payload as Record<string, unknown>, fixes: NONE, remaining: NONE };
      }
      return this.normalised(mode, version, action, direction, payload);
    }
    // No schema for this action and direction: nothing to normalise against.
    if (mode === 'strict' || violation.kind === 'NotImplemented') return { accept: false, violation, fixes: NONE };
    return this.normalised(mode, version, action, direction, payload, violation);
  }

  private normalised(
    mode: 'lenient' | 'log-only',
    version: OcppVersion,
    action: string,
    direction: MessageDirection,
    payload: unknown,
    original?: SchemaViolation,
  ): Admission {
    const { payload: fixed, fixes, unrepairedTimestamps } = this.normaliser.normalise(version, action, direction, payload, {
      removeUnknownProperties: mode === 'lenient',
    });
    const unreadableDates: RemainingViolation[] = unrepairedTimestamps.map((path) => ({
      path: path || '/',
      keyword: 'format',
      message: `${path || '/'} is not a date-time (kept as sent)`,
    }));
    if (!isPlainObject(fixed)) {
      // Not a JSON object even after normalisation: unusable in every mode.
      const violation = this.validator.check(version, action, direction, fixed) ?? original ?? violationOf([]);
      return { accept: false, violation, fixes };
    }
    const errors = this.validator.check(version, action, direction, fixed)
      ? (this.validator.checkAll(version, action, direction, fixed) ?? [])
      : [];
    if (errors.length === 0) return { accept: true, payload: fixed, fixes, remaining: unreadableDates };
    if (mode === 'lenient') {
      const unusable = errors.filter((e) => !isHarmlessViolation(e));
      if (unusable.length > 0) return { accept: false, violation: violationOf(unusable), fixes };
    }
    return { accept: true, payload: fixed, fixes, remaining: [...errors.map(remainingOf), ...unreadableDates] };
  }
}

let shared: PayloadAdmission | undefined;

/** The process-wide admission control, on the shared schema validator. */
export function payloadAdmission(): PayloadAdmission {
  shared ??= new PayloadAdmission(schemaValidator());
  return shared;
}
