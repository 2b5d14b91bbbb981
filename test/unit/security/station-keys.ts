/**
 * Test helper playing the station's side of A02: it makes a key pair and a PKCS #10 request, as a station does before
 * SignCertificate. Not part of Joule.
 */
import type { webcrypto } from 'node:crypto';
import { exportPrivateKeyPem } from '../../../src/domain/security/pki/pem.ts';
import { x509 } from '../../../src/domain/security/pki/x509.ts';

export type StationKeyType =
  | { type: 'EC'; curve: 'P-256' | 'P-384' | 'P-521' }
  | { type: 'RSA'; bits: number };

export interface StationRequest {
  csrPem: string;
  keys: webcrypto.CryptoKeyPair;
  privateKeyPem: string;
}

export async function stationCsr(options: {
  commonName?: string;
  organization?: string;
  subject?: x509.JsonName;
  key?: StationKeyType;
  hash?: 'SHA-1' | 'SHA-256' | 'SHA-384';
}): Promise<StationRequest> {
  const key = options.key ?? { type: 'EC', curve: 'P-256' };
  const hash = options.hash ?? (key.type === 'EC' && key.curve === 'P-384' ? 'SHA-384' : 'SHA-256');
  const keys = key.type === 'EC'
    ? await globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: key.curve }, true, ['sign', 'verify'])
    : await globalThis.crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', hash, modulusLength: key.bits, publicExponent: new Uint8Array([1, 0, 1]) },
      true,
      ['sign', 'verify'],
    );
  const name: x509.JsonName = options.subject ?? [
    ...(options.organization === undefined ? [] : [{ O: [options.organization] }]),
    ...(options.commonName === undefined ? [] : [{ CN: [options.commonName] }]),
  ];
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys,
    signingAlgorithm: key.type === 'EC' ? { name: 'ECDSA', hash } : { name: 'RSASSA-PKCS1-v1_5' },
  });
  return { csrPem: request.toString('pem'), keys, privateKeyPem: await exportPrivateKeyPem(keys.privateKey) };
}

/** The CSR with one byte of its signature changed: the self-signature no longer verifies. */
export function tamperedSignature(csrPem: string): string {
  const der = new Uint8Array(x509.PemConverter.decodeFirst(csrPem));
  der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
  return x509.PemConverter.encode(der, 'CERTIFICATE REQUEST');
}

/** The CSR with `from` replaced by `to` (same length) in its DER: a subject altered after the station signed it. */
export function tamperedSubject(csrPem: string, from: string, to: string): string {
  if (from.length !== to.length) throw new Error('same length only');
  const der = Buffer.from(x509.PemConverter.decodeFirst(csrPem));
  const at = der.indexOf(Buffer.from(from, 'latin1'));
  if (at < 0) throw new Error(`${from} not in the CSR`);
  Buffer.from(to, 'latin1').copy(der, at);
  return x509.PemConverter.encode(new Uint8Array(der), 'CERTIFICATE REQUEST');
}
