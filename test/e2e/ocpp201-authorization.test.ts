import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bootedStrictStation, type StrictStation } from './support/ocpp2-station.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

describe('OCPP 2.0.1 blocks C (authorization) and D (local authorization list), with a strict ocpp-rpc station', () => {
  let server: TestServer;
  let st: StrictStation;
  const command = (action: string, payload: unknown) => server.api('POST', `/api/v1/stations/CS201-AUTH/commands/${action}`, payload);
  const authorize = async (idToken: string, type: string) => (await st.call('Authorize', { idToken: { idToken, type } })).idTokenInfo;

  before(async () => {
    server = await startTestServer();
    for (const [token, body] of Object.entries({
      'RFID-04A1B2C3': { status: 'Accepted', groupId: 'FLEET-NORTH', expiryDate: '2030-01-01T00:00:00Z' },
      '4711': { status: 'Accepted' },
      'NL-JOU-C12345678-9': { status: 'Accepted', groupId: 'EMSP-JOULE' },
      'RFID-BLOCKED': { status: 'Blocked' },
      'RFID-EXPIRED': { status: 'Accepted', expiryDate: '2020-01-01T00:00:00Z' },
    })) {
      assert.equal((await server.api('PUT', `/api/v1/id-tokens/${token}`, body)).status, 200);
    }
    let listVersion = 0;
    st = await bootedStrictStation(server, 'CS201-AUTH', {
      answers: {
        ClearCache: { status: 'Accepted' },
        SendLocalList: (p: any) => {
          if (p.updateType === 'Differential' && p.versionNumber <= listVersion) return { status: 'VersionMismatch' };
          listVersion = p.versionNumber;
          return { status: 'Accepted' };
        },
        GetLocalListVersion: () => ({ versionNumber: listVersion }),
      },
    });
  });
  after(async () => {
    await st?.close();
    await server.stop();
  });

  it('C01 Authorize with an ISO14443 token: Accepted, with cacheExpiryDateTime and the group as a Central groupIdToken', async () => {
    assert.deepEqual(await authorize('RFID-04A1B2C3', 'ISO14443'), {
      status: 'Accepted',
      cacheExpiryDateTime: '2030-01-01T00:00:00.000Z',
      groupIdToken: { idToken: 'FLEET-NORTH', type: 'Central' },
    });
    assert.equal((await authorize('rfid-04a1b2c3', 'ISO14443')).status, 'Accepted', 'id tokens are case-insensitive');
    assert.deepEqual(st.failures, []);
  });

  it('C04 Authorize with a KeyCode (PIN) and C07 with an eMAID contract id: each answered from the registry', async () => {
    assert.deepEqual(await authorize('4711', 'KeyCode'), { status: 'Accepted' });
    assert.deepEqual(await authorize('NL-JOU-C12345678-9', 'eMAID'), { status: 'Accepted', groupIdToken: { idToken: 'EMSP-JOULE', type: 'Central' } });
    assert.equal((await authorize('NL-JOU-C12345678-9', 'Central')).status, 'Accepted');
    assert.deepEqual(st.failures, []);
  });

  it('C01 Authorize with a blocked, an expired and an unknown token: Blocked, Expired, Invalid', async () => {
    assert.equal((await authorize('RFID-BLOCKED', 'ISO14443')).status, 'Blocked');
    assert.equal((await authorize('RFID-EXPIRED', 'ISO15693')).status, 'Expired');
    assert.deepEqual(await authorize('RFID-NOBODY', 'ISO14443'), { status: 'Invalid' });
    assert.deepEqual(await authorize('00:1A:2B:3C:4D:5E', 'MacAddress'), { status: 'Invalid' });
    assert.deepEqual(st.failures, []);
  });

  it('C11 ClearCache through the command API', async () => {
    const res = await command('ClearCache', {});
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'completed');
    assert.deepEqual(res.body.response, { status: 'Accepted' });
    assert.equal(st.requests('ClearCache').length, 1);
  });

  it('D01 SendLocalList (Full, then Differential) and D02 GetLocalListVersion through the command API', async () => {
    assert.deepEqual((await command('GetLocalListVersion', {})).body.response, { versionNumber: 0 });
    const full = await command('SendLocalList', {
      versionNumber: 3,
      updateType: 'Full',
      localAuthorizationList: [
        { idToken: { idToken: 'RFID-04A1B2C3', type: 'ISO14443' }, idTokenInfo: { status: 'Accepted', groupIdToken: { idToken: 'FLEET-NORTH', type: 'Central' } } },
        { idToken: { idToken: '4711', type: 'KeyCode' }, idTokenInfo: { status: 'Accepted' } },
      ],
    });
    assert.equal(full.status, 200);
    assert.deepEqual(full.body.response, { status: 'Accepted' });
    assert.equal(st.requests('SendLocalList')[0].localAuthorizationList.length, 2);
    assert.deepEqual((await command('GetLocalListVersion', {})).body.response, { versionNumber: 3 });
    const stale = await command('SendLocalList', { versionNumber: 2, updateType: 'Differential', localAuthorizationList: [{ idToken: { idToken: 'X', type: 'Local' } }] });
    assert.deepEqual(stale.body.response, { status: 'VersionMismatch' });
    const removal = await command('SendLocalList', { versionNumber: 4, updateType: 'Differential', localAuthorizationList: [{ idToken: { idToken: '4711', type: 'KeyCode' } }] });
    assert.deepEqual(removal.body.response, { status: 'Accepted' }, 'an entry without idTokenInfo removes the token');
    assert.deepEqual((await command('GetLocalListVersion', {})).body.response, { versionNumber: 4 });
    assert.deepEqual(st.failures, []);
  });

  it('D01 a 1.6-shaped SendLocalList (listVersion, idTag) fails the 2.0.1 schema: 400, nothing sent', async () => {
    const before = st.requests('SendLocalList').length;
    const res = await command('SendLocalList', { listVersion: 5, updateType: 'Full', localAuthorizationList: [{ idTag: 'RFID-04A1B2C3' }] });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'invalid_payload');
    assert.ok(res.body.error.details.length > 0);
    assert.equal(st.requests('SendLocalList').length, before);
  });
});
