/**
 * Certificates made by the tests, with Joule's own PKI module: a CA, Joule's ECDSA and RSA server certificates
 * (written to files for JOULE_TLS_CERT / JOULE_TLS_KEY / JOULE_TLS_CLIENT_CA), and station client certificates.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CertificateAuthority, createRootCa, issueCertificate, issuingChain } from '../../../src/domain/security/pki/certificate-authority.ts';
import { subjectName } from '../../../src/domain/security/pki/distinguished-name.ts';
import { generateKeyPair, type KeySpec } from '../../../src/domain/security/pki/key-specs.ts';
import { certificatePem, chainPem, exportPrivateKeyPem } from '../../../src/domain/security/pki/pem.ts';
import { normaliseSerialNumber } from '../../../src/domain/security/pki/serial-number.ts';
import { createServerCertificate } from '../../../src/domain/security/pki/server-certificate.ts';
import { x509 } from '../../../src/domain/security/pki/x509.ts';

export const ORG = 'Joule Test CPO';
const DAY = 86_400_000;

export interface TestPki {
  ca: CertificateAuthority;
  caPem: string;
  /** JOULE_TLS_* variables for a TLS listener on a free port with both server certificates and the client CA. */
  env: Record<string, string>;
  dir: string;
}

export async function createTestPki(): Promise<TestPki> {
  const ca = await createRootCa({ commonName: 'Joule Test Root', organization: ORG });
  const ec = await createServerCertificate(ca, { hostname: 'localhost', organization: ORG });
  const rsa = await createServerCertificate(ca, { hostname: 'localhost', organization: ORG, key: { type: 'RSA', bits: 2048 } });
  const dir = mkdtempSync(join(tmpdir(), 'joule-pki-'));
  const file = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const caPem = certificatePem(ca.certificate);
  return {
    ca,
    caPem,
    dir,
    env: {
      JOULE_TLS_PORT: '0',
      JOULE_TLS_CERT: `${file('ec.crt', ec.chainPem)},${file('rsa.crt', rsa.chainPem)}`,
      JOULE_TLS_KEY: `${file('ec.key', ec.privateKeyPem)},${file('rsa.key', rsa.privateKeyPem)}`,
      JOULE_TLS_CLIENT_CA: file('client-ca.crt', caPem),
    },
  };
}

export interface StationCertificate {
  /** Leaf then the issuing chain, PEM. */
  certPem: string;
  keyPem: string;
  serialNumber: string;
}

/** A station (TLS client) certificate with CN `commonName`; `expired` makes one that ended yesterday. */
export async function stationCertificate(
  ca: CertificateAuthority,
  commonName: string,
  options: { expired?: boolean; key?: KeySpec } = {},
): Promise<StationCertificate> {
  const keys = await generateKeyPair(options.key ?? { type: 'EC', curve: 'P-256' });
  const now = Date.now();
  const certificate = await issueCertificate(ca, {
    subject: subjectName(commonName, ORG),
    publicKey: keys.publicKey,
    notBefore: new Date(now - (options.expired ? 3 : 1) * DAY),
    notAfter: new Date(options.expired ? now - DAY : now + 30 * DAY),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
    ],
  });
  return {
    certPem: chainPem([certificate, ...issuingChain(ca)]),
    keyPem: await exportPrivateKeyPem(keys.privateKey),
    serialNumber: normaliseSerialNumber(certificate.serialNumber),
  };
}
