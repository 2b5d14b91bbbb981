import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiTokenRecord, AuditEntryInput, OperatorInput, Store } from '../../src/store/ports.ts';

/** Operators, their tokens and the audit log: part of the store contract (repository-contract.ts). */
export function accountsContract(store: () => Store): void {
  describe('operator accounts', () => {
    it('creates an operator, finds it by id and by user name without case, and refuses a taken name', async () => {
      const created = await store().operators.create(operator({ id: 'op-1', username: 'Alice' }));
      assert.ok(created);
      assert.equal(created.username, 'Alice');
      assert.deepEqual(created.sites, null);
      assert.equal(created.mfaEnabled, false);
      assert.deepEqual(await store().operators.get('op-1'), created);
      assert.deepEqual(await store().operators.byUsername('ALICE'), created);
      assert.equal(await store().operators.create(operator({ id: 'op-2', username: 'alice' })), undefined);
      assert.equal(await store().operators.byUsername('bob'), undefined);
    });

    it('updates every field but the name, lists by name, deletes with the tokens', async () => {
      await store().operators.create(operator({ id: 'op-b', username: 'bob' }));
      await store().operators.create(operator({ id: 'op-a', username: 'Anna' }));
      const updated = await store().operators.update(operator({
        id: 'op-b', username: 'ignored', role: 'viewer', sites: ['S1', 'S2'], totpSecret: 'ABC', mfaEnabled: true, disabled: true,
      }));
      assert.equal(updated?.username, 'bob');
      assert.deepEqual(updated?.sites, ['S1', 'S2']);
      assert.equal(updated?.role, 'viewer');
      assert.equal(updated?.mfaEnabled, true);
      assert.equal(updated?.disabled, true);
      assert.equal(await store().operators.update(operator({ id: 'nobody' })), undefined);
      assert.deepEqual((await store().operators.list()).map((o) => o.id), ['op-a', 'op-b']);
      await store().apiTokens.create(token({ id: 't-b', operatorId: 'op-b' }));
      assert.equal(await store().operators.delete('op-b'), true);
      assert.equal(await store().operators.delete('op-b'), false);
      assert.equal(await store().apiTokens.get('t-b'), undefined, 'tokens go with their operator');
    });

    it('accepts a TOTP step only when newer than the last one used', async () => {
      await store().operators.create(operator({ id: 'op-1' }));
      assert.equal(await store().operators.useTotpStep('op-1', 100), true);
      assert.equal(await store().operators.useTotpStep('op-1', 100), false);
      assert.equal(await store().operators.useTotpStep('op-1', 99), false);
      assert.equal(await store().operators.useTotpStep('op-1', 101), true);
      assert.equal((await store().operators.get('op-1'))?.totpLastStep, 101);
      assert.equal(await store().operators.useTotpStep('unknown', 5), false);
    });
  });

  describe('api tokens', () => {
    it('finds a token by hash, lists live ones newest first, revokes and touches', async () => {
      await store().operators.create(operator({ id: 'op-1' }));
      const first = token({ id: 't1', sha256: 'a'.repeat(64), createdAt: '2025-01-01T00:00:00.000Z' });
      await store().apiTokens.create(first);
      await store().apiTokens.create(token({ id: 't2', sha256: 'b'.repeat(64), createdAt: '2025-01-02T00:00:00.000Z' }));
      await store().apiTokens.create(token({ id: 't3', sha256: 'c'.repeat(64), expiresAt: '2025-01-01T00:00:00.000Z' }));
      await store().apiTokens.create(token({ id: 's1', sha256: 'd'.repeat(64), kind: 'session' }));
      assert.deepEqual(await store().apiTokens.bySha256('a'.repeat(64)), first);
      assert.equal(await store().apiTokens.bySha256('e'.repeat(64)), undefined);
      const now = '2025-06-01T00:00:00.000Z';
      assert.deepEqual((await store().apiTokens.live('op-1', 'api', now)).map((t) => t.id), ['t2', 't1']);
      assert.equal(await store().apiTokens.revoke('t1', now), true);
      assert.equal(await store().apiTokens.revoke('t1', now), false);
      assert.equal((await store().apiTokens.get('t1'))?.revokedAt, now);
      assert.deepEqual((await store().apiTokens.live('op-1', 'api', now)).map((t) => t.id), ['t2']);
      await store().apiTokens.touch('t2', now);
      assert.equal((await store().apiTokens.get('t2'))?.lastUsedAt, now);
      assert.equal(await store().apiTokens.revokeAll('op-1', now), 2, 't2 and the session');
      assert.deepEqual(await store().apiTokens.live('op-1', 'session', now), []);
    });
  });

  describe('login attempts', () => {
    const WINDOW = 60_000;
    const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

    it('counts each key in its own fixed window, and starts a new window once the old one has ended', async () => {
      const attempts = store().loginAttempts;
      assert.deepEqual(await attempts.count(['user:ann', 'address:10.0.0.1'], T0, WINDOW), [
        { startedAtMs: T0, attempts: 1 }, { startedAtMs: T0, attempts: 1 },
      ]);
      assert.deepEqual(await attempts.count(['address:10.0.0.1', 'user:bob'], T0 + 1_000, WINDOW), [
        { startedAtMs: T0, attempts: 2 }, { startedAtMs: T0 + 1_000, attempts: 1 },
      ], 'in the order asked, each key on its own');
      assert.deepEqual(await attempts.count(['user:ann', 'user:ann'], T0 + 2_000, WINDOW), [
        { startedAtMs: T0, attempts: 2 }, { startedAtMs: T0, attempts: 2 },
      ], 'a key listed twice counts once');
      assert.deepEqual(await attempts.count(['user:ann'], T0 + WINDOW, WINDOW), [{ startedAtMs: T0 + WINDOW, attempts: 1 }],
        'the window has ended at start + window');
    });

    it('counts attempts racing on the same keys each once', async () => {
      const attempts = store().loginAttempts;
      const counted = await Promise.all(Array.from({ length: 20 }, () => attempts.count(['user:race', 'address:race'], T0, WINDOW)));
      assert.deepEqual(counted.map(([user]) => user?.attempts).sort((a, b) => (a ?? 0) - (b ?? 0)), Array.from({ length: 20 }, (_, i) => i + 1));
      assert.deepEqual((await attempts.count(['address:race'], T0 + 100, WINDOW))[0], { startedAtMs: T0, attempts: 21 });
    });

    it('takes an attempt back only from the window it was counted in', async () => {
      const attempts = store().loginAttempts;
      const [first] = await attempts.count(['user:cy'], T0, WINDOW);
      await attempts.count(['user:cy'], T0 + 1, WINDOW);
      await attempts.takeBack(['user:cy'], [first!]);
      assert.deepEqual(await attempts.count(['user:cy'], T0 + 2, WINDOW), [{ startedAtMs: T0, attempts: 2 }]);
      const [later] = await attempts.count(['user:cy'], T0 + WINDOW + 5, WINDOW);
      assert.deepEqual(later, { startedAtMs: T0 + WINDOW + 5, attempts: 1 });
      await attempts.takeBack(['user:cy'], [first!]);
      assert.deepEqual(await attempts.count(['user:cy'], T0 + WINDOW + 6, WINDOW), [{ startedAtMs: T0 + WINDOW + 5, attempts: 2 }],
        'a window that replaced the one counted in is left alone');
      await attempts.takeBack(['user:nobody'], [{ startedAtMs: T0, attempts: 1 }]);
    });

    it('sweeps the windows that have ended, and only those', async () => {
      const attempts = store().loginAttempts;
      await attempts.count(['user:old'], T0, WINDOW);
      await attempts.count(['user:new'], T0 + 30_000, WINDOW);
      assert.equal(await attempts.sweep(T0 + WINDOW, WINDOW), 1);
      assert.equal(await attempts.sweep(T0 + WINDOW, WINDOW), 0);
      assert.deepEqual(await attempts.count(['user:new'], T0 + WINDOW, WINDOW), [{ startedAtMs: T0 + 30_000, attempts: 2 }]);
    });

    it('sweeps only the keys with the given prefix when given one (limits with other windows keep theirs)', async () => {
      const attempts = store().loginAttempts;
      await attempts.count(['station-auth:10.0.0.9', 'station-auth:10.0.0.10', 'user:kept', 'station-authx'], T0, WINDOW);
      assert.equal(await attempts.sweep(T0 + WINDOW, WINDOW, 'station-auth:'), 2);
      assert.deepEqual(await attempts.count(['user:kept', 'station-authx', 'station-auth:10.0.0.9'], T0 + WINDOW - 1, WINDOW), [
        { startedAtMs: T0, attempts: 2 }, { startedAtMs: T0, attempts: 2 }, { startedAtMs: T0 + WINDOW - 1, attempts: 1 },
      ]);
    });
  });

  describe('audit log', () => {
    it('appends entries with increasing ids and queries them newest first by every filter and a cursor', async () => {
      const a = await store().auditLog.append(entry({ at: '2025-01-01T10:00:00.000Z', actor: 'alice', target: 'CP1', outcome: 200 }));
      const b = await store().auditLog.append(entry({ at: '2025-01-01T11:00:00.000Z', actor: 'bob', target: 'CP2', outcome: 403 }));
      const c = await store().auditLog.append(entry({ at: '2025-01-01T12:00:00.000Z', actor: 'alice', action: 'POST /auth/login', outcome: 401 }));
      assert.ok(BigInt(a.id) < BigInt(b.id) && BigInt(b.id) < BigInt(c.id));
      assert.deepEqual(a.details, { params: { id: 'CP1' } });
      assert.equal(a.remoteAddress, '10.0.0.1');
      const ids = async (query: Omit<Parameters<Store['auditLog']['query']>[0], 'limit'>) =>
        (await store().auditLog.query({ limit: 100, ...query })).map((e) => e.id);
      assert.deepEqual(await ids({}), [c.id, b.id, a.id]);
      assert.deepEqual(await ids({ actor: 'alice' }), [c.id, a.id]);
      assert.deepEqual(await ids({ action: 'POST /auth/login' }), [c.id]);
      assert.deepEqual(await ids({ target: 'CP2' }), [b.id]);
      assert.deepEqual(await ids({ outcome: 403 }), [b.id]);
      assert.deepEqual(await ids({ from: '2025-01-01T11:00:00.000Z', to: '2025-01-01T12:00:00.000Z' }), [b.id]);
      assert.deepEqual(await ids({ before: c.id }), [b.id, a.id]);
      assert.deepEqual((await store().auditLog.query({ limit: 1 })).map((e) => e.id), [c.id]);
    });
  });
}

function operator(fields: Partial<OperatorInput>): OperatorInput {
  return {
    id: 'op', username: fields.id ?? 'op', role: 'operator', sites: null, passwordHash: '$scrypt$ln=1,r=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA',
    totpSecret: null, mfaEnabled: false, totpLastStep: null, disabled: false, ...fields,
  };
}

function token(fields: Partial<ApiTokenRecord>): ApiTokenRecord {
  return {
    id: 't', sha256: 'f'.repeat(64), operatorId: 'op-1', kind: 'api', name: 'ci', scopes: ['read'], createdAt: '2025-01-01T00:00:00.000Z',
    expiresAt: '2030-01-01T00:00:00.000Z', lastUsedAt: null, revokedAt: null, createdFrom: '127.0.0.1', ...fields,
  };
}

function entry(fields: Partial<AuditEntryInput>): AuditEntryInput {
  return {
    at: '2025-01-01T10:00:00.000Z', actor: 'alice', role: 'admin', action: 'POST /stations/:id/commands/:action', target: 'CP1',
    outcome: 200, remoteAddress: '10.0.0.1', details: { params: { id: fields.target ?? 'CP1' } }, ...fields,
  };
}
