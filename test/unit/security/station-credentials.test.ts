import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { describe, it, mock } from 'node:test';
import { DomainError } from '../../../src/domain/errors.ts';
import {
  authorizationKeyBytes,
  authorizationKeyFromPlaintext,
  authorizationKeyProblem,
  generateAuthorizationKey,
} from '../../../src/domain/security/credentials/authorization-key.ts';
import {
  basicAuthPasswordProblem,
  generateBasicAuthPassword,
} from '../../../src/domain/security/credentials/basic-auth-password.ts';
import { parseBasicAuthorization } from '../../../src/domain/security/credentials/basic-authorization.ts';
import { randomString } from '../../../src/domain/security/credentials/random-string.ts';
import {
  constantTimeEqual,
  decodeScryptHash,
  hashSecret,
  needsRehash,
  STATION_SECRET_SCRYPT,
  verifySecret,
} from '../../../src/domain/security/credentials/scrypt-hash.ts';
import {
  checkStationAuthorization,
  credentialFromAuthorizationKey,
  credentialFromBasicAuthPassword,
  credentialFromExistingSecret,
  verifyStationPassword,
} from '../../../src/domain/security/credentials/station-credentials.ts';
import { VerifiedSecrets } from '../../../src/domain/security/credentials/verified-secrets.ts';

function basic(username: string, password: string | Uint8Array): string {
  const pass = typeof password === 'string' ? Buffer.from(password, 'utf8') : Buffer.from(password);
  return `Basic ${Buffer.concat([Buffer.from(`${username}:`, 'utf8'), pass]).toString('base64')}`;
}

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

describe('scrypt hashes of secrets', () => {
  it('stores salt and parameters with the hash; the same secret hashes differently each time', async () => {
    const first = await hashSecret(bytes('correct horse battery'), STATION_SECRET_SCRYPT);
    const second = await hashSecret(bytes('correct horse battery'), STATION_SECRET_SCRYPT);
    assert.match(first, /^\$scrypt\$ln=12,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.notEqual(first, second);
    const decoded = decodeScryptHash(first);
    assert.equal(decoded.salt.byteLength, 16);
    assert.equal(decoded.hash.byteLength, 32);
    assert.equal(await verifySecret(first, bytes('correct horse battery')), true);
    assert.equal(await verifySecret(first, bytes('correct horse batterz')), false);
    assert.equal(needsRehash(first, STATION_SECRET_SCRYPT), false);
    assert.equal(needsRehash(first, { ...STATION_SECRET_SCRYPT, logCost: 13 }), true);
  });

  it('a malformed or outrageous stored hash is an invalid error, not a crash or a huge allocation', async () => {
    await assert.rejects(verifySecret('plain-text', bytes('x')), (e: unknown) => e instanceof DomainError && e.code === 'invalid');
    const huge = '$scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    await assert.rejects(verifySecret(huge, bytes('x')), /logCost 30 is outside/);
  });

  it('comparison goes through crypto.timingSafeEqual (constant time), never ===', async () => {
    const stored = await hashSecret(bytes('0123456789abcdef'), STATION_SECRET_SCRYPT);
    const spy = mock.method(crypto, 'timingSafeEqual');
    syncBuiltinESMExports();
    try {
      assert.equal(await verifySecret(stored, bytes('0123456789abcdef')), true);
      assert.equal(await verifySecret(stored, bytes('0123456789abcdeX')), false);
      assert.equal(spy.mock.callCount(), 2);
      assert.equal(spy.mock.calls[0]?.arguments[0].byteLength, 32);
    } finally {
      spy.mock.restore();
      syncBuiltinESMExports();
    }
    assert.equal(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3])), false);
    assert.equal(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3])), true);
  });
});

describe('1.6 AuthorizationKey rules ([SEC] A00.FR.205/304, OCTT TC_073_CSMS)', () => {
  it('the ChangeConfiguration value is 32 to 40 hex digits: 16 to 20 bytes', () => {
    assert.equal(authorizationKeyProblem('00112233445566778899aabbccddeeff'), undefined);
    assert.equal(authorizationKeyProblem('00112233445566778899AABBCCDDEEFF00112233'), undefined);
    assert.match(authorizationKeyProblem('00112233445566778899aabbccddee') ?? '', /16 to 20 bytes.*has 15/);
    assert.match(authorizationKeyProblem('00112233445566778899aabbccddeeff0011223344') ?? '', /has 21/);
    assert.match(authorizationKeyProblem('0011223344556677889') ?? '', /odd/);
    assert.match(authorizationKeyProblem('my-plain-password-123') ?? '', /hexadecimal/);
    assert.throws(() => authorizationKeyBytes('zz'), (e: unknown) => e instanceof DomainError && e.code === 'invalid');
  });

  it('a key typed as text becomes its hex value (16 to 20 bytes of UTF-8)', () => {
    assert.equal(authorizationKeyFromPlaintext('dk2q0rfu2q0f-2f0rdg0'), '646B327130726675327130662D32663072646730');
    assert.throws(() => authorizationKeyFromPlaintext('short'), /16 to 20 bytes/);
    assert.throws(() => authorizationKeyFromPlaintext('x'.repeat(21)), /given is 21/);
  });

  it('generated keys: 20 alphanumeric characters (119 bits), their 40-digit hex is a valid AuthorizationKey', () => {
    const keys = Array.from({ length: 20 }, () => generateAuthorizationKey());
    for (const key of keys) {
      assert.match(key.plaintext, /^[A-Za-z0-9]{20}$/);
      assert.match(key.hex, /^[0-9A-F]{40}$/);
      assert.equal(authorizationKeyProblem(key.hex), undefined);
      assert.deepEqual(Buffer.from(authorizationKeyBytes(key.hex)).toString('latin1'), key.plaintext);
    }
    assert.equal(new Set(keys.map((k) => k.plaintext)).size, keys.length);
  });
});

describe('SteVe #1895: a 1.6 station sends its AuthorizationKey raw or as hex; both are accepted', () => {
  it('Joule-generated key: the plaintext (raw bytes) and the hex string both verify; anything else does not', async () => {
    const key = generateAuthorizationKey();
    const credential = await credentialFromAuthorizationKey(key.hex);
    assert.deepEqual(await verifyStationPassword(credential, bytes(key.plaintext)), { ok: true, form: 'as-sent' });
    assert.deepEqual(await verifyStationPassword(credential, bytes(key.hex)), { ok: true, form: 'hex-decoded' });
    assert.deepEqual(await verifyStationPassword(credential, bytes(key.hex.toLowerCase())), { ok: true, form: 'hex-decoded' });
    assert.deepEqual(await verifyStationPassword(credential, bytes(`${key.plaintext.slice(0, -1)}!`)), { ok: false });
    assert.deepEqual(await verifyStationPassword(credential, bytes(`${key.hex.slice(0, -2)}00`)), { ok: false });
    assert.deepEqual(await verifyStationPassword(credential, new Uint8Array()), { ok: false });
  });

  it('a random binary key (NUL, colon, bytes above 0x7f) verifies as raw bytes through the Basic header, and as hex', async () => {
    const raw = new Uint8Array([0x00, 0x3a, 0xff, 0x80, 0x41, 0x0a, 0x3a, 0x7f, 0x01, 0x02, 0xfe, 0xc3, 0x28, 0x00, 0x3a, 0x10, 0x99, 0x42, 0x43, 0x44]);
    const hex = Buffer.from(raw).toString('hex');
    const credential = await credentialFromAuthorizationKey(hex);
    const asRaw = await checkStationAuthorization(basic('CP-16', raw), 'CP-16', [credential]);
    assert.deepEqual(asRaw, { ok: true, credential: 0, form: 'as-sent' });
    const asHex = await checkStationAuthorization(basic('CP-16', hex.toUpperCase()), 'CP-16', [credential]);
    assert.deepEqual(asHex, { ok: true, credential: 0, form: 'hex-decoded' });
  });

  it('a key whose text itself is 32 to 40 hex-looking characters, sent as text, still verifies (second try)', async () => {
    const textKey = '0123456789abcdef0123456789abcdef'; // 32 characters typed on a station that does not decode hex
    const credential = await credentialFromExistingSecret('authorization-key', bytes(textKey));
    assert.deepEqual(await verifyStationPassword(credential, bytes(textKey)), { ok: true, form: 'as-sent' });
  });

  it('a 2.x BasicAuthPassword is used as is: its hex form is not accepted (A00.FR.205)', async () => {
    const password = generateBasicAuthPassword();
    const credential = await credentialFromBasicAuthPassword(password);
    assert.deepEqual(await verifyStationPassword(credential, bytes(password)), { ok: true, form: 'as-sent' });
    const hexOfPassword = Buffer.from(password.slice(0, 20)).toString('hex');
    const shorter = await credentialFromBasicAuthPassword(password.slice(0, 20));
    assert.deepEqual(await verifyStationPassword(shorter, bytes(hexOfPassword)), { ok: false });
  });
});

describe('Basic authorization of a station upgrade (A00.FR.204/207/303)', () => {
  it('user name must be the station identity; the password one of its credentials (old and new during rotation, A01)', async () => {
    const old = await credentialFromBasicAuthPassword('old-password-1234567890');
    const next = await credentialFromBasicAuthPassword('new-password-0987654321');
    assert.deepEqual(await checkStationAuthorization(basic('CP-7', 'old-password-1234567890'), 'CP-7', [old, next]), { ok: true, credential: 0, form: 'as-sent' });
    assert.deepEqual(await checkStationAuthorization(basic('CP-7', 'new-password-0987654321'), 'CP-7', [old, next]), { ok: true, credential: 1, form: 'as-sent' });
    const wrongUser = await checkStationAuthorization(basic('CP-8', 'new-password-0987654321'), 'CP-7', [old, next]);
    assert.equal(wrongUser.ok ? '' : wrongUser.reason, 'wrong-username');
    const wrongPassword = await checkStationAuthorization(basic('CP-7', 'new-password-0987654320'), 'CP-7', [old, next]);
    assert.equal(wrongPassword.ok ? '' : wrongPassword.reason, 'wrong-password');
    const afterRotation = await checkStationAuthorization(basic('CP-7', 'old-password-1234567890'), 'CP-7', [next]);
    assert.equal(afterRotation.ok, false);
  });

  it('missing and malformed headers are told apart', async () => {
    const credential = await credentialFromBasicAuthPassword('some-password-123456');
    for (const [header, reason] of [
      [undefined, 'missing'],
      ['', 'missing'],
      ['Bearer abc', 'malformed'],
      ['Basic !!!', 'malformed'],
      [`Basic ${Buffer.from('no-colon-here').toString('base64')}`, 'malformed'],
      [`Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0x41]).toString('base64')}`, 'malformed'],
      [`Basic ${'A'.repeat(2000)}`, 'malformed'],
    ] as const) {
      const result = await checkStationAuthorization(header, 'CP-1', [credential]);
      assert.equal(result.ok ? '' : result.reason, reason, String(header));
    }
  });

  it('the header is parsed with the password as bytes, split at the first colon, scheme case-insensitive', () => {
    const parsed = parseBasicAuthorization(`basic ${Buffer.from('CP-1:pa:ss').toString('base64')}`);
    assert.ok(parsed.ok);
    assert.equal(parsed.username, 'CP-1');
    assert.equal(Buffer.from(parsed.password).toString(), 'pa:ss');
  });
});

describe('2.x BasicAuthPassword rules (passwordString, 16 to 40 characters; 2.1 maxLimit up to 64)', () => {
  it('length and character set are checked; generated passwords comply', () => {
    assert.equal(basicAuthPasswordProblem('abcdefghijklmnop'), undefined);
    assert.equal(basicAuthPasswordProblem('A*-_=:+|@.bcdefghijk'), undefined);
    assert.match(basicAuthPasswordProblem('abcdefghijklmno') ?? '', /16 to 40.*has 15/);
    assert.match(basicAuthPasswordProblem('a'.repeat(41)) ?? '', /has 41/);
    assert.equal(basicAuthPasswordProblem('a'.repeat(50), 64), undefined);
    assert.match(basicAuthPasswordProblem('abcdefghijklmnop qrs') ?? '', /only letters, digits/);
    assert.match(basicAuthPasswordProblem('abcdefghijklmnopé') ?? '', /only letters, digits/);
    for (let i = 0; i < 20; i++) {
      const password = generateBasicAuthPassword();
      assert.equal(password.length, 32);
      assert.equal(basicAuthPasswordProblem(password), undefined);
      assert.ok(!password.includes(':'));
    }
    assert.equal(generateBasicAuthPassword(16).length, 16);
    assert.throws(() => generateBasicAuthPassword(8), DomainError);
  });

  it('credentialFromBasicAuthPassword refuses a password breaking the rules', async () => {
    await assert.rejects(credentialFromBasicAuthPassword('too-short'), (e: unknown) => e instanceof DomainError && e.code === 'invalid');
  });

  it('random strings are drawn uniformly from the alphabet', () => {
    const sample = randomString(60_000, 'abc');
    const counts = [...'abc'].map((c) => sample.split(c).length - 1);
    for (const count of counts) assert.ok(count > 19_000 && count < 21_000, String(counts));
  });
});

describe('reconnect storms of password-protected stations: a secret verified once is checked again without scrypt', () => {
  /** verifySecret, counting its calls (each is one scrypt). */
  function countingScrypt(): { calls: () => number; verify: typeof verifySecret } {
    let calls = 0;
    return { calls: () => calls, verify: (hash, secret) => { calls += 1; return verifySecret(hash, secret); } };
  }

  it('the right password: scrypt the first time, then not again; a wrong one is still checked with scrypt', async () => {
    const memo = new VerifiedSecrets();
    const scrypt = countingScrypt();
    const password = generateBasicAuthPassword();
    const { hash } = await credentialFromBasicAuthPassword(password);
    assert.equal(await memo.verify(hash, bytes(password), scrypt.verify), true);
    assert.equal(await memo.verify(hash, bytes(password), scrypt.verify), true);
    assert.equal(await memo.verify(hash, bytes(password), scrypt.verify), true);
    assert.equal(scrypt.calls(), 1, 'one scrypt for three connections');
    assert.equal(await memo.verify(hash, bytes(`${password}x`), scrypt.verify), false);
    assert.equal(scrypt.calls(), 2, 'a wrong password costs scrypt as before');
    assert.equal(await memo.verify(hash, bytes(password), scrypt.verify), true, 'and does not evict the right one');
    assert.equal(scrypt.calls(), 2);
  });

  it('a new password (a new hash) misses the memo: the old password does not pass for it, the new one is verified', async () => {
    const memo = new VerifiedSecrets();
    const scrypt = countingScrypt();
    const old = await credentialFromBasicAuthPassword('Old-password-0123456');
    const next = await credentialFromBasicAuthPassword('New-password-6543210');
    assert.equal(await memo.verify(old.hash, bytes('Old-password-0123456'), scrypt.verify), true);
    assert.equal(await memo.verify(next.hash, bytes('Old-password-0123456'), scrypt.verify), false);
    assert.equal(await memo.verify(next.hash, bytes('New-password-6543210'), scrypt.verify), true);
    assert.equal(scrypt.calls(), 3);
  });

  it('SteVe #1895 forms: a key verified raw is found again whether the station sends it raw or as hex', async () => {
    const memo = new VerifiedSecrets();
    const key = generateAuthorizationKey();
    const credential = await credentialFromAuthorizationKey(key.hex);
    assert.deepEqual(await verifyStationPassword(credential, bytes(key.plaintext), memo), { ok: true, form: 'as-sent' });
    assert.equal(memo.size, 1);
    assert.deepEqual(await verifyStationPassword(credential, bytes(key.hex), memo), { ok: true, form: 'hex-decoded' });
    assert.deepEqual(await verifyStationPassword(credential, bytes(`${key.hex.slice(0, -2)}00`), memo), { ok: false });
  });

  it('stays within its size: the entry used longest ago goes first', async () => {
    const memo = new VerifiedSecrets(2);
    const scrypt = countingScrypt();
    const credentials = await Promise.all(['Secret-number-one-111', 'Secret-number-two-222', 'Secret-number-three-3'].map(
      async (secret) => ({ secret, hash: (await credentialFromBasicAuthPassword(secret)).hash })));
    const [a, b, c] = credentials as [{ secret: string; hash: string }, { secret: string; hash: string }, { secret: string; hash: string }];
    await memo.verify(a.hash, bytes(a.secret), scrypt.verify);
    await memo.verify(b.hash, bytes(b.secret), scrypt.verify);
    await memo.verify(a.hash, bytes(a.secret), scrypt.verify);
    await memo.verify(c.hash, bytes(c.secret), scrypt.verify);
    assert.equal(memo.size, 2);
    assert.equal(scrypt.calls(), 3);
    await memo.verify(a.hash, bytes(a.secret), scrypt.verify);
    assert.equal(scrypt.calls(), 3, 'a was used after b, so b went');
    await memo.verify(b.hash, bytes(b.secret), scrypt.verify);
    assert.equal(scrypt.calls(), 4);
  });
});
