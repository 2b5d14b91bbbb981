import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SimStation } from '../../src/sim/sim-station.ts';
import { SimStation201 } from '../../src/sim/v201/sim-station-201.ts';
import { eventually, startTestServer, type TestServer } from './support/test-server.ts';

/**
 * Profile on authorization: an operator's remote start for an EVSE of a managed site reaches the station with the
 * planner's TxProfile for the session (1.6 §5.11 RemoteStartTransaction.chargingProfile, 2.x F01/K05
 * RequestStartTransaction.chargingProfile), without a transactionId; an operator's own profile is sent as given, and
 * a station in no site gets the request unchanged.
 */

/** The CALLs a station received, by action. */
function callsIn(frames: string[], action: string): Record<string, any>[] {
  return frames.map((f) => JSON.parse(f) as unknown[]).filter((f) => f[0] === 2 && f[2] === action).map((f) => f[3] as Record<string, any>);
}

async function managedSite(server: TestServer, stationIds: string[]): Promise<void> {
  // 20 A per phase for the site; an unknown EV is planned at the assumed 11 kW (16 A).
  assert.equal((await server.api('PUT', '/api/v1/sites/depot', { name: 'Depot', maxCurrentA: 20, slotSeconds: 60, horizonHours: 1 })).status, 200);
  for (const id of stationIds) assert.equal((await server.api('PUT', `/api/v1/sites/depot/evses/${id}/1`, { maxCurrentA: 32 })).status, 200);
}

describe('smart charging: profile on authorization (a remote start carries the planner\'s TxProfile)', () => {
  it('1.6 RemoteStartTransaction: TxProfile without transactionId on a managed connector; an explicit profile is kept; an unmanaged station gets none', async () => {
    const server = await startTestServer({ JOULE_AUTHORIZE_UNKNOWN_ID_TOKENS: 'true' });
    const frames = new Map<string, string[]>();
    const make = (id: string) => new SimStation({ url: server.wsUrl, id, connectors: 1, onFrame: (direction, text) => { if (direction === 'in') frames.get(id)!.push(text); } });
    const managed = make('RS16-M');
    const other = make('RS16-X');
    const explicit = make('RS16-E');
    for (const s of [managed, other, explicit]) frames.set(s.id, []);
    try {
      await managedSite(server, ['RS16-M', 'RS16-E']);
      for (const s of [managed, other, explicit]) s.start();
      await eventually(() => [managed, other, explicit].every((s) => s.registration === 'Accepted'), 10_000, 'accepted');

      const res = await server.api('POST', '/api/v1/stations/RS16-M/commands/RemoteStartTransaction', { connectorId: 1, idTag: 'DRIVER-1' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.response.status, 'Accepted');
      const [call] = callsIn(frames.get('RS16-M')!, 'RemoteStartTransaction');
      const profile = call?.chargingProfile;
      assert.ok(profile, 'the request carries a profile');
      assert.equal(profile.chargingProfilePurpose, 'TxProfile');
      assert.equal(profile.transactionId, undefined, 'no transactionId in a remote start ([S16E] 3.41)');
      assert.equal(profile.chargingProfileId, 9_500_001, 'Joule\'s TxProfile id for the EVSE: later re-plans replace it');
      const first = profile.chargingSchedule.chargingSchedulePeriod[0];
      assert.equal(profile.chargingSchedule.chargingRateUnit, 'A');
      assert.ok(first.limit > 0 && first.limit <= 20, `the session's allocation now, within the site limit (${first.limit} A)`);
      assert.deepEqual(res.body.sent, { action: 'RemoteStartTransaction', payload: call }, 'the answer shows what was sent');
      await eventually(() => managed.connector(1)?.session !== undefined, 5_000, 'the station started the session');

      const own = { chargingProfileId: 77, stackLevel: 2, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Relative', chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] } };
      const kept = await server.api('POST', '/api/v1/stations/RS16-E/commands/RemoteStartTransaction', { connectorId: 1, idTag: 'DRIVER-2', chargingProfile: own });
      assert.equal(kept.status, 200, JSON.stringify(kept.body));
      assert.deepEqual(callsIn(frames.get('RS16-E')!, 'RemoteStartTransaction')[0]?.chargingProfile, own, 'the operator\'s profile, as given');
      assert.equal(kept.body.sent, undefined);

      const plain = await server.api('POST', '/api/v1/stations/RS16-X/commands/RemoteStartTransaction', { connectorId: 1, idTag: 'DRIVER-3' });
      assert.equal(plain.status, 200);
      assert.deepEqual(callsIn(frames.get('RS16-X')!, 'RemoteStartTransaction')[0], { connectorId: 1, idTag: 'DRIVER-3' }, 'a station in no site: unchanged');
    } finally {
      for (const s of [managed, other, explicit]) await s.stop();
      await server.stop();
    }
  });

  it('2.0.1 RequestStartTransaction: chargingProfile with purpose TxProfile and no transactionId on a managed EVSE', async () => {
    const server = await startTestServer({ JOULE_AUTHORIZE_UNKNOWN_ID_TOKENS: 'true' });
    const frames: string[] = [];
    const station = new SimStation201({ url: server.wsUrl, id: 'RS201-M', evses: 1, onFrame: (direction, text) => { if (direction === 'in') frames.push(text); } });
    try {
      await managedSite(server, ['RS201-M']);
      station.start();
      await eventually(() => station.registration === 'Accepted', 10_000, 'accepted');
      const res = await server.api('POST', '/api/v1/stations/RS201-M/commands/RequestStartTransaction', {
        evseId: 1, remoteStartId: 42, idToken: { idToken: 'DRIVER-9', type: 'ISO14443' },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.response.status, 'Accepted', JSON.stringify(res.body.response));
      const [call] = callsIn(frames, 'RequestStartTransaction');
      const profile = call?.chargingProfile;
      assert.ok(profile, 'the request carries a profile');
      assert.equal(profile.chargingProfilePurpose, 'TxProfile');
      assert.equal(profile.transactionId, undefined, 'no transactionId (F01.FR.11)');
      assert.equal(profile.id, 9_500_001);
      const schedule = profile.chargingSchedule[0];
      assert.equal(typeof schedule.id, 'number');
      assert.ok(schedule.chargingSchedulePeriod[0].limit > 0 && schedule.chargingSchedulePeriod[0].limit <= 20);
      assert.equal(call?.remoteStartId, 42, 'the operator\'s fields are kept');
      await eventually(async () => (await server.api('GET', '/api/v1/transactions?stationId=RS201-M&active=true')).body.length === 1, 5_000, 'the transaction started');
    } finally {
      await station.stop();
      await server.stop();
    }
  });
});
