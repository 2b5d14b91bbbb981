/**
 * Joule's built-in certificate authority: a root, optionally an intermediate below it that does the daily signing
 * (so the root key can stay offline), PEM export and import. Every certificate's subject carries the operator's
 * organisation in O (A00.FR.509). Keys are ECDSA P-256 by default, or P-384, or RSA 2048/3072/4096 signing with
 * RSA-PSS (the spec's choice for CA signatures) or PKCS #1 v1.5.
 */
import type { webcrypto } from 'node:crypto';
import { isCaCertificate, signedBy, verifyCertificatePath } from './certificate-path.ts';
import { subjectName } from './distinguished-name.ts';
import {
  DEFAULT_KEY_SPEC,
  describeKeySpec,
  describePublicKey,
  generateKeyPair,
  keyAlgorithm,
  keySpecOf,
  type KeySpec,
  type RsaSignatureScheme,
  signatureAlgorithm,
} from './key-specs.ts';
import { chainPem, certificatePem, exportPrivateKeyPem, importPrivateKeyPem, parseCertificate, parseCertificates, PkiInputError, sameCertificate } from './pem.ts';
import { randomSerialNumber } from './serial-number.ts';
import { validityWindow } from './validity.ts';
import { x509 } from './x509.ts';

export const DEFAULT_ROOT_VALIDITY_DAYS = 3650;
export const DEFAULT_INTERMEDIATE_VALIDITY_DAYS = 1825;

export interface CertificateAuthority {
  /** This CA's own certificate. */
  certificate: x509.X509Certificate;
  privateKey: webcrypto.CryptoKey;
  keySpec: KeySpec;
  /** How this CA signs when its key is RSA (ignored for EC keys). */
  rsaSignature: RsaSignatureScheme;
  /** The certificates above this one, nearest first, ending with the root. Empty for a root. */
  issuers: x509.X509Certificate[];
}

export interface CaOptions {
  commonName: string;
  /** The operator's organisation name: the O of every certificate of the hierarchy. */
  organization: string;
  country?: string;
  key?: KeySpec;
  rsaSignature?: RsaSignatureScheme;
  validityDays?: number;
  /** How many intermediate CAs may follow below this one (RFC 5280 pathLenConstraint). */
  pathLength?: number;
  now?: Date;
}

/** A CA in storable form. `issuerChainPem` holds `issuers` (nearest first), empty for a root. */
export interface CertificateAuthorityPem {
  certificatePem: string;
  privateKeyPem: string;
  issuerChainPem: string;
  rsaSignature: RsaSignatureScheme;
}

export async function createRootCa(options: CaOptions): Promise<CertificateAuthority> {
  checkNames(options);
  const keySpec = options.key ?? DEFAULT_KEY_SPEC;
  const rsaSignature = options.rsaSignature ?? 'PSS';
  const keys = await generateKeyPair(keySpec, rsaSignature);
  const now = options.now ?? new Date();
  const { notBefore, notAfter } = validityWindow(options.validityDays ?? DEFAULT_ROOT_VALIDITY_DAYS, now);
  const keyId = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: subjectName(options.commonName, options.organization, options.country),
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: signatureAlgorithm(keySpec, rsaSignature),
    extensions: [
      new x509.BasicConstraintsExtension(true, options.pathLength, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      keyId,
      new x509.AuthorityKeyIdentifierExtension(keyId.keyId),
    ],
  });
  return { certificate, privateKey: keys.privateKey, keySpec, rsaSignature, issuers: [] };
}

/** A CA signed by `parent`, valid at most as long as the parent. */
export async function createIntermediateCa(parent: CertificateAuthority, options: CaOptions): Promise<CertificateAuthority> {
  checkNames(options);
  const parentLimit = parent.certificate.getExtension(x509.BasicConstraintsExtension)?.pathLength;
  if (parentLimit === 0) throw new PkiInputError(`"${parent.certificate.subject}" allows no intermediate CA below it`);
  const keySpec = options.key ?? parent.keySpec;
  const rsaSignature = options.rsaSignature ?? parent.rsaSignature;
  const keys = await generateKeyPair(keySpec, rsaSignature);
  const now = options.now ?? new Date();
  const { notBefore, notAfter } = validityWindow(
    options.validityDays ?? DEFAULT_INTERMEDIATE_VALIDITY_DAYS,
    now,
    parent.certificate.notAfter,
  );
  const pathLength = options.pathLength ?? (parentLimit === undefined ? 0 : parentLimit - 1);
  const certificate = await issueCertificate(parent, {
    subject: subjectName(options.commonName, options.organization, options.country),
    publicKey: keys.publicKey,
    notBefore,
    notAfter,
    extensions: [
      new x509.BasicConstraintsExtension(true, pathLength, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return {
    certificate,
    privateKey: keys.privateKey,
    keySpec,
    rsaSignature,
    issuers: [parent.certificate, ...parent.issuers],
  };
}

export interface IssueParams {
  subject: x509.JsonName | x509.Name;
  publicKey: webcrypto.CryptoKey | x509.PublicKey;
  notBefore: Date;
  notAfter: Date;
  /** Extensions besides the key identifiers, which are always added. */
  extensions: x509.Extension[];
  serialNumber?: string;
}

/** Signs a certificate with the CA's key; adds the subject and authority key identifiers (RFC 5280 §4.2.1.1/2). */
export async function issueCertificate(ca: CertificateAuthority, params: IssueParams): Promise<x509.X509Certificate> {
  const authorityKeyId = ca.certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId
    ?? (await x509.SubjectKeyIdentifierExtension.create(ca.certificate.publicKey)).keyId;
  return x509.X509CertificateGenerator.create({
    serialNumber: params.serialNumber ?? randomSerialNumber(),
    subject: params.subject,
    issuer: ca.certificate.subjectName,
    notBefore: params.notBefore,
    notAfter: params.notAfter,
    publicKey: params.publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: signatureAlgorithm(ca.keySpec, ca.rsaSignature),
    extensions: [
      ...params.extensions,
      await x509.SubjectKeyIdentifierExtension.create(params.publicKey),
      new x509.AuthorityKeyIdentifierExtension(authorityKeyId),
    ],
  });
}

/** A CA's certificates without its key: its own, and those above it (nearest first, ending with the root). */
export type CaCertificates = Pick<CertificateAuthority, 'certificate' | 'issuers'>;

/** The root of the CA's hierarchy: the certificate stations and TLS servers are told to trust. */
export function rootCertificate(ca: CaCertificates): x509.X509Certificate {
  return ca.issuers[ca.issuers.length - 1] ?? ca.certificate;
}

/**
 * The CA certificates that go with a certificate this CA issues: the CA itself and the intermediates above it,
 * without the root (the peer has the root already: CentralSystemRootCertificate / V2G roots are installed apart).
 */
export function issuingChain(ca: CaCertificates): x509.X509Certificate[] {
  const all = [ca.certificate, ...ca.issuers];
  const root = rootCertificate(ca);
  return all.filter((certificate) => !sameCertificate(certificate, root));
}

export async function exportCertificateAuthority(ca: CertificateAuthority): Promise<CertificateAuthorityPem> {
  return {
    certificatePem: certificatePem(ca.certificate),
    privateKeyPem: await exportPrivateKeyPem(ca.privateKey),
    issuerChainPem: chainPem(ca.issuers),
    rsaSignature: ca.rsaSignature,
  };
}

/**
 * A CA from storage. Checked before use: the certificate is a CA, its key is one Joule signs with, the private key
 * belongs to the certificate, and the issuer chain leads from it to a self-signed root with valid signatures.
 */
export async function importCertificateAuthority(
  stored: CertificateAuthorityPem,
  now: Date = new Date(),
): Promise<CertificateAuthority> {
  const certificate = parseCertificate(stored.certificatePem);
  if (!isCaCertificate(certificate)) throw new PkiInputError(`"${certificate.subject}" is not a CA certificate`);
  const key = describePublicKey(certificate.publicKey);
  const keySpec = keySpecOf(key);
  if (keySpec === undefined) throw new PkiInputError(`the CA key is not one Joule signs with (EC P-256/P-384, RSA 2048/3072/4096)`);
  const rsaSignature = stored.rsaSignature === 'PKCS1' ? 'PKCS1' : 'PSS';
  const privateKey = await importPrivateKeyPem(stored.privateKeyPem, keySpec, rsaSignature);
  if (!(await keyPairMatches(privateKey, certificate, keySpec, rsaSignature))) {
    throw new PkiInputError(`the private key does not belong to "${certificate.subject}" (${describeKeySpec(keySpec)})`);
  }
  const issuers = await checkedIssuers(certificate, stored.issuerChainPem, now);
  return { certificate, privateKey, keySpec, rsaSignature, issuers };
}

/**
 * The certificates above a CA certificate, from PEM (nearest first), checked: they lead from it to a self-signed
 * root, with valid signatures, each a CA valid `now`. Empty PEM: the CA certificate is itself the root.
 */
export async function checkedIssuers(certificate: x509.X509Certificate, issuerChainPem: string, now: Date): Promise<x509.X509Certificate[]> {
  const issuers = issuerChainPem.trim() === '' ? [] : parseCertificates(issuerChainPem);
  const root = issuers[issuers.length - 1] ?? certificate;
  if (!(await signedBy(root, root))) throw new PkiInputError(`the last certificate of the chain, "${root.subject}", is not a self-signed root`);
  if (issuers.length > 0) {
    const path = await verifyCertificatePath(certificate, { trustAnchors: [root], intermediates: issuers, at: now });
    if (!path.ok) throw new PkiInputError(`the CA chain does not verify: ${path.reason}`);
  }
  return issuers;
}

/** Signs a random challenge with the private key and verifies it with the certificate's public key. */
async function keyPairMatches(
  privateKey: webcrypto.CryptoKey,
  certificate: x509.X509Certificate,
  spec: KeySpec,
  rsaSignature: RsaSignatureScheme,
): Promise<boolean> {
  const subtle = globalThis.crypto.subtle;
  const challenge = globalThis.crypto.getRandomValues(new Uint8Array(32));
  const algorithm = signatureAlgorithm(spec, rsaSignature);
  try {
    const publicKey = await certificate.publicKey.export(keyAlgorithm(spec, rsaSignature), ['verify']);
    const signature = await subtle.sign(algorithm, privateKey, challenge);
    return await subtle.verify(algorithm, publicKey, signature, challenge);
  } catch {
    return false;
  }
}

function checkNames(options: CaOptions): void {
  if (options.commonName.trim() === '') throw new PkiInputError('a CA needs a common name');
  if (options.organization.trim() === '') throw new PkiInputError('a CA needs the organisation name (O)');
}
