import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { DomainEvent } from '../../../src/domain/events.ts';
import { LocalBus } from '../../../src/cluster/local-bus.ts';
import { MeteringService } from '../../../src/domain/metering/metering-service.ts';
import type { MeterValueInput, SampledValueInput } from '../../../src/domain/metering/sampled-value.ts';
import { TransactionLookup } from '../../../src/domain/transactions/transaction-lookup.ts';
import type { MeterReading, Store } from '../../../src/store/ports.ts';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const T1 = '2025-01-01T10:00:01.000Z';
const T2 = '2025-01-01T10:00:02.000Z';

function sampled(fields: Partial<SampledValueInput>): SampledValueInput {
  return {
    value: '0',
    measurand: 'Energy.Active.Import.Register',
    context: 'Sample.Periodic',
    format: 'Raw',
    phase: null,
    location: 'Outlet',
    unit: 'Wh',
    ...fields,
  };
}

describe('MeteringService', () => {
  let store: Store;
  let events: DomainEvent[];
  let appended: MeterReading[][];
  let metering: MeteringService;

  beforeEach(async () => {
    store = await openSqliteStore({ file: ':memory:' });
    // Record what reaches the store.
    appended = [];
    const append = store.meterValues.append.bind(store.meterValues);
    store.meterValues.append = (readings) => {
      appended.push(readings);
      return append(readings);
    };
    const bus = new LocalBus();
    events = [];
    bus.subscribe((event) => events.push(event));
    metering = new MeteringService(store, bus, new TransactionLookup(store));
  });

  afterEach(async () => {
    await store.close();
  });

  it('stores one reading per meter value, its sampled values in order, and reads them back one record per value', async () => {
    const { record: tx } = await store.transactions.start({
      stationId: 'CS-1', evseId: 1, connectorId: 1, idToken: 'TAG', meterStartWh: 1000, startedAt: T1,
    });
    const values: MeterValueInput[] = [
      { timestamp: T1, sampledValues: [sampled({ value: '1500' }), sampled({ measurand: 'Current.Import', phase: 'L1', unit: 'A', value: '16.0' })] },
      { timestamp: T2, sampledValues: [sampled({ value: '1800' }), sampled({ value: 'AB12', format: 'SignedData', context: null })] },
      { timestamp: T2, sampledValues: [] },
    ];
    await metering.record('CS-1', { evseId: 1, connectorId: 1, stationTxId: tx.stationTxId, values });

    assert.equal(appended.length, 1, 'one append per message');
    const readings = appended[0] ?? [];
    assert.equal(readings.length, 2, 'a meter value without sampled values is left out');
    const receivedAt = readings[0]?.receivedAt ?? '';
    assert.ok(!Number.isNaN(Date.parse(receivedAt)));
    assert.deepEqual(readings, values.slice(0, 2).map((value) => ({
      stationId: 'CS-1', evseId: 1, connectorId: 1, transactionId: tx.id, timestamp: value.timestamp,
      sampledValues: value.sampledValues, receivedAt,
    })));

    const records = await metering.forTransaction(tx.id);
    assert.deepEqual(records.map((record) => [record.timestamp, record.measurand, record.value, record.numericValue]), [
      [T1, 'Energy.Active.Import.Register', '1500', 1500],
      [T1, 'Current.Import', '16.0', 16],
      [T2, 'Energy.Active.Import.Register', '1800', 1800],
      [T2, 'Energy.Active.Import.Register', 'AB12', null],
    ]);
    assert.deepEqual(records[1], {
      stationId: 'CS-1', evseId: 1, connectorId: 1, transactionId: tx.id, timestamp: T1, measurand: 'Current.Import',
      phase: 'L1', location: 'Outlet', unit: 'A', context: 'Sample.Periodic', format: 'Raw', value: '16.0',
      numericValue: 16, receivedAt,
    });

    assert.deepEqual(events.map((event) => [event.type, event.data]), [
      ['meter.values', { evseId: 1, connectorId: 1, transactionId: tx.id, samples: 4, draw: { currentA: [16], at: T1 } }],
      ['transaction.updated', { transactionId: tx.id, meterWh: 1800, energyWh: 800 }],
    ]);
    assert.equal((await store.transactions.get(tx.id))?.lastMeterWh, 1800);
  });

  it('a replayed message adds nothing', async () => {
    const report = {
      evseId: 1, connectorId: 1,
      values: [{ timestamp: T1, sampledValues: [sampled({ value: '1' }), sampled({ measurand: 'Voltage', unit: 'V', value: '230' })] }],
    };
    await metering.record('CS-1', report);
    await metering.record('CS-1', report);
    assert.deepEqual((await metering.forStation('CS-1', 10)).map((record) => record.value), ['1', '230']);
  });

  it('meter values without a known transaction are kept for the station', async () => {
    await metering.record('CS-1', { evseId: 2, connectorId: 1, stationTxId: 'unknown', values: [{ timestamp: T1, sampledValues: [sampled({ value: '5' })] }] });
    const [record] = await metering.forStation('CS-1', 10);
    assert.equal(record?.transactionId, null);
    assert.equal(record?.evseId, 2);
    assert.deepEqual(events.map((event) => event.data), [{ evseId: 2, connectorId: 1, transactionId: null, samples: 1 }]);
  });

  it('a message whose meter values hold no sampled values stores and publishes nothing', async () => {
    await metering.record('CS-1', { evseId: 1, connectorId: 1, values: [{ timestamp: T1, sampledValues: [] }] });
    assert.deepEqual(appended, []);
    assert.deepEqual(events, []);
  });

  it('recordForTransaction stores the readings of a transaction message under that transaction', async () => {
    const { record: tx } = await store.transactions.start({
      stationId: 'CS-1', evseId: 2, connectorId: 1, idToken: null, meterStartWh: 0, startedAt: T1,
    });
    await metering.recordForTransaction(tx, [
      { timestamp: T2, sampledValues: [sampled({ value: '900', context: 'Transaction.End' })] },
    ]);
    assert.deepEqual(appended.map((readings) => readings.map((reading) => [reading.transactionId, reading.evseId, reading.timestamp])), [
      [[tx.id, 2, T2]],
    ]);
    assert.deepEqual((await metering.forTransaction(tx.id)).map((record) => [record.value, record.context]), [['900', 'Transaction.End']]);
  });
});
