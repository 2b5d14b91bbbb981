import type {
  SigningRequestDecision, SigningRequestFilter, SigningRequestRecord, SigningRequestRepository,
} from '../ports.ts';
import { stationAndStatusClause } from '../certificate-mappers.ts';
import {
  SIGNING_REQUEST_COLUMNS, signingRequestMappers, signingRequestValues,
} from '../signing-request-mappers.ts';
import { POSTGRES_STATION_LIST } from '../station-list-sql.ts';
import { nullableNumber, nullableText, oneOf, text } from './columns.ts';
import type { PostgresDatabase } from './database.ts';

const records = signingRequestMappers({ text, nullableText, nullableNumber, oneOf });

/**
 * Supersedes the station's pending CSRs of the type (decided at the new one's receipt, the new id as the reason) and
 * inserts the new one, in one statement; returns the superseded ids, oldest first. The UPDATE does not see the row
 * the INSERT adds (both read the statement's snapshot).
 */
const ADD_PENDING = {
  name: 'joule_csrs_add_pending',
  text: `WITH superseded AS (
      UPDATE certificate_signing_requests SET status = 'superseded', decided_at = $11, reason = $1
      WHERE station_id = $2 AND certificate_type = $3 AND status = 'pending'
      RETURNING id, received_at
    ), queued AS (
      INSERT INTO certificate_signing_requests (${SIGNING_REQUEST_COLUMNS})
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
    )
    SELECT id FROM superseded ORDER BY received_at, id`,
};
const GET = {
  name: 'joule_csrs_get',
  text: `SELECT ${SIGNING_REQUEST_COLUMNS} FROM certificate_signing_requests WHERE id = $1`,
};
const DECIDE = {
  name: 'joule_csrs_decide',
  text: `UPDATE certificate_signing_requests
    SET status = $2, decided_at = $3, decided_by = $4, reason = $5, certificate_fingerprint = $6
    WHERE id = $1 AND status = 'pending'
    RETURNING ${SIGNING_REQUEST_COLUMNS}`,
};

/**
 * Station CSRs queued for an external CA (migration 15). Queuing one supersedes the station's earlier pending CSRs of
 * its type in the same statement; a decision is a conditional UPDATE, so that only one of two concurrent ones applies
 * (the second waits for the first's row lock, then finds the row no longer pending).
 */
export class PostgresSigningRequestRepository implements SigningRequestRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async addPending(r: SigningRequestRecord): Promise<string[]> {
    const { rows } = await this.#db.write(ADD_PENDING, signingRequestValues(r));
    return rows.map((row) => text(row, 'id'));
  }

  async get(id: string): Promise<SigningRequestRecord | undefined> {
    const rows = await this.#db.read(GET, [id]);
    return rows[0] === undefined ? undefined : records.signingRequest(rows[0]);
  }

  async list(filter: SigningRequestFilter): Promise<SigningRequestRecord[]> {
    const { where, values, shape } = stationAndStatusClause(filter, (i) => `$${i}`, POSTGRES_STATION_LIST);
    const statement = {
      name: `joule_csrs_list_${shape}`,
      text: `SELECT ${SIGNING_REQUEST_COLUMNS} FROM certificate_signing_requests ${where}
        ORDER BY received_at DESC, id LIMIT $${values.length + 1}`,
    };
    return (await this.#db.read(statement, [...values, filter.limit])).map(records.signingRequest);
  }

  async decide(id: string, d: SigningRequestDecision): Promise<SigningRequestRecord | undefined> {
    const { rows } = await this.#db.write(DECIDE, [id, d.status, d.decidedAt, d.decidedBy, d.reason, d.certificateFingerprint]);
    return rows[0] === undefined ? undefined : records.signingRequest(rows[0]);
  }
}
