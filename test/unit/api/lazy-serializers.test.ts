import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { LazySerializers } from '../../../src/api/lazy-serializers.ts';
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

describe('response serializers compiled on first use', () => {
  it('serializes exactly as Fastify\'s own compiler does: shared schemas resolved, fields outside the schema dropped', () => {
    const lazy = new LazySerializers();
    const serialize = lazy.buildSerializer(external, {})(route);
    const eager = SerializerSelector()(external, {})(route);
    const body = { id: 'a', price: { amount: 1.5, currency: 'EUR', secret: 'x' }, internal: true };
    assert.equal(serialize(body), eager(body));
    assert.equal(serialize(body), '{"id":"a","price":{"amount":1.5,"currency":"EUR"}}');
  });

  it('compiles a serializer once, when first used, and compileAll() leaves out those already compiled', () => {
    const lazy = new LazySerializers();
    const compiler = lazy.buildSerializer(external, {});
    const first = compiler(route);
    compiler({ ...route, httpStatus: '201' });
    assert.equal(first({ id: 'b' }), '{"id":"b"}');
    assert.equal(lazy.compileAll(), 1, 'only the unused one was left');
    assert.equal(lazy.compileAll(), 0);
  });

  it('compiles a response schema that carries the $id of a shared schema (as Fastify\'s compiler allows)', () => {
    const lazy = new LazySerializers();
    const serialize = lazy.buildSerializer(external, {})({ ...route, schema: external.Money });
    assert.equal(serialize({ amount: 2, currency: 'EUR', extra: 1 }), '{"amount":2,"currency":"EUR"}');
  });

  it('finds a broken response schema through compileAll(), as an eager start would have', () => {
    const lazy = new LazySerializers();
    lazy.buildSerializer(external, {})({ ...route, schema: { $ref: 'Missing#' } });
    assert.throws(() => lazy.compileAll());
  });

  it('every response schema of the REST API compiles', async () => {
    const serializers = new LazySerializers();
    const h = await harness({ serializers });
    try {
      await h.app.ready();
      const compiled = serializers.compileAll();
      assert.ok(compiled > 100, `expected the API's serializers to wait for first use, ${compiled} did`);
      assert.equal(serializers.compileAll(), 0);
      // Serialized by the route's schema after compileAll, as before it.
      const res = await h.call('GET', '/health', { as: null });
      assert.equal(res.statusCode, 200);
    } finally {
      await h.close();
    }
  });
});
