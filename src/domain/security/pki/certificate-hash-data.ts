/**
 * OCPP CertificateHashData (1.6 security whitepaper Ed.3, 2.x M): how a station names a certificate it holds, for
 * GetInstalledCertificateIds and DeleteCertificate. As in an OCSP CertID (RFC 6960 §4.1.1): the hash of the DER of the
 * issuer's name, the hash of the issuer's public key (the value of the subjectPublicKey BIT STRING), and the serial
 * number as hex without leading zeros. Hex is written lowercase; stations may answer in either case, so hash data
 * is compared after `normaliseHashData`.
 */
import { createHash, createPublicKey } from 'node:crypto';
import type { CertificateHashDataRecord } from '../../../store/ports.ts';
import { PkiInputError } from './pem.ts';
import { normaliseSerialNumber } from './serial-number.ts';
import type { x509 } from './x509.ts';

export type HashAlgorithm = 'SHA256' | 'SHA384' | 'SHA512';

const NODE_HASH: Record<HashAlgorithm, string> = { SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512' };

/**
 * The hash data of `certificate`, whose issuer is `issuer` (the certificate itself for a self-signed root, which is
 * what InstallCertificate installs).
 */
export function certificateHashData(
  certificate: x509.X509Certificate,
  issuer: x509.X509Certificate = certificate,
  algorithm: HashAlgorithm = 'SHA256',
): CertificateHashDataRecord {
  const hash = (data: Uint8Array): string => createHash(NODE_HASH[algorithm]).update(data).digest('hex');
  return {
    hashAlgorithm: algorithm,
    issuerNameHash: hash(new Uint8Array(certificate.issuerName.toArrayBuffer())),
    issuerKeyHash: hash(subjectPublicKeyBits(issuer)),
    serialNumber: normaliseSerialNumber(certificate.serialNumber),
  };
}

/** Hash data as compared: hashes and serial in lowercase, the serial without leading zeros. */
export function normaliseHashData(data: CertificateHashDataRecord): CertificateHashDataRecord {
  let serialNumber: string;
  try {
    serialNumber = normaliseSerialNumber(data.serialNumber);
  } catch {
    serialNumber = data.serialNumber.toLowerCase();
  }
  return {
    hashAlgorithm: data.hashAlgorithm.toUpperCase(),
    issuerNameHash: data.issuerNameHash.toLowerCase(),
    issuerKeyHash: data.issuerKeyHash.toLowerCase(),
    serialNumber,
  };
}

/** The content of the certificate's subjectPublicKey BIT STRING: an EC point (04 || X || Y) or an RSAPublicKey. */
function subjectPublicKeyBits(certificate: x509.X509Certificate): Uint8Array {
  const key = createPublicKey({ key: Buffer.from(certificate.publicKey.rawData), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    return new Uint8Array(key.export({ format: 'der', type: 'pkcs1' }));
  }
  if (key.asymmetricKeyType === 'ec') {
    const jwk = key.export({ format: 'jwk' });
    if (jwk.x === undefined || jwk.y === undefined) throw new PkiInputError('unreadable EC public key');
    return new Uint8Array(Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]));
  }
  throw new PkiInputError(`hash data of a ${key.asymmetricKeyType ?? 'unknown'} key is not supported`);
}
