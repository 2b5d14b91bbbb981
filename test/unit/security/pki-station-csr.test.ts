import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type CertificateAuthority, createIntermediateCa, createRootCa } from '../../../src/domain/security/pki/certificate-authority.ts';
import { checkStationCsr, type CsrCheckResult } from '../../../src/domain/security/pki/csr-check.ts';
import { PkiInputError } from '../../../src/domain/security/pki/pem.ts';
import { signStationCertificate } from '../../../src/domain/security/pki/station-certificate.ts';
import { x509 } from '../../../src/domain/security/pki/x509.ts';
import { stationCsr, tamperedSignature, tamperedSubject } from './station-keys.ts';

const ORG = 'Acme Charging B.V.';
const POLICY = { organizationName: ORG };
const STATION = { stationId: 'CP-0001' };
const DAY = 86_400_000;

function failure(result: CsrCheckResult): { failure: string; reason: string } {
  assert.equal(result.ok, false, 'the CSR was expected to be refused');
  return result.ok ? { failure: '', reason: '' } : { failure: result.failure, reason: result.reason };
}

function accepted(result: CsrCheckResult) {
  assert.ok(result.ok, result.ok ? '' : `${result.failure}: ${result.reason}`);
  return result.csr;
}

describe('SignCertificate: checking a station CSR (A02, [SEC] §2.6)', () => {
  it('an EC P-256 CSR with O = the operator and CN = the station identity is accepted', async () => {
    const { csrPem } = await stationCsr({ commonName: 'CP-0001', organization: ORG });
    const csr = accepted(await checkStationCsr(csrPem, POLICY, STATION));
    assert.equal(csr.commonName, 'CP-0001');
    assert.equal(csr.organization, ORG);
    assert.deepEqual(csr.key, { type: 'EC', curve: 'P-256' });
    assert.equal(csr.stationId, 'CP-0001');
  });

  it('EC P-384 and RSA 2048 are accepted', async () => {
    const p384 = await stationCsr({ commonName: 'CP-0001', organization: ORG, key: { type: 'EC', curve: 'P-384' } });
    assert.deepEqual(accepted(await checkStationCsr(p384.csrPem, POLICY, STATION)).key, { type: 'EC', curve: 'P-384' });
    const rsa = await stationCsr({ commonName: 'CP-0001', organization: ORG, key: { type: 'RSA', bits: 2048 } });
    assert.deepEqual(accepted(await checkStationCsr(rsa.csrPem, POLICY, STATION)).key, { type: 'RSA', bits: 2048 });
  });

  it('RSA 1024 is refused: below 112-bit security', async () => {
    const { csrPem } = await stationCsr({ commonName: 'CP-0001', organization: ORG, key: { type: 'RSA', bits: 1024 } });
    const refused = failure(await checkStationCsr(csrPem, POLICY, STATION));
    assert.equal(refused.failure, 'key-not-allowed');
    assert.match(refused.reason, /1024 bits is too small: at least 2048/);
  });

  it('EC P-521 is refused: only P-256 and P-384 are allowed', async () => {
    const { csrPem } = await stationCsr({ commonName: 'CP-0001', organization: ORG, key: { type: 'EC', curve: 'P-521' } });
    const refused = failure(await checkStationCsr(csrPem, POLICY, STATION));
    assert.equal(refused.failure, 'key-not-allowed');
    assert.match(refused.reason, /P-521 is not allowed/);
  });

  it('a CSR whose signature does not verify is refused (altered signature, or subject altered after signing)', async () => {
    const { csrPem } = await stationCsr({ commonName: 'CP-0001', organization: ORG });
    assert.equal(failure(await checkStationCsr(tamperedSignature(csrPem), POLICY, STATION)).failure, 'bad-signature');
    // Someone turns CP-0001's request into one for CP-0002: the names would pass, the signature does not.
    const forged = tamperedSubject(csrPem, 'CP-0001', 'CP-0002');
    const refused = failure(await checkStationCsr(forged, POLICY, { stationId: 'CP-0002' }));
    assert.equal(refused.failure, 'bad-signature');
  });

  it('a CSR signed with SHA-1 is refused', async () => {
    const { csrPem } = await stationCsr({ commonName: 'CP-0001', organization: ORG, hash: 'SHA-1' });
    const refused = failure(await checkStationCsr(csrPem, POLICY, STATION));
    assert.equal(refused.failure, 'weak-signature');
    assert.match(refused.reason, /SHA-1/);
  });

  it('O other than the operator name, or missing, is refused (A00.FR.404/509, A02.FR.13)', async () => {
    const wrong = await stationCsr({ commonName: 'CP-0001', organization: 'Other CPO' });
    const refused = failure(await checkStationCsr(wrong.csrPem, POLICY, STATION));
    assert.equal(refused.failure, 'wrong-organization');
    assert.match(refused.reason, /O "Other CPO".*expected exactly O "Acme Charging B\.V\."/);
    const missing = await stationCsr({ commonName: 'CP-0001' });
    assert.match(failure(await checkStationCsr(missing.csrPem, POLICY, STATION)).reason, /has no O/);
    const caseDiffers = await stationCsr({ commonName: 'CP-0001', organization: ORG.toUpperCase() });
    assert.equal(failure(await checkStationCsr(caseDiffers.csrPem, POLICY, STATION)).failure, 'wrong-organization');
  });

  it("CN other than the station's names is refused, naming what was expected", async () => {
    const other = await stationCsr({ commonName: 'CP-0002', organization: ORG });
    const refused = failure(await checkStationCsr(other.csrPem, POLICY, STATION));
    assert.equal(refused.failure, 'wrong-common-name');
    assert.match(refused.reason, /CN "CP-0002".*equal to "CP-0001"/);
    const none = await stationCsr({ organization: ORG });
    assert.equal(failure(await checkStationCsr(none.csrPem, POLICY, STATION)).failure, 'wrong-common-name');
    const two = await stationCsr({ subject: [{ O: [ORG] }, { CN: ['CP-0001'] }, { CN: ['CP-0002'] }] });
    assert.equal(failure(await checkStationCsr(two.csrPem, POLICY, STATION)).failure, 'wrong-common-name');
  });

  it('CN = the serial number the station booted with is accepted (A00.FR.511), unless the rule is identity only', async () => {
    const bySerial = await stationCsr({ commonName: 'SN-778899', organization: ORG });
    const station = { stationId: 'CP-0001', serialNumber: 'SN-778899' };
    assert.equal(accepted(await checkStationCsr(bySerial.csrPem, POLICY, station)).commonName, 'SN-778899');
    const identityOnly = failure(await checkStationCsr(bySerial.csrPem, { ...POLICY, commonNameRule: 'identity' }, station));
    assert.equal(identityOnly.failure, 'wrong-common-name');
    // Serial-only: the identity is no longer enough, and a station that reported no serial cannot pass.
    const byIdentity = await stationCsr({ commonName: 'CP-0001', organization: ORG });
    assert.equal(failure(await checkStationCsr(byIdentity.csrPem, { ...POLICY, commonNameRule: 'serialNumber' }, station)).failure, 'wrong-common-name');
    assert.match(failure(await checkStationCsr(byIdentity.csrPem, { ...POLICY, commonNameRule: 'serialNumber' }, STATION)).reason, /has not reported one/);
  });

  it('quirk 31: a CN the operator allowed for this station is accepted', async () => {
    const vendor = await stationCsr({ commonName: 'VENDOR-DEFAULT-CN', organization: ORG });
    const station = { stationId: 'CP-0001', allowedCommonNames: ['VENDOR-DEFAULT-CN'] };
    assert.ok((await checkStationCsr(vendor.csrPem, POLICY, station)).ok);
  });

  it('unreadable input is refused, not thrown', async () => {
    for (const input of ['', 'hello', '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----', 'x'.repeat(70_000)]) {
      assert.equal(failure(await checkStationCsr(input, POLICY, STATION)).failure, 'unreadable');
    }
  });

  it('NEW CERTIFICATE REQUEST PEM labels and bare base64 DER are read too', async () => {
    const { csrPem } = await stationCsr({ commonName: 'CP-0001', organization: ORG });
    const body = csrPem.replace(/-----[^-]+-----/g, '').trim();
    const legacy = `-----BEGIN NEW CERTIFICATE REQUEST-----\n${body}\n-----END NEW CERTIFICATE REQUEST-----\n`;
    assert.ok((await checkStationCsr(legacy, POLICY, STATION)).ok);
    assert.ok((await checkStationCsr(body, POLICY, STATION)).ok);
  });
});

describe('CertificateSigned: signing a checked CSR', () => {
  let root: CertificateAuthority;
  let ca: CertificateAuthority;
  before(async () => {
    root = await createRootCa({ commonName: 'Joule Root CA', organization: ORG });
    ca = await createIntermediateCa(root, { commonName: 'Joule Station CA', organization: ORG });
  });

  it('gives a client certificate for the CSR key: CSR subject, keyUsage digitalSignature + keyAgreement, clientAuth, key ids', async () => {
    const { csrPem, keys } = await stationCsr({ commonName: 'CP-0001', organization: ORG });
    const csr = accepted(await checkStationCsr(csrPem, POLICY, STATION));
    const issued = await signStationCertificate(ca, csr);
    const cert = issued.certificate;
    assert.equal(cert.subject, csr.request.subject);
    assert.equal(cert.issuer, ca.certificate.subject);
    assert.equal(await cert.verify({ publicKey: ca.certificate.publicKey, signatureOnly: true }), true);
    assert.equal(cert.getExtension(x509.BasicConstraintsExtension)?.ca, false);
    assert.equal(cert.getExtension(x509.KeyUsagesExtension)?.usages, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement);
    assert.deepEqual([...(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [])], [x509.ExtendedKeyUsage.clientAuth]);
    const stationKey = await x509.PublicKey.create(keys.publicKey);
    assert.equal(Buffer.from(cert.publicKey.rawData).equals(Buffer.from(stationKey.rawData)), true);
    assert.equal(
      cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
      (await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)).keyId,
    );
    assert.equal(
      cert.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId,
      ca.certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    );
    assert.equal(issued.entry.stationId, 'CP-0001');
    assert.equal(issued.entry.use, 'station');
    assert.equal(issued.serialNumber, issued.entry.serialNumber);
  });

  it('an RSA station key gets digitalSignature only (an RSA key does no key agreement)', async () => {
    const { csrPem } = await stationCsr({ commonName: 'CP-0001', organization: ORG, key: { type: 'RSA', bits: 2048 } });
    const issued = await signStationCertificate(ca, accepted(await checkStationCsr(csrPem, POLICY, STATION)));
    assert.equal(issued.certificate.getExtension(x509.KeyUsagesExtension)?.usages, x509.KeyUsageFlags.digitalSignature);
  });

  it('serials are random and positive; the validity is the configured number of days, started an hour back', async () => {
    const now = new Date('2026-03-01T12:00:00.000Z');
    const { csrPem } = await stationCsr({ commonName: 'CP-0001', organization: ORG });
    const csr = accepted(await checkStationCsr(csrPem, POLICY, STATION));
    const first = await signStationCertificate(ca, csr, { validityDays: 90, now });
    const second = await signStationCertificate(ca, csr, { validityDays: 90, now });
    assert.notEqual(first.serialNumber, second.serialNumber);
    for (const issued of [first, second]) {
      // 128 random bits with the top bit clear: a positive integer of 16 octets (RFC 5280 §4.1.2.2).
      const value = BigInt(`0x${issued.serialNumber}`);
      assert.ok(value > 2n ** 120n && value < 2n ** 127n, issued.serialNumber);
    }
    assert.equal(first.notBefore, '2026-03-01T11:00:00.000Z');
    assert.equal(first.notAfter, new Date(now.getTime() + 90 * DAY).toISOString());
  });

  it('the validity never outlasts the issuing CA', async () => {
    const shortLived = await createIntermediateCa(root, { commonName: 'Short CA', organization: ORG, validityDays: 30 });
    const { csrPem } = await stationCsr({ commonName: 'CP-0001', organization: ORG });
    const issued = await signStationCertificate(shortLived, accepted(await checkStationCsr(csrPem, POLICY, STATION)), { validityDays: 365 });
    assert.equal(issued.certificate.notAfter.getTime(), shortLived.certificate.notAfter.getTime());
    await assert.rejects(
      signStationCertificate(shortLived, accepted(await checkStationCsr(csrPem, POLICY, STATION)), { now: new Date(Date.now() + 60 * DAY) }),
      PkiInputError,
    );
  });
});
