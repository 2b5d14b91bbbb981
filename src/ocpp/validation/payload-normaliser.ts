import type { OcppVersion } from '../versions.ts';
import type { MessageDirection } from './schema-validator.ts';
import { compileSchemaPlan, timestampPaths, type ObjectPlan, type SchemaPlan, type TimestampPath } from './schema-plan.ts';
import { isWellFormedDateTime, parseLenientTimestamp } from './lenient-timestamps.ts';
import { matchEnumValue } from './enum-matching.ts';
import { isTruncatable } from './lenient-policy.ts';

/**
 * Repairs what chargers get wrong in a message's shape (field notes §3), walking the payload beside the message's
 * OCA schema. Pure: the input is never changed; the result is a new tree (parts the schema does not describe are
 * deep-copied as they are) and a list of what was done. What cannot be repaired is left exactly as sent: deciding
 * whether the message is still usable is the caller's job (payload-admission.ts).
 *
 * Repairs, in the order applied to one value:
 * - payload `null` (or absent) where the message is an object -> `{}` (quirk #24);
 * - an optional property that is `null` -> removed (no OCPP schema allows null: 1.6 has no nulls either, 2.x
 *   forbids them explicitly); a required one stays null (a violation);
 * - an optional enum or date-time property that is `""` -> removed (a station's way of saying "none"). A required one
 *   stays. (`info: "null"` is a valid string and stays exactly as sent: only JSON null is "no value".)
 * - a property that the schema does not define, where the schema is closed (`additionalProperties: false`) ->
 *   removed, only when asked (`removeUnknownProperties`; lenient mode does, log-only does not);
 * - a number where a string is required -> its JavaScript string (`0.0` -> "0", quirk #11); a boolean where a free
 *   string (no enum) is required -> "true"/"false". Not for date-time strings: a number there is no timestamp.
 * - a numeric string where a number is required -> the number ("2e+01" -> 20, " 12 " -> 12); for an integer only when
 *   the number is whole ("12.0" -> 12, "12.5" stays). Hex ("0x00"), "" and "NaN" are not numbers here.
 * - "true"/"false" (any case) where a boolean is required -> the boolean;
 * - an enum value that is not allowed -> the allowed value it matches (enum-matching.ts); otherwise kept;
 * - a date-time that is not well-formed RFC 3339 -> UTC `YYYY-MM-DDTHH:mm:ss.sssZ` (lenient-timestamps.ts);
 *   a non-date is kept and reported in `unrepairedTimestamps`. Well-formed ones are never rewritten;
 * - a string longer than its maxLength -> cut to maxLength code points, only for descriptive fields
 *   (lenient-policy.ts: never identifiers, certificates or URLs).
 */

export type FixKind =
  | 'payload-replaced'
  | 'null-removed'
  | 'empty-value-removed'
  | 'unknown-property-removed'
  | 'type-coerced'
  | 'enum-matched'
  | 'timestamp-repaired'
  | 'timestamp-clamped'
  | 'truncated';

export interface PayloadFix {
  /** JSON pointer of the value in the payload as received (`/meterValue/0/sampledValue/1/value`; `/` for the root). */
  path: string;
  kind: FixKind;
  /** What was done, for the station's log: `number 0 -> "0"`, `cut from 33 to 25 characters`. */
  message: string;
}

export interface NormaliseOptions {
  /** Drop properties a closed schema does not define (and report them). */
  removeUnknownProperties: boolean;
}

export interface NormalisedPayload {
  payload: unknown;
  fixes: PayloadFix[];
  /** Paths of date-time properties whose value could not be read as a date (kept as sent). */
  unrepairedTimestamps: string[];
}

/** Where the raw schemas come from (SchemaValidator implements it). */
export interface SchemaSource {
  schemaOf(version: OcppVersion, action: string, direction: MessageDirection): Readonly<Record<string, unknown>> | undefined;
}

interface CompiledAction {
  plan: SchemaPlan;
  timestamps: readonly TimestampPath[];
}

interface WalkContext {
  fixes: PayloadFix[];
  unrepairedTimestamps: string[];
  removeUnknownProperties: boolean;
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pointer(path: string, key: string | number): string {
  return `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** A value in a message, short enough for a log line. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Sets an own property even for `__proto__` (which JSON.parse creates as an ordinary key). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function copy(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

/** JSON Schema maxLength counts Unicode code points, not UTF-16 units. */
function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function cut(text: string, max: number): string {
  let out = '';
  let n = 0;
  for (const ch of text) {
    if (n === max) break;
    out += ch;
    n++;
  }
  return out;
}

export class PayloadNormaliser {
  private readonly source: SchemaSource;
  /** Per version and direction, by action (nested maps: no key string to build on the hot path). */
  private readonly compiled: Record<OcppVersion, Record<MessageDirection, Map<string, CompiledAction | null>>> = {
    'ocpp1.6': { request: new Map(), response: new Map() },
    'ocpp2.0.1': { request: new Map(), response: new Map() },
    'ocpp2.1': { request: new Map(), response: new Map() },
  };

  constructor(source: SchemaSource) {
    this.source = source;
  }

  /** The action's plan and timestamp paths, compiled on first use and cached; null when there is no schema. */
  private compiledFor(version: OcppVersion, action: string, direction: MessageDirection): CompiledAction | null {
    const cache = this.compiled[version][direction];
    let entry = cache.get(action);
    if (entry === undefined) {
      const schema = this.source.schemaOf(version, action, direction);
      if (schema) {
        const plan = compileSchemaPlan(schema);
        entry = { plan, timestamps: timestampPaths(plan) };
      } else {
        entry = null;
      }
      cache.set(action, entry);
    }
    return entry;
  }

  /**
   * True when a payload (typically one that already passed validation) has a date-time that is not well-formed RFC
   * 3339: the cheap check that decides whether a valid message of a lenient station needs normalising. Costs
   * nothing for actions without timestamps and one regular expression per timestamp otherwise.
   */
  hasTimestampsToRepair(version: OcppVersion, action: string, direction: MessageDirection, payload: unknown): boolean {
    const entry = this.compiledFor(version, action, direction);
    if (!entry) return false;
    for (const path of entry.timestamps) {
      if (needsRepair(payload, path, 0)) return true;
    }
    return false;
  }

  /** Repairs `payload` as described above. Without a schema for the action, returns a copy and no fixes. */
  normalise(version: OcppVersion, action: string, direction: MessageDirection, payload: unknown, options: NormaliseOptions): NormalisedPayload {
    const ctx: WalkContext = { fixes: [], unrepairedTimestamps: [], removeUnknownProperties: options.removeUnknownProperties };
    const entry = this.compiledFor(version, action, direction);
    if (!entry) return { payload: copy(payload), fixes: [], unrepairedTimestamps: [] };
    let root = payload;
    if ((root === null || root === undefined) && entry.plan.type === 'object') {
      ctx.fixes.push({ path: '/', kind: 'payload-replaced', message: `payload ${root === null ? 'null' : 'missing'} -> {}` });
      root = {};
    }
    const result = this.walk(root, entry.plan, '', '', '(root)', ctx);
    return { payload: result, fixes: ctx.fixes, unrepairedTimestamps: ctx.unrepairedTimestamps };
  }

  private walk(value: unknown, plan: SchemaPlan, path: string, property: string, owner: string, ctx: WalkContext): unknown {
    switch (plan.type) {
      case 'object':
        return this.walkObject(value, plan, path, ctx);
      case 'array':
        if (!Array.isArray(value)) return copy(value);
        return value.map((item, i) => this.walk(item, plan.items, pointer(path, i), property, owner, ctx));
      case 'string':
        return this.walkString(value, plan.enum, plan.dateTime, plan.maxLength, path, property, owner, ctx);
      case 'number':
      case 'integer': {
        if (typeof value !== 'string') return value;
        const text = value.trim();
        if (!NUMERIC.test(text)) return value;
        const n = Number(text);
        if (!Number.isFinite(n) || (plan.type === 'integer' && !Number.isInteger(n))) return value;
        ctx.fixes.push({ path, kind: 'type-coerced', message: `string ${show(value)} -> ${plan.type} ${n}` });
        return n;
      }
      case 'boolean': {
        if (typeof value !== 'string') return value;
        const text = value.trim().toLowerCase();
        if (text !== 'true' && text !== 'false') return value;
        ctx.fixes.push({ path, kind: 'type-coerced', message: `string ${show(value)} -> boolean ${text}` });
        return text === 'true';
      }
      default:
        return copy(value);
    }
  }

  private walkObject(value: unknown, plan: ObjectPlan, path: string, ctx: WalkContext): unknown {
    if (!isPlainObject(value)) return copy(value);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = value[key];
      const childPath = pointer(path, key);
      const child = plan.properties.get(key);
      if (child === undefined) {
        if (plan.closed && ctx.removeUnknownProperties) {
          ctx.fixes.push({ path: childPath, kind: 'unknown-property-removed', message: `property '${key}' is not in the schema: removed (value ${show(v)})` });
          continue;
        }
        setOwn(out, key, copy(v));
        continue;
      }
      const required = plan.required.has(key);
      if (v === null && !required) {
        ctx.fixes.push({ path: childPath, kind: 'null-removed', message: `optional '${key}' is null: removed` });
        continue;
      }
      if (v === '' && !required && child.type === 'string' && (child.enum !== undefined || child.dateTime)) {
        ctx.fixes.push({ path: childPath, kind: 'empty-value-removed', message: `optional ${child.dateTime ? 'timestamp' : 'enum'} '${key}' is "": removed` });
        continue;
      }
      setOwn(out, key, this.walk(v, child, childPath, key, plan.owner, ctx));
    }
    return out;
  }

  private walkString(
    value: unknown,
    allowed: readonly string[] | undefined,
    dateTime: boolean,
    maxLength: number | undefined,
    path: string,
    property: string,
    owner: string,
    ctx: WalkContext,
  ): unknown {
    let text: string;
    if (typeof value === 'string') {
      text = value;
    } else if (typeof value === 'number' && !dateTime) {
      text = String(value);
      ctx.fixes.push({ path, kind: 'type-coerced', message: `number ${show(value)} -> string ${show(text)}` });
    } else if (typeof value === 'boolean' && !dateTime && allowed === undefined) {
      text = String(value);
      ctx.fixes.push({ path, kind: 'type-coerced', message: `boolean ${value} -> string ${show(text)}` });
    } else {
      return copy(value);
    }

    if (allowed !== undefined && !allowed.includes(text)) {
      const match = matchEnumValue(property, text, allowed);
      if (match) {
        ctx.fixes.push({ path, kind: 'enum-matched', message: `${show(text)} -> ${show(match.value)} (${match.how === 'alias' ? 'known misspelling' : 'case or whitespace'})` });
        text = match.value;
      }
    }

    if (dateTime && !isWellFormedDateTime(text)) {
      const repaired = parseLenientTimestamp(text);
      if (repaired) {
        const why = repaired.notes.length > 0 ? ` (${repaired.notes.join('; ')})` : '';
        ctx.fixes.push({ path, kind: repaired.clamped ? 'timestamp-clamped' : 'timestamp-repaired', message: `${show(text)} -> ${show(repaired.iso)}${why}` });
        text = repaired.iso;
      } else {
        ctx.unrepairedTimestamps.push(path);
      }
    }

    if (maxLength !== undefined && text.length > maxLength && isTruncatable(owner, property)) {
      const length = codePoints(text);
      if (length > maxLength) {
        text = cut(text, maxLength);
        ctx.fixes.push({ path, kind: 'truncated', message: `cut from ${length} to ${maxLength} characters (maxLength ${maxLength}); now ${show(text)}` });
      }
    }
    return text;
  }
}

function needsRepair(value: unknown, path: TimestampPath, at: number): boolean {
  if (at === path.length) return typeof value === 'string' && !isWellFormedDateTime(value);
  const segment = path[at] as string;
  if (segment === '*') {
    if (!Array.isArray(value)) return false;
    for (const item of value) if (needsRepair(item, path, at + 1)) return true;
    return false;
  }
  if (!isPlainObject(value) || !Object.hasOwn(value, segment)) return false;
  return needsRepair(value[segment], path, at + 1);
}
