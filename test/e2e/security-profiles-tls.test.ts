/**
 * Security profiles 2 and 3 over real TLS (reference §3.1-3.4), with certificates the test makes: Joule's TLS
 * listener with an ECDSA and an RSA server certificate, stations with passwords or client certificates, and the
 * downgrades, bad certificates and proxy headers that must be refused.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { rmSync } from 'node:fs';
import type WebSocket from 'ws';
import { createRootCa } from '../../src/domain/security/pki/certificate-authority.ts';
import { normaliseSerialNumber } from '../../src/domain/security/pki/serial-number.ts';
import { BOOT_16, RawStation } from './support/raw-station.ts';
import { BOOT_201 } from './support/ocpp2-station.ts';
import { createTestPki, ORG, stationCertificate, type StationCertificate, type TestPki } from './support/test-pki.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';
import { type UpgradeAnswer, upgradeRequest } from './support/raw-upgrade.ts';

const PASSWORD = 'Kq3vT9xLm2Rp8ZwB4nYd'; // 20 characters: valid as a 1.6 AuthorizationKey and a 2.x BasicAuthPassword

function basic(user: string, password: string): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/** A WebSocket upgrade over ws or wss; the HTTP status (101 when upgraded) and body. */
function upgrade(url: string, stationId: string, options: { headers?: Record<string, string>; tls?: Record<string, unknown>; protocol?: string } = {}): Promise<UpgradeAnswer> {
  return upgradeRequest(`${url}/${encodeURIComponent(stationId)}`, {
    headers: { 'Sec-WebSocket-Protocol': options.protocol ?? 'ocpp1.6', ...(options.headers ?? {}) },
    ...(options.tls === undefined ? {} : { tls: options.tls }),
  });
}

function tlsSocket(station: RawStation): TLSSocket {
  return (station.ws as WebSocket & { _socket: TLSSocket })._socket;
}

describe('security profiles 2 and 3 on the TLS listener', () => {
  let pki: TestPki;
  let server: TestServer;
  let wssUrl: string;
  const revoked = new Set<string>();
  const checked: string[] = [];
  let trust: { ca: string; servername: string };

  before(async () => {
    pki = await createTestPki();
    server = await startTestServer({ ...pki.env, JOULE_ALLOW_UNSECURED: 'false' }, undefined, {
      clientCertificateCheck: async (stationId, der) => {
        const serial = normaliseSerialNumber(new X509Certificate(der).serialNumber);
        checked.push(stationId);
        return revoked.has(serial) ? { accepted: false, reason: `certificate ${serial} is revoked` } : { accepted: true };
      },
    });
    assert.ok(server.tlsPort);
    wssUrl = `wss://127.0.0.1:${server.tlsPort}/ocpp`;
    trust = { ca: pki.caPem, servername: 'localhost' };
  });

  after(async () => {
    await server.stop();
    rmSync(pki.dir, { recursive: true, force: true });
  });

  it('A00.FR.3xx: a profile 2 station (1.6 and 2.0.1) connects with its password over TLS 1.2 and TLS 1.3', async () => {
    assert.equal((await server.api('PUT', '/api/v1/stations/CP-P2', { securityProfile: 2, password: PASSWORD })).status, 200);
    assert.equal((await server.api('PUT', '/api/v1/stations/CS-P2', { securityProfile: 2, password: PASSWORD })).status, 200);
    for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
      const st16 = await RawStation.connect(wssUrl, 'CP-P2', 'ocpp1.6', basic('CP-P2', PASSWORD), { ...trust, minVersion: version, maxVersion: version });
      assert.equal(tlsSocket(st16).getProtocol(), version);
      assert.equal((await st16.ok('BootNotification', BOOT_16)).status, 'Accepted');
      await st16.close();
      const st201 = await RawStation.connect(wssUrl, 'CS-P2', 'ocpp2.0.1', basic('CS-P2', PASSWORD), { ...trust, minVersion: version, maxVersion: version });
      assert.equal(st201.protocol, 'ocpp2.0.1');
      assert.equal((await st201.ok('BootNotification', BOOT_201)).status, 'Accepted');
      await st201.close();
    }
    const wrong = await upgrade(wssUrl, 'CP-P2', { headers: basic('CP-P2', 'Kq3vT9xLm2Rp8ZwB4nYe'), tls: trust });
    assert.equal(wrong.status, 401, 'a wrong password over TLS');
    assert.equal((await upgrade(wssUrl, 'CP-P2', { tls: trust })).status, 401, 'no password over TLS');
  });

  it('A00.FR.317/318: the four TLS 1.2 suites are served, with the ECDSA or the RSA certificate as the suite needs; nothing older than TLS 1.2', async () => {
    await server.api('PUT', '/api/v1/stations/CP-SUITES', { securityProfile: 2, password: PASSWORD });
    for (const suite of ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'AES128-GCM-SHA256', 'AES256-GCM-SHA384']) {
      const st = await RawStation.connect(wssUrl, 'CP-SUITES', 'ocpp1.6', basic('CP-SUITES', PASSWORD), { ...trust, maxVersion: 'TLSv1.2', ciphers: suite });
      const socket = tlsSocket(st);
      assert.equal(socket.getCipher().name, suite);
      assert.equal(socket.getPeerX509Certificate()?.publicKey.asymmetricKeyType, suite.startsWith('ECDHE-ECDSA') ? 'ec' : 'rsa');
      await st.close();
    }
    await assert.rejects(upgrade(wssUrl, 'CP-SUITES', { tls: { ...trust, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' } }), 'TLS 1.1 is refused in the handshake');
    await assert.rejects(
      upgrade(wssUrl, 'CP-SUITES', { tls: { ...trust, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA' } }),
      'a suite outside the spec’s list is refused',
    );
  });

  it('A00.FR.4xx: a profile 3 station with a certificate of the configured CA and CN = its identity connects without a password', async () => {
    const cert = await stationCertificate(pki.ca, 'CP-P3');
    await server.api('PUT', '/api/v1/stations/CP-P3', { securityProfile: 3 });
    const st = await RawStation.connect(wssUrl, 'CP-P3', 'ocpp1.6', {}, { ...trust, cert: cert.certPem, key: cert.keyPem });
    assert.equal((await st.ok('BootNotification', BOOT_16)).status, 'Accepted');
    assert.ok(checked.includes('CP-P3'), 'the certificate hook was asked');
    await st.close();
    // The same with the RSA station key over TLS 1.3.
    const rsa = await stationCertificate(pki.ca, 'CP-P3', { key: { type: 'RSA', bits: 2048 } });
    const st2 = await RawStation.connect(wssUrl, 'CP-P3', 'ocpp2.0.1', {}, { ...trust, cert: rsa.certPem, key: rsa.keyPem, minVersion: 'TLSv1.3' });
    assert.equal((await st2.ok('BootNotification', BOOT_201)).status, 'Accepted');
    await st2.close();
  });

  it('A00.FR.405: a certificate of another CA, an expired one, one with the wrong CN and a revoked one are refused with 403', async () => {
    await server.api('PUT', '/api/v1/stations/CP-BAD', { securityProfile: 3 });
    const other = await createRootCa({ commonName: 'Joule Test Root', organization: ORG });
    const refusals: [string, StationCertificate, RegExp][] = [
      ['another CA', await stationCertificate(other, 'CP-BAD'), /not issued under a trusted CA/],
      ['expired', await stationCertificate(pki.ca, 'CP-BAD', { expired: true }), /expired/],
      ['wrong CN', await stationCertificate(pki.ca, 'CP-OTHER'), /CN "CP-OTHER"/],
    ];
    const toRevoke = await stationCertificate(pki.ca, 'CP-BAD');
    revoked.add(toRevoke.serialNumber);
    refusals.push(['revoked', toRevoke, /revoked/]);
    for (const [what, cert, reason] of refusals) {
      const answer = await upgrade(wssUrl, 'CP-BAD', { tls: { ...trust, cert: cert.certPem, key: cert.keyPem } });
      assert.equal(answer.status, 403, what);
      assert.match(answer.body, reason, what);
    }
    assert.equal((await server.api('GET', '/api/v1/stations/CP-BAD')).body.online, false);
  });

  it('A00.FR.002: downgrades are refused: profile 2/3 on plain ws, profile 3 over TLS without a client certificate', async () => {
    await server.api('PUT', '/api/v1/stations/CP-DOWN2', { securityProfile: 2, password: PASSWORD });
    await server.api('PUT', '/api/v1/stations/CP-DOWN3', { securityProfile: 3, password: PASSWORD });
    const plain2 = await upgrade(server.wsUrl, 'CP-DOWN2', { headers: basic('CP-DOWN2', PASSWORD) });
    assert.equal(plain2.status, 403);
    assert.match(plain2.body, /profile 2 needs TLS/);
    const cert = await stationCertificate(pki.ca, 'CP-DOWN3');
    assert.equal((await upgrade(server.wsUrl, 'CP-DOWN3', { headers: basic('CP-DOWN3', PASSWORD) })).status, 403, 'profile 3 on ws');
    const noCert = await upgrade(wssUrl, 'CP-DOWN3', { headers: basic('CP-DOWN3', PASSWORD), tls: trust });
    assert.equal(noCert.status, 403, 'profile 3 with only a password');
    assert.match(noCert.body, /needs a client certificate/);
    assert.equal((await upgrade(wssUrl, 'CP-DOWN3', { tls: { ...trust, cert: cert.certPem, key: cert.keyPem } })).status, 101);
  });

  it('unsecured stations are off by default: a station with no profile and no password is refused; one explicitly at 0 is let in', async () => {
    assert.equal((await upgrade(server.wsUrl, 'CP-UNKNOWN')).status, 401);
    await server.api('PUT', '/api/v1/stations/CP-ZERO', { securityProfile: 0 });
    assert.equal((await upgrade(server.wsUrl, 'CP-ZERO')).status, 101);
  });

  it('A00.FR.005, A05.FR.09: profiles only go up: PUT lowering is 409, a station that proved a higher profile is raised and its lower one refused', async () => {
    await server.api('PUT', '/api/v1/stations/CP-UP', { securityProfile: 1, password: PASSWORD });
    assert.equal((await upgrade(server.wsUrl, 'CP-UP', { headers: basic('CP-UP', PASSWORD) })).status, 101, 'profile 1 on ws');
    assert.equal((await upgrade(wssUrl, 'CP-UP', { headers: basic('CP-UP', PASSWORD), tls: trust })).status, 101, 'the same over TLS');
    assert.equal((await server.api('GET', '/api/v1/stations/CP-UP')).body.securityProfile, 2, 'raised to 2');
    assert.equal((await upgrade(server.wsUrl, 'CP-UP', { headers: basic('CP-UP', PASSWORD) })).status, 403, 'plain ws no longer');

    const lower = await server.api('PUT', '/api/v1/stations/CP-UP', { securityProfile: 1 });
    assert.equal(lower.status, 409);
    assert.equal(lower.body.error.code, 'security_profile_downgrade');
    assert.equal((await server.api('PUT', '/api/v1/stations/CP-UP', { securityProfile: null })).status, 409, 'clearing to the default 1 lowers it too');
    assert.equal((await server.api('PUT', '/api/v1/stations/CP-UP', { securityProfile: 3 })).status, 200, 'raising is fine');
    assert.equal((await server.api('GET', '/api/v1/stations/CP-UP')).body.securityProfile, 3);
  });
});

describe('TLS terminated at a proxy: the client certificate header', () => {
  let pki: TestPki;

  before(async () => {
    pki = await createTestPki();
  });
  after(() => rmSync(pki.dir, { recursive: true, force: true }));

  it('is honoured from a trusted proxy (the connection counts as TLS) and ignored from any other address', async () => {
    const cert = await stationCertificate(pki.ca, 'CP-PROXY');
    const header = { 'x-client-cert': encodeURIComponent(cert.certPem) };
    const trusted = await startTestServer({ JOULE_TLS_PROXY_TRUSTED: '127.0.0.1,10.0.0.0/8', JOULE_TLS_CLIENT_CA: `${pki.dir}/client-ca.crt`, JOULE_ALLOW_UNSECURED: 'false' });
    try {
      await trusted.api('PUT', '/api/v1/stations/CP-PROXY', { securityProfile: 3 });
      const forwarded = await upgrade(trusted.wsUrl, 'CP-PROXY', { headers: header });
      assert.equal(forwarded.status, 101, `forwarded certificate from a trusted proxy: ${forwarded.body}`);
      await trusted.api('PUT', '/api/v1/stations/CP-PROXY2', { securityProfile: 2, password: PASSWORD });
      assert.equal((await upgrade(trusted.wsUrl, 'CP-PROXY2', { headers: basic('CP-PROXY2', PASSWORD) })).status, 101, 'profile 2 through the proxy counts as TLS');
      const wrongCn = await stationCertificate(pki.ca, 'CP-ELSE');
      assert.equal((await upgrade(trusted.wsUrl, 'CP-PROXY', { headers: { 'x-client-cert': encodeURIComponent(wrongCn.certPem) } })).status, 403, 'the forwarded certificate gets the same checks');
    } finally {
      await trusted.stop();
    }
    const untrusted = await startTestServer({ JOULE_TLS_PROXY_TRUSTED: '10.0.0.0/8', JOULE_TLS_CLIENT_CA: `${pki.dir}/client-ca.crt`, JOULE_ALLOW_UNSECURED: 'false' });
    try {
      await untrusted.api('PUT', '/api/v1/stations/CP-PROXY', { securityProfile: 3 });
      const answer = await upgrade(untrusted.wsUrl, 'CP-PROXY', { headers: header });
      assert.equal(answer.status, 403, 'the header from 127.0.0.1, not a trusted proxy here, is ignored: plain ws');
      assert.match(answer.body, /needs TLS/);
    } finally {
      await untrusted.stop();
    }
  });
});
