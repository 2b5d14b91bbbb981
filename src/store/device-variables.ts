import type { DeviceVariableUpdate } from './ports.ts';

/**
 * How both engines key a station's device model. A unique index treats NULLs as distinct, so the optional parts of
 * the identity are stored as sentinels: `''` for no component or variable instance, `-1` for no EVSE or connector
 * (neither is a valid OCPP value: instances are names, ids are never negative). The row mappers turn them back into
 * null. Component and variable names and instances are case-insensitive in OCPP 2.x ("Case Insensitive" in
 * ComponentType and VariableType), so the identity compares them with ASCII case folded (SQLite NOCASE, PostgreSQL
 * `lower()` on "C" text) and keeps the spelling of the first write.
 */
export const NO_TEXT = '';
export const NO_NUMBER = -1;

/** An update with its identity columns as stored (sentinels for null). */
export interface DeviceVariableRow {
  update: DeviceVariableUpdate;
  componentInstance: string;
  evseId: number;
  connectorId: number;
  variableInstance: string;
}

/**
 * The rows one `upsert` call writes, in identity order: one per identity, updates of the same identity (in any case)
 * merged in the order given, as if written one after the other (a later null keeps the earlier field, except `value`).
 * Throws a RangeError naming the update for an EVSE or connector id that is not a non-negative integer.
 */
export function deviceVariableRows(updates: DeviceVariableUpdate[]): DeviceVariableRow[] {
  const byIdentity = new Map<string, DeviceVariableRow>();
  for (const update of updates) {
    const row: DeviceVariableRow = {
      update,
      componentInstance: update.componentInstance ?? NO_TEXT,
      evseId: optionalId(update.evseId, 'evseId', update),
      connectorId: optionalId(update.connectorId, 'connectorId', update),
      variableInstance: update.variableInstance ?? NO_TEXT,
    };
    const key = identityKey(row);
    const earlier = byIdentity.get(key);
    byIdentity.set(key, earlier === undefined ? row : { ...earlier, update: mergeUpdate(earlier.update, update) });
  }
  return [...byIdentity.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

/** `later` applied on top of `earlier`: null fields of `later` keep `earlier`'s, except `value`; identity stays. */
function mergeUpdate(earlier: DeviceVariableUpdate, later: DeviceVariableUpdate): DeviceVariableUpdate {
  return {
    ...earlier,
    value: later.value,
    mutability: later.mutability ?? earlier.mutability,
    persistent: later.persistent ?? earlier.persistent,
    constant: later.constant ?? earlier.constant,
    unit: later.unit ?? earlier.unit,
    dataType: later.dataType ?? earlier.dataType,
    minLimit: later.minLimit ?? earlier.minLimit,
    maxLimit: later.maxLimit ?? earlier.maxLimit,
    valuesList: later.valuesList ?? earlier.valuesList,
    supportsMonitoring: later.supportsMonitoring ?? earlier.supportsMonitoring,
  };
}

/** The identity as the unique indexes compare it (names folded as ASCII), in their column order. */
function identityKey(row: DeviceVariableRow): string {
  return JSON.stringify([
    asciiLower(row.update.component),
    asciiLower(row.componentInstance),
    row.evseId,
    row.connectorId,
    asciiLower(row.update.variable),
    asciiLower(row.variableInstance),
    row.update.attributeType,
  ]);
}

/** Folds A-Z only, as SQLite's NOCASE and PostgreSQL's `lower()` on "C" text do (not the Unicode folding of JS). */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

function optionalId(id: number | null, field: string, update: DeviceVariableUpdate): number {
  if (id === null) return NO_NUMBER;
  if (!Number.isSafeInteger(id) || id < 0) {
    throw new RangeError(
      `device model: ${field} must be a non-negative integer or null, got ${String(id)} ` +
        `(${update.component}/${update.variable})`,
    );
  }
  return id;
}
