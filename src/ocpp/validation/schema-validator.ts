import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { OcppVersion } from '../versions.ts';
import { RpcError, type RpcErrorKind } from '../rpc/error-codes.ts';

/**
 * Validation against the official OCA JSON schemas (1.6 with the security extension, 2.0.1, 2.1). The schemas come
 * from the `ocpp-rpc` npm package, which ships the OCA files re-emitted as draft-07; their `$id`s
 * (`urn:MeterValues.req`) are rewritten in memory so one Ajv instance holds every version. Compiled once.
 */
const require = createRequire(import.meta.url);

const SCHEMA_FILES: Record<OcppVersion, string> = {
  'ocpp1.6': 'ocpp-rpc/lib/schemas/ocpp1_6.json',
  'ocpp2.0.1': 'ocpp-rpc/lib/schemas/ocpp2_0_1.json',
  'ocpp2.1': 'ocpp-rpc/lib/schemas/ocpp2_1.json',
};

export type MessageDirection = 'request' | 'response';

interface RawSchema { $id: string; [key: string]: unknown }

/** `urn:Authorize.req`, `urn:AuthorizeRequest` -> `{ action: 'Authorize', direction: 'request' }`. */
function parseSchemaId(id: string): { action: string; direction: MessageDirection } | undefined {
  const m = /^urn:(.+?)(\.req|\.conf|Request|Response)?$/.exec(id);
  if (!m || !m[1]) return undefined;
  const suffix = m[2];
  // NotifyPeriodicEventStream (2.1 SEND) has no suffix: it is a request with no response.
  const direction: MessageDirection = suffix === '.conf' || suffix === 'Response' ? 'response' : 'request';
  return { action: m[1], direction };
}

export interface SchemaViolation {
  kind: RpcErrorKind;
  message: string;
  errors: ErrorObject[];
}

/** Maps the first failing JSON-schema keyword to the OCPP-J error kind (`toWireCode` gives the version's string). */
function kindOf(error: ErrorObject | undefined): RpcErrorKind {
  switch (error?.keyword) {
    case 'required':
    case 'minItems':
    case 'maxItems':
      return 'OccurrenceConstraintViolation';
    case 'type':
      return 'TypeConstraintViolation';
    case 'enum':
    case 'const':
    case 'maxLength':
    case 'minLength':
    case 'maximum':
    case 'minimum':
    case 'exclusiveMaximum':
    case 'exclusiveMinimum':
    case 'multipleOf':
    case 'pattern':
    case 'format':
      return 'PropertyConstraintViolation';
    default:
      return 'FormatViolation';
  }
}

/** One Ajv error in words: `/status must be equal to one of the allowed values (Available, ...)`. */
export function describeError(e: ErrorObject): string {
  return `${e.instancePath || '/'} ${e.message ?? e.keyword}${e.keyword === 'enum' ? ` (${(e.params as { allowedValues?: unknown[] }).allowedValues?.join(', ')})` : ''}${e.keyword === 'additionalProperties' ? ` '${(e.params as { additionalProperty?: string }).additionalProperty}'` : ''}`;
}

function describe(errors: ErrorObject[]): string {
  return errors.slice(0, 3).map(describeError).join('; ');
}

/** The violation for a list of Ajv errors: the first error decides the OCPP error kind. */
export function violationOf(errors: ErrorObject[]): SchemaViolation {
  return { kind: kindOf(errors[0]), message: describe(errors), errors };
}

/** A message schema as shipped (its `$id` rewritten); read-only, shared by every caller. */
export type JsonSchema = Readonly<Record<string, unknown>>;

function newAjv(allErrors: boolean): Ajv {
  return new Ajv({ strict: false, allErrors, multipleOfPrecision: 6, validateFormats: false });
}

export class SchemaValidator {
  private readonly schemas = new Map<string, JsonSchema>();
  /** Stops at the first error: every message's check. */
  private readonly ajv = newAjv(false);
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly firstErrorAjv = (): Ajv => this.ajv;
  /** Reports every error: the lenient modes' failure path only, so made on first use. */
  private allErrorsAjv: Ajv | undefined;
  private readonly allErrorsValidators = new Map<string, ValidateFunction>();
  private readonly everyErrorAjv = (): Ajv => (this.allErrorsAjv ??= newAjv(true));
  private readonly actions: Record<OcppVersion, Set<string>> = {
    'ocpp1.6': new Set(),
    'ocpp2.0.1': new Set(),
    'ocpp2.1': new Set(),
  };

  constructor() {
    for (const version of Object.keys(SCHEMA_FILES) as OcppVersion[]) {
      const schemas = require(SCHEMA_FILES[version]) as RawSchema[];
      for (const raw of schemas) {
        const parsed = parseSchemaId(raw.$id);
        if (!parsed) continue;
        const key = `${version}/${parsed.action}/${parsed.direction}`;
        const schema: Record<string, unknown> = { ...raw, $id: `https://joule.invalid/${key}` };
        delete schema.$schema;
        this.schemas.set(key, schema);
        this.actions[version].add(parsed.action);
      }
    }
  }

  /**
   * The validator of one schema, compiled by `ajv` the first time it is needed and kept in `validators`: compiling all
   * of them (three versions, both directions) took about 4 s of a slow core at every start of every process, while a
   * station uses a handful. A schema compiles in a few milliseconds, once per process; `compileAll` does them all
   * ahead of time instead.
   */
  private compiled(validators: Map<string, ValidateFunction>, ajv: () => Ajv, key: string): ValidateFunction | undefined {
    const known = validators.get(key);
    if (known !== undefined) return known;
    const schema = this.schemas.get(key);
    if (schema === undefined) return undefined;
    const validate = ajv().compile(schema);
    validators.set(key, validate);
    return validate;
  }

  /** Compiles every schema now (the validators are otherwise compiled on first use). */
  compileAll(): void {
    for (const key of this.schemas.keys()) this.compiled(this.validators, this.firstErrorAjv, key);
  }

  /** True when the version defines this action (either direction). Unknown actions get `NotImplemented`. */
  knows(version: OcppVersion, action: string): boolean {
    return this.actions[version].has(action);
  }

  actionsOf(version: OcppVersion): string[] {
    return [...this.actions[version]].sort();
  }

  /** Returns undefined when `payload` is valid, otherwise the violation with its OCPP error kind. */
  check(version: OcppVersion, action: string, direction: MessageDirection, payload: unknown): SchemaViolation | undefined {
    const validate = this.compiled(this.validators, this.firstErrorAjv, `${version}/${action}/${direction}`);
    if (!validate) {
      return { kind: 'NotImplemented', message: `No ${direction} schema for ${action} in ${version}`, errors: [] };
    }
    if (validate(payload)) return undefined;
    const errors = validate.errors ?? [];
    return { kind: kindOf(errors[0]), message: describe(errors), errors };
  }

  /** The raw schema of an action's request or response (for schema-driven tools such as the payload normaliser). */
  schemaOf(version: OcppVersion, action: string, direction: MessageDirection): JsonSchema | undefined {
    return this.schemas.get(`${version}/${action}/${direction}`);
  }

  /**
   * Every error of `payload` (an empty list when it is valid; undefined when the action has no such schema). Slower
   * than `check`, which stops at the first error: the validator is compiled on first use per action (a few ms), so
   * call this only for payloads that already failed `check`.
   */
  checkAll(version: OcppVersion, action: string, direction: MessageDirection, payload: unknown): ErrorObject[] | undefined {
    const validate = this.compiled(this.allErrorsValidators, this.everyErrorAjv, `${version}/${action}/${direction}`);
    if (!validate) return undefined;
    return validate(payload) ? [] : [...(validate.errors ?? [])];
  }

  /** Like `check`, but throws the violation as an `RpcError` (answered to the peer as a CALLERROR). */
  assert(version: OcppVersion, action: string, direction: MessageDirection, payload: unknown): void {
    const violation = this.check(version, action, direction, payload);
    if (violation) throw new RpcError(violation.kind, violation.message, { errors: violation.errors.slice(0, 3) });
  }
}

let shared: SchemaValidator | undefined;

/** The process-wide validator: compiling a schema is the expensive part, so the compiled ones are shared. */
export function schemaValidator(): SchemaValidator {
  shared ??= new SchemaValidator();
  return shared;
}
