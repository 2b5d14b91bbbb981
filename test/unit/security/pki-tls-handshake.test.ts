/**
 * The certificates Joule's CA makes, used by Node's own TLS on 127.0.0.1: a profile-3 server (requestCert) with both
 * an ECDSA and an RSA certificate (A00.FR.317), the four cipher suites the spec requires on TLS 1.2, TLS 1.3, and a
 * station certificate issued from its CSR as the client certificate.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import {
  type CertificateAuthority,
  createIntermediateCa,
  createRootCa,
  rootCertificate,
} from '../../../src/domain/security/pki/certificate-authority.ts';
import { revocationCheck, revoke } from '../../../src/domain/security/pki/certificate-inventory.ts';
import { inspectClientCertificate, trustStoreOf } from '../../../src/domain/security/pki/client-certificate.ts';
import { checkStationCsr } from '../../../src/domain/security/pki/csr-check.ts';
import type { IssuedCertificate } from '../../../src/domain/security/pki/issued-certificate.ts';
import { certificatePem } from '../../../src/domain/security/pki/pem.ts';
import { createServerCertificate, type ServerCertificate } from '../../../src/domain/security/pki/server-certificate.ts';
import { signStationCertificate } from '../../../src/domain/security/pki/station-certificate.ts';
import { type StationKeyType, stationCsr } from './station-keys.ts';

/** The signature algorithm's WebCrypto name (the library's type for it lacks the field without the DOM lib). */
function signatureName(certificate: { signatureAlgorithm: object }): string {
  return (certificate.signatureAlgorithm as { name?: string }).name ?? '';
}

const ORG = 'Acme Charging B.V.';
const HOST = 'localhost';

/** The four suites A00.FR.317/318 require of the CSMS (OpenSSL names), and TLS 1.3's. */
const SPEC_TLS12_SUITES = ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'AES128-GCM-SHA256', 'AES256-GCM-SHA384'];
const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'];

interface Station {
  issued: IssuedCertificate;
  privateKeyPem: string;
}

async function station(ca: CertificateAuthority, stationId: string, key?: StationKeyType): Promise<Station> {
  const { csrPem, privateKeyPem } = await stationCsr({ commonName: stationId, organization: ORG, ...(key === undefined ? {} : { key }) });
  const checked = await checkStationCsr(csrPem, { organizationName: ORG }, { stationId });
  assert.ok(checked.ok, checked.ok ? '' : checked.reason);
  return { issued: await signStationCertificate(ca, checked.csr), privateKeyPem };
}

interface RunningServer {
  port: number;
  server: tls.Server;
  accepted: tls.TLSSocket[];
  clientErrors: Error[];
}

async function listen(options: tls.TlsOptions): Promise<RunningServer> {
  const accepted: tls.TLSSocket[] = [];
  const clientErrors: Error[] = [];
  const server = tls.createServer(options, (socket) => {
    accepted.push(socket);
    socket.on('error', () => {});
    socket.end('hello station');
  });
  server.on('tlsClientError', (error) => clientErrors.push(error));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, server, accepted, clientErrors };
}

async function close(running: RunningServer): Promise<void> {
  for (const socket of running.accepted) socket.destroy();
  await new Promise<void>((resolve) => running.server.close(() => resolve()));
}

/** Connects, reads the server's greeting, returns the client socket (or the handshake error). */
async function connect(port: number, options: tls.ConnectionOptions): Promise<{ socket: tls.TLSSocket; greeting: string } | { error: Error }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: HOST, ...options });
    let greeting = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => { greeting += chunk; });
    socket.on('error', (error) => resolve({ error }));
    socket.on('end', () => { resolve({ socket, greeting }); socket.end(); });
  });
}

describe('profile 3 over real TLS: Joule CA certificates with node:tls', () => {
  let root: CertificateAuthority;
  let ca: CertificateAuthority;
  let ecServer: ServerCertificate;
  let rsaServer: ServerCertificate;
  let cp1: Station;
  let profile3: RunningServer;
  let rootPem: string;

  before(async () => {
    root = await createRootCa({ commonName: 'Joule Root CA', organization: ORG });
    ca = await createIntermediateCa(root, { commonName: 'Joule Station CA', organization: ORG });
    rootPem = certificatePem(rootCertificate(ca));
    ecServer = await createServerCertificate(ca, { hostname: HOST, organization: ORG });
    rsaServer = await createServerCertificate(ca, { hostname: HOST, organization: ORG, key: { type: 'RSA', bits: 2048 } });
    cp1 = await station(ca, 'CP-0001');
    profile3 = await listen({
      key: [ecServer.privateKeyPem, rsaServer.privateKeyPem],
      cert: [ecServer.chainPem, rsaServer.chainPem],
      ca: [rootPem],
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ciphers: [...TLS13_SUITES, ...SPEC_TLS12_SUITES].join(':'),
    });
  });

  after(async () => {
    await close(profile3);
  });

  it('TLS 1.3: both sides verify; the server reads CN, serial and chain of the station certificate', async () => {
    const result = await connect(profile3.port, {
      ca: [rootPem],
      cert: cp1.issued.chainPem,
      key: cp1.privateKeyPem,
      minVersion: 'TLSv1.3',
    });
    assert.ok('socket' in result, 'error' in result ? result.error.message : '');
    assert.equal(result.greeting, 'hello station');
    assert.equal(result.socket.authorized, true);
    assert.equal(result.socket.getProtocol(), 'TLSv1.3');

    const serverSide = profile3.accepted.at(-1);
    assert.ok(serverSide);
    assert.equal(serverSide.authorized, true);
    const peer = serverSide.getPeerCertificate(true);
    assert.equal(peer.subject.CN, 'CP-0001');
    const inspected = await inspectClientCertificate(peer.raw, { trust: trustStoreOf(ca) });
    assert.ok(inspected.readable && inspected.accepted, JSON.stringify(inspected));
    assert.equal(inspected.certificate.commonName, 'CP-0001');
    assert.equal(inspected.certificate.serialNumber, cp1.issued.serialNumber);
  });

  for (const suite of SPEC_TLS12_SUITES) {
    it(`TLS 1.2 with ${suite}: the server answers with the matching certificate type`, async () => {
      const result = await connect(profile3.port, {
        ca: [rootPem],
        cert: cp1.issued.chainPem,
        key: cp1.privateKeyPem,
        maxVersion: 'TLSv1.2',
        ciphers: suite,
      });
      assert.ok('socket' in result, 'error' in result ? result.error.message : '');
      assert.equal(result.socket.authorized, true, String(result.socket.authorizationError));
      assert.equal(result.socket.getProtocol(), 'TLSv1.2');
      assert.equal(result.socket.getCipher().name, suite);
      const serverKey = result.socket.getPeerX509Certificate()?.publicKey.asymmetricKeyType;
      assert.equal(serverKey, suite.startsWith('ECDHE-ECDSA') ? 'ec' : 'rsa');
      assert.equal(profile3.accepted.at(-1)?.authorized, true);
    });
  }

  it('a station certificate from another CA is refused in the handshake', async () => {
    const otherRoot = await createRootCa({ commonName: 'Joule Root CA', organization: ORG });
    const impostor = await station(otherRoot, 'CP-0001');
    const acceptedBefore = profile3.accepted.length;
    const errorsBefore = profile3.clientErrors.length;
    const result = await connect(profile3.port, {
      ca: [rootPem],
      cert: impostor.issued.chainPem,
      key: impostor.privateKeyPem,
    });
    assert.ok('error' in result || result.greeting === '', 'the impostor must not get the greeting');
    assert.equal(profile3.accepted.length, acceptedBefore);
    assert.equal(profile3.clientErrors.length, errorsBefore + 1);
    // Node's server closes such a connection without saying why; the same handshake on a server that lets the
    // application decide shows the reason: OpenSSL could not verify the station's chain.
    const lenient = await listen({
      key: ecServer.privateKeyPem,
      cert: ecServer.chainPem,
      ca: [rootPem],
      requestCert: true,
      rejectUnauthorized: false,
    });
    try {
      const seen = await connect(lenient.port, { ca: [rootPem], cert: impostor.issued.chainPem, key: impostor.privateKeyPem });
      assert.ok('socket' in seen);
      const serverSide = lenient.accepted.at(-1);
      assert.equal(serverSide?.authorized, false);
      assert.match(String(serverSide?.authorizationError), /UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_SIGNATURE_FAILURE/);
    } finally {
      await close(lenient);
    }
  });

  it('a client that does not trust Joule’s root refuses the server (the station checks the CSMS certificate)', async () => {
    const otherRoot = await createRootCa({ commonName: 'Someone else', organization: 'Else' });
    const result = await connect(profile3.port, {
      ca: [certificatePem(otherRoot.certificate)],
      cert: cp1.issued.chainPem,
      key: cp1.privateKeyPem,
    });
    assert.ok('error' in result);
    assert.match((result.error as NodeJS.ErrnoException).code ?? '', /UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
  });

  it('revocation is decided by Joule after the handshake: a revoked certificate is found by inspection', async () => {
    const cp2 = await station(ca, 'CP-0002');
    const inventory = revoke([cp1.issued.entry, cp2.issued.entry], cp2.issued.serialNumber, { at: new Date(), reason: 'keyCompromise' });
    const result = await connect(profile3.port, { ca: [rootPem], cert: cp2.issued.chainPem, key: cp2.privateKeyPem });
    assert.ok('socket' in result);
    const serverSide = profile3.accepted.at(-1);
    assert.ok(serverSide);
    const inspected = await inspectClientCertificate(serverSide.getPeerCertificate().raw, {
      trust: trustStoreOf(ca),
      isRevoked: revocationCheck(inventory),
    });
    assert.ok(inspected.readable && inspected.chainsToCa && inspected.revoked && !inspected.accepted);
  });

  it('an RSA hierarchy signing with RSA-PSS works on TLS 1.2 and 1.3 (RSA station key)', async () => {
    const rsaRoot = await createRootCa({ commonName: 'Joule RSA Root', organization: ORG, key: { type: 'RSA', bits: 2048 } });
    const rsaCa = await createIntermediateCa(rsaRoot, { commonName: 'Joule RSA Station CA', organization: ORG });
    assert.equal(signatureName(rsaCa.certificate), 'RSA-PSS');
    const server = await createServerCertificate(rsaCa, { hostname: HOST, organization: ORG, key: { type: 'RSA', bits: 2048 } });
    const rsaStation = await station(rsaCa, 'CP-RSA', { type: 'RSA', bits: 2048 });
    const rsaRootPem = certificatePem(rsaRoot.certificate);
    const running = await listen({
      key: server.privateKeyPem,
      cert: server.chainPem,
      ca: [rsaRootPem],
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    });
    try {
      for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
        const result = await connect(running.port, {
          ca: [rsaRootPem],
          cert: rsaStation.issued.chainPem,
          key: rsaStation.privateKeyPem,
          minVersion: version,
          maxVersion: version,
        });
        assert.ok('socket' in result, 'error' in result ? result.error.message : '');
        assert.equal(result.socket.authorized, true);
        assert.equal(result.socket.getProtocol(), version);
        assert.equal(running.accepted.at(-1)?.authorized, true);
      }
    } finally {
      await close(running);
    }
  });

  it('a server certificate for an IP address carries it as an iPAddress SAN, which Node checks', async () => {
    const ipServer = await createServerCertificate(ca, { hostname: '127.0.0.1', organization: ORG });
    const running = await listen({ key: ipServer.privateKeyPem, cert: ipServer.chainPem });
    try {
      const ok = await new Promise<tls.TLSSocket | Error>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port: running.port, ca: [rootPem] }, () => resolve(socket));
        socket.on('error', resolve);
      });
      assert.ok(!(ok instanceof Error), ok instanceof Error ? ok.message : '');
      assert.equal(ok.authorized, true);
      ok.destroy();
    } finally {
      await close(running);
    }
  });
});
