/**
 * Rows of the certificate tables (migration 8) to records, the same for both engines (each supplies its column
 * reader), and the WHERE clauses of their filtered lists (each engine supplies its placeholder style).
 */
import type {
  CertificateFilter, CertificateRecord, CertificateStatus, SecurityEventFilter, SecurityEventRecord, StationCertificateRecord,
} from './ports.ts';
import type { ColumnReader, ResultRow } from './record-mappers.ts';
import type { StationListSql } from './station-list-sql.ts';

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

/** SQL with one `?` for its value, the value, and the name of the filter (for `shape`). */
type Condition = [sql: string, value: unknown, name: string];

function clause(conditions: Condition[], placeholder: Placeholder): FilterClause {
  const values = conditions.map(([, value]) => value);
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.map(([sql], i) => sql.replace('?', placeholder(i + 1))).join(' AND ')}`;
  const shape = conditions.map(([, , name]) => name).join('_');
  return { where, values, shape: shape || 'all' };
}

export function certificateFilterClause(filter: CertificateFilter, placeholder: Placeholder, stationList: StationListSql): FilterClause {
  const conditions = stationAndStatus(filter, stationList);
  if (filter.expiringBefore !== undefined) conditions.push(['not_after < ?', filter.expiringBefore, 'not_after_to']);
  return clause(conditions, placeholder);
}

/**
 * The WHERE clause (or '') of a list filtered by station (one, or those of a caller limited to sites: an empty list
 * matches nothing) and status: certificates, and the CSR queue of manual CA mode.
 */
export function stationAndStatusClause(
  filter: { stationId?: string | undefined; stationIds?: readonly string[] | undefined; status?: string | undefined },
  placeholder: Placeholder,
  stationList: StationListSql,
): FilterClause {
  return clause(stationAndStatus(filter, stationList), placeholder);
}

function stationAndStatus(
  filter: { stationId?: string | undefined; stationIds?: readonly string[] | undefined; status?: string | undefined },
  stationList: StationListSql,
): Condition[] {
  const conditions: Condition[] = [];
  if (filter.stationId !== undefined) conditions.push(['station_id = ?', filter.stationId, 'station_id_eq']);
  if (filter.stationIds !== undefined) {
    conditions.push([stationList.condition('station_id', '?'), stationList.value(filter.stationIds), 'station_id_in']);
  }
  if (filter.status !== undefined) conditions.push(['status = ?', filter.status, 'status_eq']);
  return conditions;
}

/** `critical` is compared with the engine's boolean form (`bit`). */
export function securityEventFilterClause(
  filter: SecurityEventFilter,
  placeholder: Placeholder,
  bit: (value: boolean) => unknown,
  stationList: StationListSql,
): FilterClause {
  const conditions: Condition[] = [];
  if (filter.stationId !== undefined) conditions.push(['station_id = ?', filter.stationId, 'station_id_eq']);
  if (filter.stationIds !== undefined) {
    conditions.push([stationList.condition('station_id', '?'), stationList.value(filter.stationIds), 'station_id_in']);
  }
  if (filter.critical !== undefined) conditions.push(['critical = ?', bit(filter.critical), 'critical_eq']);
  if (filter.type !== undefined) conditions.push(['type = ?', filter.type, 'type_eq']);
  if (filter.from !== undefined) conditions.push(['timestamp >= ?', filter.from, 'timestamp_from']);
  if (filter.to !== undefined) conditions.push(['timestamp < ?', filter.to, 'timestamp_to']);
  return clause(conditions, placeholder);
}
