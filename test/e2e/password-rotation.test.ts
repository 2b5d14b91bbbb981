/**
 * A01 password rotation through the station's live connection: 1.6 ChangeConfiguration AuthorizationKey and 2.0.1
 * SetVariables SecurityCtrlr.BasicAuthPassword, with raw stations that apply the new password and reconnect.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BOOT_16, RawStation } from './support/raw-station.ts';
import { BOOT_201 } from './support/ocpp2-station.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';
import { upgradeRequest } from './support/raw-upgrade.ts';

const OLD = 'Kq3vT9xLm2Rp8ZwB4nYd';

function basic(user: string, password: string | Buffer): Record<string, string> {
  const bytes = typeof password === 'string' ? Buffer.from(password) : password;
  return { Authorization: `Basic ${Buffer.concat([Buffer.from(`${user}:`), bytes]).toString('base64')}` };
}

/** The HTTP status of a WebSocket upgrade (101 when let in; the socket is closed at once). */
async function upgradeStatus(server: TestServer, stationId: string, headers: Record<string, string>, protocol: string): Promise<number> {
  return (await upgradeRequest(`${server.wsUrl}/${stationId}`, { headers: { 'Sec-WebSocket-Protocol': protocol, ...headers } })).status;
}

describe('A01: password rotation', () => {
  let server: TestServer;
  before(async () => { server = await startTestServer({ JOULE_ALLOW_UNSECURED: 'false' }); });
  after(async () => { await server.stop(); });

  it('1.6: ChangeConfiguration AuthorizationKey (hex); the old key works until the station connects with the new one, then only the new one', async () => {
    await server.api('PUT', '/api/v1/stations/CP-ROT', { securityProfile: 1, password: OLD });
    const station = await RawStation.connect(server.wsUrl, 'CP-ROT', 'ocpp1.6', basic('CP-ROT', OLD));
    await station.ok('BootNotification', BOOT_16);
    let sent: { key: string; value: string } | undefined;
    station.onCall = (action, payload) => {
      if (action === 'ChangeConfiguration') sent = payload;
      return { status: 'Accepted' };
    };
    const rotation = await server.api('POST', '/api/v1/stations/CP-ROT/password-rotation', {});
    assert.equal(rotation.status, 200, JSON.stringify(rotation.body));
    assert.equal(rotation.body.status, 'accepted');
    assert.equal(sent?.key, 'AuthorizationKey');
    assert.match(sent?.value ?? '', /^[0-9A-F]{40}$/, 'the key as 40 hex digits');
    const newKey = Buffer.from(sent!.value, 'hex');
    const view = await server.api('GET', '/api/v1/stations/CP-ROT');
    assert.equal(view.body.passwordRotation.status, 'accepted');
    assert.doesNotMatch(JSON.stringify(view.body), new RegExp(`${sent!.value}|${newKey.toString('latin1')}`), 'never the new password');
    await station.close();

    assert.equal(await upgradeStatus(server, 'CP-ROT', basic('CP-ROT', OLD), 'ocpp1.6'), 101, 'the old key until the station uses the new one');
    const renewed = await RawStation.connect(server.wsUrl, 'CP-ROT', 'ocpp1.6', basic('CP-ROT', newKey));
    assert.equal((await renewed.ok('BootNotification', BOOT_16)).status, 'Accepted');
    assert.equal((await server.api('GET', '/api/v1/stations/CP-ROT')).body.passwordRotation.status, 'completed');
    await renewed.close();
    assert.equal(await upgradeStatus(server, 'CP-ROT', basic('CP-ROT', OLD), 'ocpp1.6'), 401, 'the old key is refused now');
    assert.equal(await upgradeStatus(server, 'CP-ROT', basic('CP-ROT', sent!.value), 'ocpp1.6'), 101, 'the new key, also as its hex text');
  });

  it('2.0.1: SetVariables SecurityCtrlr.BasicAuthPassword with an operator-chosen password; old then new', async () => {
    await server.api('PUT', '/api/v1/stations/CS-ROT', { securityProfile: 1, password: OLD });
    const station = await RawStation.connect(server.wsUrl, 'CS-ROT', 'ocpp2.0.1', basic('CS-ROT', OLD));
    await station.ok('BootNotification', BOOT_201);
    let sent: any;
    station.onCall = (action, payload) => {
      sent = { action, payload };
      return { setVariableResult: [{ attributeStatus: 'Accepted', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] };
    };
    const chosen = 'nW4.xQ7-rT2|zK9@mB5_';
    const rotation = await server.api('POST', '/api/v1/stations/CS-ROT/password-rotation', { password: chosen });
    assert.equal(rotation.body.status, 'accepted');
    assert.equal(sent.action, 'SetVariables');
    assert.deepEqual(sent.payload.setVariableData[0], { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, attributeValue: chosen });
    await station.close();
    assert.equal(await upgradeStatus(server, 'CS-ROT', basic('CS-ROT', OLD), 'ocpp2.0.1'), 101, 'old still valid');
    const renewed = await RawStation.connect(server.wsUrl, 'CS-ROT', 'ocpp2.0.1', basic('CS-ROT', chosen));
    await renewed.close();
    assert.equal((await server.api('GET', '/api/v1/stations/CS-ROT')).body.passwordRotation.status, 'completed');
    assert.equal(await upgradeStatus(server, 'CS-ROT', basic('CS-ROT', OLD), 'ocpp2.0.1'), 401, 'old refused after the switch');
  });

  it('A01.FR.04: a station that rejects the new password keeps the old one, and the new one is dropped; offline is 409', async () => {
    await server.api('PUT', '/api/v1/stations/CS-REJ', { securityProfile: 1, password: OLD });
    const station = await RawStation.connect(server.wsUrl, 'CS-REJ', 'ocpp2.0.1', basic('CS-REJ', OLD));
    await station.ok('BootNotification', BOOT_201);
    station.onCall = () => ({ setVariableResult: [{ attributeStatus: 'Rejected', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] });
    const chosen = 'aB3.cD4-eF5|gH6@iJ7_';
    const rotation = await server.api('POST', '/api/v1/stations/CS-REJ/password-rotation', { password: chosen });
    assert.equal(rotation.body.status, 'rejected');
    assert.match(rotation.body.detail, /Rejected/);
    await station.close();
    assert.equal(await upgradeStatus(server, 'CS-REJ', basic('CS-REJ', chosen), 'ocpp2.0.1'), 401, 'the refused password is not valid');
    assert.equal(await upgradeStatus(server, 'CS-REJ', basic('CS-REJ', OLD), 'ocpp2.0.1'), 101);
    await new Promise((r) => setTimeout(r, 100));
    const offline = await server.api('POST', '/api/v1/stations/CS-REJ/password-rotation', {});
    assert.equal(offline.status, 409);
  });
});
