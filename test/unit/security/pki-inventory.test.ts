import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../../src/domain/errors.ts';
import {
  type CertificateInventoryEntry,
  expiringWithin,
  inventoryEntry,
  isExpired,
  isRevoked,
  revocationCheck,
  revoke,
  stationsDueForRenewal,
} from '../../../src/domain/security/pki/certificate-inventory.ts';
import { createRootCa } from '../../../src/domain/security/pki/certificate-authority.ts';
import { checkStationCsr } from '../../../src/domain/security/pki/csr-check.ts';
import { normaliseSerialNumber } from '../../../src/domain/security/pki/serial-number.ts';
import { signStationCertificate } from '../../../src/domain/security/pki/station-certificate.ts';
import { stationCsr } from './station-keys.ts';

const ORG = 'Acme Charging B.V.';
const NOW = new Date('2026-06-01T00:00:00.000Z');

function entry(serial: string, stationId: string | null, notAfter: string, extra: Partial<CertificateInventoryEntry> = {}): CertificateInventoryEntry {
  return {
    serialNumber: serial,
    issuer: 'O=Acme, CN=Joule Station CA',
    subject: `O=Acme, CN=${stationId ?? 'server'}`,
    commonName: stationId,
    organization: 'Acme',
    stationId,
    use: stationId === null ? 'server' : 'station',
    notBefore: '2025-06-01T00:00:00.000Z',
    notAfter,
    fingerprintSha256: serial.padStart(64, '0'),
    revokedAt: null,
    revocationReason: null,
    ...extra,
  };
}

const INVENTORY: CertificateInventoryEntry[] = [
  entry('a1', 'CP-1', '2026-06-10T00:00:00.000Z'), // 9 days left
  entry('a2', 'CP-2', '2026-06-25T00:00:00.000Z'), // 24 days left
  entry('a3', 'CP-3', '2026-12-01T00:00:00.000Z'), // months left
  entry('a4', 'CP-4', '2026-05-01T00:00:00.000Z'), // expired
  entry('a5', 'CP-5', '2026-06-05T00:00:00.000Z', { revokedAt: '2026-05-20T00:00:00.000Z', revocationReason: 'keyCompromise' }),
  // CP-1 already has its successor: renewal done.
  entry('b1', 'CP-1', '2027-06-09T00:00:00.000Z'),
  entry('c1', null, '2026-06-15T00:00:00.000Z'),
];

describe('certificate inventory: expiry and renewal (A03)', () => {
  it('expiringWithin lists unrevoked certificates still valid that expire within N days, soonest first', () => {
    assert.deepEqual(expiringWithin(INVENTORY, 30, NOW).map((e) => e.serialNumber), ['a1', 'c1', 'a2']);
    assert.deepEqual(expiringWithin(INVENTORY, 10, NOW).map((e) => e.serialNumber), ['a1']);
  });

  it('stationsDueForRenewal looks at each station’s newest certificate; expired ones are due, renewed ones not', () => {
    const due = stationsDueForRenewal(INVENTORY, 30, NOW);
    assert.deepEqual(due.map((d) => [d.stationId, d.current.serialNumber]), [['CP-4', 'a4'], ['CP-2', 'a2']]);
  });

  it('isExpired compares notAfter with now', () => {
    assert.equal(isExpired(INVENTORY[3] as CertificateInventoryEntry, NOW), true);
    assert.equal(isExpired(INVENTORY[0] as CertificateInventoryEntry, NOW), false);
  });
});

describe('certificate inventory: revocation', () => {
  it('revoke marks one certificate (serial matched in any hex form), leaves the input unchanged, keeps the first revocation', () => {
    const at = new Date('2026-06-02T08:00:00.000Z');
    const after = revoke(INVENTORY, '00:A2', { at, reason: 'superseded' });
    assert.equal(INVENTORY[1]?.revokedAt, null);
    const revoked = after.find((e) => e.serialNumber === 'a2');
    assert.equal(revoked?.revokedAt, '2026-06-02T08:00:00.000Z');
    assert.equal(revoked?.revocationReason, 'superseded');
    assert.equal(isRevoked(after, 'A2'), true);
    assert.equal(isRevoked(after, 'a3'), false);
    const again = revoke(after, 'a2', { at: new Date('2026-07-01T00:00:00.000Z'), reason: 'keyCompromise' });
    assert.equal(again.find((e) => e.serialNumber === 'a2')?.revokedAt, '2026-06-02T08:00:00.000Z');
  });

  it('revoking an unknown serial is a not_found domain error; a non-hex serial is invalid', () => {
    assert.throws(() => revoke(INVENTORY, 'ffff', { at: NOW }), (e: unknown) => e instanceof DomainError && e.code === 'not_found');
    assert.throws(() => revoke(INVENTORY, 'xyz', { at: NOW }), (e: unknown) => e instanceof DomainError && e.code === 'invalid');
  });

  it('the issuer narrows the match, and revocationCheck answers the same as isRevoked', () => {
    const check = revocationCheck(INVENTORY);
    assert.equal(check('A5', 'O=Acme, CN=Joule Station CA'), true);
    assert.equal(check('a5', 'O=Other, CN=Another CA'), false);
    assert.equal(check('a1', 'O=Acme, CN=Joule Station CA'), false);
    assert.equal(isRevoked(INVENTORY, 'a5', 'O=Other, CN=Another CA'), false);
    assert.equal(isRevoked(INVENTORY, 'a5'), true);
  });

  it('an entry made from an issued certificate carries its serial, names, station and validity', async () => {
    const ca = await createRootCa({ commonName: 'Joule CA', organization: ORG });
    const { csrPem } = await stationCsr({ commonName: 'CP-9', organization: ORG });
    const checked = await checkStationCsr(csrPem, { organizationName: ORG }, { stationId: 'CP-9' });
    assert.ok(checked.ok);
    const issued = await signStationCertificate(ca, checked.csr, { validityDays: 20, now: NOW });
    const fromCertificate = inventoryEntry(issued.certificate, { use: 'station', stationId: 'CP-9' });
    assert.deepEqual(fromCertificate, issued.entry);
    assert.equal(fromCertificate.serialNumber, normaliseSerialNumber(issued.certificate.serialNumber));
    assert.equal(fromCertificate.commonName, 'CP-9');
    assert.equal(fromCertificate.organization, ORG);
    assert.equal(fromCertificate.notAfter, '2026-06-21T00:00:00.000Z');
    assert.deepEqual(stationsDueForRenewal([fromCertificate], 30, NOW).map((d) => d.stationId), ['CP-9']);
    assert.match(fromCertificate.fingerprintSha256, /^[0-9a-f]{64}$/);
  });
});
