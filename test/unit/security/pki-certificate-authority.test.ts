import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createIntermediateCa,
  createRootCa,
  exportCertificateAuthority,
  importCertificateAuthority,
  issuingChain,
  rootCertificate,
} from '../../../src/domain/security/pki/certificate-authority.ts';
import { verifyCertificatePath } from '../../../src/domain/security/pki/certificate-path.ts';
import { checkStationCsr } from '../../../src/domain/security/pki/csr-check.ts';
import { parseCertificates, PkiInputError } from '../../../src/domain/security/pki/pem.ts';
import { signStationCertificate } from '../../../src/domain/security/pki/station-certificate.ts';
import { x509 } from '../../../src/domain/security/pki/x509.ts';
import { stationCsr } from './station-keys.ts';

/** The signature algorithm's WebCrypto name (the library's type for it lacks the field without the DOM lib). */
function signatureName(certificate: { signatureAlgorithm: object }): string {
  return (certificate.signatureAlgorithm as { name?: string }).name ?? '';
}

const ORG = 'Acme Charging B.V.';
const DAY = 86_400_000;

async function issueFor(ca: Awaited<ReturnType<typeof createRootCa>>, stationId: string, validityDays?: number, now?: Date) {
  const { csrPem } = await stationCsr({ commonName: stationId, organization: ORG });
  const checked = await checkStationCsr(csrPem, { organizationName: ORG }, { stationId });
  assert.ok(checked.ok, checked.ok ? '' : checked.reason);
  return signStationCertificate(ca, checked.csr, { ...(validityDays === undefined ? {} : { validityDays }), ...(now === undefined ? {} : { now }) });
}

describe('certificate authority (root and intermediate)', () => {
  it('a root CA is self-signed, ECDSA P-256 by default, a CA that may sign certificates, with O = the operator (A00.FR.509)', async () => {
    const root = await createRootCa({ commonName: 'Joule Root CA', organization: ORG });
    const cert = root.certificate;
    assert.equal(cert.subject, cert.issuer);
    assert.equal(await cert.isSelfSigned(), true);
    assert.deepEqual(cert.publicKey.algorithm, { name: 'ECDSA', namedCurve: 'P-256' });
    assert.equal(signatureName(cert), 'ECDSA');
    assert.equal(cert.signatureAlgorithm.hash.name, 'SHA-256');
    assert.equal(cert.getExtension(x509.BasicConstraintsExtension)?.ca, true);
    const usage = cert.getExtension(x509.KeyUsagesExtension)?.usages ?? 0;
    assert.ok(usage & x509.KeyUsageFlags.keyCertSign);
    assert.ok(usage & x509.KeyUsageFlags.cRLSign);
    assert.deepEqual(cert.subjectName.getField('O'), [ORG]);
    assert.ok(cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
    assert.equal(rootCertificate(root), cert);
    assert.deepEqual(issuingChain(root), []);
  });

  it('an intermediate is signed by the root, lives no longer than it, and allows no further CA below it', async () => {
    const root = await createRootCa({ commonName: 'Joule Root CA', organization: ORG, validityDays: 100 });
    const sub = await createIntermediateCa(root, { commonName: 'Joule Station CA', organization: ORG, validityDays: 1000 });
    assert.equal(sub.certificate.issuer, root.certificate.subject);
    assert.equal(await sub.certificate.verify({ publicKey: root.certificate.publicKey, signatureOnly: true }), true);
    assert.equal(sub.certificate.notAfter.getTime(), root.certificate.notAfter.getTime());
    assert.equal(sub.certificate.getExtension(x509.BasicConstraintsExtension)?.pathLength, 0);
    assert.equal(
      sub.certificate.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId,
      root.certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    );
    assert.deepEqual(sub.issuers, [root.certificate]);
    await assert.rejects(createIntermediateCa(sub, { commonName: 'Too deep', organization: ORG }), PkiInputError);
  });

  it('station certificates signed by an intermediate verify up to the root; the chain carries the intermediate, not the root', async () => {
    const root = await createRootCa({ commonName: 'Joule Root CA', organization: ORG });
    const sub = await createIntermediateCa(root, { commonName: 'Joule Station CA', organization: ORG });
    const issued = await issueFor(sub, 'CP-0001');
    const chain = parseCertificates(issued.chainPem);
    assert.equal(chain.length, 2);
    assert.equal(chain[0]?.serialNumber, issued.certificate.serialNumber);
    assert.equal(chain[1]?.subject, sub.certificate.subject);
    const path = await verifyCertificatePath(issued.certificate, { trustAnchors: [root.certificate], intermediates: chain.slice(1), at: new Date() });
    assert.ok(path.ok, path.ok ? '' : path.reason);
    assert.deepEqual(path.path.map((c) => c.subject), [issued.certificate.subject, sub.certificate.subject, root.certificate.subject]);
    // Without the intermediate the path cannot be built.
    const broken = await verifyCertificatePath(issued.certificate, { trustAnchors: [root.certificate], at: new Date() });
    assert.equal(broken.ok, false);
  });

  it('a path through an expired intermediate is refused', async () => {
    const root = await createRootCa({ commonName: 'Joule Root CA', organization: ORG });
    const sub = await createIntermediateCa(root, { commonName: 'Joule Station CA', organization: ORG, validityDays: 30 });
    const issued = await issueFor(sub, 'CP-0001', 10);
    const later = new Date(Date.now() + 40 * DAY);
    const path = await verifyCertificatePath(issued.certificate, { trustAnchors: [root.certificate], intermediates: [sub.certificate], at: later });
    assert.equal(path.ok, false);
    assert.match(path.ok ? '' : path.reason, /not valid at/);
  });

  it('PEM export and import give back a CA that signs certificates the same root trusts', async () => {
    const root = await createRootCa({ commonName: 'Joule Root CA', organization: ORG });
    const sub = await createIntermediateCa(root, { commonName: 'Joule Station CA', organization: ORG });
    const stored = await exportCertificateAuthority(sub);
    assert.match(stored.certificatePem, /^-----BEGIN CERTIFICATE-----/);
    assert.match(stored.privateKeyPem, /^-----BEGIN PRIVATE KEY-----/);
    assert.equal(parseCertificates(stored.issuerChainPem).length, 1);
    const imported = await importCertificateAuthority(JSON.parse(JSON.stringify(stored)));
    assert.equal(imported.certificate.serialNumber, sub.certificate.serialNumber);
    const issued = await issueFor(imported, 'CP-0002');
    const path = await verifyCertificatePath(issued.certificate, { trustAnchors: [root.certificate], intermediates: imported.issuers.concat(imported.certificate), at: new Date() });
    assert.ok(path.ok);
  });

  it('import refuses a private key that does not belong to the certificate, and a certificate that is not a CA', async () => {
    const a = await createRootCa({ commonName: 'A', organization: ORG });
    const b = await createRootCa({ commonName: 'B', organization: ORG });
    const storedA = await exportCertificateAuthority(a);
    const storedB = await exportCertificateAuthority(b);
    await assert.rejects(
      importCertificateAuthority({ ...storedA, privateKeyPem: storedB.privateKeyPem }),
      (error: unknown) => error instanceof PkiInputError && /does not belong/.test(error.message),
    );
    const leaf = await issueFor(a, 'CP-0003');
    await assert.rejects(
      importCertificateAuthority({ ...storedA, certificatePem: leaf.certificatePem }),
      (error: unknown) => error instanceof PkiInputError && /not a CA/.test(error.message),
    );
    await assert.rejects(importCertificateAuthority({ ...storedA, privateKeyPem: 'nonsense' }), PkiInputError);
  });

  it('RSA 2048 CA signs with RSA-PSS and SHA-256 by default ([SEC] §2.6), PKCS #1 v1.5 on request', async () => {
    const pss = await createRootCa({ commonName: 'RSA root', organization: ORG, key: { type: 'RSA', bits: 2048 } });
    assert.equal(signatureName(pss.certificate), 'RSA-PSS');
    assert.equal(pss.certificate.signatureAlgorithm.hash.name, 'SHA-256');
    assert.equal((pss.certificate.publicKey.algorithm as { modulusLength?: number }).modulusLength, 2048);
    const issued = await issueFor(pss, 'CP-RSA');
    assert.equal(signatureName(issued.certificate), 'RSA-PSS');
    assert.equal(await issued.certificate.verify({ publicKey: pss.certificate.publicKey, signatureOnly: true }), true);
    const reimported = await importCertificateAuthority(await exportCertificateAuthority(pss));
    assert.equal(reimported.rsaSignature, 'PSS');
    assert.equal(await (await issueFor(reimported, 'CP-RSA2')).certificate.verify({ publicKey: pss.certificate.publicKey, signatureOnly: true }), true);

    const pkcs1 = await createRootCa({ commonName: 'RSA root', organization: ORG, key: { type: 'RSA', bits: 2048 }, rsaSignature: 'PKCS1' });
    assert.equal(signatureName(pkcs1.certificate), 'RSASSA-PKCS1-v1_5');
  });

  it('RSA 3072 and ECDSA P-384 CAs (P-384 signs with SHA-384)', async () => {
    const rsa = await createRootCa({ commonName: 'RSA 3072 root', organization: ORG, key: { type: 'RSA', bits: 3072 } });
    assert.equal((rsa.certificate.publicKey.algorithm as { modulusLength?: number }).modulusLength, 3072);
    const ec = await createRootCa({ commonName: 'P-384 root', organization: ORG, key: { type: 'EC', curve: 'P-384' } });
    assert.deepEqual(ec.certificate.publicKey.algorithm, { name: 'ECDSA', namedCurve: 'P-384' });
    assert.equal(ec.certificate.signatureAlgorithm.hash.name, 'SHA-384');
  });

  it('bad options are refused with a clear error', async () => {
    await assert.rejects(createRootCa({ commonName: ' ', organization: ORG }), /common name/);
    await assert.rejects(createRootCa({ commonName: 'Root', organization: '' }), /organisation/);
    await assert.rejects(createRootCa({ commonName: 'Root', organization: ORG, validityDays: 0 }), /validity/);
  });
});
