/**
 * Rows of the certificate tables (migration 8) to records, the same for both engines (each supplies its column
 * reader), and the WHERE clauses of their filtered lists (each engine supplies its placeholder style).
 */
import type {
  CertificateFilter, CertificateRecord, CertificateStatus, SecurityEventFilter, SecurityEventRecord, StationCertificateRecord,
} from './ports.ts';
import type { ColumnReader, ResultRow } from './record-mappers.ts';

export const CERTIFICATE_STATUSES: readonly CertificateStatus[] = ['issued', 'installed', 'rejected', 'superseded', 'revoked'];
const STATION_CERTIFICATE_SOURCES: readonly StationCertificateRecord['source'][] = ['installed', 'reported'];
const SECURITY_EVENT_SOURCES: readonly SecurityEventRecord['source'][] = ['station', 'csms'];

export function certificateMappers(c: ColumnReader) {
  return {
    certificate(row: ResultRow): CertificateRecord {
      return {
        fingerprintSha256: c.text(row, 'fingerprint_sha256'),
        serialNumber: c.text(row, 'serial_number'),
        issuer: c.text(row, 'issuer'),
        subject: c.text(row, 'subject'),
        commonName: c.nullableText(row, 'common_name'),
        organization: c.nullableText(row, 'organization'),
        stationId: c.nullableText(row, 'station_id'),
        certificateType: c.text(row, 'certificate_type'),
        notBefore: c.text(row, 'not_before'),
        notAfter: c.text(row, 'not_after'),
        status: c.oneOf(row, 'status', CERTIFICATE_STATUSES),
        pem: c.text(row, 'pem'),
        issuedAt: c.text(row, 'issued_at'),
        installedAt: c.nullableText(row, 'installed_at'),
        revokedAt: c.nullableText(row, 'revoked_at'),
        revocationReason: c.nullableText(row, 'revocation_reason'),
        renewalRequestedAt: c.nullableText(row, 'renewal_requested_at'),
      };
    },
    stationCertificate(row: ResultRow): StationCertificateRecord {
      return {
        stationId: c.text(row, 'station_id'),
        certificateType: c.text(row, 'certificate_type'),
        hashData: {
          hashAlgorithm: c.text(row, 'hash_algorithm'),
          issuerNameHash: c.text(row, 'issuer_name_hash'),
          issuerKeyHash: c.text(row, 'issuer_key_hash'),
          serialNumber: c.text(row, 'serial_number'),
        },
        pem: c.nullableText(row, 'pem'),
        source: c.oneOf(row, 'source', STATION_CERTIFICATE_SOURCES),
        updatedAt: c.text(row, 'updated_at'),
      };
    },
    securityEvent(row: ResultRow): SecurityEventRecord {
      return {
        stationId: c.text(row, 'station_id'),
        type: c.text(row, 'type'),
        critical: c.boolean(row, 'critical'),
        techInfo: c.nullableText(row, 'tech_info'),
        timestamp: c.text(row, 'timestamp'),
        receivedAt: c.text(row, 'received_at'),
        source: c.oneOf(row, 'source', SECURITY_EVENT_SOURCES),
      };
    },
  };
}

/** A WHERE clause (or '') with its values; `shape` names which filters are set (for naming prepared statements). */
export interface FilterClause {
  where: string;
  values: unknown[];
  shape: string;
}

type Placeholder = (index: number) => string;

function clause(conditions: [string, unknown][], placeholder: Placeholder): FilterClause {
  const values = conditions.map(([, value]) => value);
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.map(([sql], i) => sql.replace('?', placeholder(i + 1))).join(' AND ')}`;
  const shape = conditions.map(([sql]) => sql.replace(/ \?$/, '').replace(/>=/, 'from').replace(/</, 'to').replace(/=/, 'eq').replace(/\s+/g, '_')).join('_');
  return { where, values, shape: shape || 'all' };
}

export function certificateFilterClause(filter: CertificateFilter, placeholder: Placeholder): FilterClause {
  const conditions: [string, unknown][] = [];
  if (filter.stationId !== undefined) conditions.push(['station_id = ?', filter.stationId]);
  if (filter.status !== undefined) conditions.push(['status = ?', filter.status]);
  if (filter.expiringBefore !== undefined) conditions.push(['not_after < ?', filter.expiringBefore]);
  return clause(conditions, placeholder);
}

/** `critical` is compared with the engine's boolean form (`bit`). */
export function securityEventFilterClause(
  filter: SecurityEventFilter,
  placeholder: Placeholder,
  bit: (value: boolean) => unknown,
): FilterClause {
  const conditions: [string, unknown][] = [];
  if (filter.stationId !== undefined) conditions.push(['station_id = ?', filter.stationId]);
  if (filter.critical !== undefined) conditions.push(['critical = ?', bit(filter.critical)]);
  if (filter.type !== undefined) conditions.push(['type = ?', filter.type]);
  if (filter.from !== undefined) conditions.push(['timestamp >= ?', filter.from]);
  if (filter.to !== undefined) conditions.push(['timestamp < ?', filter.to]);
  return clause(conditions, placeholder);
}
