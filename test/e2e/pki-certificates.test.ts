import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { verifyCertificatePath } from '../../src/domain/security/pki/certificate-path.ts';
import { createRootCa, issueCertificate } from '../../src/domain/security/pki/certificate-authority.ts';
import { parseCertificate, parseCertificates } from '../../src/domain/security/pki/pem.ts';
import { singleNameField } from '../../src/domain/security/pki/distinguished-name.ts';
import { validityWindow } from '../../src/domain/security/pki/validity.ts';
import { x509 } from '../../src/domain/security/pki/x509.ts';
import { BOOT_201, connectStrictStation, type StrictStation } from './support/ocpp2-station.ts';
import { BOOT_16 } from './support/raw-station.ts';
import { eventually, startTestServer, TEST_TOKEN, type TestServer } from './support/test-server.ts';
import { stationCsr, tamperedSignature } from '../unit/security/station-keys.ts';

const ROOT_ANSWERS = {
  CertificateSigned: { status: 'Accepted' },
  ExtendedTriggerMessage: { status: 'Accepted' },
  TriggerMessage: { status: 'Accepted' },
  InstallCertificate: { status: 'Accepted' },
  DeleteCertificate: { status: 'Accepted' },
};

function der(pem: string): Buffer {
  return Buffer.from(parseCertificate(pem).rawData);
}

/** Reads the SSE stream until an event of `type` comes (or the time is up). */
async function nextSseEvent(server: TestServer, type: string, trigger: () => Promise<void>): Promise<any> {
  const controller = new AbortController();
  const response = await fetch(`${server.url}/api/v1/events?types=${type}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` }, signal: controller.signal });
  const reader = response.body!.getReader();
  await reader.read(); // the opening comment: subscribed
  await trigger();
  let text = '';
  const deadline = Date.now() + 5000;
  try {
    while (Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
      const match = /data: (.*)\n/.exec(text);
      if (match) return JSON.parse(match[1]!);
    }
  } finally {
    controller.abort();
  }
  throw new Error(`no ${type} event`);
}

describe('PKI: SignCertificate -> CertificateSigned, inventory, renewal, revocation and binding, root certificates, security alerts', () => {
  let server: TestServer;
  let webhook: Server;
  const webhookBodies: any[] = [];
  let cp16: StrictStation;
  let cs201: StrictStation;
  let rootPem: string;

  before(async () => {
    webhook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        webhookBodies.push(JSON.parse(body));
        res.writeHead(webhookBodies.length === 1 ? 503 : 204).end(); // the first delivery fails: retried
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    server = await startTestServer({
      JOULE_CERT_VALIDITY_DAYS: '10', // inside the 30-day renewal window at once
      JOULE_SECURITY_ALERT_WEBHOOK: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`,
    });
    cp16 = await connectStrictStation(server, 'PKI-16', { protocol: 'ocpp1.6', answers: { ...ROOT_ANSWERS } });
    assert.equal((await cp16.call('BootNotification', BOOT_16)).status, 'Accepted');
    cs201 = await connectStrictStation(server, 'PKI-201', { answers: { ...ROOT_ANSWERS } });
    assert.equal((await cs201.call('BootNotification', BOOT_201)).status, 'Accepted');
    const authority = await server.api('GET', '/api/v1/certificates/authority');
    assert.equal(authority.body.configured, true);
    assert.equal(authority.body.organization, 'Joule');
    rootPem = authority.body.rootCertificatePem;
  });
  after(async () => {
    await cp16?.close();
    await cs201?.close();
    await server?.stop();
    webhook?.close();
  });

  async function signedFor(station: StrictStation, commonName: string, certificateType?: string): Promise<{ chain: any; leaf: x509.X509Certificate }> {
    const before = station.requests('CertificateSigned').length;
    const { csrPem } = await stationCsr({ commonName, organization: 'Joule' });
    const answer = await station.call('SignCertificate', { csr: csrPem, ...(certificateType ? { certificateType } : {}) });
    assert.equal(answer.status, 'Accepted');
    const chain = await eventually(() => station.requests('CertificateSigned')[before], 5000, 'CertificateSigned');
    const leaf = parseCertificates(chain.certificateChain)[0]!;
    const path = await verifyCertificatePath(leaf, { trustAnchors: [parseCertificate(rootPem)], intermediates: parseCertificates(chain.certificateChain).slice(1), at: new Date() });
    assert.ok(path.ok, 'the chain verifies against Joule\'s CA root');
    assert.equal(singleNameField(leaf.subjectName, 'CN'), commonName);
    assert.equal(singleNameField(leaf.subjectName, 'O'), 'Joule');
    return { chain, leaf };
  }

  async function installedCertificate(stationId: string): Promise<any> {
    return eventually(async () => (await server.api('GET', `/api/v1/stations/${stationId}/certificates`)).body.issued.find((c: any) => c.status === 'installed'), 5000, 'installed');
  }

  it('A02 1.6: a real CSR (CN = identity, O = CpoName) is Accepted, CertificateSigned carries a chain to the CA, the inventory shows it installed', async () => {
    const { chain, leaf } = await signedFor(cp16, 'PKI-16');
    assert.deepEqual(Object.keys(chain), ['certificateChain'], '1.6 CertificateSigned has the chain only');
    const installed = await installedCertificate('PKI-16');
    assert.equal(installed.serialNumber, leaf.serialNumber.replace(/^0+/, '').toLowerCase());
    assert.equal(installed.commonName, 'PKI-16');
    assert.ok(Date.parse(installed.notAfter) - Date.now() < 11 * 86_400_000);
    assert.deepEqual(await server.checkClientCertificate('PKI-16', der(installed.pem)), { accepted: true });
    assert.deepEqual(cp16.failures, []);
  });

  it('A02 2.0.1: CN = the BootNotification serial number, CertificateSigned has certificateType ChargingStationCertificate', async () => {
    const { chain } = await signedFor(cs201, 'SN-201', 'ChargingStationCertificate');
    assert.equal(chain.certificateType, 'ChargingStationCertificate');
    const installed = await installedCertificate('PKI-201');
    assert.equal(installed.commonName, 'SN-201');
    const listed = await server.api('GET', '/api/v1/certificates?status=installed&stationId=PKI-201');
    assert.equal(listed.body.length, 1);
    assert.deepEqual(cs201.failures, []);
  });

  it('CSRs with the wrong O, a too-small key or a bad signature are Rejected, each a security event; V2G is declined', async () => {
    const wrongO = await stationCsr({ commonName: 'PKI-16', organization: 'Other CPO' });
    const small = await stationCsr({ commonName: 'PKI-16', organization: 'Joule', key: { type: 'RSA', bits: 1024 } });
    const good = await stationCsr({ commonName: 'PKI-16', organization: 'Joule' });
    for (const csr of [wrongO.csrPem, small.csrPem, tamperedSignature(good.csrPem)]) {
      assert.equal((await cp16.call('SignCertificate', { csr })).status, 'Rejected');
    }
    const events = await server.api('GET', '/api/v1/security-events?stationId=PKI-16&type=CertificateSigningRequestRejected');
    assert.equal(events.status, 200);
    assert.equal(events.body.length, 3);
    assert.ok(events.body.every((e: any) => e.source === 'csms' && e.critical === false));
    assert.ok(events.body.some((e: any) => e.techInfo.startsWith('wrong-organization')));
    assert.ok(events.body.some((e: any) => e.techInfo.startsWith('key-not-allowed')));
    assert.ok(events.body.some((e: any) => e.techInfo.startsWith('bad-signature')));
    const v2g = await stationCsr({ commonName: 'SN-201', organization: 'Joule' });
    assert.equal((await cs201.call('SignCertificate', { csr: v2g.csrPem, certificateType: 'V2GCertificate' })).status, 'Rejected');
  });

  it('renewal: a certificate expiring within JOULE_CERT_RENEW_DAYS is renewed by a trigger, at most once a day', async () => {
    const asked = await server.domain.certificates.renewDue();
    assert.deepEqual(asked.sort(), ['PKI-16', 'PKI-201']);
    assert.deepEqual(cp16.requests('ExtendedTriggerMessage'), [{ requestedMessage: 'SignChargePointCertificate' }]);
    assert.deepEqual(cs201.requests('TriggerMessage'), [{ requestedMessage: 'SignChargingStationCertificate' }]);
    assert.deepEqual(await server.domain.certificates.renewDue(), [], 'not again the same day');
    const installed = await installedCertificate('PKI-16');
    assert.ok(installed.renewalRequestedAt);
  });

  it('binding: a renewed station refuses its superseded certificate; a certificate of another station, or one Joule never issued, is refused', async () => {
    const old = await installedCertificate('PKI-16');
    const { leaf } = await signedFor(cp16, 'PKI-16'); // the station answers the trigger with a new CSR
    const current = await eventually(async () => {
      const issued = (await server.api('GET', '/api/v1/stations/PKI-16/certificates')).body.issued;
      return issued.find((c: any) => c.status === 'installed' && c.fingerprintSha256 !== old.fingerprintSha256);
    }, 5000, 'the new certificate installed');
    assert.equal(current.serialNumber, leaf.serialNumber.replace(/^0+/, '').toLowerCase());
    assert.equal((await server.api('GET', `/api/v1/certificates?stationId=PKI-16&status=superseded`)).body[0].fingerprintSha256, old.fingerprintSha256);
    assert.deepEqual(await server.checkClientCertificate('PKI-16', der(current.pem)), { accepted: true });
    const superseded = await server.checkClientCertificate('PKI-16', der(old.pem));
    assert.equal(superseded.accepted, false);
    const otherStation = await server.checkClientCertificate('PKI-201', der(current.pem));
    assert.equal(otherStation.accepted, false);
    assert.match(otherStation.reason!, /issued to station PKI-16/);

    const external = await createRootCa({ commonName: 'Vendor CA', organization: 'Vendor' });
    const keys = await globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const foreign = await issueCertificate(external, { subject: [{ CN: ['PKI-16'] }], publicKey: keys.publicKey, ...validityWindow(30, new Date()), extensions: [] });
    assert.equal((await server.checkClientCertificate('PKI-16', Buffer.from(foreign.rawData))).accepted, false, 'binding: PKI-16 holds a Joule certificate');
    assert.deepEqual(await server.checkClientCertificate('PKI-NEW', Buffer.from(foreign.rawData)), { accepted: true }, 'an external CA\'s certificate for a station without one');
  });

  it('revocation: POST /certificates/{serial}/revoke, then the check refuses the certificate', async () => {
    const current = await installedCertificate('PKI-201');
    const revoked = await server.api('POST', `/api/v1/certificates/${current.serialNumber}/revoke`, { reason: 'keyCompromise' });
    assert.equal(revoked.status, 200);
    assert.equal(revoked.body[0].status, 'revoked');
    assert.equal(revoked.body[0].revocationReason, 'keyCompromise');
    const check = await server.checkClientCertificate('PKI-201', der(current.pem));
    assert.equal(check.accepted, false);
    assert.match(check.reason!, /revoked/);
    assert.equal((await server.api('POST', '/api/v1/certificates/abcdef/revoke', {})).status, 404);
  });

  it('M05/M03/M04: a root certificate is installed, listed from the station\'s answer, and deleted by its hash data', async () => {
    const install = await server.api('POST', '/api/v1/stations/PKI-201/certificates/install', { certificateType: 'CSMSRootCertificate', certificate: rootPem });
    assert.equal(install.status, 200, JSON.stringify(install.body));
    assert.equal(install.body.stationStatus, 'Accepted');
    assert.equal(cs201.requests('InstallCertificate')[0].certificateType, 'CSMSRootCertificate');
    let held = (await server.api('GET', '/api/v1/stations/PKI-201/certificates')).body.held;
    assert.equal(held.length, 1);
    assert.equal(held[0].source, 'installed');
    const hashData = held[0].hashData;

    cs201.answers.GetInstalledCertificateIds = { status: 'Accepted', certificateHashDataChain: [{ certificateType: 'CSMSRootCertificate', certificateHashData: { ...hashData, issuerKeyHash: hashData.issuerKeyHash.toUpperCase() } }] };
    const refresh = await server.api('POST', '/api/v1/stations/PKI-201/certificates/refresh', { certificateType: 'CSMSRootCertificate' });
    assert.equal(refresh.status, 200, JSON.stringify(refresh.body));
    assert.deepEqual(refresh.body.certificates.map((c: any) => c.hashData), [hashData], 'the station\'s hash data matches the installed one');

    const install16 = await server.api('POST', '/api/v1/stations/PKI-16/certificates/install', { certificateType: 'CSMSRootCertificate', certificate: rootPem });
    assert.equal(install16.body.stationStatus, 'Accepted');
    assert.equal(cp16.requests('InstallCertificate')[0].certificateType, 'CentralSystemRootCertificate');
    assert.equal((await server.api('POST', '/api/v1/stations/PKI-16/certificates/install', { certificateType: 'V2GRootCertificate', certificate: rootPem })).status, 400, '1.6 has no V2G roots');

    const removed = await server.api('POST', '/api/v1/stations/PKI-201/certificates/delete', { certificateHashData: hashData });
    assert.equal(removed.body.stationStatus, 'Accepted');
    assert.deepEqual(cs201.requests('DeleteCertificate')[0], { certificateHashData: hashData });
    held = (await server.api('GET', '/api/v1/stations/PKI-201/certificates')).body.held;
    assert.deepEqual(held, []);
    assert.deepEqual(cs201.failures, []);
    assert.deepEqual(cp16.failures, []);
  });

  it('A04 a critical security event is stored, streamed as security.alert, and POSTed to the webhook (retried)', async () => {
    const alert = await nextSseEvent(server, 'security.alert', async () => {
      assert.deepEqual(await cs201.call('SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: '2026-11-21T08:00:00.000Z', techInfo: 'door' }), {});
    });
    assert.equal(alert.stationId, 'PKI-201');
    assert.equal(alert.data.type, 'TamperDetectionActivated');
    await cs201.call('SecurityEventNotification', { type: 'InvalidMessages', timestamp: '2026-11-21T08:01:00.000Z' });
    const critical = await server.api('GET', '/api/v1/security-events?critical=true&stationId=PKI-201');
    assert.deepEqual(critical.body.map((e: any) => [e.type, e.source, e.techInfo]), [['TamperDetectionActivated', 'station', 'door']]);
    const window = await server.api('GET', '/api/v1/security-events?stationId=PKI-201&from=2026-11-21T08:00:30Z&to=2026-11-21T09:00:00Z');
    assert.deepEqual(window.body.map((e: any) => e.type), ['InvalidMessages']);
    await eventually(() => webhookBodies.length >= 2, 8000, 'webhook retried');
    const delivered = webhookBodies;
    assert.equal(delivered[1].event, 'security.alert');
    assert.equal(delivered[1].stationId, 'PKI-201');
    assert.equal(delivered[1].type, 'TamperDetectionActivated');
  });
});

describe('PKI with the simulator: 1.6 and 2.0.1 simulated stations send real CSRs and keep the certificate and key', () => {
  it('a trigger makes each simulated station renew: its certificate is installed in the inventory and held with its private key', async () => {
    const { SimStation } = await import('../../src/sim/sim-station.ts');
    const { SimStation201 } = await import('../../src/sim/v201/sim-station-201.ts');
    const server = await startTestServer();
    const sim16 = new SimStation({ url: server.wsUrl, id: 'SIM-PKI-16', stepDelayMs: 5, callTimeoutMs: 5000 });
    const sim201 = new SimStation201({ url: server.wsUrl, id: 'SIM-PKI-201', stepDelayMs: 5, callTimeoutMs: 5000 });
    try {
      sim16.start();
      sim201.start();
      await eventually(async () => (await server.api('GET', '/api/v1/stations/SIM-PKI-16')).body?.online && (await server.api('GET', '/api/v1/stations/SIM-PKI-201')).body?.registrationStatus === 'Accepted', 10_000, 'both online');
      const t16 = await server.api('POST', '/api/v1/stations/SIM-PKI-16/commands/ExtendedTriggerMessage', { requestedMessage: 'SignChargePointCertificate' });
      assert.equal(t16.body.response?.status, 'Accepted', JSON.stringify(t16.body));
      const t201 = await server.api('POST', '/api/v1/stations/SIM-PKI-201/commands/TriggerMessage', { requestedMessage: 'SignChargingStationCertificate' });
      assert.equal(t201.body.response?.status, 'Accepted', JSON.stringify(t201.body));
      for (const [id, sim, cn] of [['SIM-PKI-16', sim16, 'SIM-PKI-16'], ['SIM-PKI-201', sim201, sim201.serialNumber]] as const) {
        const installed = await eventually(async () => (await server.api('GET', `/api/v1/stations/${id}/certificates`)).body.issued.find((c: any) => c.status === 'installed'), 10_000, `${id} installed`);
        assert.equal(installed.commonName, cn);
        const held = sim.certificates.chargePointCertificate!;
        assert.equal(parseCertificates(held)[0]!.serialNumber.replace(/^0+/, '').toLowerCase(), installed.serialNumber);
        // The key the station keeps belongs to the certificate it received.
        const { createPrivateKey, createPublicKey } = await import('node:crypto');
        const fromKey = createPublicKey(createPrivateKey(sim.certificates.privateKeyPem!)).export({ type: 'spki', format: 'der' });
        assert.deepEqual(Buffer.from(fromKey), Buffer.from(parseCertificate(held).publicKey.rawData));
        assert.deepEqual(await server.checkClientCertificate(id, der(installed.pem)), { accepted: true });
      }
    } finally {
      await sim16.stop();
      await sim201.stop();
      await server.stop();
    }
  });
});
