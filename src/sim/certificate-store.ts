import { createHash, X509Certificate } from 'node:crypto';
import { stationKeyRequest } from './station-key.ts';

export type CertificateUse = 'CentralSystemRootCertificate' | 'ManufacturerRootCertificate';

/** CertificateHashDataType of the 1.6 security extension. */
export interface CertificateHashData {
  hashAlgorithm: 'SHA256' | 'SHA384' | 'SHA512';
  issuerNameHash: string;
  issuerKeyHash: string;
  serialNumber: string;
}

interface InstalledCertificate<Use extends string> {
  use: Use;
  hash: CertificateHashData;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** True when `text` holds at least one PEM certificate block. */
export function looksLikePemCertificate(text: string): boolean {
  return PEM_CERTIFICATE.test(text);
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The hash data the station reports for a certificate. A parsable certificate gives its real serial number and
 * hashes of its issuer and key; anything else (a simulator does not need real PKI) gets stable hashes of the text.
 */
export function hashDataOf(pem: string): CertificateHashData {
  try {
    const cert = new X509Certificate(pem);
    return {
      hashAlgorithm: 'SHA256',
      issuerNameHash: sha256(cert.issuer),
      issuerKeyHash: sha256(cert.publicKey.export({ type: 'spki', format: 'der' })),
      serialNumber: cert.serialNumber.replace(/^0+(?=.)/, '').toLowerCase(),
    };
  } catch {
    const digest = sha256(pem);
    return { hashAlgorithm: 'SHA256', issuerNameHash: digest, issuerKeyHash: sha256(`key:${pem}`), serialNumber: digest.slice(0, 16) };
  }
}

function sameCertificate(a: CertificateHashData, b: CertificateHashData): boolean {
  return (
    a.serialNumber.toLowerCase() === b.serialNumber.toLowerCase() &&
    a.issuerNameHash.toLowerCase() === b.issuerNameHash.toLowerCase() &&
    a.issuerKeyHash.toLowerCase() === b.issuerKeyHash.toLowerCase()
  );
}

/**
 * The root certificates installed on a station, and its own (charge point) certificate chain. `Use` is the
 * version's certificate type (1.6 security extension by default; 2.0.1 has its own list).
 */
export class CertificateStore<Use extends string = CertificateUse> {
  /** Set by CertificateSigned: the station's certificate chain (PEM, its own certificate first). */
  chargePointCertificate: string | undefined;
  /** The private key of `chargePointCertificate` (PKCS #8 PEM): with it a TLS reconnect can present the certificate. */
  privateKeyPem: string | undefined;
  /** The key of the latest CSR, waiting for its certificate. */
  private pendingPrivateKeyPem: string | undefined;
  private readonly installed: InstalledCertificate<Use>[] = [];

  /** A new key pair and its CSR (PEM) for SignCertificate; the key is kept until the certificate comes. */
  async signingRequest(commonName: string, organization: string): Promise<string> {
    const request = await stationKeyRequest(commonName, organization);
    this.pendingPrivateKeyPem = request.privateKeyPem;
    return request.csrPem;
  }

  /** CertificateSigned accepted: the chain becomes the station's certificate, with the key of the latest CSR. */
  acceptCertificate(chain: string): void {
    this.chargePointCertificate = chain;
    if (this.pendingPrivateKeyPem !== undefined) {
      this.privateKeyPem = this.pendingPrivateKeyPem;
      this.pendingPrivateKeyPem = undefined;
    }
  }

  /** InstallCertificate: Rejected for text that is no PEM certificate or when the store is full. */
  install(use: Use, pem: string, maxEntries: number): 'Accepted' | 'Rejected' | 'Failed' {
    if (!looksLikePemCertificate(pem)) return 'Rejected';
    const hash = hashDataOf(pem);
    if (this.installed.some((c) => sameCertificate(c.hash, hash))) return 'Accepted';
    if (this.installed.length >= maxEntries) return 'Rejected';
    this.installed.push({ use, hash });
    return 'Accepted';
  }

  /** DeleteCertificate. */
  remove(hash: CertificateHashData): 'Accepted' | 'NotFound' {
    const index = this.installed.findIndex((c) => sameCertificate(c.hash, hash));
    if (index < 0) return 'NotFound';
    this.installed.splice(index, 1);
    return 'Accepted';
  }

  /** GetInstalledCertificateIds. */
  ids(use: Use): CertificateHashData[] {
    return this.installed.filter((c) => c.use === use).map((c) => c.hash);
  }
}
