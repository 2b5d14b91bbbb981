import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { negotiate, offeredSubprotocols, stationIdFromPath } from '../../../src/gateway/subprotocol.ts';

const all = new Set(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const);

describe('subprotocol negotiation', () => {
  it('quirk 2: odd subprotocol lists (",ocpp2.0.1", spaces, duplicates) are normalised', () => {
    assert.deepEqual(offeredSubprotocols(',ocpp2.0.1'), ['ocpp2.0.1']);
    assert.deepEqual(offeredSubprotocols(' ocpp1.6 , OCPP1.6,ocpp2.0.1 '), ['ocpp1.6', 'ocpp2.0.1']);
    assert.deepEqual(offeredSubprotocols(undefined), []);
  });

  it("picks the station's first supported choice, or its configured protocol when offered", () => {
    assert.deepEqual(negotiate(['ocpp1.5', 'ocpp1.6'], all, undefined), { version: 'ocpp1.6', offered: true });
    assert.deepEqual(negotiate(['ocpp2.0.1', 'ocpp1.6'], all, 'ocpp1.6'), { version: 'ocpp1.6', offered: true });
    assert.deepEqual(negotiate(['ocpp2.0.1'], new Set(['ocpp1.6'] as const), undefined).version, undefined);
  });

  it('quirk 1: a station offering no subprotocol gets its configured protocol or is refused', () => {
    assert.deepEqual(negotiate([], all, 'ocpp1.6'), { version: 'ocpp1.6', offered: false });
    assert.equal(negotiate([], all, undefined).version, undefined);
  });
});

describe('station id from the URL path', () => {
  it('is percent-decoded', () => {
    assert.deepEqual(stationIdFromPath('/ocpp/RDAM%20123', '/ocpp'), { id: 'RDAM 123' });
    assert.deepEqual(stationIdFromPath('/ocpp/RDAM%7C123', '/ocpp'), { id: 'RDAM|123' });
  });

  it('is at most 48 characters, without ":" or a further path segment', () => {
    assert.ok('id' in stationIdFromPath(`/ocpp/${'a'.repeat(48)}`, '/ocpp'));
    assert.ok('error' in stationIdFromPath(`/ocpp/${'a'.repeat(49)}`, '/ocpp'));
    assert.ok('error' in stationIdFromPath('/ocpp/a:b', '/ocpp'));
    assert.ok('error' in stationIdFromPath('/ocpp/a/b', '/ocpp'));
    assert.ok('error' in stationIdFromPath('/ocpp/%E0%A4%A', '/ocpp'));
    assert.ok('error' in stationIdFromPath('/other/a', '/ocpp'));
  });
});
