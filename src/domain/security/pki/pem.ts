/**
 * PEM and DER in and out: certificates (OCPP carries them as PEM, A00.FR.4xx), certificate chains, and PKCS #8
 * private keys (the form Node's TLS and WebCrypto both read). Bad input gives a PkiInputError with a clear message.
 */
import { createHash, type webcrypto } from 'node:crypto';
import { DomainError } from '../../errors.ts';
import { type KeySpec, keyAlgorithm, type RsaSignatureScheme } from './key-specs.ts';
import { x509 } from './x509.ts';

/** PEM or DER input larger than this is refused before parsing (the 1.6 schema allows 10,000 chars for a chain). */
export const MAX_PKI_INPUT_BYTES = 64 * 1024;

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Unusable PKI input (certificate, key, option). A DomainError `invalid`, so the API answers 400 with the message. */
export class PkiInputError extends DomainError {
  constructor(message: string) {
    super('invalid', message);
    this.name = 'PkiInputError';
  }
}

export type CertificateInput = string | Uint8Array | ArrayBuffer;

function tooLarge(size: number): boolean {
  return size > MAX_PKI_INPUT_BYTES;
}

/** One certificate from PEM (the first block) or DER. */
export function parseCertificate(input: CertificateInput): x509.X509Certificate {
  const certificates = parseCertificates(input);
  const first = certificates[0];
  if (first === undefined) throw new PkiInputError('no certificate found');
  return first;
}

/** Every certificate of a PEM chain, in order, or the one certificate of DER input. */
export function parseCertificates(input: CertificateInput): x509.X509Certificate[] {
  if (typeof input === 'string') {
    if (tooLarge(input.length)) throw new PkiInputError(`PEM input longer than ${MAX_PKI_INPUT_BYTES} characters`);
    const blocks = input.match(CERTIFICATE_BLOCK);
    if (blocks === null) throw new PkiInputError('not a PEM certificate: no BEGIN CERTIFICATE block');
    return blocks.map((block, index) => {
      try {
        return new x509.X509Certificate(block);
      } catch (error) {
        throw new PkiInputError(`certificate ${index + 1} of the PEM input is not a readable X.509 certificate (${message(error)})`);
      }
    });
  }
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.byteLength === 0) throw new PkiInputError('empty certificate');
  if (tooLarge(bytes.byteLength)) throw new PkiInputError(`DER input larger than ${MAX_PKI_INPUT_BYTES} bytes`);
  try {
    return [new x509.X509Certificate(toArrayBuffer(bytes))];
  } catch (error) {
    throw new PkiInputError(`not a readable DER X.509 certificate (${message(error)})`);
  }
}

export function certificatePem(certificate: x509.X509Certificate): string {
  return `${certificate.toString('pem')}\n`;
}

/** Certificates as one PEM chain, in the order given (leaf first for CertificateSigned and TLS). */
export function chainPem(certificates: readonly x509.X509Certificate[]): string {
  return certificates.map(certificatePem).join('');
}

/** A private key as PKCS #8 PEM (`BEGIN PRIVATE KEY`). The key must have been made extractable. */
export async function exportPrivateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await globalThis.crypto.subtle.exportKey('pkcs8', key);
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n`;
}

/** A PKCS #8 PEM private key of the given spec, for signing (RSA keys with the given signature scheme). */
export async function importPrivateKeyPem(
  pem: string,
  spec: KeySpec,
  rsaScheme: RsaSignatureScheme = 'PSS',
): Promise<webcrypto.CryptoKey> {
  if (tooLarge(pem.length)) throw new PkiInputError(`PEM input longer than ${MAX_PKI_INPUT_BYTES} characters`);
  if (!pem.includes('-----BEGIN PRIVATE KEY-----')) {
    throw new PkiInputError('not a PKCS #8 PEM private key: expected a BEGIN PRIVATE KEY block');
  }
  let der: ArrayBuffer;
  try {
    der = x509.PemConverter.decodeFirst(pem);
  } catch (error) {
    throw new PkiInputError(`unreadable private key PEM (${message(error)})`);
  }
  try {
    return await globalThis.crypto.subtle.importKey('pkcs8', der, keyAlgorithm(spec, rsaScheme), true, ['sign']);
  } catch (error) {
    throw new PkiInputError(`the private key is not a usable ${spec.type} key (${message(error)})`);
  }
}

/** SHA-256 of the DER certificate, lowercase hex: how an inventory names a certificate unambiguously. */
export function fingerprintSha256(certificate: x509.X509Certificate): string {
  return createHash('sha256').update(new Uint8Array(certificate.rawData)).digest('hex');
}

export function sameCertificate(a: x509.X509Certificate, b: x509.X509Certificate): boolean {
  return Buffer.from(a.rawData).equals(Buffer.from(b.rawData));
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
