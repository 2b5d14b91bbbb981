import assert from 'node:assert/strict';
import type { MeterReading, MeterValueRecord, Store } from '../../src/store/ports.ts';

/**
 * Rows of schema version 1's `meter_values` (one per sampled value; `''` for a missing transaction, phase, location
 * or context), in insertion order, and what migration 2 must make of them: for the engine tests, which write these
 * rows with SQL into a version-1 schema and then open the store.
 */
export interface MeterValueRowV1 {
  station_id: string;
  evse_id: number;
  connector_id: number;
  transaction_id: string;
  timestamp: string;
  measurand: string;
  phase: string;
  location: string;
  context: string;
  unit: string | null;
  format: string | null;
  value: string;
  numeric_value: number | null;
  received_at: string;
}

export const V1_COLUMNS = [
  'station_id', 'evse_id', 'connector_id', 'transaction_id', 'timestamp', 'measurand', 'phase', 'location', 'context',
  'unit', 'format', 'value', 'numeric_value', 'received_at',
] as const;

const T1 = '2025-01-01T10:00:01.000Z';
const T2 = '2025-01-01T10:00:02.000Z';
const TRICKY = 'q"\\ tab\t ctl\u0001 del\u007f é 😀 \u2028 </>';

function row(fields: Partial<MeterValueRowV1>): MeterValueRowV1 {
  return {
    station_id: 'CS-1', evse_id: 1, connector_id: 1, transaction_id: '1', timestamp: T1,
    measurand: 'Energy.Active.Import.Register', phase: '', location: 'Outlet', context: 'Sample.Periodic', unit: 'Wh',
    format: 'Raw', value: '0', numeric_value: 0, received_at: 'r1', ...fields,
  };
}

export const V1_ROWS: MeterValueRowV1[] = [
  row({ value: '1000', numeric_value: 1000 }),
  row({ measurand: 'Current.Import', phase: 'L1', unit: 'A', value: '16.0', numeric_value: 16 }),
  row({ timestamp: T2, value: '1200', numeric_value: 1200, received_at: 'r2' }),
  row({ station_id: 'CS-2', transaction_id: '2', value: '5', numeric_value: 5 }),
  row({ evse_id: 0, connector_id: 0, transaction_id: '', phase: '', location: '', context: '', unit: null, format: null,
    measurand: 'Power.Active.Import', value: TRICKY, numeric_value: null, received_at: 'r3' }),
  // Stored later for the same station, evse, connector, transaction and timestamp: joins the first reading.
  row({ measurand: 'Power.Active.Import', unit: 'W', value: '7000', numeric_value: 7000, received_at: 'r4' }),
];

const sampleOf = (source: MeterValueRowV1): MeterReading['sampledValues'][number] => ({
  value: source.value,
  measurand: source.measurand,
  phase: source.phase === '' ? null : source.phase,
  location: source.location === '' ? null : source.location,
  unit: source.unit,
  context: source.context === '' ? null : source.context,
  format: source.format,
});

function readingOf(sources: MeterValueRowV1[]): MeterReading {
  const first = sources[0] as MeterValueRowV1;
  return {
    stationId: first.station_id,
    evseId: first.evse_id,
    connectorId: first.connector_id,
    transactionId: first.transaction_id === '' ? null : first.transaction_id,
    timestamp: first.timestamp,
    sampledValues: sources.map(sampleOf),
    receivedAt: first.received_at,
  };
}

const at = (index: number): MeterValueRowV1 => V1_ROWS[index] as MeterValueRowV1;

/** The readings migration 2 makes, each equal to the reading a replay of it would send (whatever its receivedAt). */
export const V1_READINGS = {
  transactionFirst: readingOf([at(0), at(1), at(5)]),
  transactionSecond: readingOf([at(2)]),
  otherStation: readingOf([at(3)]),
  withoutTransaction: readingOf([at(4)]),
};

/** The records of a reading, as forTransaction / forStation give them. */
export function recordsOf(reading: MeterReading, numericValues: (number | null)[]): MeterValueRecord[] {
  return reading.sampledValues.map((sample, index) => ({
    stationId: reading.stationId,
    evseId: reading.evseId,
    connectorId: reading.connectorId,
    transactionId: reading.transactionId,
    timestamp: reading.timestamp,
    ...sample,
    numericValue: numericValues[index] ?? null,
    receivedAt: reading.receivedAt,
  }));
}

/** Checks a store opened on a version-1 schema holding {@link V1_ROWS}: the migrated readings read back, replay, and sort. */
export async function assertMigratedV1(store: Store): Promise<void> {
  const { transactionFirst, transactionSecond, otherStation, withoutTransaction } = V1_READINGS;
  assert.deepEqual(await store.meterValues.forTransaction('CS-1', '1'), [
    ...recordsOf(transactionFirst, [1000, 16, 7000]),
    ...recordsOf(transactionSecond, [1200]),
  ]);
  assert.deepEqual(await store.meterValues.forStation('CS-2', 10), recordsOf(otherStation, [5]));
  // Newest first; of two readings at one time, the one whose first value was stored later comes first.
  assert.deepEqual(await store.meterValues.forStation('CS-1', 10), [
    ...recordsOf(transactionSecond, [1200]),
    ...recordsOf(withoutTransaction, [null]),
    ...recordsOf(transactionFirst, [1000, 16, 7000]),
  ]);
  for (const [name, reading] of Object.entries(V1_READINGS)) {
    assert.equal(await store.meterValues.append([{ ...reading, receivedAt: 'later' }]), 0, `a replay of ${name}`);
  }
  // New readings are stored after the migrated ones.
  const sample = transactionSecond.sampledValues[0] as MeterReading['sampledValues'][number];
  const next = { ...transactionSecond, sampledValues: [{ ...sample, value: '1300' }], receivedAt: 'r5' };
  assert.equal(await store.meterValues.append([next]), 1);
  assert.deepEqual((await store.meterValues.forTransaction('CS-1', '1')).slice(-2).map((record) => record.value), ['1200', '1300']);
}

/** {@link V1_READINGS} in the order they were stored (the order {@link assertMigratedV1} expects). */
export const V1_READINGS_IN_ORDER: MeterReading[] = [
  V1_READINGS.transactionFirst, V1_READINGS.transactionSecond, V1_READINGS.otherStation, V1_READINGS.withoutTransaction,
];

/**
 * The samples text of a reading as stores wrote it before sampled values were stored with codes (SQLite migration 13,
 * PostgreSQL migration 14): every field by name, null for none.
 */
export function samplesTextWithNames(reading: MeterReading): string {
  return JSON.stringify(reading.sampledValues.map((s) => [s.value, s.measurand, s.phase, s.location, s.unit, s.context, s.format]));
}
