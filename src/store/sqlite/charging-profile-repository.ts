import type { StatementSync } from 'node:sqlite';
import type { ChargingProfileRepository, InstalledChargingProfileRecord } from '../ports.ts';
import { smartChargingRecords as records } from './columns.ts';
import type { SqliteDatabase } from './database.ts';

/** The charging profiles Joule sent to each station, as sent, with the station's answer. */
export class SqliteChargingProfileRepository implements ChargingProfileRepository {
  readonly #db: SqliteDatabase;
  readonly #upsert: StatementSync;
  readonly #forStation: StatementSync;
  readonly #remove: StatementSync;
  readonly #removeForTransaction: StatementSync;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#upsert = db.prepare(`
      INSERT INTO installed_charging_profiles (station_id, profile_id, evse_id, purpose, stack_level, transaction_id,
        profile, status, sent_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (station_id, profile_id) DO UPDATE SET evse_id = excluded.evse_id, purpose = excluded.purpose,
        stack_level = excluded.stack_level, transaction_id = excluded.transaction_id, profile = excluded.profile,
        status = excluded.status, sent_at = excluded.sent_at`);
    this.#forStation = db.prepare(`SELECT * FROM installed_charging_profiles WHERE station_id = ?
      ORDER BY evse_id, purpose, stack_level, profile_id`);
    this.#remove = db.prepare('DELETE FROM installed_charging_profiles WHERE station_id = ? AND profile_id = ?');
    this.#removeForTransaction = db.prepare(`DELETE FROM installed_charging_profiles
      WHERE station_id = ? AND transaction_id = ? AND purpose = 'TxProfile'`);
  }

  put(record: InstalledChargingProfileRecord): Promise<void> {
    return this.#db.write(() => {
      this.#upsert.run(record.stationId, record.profileId, record.evseId, record.purpose, record.stackLevel,
        record.transactionId, JSON.stringify(record.profile), record.status, record.sentAt);
    });
  }

  forStation(stationId: string): Promise<InstalledChargingProfileRecord[]> {
    return this.#db.read(() => this.#forStation.all(stationId).map(records.installedProfile));
  }

  remove(stationId: string, profileId: number): Promise<boolean> {
    return this.#db.write(() => Number(this.#remove.run(stationId, profileId).changes) > 0);
  }

  removeForTransaction(stationId: string, transactionId: string): Promise<number> {
    return this.#db.write(() => Number(this.#removeForTransaction.run(stationId, transactionId).changes));
  }
}
