import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type CertificateAuthority, createIntermediateCa, createRootCa } from '../../../src/domain/security/pki/certificate-authority.ts';
import { revocationCheck, revoke } from '../../../src/domain/security/pki/certificate-inventory.ts';
import { inspectClientCertificate, trustStoreOf } from '../../../src/domain/security/pki/client-certificate.ts';
import { checkStationCsr } from '../../../src/domain/security/pki/csr-check.ts';
import type { IssuedCertificate } from '../../../src/domain/security/pki/issued-certificate.ts';
import { certificatePem } from '../../../src/domain/security/pki/pem.ts';
import { createServerCertificate } from '../../../src/domain/security/pki/server-certificate.ts';
import { signStationCertificate } from '../../../src/domain/security/pki/station-certificate.ts';
import { stationCsr } from './station-keys.ts';

const ORG = 'Acme Charging B.V.';
const DAY = 86_400_000;

async function stationCertificate(ca: CertificateAuthority, stationId: string, validityDays = 365): Promise<IssuedCertificate> {
  const { csrPem } = await stationCsr({ commonName: stationId, organization: ORG });
  const checked = await checkStationCsr(csrPem, { organizationName: ORG }, { stationId });
  assert.ok(checked.ok);
  return signStationCertificate(ca, checked.csr, { validityDays });
}

describe('profile 3: reading the client certificate a station presents', () => {
  let root: CertificateAuthority;
  let ca: CertificateAuthority;
  let issued: IssuedCertificate;
  before(async () => {
    root = await createRootCa({ commonName: 'Joule Root CA', organization: ORG });
    ca = await createIntermediateCa(root, { commonName: 'Joule Station CA', organization: ORG });
    issued = await stationCertificate(ca, 'CP-0001', 30);
  });

  it('DER from the TLS socket: CN, O, serial, issuer, validity; chains to the CA and is accepted', async () => {
    const der = new Uint8Array(issued.certificate.rawData);
    const result = await inspectClientCertificate(der, { trust: trustStoreOf(ca) });
    assert.equal(result.readable, true);
    if (!result.readable) return;
    assert.deepEqual(result.certificate, {
      commonName: 'CP-0001',
      organization: ORG,
      serialNumber: issued.serialNumber,
      subject: issued.certificate.subject,
      issuer: ca.certificate.subject,
      notBefore: issued.notBefore,
      notAfter: issued.notAfter,
      fingerprintSha256: issued.entry.fingerprintSha256,
    });
    assert.equal(result.chainsToCa, true);
    assert.equal(result.accepted, true);
    assert.deepEqual(result.reasons, []);
  });

  it('a PEM chain forwarded by a proxy (leaf + intermediate) chains to a trust store holding only the root', async () => {
    const result = await inspectClientCertificate(issued.chainPem, { trust: { anchors: [root.certificate] } });
    assert.equal(result.accepted, true);
    const leafOnly = await inspectClientCertificate(issued.certificatePem, { trust: { anchors: [root.certificate] } });
    assert.equal(leafOnly.accepted, false);
    assert.equal(leafOnly.readable && leafOnly.chainsToCa, false);
  });

  it('a revoked certificate is refused', async () => {
    const inventory = revoke([issued.entry], issued.serialNumber, { at: new Date(), reason: 'keyCompromise' });
    const result = await inspectClientCertificate(issued.certificatePem, { trust: trustStoreOf(ca), isRevoked: revocationCheck(inventory) });
    assert.equal(result.accepted, false);
    assert.ok(result.readable && result.revoked && result.chainsToCa);
    assert.match(result.readable ? result.reasons.join() : '', /revoked/);
  });

  it('an expired or not yet valid certificate is refused', async () => {
    const expired = await inspectClientCertificate(issued.certificatePem, { trust: trustStoreOf(ca), now: new Date(Date.now() + 31 * DAY) });
    assert.equal(expired.accepted, false);
    assert.ok(expired.readable && expired.expired && !expired.notYetValid);
    const early = await inspectClientCertificate(issued.certificatePem, { trust: trustStoreOf(ca), now: new Date(Date.now() - 2 * 3_600_000) });
    assert.ok(early.readable && early.notYetValid && !early.accepted);
  });

  it('a certificate from another CA, even with the same names, does not chain', async () => {
    const impostorRoot = await createRootCa({ commonName: 'Joule Root CA', organization: ORG });
    const impostorCa = await createIntermediateCa(impostorRoot, { commonName: 'Joule Station CA', organization: ORG });
    const impostor = await stationCertificate(impostorCa, 'CP-0001');
    const result = await inspectClientCertificate(impostor.chainPem, { trust: trustStoreOf(ca) });
    assert.equal(result.accepted, false);
    assert.ok(result.readable && !result.chainsToCa);
    assert.match(result.readable ? result.reasons.join() : '', /does not verify|not a trusted/);
  });

  it('a CA certificate or a server certificate cannot authenticate a station', async () => {
    const asCa = await inspectClientCertificate(certificatePem(ca.certificate), { trust: trustStoreOf(ca) });
    assert.ok(asCa.readable && !asCa.clientAuthAllowed && !asCa.accepted);
    const server = await createServerCertificate(ca, { hostname: 'csms.example.com', organization: ORG });
    const asServer = await inspectClientCertificate(server.certificatePem, { trust: trustStoreOf(ca) });
    assert.ok(asServer.readable && asServer.chainsToCa && !asServer.clientAuthAllowed && !asServer.accepted);
  });

  it('garbage is reported unreadable, not thrown', async () => {
    for (const input of ['not a certificate', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', new Uint8Array([1, 2, 3]), new Uint8Array()]) {
      const result = await inspectClientCertificate(input, { trust: trustStoreOf(ca) });
      assert.equal(result.readable, false);
      assert.equal(result.accepted, false);
      assert.ok(!result.readable && result.reason.length > 0);
    }
  });
});
