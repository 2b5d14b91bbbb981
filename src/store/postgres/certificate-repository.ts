import { certificateFilterClause } from '../certificate-mappers.ts';
import type {
  CertificateChanges, CertificateFilter, CertificateHashDataRecord, CertificateRecord, CertificateRepository, StationCertificateRecord,
} from '../ports.ts';
import { certificateRecords } from './columns.ts';
import type { PostgresDatabase, Queryable } from './database.ts';
import { POSTGRES_STATION_LIST } from '../station-list-sql.ts';

const CERTIFICATE_COLUMNS = `fingerprint_sha256, serial_number, issuer, subject, common_name, organization, station_id,
  certificate_type, not_before, not_after, status, pem, issued_at, installed_at, revoked_at, revocation_reason,
  renewal_requested_at`;
const STATION_COLUMNS = 'station_id, certificate_type, hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number, pem, source, updated_at';

const INSERT = {
  name: 'joule_certificates_insert',
  text: `INSERT INTO certificates (${CERTIFICATE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
    $14, $15, $16, $17) ON CONFLICT DO NOTHING`,
};
const GET = { name: 'joule_certificates_get', text: `SELECT ${CERTIFICATE_COLUMNS} FROM certificates WHERE fingerprint_sha256 = $1` };
const BY_SERIAL = {
  name: 'joule_certificates_by_serial',
  text: `SELECT ${CERTIFICATE_COLUMNS} FROM certificates WHERE serial_number = $1 ORDER BY not_after DESC`,
};
const PUT_STATION = {
  name: 'joule_station_certificates_put',
  text: `INSERT INTO station_certificates (${STATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    ON CONFLICT (station_id, certificate_type, hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number)
    DO UPDATE SET pem = coalesce(excluded.pem, station_certificates.pem),
      source = CASE WHEN excluded.pem IS NULL THEN station_certificates.source ELSE excluded.source END,
      updated_at = excluded.updated_at`,
};
const DELETE_STATION_OF_TYPE = {
  name: 'joule_station_certificates_delete_type',
  text: 'DELETE FROM station_certificates WHERE station_id = $1 AND certificate_type = $2',
};
const DELETE_STATION = {
  name: 'joule_station_certificates_delete',
  text: `DELETE FROM station_certificates WHERE station_id = $1 AND hash_algorithm = $2 AND issuer_name_hash = $3
    AND issuer_key_hash = $4 AND serial_number = $5`,
};
const STATION_CERTIFICATES = {
  name: 'joule_station_certificates_list',
  text: `SELECT ${STATION_COLUMNS} FROM station_certificates WHERE station_id = $1 ORDER BY certificate_type, serial_number`,
};

const CHANGE_COLUMNS: Record<keyof CertificateChanges, string> = {
  status: 'status',
  installedAt: 'installed_at',
  revokedAt: 'revoked_at',
  revocationReason: 'revocation_reason',
  renewalRequestedAt: 'renewal_requested_at',
};

function stationValues(r: StationCertificateRecord): unknown[] {
  const h = r.hashData;
  return [r.stationId, r.certificateType, h.hashAlgorithm, h.issuerNameHash, h.issuerKeyHash, h.serialNumber, r.pem, r.source, r.updatedAt];
}

/** Issued certificates and the certificates stations hold (migration 8). */
export class PostgresCertificateRepository implements CertificateRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async add(r: CertificateRecord): Promise<void> {
    await this.#db.write(INSERT, [r.fingerprintSha256, r.serialNumber, r.issuer, r.subject, r.commonName, r.organization,
      r.stationId, r.certificateType, r.notBefore, r.notAfter, r.status, r.pem, r.issuedAt, r.installedAt, r.revokedAt,
      r.revocationReason, r.renewalRequestedAt]);
  }

  async get(fingerprintSha256: string): Promise<CertificateRecord | undefined> {
    const rows = await this.#db.read(GET, [fingerprintSha256]);
    return rows[0] === undefined ? undefined : certificateRecords.certificate(rows[0]);
  }

  async bySerialNumber(serialNumber: string): Promise<CertificateRecord[]> {
    return (await this.#db.read(BY_SERIAL, [serialNumber])).map(certificateRecords.certificate);
  }

  async list(filter: CertificateFilter): Promise<CertificateRecord[]> {
    const { where, values, shape } = certificateFilterClause(filter, (i) => `$${i}`, POSTGRES_STATION_LIST);
    const statement = {
      name: `joule_certificates_list_${shape}`,
      text: `SELECT ${CERTIFICATE_COLUMNS} FROM certificates ${where} ORDER BY not_after DESC, fingerprint_sha256 LIMIT $${values.length + 1}`,
    };
    return (await this.#db.read(statement, [...values, filter.limit])).map(certificateRecords.certificate);
  }

  async update(fingerprintSha256: string, changes: CertificateChanges): Promise<CertificateRecord | undefined> {
    const entries = Object.entries(changes).filter(([, value]) => value !== undefined) as [keyof CertificateChanges, string | null][];
    if (entries.length > 0) {
      const fields = entries.map(([field]) => field);
      const sets = fields.map((field, i) => `${CHANGE_COLUMNS[field]} = $${i + 2}`).join(', ');
      await this.#db.write(
        { name: `joule_certificates_update_${fields.join('_')}`, text: `UPDATE certificates SET ${sets} WHERE fingerprint_sha256 = $1` },
        [fingerprintSha256, ...entries.map(([, value]) => value)],
      );
    }
    return this.get(fingerprintSha256);
  }

  async putStationCertificate(r: StationCertificateRecord): Promise<void> {
    await this.#db.write(PUT_STATION, stationValues(r));
  }

  async replaceStationCertificates(stationId: string, certificateTypes: readonly string[], records: readonly StationCertificateRecord[]): Promise<void> {
    await this.#db.track(() => this.#db.inTransaction(async (client: Queryable) => {
      for (const type of certificateTypes) await client.query({ ...DELETE_STATION_OF_TYPE, values: [stationId, type] });
      for (const r of records) await client.query({ ...PUT_STATION, values: stationValues(r) });
    }));
  }

  async removeStationCertificate(stationId: string, h: CertificateHashDataRecord): Promise<boolean> {
    const result = await this.#db.write(DELETE_STATION, [stationId, h.hashAlgorithm, h.issuerNameHash, h.issuerKeyHash, h.serialNumber]);
    return result.count > 0;
  }

  async stationCertificates(stationId: string): Promise<StationCertificateRecord[]> {
    return (await this.#db.read(STATION_CERTIFICATES, [stationId])).map(certificateRecords.stationCertificate);
  }
}
