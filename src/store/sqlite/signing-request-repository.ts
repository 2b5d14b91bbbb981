import type { SQLInputValue, StatementSync } from 'node:sqlite';
import type {
  SigningRequestDecision, SigningRequestFilter, SigningRequestRecord, SigningRequestRepository,
} from '../ports.ts';
import { stationAndStatusClause } from '../certificate-mappers.ts';
import {
  SIGNING_REQUEST_COLUMNS, signingRequestMappers, signingRequestValues,
} from '../signing-request-mappers.ts';
import { SQLITE_STATION_LIST } from '../station-list-sql.ts';
import { nullableNumber, nullableText, oneOf, text } from './columns.ts';
import type { SqliteDatabase } from './database.ts';

const records = signingRequestMappers({ text, nullableText, nullableNumber, oneOf });

/**
 * Station CSRs queued for an external CA (migration 14). Queuing one supersedes the station's earlier pending CSRs of
 * its type in the same write; a decision is a conditional UPDATE, so that only one of two concurrent ones applies.
 */
export class SqliteSigningRequestRepository implements SigningRequestRepository {
  readonly #db: SqliteDatabase;
  readonly #pendingOfType: StatementSync;
  readonly #supersede: StatementSync;
  readonly #insert: StatementSync;
  readonly #get: StatementSync;
  readonly #decide: StatementSync;
  readonly #lists = new Map<string, StatementSync>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#pendingOfType = db.prepare(`SELECT id FROM certificate_signing_requests
      WHERE station_id = ? AND certificate_type = ? AND status = 'pending' ORDER BY received_at, id`);
    this.#supersede = db.prepare(`UPDATE certificate_signing_requests SET status = 'superseded', decided_at = ?, reason = ?
      WHERE station_id = ? AND certificate_type = ? AND status = 'pending'`);
    this.#insert = db.prepare(`INSERT INTO certificate_signing_requests (${SIGNING_REQUEST_COLUMNS})
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#get = db.prepare('SELECT * FROM certificate_signing_requests WHERE id = ?');
    this.#decide = db.prepare(`UPDATE certificate_signing_requests
      SET status = ?, decided_at = ?, decided_by = ?, reason = ?, certificate_fingerprint = ?
      WHERE id = ? AND status = 'pending' RETURNING *`);
  }

  /** The superseded ids come oldest first. */
  addPending(r: SigningRequestRecord): Promise<string[]> {
    return this.#db.write(() => {
      const superseded = this.#pendingOfType.all(r.stationId, r.certificateType).map((row) => text(row, 'id'));
      if (superseded.length > 0) this.#supersede.run(r.receivedAt, r.id, r.stationId, r.certificateType);
      this.#insert.run(...signingRequestValues(r));
      return superseded;
    });
  }

  get(id: string): Promise<SigningRequestRecord | undefined> {
    return this.#db.read(() => {
      const row = this.#get.get(id);
      return row === undefined ? undefined : records.signingRequest(row);
    });
  }

  list(filter: SigningRequestFilter): Promise<SigningRequestRecord[]> {
    const { where, values, shape } = stationAndStatusClause(filter, () => '?', SQLITE_STATION_LIST);
    let statement = this.#lists.get(shape);
    if (statement === undefined) {
      statement = this.#db.prepare(`SELECT * FROM certificate_signing_requests ${where} ORDER BY received_at DESC, id LIMIT ?`);
      this.#lists.set(shape, statement);
    }
    const prepared = statement;
    return this.#db.read(() => prepared.all(...(values as SQLInputValue[]), filter.limit).map(records.signingRequest));
  }

  decide(id: string, d: SigningRequestDecision): Promise<SigningRequestRecord | undefined> {
    return this.#db.write(() => {
      const row = this.#decide.get(d.status, d.decidedAt, d.decidedBy, d.reason, d.certificateFingerprint, id);
      return row === undefined ? undefined : records.signingRequest(row);
    });
  }
}
