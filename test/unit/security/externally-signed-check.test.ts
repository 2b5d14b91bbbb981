import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type CertificateAuthority, createIntermediateCa, createRootCa, issueCertificate } from '../../../src/domain/security/pki/certificate-authority.ts';
import { subjectName } from '../../../src/domain/security/pki/distinguished-name.ts';
import { importExternalAuthority } from '../../../src/domain/security/pki/external-authority.ts';
import { checkExternallySigned, type ExternallySignedResult } from '../../../src/domain/security/pki/externally-signed-check.ts';
import { parseCsr } from '../../../src/domain/security/pki/csr-check.ts';
import { certificatePem, chainPem, sameCertificate } from '../../../src/domain/security/pki/pem.ts';
import { x509 } from '../../../src/domain/security/pki/x509.ts';
import { stationCsr } from './station-keys.ts';

const ORG = 'External Fleet';
const DAY = 86_400_000;

/** What the operator's CA (outside Joule) would do with a CSR; the options make the ways it can go wrong. */
async function signOutside(ca: CertificateAuthority, request: x509.Pkcs10CertificateRequest, options: {
  commonName?: string; ca?: boolean; expired?: boolean; usage?: x509.ExtendedKeyUsageType[];
} = {}): Promise<x509.X509Certificate> {
  const now = Date.now();
  return issueCertificate(ca, {
    subject: options.commonName === undefined ? request.subjectName : subjectName(options.commonName, ORG),
    publicKey: request.publicKey,
    notBefore: new Date(now - (options.expired ? 3 : 1) * DAY),
    notAfter: new Date(options.expired ? now - DAY : now + 365 * DAY),
    extensions: [
      new x509.BasicConstraintsExtension(options.ca ?? false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | (options.ca ? x509.KeyUsageFlags.keyCertSign : 0), true),
      new x509.ExtendedKeyUsageExtension(options.usage ?? [x509.ExtendedKeyUsage.clientAuth], false),
    ],
  });
}

function refused(result: ExternallySignedResult): string {
  assert.equal(result.ok, false, 'refused');
  return result.ok ? '' : result.failure;
}

describe('manual CA mode: the check of a certificate the operator\'s CA signed for a queued CSR', () => {
  let root: CertificateAuthority;
  let issuing: CertificateAuthority;
  let request: x509.Pkcs10CertificateRequest;

  before(async () => {
    root = await createRootCa({ commonName: 'External Root', organization: ORG });
    issuing = await createIntermediateCa(root, { commonName: 'External Issuing CA', organization: ORG });
    const parsed = parseCsr((await stationCsr({ commonName: 'CS-1', organization: ORG })).csrPem);
    assert.ok(typeof parsed !== 'string');
    request = parsed;
  });

  it('accepts the certificate alone when the configured CA is the one that signed it; the chain to send ends below the root', async () => {
    const authority = await importExternalAuthority(certificatePem(issuing.certificate), certificatePem(root.certificate));
    const leaf = await signOutside(issuing, request);
    const result = await checkExternallySigned(certificatePem(leaf), request, authority, new Date());
    assert.ok(result.ok);
    assert.ok(sameCertificate(result.certificate, leaf));
    assert.deepEqual(result.chain.map((c) => c.subject), [leaf.subject, issuing.certificate.subject], 'leaf and issuing CA, no root');
  });

  it('accepts intermediates in the upload when only the root is configured, and leaves the root out of the chain even if uploaded', async () => {
    const authority = await importExternalAuthority(certificatePem(root.certificate), '');
    const leaf = await signOutside(issuing, request);
    const result = await checkExternallySigned(chainPem([leaf, issuing.certificate, root.certificate]), request, authority, new Date());
    assert.ok(result.ok);
    assert.equal(result.chain.length, 2);
    assert.ok(!result.chain.some((c) => sameCertificate(c, root.certificate)));
  });

  it('unreadable: not PEM certificates, or none', async () => {
    const authority = await importExternalAuthority(certificatePem(root.certificate), '');
    assert.equal(refused(await checkExternallySigned('not a certificate', request, authority, new Date())), 'unreadable');
    assert.equal(refused(await checkExternallySigned(request.toString('pem'), request, authority, new Date())), 'unreadable');
  });

  it('key-mismatch: a certificate signed for another CSR (another key) is refused', async () => {
    const authority = await importExternalAuthority(certificatePem(root.certificate), '');
    const other = parseCsr((await stationCsr({ commonName: 'CS-1', organization: ORG })).csrPem) as x509.Pkcs10CertificateRequest;
    const result = await checkExternallySigned(chainPem([await signOutside(issuing, other), issuing.certificate]), request, authority, new Date());
    assert.equal(refused(result), 'key-mismatch');
  });

  it('subject-mismatch: the CA changed the CN Joule checked against the station', async () => {
    const authority = await importExternalAuthority(certificatePem(root.certificate), '');
    const result = await checkExternallySigned(chainPem([await signOutside(issuing, request, { commonName: 'CS-2' }), issuing.certificate]), request, authority, new Date());
    assert.equal(refused(result), 'subject-mismatch');
    assert.match(result.ok ? '' : result.reason, /CN is "CS-2"; the CSR's is "CS-1"/);
  });

  it('is-ca: a CA certificate is not a station certificate', async () => {
    const authority = await importExternalAuthority(certificatePem(root.certificate), '');
    const result = await checkExternallySigned(chainPem([await signOutside(issuing, request, { ca: true }), issuing.certificate]), request, authority, new Date());
    assert.equal(refused(result), 'is-ca');
  });

  it('not-valid-now: an expired certificate', async () => {
    const authority = await importExternalAuthority(certificatePem(root.certificate), '');
    const result = await checkExternallySigned(chainPem([await signOutside(issuing, request, { expired: true }), issuing.certificate]), request, authority, new Date());
    assert.equal(refused(result), 'not-valid-now');
  });

  it('wrong-purpose: an extKeyUsage without clientAuth could not serve as a profile-3 TLS client certificate', async () => {
    const authority = await importExternalAuthority(certificatePem(root.certificate), '');
    const leaf = await signOutside(issuing, request, { usage: [x509.ExtendedKeyUsage.serverAuth] });
    assert.equal(refused(await checkExternallySigned(chainPem([leaf, issuing.certificate]), request, authority, new Date())), 'wrong-purpose');
  });

  it('an extKeyUsage of anyExtendedKeyUsage is accepted, as the TLS edge accepts it for profile 3', async () => {
    const authority = await importExternalAuthority(certificatePem(root.certificate), '');
    const leaf = await signOutside(issuing, request, { usage: ['2.5.29.37.0'] });
    assert.ok((await checkExternallySigned(chainPem([leaf, issuing.certificate]), request, authority, new Date())).ok);
  });

  it('untrusted: signed by another CA, or by the right one without the intermediate that links it to the configured root', async () => {
    const authority = await importExternalAuthority(certificatePem(root.certificate), '');
    const stranger = await createRootCa({ commonName: 'External Issuing CA', organization: ORG });
    assert.equal(refused(await checkExternallySigned(certificatePem(await signOutside(stranger, request)), request, authority, new Date())), 'untrusted');
    assert.equal(refused(await checkExternallySigned(certificatePem(await signOutside(issuing, request)), request, authority, new Date())), 'untrusted');
  });

  it('the configured CA must be a CA whose chain verifies to a self-signed root', async () => {
    const leaf = await signOutside(issuing, request);
    await assert.rejects(importExternalAuthority(certificatePem(leaf), ''), /not a CA certificate/);
    await assert.rejects(importExternalAuthority(certificatePem(issuing.certificate), ''), /not a self-signed root/);
    const otherRoot = await createRootCa({ commonName: 'External Root', organization: ORG });
    await assert.rejects(importExternalAuthority(certificatePem(issuing.certificate), certificatePem(otherRoot.certificate)), /does not verify/);
  });
});
