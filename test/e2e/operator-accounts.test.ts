/**
 * Issue 6, operator accounts, over a real listening server: accounts created with the bootstrap token, MFA login
 * with TOTP codes computed here, refused and replayed codes, login rate limits, session expiry and logout, scoped and
 * expiring API tokens, roles (a viewer cannot send commands), site scoping, and an audit entry for each action.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { base32Decode } from '../../src/domain/security/totp/base32.ts';
import { hotp, totpStep } from '../../src/domain/security/totp/totp.ts';
import { BOOT_16, RawStation } from './support/raw-station.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const PASSWORDS = { olga: 'Kettle-Harbour-42-tide', vera: 'Lantern-Meadow-17-dusk', sam: 'Copper-Orchard-88-rain', rita: 'Velvet-Canyon-61-moss' };

interface AuditEntry { actor: string; role: string | null; action: string; target: string | null; outcome: number; remoteAddress: string | null; details: Record<string, unknown> | null }

describe('operator accounts over HTTP', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};

  const login = (username: string, password: string, totp?: string) =>
    fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password, ...(totp === undefined ? {} : { totp }) }),
    }).then(async (res) => ({ status: res.status, headers: res.headers, body: await res.json() as any }));

  const audit = async (query: string): Promise<AuditEntry[]> => {
    const res = await server.api('GET', `/api/v1/audit?${query}`);
    assert.equal(res.status, 200);
    return res.body;
  };

  before(async () => {
    server = await startTestServer({ JOULE_LOGIN_MAX_FAILURES: '3', JOULE_LOGIN_MAX_FAILURES_PER_ADDRESS: '100' });
    for (const id of ['CP-A', 'CP-B']) assert.equal((await server.api('PUT', `/api/v1/stations/${id}`, {})).status, 200);
    for (const [site, station] of [['S1', 'CP-A'], ['S2', 'CP-B']] as const) {
      assert.equal((await server.api('PUT', `/api/v1/sites/${site}`, { name: site, maxPowerW: 50_000 })).status, 200);
      assert.equal((await server.api('PUT', `/api/v1/sites/${site}/evses/${station}/1`, { maxCurrentA: 32 })).status, 200);
    }
  });
  after(() => server.stop());

  it('the bootstrap admin token creates operator accounts; a weak password or a taken name is refused', async () => {
    for (const [username, role, sites] of [['olga', 'operator', null], ['vera', 'viewer', null], ['sam', 'operator', ['S1']], ['rita', 'operator', null]] as const) {
      const res = await server.api('POST', '/api/v1/operators', { username, password: PASSWORDS[username], role, sites });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.username, username);
      assert.equal(res.body.mfaEnabled, false);
      assert.equal('passwordHash' in res.body, false);
      ids[username] = res.body.id;
    }
    assert.equal((await server.api('POST', '/api/v1/operators', { username: 'weak', password: 'password123', role: 'viewer' })).status, 400);
    assert.equal((await server.api('POST', '/api/v1/operators', { username: 'OLGA', password: PASSWORDS.olga, role: 'viewer' })).status, 409);
    assert.equal((await server.api('POST', '/api/v1/operators', { username: 'x1', password: PASSWORDS.olga, role: 'viewer', sites: ['nowhere'] })).status, 400);
  });

  it('MFA login: enrol, confirm with a code, then a login needs password and a fresh code; wrong and replayed codes are refused', async () => {
    const first = await login('olga', PASSWORDS.olga);
    assert.equal(first.status, 200);
    const session = first.body.token as string;
    const enrol = await server.api('POST', '/api/v1/auth/mfa/enrol', undefined, session);
    assert.equal(enrol.status, 200);
    assert.match(enrol.body.otpauthUri, /^otpauth:\/\/totp\/Joule:olga\?secret=/);
    const secret = base32Decode(enrol.body.secret);
    const step = totpStep(new Date());
    assert.equal((await server.api('POST', '/api/v1/auth/mfa/confirm', { code: '000000' === hotp(secret, step) ? '111111' : '000000' }, session)).status, 400);
    const confirmed = await server.api('POST', '/api/v1/auth/mfa/confirm', { code: hotp(secret, step) }, session);
    assert.equal(confirmed.status, 200);
    assert.equal(confirmed.body.mfaEnabled, true);

    const missing = await login('olga', PASSWORDS.olga);
    assert.equal(missing.status, 401);
    assert.equal(missing.body.error.code, 'mfa_required');
    const wrongPassword = await login('olga', 'not-the-password-at-all', hotp(secret, step + 1));
    assert.equal(wrongPassword.body.error.code, 'invalid_credentials');
    const wrongCode = await login('olga', PASSWORDS.olga, hotp(secret, step + 5));
    assert.equal(wrongCode.status, 401);
    assert.equal(wrongCode.body.error.code, 'mfa_invalid');
    const next = hotp(secret, step + 1);
    const ok = await login('olga', PASSWORDS.olga, next);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.operator.username, 'olga');
    tokens.olga = ok.body.token;
    const replayed = await login('olga', PASSWORDS.olga, next);
    assert.equal(replayed.status, 401);
    assert.equal(replayed.body.error.code, 'mfa_invalid');
    assert.match(replayed.body.error.message, /used already/);
    const me = await server.api('GET', '/api/v1/auth/me', undefined, tokens.olga);
    assert.deepEqual({ name: me.body.name, role: me.body.role, mfa: me.body.operator.mfaEnabled }, { name: 'olga', role: 'operator', mfa: true });
  });

  it('login rate limit: after too many failures for a user name, 429 with Retry-After, even with the right password', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await login('rita', `wrong-password-${i}-xyz`)).status, 401);
    const limited = await login('rita', PASSWORDS.rita);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'too_many_requests');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
  });

  it('an API token with the read scope can read but not write; an expired token is refused', async () => {
    const created = await server.api('POST', '/api/v1/auth/tokens', { name: 'dashboard', scopes: ['read'] }, tokens.olga);
    assert.equal(created.status, 201);
    assert.deepEqual(created.body.scopes, ['read']);
    const readOnly = created.body.token as string;
    assert.equal((await server.api('GET', '/api/v1/stations', undefined, readOnly)).status, 200);
    const write = await server.api('PUT', '/api/v1/stations/CP-A', { description: 'x' }, readOnly);
    assert.equal(write.status, 403);
    assert.match(write.body.error.message, /scopes \(read\) do not include write/);
    assert.equal((await server.api('POST', '/api/v1/auth/tokens', { name: 'wider', scopes: ['write'] }, readOnly)).status, 403, 'no wider than the token that asks');
    assert.equal((await server.api('POST', '/api/v1/auth/tokens', { name: 'admin', scopes: ['admin'] }, tokens.olga)).status, 403, 'no wider than the role');
    const listed = await server.api('GET', '/api/v1/auth/tokens', undefined, tokens.olga);
    assert.deepEqual(listed.body.map((t: { name: string }) => t.name), ['dashboard']);
    assert.equal('token' in listed.body[0], false, 'the token is shown only once');

    const short = await server.api('POST', '/api/v1/auth/tokens', { name: 'short', expiresAt: new Date(Date.now() + 1500).toISOString() }, tokens.olga);
    assert.equal(short.status, 201);
    assert.equal((await server.api('GET', '/api/v1/stations', undefined, short.body.token)).status, 200);
    await sleep(1600);
    assert.equal((await server.api('GET', '/api/v1/stations', undefined, short.body.token)).status, 401);
  });

  it('a viewer reads but cannot send commands (403)', async () => {
    const res = await login('vera', PASSWORDS.vera);
    tokens.vera = res.body.token;
    assert.equal((await server.api('GET', '/api/v1/stations', undefined, tokens.vera)).status, 200);
    const command = await server.api('POST', '/api/v1/stations/CP-A/commands/Reset', { type: 'Hard' }, tokens.vera);
    assert.equal(command.status, 403);
    assert.equal(command.body.error.code, 'forbidden');
    assert.equal((await server.api('GET', '/api/v1/audit', undefined, tokens.vera)).status, 403, 'nor read the audit log');
    assert.equal((await server.api('GET', '/api/v1/operators', undefined, tokens.olga)).status, 403, 'an operator manages no accounts');
  });

  it('a site-scoped operator sees and commands only the stations of its sites; others answer 404', async () => {
    tokens.sam = (await login('sam', PASSWORDS.sam)).body.token;
    const stations = await server.api('GET', '/api/v1/stations', undefined, tokens.sam);
    assert.deepEqual(stations.body.map((s: { id: string }) => s.id), ['CP-A']);
    assert.equal((await server.api('GET', '/api/v1/stations/CP-B', undefined, tokens.sam)).status, 404);
    assert.equal((await server.api('GET', '/api/v1/stations/CP-B/status-history', undefined, tokens.sam)).status, 404);
    const outside = await server.api('POST', '/api/v1/stations/CP-B/commands/Reset', { type: 'Hard' }, tokens.sam);
    assert.equal(outside.status, 404);
    assert.equal(outside.body.error.message, 'Station CP-B is not known');
    const inside = await server.api('POST', '/api/v1/stations/CP-A/commands/Reset', { type: 'Hard' }, tokens.sam);
    assert.equal(inside.status, 409, 'let through: the station is merely offline');
    assert.equal(inside.body.error.code, 'station_offline');
    assert.deepEqual((await server.api('GET', '/api/v1/sites', undefined, tokens.sam)).body.map((s: { id: string }) => s.id), ['S1']);
    assert.equal((await server.api('GET', '/api/v1/sites/S2', undefined, tokens.sam)).status, 404);
    assert.equal((await server.api('GET', '/api/v1/commands?stationId=CP-B', undefined, tokens.sam)).status, 404);
    const commands = await server.api('GET', '/api/v1/commands', undefined, tokens.sam);
    assert.ok(commands.body.every((c: { stationId: string }) => c.stationId === 'CP-A'));
  });

  it('a site-scoped operator\'s list pages count only its stations\' rows: limit 1 finds CP-A\'s newest behind CP-B\'s newer ones', async () => {
    const cpA = await RawStation.connect(server.wsUrl, 'CP-A', 'ocpp1.6');
    const cpB = await RawStation.connect(server.wsUrl, 'CP-B', 'ocpp1.6');
    try {
      for (const station of [cpA, cpB]) {
        await station.ok('BootNotification', BOOT_16);
        station.onCall = () => ({ status: 'Accepted' });
      }
      const started = async (station: RawStation, connectorId: number) =>
        (await station.ok('StartTransaction', { connectorId, idTag: 'PAGE-TAG', meterStart: 0, timestamp: new Date().toISOString() })).transactionId;
      const event = (station: RawStation, type: string) =>
        station.ok('SecurityEventNotification', { type, timestamp: new Date().toISOString() });
      await started(cpA, 1);
      await event(cpA, 'SettingSystemTime');
      assert.equal((await server.api('POST', '/api/v1/stations/CP-A/commands/ClearCache', {})).status, 200);
      for (let connector = 1; connector <= 2; connector++) {
        await started(cpB, connector);
        await event(cpB, 'SettingSystemTime');
        assert.equal((await server.api('POST', '/api/v1/stations/CP-B/commands/ClearCache', {})).status, 200);
      }
      for (const path of ['/api/v1/transactions?limit=1', '/api/v1/commands?limit=1', '/api/v1/security-events?limit=1']) {
        const page = await server.api('GET', path, undefined, tokens.sam);
        assert.equal(page.status, 200, path);
        assert.deepEqual(page.body.map((row: { stationId: string }) => row.stationId), ['CP-A'], path);
      }
      const second = await server.api('GET', '/api/v1/transactions?limit=1&offset=1', undefined, tokens.sam);
      assert.deepEqual(second.body, [], 'CP-A has one transaction: the next page is empty');
    } finally {
      await cpA.close();
      await cpB.close();
    }
  });

  it('an operator cannot do what only an admin may: revoke a certificate, change validation rules, manage accounts, read the audit log (403)', async () => {
    const attempts: [string, string, unknown][] = [
      ['POST', '/api/v1/certificates/abcdef/revoke', { reason: 'keyCompromise' }],
      ['PUT', '/api/v1/validation-rules/r1', { vendor: 'Acme', mode: 'lenient' }],
      ['POST', '/api/v1/operators', { username: 'mallory', password: 'Quiet-Tundra-55-fern', role: 'admin' }],
      ['GET', '/api/v1/audit', undefined],
    ];
    for (const [method, path, body] of attempts) {
      const res = await server.api(method, path, body, tokens.sam);
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(res.body.error.code, 'forbidden');
    }
  });

  it('the live event stream of a site-scoped operator carries only the events of its sites\' stations', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/v1/events`, { headers: { authorization: `Bearer ${tokens.sam}` }, signal: controller.signal });
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    await reader.read(); // the opening comment: subscribed
    const boot = { chargePointVendor: 'Joule', chargePointModel: 'Scoped' };
    for (const id of ['CP-B', 'CP-A']) {
      const station = await RawStation.connect(server.wsUrl, id, 'ocpp1.6');
      await station.ok('BootNotification', boot);
      await station.close();
    }
    let text = '';
    const deadline = Date.now() + 3000;
    try {
      while (Date.now() < deadline && !/"stationId":"CP-A"[\s\S]*\n\n$/.test(text)) {
        const { value, done } = await Promise.race([
          reader.read(),
          sleep(Math.max(1, deadline - Date.now())).then(() => ({ value: undefined, done: true })),
        ]);
        if (done || value === undefined) break;
        text += Buffer.from(value).toString('utf8');
      }
    } finally {
      controller.abort();
    }
    const stations = [...text.matchAll(/"stationId":"([^"]+)"/g)].map((match) => match[1]);
    assert.ok(stations.includes('CP-A'), `events of CP-A arrive: ${text}`);
    assert.deepEqual(stations.filter((id) => id !== 'CP-A'), [], 'nothing of CP-B (site S2)');
  });

  it('logout ends the session; a request with it is then refused', async () => {
    const sessions = await server.api('GET', '/api/v1/auth/sessions', undefined, tokens.vera);
    assert.equal(sessions.body.length, 1);
    assert.equal((await server.api('POST', '/api/v1/auth/logout', undefined, tokens.vera)).status, 204);
    assert.equal((await server.api('GET', '/api/v1/auth/me', undefined, tokens.vera)).status, 401);
  });

  it('writes an audit entry for each action, with actor, address and outcome, and never a secret', async () => {
    const olga = await audit('actor=olga&limit=1000');
    const actions = (entries: AuditEntry[]) => entries.map((e) => `${e.action} ${e.outcome}`);
    for (const expected of ['POST /auth/login 200', 'POST /auth/mfa/enrol 200', 'POST /auth/mfa/confirm 200', 'POST /auth/mfa/confirm 400',
      'POST /auth/login 401', 'POST /auth/tokens 201', 'POST /auth/tokens 403', 'PUT /stations/:id 403']) {
      assert.ok(actions(olga).includes(expected), `${expected} in ${actions(olga).join(', ')}`);
    }
    const refusedLogin = olga.find((e) => e.action === 'POST /auth/login' && e.outcome === 401 && e.details?.reason === 'mfa-required');
    assert.ok(refusedLogin);
    assert.equal(refusedLogin.remoteAddress, '127.0.0.1');
    assert.equal(refusedLogin.target, ids.olga);
    assert.ok(olga.some((e) => e.details?.reason === 'mfa-replayed'));
    assert.ok(olga.some((e) => e.details?.reason === 'invalid-credentials'));

    const [viewerCommand] = await audit('actor=vera&action=POST%20/stations/:id/commands/:action');
    assert.deepEqual({ role: viewerCommand?.role, target: viewerCommand?.target, outcome: viewerCommand?.outcome }, { role: 'viewer', target: 'CP-A', outcome: 403 });
    assert.deepEqual(actions(await audit('actor=vera&action=POST%20/auth/logout')), ['POST /auth/logout 204']);
    assert.ok((await audit('actor=anonymous&outcome=401')).length > 0, 'the ended session\'s refusal');
    assert.ok((await audit('actor=rita&outcome=429')).length === 1);
    const sam = await audit('actor=sam&target=CP-B');
    assert.ok(actions(sam).includes('POST /stations/:id/commands/:action 404'));
    assert.ok(actions(await audit('actor=admin&action=POST%20/operators')).includes('POST /operators 201'));
    assert.deepEqual(await audit('actor=sam&action=GET%20/stations'), [], 'reads are not audited');

    const everything = JSON.stringify(await audit('limit=1000'));
    for (const secret of [...Object.values(PASSWORDS), ...Object.values(tokens)]) assert.equal(everything.includes(secret), false, 'no secret in the audit log');
  });

  it('the audit log is append-only: no route changes it, and the database refuses UPDATE and DELETE', async () => {
    assert.equal((await server.api('DELETE', '/api/v1/audit')).status, 404);
    const db = new DatabaseSync(join(server.dataDir, 'joule.db'));
    try {
      assert.throws(() => db.exec("UPDATE audit_log SET actor = 'nobody'"), /append-only/);
      assert.throws(() => db.exec('DELETE FROM audit_log'), /append-only/);
    } finally {
      db.close();
    }
  });
});

describe('operator sessions expire', () => {
  let server: TestServer;
  before(async () => { server = await startTestServer({ JOULE_SESSION_HOURS: '0.0004' }); });
  after(() => server.stop());

  it('a session token stops working after JOULE_SESSION_HOURS', async () => {
    assert.equal((await server.api('POST', '/api/v1/operators', { username: 'otto', password: 'Granite-Willow-55-fern', role: 'viewer' })).status, 201);
    const res = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'otto', password: 'Granite-Willow-55-fern' }),
    });
    const { token, expiresAt } = await res.json() as { token: string; expiresAt: string };
    assert.ok(Date.parse(expiresAt) - Date.now() < 2000);
    assert.equal((await server.api('GET', '/api/v1/stations', undefined, token)).status, 200);
    await sleep(Math.max(0, Date.parse(expiresAt) - Date.now()) + 100);
    assert.equal((await server.api('GET', '/api/v1/stations', undefined, token)).status, 401);
  });
});
