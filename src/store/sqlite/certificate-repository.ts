import type { SQLInputValue, StatementSync } from 'node:sqlite';
import { certificateFilterClause } from '../certificate-mappers.ts';
import type {
  CertificateChanges, CertificateFilter, CertificateHashDataRecord, CertificateRecord, CertificateRepository, StationCertificateRecord,
} from '../ports.ts';
import { certificateRecords } from './columns.ts';
import type { SqliteDatabase } from './database.ts';
import { SQLITE_STATION_LIST } from '../station-list-sql.ts';

const CHANGE_COLUMNS: Record<keyof CertificateChanges, string> = {
  status: 'status',
  installedAt: 'installed_at',
  revokedAt: 'revoked_at',
  revocationReason: 'revocation_reason',
  renewalRequestedAt: 'renewal_requested_at',
};

const HASH_MATCH = 'hash_algorithm = ? AND issuer_name_hash = ? AND issuer_key_hash = ? AND serial_number = ?';

/** Issued certificates and the certificates stations hold (migration 8). */
export class SqliteCertificateRepository implements CertificateRepository {
  readonly #db: SqliteDatabase;
  readonly #insert: StatementSync;
  readonly #get: StatementSync;
  readonly #bySerial: StatementSync;
  readonly #putStation: StatementSync;
  readonly #deleteStationOfType: StatementSync;
  readonly #deleteStation: StatementSync;
  readonly #stationCertificates: StatementSync;
  readonly #lists = new Map<string, StatementSync>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO certificates (fingerprint_sha256, serial_number, issuer, subject, common_name,
      organization, station_id, certificate_type, not_before, not_after, status, pem, issued_at, installed_at, revoked_at,
      revocation_reason, renewal_requested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT DO NOTHING`);
    this.#get = db.prepare('SELECT * FROM certificates WHERE fingerprint_sha256 = ?');
    this.#bySerial = db.prepare('SELECT * FROM certificates WHERE serial_number = ? ORDER BY not_after DESC');
    this.#putStation = db.prepare(`INSERT INTO station_certificates (station_id, certificate_type, hash_algorithm,
      issuer_name_hash, issuer_key_hash, serial_number, pem, source, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET pem = coalesce(excluded.pem, pem),
        source = CASE WHEN excluded.pem IS NULL THEN source ELSE excluded.source END, updated_at = excluded.updated_at`);
    this.#deleteStationOfType = db.prepare('DELETE FROM station_certificates WHERE station_id = ? AND certificate_type = ?');
    this.#deleteStation = db.prepare(`DELETE FROM station_certificates WHERE station_id = ? AND ${HASH_MATCH}`);
    this.#stationCertificates = db.prepare('SELECT * FROM station_certificates WHERE station_id = ? ORDER BY certificate_type, serial_number');
  }

  add(r: CertificateRecord): Promise<void> {
    return this.#db.write(() => {
      this.#insert.run(r.fingerprintSha256, r.serialNumber, r.issuer, r.subject, r.commonName, r.organization, r.stationId,
        r.certificateType, r.notBefore, r.notAfter, r.status, r.pem, r.issuedAt, r.installedAt, r.revokedAt, r.revocationReason,
        r.renewalRequestedAt);
    });
  }

  get(fingerprintSha256: string): Promise<CertificateRecord | undefined> {
    return this.#db.read(() => {
      const row = this.#get.get(fingerprintSha256);
      return row === undefined ? undefined : certificateRecords.certificate(row);
    });
  }

  bySerialNumber(serialNumber: string): Promise<CertificateRecord[]> {
    return this.#db.read(() => this.#bySerial.all(serialNumber).map(certificateRecords.certificate));
  }

  list(filter: CertificateFilter): Promise<CertificateRecord[]> {
    const { where, values, shape } = certificateFilterClause(filter, () => '?', SQLITE_STATION_LIST);
    let statement = this.#lists.get(shape);
    if (statement === undefined) {
      statement = this.#db.prepare(`SELECT * FROM certificates ${where} ORDER BY not_after DESC, fingerprint_sha256 LIMIT ?`);
      this.#lists.set(shape, statement);
    }
    const prepared = statement;
    return this.#db.read(() => prepared.all(...(values as SQLInputValue[]), filter.limit).map(certificateRecords.certificate));
  }

  async update(fingerprintSha256: string, changes: CertificateChanges): Promise<CertificateRecord | undefined> {
    const entries = Object.entries(changes).filter(([, value]) => value !== undefined) as [keyof CertificateChanges, string | null][];
    if (entries.length > 0) {
      const sets = entries.map(([field]) => `${CHANGE_COLUMNS[field]} = ?`).join(', ');
      const statement = this.#db.prepare(`UPDATE certificates SET ${sets} WHERE fingerprint_sha256 = ?`);
      await this.#db.write(() => {
        statement.run(...entries.map(([, value]) => value), fingerprintSha256);
      });
    }
    return this.get(fingerprintSha256);
  }

  putStationCertificate(r: StationCertificateRecord): Promise<void> {
    return this.#db.write(() => this.#putOne(r));
  }

  replaceStationCertificates(stationId: string, certificateTypes: readonly string[], records: readonly StationCertificateRecord[]): Promise<void> {
    return this.#db.write(() => {
      for (const type of certificateTypes) this.#deleteStationOfType.run(stationId, type);
      for (const r of records) this.#putOne(r);
    }, Math.max(1, records.length));
  }

  removeStationCertificate(stationId: string, h: CertificateHashDataRecord): Promise<boolean> {
    return this.#db.write(() => Number(this.#deleteStation.run(stationId, h.hashAlgorithm, h.issuerNameHash, h.issuerKeyHash, h.serialNumber).changes) > 0);
  }

  stationCertificates(stationId: string): Promise<StationCertificateRecord[]> {
    return this.#db.read(() => this.#stationCertificates.all(stationId).map(certificateRecords.stationCertificate));
  }

  #putOne(r: StationCertificateRecord): void {
    const h = r.hashData;
    this.#putStation.run(r.stationId, r.certificateType, h.hashAlgorithm, h.issuerNameHash, h.issuerKeyHash, h.serialNumber, r.pem, r.source, r.updatedAt);
  }
}
