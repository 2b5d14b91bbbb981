import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AccountService } from '../../../src/domain/accounts/account-service.ts';
import { grantScopes } from '../../../src/domain/accounts/scopes.ts';
import { base32Decode } from '../../../src/domain/security/totp/base32.ts';
import { totp } from '../../../src/domain/security/totp/totp.ts';
import type { Store } from '../../../src/store/ports.ts';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const CHEAP = { logCost: 4, blockSize: 8, parallelization: 1, keyLength: 32, saltLength: 16 };
const PASSWORD = 'Orbit-Lagoon-73-pine';

describe('token scopes', () => {
  it('grants what the role allows, narrowed by the scopes of the token that asks', () => {
    assert.deepEqual(grantScopes('admin', undefined), ['read', 'write', 'commands', 'admin']);
    assert.deepEqual(grantScopes('operator', undefined), ['read', 'write', 'commands']);
    assert.deepEqual(grantScopes('operator', ['commands', 'read']), ['read', 'commands'], 'in canonical order');
    assert.deepEqual(grantScopes('admin', undefined, ['read']), ['read']);
    assert.throws(() => grantScopes('viewer', ['write']), /beyond/);
    assert.throws(() => grantScopes('operator', ['admin']), /beyond/);
    assert.throws(() => grantScopes('admin', ['write'], ['read']), /beyond/);
    assert.throws(() => grantScopes('admin', ['root']), /unknown scope/);
    assert.throws(() => grantScopes('admin', []), /at least one/);
  });
});

describe('AccountService', () => {
  let store: Store;
  let now = Date.UTC(2025, 0, 1, 12, 0, 0);
  let accounts: AccountService;
  before(async () => {
    store = await openSqliteStore({ file: ':memory:' });
    accounts = new AccountService(store, {
      passwordScrypt: CHEAP, sessionTtlMs: 60_000, loginLimits: { perUsername: 2, perAddress: 10, windowMs: 60_000 },
    }, () => now);
  });
  after(() => store.close());

  it('checks user names and passwords at creation', async () => {
    await assert.rejects(accounts.create({ username: 'admin', password: PASSWORD, role: 'admin' }), /reserved/);
    await assert.rejects(accounts.create({ username: 'a b', password: PASSWORD, role: 'admin' }), /user name/);
    await assert.rejects(accounts.create({ username: 'paula', password: 'short', role: 'admin' }), /at least 12/);
    await assert.rejects(accounts.create({ username: 'paula', password: PASSWORD, role: 'root' as 'admin' }), /role/);
    const paula = await accounts.create({ username: 'paula', password: PASSWORD, role: 'operator' });
    assert.equal(paula.role, 'operator');
  });

  it('logs in with the password, then needs TOTP once enrolled, accepting each code once', async () => {
    const paula = (await store.operators.byUsername('paula'))!;
    const first = await accounts.login({ username: 'Paula', password: PASSWORD, address: '10.0.0.1' });
    assert.ok(first.ok);
    assert.equal(first.session.kind, 'session');
    assert.equal(first.session.expiresAt, new Date(now + 60_000).toISOString());
    const { secret } = await accounts.enrolMfa(paula.id);
    assert.equal((await accounts.login({ username: 'paula', password: PASSWORD, address: '10.0.0.1' })).ok, true, 'not on before confirmation');
    const code = () => totp(base32Decode(secret), new Date(now));
    await accounts.confirmMfa(paula.id, code());
    assert.deepEqual(await accounts.login({ username: 'paula', password: PASSWORD, address: '10.0.0.1' }), { ok: false, reason: 'mfa-required', operatorId: paula.id });
    const replay = await accounts.login({ username: 'paula', password: PASSWORD, totp: code(), address: '10.0.0.1' });
    assert.equal(replay.ok === false && replay.reason, 'mfa-replayed', 'the confirmation used this step');
    now += 30_000;
    assert.equal((await accounts.login({ username: 'paula', password: PASSWORD, totp: code(), address: '10.0.0.1' })).ok, true);
  });

  it('holds a user name back after too many failures, without checking the password', async () => {
    now += 120_000;
    for (let i = 0; i < 2; i++) {
      const failed = await accounts.login({ username: 'nobody', password: 'whatever-it-is', address: '10.0.0.2' });
      assert.equal(failed.ok === false && failed.reason, 'invalid-credentials');
    }
    const limited = await accounts.login({ username: 'NOBODY', password: 'whatever-it-is', address: '10.0.0.3' });
    assert.ok(!limited.ok && limited.reason === 'rate-limited' && limited.retryAfterMs === 60_000);
    now += 60_000;
    const again = await accounts.login({ username: 'nobody', password: 'whatever-it-is', address: '10.0.0.3' });
    assert.equal(again.ok === false && again.reason, 'invalid-credentials', 'the window has passed');
  });

  it('counts failures on every process that shares the store: a second AccountService sees the first one\'s', async () => {
    now += 600_000;
    const other = new AccountService(store, {
      passwordScrypt: CHEAP, sessionTtlMs: 60_000, loginLimits: { perUsername: 2, perAddress: 10, windowMs: 60_000 },
    }, () => now);
    await accounts.login({ username: 'shared', password: 'whatever-it-is', address: '10.0.1.1' });
    await other.login({ username: 'shared', password: 'whatever-it-is', address: '10.0.1.2' });
    const limited = await accounts.login({ username: 'shared', password: 'whatever-it-is', address: '10.0.1.3' });
    assert.equal(limited.ok === false && limited.reason, 'rate-limited');
  });

  it('lets no more attempts than the limit through when they race, and a right password does not use the limit up', async () => {
    now += 600_000;
    const outcomes = await Promise.all(Array.from({ length: 6 }, () =>
      accounts.login({ username: 'racer', password: 'whatever-it-is', address: '10.0.2.1' })));
    assert.deepEqual(outcomes.map((o) => (o.ok ? 'ok' : o.reason)).sort(),
      ['invalid-credentials', 'invalid-credentials', 'rate-limited', 'rate-limited', 'rate-limited', 'rate-limited']);
    now += 600_000;
    await accounts.create({ username: 'rita', password: PASSWORD, role: 'viewer' });
    for (let i = 0; i < 4; i++) {
      assert.equal((await accounts.login({ username: 'rita', password: PASSWORD, address: '10.0.2.2' })).ok, true);
    }
    const failed = await accounts.login({ username: 'rita', password: 'not-her-password', address: '10.0.2.2' });
    assert.equal(failed.ok === false && failed.reason, 'invalid-credentials', 'four successes left the allowance whole');
  });

  it('authenticates live tokens only: not expired, not revoked, not of a disabled account', async () => {
    now += 600_000;
    const paula = (await store.operators.byUsername('paula'))!;
    const api = await accounts.createApiToken(paula.id, { name: 'ci', scopes: ['read'] }, ['read', 'write', 'commands'], '10.0.0.1');
    assert.equal((await accounts.authenticate(api.token))?.operator.id, paula.id);
    assert.equal(await accounts.authenticate(`${api.token}x`), undefined);
    await assert.rejects(accounts.createApiToken(paula.id, { name: 'old', expiresAt: new Date(now - 1).toISOString() }, ['read'], ''), /future/);
    const short = await accounts.createApiToken(paula.id, { name: 'short', expiresAt: new Date(now + 1000).toISOString() }, ['read'], '');
    now += 1000;
    assert.equal(await accounts.authenticate(short.token), undefined, 'expired');
    await accounts.revoke(paula.id, api.id);
    assert.equal(await accounts.authenticate(api.token), undefined, 'revoked');
    await assert.rejects(accounts.revoke('someone-else', api.id), /not one of yours/);
    const session = await accounts.createApiToken(paula.id, { name: 'later' }, ['read'], '');
    await accounts.update(paula.id, { disabled: true });
    assert.equal(await accounts.authenticate(session.token), undefined, 'disabled account');
  });
});
