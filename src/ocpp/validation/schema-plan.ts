/**
 * A message schema turned into a tree the normaliser can walk beside a payload: `$ref`s to `#/definitions/…` are
 * resolved once, and only what normalisation needs is kept. The OCA schemas (as shipped by ocpp-rpc) use nothing
 * but `type`, `properties`, `required`, `additionalProperties`, `items`, `enum`, `maxLength`, `format` and local
 * `$ref`s, with a single `type` per node; anything else becomes an `any` node, which is copied untouched.
 */

export interface ObjectPlan {
  type: 'object';
  /** The definition this object came from (`ChargingStationType`), or `(root)` for the message itself. */
  owner: string;
  properties: Map<string, SchemaPlan>;
  required: ReadonlySet<string>;
  /** `additionalProperties: false`: any other property is a violation. */
  closed: boolean;
}

export interface ArrayPlan {
  type: 'array';
  items: SchemaPlan;
}

export interface StringPlan {
  type: 'string';
  maxLength: number | undefined;
  enum: readonly string[] | undefined;
  /** `format: date-time`. */
  dateTime: boolean;
}

export interface NumberPlan {
  type: 'number' | 'integer';
}

export interface BooleanPlan {
  type: 'boolean';
}

export interface AnyPlan {
  type: 'any';
}

export type SchemaPlan = ObjectPlan | ArrayPlan | StringPlan | NumberPlan | BooleanPlan | AnyPlan;

type SchemaNode = Readonly<Record<string, unknown>>;

const ANY: AnyPlan = { type: 'any' };

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Compiles one message schema (with its `definitions`) into a plan. Recursive definitions are shared, not copied. */
export function compileSchemaPlan(schema: SchemaNode): SchemaPlan {
  const definitions = isNode(schema.definitions) ? schema.definitions : {};
  const resolved = new Map<string, SchemaPlan>();

  const compile = (node: unknown, owner: string): SchemaPlan => {
    if (!isNode(node)) return ANY;
    if (typeof node.$ref === 'string') {
      const match = /^#\/definitions\/([^/]+)$/.exec(node.$ref);
      const name = match?.[1];
      if (name === undefined) return ANY;
      const known = resolved.get(name);
      if (known) return known;
      const target = (definitions as Record<string, unknown>)[name];
      if (isNode(target) && target.type === 'object') {
        // Registered before its properties are compiled, so a definition that refers to itself ends the recursion.
        const plan: ObjectPlan = { type: 'object', owner: name, properties: new Map(), required: new Set(), closed: false };
        resolved.set(name, plan);
        fillObject(plan, target);
        return plan;
      }
      const plan = compile(target, name);
      resolved.set(name, plan);
      return plan;
    }
    switch (node.type) {
      case 'object': {
        const plan: ObjectPlan = { type: 'object', owner, properties: new Map(), required: new Set(), closed: false };
        fillObject(plan, node);
        return plan;
      }
      case 'array':
        return { type: 'array', items: Array.isArray(node.items) ? ANY : compile(node.items, owner) };
      case 'string':
        return {
          type: 'string',
          maxLength: typeof node.maxLength === 'number' ? node.maxLength : undefined,
          enum: Array.isArray(node.enum) && node.enum.every((v) => typeof v === 'string') ? (node.enum as string[]) : undefined,
          dateTime: node.format === 'date-time',
        };
      case 'number':
      case 'integer':
        return { type: node.type };
      case 'boolean':
        return { type: 'boolean' };
      default:
        return ANY;
    }
  };

  const fillObject = (plan: ObjectPlan, node: SchemaNode): void => {
    const properties = isNode(node.properties) ? node.properties : {};
    for (const [key, child] of Object.entries(properties)) plan.properties.set(key, compile(child, plan.owner));
    plan.required = new Set(Array.isArray(node.required) ? node.required.filter((r): r is string => typeof r === 'string') : []);
    plan.closed = node.additionalProperties === false;
  };

  return compile(schema, '(root)');
}

/** A path from the message root to a timestamp: property names, with `*` for "every element of this array". */
export type TimestampPath = readonly string[];

/** Every `date-time` property reachable from the root (recursion through shared definitions is cut at the repeat). */
export function timestampPaths(plan: SchemaPlan): TimestampPath[] {
  const paths: TimestampPath[] = [];
  const visit = (node: SchemaPlan, path: string[], stack: Set<SchemaPlan>): void => {
    if (stack.has(node)) return;
    if (node.type === 'string') {
      if (node.dateTime) paths.push(path);
      return;
    }
    if (node.type !== 'object' && node.type !== 'array') return;
    stack.add(node);
    if (node.type === 'array') visit(node.items, [...path, '*'], stack);
    else for (const [key, child] of node.properties) visit(child, [...path, key], stack);
    stack.delete(node);
  };
  visit(plan, [], new Set());
  return paths;
}
