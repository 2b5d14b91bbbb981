import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { DomainError } from '../../../src/domain/errors.ts';
import { harness, type Harness } from './harness.ts';

describe('error responses', () => {
  let h: Harness;
  before(async () => { h = await harness(); });
  after(() => h.close());

  it('answers unknown routes with 404 not_found', async () => {
    for (const url of ['/api/v1/nothing-here', '/nothing', '/api/v2/stations']) {
      const res = await h.call('GET', url);
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().error.code, 'not_found');
      assert.match(res.json().error.message, /not found/);
    }
  });

  it('answers schema violations with 400 invalid_request and the errors in details', async () => {
    const res = await h.call('GET', '/api/v1/transactions?limit=0');
    assert.equal(res.statusCode, 400);
    const { error } = res.json();
    assert.equal(error.code, 'invalid_request');
    assert.match(error.message, /limit/);
    assert.ok(Array.isArray(error.details) && error.details.length > 0);
    assert.equal(error.details[0].keyword, 'minimum');
  });

  it('answers malformed JSON with 400 invalid_request', async () => {
    const res = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/id-tokens/TAG',
      headers: { authorization: 'Bearer admin-token', 'content-type': 'application/json' },
      payload: '{"status":',
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'invalid_request');
  });

  it('maps domain errors to their status', async () => {
    const cases = [['not_found', 404], ['invalid', 400], ['conflict', 409], ['forbidden', 403]] as const;
    const original = h.domain.stations.list;
    try {
      for (const [code, status] of cases) {
        h.domain.stations.list = async () => { throw new DomainError(code, `it is ${code}`); };
        const res = await h.call('GET', '/api/v1/stations');
        assert.equal(res.statusCode, status, code);
        assert.deepEqual(res.json(), { error: { code, message: `it is ${code}` } });
      }
    } finally {
      h.domain.stations.list = original;
    }
  });

  it('answers unexpected failures with 500 internal and no detail of the cause', async () => {
    const original = h.domain.transactions.list;
    h.domain.transactions.list = async () => { throw new Error('db password is hunter2'); };
    try {
      const res = await h.call('GET', '/api/v1/transactions');
      assert.equal(res.statusCode, 500);
      assert.deepEqual(res.json(), { error: { code: 'internal', message: 'Internal server error' } });
      assert.doesNotMatch(res.body, /hunter2|at /);
    } finally {
      h.domain.transactions.list = original;
    }
  });

  it('logs unexpected failures, and never the bearer token', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => { lines.push(line); } });
    const logged = await harness({ logger });
    try {
      logged.domain.transactions.list = async () => { throw new Error('disk on fire'); };
      assert.equal((await logged.call('GET', '/api/v1/transactions')).statusCode, 500);
      assert.equal((await logged.call('GET', '/api/v1/stations', { as: 'viewer' })).statusCode, 200);
      const entries = lines.map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string } });
      assert.ok(entries.some((e) => e.level === 50 && e.err?.message === 'disk on fire'));
      assert.doesNotMatch(lines.join(''), /admin-token|viewer-token/);
    } finally {
      await logged.close();
    }
  });
});
