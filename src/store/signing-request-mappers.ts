/**
 * The CSR queue of manual CA mode (table `certificate_signing_requests`: SQLite migration 14, PostgreSQL migration
 * 15), the same for both engines: its columns, a record as the values of those columns, a row back to a record (each
 * engine supplies its column reader); its filtered list uses `stationAndStatusClause` (certificate-mappers.ts).
 */
import type { SigningRequestRecord, SigningRequestStatus } from './ports.ts';
import type { ColumnReader, ResultRow } from './record-mappers.ts';

export const SIGNING_REQUEST_STATUSES: readonly SigningRequestStatus[] = ['pending', 'signed', 'rejected', 'superseded'];

/** Every column, in the order of {@link signingRequestValues}. */
export const SIGNING_REQUEST_COLUMNS = `id, station_id, certificate_type, request_id, csr_pem, subject, common_name,
  organization, key_description, status, received_at, decided_at, decided_by, reason, certificate_fingerprint`;

/** A record as the values of {@link SIGNING_REQUEST_COLUMNS}, for an INSERT. */
export function signingRequestValues(r: SigningRequestRecord): (string | number | null)[] {
  return [r.id, r.stationId, r.certificateType, r.requestId, r.csrPem, r.subject, r.commonName, r.organization,
    r.keyDescription, r.status, r.receivedAt, r.decidedAt, r.decidedBy, r.reason, r.certificateFingerprint];
}

/** The reads a signing-request row needs (both engines' column readers have them). */
export type SigningRequestColumnReader = Pick<ColumnReader, 'text' | 'nullableText' | 'nullableNumber' | 'oneOf'>;

export function signingRequestMappers(c: SigningRequestColumnReader) {
  return {
    signingRequest(row: ResultRow): SigningRequestRecord {
      return {
        id: c.text(row, 'id'),
        stationId: c.text(row, 'station_id'),
        certificateType: c.text(row, 'certificate_type'),
        requestId: c.nullableNumber(row, 'request_id'),
        csrPem: c.text(row, 'csr_pem'),
        subject: c.text(row, 'subject'),
        commonName: c.nullableText(row, 'common_name'),
        organization: c.nullableText(row, 'organization'),
        keyDescription: c.text(row, 'key_description'),
        status: c.oneOf(row, 'status', SIGNING_REQUEST_STATUSES),
        receivedAt: c.text(row, 'received_at'),
        decidedAt: c.nullableText(row, 'decided_at'),
        decidedBy: c.nullableText(row, 'decided_by'),
        reason: c.nullableText(row, 'reason'),
        certificateFingerprint: c.nullableText(row, 'certificate_fingerprint'),
      };
    },
  };
}
