/**
 * Key types Joule creates and accepts, and the signature each one makes. The 1.6 security whitepaper §2.6 and 2.x
 * A00.FR.4xx ask for at least 112-bit security (RSA >= 2048 bits, ECC >= 224 bits) and SHA-256; for signing by a
 * certificate authority RSA-PSS or ECDSA. Joule accepts station keys on the curves stations actually use (P-256,
 * P-384) and RSA of 2048 to 8192 bits (the upper bound only keeps a hostile CSR from costing seconds of CPU).
 */
import type { webcrypto } from 'node:crypto';
import type { x509 } from './x509.ts';

export type EcCurve = 'P-256' | 'P-384';
export type RsaBits = 2048 | 3072 | 4096;

/** How a key Joule creates is made. */
export type KeySpec = { type: 'EC'; curve: EcCurve } | { type: 'RSA'; bits: RsaBits };

/** RSA signatures by Joule's CA: RSA-PSS as the spec asks, or PKCS #1 v1.5 for stations whose TLS stack lacks PSS. */
export type RsaSignatureScheme = 'PSS' | 'PKCS1';

/** What a public key is, as read from a CSR or certificate. */
export type KeyDescription =
  | { type: 'EC'; curve: string }
  | { type: 'RSA'; bits: number }
  | { type: 'other'; algorithm: string };

export const DEFAULT_KEY_SPEC: KeySpec = { type: 'EC', curve: 'P-256' };

export const MIN_RSA_BITS = 2048;
export const MAX_RSA_BITS = 8192;
export const ALLOWED_EC_CURVES: readonly string[] = ['P-256', 'P-384'];
export const ALLOWED_SIGNATURE_HASHES: readonly string[] = ['SHA-256', 'SHA-384', 'SHA-512'];

const RSA_PUBLIC_EXPONENT = new Uint8Array([1, 0, 1]);

export function describeKeySpec(spec: KeySpec): string {
  return spec.type === 'EC' ? `EC ${spec.curve}` : `RSA ${spec.bits}`;
}

export function describeKey(key: KeyDescription): string {
  if (key.type === 'EC') return `EC ${key.curve}`;
  if (key.type === 'RSA') return `RSA ${key.bits}`;
  return key.algorithm;
}

/** The WebCrypto algorithm a key of this spec is made and imported with (RSA keys carry their signature scheme). */
export function keyAlgorithm(
  spec: KeySpec,
  rsaScheme: RsaSignatureScheme = 'PSS',
): webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams {
  if (spec.type === 'EC') return { name: 'ECDSA', namedCurve: spec.curve };
  return { name: rsaScheme === 'PSS' ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
}

/** The signature a key of this spec makes: SHA-384 with P-384 (matching strength), SHA-256 otherwise. */
export function signatureAlgorithm(
  spec: KeySpec,
  rsaScheme: RsaSignatureScheme = 'PSS',
): webcrypto.EcdsaParams | webcrypto.RsaPssParams | webcrypto.Algorithm {
  if (spec.type === 'EC') return { name: 'ECDSA', hash: spec.curve === 'P-384' ? 'SHA-384' : 'SHA-256' };
  // RFC 8017 §9.1: the salt as long as the hash output (32 bytes for SHA-256) is the usual choice for certificates.
  return rsaScheme === 'PSS' ? { name: 'RSA-PSS', saltLength: 32 } : { name: 'RSASSA-PKCS1-v1_5' };
}

/** A new key pair. Extractable, so that the private key can be exported as PEM for storage or for a TLS stack. */
export async function generateKeyPair(spec: KeySpec, rsaScheme: RsaSignatureScheme = 'PSS'): Promise<webcrypto.CryptoKeyPair> {
  const algorithm = spec.type === 'EC'
    ? { name: 'ECDSA', namedCurve: spec.curve }
    : { ...keyAlgorithm(spec, rsaScheme), modulusLength: spec.bits, publicExponent: RSA_PUBLIC_EXPONENT };
  return globalThis.crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
}

/** What a certificate's or CSR's public key is. Never throws: a key the library cannot read is `other`. */
export function describePublicKey(publicKey: x509.PublicKey): KeyDescription {
  let algorithm: webcrypto.Algorithm & { namedCurve?: unknown; modulusLength?: unknown };
  try {
    algorithm = publicKey.algorithm;
  } catch {
    return { type: 'other', algorithm: 'unreadable key' };
  }
  if (algorithm.name === 'ECDSA' || algorithm.name === 'ECDH') {
    return { type: 'EC', curve: typeof algorithm.namedCurve === 'string' ? algorithm.namedCurve : 'unknown curve' };
  }
  if ((algorithm.name === 'RSASSA-PKCS1-v1_5' || algorithm.name === 'RSA-PSS') && typeof algorithm.modulusLength === 'number') {
    return { type: 'RSA', bits: algorithm.modulusLength };
  }
  return { type: 'other', algorithm: algorithm.name };
}

/** Why a station key is not acceptable, or undefined when it is (RSA 2048..8192 bits, EC P-256 or P-384). */
export function stationKeyProblem(key: KeyDescription): string | undefined {
  if (key.type === 'RSA') {
    if (key.bits < MIN_RSA_BITS) return `RSA key of ${key.bits} bits is too small: at least ${MIN_RSA_BITS} bits are required`;
    if (key.bits > MAX_RSA_BITS) return `RSA key of ${key.bits} bits is larger than the ${MAX_RSA_BITS} bits Joule accepts`;
    return undefined;
  }
  if (key.type === 'EC') {
    return ALLOWED_EC_CURVES.includes(key.curve)
      ? undefined
      : `EC curve ${key.curve} is not allowed: use ${ALLOWED_EC_CURVES.join(' or ')}`;
  }
  return `key algorithm ${key.algorithm} is not allowed: use RSA (>= ${MIN_RSA_BITS} bits) or EC ${ALLOWED_EC_CURVES.join('/')}`;
}

/** The key spec of a key Joule can sign with (its own CA keys), or undefined for anything else. */
export function keySpecOf(key: KeyDescription): KeySpec | undefined {
  if (key.type === 'EC' && (key.curve === 'P-256' || key.curve === 'P-384')) return { type: 'EC', curve: key.curve };
  if (key.type === 'RSA' && (key.bits === 2048 || key.bits === 3072 || key.bits === 4096)) return { type: 'RSA', bits: key.bits };
  return undefined;
}
