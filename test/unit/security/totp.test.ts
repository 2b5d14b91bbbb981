import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../../src/domain/errors.ts';
import { base32Decode, base32Encode } from '../../../src/domain/security/totp/base32.ts';
import { otpauthUri } from '../../../src/domain/security/totp/otpauth-uri.ts';
import { generateTotpSecret, hotp, totp, totpStep, type TotpAlgorithm, verifyTotp } from '../../../src/domain/security/totp/totp.ts';

// RFC 6238 Appendix B: the seeds are ASCII "1234567890" repeated to 20, 32 and 64 bytes; 8 digits, 30-second steps.
const SEEDS: Record<TotpAlgorithm, Uint8Array> = {
  SHA1: new Uint8Array(Buffer.from('12345678901234567890')),
  SHA256: new Uint8Array(Buffer.from('12345678901234567890123456789012')),
  SHA512: new Uint8Array(Buffer.from('1234567890123456789012345678901234567890123456789012345678901234')),
};

const RFC6238_VECTORS: [seconds: number, algorithm: TotpAlgorithm, code: string][] = [
  [59, 'SHA1', '94287082'], [59, 'SHA256', '46119246'], [59, 'SHA512', '90693936'],
  [1111111109, 'SHA1', '07081804'], [1111111109, 'SHA256', '68084774'], [1111111109, 'SHA512', '25091201'],
  [1111111111, 'SHA1', '14050471'], [1111111111, 'SHA256', '67062674'], [1111111111, 'SHA512', '99943326'],
  [1234567890, 'SHA1', '89005924'], [1234567890, 'SHA256', '91819424'], [1234567890, 'SHA512', '93441116'],
  [2000000000, 'SHA1', '69279037'], [2000000000, 'SHA256', '90698825'], [2000000000, 'SHA512', '38618901'],
  [20000000000, 'SHA1', '65353130'], [20000000000, 'SHA256', '77737706'], [20000000000, 'SHA512', '47863826'],
];

// RFC 4226 Appendix D: HOTP of "12345678901234567890" for counters 0..9, 6 digits.
const RFC4226_VECTORS = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

describe('TOTP codes (RFC 6238, RFC 4226)', () => {
  for (const [seconds, algorithm, code] of RFC6238_VECTORS) {
    it(`RFC 6238 test vector: T = ${seconds} s, ${algorithm} gives ${code}`, () => {
      assert.equal(totp(SEEDS[algorithm], new Date(seconds * 1000), { algorithm, digits: 8 }), code);
    });
  }

  it('RFC 4226 HOTP test vectors (the truncation TOTP is built on)', () => {
    assert.deepEqual(RFC4226_VECTORS.map((_, counter) => hotp(SEEDS.SHA1, counter)), RFC4226_VECTORS);
  });

  it('defaults are SHA-1, 6 digits, 30-second steps', () => {
    assert.equal(totpStep(new Date(59_000)), 1);
    assert.equal(totpStep(new Date(60_000)), 2);
    assert.equal(totp(SEEDS.SHA1, new Date(59_000)), '287082');
  });
});

describe('TOTP verification: ±1 step window and replay protection (RFC 6238 §5.2)', () => {
  const secret = generateTotpSecret();
  const now = new Date('2026-05-04T10:00:15.000Z');
  const step = totpStep(now);
  const codeAt = (offsetSteps: number) => hotp(base32Decode(secret), step + offsetSteps);

  it('accepts the current code and the codes of the steps either side, returning the step used', () => {
    assert.deepEqual(verifyTotp(secret, codeAt(0), { now }), { ok: true, step });
    assert.deepEqual(verifyTotp(secret, codeAt(-1), { now }), { ok: true, step: step - 1 });
    assert.deepEqual(verifyTotp(secret, codeAt(1), { now }), { ok: true, step: step + 1 });
  });

  it('refuses codes two steps away, and all but the current step with window 0', () => {
    assert.deepEqual(verifyTotp(secret, codeAt(-2), { now }), { ok: false, reason: 'invalid' });
    assert.deepEqual(verifyTotp(secret, codeAt(2), { now }), { ok: false, reason: 'invalid' });
    assert.deepEqual(verifyTotp(secret, codeAt(-1), { now, window: 0 }), { ok: false, reason: 'invalid' });
  });

  it('a code cannot be used twice: its step must be newer than the last step used', () => {
    const first = verifyTotp(secret, codeAt(0), { now, lastUsedStep: null });
    assert.ok(first.ok);
    assert.deepEqual(verifyTotp(secret, codeAt(0), { now, lastUsedStep: first.step }), { ok: false, reason: 'replayed' });
    // An older code still inside the window is refused too, once a newer one was used.
    assert.deepEqual(verifyTotp(secret, codeAt(-1), { now, lastUsedStep: first.step }), { ok: false, reason: 'replayed' });
    // The next step's code is fine.
    assert.deepEqual(verifyTotp(secret, codeAt(1), { now, lastUsedStep: first.step }), { ok: true, step: step + 1 });
  });

  it('malformed codes are told apart from wrong ones; spaces in the typed code are ignored', () => {
    assert.deepEqual(verifyTotp(secret, '12345', { now }), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyTotp(secret, 'abcdef', { now }), { ok: false, reason: 'malformed' });
    const code = codeAt(0);
    assert.equal(verifyTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, { now }).ok, true);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const neighbours = [codeAt(-1), codeAt(1)];
    if (!neighbours.includes(wrong)) assert.deepEqual(verifyTotp(secret, wrong, { now }), { ok: false, reason: 'invalid' });
  });

  it('bad settings are invalid errors', () => {
    assert.throws(() => verifyTotp(secret, '123456', { digits: 4 }), DomainError);
    assert.throws(() => totp(SEEDS.SHA1, now, { period: 0 }), DomainError);
    assert.throws(() => verifyTotp('not base32 !', '123456'), DomainError);
  });
});

describe('TOTP secrets and otpauth URIs', () => {
  it('secrets are 20 random bytes in base32 (32 characters), each one new', () => {
    const secret = generateTotpSecret();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.equal(base32Decode(secret).byteLength, 20);
    assert.notEqual(generateTotpSecret(), secret);
  });

  it('base32 follows RFC 4648 §10 and reads what people paste', () => {
    const vectors: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
    for (const [text, encoded] of vectors) {
      assert.equal(base32Encode(new Uint8Array(Buffer.from(text))), encoded);
      assert.equal(Buffer.from(base32Decode(encoded)).toString(), text);
    }
    assert.equal(Buffer.from(base32Decode('mzxw 6ytb-oi======')).toString(), 'foobar');
  });

  it('the otpauth URI names issuer and account and carries the parameters', () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const uri = otpauthUri({ issuer: 'Joule Acme', accountName: 'alice@example.com', secret });
    assert.equal(uri, 'otpauth://totp/Joule%20Acme:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Joule%20Acme&algorithm=SHA1&digits=6&period=30');
    const parsed = new URL(uri);
    assert.equal(parsed.protocol, 'otpauth:');
    assert.equal(parsed.searchParams.get('secret'), secret);
    assert.throws(() => otpauthUri({ issuer: 'Joule:Acme', accountName: 'alice', secret }), /cannot contain ":"/);
    assert.throws(() => otpauthUri({ issuer: 'Joule', accountName: 'alice', secret: 'JBSWY3DP' }), /at least 16 bytes/);
  });
});
