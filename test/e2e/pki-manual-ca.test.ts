import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CertificateAuthority, createIntermediateCa, createRootCa, issueCertificate } from '../../src/domain/security/pki/certificate-authority.ts';
import { verifyCertificatePath } from '../../src/domain/security/pki/certificate-path.ts';
import { parseCsr } from '../../src/domain/security/pki/csr-check.ts';
import { subjectName } from '../../src/domain/security/pki/distinguished-name.ts';
import { certificatePem, chainPem, parseCertificate, parseCertificates } from '../../src/domain/security/pki/pem.ts';
import { x509 } from '../../src/domain/security/pki/x509.ts';
import { BOOT_201, connectStrictStation, type StrictStation } from './support/ocpp2-station.ts';
import { BOOT_16, RawStation } from './support/raw-station.ts';
import { createTestPki, type TestPki } from './support/test-pki.ts';
import { eventually, startTestServer, type TestServer } from './support/test-server.ts';
import { stationCsr, type StationRequest } from '../unit/security/station-keys.ts';

const ORG = 'External Fleet CPO';
const DAY = 86_400_000;
const ANSWERS = { CertificateSigned: { status: 'Accepted' } };

/** The operator's CA, outside Joule: signs a queued CSR as an external CA would (extKeyUsage clientAuth). */
async function signOutside(ca: CertificateAuthority, csrPem: string, commonName?: string): Promise<x509.X509Certificate> {
  const request = parseCsr(csrPem);
  if (typeof request === 'string') throw new Error(request);
  const now = Date.now();
  return issueCertificate(ca, {
    subject: commonName === undefined ? request.subjectName : subjectName(commonName, ORG),
    publicKey: request.publicKey,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 365 * DAY),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
    ],
  });
}

describe('Manual CA mode (JOULE_CA_MODE=manual): station CSRs wait for the operator\'s own CA, the uploaded certificate is checked and sent', () => {
  let pki: TestPki;
  let root: CertificateAuthority;
  let issuing: CertificateAuthority;
  let server: TestServer;
  let cs201: StrictStation;
  let cp16: StrictStation;
  /** Keeps a plain connection (MAN-201 moves to profile 3 in the second test). */
  let csB: StrictStation;

  before(async () => {
    pki = await createTestPki(); // Joule's TLS server certificates only
    root = await createRootCa({ commonName: 'External Root', organization: ORG });
    issuing = await createIntermediateCa(root, { commonName: 'External Issuing CA', organization: ORG });
    const caFile = join(pki.dir, 'external-issuing.crt');
    const chainFile = join(pki.dir, 'external-root.crt');
    writeFileSync(caFile, certificatePem(issuing.certificate));
    writeFileSync(chainFile, certificatePem(root.certificate));
    const { JOULE_TLS_CLIENT_CA: _clientCa, ...tls } = pki.env; // station certificates: the external CA's root
    server = await startTestServer({ ...tls, JOULE_CA_MODE: 'manual', JOULE_CA_CERT_FILE: caFile, JOULE_CA_CHAIN_FILE: chainFile });
    cs201 = await connectStrictStation(server, 'MAN-201', { answers: { ...ANSWERS } });
    assert.equal((await cs201.call('BootNotification', BOOT_201)).status, 'Accepted');
    cp16 = await connectStrictStation(server, 'MAN-16', { protocol: 'ocpp1.6', answers: { ...ANSWERS } });
    assert.equal((await cp16.call('BootNotification', BOOT_16)).status, 'Accepted');
    csB = await connectStrictStation(server, 'MAN-B', { answers: { ...ANSWERS } });
    assert.equal((await csB.call('BootNotification', BOOT_201)).status, 'Accepted');
  });

  after(async () => {
    await cs201?.close();
    await cp16?.close();
    await csB?.close();
    await server?.stop();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  /** The station sends a CSR (answered Accepted) and the queued entry comes back. */
  async function queued(station: StrictStation, stationId: string, commonName = stationId): Promise<{ csr: StationRequest; entry: any }> {
    const csr = await stationCsr({ commonName, organization: ORG });
    assert.equal((await station.call('SignCertificate', { csr: csr.csrPem })).status, 'Accepted');
    const list = await server.api('GET', `/api/v1/certificate-signing-requests?stationId=${stationId}&status=pending`);
    assert.equal(list.status, 200);
    assert.equal(list.body.length, 1, 'one pending CSR per station and type');
    return { csr, entry: list.body[0] };
  }

  it('the CA route says manual and gives the external root (the TLS edge trusts it for station certificates)', async () => {
    const authority = await server.api('GET', '/api/v1/certificates/authority');
    assert.equal(authority.status, 200);
    assert.equal(authority.body.signing, 'manual');
    assert.equal(authority.body.organization, ORG);
    assert.equal(authority.body.rootCertificatePem, certificatePem(root.certificate));
  });

  it('A02 2.0.1: the CSR is queued, not signed; the uploaded certificate goes out in CertificateSigned, is installed, and the station connects with it in profile 3', async () => {
    const { csr, entry } = await queued(cs201, 'MAN-201');
    assert.equal(entry.commonName, 'MAN-201');
    assert.equal(entry.organization, ORG);
    assert.equal(entry.keyDescription, 'EC P-256');
    assert.equal(entry.status, 'pending');
    assert.match(entry.csrPem, /^-----BEGIN CERTIFICATE REQUEST-----/);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(cs201.requests('CertificateSigned'), [], 'nothing is signed before an operator uploads');

    const leaf = await signOutside(issuing, entry.csrPem);
    const signed = await server.api('POST', `/api/v1/certificate-signing-requests/${entry.id}/certificate`, { certificateChain: certificatePem(leaf) });
    assert.equal(signed.status, 200, JSON.stringify(signed.body));
    assert.equal(signed.body.delivery.outcome, 'completed');
    assert.equal(signed.body.delivery.stationStatus, 'Accepted');
    assert.equal(signed.body.signingRequest.status, 'signed');
    assert.equal(signed.body.signingRequest.decidedBy, 'admin');
    assert.equal(signed.body.certificate.status, 'installed');
    assert.equal(signed.body.signingRequest.certificateFingerprint, signed.body.certificate.fingerprintSha256);

    const sent = cs201.requests('CertificateSigned');
    assert.equal(sent.length, 1);
    assert.equal(sent[0].certificateType, 'ChargingStationCertificate');
    const chain = parseCertificates(sent[0].certificateChain);
    assert.deepEqual(chain.map((c) => c.subject), [leaf.subject, issuing.certificate.subject], 'the certificate and the issuing CA, without the root');
    const path = await verifyCertificatePath(chain[0]!, { trustAnchors: [root.certificate], intermediates: chain.slice(1), at: new Date() });
    assert.ok(path.ok, 'the chain verifies to the external root');
    assert.deepEqual(await server.checkClientCertificate('MAN-201', Buffer.from(leaf.rawData)), { accepted: true });

    // Profile 3 over TLS with the key the station generated and the certificate the operator's CA signed.
    const clientTls = { ca: pki.caPem, servername: 'localhost', cert: chainPem(chain), key: csr.privateKeyPem };
    const tls = await RawStation.connect(`wss://127.0.0.1:${server.tlsPort}/ocpp`, 'MAN-201', 'ocpp2.0.1', {}, clientTls);
    assert.equal((await tls.ok('BootNotification', BOOT_201)).status, 'Accepted');
    await tls.close();
    assert.deepEqual(cs201.failures, []);
  });

  it('1.6 security extension: the same queue; CertificateSigned carries the chain only', async () => {
    const { entry } = await queued(cp16, 'MAN-16');
    const leaf = await signOutside(issuing, entry.csrPem);
    const signed = await server.api('POST', `/api/v1/certificate-signing-requests/${entry.id}/certificate`, { certificateChain: chainPem([leaf, issuing.certificate]) });
    assert.equal(signed.status, 200, JSON.stringify(signed.body));
    assert.equal(signed.body.delivery.stationStatus, 'Accepted');
    const sent = cp16.requests('CertificateSigned');
    assert.deepEqual(Object.keys(sent[0]), ['certificateChain']);
    assert.equal(parseCertificate(sent[0].certificateChain).subject, leaf.subject);
  });

  it('a station\'s newer CSR supersedes its pending one: only the newer can be signed; the SSE event names what it superseded', async () => {
    const first = await queued(csB, 'MAN-B');
    const events = await fetch(`${server.url}/api/v1/events?types=certificate.signing-request`, { headers: { authorization: 'Bearer test-admin-token' } });
    const reader = events.body!.getReader();
    await reader.read();
    const second = await queued(csB, 'MAN-B');
    let text = '';
    const event = await eventually(async () => {
      text += Buffer.from((await reader.read()).value ?? []).toString('utf8');
      const match = /data: (.*)\n/.exec(text);
      return match ? JSON.parse(match[1]!) : undefined;
    }, 5000, 'certificate.signing-request event');
    await reader.cancel();
    assert.equal(event.type, 'certificate.signing-request');
    assert.equal(event.data.id, second.entry.id);
    assert.deepEqual(event.data.superseded, [first.entry.id]);

    const old = await server.api('GET', `/api/v1/certificate-signing-requests/${first.entry.id}`);
    assert.equal(old.body.status, 'superseded');
    assert.equal(old.body.reason, second.entry.id);
    const late = await server.api('POST', `/api/v1/certificate-signing-requests/${first.entry.id}/certificate`, {
      certificateChain: certificatePem(await signOutside(issuing, first.entry.csrPem)),
    });
    assert.equal(late.status, 409);
    assert.match(late.body.error.message, /superseded by the station's newer CSR/);
    // Leave MAN-B with nothing pending for the next tests.
    assert.equal((await server.api('POST', `/api/v1/certificate-signing-requests/${second.entry.id}/reject`, { reason: 'test' })).status, 200);
  });

  it('uploads that do not fit the CSR are refused with the check that failed, and the CSR stays pending', async () => {
    const { entry } = await queued(csB, 'MAN-B');
    const other = await stationCsr({ commonName: 'MAN-B', organization: ORG });
    const stranger = await createRootCa({ commonName: 'Someone Else', organization: ORG });
    const cases: [string, string][] = [
      [certificatePem(await signOutside(issuing, other.csrPem)), 'key-mismatch'],
      [certificatePem(await signOutside(issuing, entry.csrPem, 'MAN-999')), 'subject-mismatch'],
      [certificatePem(await signOutside(stranger, entry.csrPem)), 'untrusted'],
      ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'unreadable'],
    ];
    for (const [certificateChain, failure] of cases) {
      const answer = await server.api('POST', `/api/v1/certificate-signing-requests/${entry.id}/certificate`, { certificateChain });
      assert.equal(answer.status, 400, failure);
      assert.match(answer.body.error.message, new RegExp(`^${failure}: `));
    }
    assert.equal((await server.api('GET', `/api/v1/certificate-signing-requests/${entry.id}`)).body.status, 'pending');
    assert.deepEqual(csB.requests('CertificateSigned'), [], 'nothing was sent');
  });

  it('reject: the CSR is closed with the operator\'s reason, recorded for the station; it cannot be signed or rejected again', async () => {
    const entry = (await server.api('GET', '/api/v1/certificate-signing-requests?stationId=MAN-B&status=pending')).body[0];
    const rejected = await server.api('POST', `/api/v1/certificate-signing-requests/${entry.id}/reject`, { reason: 'unknown hardware batch' });
    assert.equal(rejected.status, 200);
    assert.equal(rejected.body.status, 'rejected');
    assert.equal(rejected.body.reason, 'unknown hardware batch');
    assert.equal(rejected.body.decidedBy, 'admin');
    assert.equal((await server.api('POST', `/api/v1/certificate-signing-requests/${entry.id}/reject`, { reason: 'again' })).status, 409);
    const signAfter = await server.api('POST', `/api/v1/certificate-signing-requests/${entry.id}/certificate`, { certificateChain: certificatePem(await signOutside(issuing, entry.csrPem)) });
    assert.equal(signAfter.status, 409);
    assert.match(signAfter.body.error.message, /rejected at .* by admin/);
    const notifications = await server.api('GET', '/api/v1/stations/MAN-B/notifications');
    assert.ok(JSON.stringify(notifications.body).includes('certificate.signing-request-rejected'));
    assert.equal((await server.api('GET', '/api/v1/certificate-signing-requests/no-such-id')).status, 404);
  });

  it('a station that is offline gets nothing: 409 station_offline, the CSR stays pending for when it is back', async () => {
    const station = await connectStrictStation(server, 'MAN-OFF', { answers: { ...ANSWERS } });
    assert.equal((await station.call('BootNotification', BOOT_201)).status, 'Accepted');
    const { entry } = await queued(station, 'MAN-OFF');
    await station.close();
    await eventually(async () => !(await server.domain.bus.isOnline('MAN-OFF')), 5000, 'offline');
    const answer = await server.api('POST', `/api/v1/certificate-signing-requests/${entry.id}/certificate`, { certificateChain: certificatePem(await signOutside(issuing, entry.csrPem)) });
    assert.equal(answer.status, 409);
    assert.equal(answer.body.error.code, 'station_offline');
    assert.equal((await server.api('GET', `/api/v1/certificate-signing-requests/${entry.id}`)).body.status, 'pending');
  });
});
