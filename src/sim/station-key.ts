/**
 * A simulated station's own key pair and certificate signing request (A02: the station makes a new key pair for each
 * SignCertificate): EC P-256, subject O = the operator's name, CN = what the station's version puts there (1.6 its
 * identity, 2.x its serial number), signed with ECDSA SHA-256.
 */
import { exportPrivateKeyPem } from '../domain/security/pki/pem.ts';
import { x509 } from '../domain/security/pki/x509.ts';

export interface StationKeyRequest {
  csrPem: string;
  /** PKCS #8 PEM: what a TLS client presents with the certificate it receives. */
  privateKeyPem: string;
}

export async function stationKeyRequest(commonName: string, organization: string): Promise<StationKeyRequest> {
  const keys = await globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const name: x509.JsonName = [];
  if (organization !== '') name.push({ O: [organization] });
  name.push({ CN: [commonName] });
  const request = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } });
  return { csrPem: request.toString('pem'), privateKeyPem: await exportPrivateKeyPem(keys.privateKey) };
}
