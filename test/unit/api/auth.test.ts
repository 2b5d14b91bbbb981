import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { HashedTokenAuth, StaticTokenAuth } from '../../../src/api/auth.ts';
import { harness, type Harness } from './harness.ts';

describe('StaticTokenAuth / HashedTokenAuth', () => {
  it('maps a known token to its principal and anything else to undefined', async () => {
    const auth = new StaticTokenAuth([{ token: 'secret-1', name: 'alice', role: 'admin' }, { token: 'secret-2', name: 'vera', role: 'viewer' }]);
    assert.deepEqual(await auth.verify('secret-2'), { name: 'vera', role: 'viewer' });
    assert.equal(await auth.verify('secret-3'), undefined);
    assert.equal(await auth.verify(''), undefined);
    assert.equal(await auth.verify('secret-1 '), undefined);
  });

  it('accepts tokens known only by their SHA-256 and rejects malformed hashes and empty tokens', async () => {
    const sha256 = createHash('sha256').update('jt_abc').digest('hex');
    const auth = new HashedTokenAuth([{ name: 'admin', role: 'admin', sha256 }]);
    assert.deepEqual(await auth.verify('jt_abc'), { name: 'admin', role: 'admin' });
    assert.equal(await auth.verify('jt_abd'), undefined);
    assert.throws(() => new HashedTokenAuth([{ name: 'x', role: 'admin', sha256: 'abc' }]), /SHA-256/);
    assert.throws(() => new StaticTokenAuth([{ token: '', name: 'x', role: 'admin' }]), /empty/);
  });
});

describe('bearer auth on /api/v1', () => {
  let h: Harness;
  before(async () => { h = await harness(); });
  after(() => h.close());

  it('answers 401 unauthorized without a token, with WWW-Authenticate', async () => {
    const res = await h.call('GET', '/api/v1/stations', { as: null });
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['www-authenticate'], 'Bearer');
    assert.equal(res.json().error.code, 'unauthorized');
    assert.equal(typeof res.json().error.message, 'string');
  });

  it('answers 401 for an unknown token or another scheme', async () => {
    for (const authorization of ['Bearer wrong', 'Basic YWRtaW4tdG9rZW4=', 'admin-token', 'Bearer ']) {
      const res = await h.app.inject({ method: 'GET', url: '/api/v1/stations', headers: { authorization } });
      assert.equal(res.statusCode, 401, authorization);
      assert.equal(res.json().error.code, 'unauthorized');
    }
  });

  it('accepts the scheme name in any case', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/stations', headers: { authorization: 'bearer admin-token' } });
    assert.equal(res.statusCode, 200);
  });

  it('lets a viewer read but not write (403 forbidden)', async () => {
    assert.equal((await h.call('GET', '/api/v1/stations', { as: 'viewer' })).statusCode, 200);
    for (const [method, url, body] of [
      ['PUT', '/api/v1/stations/CP1', {}],
      ['POST', '/api/v1/stations/CP1/commands/Reset', { type: 'Hard' }],
      ['PUT', '/api/v1/id-tokens/TAG', { status: 'Accepted' }],
      ['DELETE', '/api/v1/id-tokens/TAG', undefined],
    ] as const) {
      const res = await h.call(method, url, { as: 'viewer', body });
      assert.equal(res.statusCode, 403, `${method} ${url}`);
      assert.equal(res.json().error.code, 'forbidden');
    }
    assert.equal(await h.domain.stations.get('CP1'), undefined, 'the forbidden PUT changed nothing');
  });

  it('lets an operator write', async () => {
    assert.equal((await h.call('PUT', '/api/v1/stations/CP9', { as: 'operator', body: {} })).statusCode, 200);
  });

  it('needs no token for /health and the OpenAPI document', async () => {
    const health = await h.call('GET', '/health', { as: null });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: 'ok' });
    assert.equal((await h.call('GET', '/api/docs/json', { as: null })).statusCode, 200);
  });
});
