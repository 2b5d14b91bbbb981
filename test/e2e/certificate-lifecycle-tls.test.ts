/**
 * The whole certificate lifecycle over real TLS sockets (A02/A03 with A00 profiles): a profile-2 station is asked to
 * renew (TriggerMessage), sends a real CSR, receives a certificate from Joule's built-in CA in CertificateSigned, and
 * reconnects with it as a profile-3 station. From then on its password alone is a downgrade, a renewed certificate
 * supersedes the old one, and a revoked one is refused at the TLS edge.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { RawStation } from './support/raw-station.ts';
import { BOOT_201 } from './support/ocpp2-station.ts';
import { createTestPki, ORG, type TestPki } from './support/test-pki.ts';
import { eventually, startTestServer, type TestServer } from './support/test-server.ts';
import { stationCsr } from '../unit/security/station-keys.ts';
import { type UpgradeAnswer, upgradeRequest } from './support/raw-upgrade.ts';

const PASSWORD = 'Vh7pQ2mZr9Lx4TcN8wKe';
const STATION = 'CS-LIFE';

function basic(password: string): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${STATION}:${password}`).toString('base64')}` };
}

/** A WebSocket upgrade of the station over TLS: the status (101 when upgraded) and the body of a refusal. */
function upgradeStatus(url: string, tls: Record<string, unknown>, headers: Record<string, string> = {}): Promise<UpgradeAnswer> {
  return upgradeRequest(`${url}/${STATION}`, { tls, headers: { 'Sec-WebSocket-Protocol': 'ocpp2.0.1', ...headers } });
}

interface Renewal {
  chainPem: string;
  keyPem: string;
}

/**
 * Connects, boots, and renews the station's certificate the way the spec has it: the operator triggers
 * SignChargingStationCertificate, the station answers with a SignCertificate carrying a CSR of a fresh key, and Joule
 * sends CertificateSigned, which the station accepts.
 */
async function connectAndRenew(server: TestServer, connect: () => Promise<RawStation>): Promise<Renewal> {
  const station = await connect();
  try {
    const { csrPem, privateKeyPem } = await stationCsr({ commonName: STATION, organization: ORG });
    let signed: ((chain: string) => void) | undefined;
    const delivered = new Promise<string>((resolve) => (signed = resolve));
    station.onCall = (action, payload) => {
      if (action === 'TriggerMessage') {
        setImmediate(() => void station.ok('SignCertificate', { csr: csrPem, certificateType: 'ChargingStationCertificate' })
          .then((answer) => assert.equal(answer.status, 'Accepted', 'the CSR is accepted')));
        return { status: 'Accepted' };
      }
      if (action === 'CertificateSigned') {
        signed?.(payload.certificateChain as string);
        return { status: 'Accepted' };
      }
      return undefined;
    };
    assert.equal((await station.ok('BootNotification', BOOT_201)).status, 'Accepted');
    const trigger = await server.api('POST', `/api/v1/stations/${STATION}/commands/TriggerMessage`, { requestedMessage: 'SignChargingStationCertificate' });
    assert.equal(trigger.status, 200, JSON.stringify(trigger.body));
    const chainPem = await Promise.race([delivered, new Promise<string>((_, reject) => setTimeout(() => reject(new Error('no CertificateSigned')), 10_000))]);
    return { chainPem, keyPem: privateKeyPem };
  } finally {
    await station.close();
  }
}

describe('certificate lifecycle over TLS: SignCertificate, CertificateSigned, reconnect with the new certificate, renewal, revocation', () => {
  let pki: TestPki;
  let server: TestServer;
  let wssUrl: string;
  let trust: { ca: string; servername: string };

  before(async () => {
    pki = await createTestPki();
    // Joule's TLS server certificates come from the test PKI; the station certificates come from Joule's own
    // built-in CA (no JOULE_TLS_CLIENT_CA: station certificates must chain to it).
    const { JOULE_TLS_CLIENT_CA: _unused, ...tlsEnv } = pki.env;
    server = await startTestServer({ ...tlsEnv, JOULE_ALLOW_UNSECURED: 'false', JOULE_CA_ORGANIZATION: ORG });
    wssUrl = `wss://127.0.0.1:${server.tlsPort}/ocpp`;
    trust = { ca: pki.caPem, servername: 'localhost' };
  });

  after(async () => {
    await server?.stop();
    rmSync(pki.dir, { recursive: true, force: true });
  });

  it('A02/A03 with A00.FR.4xx: a profile-2 station gets its certificate from Joule and reconnects with it at profile 3; old, downgraded and revoked credentials are refused', async () => {
    assert.equal((await server.api('PUT', `/api/v1/stations/${STATION}`, { securityProfile: 2, password: PASSWORD })).status, 200);

    // 1. Profile 2 (TLS + password): the first certificate.
    const first = await connectAndRenew(server, () => RawStation.connect(wssUrl, STATION, 'ocpp2.0.1', basic(PASSWORD), trust));
    const installed = await eventually(async () => (await server.api('GET', `/api/v1/stations/${STATION}/certificates`)).body.issued
      .find((c: any) => c.status === 'installed'), 5000, 'the certificate installed in the inventory');
    assert.equal(installed.commonName, STATION);
    assert.equal(installed.organization, ORG);

    // 2. Reconnect with the new certificate and no password: profile 3, and the station is raised to it.
    const withCertificate = { ...trust, cert: first.chainPem, key: first.keyPem };
    const p3 = await RawStation.connect(wssUrl, STATION, 'ocpp2.0.1', {}, withCertificate);
    assert.equal((await p3.ok('BootNotification', BOOT_201)).status, 'Accepted');
    await p3.close();
    assert.equal((await server.api('GET', `/api/v1/stations/${STATION}`)).body.securityProfile, 3);
    const passwordOnly = await upgradeStatus(wssUrl, trust, basic(PASSWORD));
    assert.equal(passwordOnly.status, 403, 'the password alone is a downgrade now');
    assert.match(passwordOnly.body, /client certificate/);

    // 3. Renewal over the profile-3 connection: the new certificate works, the old one is superseded and refused.
    const second = await connectAndRenew(server, () => RawStation.connect(wssUrl, STATION, 'ocpp2.0.1', {}, withCertificate));
    const renewed = { ...trust, cert: second.chainPem, key: second.keyPem };
    await eventually(async () => (await server.api('GET', `/api/v1/certificates?stationId=${STATION}&status=superseded`)).body[0], 5000, 'the first certificate superseded');
    assert.equal((await upgradeStatus(wssUrl, renewed)).status, 101, 'the renewed certificate connects');
    const old = await upgradeStatus(wssUrl, withCertificate);
    assert.equal(old.status, 403, 'the superseded certificate is refused');

    // 4. Revocation: the current certificate is refused at the next connection.
    const current = (await server.api('GET', `/api/v1/certificates?stationId=${STATION}&status=installed`)).body[0];
    assert.equal((await server.api('POST', `/api/v1/certificates/${current.serialNumber}/revoke`, { reason: 'keyCompromise' })).status, 200);
    const revoked = await upgradeStatus(wssUrl, renewed);
    assert.equal(revoked.status, 403);
    assert.match(revoked.body, /revoked/);
  });
});
