import fastJsonStringify, { type Options as SerializerOptions, type Schema } from 'fast-json-stringify';

type Serialize = (data: unknown) => string;
type ExternalSchemas = Record<string, Schema> | undefined;
/** What Fastify passes for each serializer: the route, the status and the response schema. */
interface RouteSchema {
  schema?: unknown;
  method?: string;
  url?: string;
  httpStatus?: string;
  contentType?: string;
}

/**
 * Fastify's response serializers, each compiled when its route first answers with that status instead of all at
 * start. Fastify builds one per route, status and content type (over a thousand here), which took about 1.3 s of one
 * core at every start, in every worker. A compiled serializer is the same as Fastify's own (fast-json-stringify with
 * the shared schemas of the route's context, as `@fastify/fast-json-stringify-compiler` does it); `compileAll()`
 * compiles every one at once, so that a test finds a broken response schema as a start would have.
 */
export class LazySerializers {
  readonly #pending = new Set<() => Serialize>();

  /** For `Fastify({ schemaController: { compilersFactory: { buildSerializer } } })`. */
  readonly buildSerializer = (externalSchemas?: unknown, serializerOptions?: SerializerOptions) =>
    ({ schema }: RouteSchema): Serialize => {
      let serialize: Serialize | undefined;
      const compile = (): Serialize => {
        if (serialize === undefined) {
          const external = withoutOwnId(externalSchemas as ExternalSchemas, schema);
          serialize = fastJsonStringify(schema as Schema, { ...serializerOptions, schema: external }) as Serialize;
          this.#pending.delete(compile);
        }
        return serialize;
      };
      this.#pending.add(compile);
      return (data) => (serialize ?? compile())(data);
    };

  /** Compiles every serializer not compiled yet; returns how many it compiled. Throws what a compile throws. */
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
