/**
 * JSON schemas of the certificate and security-event API: they validate requests, serialize responses and document
 * the OpenAPI. Property maps are checked against the record types, as in schemas.ts.
 */
import type { StationCommandOutcome } from '../domain/security/certificate-service.ts';
import type {
  CertificateHashDataRecord, CertificateRecord, SecurityEventRecord, SigningRequestRecord, StationCertificateRecord,
} from '../store/ports.ts';
import { CERTIFICATE_STATUSES } from '../store/certificate-mappers.ts';
import { SIGNING_REQUEST_STATUSES } from '../store/signing-request-mappers.ts';
import { ROOT_CERTIFICATE_TYPES } from '../domain/security/certificate-requests.ts';

type JsonSchema = Record<string, unknown>;
type PropertiesOf<T> = Record<keyof T, JsonSchema>;

const d = (description?: string): JsonSchema => (description ? { description } : {});
const str = (description?: string): JsonSchema => ({ type: 'string', ...d(description) });
const nullableStr = (description?: string): JsonSchema => ({ type: ['string', 'null'], ...d(description) });
const time = (description?: string): JsonSchema => ({ type: 'string', format: 'date-time', ...d(description) });
const nullableTime = (description?: string): JsonSchema => ({ type: ['string', 'null'], format: 'date-time', ...d(description) });
const record = (properties: JsonSchema, description: string): JsonSchema => ({ type: 'object', description, required: Object.keys(properties), properties });

export const certificateStatusSchema = { type: 'string', enum: CERTIFICATE_STATUSES };
export const rootCertificateTypeSchema = {
  type: 'string',
  enum: ROOT_CERTIFICATE_TYPES,
  description: '2.x names; for 1.6 stations CSMSRootCertificate is sent as CentralSystemRootCertificate (1.6 has no V2G or MO roots)',
};

export const certificateSchema = record({
  fingerprintSha256: str('SHA-256 of the DER, lowercase hex'),
  serialNumber: str('Hex, lowercase, without leading zeros'),
  issuer: str(),
  subject: str(),
  commonName: nullableStr(),
  organization: nullableStr(),
  stationId: nullableStr('The station it was issued to'),
  certificateType: str('ChargingStationCertificate'),
  notBefore: time(),
  notAfter: time(),
  status: { ...certificateStatusSchema, description: 'issued (sent), installed (the station accepted it), rejected (by the station), superseded (by a newer installed one), revoked' },
  pem: str('The certificate (PEM)'),
  issuedAt: time(),
  installedAt: nullableTime(),
  revokedAt: nullableTime(),
  revocationReason: nullableStr(),
  renewalRequestedAt: nullableTime('When Joule last asked the station to renew it'),
} satisfies PropertiesOf<CertificateRecord>, 'A certificate Joule issued');

export const hashDataSchema = {
  ...record({
    hashAlgorithm: { type: 'string', enum: ['SHA256', 'SHA384', 'SHA512'] },
    issuerNameHash: { type: 'string', minLength: 1, maxLength: 128 },
    issuerKeyHash: { type: 'string', minLength: 1, maxLength: 128 },
    serialNumber: { type: 'string', minLength: 1, maxLength: 40 },
  } satisfies PropertiesOf<CertificateHashDataRecord>, 'OCPP CertificateHashData, as the station reported it'),
  additionalProperties: false,
};

export const stationCertificateSchema = record({
  stationId: str(),
  certificateType: str('CSMSRootCertificate, ManufacturerRootCertificate, V2GRootCertificate, MORootCertificate, ...'),
  hashData: hashDataSchema,
  pem: nullableStr('The certificate, when Joule installed it'),
  source: { type: 'string', enum: ['installed', 'reported'], description: 'installed by Joule, or reported by the station (GetInstalledCertificateIds)' },
  updatedAt: time(),
} satisfies PropertiesOf<StationCertificateRecord>, 'A certificate the station holds');

export const stationCommandOutcomeSchema = {
  type: 'object',
  required: ['commandId', 'outcome', 'stationStatus'],
  properties: {
    commandId: str('The command log entry'),
    outcome: str('completed, error, timeout, invalid, refused or offline'),
    stationStatus: nullableStr('The station\'s answer (Accepted, Rejected, Failed, NotFound, ...), null when it gave none'),
    reason: str(),
  } satisfies PropertiesOf<StationCommandOutcome>,
};

export const securityEventSchema = record({
  stationId: str(),
  type: str('e.g. TamperDetectionActivated, or CertificateSigningRequestRejected (found by Joule)'),
  critical: { type: 'boolean' },
  techInfo: nullableStr(),
  timestamp: time('When it happened (the station\'s time for reported events)'),
  receivedAt: time(),
  source: { type: 'string', enum: ['station', 'csms'] },
} satisfies PropertiesOf<SecurityEventRecord>, 'A security event');

export const signingRequestStatusSchema = { type: 'string', enum: SIGNING_REQUEST_STATUSES };

export const signingRequestSchema = record({
  id: str('UUID'),
  stationId: str(),
  certificateType: str('ChargingStationCertificate'),
  requestId: { type: ['integer', 'null'], description: 'The station\'s requestId (2.1), echoed in CertificateSigned' },
  csrPem: str('The CSR (PEM CERTIFICATE REQUEST): what the operator\'s CA signs'),
  subject: str(),
  commonName: nullableStr(),
  organization: nullableStr(),
  keyDescription: str('The CSR\'s key, e.g. EC P-256 or RSA 2048'),
  status: { ...signingRequestStatusSchema, description: 'pending (waiting for an operator), signed, rejected (by an operator), superseded (by the station\'s newer CSR)' },
  receivedAt: time(),
  decidedAt: nullableTime(),
  decidedBy: nullableStr('The operator who signed or rejected it'),
  reason: nullableStr('Why it was rejected, or the id of the CSR that superseded it'),
  certificateFingerprint: nullableStr('The certificate it was signed into (see /certificates)'),
} satisfies PropertiesOf<SigningRequestRecord>, 'A station CSR queued for the operator\'s CA (JOULE_CA_MODE=manual)');
