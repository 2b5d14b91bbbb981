import type { StatementSync } from 'node:sqlite';
import { deviceVariableRows, type DeviceVariableRow } from '../device-variables.ts';
import type { DeviceModelQuery, DeviceModelRepository, DeviceVariableRecord, DeviceVariableUpdate } from '../ports.ts';
import { nullableBit, records } from './columns.ts';
import type { SqliteDatabase } from './database.ts';

const COLUMNS = `station_id, component, component_instance, evse_id, connector_id, variable, variable_instance,
  attribute_type, value, mutability, persistent, constant, unit, data_type, min_limit, max_limit, values_list,
  supports_monitoring, updated_at`;
/** The primary key's order; the text columns are NOCASE, so this is the order without ASCII case. */
const ORDER = 'ORDER BY component, component_instance, evse_id, connector_id, variable, variable_instance, attribute_type';

/**
 * A station's device model on SQLite, one row per variable attribute (see ../device-variables.ts for the identity).
 * An upsert of any size is one queued write, so one commit (a NotifyReport carries thousands of attributes).
 */
export class SqliteDeviceModelRepository implements DeviceModelRepository {
  readonly #db: SqliteDatabase;
  readonly #upsert: StatementSync;
  readonly #clear: StatementSync;
  readonly #listStatements = new Map<string, StatementSync>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
    // A null in an update keeps what is stored, except the value; the identity keeps its first spelling.
    this.#upsert = db.prepare(`INSERT INTO device_variables (${COLUMNS})
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (station_id, component, component_instance, evse_id, connector_id, variable, variable_instance,
        attribute_type) DO UPDATE SET value = excluded.value,
        mutability = coalesce(excluded.mutability, mutability),
        persistent = coalesce(excluded.persistent, persistent),
        constant = coalesce(excluded.constant, constant),
        unit = coalesce(excluded.unit, unit),
        data_type = coalesce(excluded.data_type, data_type),
        min_limit = coalesce(excluded.min_limit, min_limit),
        max_limit = coalesce(excluded.max_limit, max_limit),
        values_list = coalesce(excluded.values_list, values_list),
        supports_monitoring = coalesce(excluded.supports_monitoring, supports_monitoring),
        updated_at = excluded.updated_at`);
    this.#clear = db.prepare('DELETE FROM device_variables WHERE station_id = ?');
  }

  upsert(stationId: string, updates: DeviceVariableUpdate[], at: string): Promise<void> {
    let rows: DeviceVariableRow[];
    try {
      rows = deviceVariableRows(updates);
    } catch (error) {
      return Promise.reject(error);
    }
    if (rows.length === 0) return Promise.resolve();
    return this.#db.write(() => {
      for (const { update, componentInstance, evseId, connectorId, variableInstance } of rows) {
        this.#upsert.run(
          stationId,
          update.component,
          componentInstance,
          evseId,
          connectorId,
          update.variable,
          variableInstance,
          update.attributeType,
          update.value,
          update.mutability,
          nullableBit(update.persistent),
          nullableBit(update.constant),
          update.unit,
          update.dataType,
          update.minLimit,
          update.maxLimit,
          update.valuesList,
          nullableBit(update.supportsMonitoring),
          at,
        );
      }
    }, rows.length);
  }

  list(stationId: string, query: DeviceModelQuery): Promise<DeviceVariableRecord[]> {
    return this.#db.read(() => {
      const parameters: (string | number)[] = [stationId];
      if (query.component !== undefined) parameters.push(query.component);
      if (query.variable !== undefined) parameters.push(query.variable);
      return this.#listStatement(query.component !== undefined, query.variable !== undefined)
        .all(...parameters, query.limit ?? -1, query.offset ?? 0)
        .map(records.deviceVariable);
    });
  }

  clear(stationId: string): Promise<void> {
    return this.#db.write(() => {
      this.#clear.run(stationId);
    });
  }

  /** One prepared statement per filter combination. The NOCASE columns make `=` ignore ASCII case. */
  #listStatement(byComponent: boolean, byVariable: boolean): StatementSync {
    const key = `${byComponent}/${byVariable}`;
    let statement = this.#listStatements.get(key);
    if (statement === undefined) {
      const conditions = ['station_id = ?'];
      if (byComponent) conditions.push('component = ?');
      if (byVariable) conditions.push('variable = ?');
      // LIMIT -1: no limit.
      statement = this.#db.prepare(`SELECT ${COLUMNS} FROM device_variables WHERE ${conditions.join(' AND ')} ${ORDER}
        LIMIT ? OFFSET ?`);
      this.#listStatements.set(key, statement);
    }
    return statement;
  }
}
