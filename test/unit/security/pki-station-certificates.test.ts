import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { decideClientCertificate } from '../../../src/domain/security/client-certificate-decision.ts';
import { certificateHashData, normaliseHashData } from '../../../src/domain/security/pki/certificate-hash-data.ts';
import { createRootCa } from '../../../src/domain/security/pki/certificate-authority.ts';
import { translateCertificateRequest16 } from '../../../src/ocpp/v16/certificate-requests.ts';
import { translateCertificateRequest2, translateCertificateResponse2 } from '../../../src/ocpp/v201/certificate-requests.ts';
import type { CertificateRecord } from '../../../src/store/ports.ts';

function record(overrides: Partial<CertificateRecord>): CertificateRecord {
  return {
    fingerprintSha256: 'f1', serialNumber: '1', issuer: 'CN=CA', subject: 'CN=CS-1', commonName: 'CS-1', organization: 'Joule', stationId: 'CS-1',
    certificateType: 'ChargingStationCertificate', notBefore: '2026-01-01T00:00:00Z', notAfter: '2027-01-01T00:00:00Z', status: 'installed',
    pem: '', issuedAt: '2026-01-01T00:00:00Z', installedAt: '2026-01-01T00:01:00Z', revokedAt: null, revocationReason: null, renewalRequestedAt: null,
    ...overrides,
  };
}

describe('profile 3 client certificate against the inventory (revocation, binding)', () => {
  const presented = { fingerprintSha256: 'f1', serialNumber: '1', issuer: 'CN=CA' };
  it('the current installed certificate of the station is accepted', () => {
    assert.deepEqual(decideClientCertificate('CS-1', presented, record({}), false, [record({})]), { accepted: true });
  });
  it('a revoked certificate is refused, also when only its serial and issuer match a revoked record', () => {
    assert.equal(decideClientCertificate('CS-1', presented, record({ status: 'revoked' }), false, []).accepted, false);
    assert.equal(decideClientCertificate('CS-1', presented, undefined, true, []).accepted, false);
  });
  it('a certificate Joule issued to another station is refused', () => {
    const decision = decideClientCertificate('CS-2', presented, record({}), false, []);
    assert.equal(decision.accepted, false);
    assert.match(decision.reason ?? '', /issued to station CS-1/);
  });
  it('binding: once the station holds an installed Joule certificate, a superseded one or a foreign one is refused', () => {
    const current = record({ fingerprintSha256: 'f2', serialNumber: '2', issuedAt: '2026-06-01T00:00:00Z' });
    assert.equal(decideClientCertificate('CS-1', presented, record({ status: 'superseded' }), false, [current]).accepted, false);
    assert.equal(decideClientCertificate('CS-1', { ...presented, fingerprintSha256: 'ext' }, undefined, false, [current]).accepted, false);
  });
  it('a newer issued certificate not yet confirmed counts as current; a station without Joule certificates accepts an external one', () => {
    const current = record({ fingerprintSha256: 'f2', serialNumber: '2' });
    const newer = record({ status: 'issued', issuedAt: '2026-06-01T00:00:00Z' });
    assert.deepEqual(decideClientCertificate('CS-1', presented, newer, false, [current, newer]), { accepted: true });
    assert.deepEqual(decideClientCertificate('CS-9', { ...presented, fingerprintSha256: 'ext' }, undefined, false, []), { accepted: true });
  });
});

describe('CertificateHashData (RFC 6960 CertID hashes, serial as hex without leading zeros)', () => {
  it('hashes the DER issuer name and the issuer key bits of a self-signed root', async () => {
    for (const key of [{ type: 'EC', curve: 'P-256' }, { type: 'RSA', bits: 2048 }] as const) {
      const ca = await createRootCa({ commonName: 'Root', organization: 'Joule', key });
      const data = certificateHashData(ca.certificate);
      const node = new X509Certificate(Buffer.from(ca.certificate.rawData));
      assert.equal(data.hashAlgorithm, 'SHA256');
      assert.equal(data.issuerNameHash, createHash('sha256').update(Buffer.from(ca.certificate.issuerName.toArrayBuffer())).digest('hex'));
      assert.equal(data.serialNumber, node.serialNumber.toLowerCase().replace(/^0+/, ''));
      // The key hash covers the BIT STRING content, which is the SPKI's tail.
      const spki = node.publicKey.export({ type: 'spki', format: 'der' });
      const keyBits = key.type === 'EC' ? spki.subarray(spki.length - 65) : node.publicKey.export({ type: 'pkcs1', format: 'der' });
      assert.equal(data.issuerKeyHash, createHash('sha256').update(keyBits).digest('hex'));
    }
  });
  it('normalises case and leading zeros for comparison', () => {
    assert.deepEqual(normaliseHashData({ hashAlgorithm: 'sha256', issuerNameHash: 'AB', issuerKeyHash: 'CD', serialNumber: '00EF' }),
      { hashAlgorithm: 'SHA256', issuerNameHash: 'ab', issuerKeyHash: 'cd', serialNumber: 'ef' });
  });
});

describe('certificate requests per version', () => {
  it('1.6: CSMS root is CentralSystemRootCertificate, renewal is ExtendedTriggerMessage, V2G is not available', () => {
    assert.deepEqual(translateCertificateRequest16({ kind: 'InstallCertificate', certificateType: 'CSMSRootCertificate', certificate: 'P' }),
      { ok: true, action: 'InstallCertificate', payload: { certificateType: 'CentralSystemRootCertificate', certificate: 'P' }, changes: [] });
    assert.deepEqual(translateCertificateRequest16({ kind: 'TriggerCertificateSigning' }),
      { ok: true, action: 'ExtendedTriggerMessage', payload: { requestedMessage: 'SignChargePointCertificate' }, changes: [] });
    assert.equal(translateCertificateRequest16({ kind: 'CertificateSigned', certificateChain: 'C', certificateType: 'V2GCertificate' }).ok, false);
  });
  it('2.x: CertificateSigned carries the type (and the requestId in 2.1 only); GetInstalledCertificateIds answers are read back', () => {
    const signed = { kind: 'CertificateSigned', certificateChain: 'C', certificateType: 'ChargingStationCertificate', requestId: 7 } as const;
    assert.deepEqual(translateCertificateRequest2('ocpp2.0.1', signed), { ok: true, action: 'CertificateSigned', payload: { certificateChain: 'C', certificateType: 'ChargingStationCertificate' }, changes: [] });
    assert.equal((translateCertificateRequest2('ocpp2.1', signed) as { payload: Record<string, unknown> }).payload.requestId, 7);
    const hashData = { hashAlgorithm: 'SHA256', issuerNameHash: 'a', issuerKeyHash: 'b', serialNumber: 'c' };
    const result = translateCertificateResponse2({ kind: 'GetInstalledCertificateIds', certificateType: 'CSMSRootCertificate' },
      { status: 'Accepted', certificateHashDataChain: [{ certificateType: 'CSMSRootCertificate', certificateHashData: hashData }] });
    assert.deepEqual(result.certificates, [{ certificateType: 'CSMSRootCertificate', hashData }]);
  });
});
