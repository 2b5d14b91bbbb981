/**
 * TLS server certificates for Joule's profile 2/3 listeners, signed by Joule's CA. The spec wants the CSMS to hold
 * both an ECDSA and an RSA certificate (A00.FR.317/318: the four required cipher suites need both), the CN to be the
 * server's FQDN (A00.FR.510), and subjectAltName dNSName entries only when the server has several network paths
 * ([SEC] §2.6). So the hostname goes into the CN, and into a SAN only when asked, or when it is an IP address (TLS
 * clients, Node's included, match an IP address only against an iPAddress SAN, never against the CN).
 * keyUsage: digitalSignature, plus keyEncipherment for RSA (TLS_RSA_WITH_AES_*_GCM is RSA key transport);
 * extKeyUsage serverAuth. The spec recommends short-lived CSMS certificates (< 24 h) as their revocation; the
 * validity is the caller's choice.
 */
import { isIP } from 'node:net';
import { type CertificateAuthority, issueCertificate } from './certificate-authority.ts';
import { inventoryEntry } from './certificate-inventory.ts';
import { subjectName } from './distinguished-name.ts';
import { DEFAULT_KEY_SPEC, generateKeyPair, type KeySpec } from './key-specs.ts';
import { exportPrivateKeyPem, PkiInputError } from './pem.ts';
import { issued, type IssuedCertificate } from './issued-certificate.ts';
import { validityWindow } from './validity.ts';
import { x509 } from './x509.ts';

export const DEFAULT_SERVER_CERTIFICATE_DAYS = 365;

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9*](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

export interface ServerCertificateOptions {
  /** The server's FQDN (or IP address): the CN. */
  hostname: string;
  /** The O of the subject: the operator's organisation (A00.FR.509). */
  organization: string;
  key?: KeySpec;
  /** Further names (DNS names or IP addresses) for a server reached by several paths; also puts hostname in a SAN. */
  alternativeNames?: readonly string[];
  validityDays?: number;
  now?: Date;
}

export interface ServerCertificate extends IssuedCertificate {
  /** PKCS #8 PEM, for Node's `tls.createServer({ key })`. */
  privateKeyPem: string;
}

export async function createServerCertificate(
  ca: CertificateAuthority,
  options: ServerCertificateOptions,
): Promise<ServerCertificate> {
  const names = [options.hostname, ...(options.alternativeNames ?? [])];
  for (const name of names) {
    if (isIP(name) === 0 && !HOSTNAME.test(name)) throw new PkiInputError(`"${name}" is not a host name or IP address`);
  }
  const keySpec = options.key ?? DEFAULT_KEY_SPEC;
  // The server key signs TLS handshakes, never certificates: PKCS #1 v1.5 keys work with every TLS 1.2 client.
  const keys = await generateKeyPair(keySpec, 'PKCS1');
  const { notBefore, notAfter } = validityWindow(
    options.validityDays ?? DEFAULT_SERVER_CERTIFICATE_DAYS,
    options.now ?? new Date(),
    ca.certificate.notAfter,
  );
  const keyUsage = x509.KeyUsageFlags.digitalSignature | (keySpec.type === 'RSA' ? x509.KeyUsageFlags.keyEncipherment : 0);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(keyUsage, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
  ];
  const sanNames = options.alternativeNames !== undefined && options.alternativeNames.length > 0
    ? names
    : names.filter((name) => isIP(name) !== 0);
  if (sanNames.length > 0) {
    extensions.push(new x509.SubjectAlternativeNameExtension(
      [...new Set(sanNames)].map((name): x509.JsonGeneralName => ({ type: isIP(name) !== 0 ? 'ip' : 'dns', value: name })),
      false,
    ));
  }
  const certificate = await issueCertificate(ca, {
    subject: subjectName(options.hostname, options.organization),
    publicKey: keys.publicKey,
    notBefore,
    notAfter,
    extensions,
  });
  return {
    ...issued(certificate, ca, inventoryEntry(certificate, { use: 'server' })),
    privateKeyPem: await exportPrivateKeyPem(keys.privateKey),
  };
}
