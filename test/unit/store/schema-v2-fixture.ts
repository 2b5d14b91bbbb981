import assert from 'node:assert/strict';
import type { StationRecord, Store, TransactionRecord } from '../../../src/store/ports.ts';

/**
 * Rows of schema version 2 (before migration 3 added the 2.x transaction fields, validation modes, transaction
 * events, the device model and validation rules), and what the store must read from them once migrated: for the
 * engine tests, which write these rows with SQL into a version-2 schema and then open the store. Values are JS
 * values; each engine's test turns booleans and JSON into its own column types.
 */
export const V2_STATION = {
  id: 'CS-old',
  protocol: 'ocpp1.6',
  vendor: 'Acme',
  model: 'Fast',
  serial_number: 'S1',
  charge_box_serial_number: null,
  firmware_version: '1.2.3',
  iccid: null,
  imsi: null,
  meter_type: null,
  meter_serial_number: null,
  registration_status: 'Accepted',
  registered: true,
  boot_policy: 'Pending',
  security_profile: 1,
  default_protocol: 'ocpp1.6',
  description: 'before migration 3',
  last_boot_at: '2024-12-31T10:00:00.000Z',
  last_seen: '2024-12-31T11:00:00.000Z',
  created_at: '2024-12-01T00:00:00.000Z',
  updated_at: '2024-12-31T10:00:00.000Z',
};

const STOPPED = {
  id: 7,
  station_tx_id: '7',
  station_id: 'CS-old',
  evse_id: 1,
  connector_id: 1,
  id_token: 'TAG1',
  started_at: '2024-12-31T10:05:00.000Z',
  stopped_at: '2024-12-31T10:45:00.000Z' as string | null,
  meter_start_wh: 1000,
  meter_stop_wh: 5000 as number | null,
  last_meter_wh: 4900,
  last_meter_at: '2024-12-31T10:40:00.000Z',
  energy_wh: 4000 as number | null,
  stop_reason: 'Local' as string | null,
  stop_id_token: null,
  reservation_id: 3,
  flags: ['orphan-stop'],
  created_at: '2024-12-31T10:05:01.000Z',
  updated_at: '2024-12-31T10:45:01.000Z',
};

const transactionRow = (fields: Partial<typeof STOPPED>): typeof STOPPED => ({ ...STOPPED, ...fields });
export const V2_TRANSACTIONS = [
  STOPPED,
  transactionRow({
    id: 8, station_tx_id: '8', evse_id: 2, connector_id: 1, started_at: '2024-12-31T10:50:00.000Z', stopped_at: null,
    meter_stop_wh: null, energy_wh: null, stop_reason: null, flags: [], created_at: '2024-12-31T10:50:01.000Z',
    updated_at: '2024-12-31T10:55:00.000Z',
  }),
];

export const V2_STATION_COLUMNS = Object.keys(V2_STATION) as (keyof typeof V2_STATION)[];
export const V2_TRANSACTION_COLUMNS = Object.keys(STOPPED) as (keyof typeof STOPPED)[];

function expectedStation(): StationRecord {
  return {
    id: V2_STATION.id,
    protocol: V2_STATION.protocol,
    vendor: V2_STATION.vendor,
    model: V2_STATION.model,
    serialNumber: V2_STATION.serial_number,
    chargeBoxSerialNumber: null,
    firmwareVersion: V2_STATION.firmware_version,
    iccid: null,
    imsi: null,
    meterType: null,
    meterSerialNumber: null,
    registrationStatus: 'Accepted',
    registered: true,
    bootPolicy: 'Pending',
    securityProfile: 1,
    defaultProtocol: 'ocpp1.6',
    description: V2_STATION.description,
    validationMode: null,
    lastBootAt: V2_STATION.last_boot_at,
    lastSeen: V2_STATION.last_seen,
    createdAt: V2_STATION.created_at,
    updatedAt: V2_STATION.updated_at,
  };
}

function expectedTransaction(row: (typeof V2_TRANSACTIONS)[number]): TransactionRecord {
  return {
    id: String(row.id),
    stationTxId: row.station_tx_id,
    stationId: row.station_id,
    evseId: row.evse_id,
    connectorId: row.connector_id,
    idToken: row.id_token,
    startedAt: row.started_at,
    stoppedAt: row.stopped_at,
    meterStartWh: row.meter_start_wh,
    meterStopWh: row.meter_stop_wh,
    lastMeterWh: row.last_meter_wh,
    energyWh: row.energy_wh,
    stopReason: row.stop_reason,
    stopIdToken: row.stop_id_token,
    reservationId: row.reservation_id,
    chargingState: null,
    lastSeqNo: null,
    remoteStartId: null,
    flags: row.flags,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** What a store opened on the version-2 rows above must show: the old data as it was, and the new parts working. */
export async function assertMigratedV2(store: Store): Promise<void> {
  const [stopped, active] = V2_TRANSACTIONS.map(expectedTransaction) as [TransactionRecord, TransactionRecord];
  assert.deepEqual(await store.stations.get(V2_STATION.id), expectedStation());
  assert.deepEqual(await store.transactions.get(stopped.id), stopped);
  assert.deepEqual(await store.transactions.get(active.id), active);
  assert.deepEqual(await store.transactions.activeForStation(V2_STATION.id), [active]);
  assert.deepEqual(await store.transactions.inactiveSince('2025-01-01T00:00:00.000Z', 10), [active]);
  assert.deepEqual(await store.transactions.inactiveSince('2024-12-31T10:55:00.000Z', 10), []);

  const amended = await store.transactions.amend(active.id, { chargingState: 'Charging', lastSeqNo: 2, addFlags: ['x'] });
  assert.deepEqual(amended, { ...active, chargingState: 'Charging', lastSeqNo: 2, flags: ['x'], updatedAt: amended?.updatedAt });
  const next = await store.transactions.start({
    stationId: V2_STATION.id, evseId: 1, connectorId: 1, idToken: 'TAG2', meterStartWh: 0, startedAt: '2025-01-02T00:00:00.000Z',
  });
  assert.ok(Number(next.record.id) > 8, 'transaction ids go on after the migrated ones');

  assert.equal((await store.stations.register({ id: V2_STATION.id, validationMode: 'lenient' })).validationMode, 'lenient');
  assert.deepEqual(await store.transactionEvents.append({
    stationId: V2_STATION.id, stationTxId: 'tx', seqNo: 0, eventType: 'Started', triggerReason: null,
    timestamp: '2025-01-02T00:00:00.000Z', offline: false, transactionId: null, payload: {}, receivedAt: '2025-01-02T00:00:00.000Z',
  }), { duplicate: false });
  await store.deviceModel.upsert(V2_STATION.id, [{
    component: 'ChargingStation', componentInstance: null, evseId: null, connectorId: null, variable: 'Available',
    variableInstance: null, attributeType: 'Actual', value: 'true', mutability: null, persistent: null, constant: null,
    unit: null, dataType: null, minLimit: null, maxLimit: null, valuesList: null, supportsMonitoring: null,
  }], '2025-01-02T00:00:00.000Z');
  assert.equal((await store.deviceModel.list(V2_STATION.id, {})).length, 1);
  await store.validationRules.put({ id: 'r', vendor: 'Acme', model: null, firmwarePrefix: null, mode: 'strict', description: null });
  assert.equal((await store.validationRules.list()).length, 1);
}
