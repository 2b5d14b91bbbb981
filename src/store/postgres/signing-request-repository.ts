import type {
  SigningRequestDecision, SigningRequestFilter, SigningRequestRecord, SigningRequestRepository,
} from '../ports.ts';
import { stationAndStatusClause } from '../certificate-mappers.ts';
import {
  SIGNING_REQUEST_COLUMNS, signingRequestMappers, signingRequestValues,
} from '../signing-request-mappers.ts';
import { POSTGRES_STATION_LIST } from '../station-list-sql.ts';
import { nullableNumber, nullableText, oneOf, text } from './columns.ts';
import type { PostgresDatabase, Queryable } from './database.ts';
import { StoreClosedError } from '../commit.ts';

const records = signingRequestMappers({ text, nullableText, nullableNumber, oneOf });

/**
 * Supersedes the station's pending CSRs of the type (decided at the new one's receipt, the new id as the reason) and
 * inserts the new one, in one statement; returns the superseded ids, oldest first. The UPDATE does not see the row
 * the INSERT adds (both read the statement's snapshot). It runs after LOCK_PENDING, in the same transaction.
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
/**
 * Queuing CSRs of one station and type one at a time, until the transaction ends: a second one, on any node, waits,
 * and its statement then sees the first one's row (READ COMMITTED takes a snapshot per statement) and supersedes it.
 */
const LOCK_PENDING = {
  name: 'joule_csrs_lock_pending',
  text: 'SELECT pg_advisory_xact_lock($1, hashtext($2))',
};
/** The advisory-lock class of the CSR queue ("CSRq"); the migrations lock under their own class. */
const CSR_LOCK_CLASS = 0x43535271;
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
 * its type in the same transaction, under an advisory lock of that station and type; a decision is a conditional
 * UPDATE, so that only one of two concurrent ones applies (the second waits for the first's row lock, then finds the
 * row no longer pending).
 */
export class PostgresSigningRequestRepository implements SigningRequestRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async addPending(r: SigningRequestRecord): Promise<string[]> {
    if (this.#db.closed) throw new StoreClosedError();
    const started = performance.now();
    const superseded = await this.#db.track(() => this.#db.inTransaction(async (client: Queryable) => {
      await client.query({ ...LOCK_PENDING, values: [CSR_LOCK_CLASS, JSON.stringify([r.stationId, r.certificateType])] });
      const { rows } = await client.query({ ...ADD_PENDING, values: signingRequestValues(r) });
      return rows.map((row) => text(row, 'id'));
    }));
    this.#db.reportCommit({ writes: 1, ops: 1 + superseded.length, durationMs: performance.now() - started });
    return superseded;
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
