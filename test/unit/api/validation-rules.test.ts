import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DomainEvent } from '../../../src/domain/events.ts';
import { harness, type Harness } from './harness.ts';

const ACME_ALPHA = { vendor: 'Acme', model: 'Volt 22', firmwareVersion: '1.2.3' };

describe('validation rules API (vendor validation modes, field notes §2 #2)', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.close());

  it('starts with no rules: every make gets the server default', async () => {
    const res = await h.call('GET', '/api/v1/validation-rules');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), []);
    assert.equal(await h.domain.validation.modeForIdentity(ACME_ALPHA), 'strict');
  });

  it('creates a rule on PUT (admin), lists it, and the policy applies it to the vendor\'s stations', async () => {
    const events: DomainEvent[] = [];
    const unsubscribe = h.bus.subscribe((event) => events.push(event));
    const res = await h.call('PUT', '/api/v1/validation-rules/acme-volt', {
      body: { vendor: 'ACME', model: 'volt 22', mode: 'lenient', description: 'Sends meter values without units' },
    });
    unsubscribe();
    assert.equal(res.statusCode, 200);
    const rule = res.json();
    assert.deepEqual({ ...rule, createdAt: undefined, updatedAt: undefined }, {
      id: 'acme-volt', vendor: 'ACME', model: 'volt 22', firmwarePrefix: null, mode: 'lenient',
      description: 'Sends meter values without units', createdAt: undefined, updatedAt: undefined,
    });
    assert.ok(!Number.isNaN(Date.parse(rule.createdAt)));
    assert.deepEqual((await h.call('GET', '/api/v1/validation-rules')).json(), [rule]);
    assert.ok(events.some((e) => e.type === 'validation.rules-changed'), 'other nodes are told to reload their rules');
    assert.equal(await h.domain.validation.modeForIdentity(ACME_ALPHA), 'lenient', 'vendor and model match case-insensitively');
    assert.equal(await h.domain.validation.modeForIdentity({ ...ACME_ALPHA, model: 'Volt 11' }), 'strict');
  });

  it('replaces a rule on a second PUT: absent optional fields are cleared, createdAt is kept', async () => {
    const before = (await h.call('GET', '/api/v1/validation-rules')).json()[0];
    const res = await h.call('PUT', '/api/v1/validation-rules/acme-volt', { body: { vendor: 'Acme', firmwarePrefix: '1.2', mode: 'log-only' } });
    assert.equal(res.statusCode, 200);
    const rule = res.json();
    assert.equal(rule.model, null);
    assert.equal(rule.description, null);
    assert.equal(rule.firmwarePrefix, '1.2');
    assert.equal(rule.mode, 'log-only');
    assert.equal(rule.createdAt, before.createdAt);
    assert.equal((await h.call('GET', '/api/v1/validation-rules')).json().length, 1);
    assert.equal(await h.domain.validation.modeForIdentity(ACME_ALPHA), 'log-only');
    assert.equal(await h.domain.validation.modeForIdentity({ ...ACME_ALPHA, firmwareVersion: '2.0.0' }), 'strict', 'the firmware prefix must match');
  });

  it('rejects bad rules with 400 and stores nothing', async () => {
    const cases: [string, unknown][] = [
      ['bad id!', { vendor: 'Acme', mode: 'strict' }],
      ['x'.repeat(65), { vendor: 'Acme', mode: 'strict' }],
      ['r1', { mode: 'strict' }],
      ['r1', { vendor: 'Acme' }],
      ['r1', { vendor: 'Acme', mode: 'loose' }],
      ['r1', { vendor: '', mode: 'strict' }],
      ['r1', { vendor: 'x'.repeat(51), mode: 'strict' }],
      ['r1', { vendor: 'Acme', model: { name: 'Volt 22' }, mode: 'strict' }],
      ['r1', { vendor: 'Acme', mode: 'strict', description: 'x'.repeat(1001) }],
      ['r1', [{ vendor: 'Acme', mode: 'strict' }]],
    ];
    for (const [id, body] of cases) {
      const res = await h.call('PUT', `/api/v1/validation-rules/${encodeURIComponent(id)}`, { body });
      assert.equal(res.statusCode, 400, `${id} ${JSON.stringify(body)}`);
      assert.equal(res.json().error.code, 'invalid_request', `${id} ${JSON.stringify(body)}`);
    }
    const blank = await h.call('PUT', '/api/v1/validation-rules/r1', { body: { vendor: '   ', mode: 'strict' } });
    assert.equal(blank.statusCode, 400, 'a vendor of only spaces matches no BootNotification');
    assert.equal(blank.json().error.code, 'invalid');
    assert.deepEqual((await h.call('GET', '/api/v1/validation-rules')).json().map((r: { id: string }) => r.id), ['acme-volt']);
  });

  it('lets a viewer and an operator read the rules but only an admin change them', async () => {
    assert.equal((await h.call('GET', '/api/v1/validation-rules', { as: 'viewer' })).statusCode, 200);
    assert.equal((await h.call('GET', '/api/v1/validation-rules', { as: 'operator' })).statusCode, 200);
    const body = { vendor: 'Acme', mode: 'strict' };
    for (const as of ['viewer', 'operator'] as const) {
      for (const [method, url] of [['PUT', '/api/v1/validation-rules/acme-volt'], ['PUT', '/api/v1/validation-rules/new-rule'], ['DELETE', '/api/v1/validation-rules/acme-volt']] as const) {
        const res = await h.call(method, url, { as, ...(method === 'PUT' ? { body } : {}) });
        assert.equal(res.statusCode, 403, `${as} ${method} ${url}`);
        assert.equal(res.json().error.code, 'forbidden');
      }
      const invalid = await h.call('PUT', '/api/v1/validation-rules/r2', { as, body: { mode: 'nonsense' } });
      assert.equal(invalid.statusCode, 403, `${as}: the role is checked before the body`);
    }
    const rules = (await h.call('GET', '/api/v1/validation-rules')).json();
    assert.deepEqual(rules.map((r: { id: string; mode: string }) => [r.id, r.mode]), [['acme-volt', 'log-only']], 'nothing changed');
    for (const [method, url] of [['GET', '/api/v1/validation-rules'], ['PUT', '/api/v1/validation-rules/x'], ['DELETE', '/api/v1/validation-rules/x']] as const) {
      assert.equal((await h.call(method, url, { as: null, ...(method === 'PUT' ? { body } : {}) })).statusCode, 401, `${method} without a token`);
    }
  });

  it('deletes a rule with 204 (admin), then answers 404 for it', async () => {
    const res = await h.call('DELETE', '/api/v1/validation-rules/acme-volt');
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    assert.deepEqual((await h.call('GET', '/api/v1/validation-rules')).json(), []);
    assert.equal(await h.domain.validation.modeForIdentity(ACME_ALPHA), 'strict', 'back to the server default');
    const again = await h.call('DELETE', '/api/v1/validation-rules/acme-volt');
    assert.equal(again.statusCode, 404);
    assert.equal(again.json().error.code, 'not_found');
    assert.equal((await h.call('DELETE', '/api/v1/validation-rules/bad%20id')).statusCode, 400);
  });
});
