import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CertificateRecord, SecurityEventRecord, StationCertificateRecord, Store } from '../../src/store/ports.ts';

function certificate(overrides: Partial<CertificateRecord>): CertificateRecord {
  return {
    fingerprintSha256: 'aa', serialNumber: '1a', issuer: 'CN=Joule CA, O=Joule', subject: 'O=Joule, CN=CS-1', commonName: 'CS-1',
    organization: 'Joule', stationId: 'CS-1', certificateType: 'ChargingStationCertificate', notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2027-01-01T00:00:00.000Z', status: 'issued', pem: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n',
    issuedAt: '2026-01-01T01:00:00.000Z', installedAt: null, revokedAt: null, revocationReason: null, renewalRequestedAt: null,
    ...overrides,
  };
}

const HASH = { hashAlgorithm: 'SHA256', issuerNameHash: 'a1', issuerKeyHash: 'b2', serialNumber: 'c3' };

function held(overrides: Partial<StationCertificateRecord>): StationCertificateRecord {
  return { stationId: 'CS-1', certificateType: 'CSMSRootCertificate', hashData: HASH, pem: null, source: 'reported', updatedAt: '2026-01-02T00:00:00.000Z', ...overrides };
}

function securityEvent(overrides: Partial<SecurityEventRecord>): SecurityEventRecord {
  return { stationId: 'CS-1', type: 'InvalidMessages', critical: false, techInfo: null, timestamp: '2026-01-01T00:00:00.000Z', receivedAt: '2026-01-01T00:00:01.000Z', source: 'station', ...overrides };
}

/** Certificates and security events (migration 8): called inside the repository contract with its store. */
export function certificateContract(store: () => Store): void {
  describe('certificates', () => {
    it('add keeps the first record of a fingerprint; get, bySerialNumber and filtered lists return it', async () => {
      const a = certificate({});
      await store().certificates.add(a);
      await store().certificates.add({ ...a, subject: 'changed' });
      assert.deepEqual(await store().certificates.get('aa'), a);
      assert.equal(await store().certificates.get('zz'), undefined);
      const b = certificate({ fingerprintSha256: 'bb', serialNumber: '2b', stationId: 'CS-2', notAfter: '2026-06-01T00:00:00.000Z', status: 'installed' });
      await store().certificates.add(b);
      assert.deepEqual(await store().certificates.bySerialNumber('2b'), [b]);
      assert.deepEqual((await store().certificates.list({ limit: 10 })).map((c) => c.fingerprintSha256), ['aa', 'bb'], 'newest expiry first');
      assert.deepEqual(await store().certificates.list({ stationId: 'CS-2', limit: 10 }), [b]);
      assert.deepEqual(await store().certificates.list({ status: 'issued', limit: 10 }), [a]);
      assert.deepEqual(await store().certificates.list({ expiringBefore: '2026-12-01T00:00:00.000Z', limit: 10 }), [b]);
      assert.deepEqual(await store().certificates.list({ stationId: 'CS-1', status: 'installed', limit: 10 }), []);
      assert.deepEqual(await store().certificates.list({ stationIds: ['CS-2'], limit: 1 }), [b], 'the limit counts only these stations\'');
      assert.deepEqual(await store().certificates.list({ stationIds: ['CS-1', 'CS-2'], status: 'issued', limit: 10 }), [a]);
      assert.deepEqual(await store().certificates.list({ stationIds: [], limit: 10 }), []);
    });

    it('update changes only the given fields and returns the record; an unknown one is undefined', async () => {
      await store().certificates.add(certificate({}));
      const updated = await store().certificates.update('aa', { status: 'revoked', revokedAt: '2026-02-01T00:00:00.000Z', revocationReason: 'keyCompromise' });
      assert.deepEqual(updated, certificate({ status: 'revoked', revokedAt: '2026-02-01T00:00:00.000Z', revocationReason: 'keyCompromise' }));
      assert.equal((await store().certificates.update('aa', { renewalRequestedAt: '2026-03-01T00:00:00.000Z' }))?.status, 'revoked');
      assert.equal(await store().certificates.update('zz', { status: 'installed' }), undefined);
    });

    it('station certificates: put keeps a known PEM, replace swaps the reported ones of a type, remove by hash data', async () => {
      await store().certificates.putStationCertificate(held({ pem: 'PEM', source: 'installed' }));
      await store().certificates.putStationCertificate(held({ updatedAt: '2026-01-03T00:00:00.000Z' }));
      assert.deepEqual(await store().certificates.stationCertificates('CS-1'), [held({ pem: 'PEM', source: 'installed', updatedAt: '2026-01-03T00:00:00.000Z' })]);
      const other = held({ certificateType: 'ManufacturerRootCertificate', hashData: { ...HASH, serialNumber: 'd4' } });
      await store().certificates.putStationCertificate(other);
      const fresh = held({ hashData: { ...HASH, serialNumber: 'e5' } });
      await store().certificates.replaceStationCertificates('CS-1', ['CSMSRootCertificate'], [fresh]);
      assert.deepEqual(await store().certificates.stationCertificates('CS-1'), [fresh, other]);
      assert.equal(await store().certificates.removeStationCertificate('CS-1', fresh.hashData), true);
      assert.equal(await store().certificates.removeStationCertificate('CS-1', fresh.hashData), false);
      assert.deepEqual(await store().certificates.stationCertificates('CS-1'), [other]);
      assert.deepEqual(await store().certificates.stationCertificates('CS-2'), []);
    });
  });

  describe('security events', () => {
    it('append and list newest first, filtered by station, criticality, type and time window', async () => {
      const a = securityEvent({});
      const b = securityEvent({ type: 'TamperDetectionActivated', critical: true, techInfo: 'door', timestamp: '2026-01-02T00:00:00.000Z' });
      const c = securityEvent({ stationId: 'CS-2', source: 'csms', timestamp: '2026-01-03T00:00:00.000Z' });
      for (const e of [a, b, c]) await store().securityEvents.append(e);
      assert.deepEqual(await store().securityEvents.list({ limit: 10 }), [c, b, a]);
      assert.deepEqual(await store().securityEvents.list({ limit: 2 }), [c, b]);
      assert.deepEqual(await store().securityEvents.list({ stationId: 'CS-1', limit: 10 }), [b, a]);
      assert.deepEqual(await store().securityEvents.list({ stationIds: ['CS-1'], limit: 1 }), [b], 'the limit counts only these stations\'');
      assert.deepEqual(await store().securityEvents.list({ stationIds: ['CS-2', 'CS-1'], critical: false, limit: 10 }), [c, a]);
      assert.deepEqual(await store().securityEvents.list({ critical: true, limit: 10 }), [b]);
      assert.deepEqual(await store().securityEvents.list({ critical: false, type: 'InvalidMessages', limit: 10 }), [c, a]);
      assert.deepEqual(await store().securityEvents.list({ from: '2026-01-02T00:00:00.000Z', limit: 10 }), [c, b]);
      assert.deepEqual(await store().securityEvents.list({ to: '2026-01-02T00:00:00.000Z', limit: 10 }), [a]);
      assert.deepEqual(await store().securityEvents.list({ from: '2026-01-01T12:00:00.000Z', to: '2026-01-02T12:00:00.000Z', limit: 10 }), [b]);
    });
  });
}
