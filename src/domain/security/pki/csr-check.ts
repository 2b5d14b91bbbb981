/**
 * The check of a station's certificate signing request (SignCertificate, A02/A03) before Joule's CA signs it.
 *
 * Refused, each with its own failure code and a reason that names what was expected:
 * - `unreadable`: not a PKCS #10 request (PEM `CERTIFICATE REQUEST` / `NEW CERTIFICATE REQUEST`, or bare base64 DER);
 * - `key-not-allowed`: not RSA >= 2048 bits or EC P-256/P-384 ([SEC] §2.6: >= 112-bit security);
 * - `bad-signature`: the request's self-signature does not verify (it was altered, or its key is not the signer's);
 * - `weak-signature`: signed with a hash other than SHA-256/384/512 ([SEC] §2.6 asks for SHA-256);
 * - `wrong-organization`: the subject has not exactly one O, equal to the operator's name (A00.FR.404/509; the
 *   station copies CpoName / SecurityCtrlr.OrganizationName into the CSR, A02.FR.13);
 * - `wrong-common-name`: the subject has not exactly one CN, equal to a name of this station (below).
 *
 * The CN rule. The 1.6 whitepaper and 2.x (A00.FR.511, checked by the CSMS per A00.FR.405) want the CN to be the
 * station's unique serial number; 2.0.1 B01.FR.11 compares it with BootNotification's serialNumber. Other central
 * systems bind a profile-3 certificate to the station's identity (the name in the connection URL, which is also the
 * Basic-auth username; CitrineOS does so since PR #1098, field notes §3 #31), and many fleets make serial and identity
 * equal. Joule binds a profile-3 connection to a station by name too, so the CN must be one of that station's
 * names: by default (`identityOrSerialNumber`) its identity, or the
 * serial number it reported at boot when that is known; `identity` or `serialNumber` narrow it to one of them. The
 * operator may allow further names for one station (field notes §3 #31: stations whose certificate CN is a vendor
 * string). Comparison is exact (case-sensitive): a certificate names one station, not a family of spellings.
 *
 * Extensions the station asks for in the request are ignored: Joule decides the issued certificate's extensions.
 */
import { singleNameField, nameField } from './distinguished-name.ts';
import { ALLOWED_SIGNATURE_HASHES, describeKey, describePublicKey, type KeyDescription, stationKeyProblem } from './key-specs.ts';
import { MAX_PKI_INPUT_BYTES } from './pem.ts';
import { x509 } from './x509.ts';

export type CommonNameRule = 'identityOrSerialNumber' | 'identity' | 'serialNumber';

export interface StationCsrPolicy {
  /** The operator's name: 1.6 CpoName, 2.x SecurityCtrlr.OrganizationName. */
  organizationName: string;
  commonNameRule?: CommonNameRule;
}

export interface StationNames {
  /** The station's OCPP identity (the last segment of its connection URL). */
  stationId: string;
  /** The serial number it reported in BootNotification (1.6 chargePointSerialNumber, 2.x chargingStation.serialNumber). */
  serialNumber?: string | undefined;
  /** Further CNs the operator allowed for this station. */
  allowedCommonNames?: readonly string[] | undefined;
}

export type CsrFailure =
  | 'unreadable'
  | 'key-not-allowed'
  | 'bad-signature'
  | 'weak-signature'
  | 'wrong-organization'
  | 'wrong-common-name';

/** A request that passed every check: only these are signed (`signStationCertificate` takes nothing else). */
export interface CheckedCsr {
  request: x509.Pkcs10CertificateRequest;
  commonName: string;
  organization: string;
  key: KeyDescription;
  stationId: string;
}

export type CsrCheckResult = { ok: true; csr: CheckedCsr } | { ok: false; failure: CsrFailure; reason: string };

const CSR_PEM = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END (?:NEW )?CERTIFICATE REQUEST-----/;
const BASE64 = /^[A-Za-z0-9+/=\s]+$/;

export async function checkStationCsr(csr: string, policy: StationCsrPolicy, station: StationNames): Promise<CsrCheckResult> {
  const request = parseCsr(csr);
  if (typeof request === 'string') return refuse('unreadable', request);

  const key = describePublicKey(request.publicKey);
  const keyProblem = stationKeyProblem(key);
  if (keyProblem !== undefined) return refuse('key-not-allowed', keyProblem);

  if (!(await selfSignatureValid(request))) {
    return refuse('bad-signature', `the CSR signature does not verify with its own ${describeKey(key)} public key`);
  }
  const hash = signatureHash(request);
  if (hash === undefined || !ALLOWED_SIGNATURE_HASHES.includes(hash)) {
    return refuse('weak-signature', `the CSR is signed with ${hash ?? 'an unknown hash'}; ${ALLOWED_SIGNATURE_HASHES.join(', ')} are accepted`);
  }

  const organizations = nameField(request.subjectName, 'O');
  const organization = singleNameField(request.subjectName, 'O');
  if (organization !== policy.organizationName) {
    const found = organizations.length === 0 ? 'no O' : `O ${organizations.map((o) => `"${o}"`).join(', ')}`;
    return refuse('wrong-organization', `the CSR subject has ${found}; expected exactly O "${policy.organizationName}" (the operator's name)`);
  }

  const accepted = acceptedCommonNames(policy.commonNameRule ?? 'identityOrSerialNumber', station);
  const commonNames = nameField(request.subjectName, 'CN');
  const commonName = singleNameField(request.subjectName, 'CN');
  if (commonName === undefined || !accepted.includes(commonName)) {
    const found = commonNames.length === 0 ? 'no CN' : `CN ${commonNames.map((cn) => `"${cn}"`).join(', ')}`;
    const expected = accepted.length === 0
      ? 'a serial number, but the station has not reported one'
      : accepted.map((cn) => `"${cn}"`).join(' or ');
    return refuse('wrong-common-name', `the CSR subject has ${found}; expected exactly one CN equal to ${expected}`);
  }

  return { ok: true, csr: { request, commonName, organization, key, stationId: station.stationId } };
}

/** The CNs a station's certificate may carry under a rule, without duplicates. */
export function acceptedCommonNames(rule: CommonNameRule, station: StationNames): string[] {
  const names: string[] = [];
  if (rule !== 'serialNumber') names.push(station.stationId);
  if (rule !== 'identity' && station.serialNumber !== undefined && station.serialNumber !== '') names.push(station.serialNumber);
  names.push(...(station.allowedCommonNames ?? []));
  return [...new Set(names)];
}

/** The request, or why it cannot be read. */
export function parseCsr(input: string): x509.Pkcs10CertificateRequest | string {
  if (typeof input !== 'string' || input.trim() === '') return 'the CSR is empty';
  if (input.length > MAX_PKI_INPUT_BYTES) return `the CSR is longer than ${MAX_PKI_INPUT_BYTES} characters`;
  const pem = CSR_PEM.exec(input);
  const base64 = pem !== null ? pem[1] ?? '' : input;
  if (!BASE64.test(base64)) return 'the CSR is neither a PEM CERTIFICATE REQUEST nor base64 DER';
  try {
    return new x509.Pkcs10CertificateRequest(Buffer.from(base64.replace(/\s+/g, ''), 'base64'));
  } catch (error) {
    return `the CSR is not a readable PKCS #10 request (${error instanceof Error ? error.message : String(error)})`;
  }
}

async function selfSignatureValid(request: x509.Pkcs10CertificateRequest): Promise<boolean> {
  try {
    return await request.verify();
  } catch {
    return false;
  }
}

function signatureHash(request: x509.Pkcs10CertificateRequest): string | undefined {
  try {
    const hash: unknown = request.signatureAlgorithm.hash;
    if (typeof hash === 'string') return hash.toUpperCase();
    if (typeof hash === 'object' && hash !== null && 'name' in hash && typeof hash.name === 'string') return hash.name.toUpperCase();
    return undefined;
  } catch {
    return undefined;
  }
}

function refuse(failure: CsrFailure, reason: string): CsrCheckResult {
  return { ok: false, failure, reason };
}
