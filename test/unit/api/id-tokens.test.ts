import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness } from './harness.ts';

describe('id tokens API', () => {
  let h: Harness;
  before(async () => { h = await harness(); });
  after(() => h.close());

  it('creates a token with PUT and returns the record', async () => {
    const res = await h.call('PUT', '/api/v1/id-tokens/TAG-001', {
      body: { status: 'Accepted', expiryDate: '2030-01-01T00:00:00Z', groupId: 'FLEET', allowConcurrentTx: true },
    });
    assert.equal(res.statusCode, 200);
    const record = res.json();
    assert.equal(record.idToken, 'TAG-001');
    assert.equal(record.status, 'Accepted');
    assert.equal(record.expiryDate, '2030-01-01T00:00:00.000Z');
    assert.equal(record.groupId, 'FLEET');
    assert.equal(record.allowConcurrentTx, true);
    assert.equal(typeof record.createdAt, 'string');
    assert.equal((await h.domain.authorization.authorize('CP1', 'TAG-001')).status, 'Accepted');
  });

  it('replaces a token on a second PUT', async () => {
    const res = await h.call('PUT', '/api/v1/id-tokens/TAG-001', { body: { status: 'Blocked' } });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      (({ status, expiryDate, groupId, allowConcurrentTx }) => ({ status, expiryDate, groupId, allowConcurrentTx }))(res.json()),
      { status: 'Blocked', expiryDate: null, groupId: null, allowConcurrentTx: false },
    );
    assert.equal((await h.domain.authorization.authorize('CP1', 'TAG-001')).status, 'Blocked');
  });

  it('lists and gets tokens', async () => {
    await h.call('PUT', '/api/v1/id-tokens/TAG-002', { body: { status: 'Accepted' } });
    const list = await h.call('GET', '/api/v1/id-tokens', { as: 'viewer' });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json().map((t: { idToken: string }) => t.idToken).sort(), ['TAG-001', 'TAG-002']);
    const one = await h.call('GET', '/api/v1/id-tokens/TAG-002');
    assert.equal(one.statusCode, 200);
    assert.equal(one.json().status, 'Accepted');
    assert.equal((await h.call('GET', '/api/v1/id-tokens/NOPE')).statusCode, 404);
  });

  it('deletes a token with 204, then 404', async () => {
    const res = await h.call('DELETE', '/api/v1/id-tokens/TAG-002');
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    assert.equal((await h.call('GET', '/api/v1/id-tokens/TAG-002')).statusCode, 404);
    const again = await h.call('DELETE', '/api/v1/id-tokens/TAG-002');
    assert.equal(again.statusCode, 404);
    assert.equal(again.json().error.code, 'not_found');
  });

  it('rejects invalid bodies with 400', async () => {
    for (const body of [{}, { status: 'Maybe' }, { status: 'Accepted', expiryDate: 'next tuesday' }, { status: 'Accepted', groupId: { id: 5 } }, undefined]) {
      const res = await h.call('PUT', '/api/v1/id-tokens/TAG-003', { body });
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.equal(res.json().error.code, 'invalid_request');
    }
    assert.equal((await h.call('PUT', `/api/v1/id-tokens/${'L'.repeat(255)}`, { body: { status: 'Accepted' } })).statusCode, 200);
    const tooLong = await h.call('PUT', `/api/v1/id-tokens/${'T'.repeat(256)}`, { body: { status: 'Accepted' } });
    assert.equal(tooLong.statusCode, 400);
    assert.equal((await h.call('GET', '/api/v1/id-tokens/TAG-003')).statusCode, 404);
  });
});
