import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../../src/domain/errors.ts';
import {
  checkOperatorPassword,
  hashOperatorPassword,
  verifyOperatorPassword,
} from '../../../src/domain/security/credentials/operator-password.ts';
import { decodeScryptHash, OPERATOR_PASSWORD_SCRYPT, STATION_SECRET_SCRYPT } from '../../../src/domain/security/credentials/scrypt-hash.ts';

function problems(password: string, account?: string): string[] {
  const result = checkOperatorPassword(password, account);
  return result.ok ? [] : result.problems;
}

describe('operator password policy (NIST SP 800-63B style)', () => {
  it('a long passphrase without composition rules is fine', () => {
    assert.deepEqual(checkOperatorPassword('purple tractor sings at noon'), { ok: true });
    assert.deepEqual(checkOperatorPassword('zqxjvbnmwplk'), { ok: true });
  });

  it('too short, too long, control characters', () => {
    assert.match(problems('Xk9!aB2#').join(), /at least 12 characters.*has 8/);
    assert.match(problems('a'.repeat(10) + 'bcdefghijk'.repeat(12)).join(), /at most 128/);
    assert.match(problems('purple tractor\nsings').join(), /control characters/);
  });

  it('well-known passwords, repeated characters and sequences are refused', () => {
    assert.match(problems('Password1234').join(), /well-known/);
    assert.match(problems('changeme123!').join(), /well-known/);
    assert.match(problems('aaaaaaaaaaaaaaa').join(), /repeated/);
    assert.match(problems('abababababababab').join(), /repeated/);
    assert.match(problems('abcdefghijklmnop').join(), /sequence/);
    assert.match(problems('0987654321098').join(), /sequence|repeated/);
    assert.match(problems('qwertyuiopasdf').join(), /sequence|well-known/);
  });

  it('a password containing the account name or e-mail local part is refused', () => {
    assert.match(problems('my name is alice.smith ok', 'alice.smith@example.com').join(), /account name/);
    assert.match(problems('OperatorBob-rules-2026', 'operatorbob').join(), /account name/);
    assert.deepEqual(problems('purple tractor sings at noon', 'bob'), []);
  });
});

describe('operator password hashing', () => {
  it('scrypt with the operator parameters (heavier than station secrets); right password verifies, wrong does not', async () => {
    const hash = await hashOperatorPassword('purple tractor sings at noon', 'alice');
    const { params } = decodeScryptHash(hash);
    assert.equal(params.logCost, OPERATOR_PASSWORD_SCRYPT.logCost);
    assert.equal(params.parallelization, OPERATOR_PASSWORD_SCRYPT.parallelization);
    assert.ok(2 ** params.logCost * params.parallelization > 2 ** STATION_SECRET_SCRYPT.logCost * STATION_SECRET_SCRYPT.parallelization);
    assert.deepEqual(await verifyOperatorPassword(hash, 'purple tractor sings at noon'), { ok: true, rehash: false });
    assert.deepEqual(await verifyOperatorPassword(hash, 'purple tractor sings at noon '), { ok: false, rehash: false });
    // A hash made with older, cheaper parameters verifies and asks to be remade.
    const old = await hashOperatorPassword('purple tractor sings at noon', 'alice', undefined, STATION_SECRET_SCRYPT);
    assert.deepEqual(await verifyOperatorPassword(old, 'purple tractor sings at noon'), { ok: true, rehash: true });
  });

  it('the same password typed in another Unicode form matches (NFKC)', async () => {
    const composed = 'café crème brûlée au lait';
    const decomposed = composed.normalize('NFD');
    assert.notEqual(composed, decomposed);
    const hash = await hashOperatorPassword(composed, undefined, undefined, STATION_SECRET_SCRYPT);
    assert.equal((await verifyOperatorPassword(hash, decomposed, STATION_SECRET_SCRYPT)).ok, true);
  });

  it('a password breaking the policy is not hashed', async () => {
    await assert.rejects(hashOperatorPassword('password123'), (e: unknown) => e instanceof DomainError && e.code === 'invalid' && /well-known/.test(e.message));
  });
});
