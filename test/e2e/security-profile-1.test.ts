import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BOOT_16, RawStation } from './support/raw-station.ts';
import { BOOT_201 } from './support/ocpp2-station.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';
import { type UpgradeAnswer, upgradeRequest } from './support/raw-upgrade.ts';

/** `Authorization: Basic base64(<user>:<password bytes>)`; the password may be raw binary (a 1.6 AuthorizationKey). */
function basic(user: string, password: string | Uint8Array): Record<string, string> {
  const bytes = typeof password === 'string' ? Buffer.from(password, 'utf8') : Buffer.from(password);
  return { Authorization: `Basic ${Buffer.concat([Buffer.from(`${user}:`, 'utf8'), bytes]).toString('base64')}` };
}

/** A WebSocket upgrade request with the given headers; the answer's status, headers and body. */
function upgrade(server: TestServer, stationId: string, headers: Record<string, string> = {}, protocol = 'ocpp1.6'): Promise<UpgradeAnswer> {
  return upgradeRequest(`${server.wsUrl}/${encodeURIComponent(stationId)}`, { headers: { 'Sec-WebSocket-Protocol': protocol, ...headers } });
}

async function assertUnauthorized(server: TestServer, stationId: string, headers: Record<string, string>, what: string): Promise<void> {
  const answer = await upgrade(server, stationId, headers);
  assert.equal(answer.status, 401, what);
  assert.equal(answer.headers['www-authenticate'], 'Basic realm="OCPP"', `${what}: the challenge names the scheme`);
}

async function withServer(run: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startTestServer();
  try {
    await run(server);
  } finally {
    await server.stop();
  }
}

const PASSWORD_16 = 'Kq3vT9xLm2Rp8ZwB4nYd'; // 20 characters: a 1.6 AuthorizationKey as is
const PASSWORD_201 = 'cK7-pW2.zQ9|mV4@xR6_tB8=';

describe('security profile 1: HTTP Basic authentication at the WebSocket upgrade', () => {
  it('A00.FR.204/205: a 1.6 and a 2.0.1 station with a password connect with the right one and are served', async () => {
    await withServer(async (server) => {
      assert.equal((await server.api('PUT', '/api/v1/stations/CP-16', { securityProfile: 1, password: PASSWORD_16 })).status, 200);
      assert.equal((await server.api('PUT', '/api/v1/stations/CS-201', { securityProfile: 1, password: PASSWORD_201 })).status, 200);

      const st16 = await RawStation.connect(server.wsUrl, 'CP-16', 'ocpp1.6', basic('CP-16', PASSWORD_16));
      assert.equal((await st16.ok('BootNotification', BOOT_16)).status, 'Accepted');
      const st201 = await RawStation.connect(server.wsUrl, 'CS-201', 'ocpp2.0.1', basic('CS-201', PASSWORD_201));
      assert.equal(st201.protocol, 'ocpp2.0.1');
      assert.equal((await st201.ok('BootNotification', BOOT_201)).status, 'Accepted');
      assert.equal((await server.api('GET', '/api/v1/stations/CS-201')).body.online, true);
      await st16.close();
      await st201.close();
    });
  });

  it('A00.FR.207: a wrong password, no credentials or a user name other than the station id get HTTP 401', async () => {
    await withServer(async (server) => {
      await server.api('PUT', '/api/v1/stations/CP-AUTH', { securityProfile: 1, password: PASSWORD_16 });
      await assertUnauthorized(server, 'CP-AUTH', basic('CP-AUTH', 'Kq3vT9xLm2Rp8ZwB4nYe'), 'wrong password');
      await assertUnauthorized(server, 'CP-AUTH', {}, 'no Authorization header');
      await assertUnauthorized(server, 'CP-AUTH', basic('CP-OTHER', PASSWORD_16), 'user name is not the station id');
      await assertUnauthorized(server, 'CP-AUTH', { Authorization: 'Bearer abc' }, 'not Basic');
      const refused = await upgrade(server, 'CP-AUTH', basic('CP-AUTH', 'wrong-password-1234'));
      assert.doesNotMatch(refused.body, /wrong-password-1234|Kq3vT9/, 'the answer never echoes a password');
      assert.equal((await server.api('GET', '/api/v1/stations/CP-AUTH')).body.online, false, 'nothing was let in');
      // The right one still works after the failures.
      assert.equal((await upgrade(server, 'CP-AUTH', basic('CP-AUTH', PASSWORD_16))).status, 101);
    });
  });

  it('A00.FR.205, OCTT TC_085_CS: a 1.6 AuthorizationKey set as 40 hex digits works sent as hex text or as the raw 20 bytes', async () => {
    await withServer(async (server) => {
      // 20 key bytes, some of which are not text (NUL, 0xff).
      const fullKey = Buffer.from('00ff102030405060708090a0b0c0d0e0f0fe7f01', 'hex');
      const hex = fullKey.toString('hex').toUpperCase();
      assert.equal(hex.length, 40);
      assert.equal((await server.api('PUT', '/api/v1/stations/CP-AK', { securityProfile: 1, password: hex })).status, 200);

      const asHex = await RawStation.connect(server.wsUrl, 'CP-AK', 'ocpp1.6', basic('CP-AK', hex));
      assert.equal((await asHex.ok('BootNotification', BOOT_16)).status, 'Accepted', 'the hex string as sent');
      await asHex.close();
      const asLowerHex = await upgrade(server, 'CP-AK', basic('CP-AK', hex.toLowerCase()));
      assert.equal(asLowerHex.status, 101, 'hex digits in either case');
      const raw = await RawStation.connect(server.wsUrl, 'CP-AK', 'ocpp1.6', basic('CP-AK', fullKey));
      assert.equal((await raw.ok('BootNotification', BOOT_16)).status, 'Accepted', 'the decoded key bytes');
      await raw.close();
      await assertUnauthorized(server, 'CP-AK', basic('CP-AK', Buffer.concat([fullKey.subarray(0, 19), Buffer.from([0x02])])), 'one byte off');
    });
  });

  it('a password that was set is required even when the station has no security profile; profile 1 without one refuses', async () => {
    await withServer(async (server) => {
      await server.api('PUT', '/api/v1/stations/CP-NOPROFILE', { password: PASSWORD_16 });
      await assertUnauthorized(server, 'CP-NOPROFILE', {}, 'password set, profile null, none sent');
      await assertUnauthorized(server, 'CP-NOPROFILE', basic('CP-NOPROFILE', 'x'.repeat(20)), 'password set, profile null, wrong one sent');
      assert.equal((await upgrade(server, 'CP-NOPROFILE', basic('CP-NOPROFILE', PASSWORD_16))).status, 101);

      await server.api('PUT', '/api/v1/stations/CP-P1-NOPASS', { securityProfile: 1 });
      await assertUnauthorized(server, 'CP-P1-NOPASS', basic('CP-P1-NOPASS', PASSWORD_16), 'profile 1 but no password set');

      // Without a password and profile 0 or none, a station connects as before; clearing the password restores that.
      await server.api('PUT', '/api/v1/stations/CP-OPEN', { securityProfile: 0 });
      assert.equal((await upgrade(server, 'CP-OPEN')).status, 101);
      assert.equal((await server.api('PUT', '/api/v1/stations/CP-NOPROFILE', { password: null })).status, 200);
      assert.equal((await upgrade(server, 'CP-NOPROFILE')).status, 101);
    });
  });

  it('A00.FR.002: a station at security profile 2 is refused on the plain ws listener, even with the right password', async () => {
    await withServer(async (server) => {
      await server.api('PUT', '/api/v1/stations/CP-P2', { securityProfile: 2, password: PASSWORD_16 });
      const answer = await upgrade(server, 'CP-P2', basic('CP-P2', PASSWORD_16));
      assert.equal(answer.status, 403);
      assert.match(answer.body, /profile 2 needs TLS/);
      await server.api('PUT', '/api/v1/stations/CP-P3', { securityProfile: 3 });
      assert.equal((await upgrade(server, 'CP-P3')).status, 403);
    });
  });

  it('issue 6: after 10 failed authentications in a minute the address gets HTTP 429, even with the right password', async () => {
    await withServer(async (server) => {
      await server.api('PUT', '/api/v1/stations/CP-RATE', { securityProfile: 1, password: PASSWORD_16 });
      for (let attempt = 1; attempt <= 10; attempt += 1) {
        assert.equal((await upgrade(server, 'CP-RATE', basic('CP-RATE', `guess-${attempt}-padding-xx`))).status, 401, `attempt ${attempt}`);
      }
      const held = await upgrade(server, 'CP-RATE', basic('CP-RATE', PASSWORD_16));
      assert.equal(held.status, 429);
      assert.ok(Number(held.headers['retry-after']) > 0 && Number(held.headers['retry-after']) <= 60, 'Retry-After within the minute');
      assert.equal((await upgrade(server, 'CP-OTHER-STATION')).status, 429, 'the address is held back, whichever station it names');
    });
  });

  it('A01.FR.08: the password is write-only: checked on PUT, never shown by the API', async () => {
    await withServer(async (server) => {
      const put = await server.api('PUT', '/api/v1/stations/CP-SECRET', { securityProfile: 1, password: PASSWORD_16 });
      assert.equal(put.status, 200);
      const shown = [put.body, (await server.api('GET', '/api/v1/stations/CP-SECRET')).body, (await server.api('GET', '/api/v1/stations')).body];
      for (const body of shown) {
        const text = JSON.stringify(body);
        assert.doesNotMatch(text, new RegExp(PASSWORD_16), 'no password');
        assert.doesNotMatch(text, /scrypt|"password"|hash/i, 'no hash, no password field (passwordRotation is only its state)');
      }
      assert.equal(shown[1].securityProfile, 1);

      // Bad passwords are refused before anything changes.
      const short = await server.api('PUT', '/api/v1/stations/CP-SECRET', { password: 'short', description: 'changed' });
      assert.equal(short.status, 400);
      assert.match(JSON.stringify(short.body), /16 to 40 characters|16 to 20 bytes/);
      assert.equal((await server.api('GET', '/api/v1/stations/CP-SECRET')).body.description, null, 'the refused PUT changed nothing');
      // A station known to speak 1.6 takes only a valid AuthorizationKey: 30 characters are neither key nor hex.
      await server.api('PUT', '/api/v1/stations/CP-16-ONLY', { defaultProtocol: 'ocpp1.6' });
      const notAKey = await server.api('PUT', '/api/v1/stations/CP-16-ONLY', { password: 'a'.repeat(30) });
      assert.equal(notAKey.status, 400);
      assert.match(JSON.stringify(notAKey.body), /AuthorizationKey/);
      assert.equal((await upgrade(server, 'CP-SECRET', basic('CP-SECRET', PASSWORD_16))).status, 101, 'the stored password is unchanged');
    });
  });
});
