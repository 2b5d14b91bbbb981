import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { LazySchemaCompilers } from '../../../src/api/lazy-schema-compilers.ts';
import { harness } from './harness.ts';

const external = {
  Money: { $id: 'Money', type: 'object', properties: { amount: { type: 'number' }, currency: { type: 'string' } } },
};
const route = {
  method: 'GET',
  url: '/x',
  httpStatus: '200',
  schema: { type: 'object', properties: { id: { type: 'string' }, price: { $ref: 'Money#' } } },
};

describe('route schemas compiled on first use', () => {
  it('serializes exactly as Fastify\'s own compiler does: shared schemas resolved, fields outside the schema dropped', () => {
    const lazy = new LazySchemaCompilers();
    const serialize = lazy.buildSerializer(external, {})(route);
    const eager = SerializerSelector()(external, {})(route);
    const body = { id: 'a', price: { amount: 1.5, currency: 'EUR', secret: 'x' }, internal: true };
    assert.equal(serialize(body), eager(body));
    assert.equal(serialize(body), '{"id":"a","price":{"amount":1.5,"currency":"EUR"}}');
  });

  it('compiles a serializer once, when first used, and compileAll() leaves out those already compiled', () => {
    const lazy = new LazySchemaCompilers();
    const compiler = lazy.buildSerializer(external, {});
    const first = compiler(route);
    compiler({ ...route, httpStatus: '201' });
    assert.equal(first({ id: 'b' }), '{"id":"b"}');
    assert.equal(lazy.compileAll(), 1, 'only the unused one was left');
    assert.equal(lazy.compileAll(), 0);
  });

  it('compiles a response schema that carries the $id of a shared schema (as Fastify\'s compiler allows)', () => {
    const lazy = new LazySchemaCompilers();
    const serialize = lazy.buildSerializer(external, {})({ ...route, schema: external.Money });
    assert.equal(serialize({ amount: 2, currency: 'EUR', extra: 1 }), '{"amount":2,"currency":"EUR"}');
  });

  it('finds a broken response schema through compileAll(), as an eager start would have', () => {
    const lazy = new LazySchemaCompilers();
    lazy.buildSerializer(external, {})({ ...route, schema: { $ref: 'Missing#' } });
    assert.throws(() => lazy.compileAll());
  });

  it('validates as Fastify\'s Ajv does: errors shown on the validator, a coerced root value written back', () => {
    const lazy = new LazySchemaCompilers();
    const validate = lazy.buildValidator({}, { customOptions: {}, plugins: [] })({
      method: 'GET',
      url: '/x',
      httpPart: 'querystring',
      schema: { type: 'object', properties: { limit: { type: 'integer', maximum: 10 } } },
    });
    const request = { query: { limit: '5' } };
    assert.equal(validate(request.query, { parentData: request, parentDataProperty: 'query' }), true);
    assert.deepEqual(request.query, { limit: 5 }, 'coerced in place');
    assert.equal(validate({ limit: '50' }), false);
    assert.equal((validate.errors as { keyword: string }[] | undefined)?.[0]?.keyword, 'maximum');
    assert.equal(validate({ limit: 1 }), true);
    assert.equal(validate.errors, null, 'errors cleared by a passing call');
    // A root value that must be coerced is written back through the context Fastify gives (schemaEnv set).
    assert.ok(validate.schemaEnv);
    const params = { id: 7 };
    const holder = { params };
    const validateString = lazy.buildValidator({}, { customOptions: { coerceTypes: true }, plugins: [] })({
      method: 'GET', url: '/y', httpPart: 'params', schema: { type: 'string' },
    });
    assert.equal(validateString(7, { parentData: holder, parentDataProperty: 'params' }), true);
    assert.equal(holder.params as unknown, '7');
  });

  it('the REST API still answers 400 for a request its schema refuses, after compiling on first use', async () => {
    const h = await harness();
    try {
      const res = await h.call('PUT', '/api/v1/id-tokens/TAG-1', { body: { status: 'NotAStatus' } });
      assert.equal(res.statusCode, 400, res.body);
      const ok = await h.call('PUT', '/api/v1/id-tokens/TAG-1', { body: { status: 'Accepted' } });
      assert.ok(ok.statusCode < 300, ok.body);
    } finally {
      await h.close();
    }
  });

  it('every route schema of the REST API compiles', async () => {
    const compilers = new LazySchemaCompilers();
    const h = await harness({ schemaCompilers: compilers });
    try {
      await h.app.ready();
      const compiled = compilers.compileAll();
      assert.ok(compiled > 600, `expected the API's validators and serializers to wait for first use, ${compiled} did`);
      assert.equal(compilers.compileAll(), 0);
      // Serialized by the route's schema after compileAll, as before it.
      const res = await h.call('GET', '/health', { as: null });
      assert.equal(res.statusCode, 200);
    } finally {
      await h.close();
    }
  });
});
