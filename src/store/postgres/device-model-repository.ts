import { deviceVariableRows, type DeviceVariableRow } from '../device-variables.ts';
import type { DeviceModelQuery, DeviceModelRepository, DeviceVariableRecord, DeviceVariableUpdate } from '../ports.ts';
import { records } from './columns.ts';
import type { PostgresDatabase, Statement } from './database.ts';

const COLUMNS = `station_id, component, component_instance, evse_id, connector_id, variable, variable_instance,
  attribute_type, value, mutability, persistent, constant, unit, data_type, min_limit, max_limit, values_list,
  supports_monitoring, updated_at`;
/** The unique index's expressions, so the identity compares names without ASCII case (as SQLite's NOCASE). */
const IDENTITY = `station_id, lower(component), lower(component_instance), evse_id, connector_id, lower(variable),
  lower(variable_instance), attribute_type`;
const ORDER = `ORDER BY lower(component), lower(component_instance), evse_id, connector_id, lower(variable),
  lower(variable_instance), attribute_type`;

/**
 * Every attribute of one upsert in one statement (so one commit), as one array per column: 18 parameters whatever
 * the number of rows. A null in an update keeps what is stored, except the value; the identity keeps its first
 * spelling.
 */
const UPSERT = {
  name: 'joule_device_variables_upsert',
  text: `INSERT INTO device_variables (${COLUMNS})
    SELECT $1, v.*, $2 FROM unnest($3::text[], $4::text[], $5::int8[], $6::int8[], $7::text[], $8::text[], $9::text[],
      $10::text[], $11::text[], $12::boolean[], $13::boolean[], $14::text[], $15::text[], $16::float8[],
      $17::float8[], $18::text[], $19::boolean[])
      AS v(component, component_instance, evse_id, connector_id, variable, variable_instance, attribute_type, value,
        mutability, persistent, constant, unit, data_type, min_limit, max_limit, values_list, supports_monitoring)
    ON CONFLICT (${IDENTITY}) DO UPDATE SET value = excluded.value,
      mutability = coalesce(excluded.mutability, device_variables.mutability),
      persistent = coalesce(excluded.persistent, device_variables.persistent),
      constant = coalesce(excluded.constant, device_variables.constant),
      unit = coalesce(excluded.unit, device_variables.unit),
      data_type = coalesce(excluded.data_type, device_variables.data_type),
      min_limit = coalesce(excluded.min_limit, device_variables.min_limit),
      max_limit = coalesce(excluded.max_limit, device_variables.max_limit),
      values_list = coalesce(excluded.values_list, device_variables.values_list),
      supports_monitoring = coalesce(excluded.supports_monitoring, device_variables.supports_monitoring),
      updated_at = excluded.updated_at`,
};
const CLEAR = { name: 'joule_device_variables_clear', text: 'DELETE FROM device_variables WHERE station_id = $1' };

/**
 * A station's device model on PostgreSQL, one row per variable attribute (see ../device-variables.ts for the
 * identity). The rows of an upsert are merged per identity first (one statement may not update a row twice) and
 * sorted, so that concurrent upserts lock rows in the same order.
 */
export class PostgresDeviceModelRepository implements DeviceModelRepository {
  readonly #db: PostgresDatabase;
  readonly #listStatements = new Map<string, Statement>();

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async upsert(stationId: string, updates: DeviceVariableUpdate[], at: string): Promise<void> {
    const rows = deviceVariableRows(updates);
    if (rows.length === 0) return;
    const column = <T>(value: (row: DeviceVariableRow) => T): T[] => rows.map(value);
    await this.#db.write(
      UPSERT,
      [
        stationId,
        at,
        column((row) => row.update.component),
        column((row) => row.componentInstance),
        column((row) => row.evseId),
        column((row) => row.connectorId),
        column((row) => row.update.variable),
        column((row) => row.variableInstance),
        column((row) => row.update.attributeType),
        column((row) => row.update.value),
        column((row) => row.update.mutability),
        column((row) => row.update.persistent),
        column((row) => row.update.constant),
        column((row) => row.update.unit),
        column((row) => row.update.dataType),
        column((row) => row.update.minLimit),
        column((row) => row.update.maxLimit),
        column((row) => row.update.valuesList),
        column((row) => row.update.supportsMonitoring),
      ],
      rows.length,
    );
  }

  async list(stationId: string, query: DeviceModelQuery): Promise<DeviceVariableRecord[]> {
    const parameters: unknown[] = [stationId];
    if (query.component !== undefined) parameters.push(query.component);
    if (query.variable !== undefined) parameters.push(query.variable);
    // LIMIT NULL: no limit.
    parameters.push(query.limit ?? null, query.offset ?? 0);
    const statement = this.#listStatement(query.component !== undefined, query.variable !== undefined);
    return (await this.#db.read(statement, parameters)).map(records.deviceVariable);
  }

  async clear(stationId: string): Promise<void> {
    await this.#db.write(CLEAR, [stationId]);
  }

  /** One named statement per filter combination; names compare as `lower()` of "C" text (ASCII folding). */
  #listStatement(byComponent: boolean, byVariable: boolean): Statement {
    const key = `${byComponent}/${byVariable}`;
    let statement = this.#listStatements.get(key);
    if (statement === undefined) {
      const conditions = ['station_id = $1'];
      if (byComponent) conditions.push(`lower(component) = lower($${conditions.length + 1}::text COLLATE "C")`);
      if (byVariable) conditions.push(`lower(variable) = lower($${conditions.length + 1}::text COLLATE "C")`);
      const next = conditions.length + 1;
      statement = {
        name: `joule_device_variables_list_${byComponent ? 'component' : 'any'}_${byVariable ? 'variable' : 'any'}`,
        text: `SELECT ${COLUMNS} FROM device_variables WHERE ${conditions.join(' AND ')} ${ORDER}
          LIMIT $${next} OFFSET $${next + 1}`,
      };
      this.#listStatements.set(key, statement);
    }
    return statement;
  }
}
