import type { ChargingProfileRepository, InstalledChargingProfileRecord } from '../ports.ts';
import { jsonText, smartChargingRecords as records } from './columns.ts';
import type { PostgresDatabase } from './database.ts';

const COLUMNS = 'station_id, profile_id, evse_id, purpose, stack_level, transaction_id, profile, status, sent_at';

const UPSERT = {
  name: 'joule_installed_profiles_upsert',
  text: `INSERT INTO installed_charging_profiles (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)
    ON CONFLICT (station_id, profile_id) DO UPDATE SET evse_id = excluded.evse_id, purpose = excluded.purpose,
      stack_level = excluded.stack_level, transaction_id = excluded.transaction_id, profile = excluded.profile,
      status = excluded.status, sent_at = excluded.sent_at`,
};
const FOR_STATION = {
  name: 'joule_installed_profiles_of_station',
  text: `SELECT ${COLUMNS} FROM installed_charging_profiles WHERE station_id = $1
    ORDER BY evse_id, purpose, stack_level, profile_id`,
};
const REMOVE = {
  name: 'joule_installed_profiles_delete',
  text: 'DELETE FROM installed_charging_profiles WHERE station_id = $1 AND profile_id = $2',
};
const REMOVE_FOR_TRANSACTION = {
  name: 'joule_installed_profiles_delete_for_transaction',
  text: `DELETE FROM installed_charging_profiles WHERE station_id = $1 AND transaction_id = $2 AND purpose = 'TxProfile'`,
};

/** The charging profiles Joule sent to each station, as sent, with the station's answer. */
export class PostgresChargingProfileRepository implements ChargingProfileRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async put(record: InstalledChargingProfileRecord): Promise<void> {
    await this.#db.write(UPSERT, [record.stationId, record.profileId, record.evseId, record.purpose, record.stackLevel,
      record.transactionId, jsonText(record.profile), record.status, record.sentAt]);
  }

  async forStation(stationId: string): Promise<InstalledChargingProfileRecord[]> {
    return (await this.#db.read(FOR_STATION, [stationId])).map(records.installedProfile);
  }

  async remove(stationId: string, profileId: number): Promise<boolean> {
    return (await this.#db.write(REMOVE, [stationId, profileId])).count > 0;
  }

  async removeForTransaction(stationId: string, transactionId: string): Promise<number> {
    return (await this.#db.write(REMOVE_FOR_TRANSACTION, [stationId, transactionId])).count;
  }
}
