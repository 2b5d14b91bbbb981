import { AjvCompiler } from '@fastify/ajv-compiler';
import fastJsonStringify, { type Options as SerializerOptions, type Schema } from 'fast-json-stringify';

type Serialize = (data: unknown) => string;
type ExternalSchemas = Record<string, Schema> | undefined;

/** What Fastify passes for each validator and serializer: the route, the part or status, and the schema. */
interface RouteSchema {
  schema?: unknown;
  method?: string;
  url?: string;
  httpPart?: string;
  httpStatus?: string;
  contentType?: string;
}

/** A compiled Ajv validator as Fastify calls it: the request part, and where to put a coerced root value. */
interface Validate {
  (data: unknown, context?: object): unknown;
  errors?: unknown;
  schemaEnv?: unknown;
}

/** Fastify's `options.ajv` as it hands it to a validator factory. */
type AjvCompilerOptions = Parameters<ReturnType<typeof AjvCompiler>>[1];

/**
 * Fastify's route schemas, each compiled when a request first needs it instead of all at start. Fastify builds a
 * response serializer per route, status and content type (569 here) and a validator per route and request part, which
 * took about 1.4 s of a slow core at every start, in every worker. What is compiled is what Fastify's own compilers
 * make: fast-json-stringify with the shared schemas of the route's context (as `@fastify/fast-json-stringify-compiler`
 * does) and `@fastify/ajv-compiler`'s Ajv. `compileAll()` compiles everything still waiting, so that a test finds a
 * broken schema as an eager start would have.
 */
export class LazySchemaCompilers {
  readonly #pending = new Set<() => unknown>();
  /** Fastify's own validator compilers, one Ajv per set of shared schemas and options. */
  readonly #ajv = AjvCompiler();

  /** For `Fastify({ schemaController: { compilersFactory: { buildSerializer } } })`. */
  readonly buildSerializer = (externalSchemas?: unknown, serializerOptions?: SerializerOptions) =>
    ({ schema }: RouteSchema): Serialize => {
      const compiled = this.#onFirstUse(() => {
        const external = withoutOwnId(externalSchemas as ExternalSchemas, schema);
        return fastJsonStringify(schema as Schema, { ...serializerOptions, schema: external }) as Serialize;
      });
      return (data) => compiled()(data);
    };

  /**
   * For `Fastify({ schemaController: { compilersFactory: { buildValidator } } })`. The stand-in passes Fastify's
   * context on (Ajv then writes a coerced root value back into the request) and shows the validator's `errors`.
   */
  readonly buildValidator = (externalSchemas: Record<string, never>, options: AjvCompilerOptions) => {
    const compileRoute = this.#ajv(externalSchemas, options) as unknown as (route: RouteSchema) => Validate;
    return (route: RouteSchema): Validate => {
      const compiled = this.#onFirstUse(() => compileRoute(route));
      const lazy: Validate = (data, context) => {
        const validate = compiled();
        const result = context === undefined ? validate(data) : validate(data, context);
        lazy.errors = validate.errors;
        return result;
      };
      // Every Ajv validator has one; Fastify gives the context only to those that do.
      lazy.schemaEnv = true;
      lazy.errors = null;
      return lazy;
    };
  };

  /** `compile`, run on the first call of the returned function (or by compileAll) and remembered. */
  #onFirstUse<T>(compile: () => T): () => T {
    let done: { value: T } | undefined;
    const get = (): T => {
      if (done === undefined) {
        done = { value: compile() };
        this.#pending.delete(get);
      }
      return done.value;
    };
    this.#pending.add(get);
    return get;
  }

  /** Compiles every validator and serializer not compiled yet; returns how many. Throws what a compile throws. */
  compileAll(): number {
    const pending = [...this.#pending];
    for (const compile of pending) compile();
    return pending.length;
  }
}

/** The shared schemas without the response schema's own `$id` (fast-json-stringify refuses it twice). */
function withoutOwnId(externalSchemas: ExternalSchemas, schema: unknown): ExternalSchemas {
  const id = typeof schema === 'object' && schema !== null && '$id' in schema ? schema.$id : undefined;
  if (externalSchemas === undefined || typeof id !== 'string' || !(id in externalSchemas)) return externalSchemas;
  const { [id]: _own, ...others } = externalSchemas;
  return others;
}
