/**
 * The TLS listener for security profiles 2 and 3 (reference §3.3): an HTTPS server whose only job is the OCPP
 * WebSocket upgrade; the gateway handles its upgrades exactly as the plain listener's (one code path), knowing they
 * came over TLS.
 *
 * - TLS 1.2 and 1.3 only (A00.FR.313/416). On TLS 1.2 exactly the four suites the CSMS must support
 *   (A00.FR.317/318): ECDHE-ECDSA with AES-128/256-GCM for ECDSA certificates, RSA key transport with AES-128/256-GCM
 *   for RSA ones; on TLS 1.3 its AES-GCM suites. No legacy TLS 1.0/1.1 CBC suite: 2.x forbids it and 1.6 only
 *   allows it for stations that cannot do 1.2. No compression (OpenSSL has none).
 * - Several certificate/key pairs: an ECDSA and an RSA one, so stations of either kind find their suites; OpenSSL
 *   picks the certificate matching the negotiated suite.
 * - Client certificates are requested but not verified by OpenSSL (`rejectUnauthorized: false`): a station with a
 *   wrong, expired or revoked certificate then gets a clear HTTP 403 and Joule logs why
 *   (client-certificate-verifier.ts), instead of a handshake that fails without a word on either side. The CA list
 *   is still sent in the CertificateRequest, so stations holding several certificates pick the right one.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { TlsListenerConfig } from '../config.ts';
import type { PresentedCertificate } from './client-certificate-verifier.ts';

/** The TLS 1.2 suites the spec requires of a CSMS (OpenSSL names of TLS_ECDHE_ECDSA_WITH_AES_128/256_GCM_SHA256/384, TLS_RSA_WITH_AES_128/256_GCM_SHA256/384). */
export const SPEC_TLS12_CIPHERS = ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'AES128-GCM-SHA256', 'AES256-GCM-SHA384'];
/** TLS 1.3 suites offered (AES-GCM; ChaCha20 left out like the spec's list leaves it out of 1.2). */
export const TLS13_CIPHERS = ['TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256'];

export interface TlsMaterial {
  /** One PEM chain (leaf first) per key. */
  certs: string[];
  keys: string[];
  /** PEM of the CAs station certificates chain to; undefined: profile 3 is not possible on this listener. */
  clientCa: string | undefined;
}

/** The listener's certificates and keys, and the client CA (which a trusted proxy's forwarded certificates use too). */
export function readTlsMaterial(config: TlsListenerConfig, clientCa: string | undefined): TlsMaterial {
  return {
    certs: config.certFiles.map((path) => readPem(path, 'TLS certificate (JOULE_TLS_CERT)')),
    keys: config.keyFiles.map((path) => readPem(path, 'TLS key (JOULE_TLS_KEY)')),
    clientCa,
  };
}

export function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

/** An HTTPS server with the spec's TLS policy; it answers plain HTTP requests 426 (only WebSocket upgrades are served). */
export function createTlsListener(material: TlsMaterial): Server {
  const server = createServer({
    cert: material.certs,
    key: material.keys,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    // Node takes the TLS 1.3 suites in the same list (names starting TLS_).
    ciphers: [...TLS13_CIPHERS, ...SPEC_TLS12_CIPHERS].join(':'),
    honorCipherOrder: true,
    requestCert: material.clientCa !== undefined,
    rejectUnauthorized: false,
    ...(material.clientCa === undefined ? {} : { ca: material.clientCa }),
  }, (_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket', Connection: 'close' });
    res.end('this port serves OCPP WebSocket connections only');
  });
  return server;
}

/** The client certificate a TLS socket's peer presented (leaf DER and the intermediates it sent), if any. */
export function presentedCertificate(socket: TLSSocket): PresentedCertificate | undefined {
  const leaf = socket.getPeerCertificate(true);
  if (leaf === null || leaf === undefined || leaf.raw === undefined) return undefined;
  const intermediates: Buffer[] = [];
  let issuer = leaf.issuerCertificate;
  // The chain Node builds ends with a certificate that is its own issuer (or with nothing).
  while (issuer !== undefined && issuer !== null && issuer.raw !== undefined && !intermediates.some((b) => b.equals(issuer!.raw)) && !issuer.raw.equals(leaf.raw)) {
    intermediates.push(issuer.raw);
    if (issuer.issuerCertificate === issuer) break;
    issuer = issuer.issuerCertificate;
  }
  return { leaf: leaf.raw, intermediates };
}
