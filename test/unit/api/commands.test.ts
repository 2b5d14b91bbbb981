import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { StationCallOutcome, StationCallRequest } from '../../../src/cluster/bus.ts';
import { bootedStation, harness, type Harness } from './harness.ts';

describe('commands API', () => {
  let h: Harness;
  let received: StationCallRequest[];
  let answer: (request: StationCallRequest) => Promise<StationCallOutcome>;

  before(async () => {
    h = await harness();
    await bootedStation(h, 'CP1');
    await bootedStation(h, 'CP2');
    h.bus.serveStationCalls((request) => {
      received.push(request);
      return answer(request);
    });
    h.bus.claimStation('CP1');
  });
  beforeEach(() => {
    received = [];
  });
  after(() => h.close());

  const send = (action: string, body?: unknown, query = '', as: 'admin' | 'operator' = 'admin') =>
    h.call('POST', `/api/v1/stations/CP1/commands/${action}${query}`, { body, as });

  it('answers 200 completed with the station\'s payload, and records who sent it', async () => {
    answer = async () => ({ status: 'completed', response: { status: 'Accepted', nested: { a: [1, 2] } } });
    const res = await send('RemoteStartTransaction', { idTag: 'TAG1', connectorId: 1 }, '', 'operator');
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.status, 'completed');
    assert.deepEqual(body.response, { status: 'Accepted', nested: { a: [1, 2] } });
    assert.equal(typeof body.commandId, 'string');
    assert.deepEqual(received, [{ stationId: 'CP1', action: 'RemoteStartTransaction', payload: { idTag: 'TAG1', connectorId: 1 }, timeoutMs: 1000 }]);

    const record = (await h.call('GET', `/api/v1/commands/${body.commandId}`)).json();
    assert.equal(record.actor, 'oscar');
    assert.equal(record.origin, '127.0.0.1');
    assert.equal(record.action, 'RemoteStartTransaction');
    assert.deepEqual(record.request, { idTag: 'TAG1', connectorId: 1 });
    assert.equal(record.status, 'completed');
    assert.deepEqual(record.response, { status: 'Accepted', nested: { a: [1, 2] } });
    assert.equal(typeof record.completedAt, 'string');
  });

  it('passes the payload through untouched (no coercion) and treats no body as {}', async () => {
    answer = async () => ({ status: 'completed', response: {} });
    await send('ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '60' });
    assert.deepEqual(received[0]?.payload, { key: 'MeterValueSampleInterval', value: '60' });
    const res = await send('ClearCache');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(received[1]?.payload, {});
  });

  it('passes timeoutMs on and validates it', async () => {
    answer = async () => ({ status: 'completed', response: {} });
    await send('Reset', { type: 'Soft' }, '?timeoutMs=2500');
    assert.equal(received[0]?.timeoutMs, 2500);
    assert.equal((await send('Reset', { type: 'Soft' }, '?timeoutMs=0')).statusCode, 400);
  });

  it('answers 200 error with the station\'s CALLERROR', async () => {
    answer = async () => ({ status: 'error', error: { code: 'NotSupported', description: 'nope', details: { why: 'old' } } });
    const res = await send('Reset', { type: 'Hard' });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.status, 'error');
    assert.deepEqual(body.error, { code: 'NotSupported', description: 'nope', details: { why: 'old' } });
    assert.equal(body.response, undefined);
    assert.equal((await h.call('GET', `/api/v1/commands/${body.commandId}`)).json().status, 'error');
  });

  it('answers 400 invalid_payload with the schema errors', async () => {
    const errors = [{ instancePath: '/type', message: 'must be equal to one of the allowed values' }];
    answer = async () => ({ status: 'invalid', message: 'Reset: type must be Hard or Soft', errors });
    const res = await send('Reset', { type: 'Sideways' });
    assert.equal(res.statusCode, 400);
    const { error } = res.json();
    assert.equal(error.code, 'invalid_payload');
    assert.equal(error.message, 'Reset: type must be Hard or Soft');
    assert.deepEqual(error.details, errors);
    assert.equal(typeof error.commandId, 'string');
  });

  it('answers 409 refused', async () => {
    answer = async () => ({ status: 'refused', message: 'The station is Pending' });
    const res = await send('RemoteStartTransaction', { idTag: 'T' });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().error.code, 'refused');
    assert.equal(res.json().error.message, 'The station is Pending');
  });

  it('answers 409 station_offline for a known station that is not connected', async () => {
    const res = await h.call('POST', '/api/v1/stations/CP2/commands/Reset', { body: { type: 'Hard' } });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().error.code, 'station_offline');
    assert.equal(received.length, 0);
  });

  it('answers 504 timeout', async () => {
    answer = async () => ({ status: 'timeout' });
    const res = await send('Reset', { type: 'Hard' });
    assert.equal(res.statusCode, 504);
    assert.equal(res.json().error.code, 'timeout');
    assert.equal((await h.call('GET', `/api/v1/commands/${res.json().error.commandId}`)).json().status, 'timeout');
  });

  it('answers 404 for an unknown station, without recording or sending anything', async () => {
    const before = (await h.call('GET', '/api/v1/commands?limit=1000')).json().length;
    const res = await h.call('POST', '/api/v1/stations/NOPE/commands/Reset', { body: { type: 'Hard' } });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'not_found');
    assert.equal(received.length, 0);
    assert.equal((await h.call('GET', '/api/v1/commands?limit=1000')).json().length, before);
  });

  it('rejects a payload that is not an object and a malformed action with 400 invalid_request', async () => {
    for (const [action, json] of [['Reset', '[1]'], ['Reset', '"Hard"'], ['Reset', 'null'], ['Re-set', '{}'], ['1Reset', '{}']] as const) {
      const res = await h.app.inject({
        method: 'POST',
        url: `/api/v1/stations/CP1/commands/${action}`,
        headers: { authorization: 'Bearer admin-token', 'content-type': 'application/json' },
        payload: json,
      });
      assert.equal(res.statusCode, 400, `${action} ${json}`);
      assert.equal(res.json().error.code, 'invalid_request');
    }
    assert.equal(received.length, 0);
  });

  it('lists the command log, filtered by station and limited', async () => {
    const all = (await h.call('GET', '/api/v1/commands?limit=1000')).json();
    assert.ok(all.length >= 8);
    const cp2 = (await h.call('GET', '/api/v1/commands?stationId=CP2')).json();
    assert.deepEqual(cp2.map((c: { stationId: string; status: string }) => [c.stationId, c.status]), [['CP2', 'failed']]);
    assert.equal((await h.call('GET', '/api/v1/commands?limit=2')).json().length, 2);
    assert.equal((await h.call('GET', '/api/v1/commands/no-such-command')).statusCode, 404);
  });
});
