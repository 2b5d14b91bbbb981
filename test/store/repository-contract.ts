import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type {
  CommandRecord,
  ConnectorStatusRecord,
  MeterReading,
  MeterValueRecord,
  SampledValueRecord,
  Store,
  TransactionStart,
} from '../../src/store/ports.ts';

/**
 * The behaviour every store adapter must show, engine-independent: call it from an adapter's test file with a
 * function that opens a fresh, empty store. Each test opens its own store and closes it afterwards.
 */
export function repositoryContract(name: string, open: () => Promise<Store>): void {
  describe(`${name}: store contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('stations', () => {
      it('register creates a station with defaults and get/list return it', async () => {
        const created = await store.stations.register({ id: 'CS-1' });
        assert.equal(created.id, 'CS-1');
        assert.equal(created.registered, false);
        for (const field of [
          'protocol', 'vendor', 'model', 'serialNumber', 'chargeBoxSerialNumber', 'firmwareVersion', 'iccid', 'imsi',
          'meterType', 'meterSerialNumber', 'registrationStatus', 'bootPolicy', 'securityProfile', 'defaultProtocol',
          'description', 'lastBootAt', 'lastSeen',
        ] as const) {
          assert.equal(created[field], null, field);
        }
        assert.ok(isIsoTime(created.createdAt));
        assert.ok(isIsoTime(created.updatedAt));
        assert.deepEqual(await store.stations.get('CS-1'), created);
        assert.deepEqual(await store.stations.list(), [created]);
        assert.equal(await store.stations.get('CS-unknown'), undefined);
      });

      it('register updates only the given fields, and null clears one', async () => {
        await store.stations.register({
          id: 'CS-1',
          registered: true,
          bootPolicy: 'Pending',
          securityProfile: 2,
          defaultProtocol: 'ocpp1.6',
          description: 'car park',
        });
        const updated = await store.stations.register({ id: 'CS-1', description: null, securityProfile: 1 });
        assert.equal(updated.registered, true);
        assert.equal(updated.bootPolicy, 'Pending');
        assert.equal(updated.defaultProtocol, 'ocpp1.6');
        assert.equal(updated.securityProfile, 1);
        assert.equal(updated.description, null);
        assert.deepEqual(await store.stations.get('CS-1'), updated);
      });

      it('recordBoot creates a missing station and records the identity and the answer', async () => {
        const booted = await store.stations.recordBoot(
          'CS-2',
          { protocol: 'ocpp2.0.1', vendor: 'Acme', model: 'Fast', serialNumber: 'S1', firmwareVersion: '1.0' },
          'Accepted',
          '2025-01-01T10:00:00.000Z',
        );
        assert.equal(booted.registered, false);
        assert.equal(booted.protocol, 'ocpp2.0.1');
        assert.equal(booted.vendor, 'Acme');
        assert.equal(booted.model, 'Fast');
        assert.equal(booted.serialNumber, 'S1');
        assert.equal(booted.firmwareVersion, '1.0');
        assert.equal(booted.iccid, null);
        assert.equal(booted.registrationStatus, 'Accepted');
        assert.equal(booted.lastBootAt, '2025-01-01T10:00:00.000Z');
        assert.deepEqual(await store.stations.get('CS-2'), booted);
      });

      it('recordBoot on a registered station keeps the operator fields', async () => {
        await store.stations.register({ id: 'CS-1', registered: true, bootPolicy: 'Rejected', description: 'x' });
        const booted = await store.stations.recordBoot(
          'CS-1',
          { protocol: 'ocpp1.6', vendor: 'Acme', model: 'Slow' },
          'Rejected',
          '2025-01-01T10:00:00.000Z',
        );
        assert.equal(booted.registered, true);
        assert.equal(booted.bootPolicy, 'Rejected');
        assert.equal(booted.description, 'x');
        assert.equal(booted.protocol, 'ocpp1.6');
        assert.equal(booted.registrationStatus, 'Rejected');
      });

      it('touch is visible through get and list at once, and only moves forward', async () => {
        await store.stations.register({ id: 'CS-1' });
        store.stations.touch('CS-1', '2025-01-01T10:00:05.000Z');
        assert.equal((await store.stations.get('CS-1'))?.lastSeen, '2025-01-01T10:00:05.000Z');
        store.stations.touch('CS-1', '2025-01-01T10:00:01.000Z');
        assert.equal((await store.stations.list())[0]?.lastSeen, '2025-01-01T10:00:05.000Z');
        store.stations.touch('CS-unknown', '2025-01-01T10:00:05.000Z');
        assert.equal(await store.stations.get('CS-unknown'), undefined);
      });

      it('list returns every station ordered by id', async () => {
        await store.stations.register({ id: 'CS-b' });
        await store.stations.register({ id: 'CS-a' });
        assert.deepEqual((await store.stations.list()).map((station) => station.id), ['CS-a', 'CS-b']);
      });

      it('recordStatus keeps one current status per connector and appends to the history', async () => {
        await store.stations.register({ id: 'CS-1' });
        await store.stations.register({ id: 'CS-2' });
        await store.stations.recordStatus(status({ connectorId: 1, status: 'Available', timestamp: at(1) }));
        await store.stations.recordStatus(status({ evseId: 0, connectorId: 0, status: 'Available', timestamp: at(2) }));
        await store.stations.recordStatus(
          status({ connectorId: 1, status: 'Faulted', errorCode: 'GroundFailure', info: 'i', vendorId: 'v',
            vendorErrorCode: 'E1', timestamp: at(3) }),
        );
        await store.stations.recordStatus(status({ stationId: 'CS-2', connectorId: 1, timestamp: at(4) }));

        const connectors = await store.stations.connectors('CS-1');
        assert.deepEqual(
          connectors.map((connector) => [connector.evseId, connector.connectorId, connector.status]),
          [[0, 0, 'Available'], [1, 1, 'Faulted']],
        );
        assert.deepEqual(connectors[1], status({
          connectorId: 1, status: 'Faulted', errorCode: 'GroundFailure', info: 'i', vendorId: 'v',
          vendorErrorCode: 'E1', timestamp: at(3),
        }));

        const history = await store.stations.statusHistory('CS-1', 10);
        assert.deepEqual(history.map((entry) => entry.timestamp), [at(3), at(2), at(1)]);
        assert.deepEqual(history[0], connectors[1]);
        assert.equal((await store.stations.statusHistory('CS-1', 2)).length, 2);
        assert.deepEqual(await store.stations.connectors('CS-none'), []);
      });

      it('saveConfiguration upserts the given keys and configuration lists them sorted by key', async () => {
        await store.stations.register({ id: 'CS-1' });
        await store.stations.saveConfiguration('CS-1', [
          { key: 'MeterValueSampleInterval', value: '60', readonly: false },
          { key: 'HeartbeatInterval', value: '300', readonly: false },
          { key: 'ChargeProfileMaxStackLevel', value: null, readonly: true },
        ], at(1));
        await store.stations.saveConfiguration('CS-1', [{ key: 'HeartbeatInterval', value: '30', readonly: false }], at(2));

        assert.deepEqual(await store.stations.configuration('CS-1'), [
          { stationId: 'CS-1', key: 'ChargeProfileMaxStackLevel', value: null, readonly: true, updatedAt: at(1) },
          { stationId: 'CS-1', key: 'HeartbeatInterval', value: '30', readonly: false, updatedAt: at(2) },
          { stationId: 'CS-1', key: 'MeterValueSampleInterval', value: '60', readonly: false, updatedAt: at(1) },
        ]);
        assert.deepEqual(await store.stations.configuration('CS-2'), []);
      });
    });

    describe('id tokens', () => {
      it('put creates and updates; get ignores case and returns the token as stored', async () => {
        const created = await store.idTokens.put({
          idToken: 'AbC123', status: 'Accepted', expiryDate: null, groupId: null, allowConcurrentTx: false,
        });
        assert.equal(created.idToken, 'AbC123');
        assert.ok(isIsoTime(created.createdAt));
        assert.deepEqual(await store.idTokens.get('abc123'), created);
        assert.deepEqual(await store.idTokens.get('ABC123'), created);

        const updated = await store.idTokens.put({
          idToken: 'AbC123', status: 'Blocked', expiryDate: '2030-01-01T00:00:00.000Z', groupId: 'G1',
          allowConcurrentTx: true,
        });
        assert.equal(updated.status, 'Blocked');
        assert.equal(updated.expiryDate, '2030-01-01T00:00:00.000Z');
        assert.equal(updated.groupId, 'G1');
        assert.equal(updated.allowConcurrentTx, true);
        assert.equal(updated.createdAt, created.createdAt);
        assert.deepEqual(await store.idTokens.list(), [updated]);
        assert.equal(await store.idTokens.get('other'), undefined);
      });

      it('put with another case updates the same token', async () => {
        await store.idTokens.put({ idToken: 'tag1', status: 'Accepted', expiryDate: null, groupId: null, allowConcurrentTx: false });
        await store.idTokens.put({ idToken: 'TAG1', status: 'Invalid', expiryDate: null, groupId: null, allowConcurrentTx: false });
        const tokens = await store.idTokens.list();
        assert.equal(tokens.length, 1);
        assert.equal(tokens[0]?.status, 'Invalid');
      });

      it('list returns all tokens sorted; delete removes ignoring case and says whether it did', async () => {
        for (const idToken of ['B', 'A', 'C']) {
          await store.idTokens.put({ idToken, status: 'Accepted', expiryDate: null, groupId: null, allowConcurrentTx: false });
        }
        assert.deepEqual((await store.idTokens.list()).map((token) => token.idToken), ['A', 'B', 'C']);
        assert.equal(await store.idTokens.delete('b'), true);
        assert.equal(await store.idTokens.delete('b'), false);
        assert.deepEqual((await store.idTokens.list()).map((token) => token.idToken), ['A', 'C']);
      });
    });

    describe('transactions', () => {
      it('start assigns an integer id, used as the station id when the station gave none', async () => {
        const { record, duplicate } = await store.transactions.start(txStart({ meterStartWh: 1000 }));
        assert.equal(duplicate, false);
        assert.match(record.id, /^[1-9][0-9]*$/);
        assert.equal(record.stationTxId, record.id);
        assert.equal(record.stationId, 'CS-1');
        assert.equal(record.evseId, 1);
        assert.equal(record.connectorId, 1);
        assert.equal(record.idToken, 'TAG1');
        assert.equal(record.startedAt, at(1));
        assert.equal(record.meterStartWh, 1000);
        for (const field of ['stoppedAt', 'meterStopWh', 'lastMeterWh', 'energyWh', 'stopReason', 'stopIdToken', 'reservationId'] as const) {
          assert.equal(record[field], null, field);
        }
        assert.deepEqual(record.flags, []);
        assert.ok(isIsoTime(record.createdAt));
        assert.deepEqual(await store.transactions.get(record.id), record);
        assert.deepEqual(await store.transactions.findByStationTxId('CS-1', record.id), record);

        const second = await store.transactions.start(txStart({ startedAt: at(2) }));
        assert.ok(Number(second.record.id) > Number(record.id));
      });

      it('start keeps the station transaction id, reservation and flags', async () => {
        const { record } = await store.transactions.start(
          txStart({ stationTxId: 'uuid-1', reservationId: 7, flags: ['orphan-stop'], idToken: null }),
        );
        assert.equal(record.stationTxId, 'uuid-1');
        assert.equal(record.reservationId, 7);
        assert.deepEqual(record.flags, ['orphan-stop']);
        assert.equal(record.idToken, null);
        assert.deepEqual(await store.transactions.findByStationTxId('CS-1', 'uuid-1'), record);
        assert.equal(await store.transactions.findByStationTxId('CS-2', 'uuid-1'), undefined);
      });

      it('a replayed start (same station, connector, id token, start time) returns the first one as duplicate', async () => {
        const first = await store.transactions.start(txStart({ meterStartWh: 5 }));
        const replay = await store.transactions.start(txStart({ meterStartWh: 5 }));
        assert.equal(replay.duplicate, true);
        assert.deepEqual(replay.record, first.record);
        const concurrent = await Promise.all([
          store.transactions.start(txStart({ startedAt: at(9) })),
          store.transactions.start(txStart({ startedAt: at(9) })),
        ]);
        assert.deepEqual(concurrent.map((result) => result.duplicate).sort(), [false, true]);
        assert.equal(concurrent[0]?.record.id, concurrent[1]?.record.id);
        assert.equal((await store.transactions.list({})).length, 2);
      });

      it('a replayed start with the same station transaction id returns the first one as duplicate', async () => {
        const first = await store.transactions.start(txStart({ stationTxId: 'tx-9', startedAt: at(1) }));
        const replay = await store.transactions.start(txStart({ stationTxId: 'tx-9', startedAt: at(2) }));
        assert.equal(replay.duplicate, true);
        assert.deepEqual(replay.record, first.record);
        const other = await store.transactions.start(txStart({ stationId: 'CS-2', stationTxId: 'tx-9' }));
        assert.equal(other.duplicate, false);
      });

      it('stop records the end and the energy; a second stop returns it unchanged as duplicate', async () => {
        const { record: started } = await store.transactions.start(txStart({ meterStartWh: 1000 }));
        const stopped = await store.transactions.stop({
          id: started.id, stoppedAt: at(5), meterStopWh: 3500, stopReason: 'EVDisconnected', stopIdToken: 'TAG2',
        });
        assert.ok(stopped);
        assert.equal(stopped.duplicate, false);
        assert.equal(stopped.record.stoppedAt, at(5));
        assert.equal(stopped.record.meterStopWh, 3500);
        assert.equal(stopped.record.energyWh, 2500);
        assert.equal(stopped.record.stopReason, 'EVDisconnected');
        assert.equal(stopped.record.stopIdToken, 'TAG2');
        assert.deepEqual(await store.transactions.get(started.id), stopped.record);

        const again = await store.transactions.stop({
          id: started.id, stoppedAt: at(6), meterStopWh: 9999, stopReason: 'Other', stopIdToken: null,
        });
        assert.deepEqual(again, { record: stopped.record, duplicate: true });
      });

      it('stop leaves energy null when a register is missing or the meter ran backwards', async () => {
        const noStart = await store.transactions.start(txStart({ meterStartWh: null, startedAt: at(1) }));
        const backwards = await store.transactions.start(txStart({ meterStartWh: 500, startedAt: at(2) }));
        const noStop = await store.transactions.start(txStart({ meterStartWh: 500, startedAt: at(3) }));
        const stop = { stoppedAt: at(4), stopReason: null, stopIdToken: null };
        assert.equal((await store.transactions.stop({ ...stop, id: noStart.record.id, meterStopWh: 100 }))?.record.energyWh, null);
        assert.equal((await store.transactions.stop({ ...stop, id: backwards.record.id, meterStopWh: 100 }))?.record.energyWh, null);
        assert.equal((await store.transactions.stop({ ...stop, id: noStop.record.id, meterStopWh: null }))?.record.energyWh, null);
      });

      it('stop and get of an unknown id give undefined', async () => {
        const stop = { stoppedAt: at(4), meterStopWh: 1, stopReason: null, stopIdToken: null };
        assert.equal(await store.transactions.stop({ ...stop, id: '424242' }), undefined);
        assert.equal(await store.transactions.stop({ ...stop, id: 'not-a-number' }), undefined);
        assert.equal(await store.transactions.get('424242'), undefined);
        assert.equal(await store.transactions.get('abc'), undefined);
      });

      it('updateMeter records the latest register of an active transaction, never an older reading', async () => {
        const { record } = await store.transactions.start(txStart({ meterStartWh: 0 }));
        await store.transactions.updateMeter(record.id, 1200, at(3));
        assert.equal((await store.transactions.get(record.id))?.lastMeterWh, 1200);
        await store.transactions.updateMeter(record.id, 800, at(2));
        assert.equal((await store.transactions.get(record.id))?.lastMeterWh, 1200);
        await store.transactions.updateMeter(record.id, 1500, at(4));
        assert.equal((await store.transactions.get(record.id))?.lastMeterWh, 1500);
        await store.transactions.updateMeter('424242', 1, at(5));
      });

      it('list filters by station and activity, newest first, with limit and offset', async () => {
        const a1 = await store.transactions.start(txStart({ startedAt: at(1) }));
        const b1 = await store.transactions.start(txStart({ stationId: 'CS-2', startedAt: at(2) }));
        const a2 = await store.transactions.start(txStart({ startedAt: at(3), connectorId: 2, evseId: 2 }));
        await store.transactions.stop({ id: a1.record.id, stoppedAt: at(4), meterStopWh: null, stopReason: null, stopIdToken: null });
        const ids = async (query: Parameters<Store['transactions']['list']>[0]): Promise<string[]> =>
          (await store.transactions.list(query)).map((transaction) => transaction.id);

        assert.deepEqual(await ids({}), [a2.record.id, b1.record.id, a1.record.id]);
        assert.deepEqual(await ids({ stationId: 'CS-1' }), [a2.record.id, a1.record.id]);
        assert.deepEqual(await ids({ active: true }), [a2.record.id, b1.record.id]);
        assert.deepEqual(await ids({ active: false }), [a1.record.id]);
        assert.deepEqual(await ids({ stationId: 'CS-1', active: true }), [a2.record.id]);
        assert.deepEqual(await ids({ stationId: 'CS-1', active: false }), [a1.record.id]);
        assert.deepEqual(await ids({ limit: 1 }), [a2.record.id]);
        assert.deepEqual(await ids({ limit: 1, offset: 1 }), [b1.record.id]);
        assert.deepEqual(await ids({ stationId: 'CS-none' }), []);
      });

      it('activeForIdToken ignores case; activeForConnector finds the running transaction', async () => {
        const one = await store.transactions.start(txStart({ idToken: 'Tag1', startedAt: at(1) }));
        const two = await store.transactions.start(txStart({ idToken: 'TAG1', startedAt: at(2), evseId: 2, connectorId: 1 }));
        await store.transactions.start(txStart({ idToken: 'other', startedAt: at(3), evseId: 3 }));
        assert.deepEqual(
          (await store.transactions.activeForIdToken('tag1')).map((transaction) => transaction.id).sort(),
          [one.record.id, two.record.id].sort(),
        );
        assert.equal((await store.transactions.activeForConnector('CS-1', 2, 1))?.id, two.record.id);
        await store.transactions.stop({ id: two.record.id, stoppedAt: at(4), meterStopWh: null, stopReason: null, stopIdToken: null });
        assert.equal(await store.transactions.activeForConnector('CS-1', 2, 1), undefined);
        assert.deepEqual((await store.transactions.activeForIdToken('TAG1')).map((transaction) => transaction.id), [one.record.id]);
      });
    });

    describe('meter values', () => {
      it('append stores readings and returns how many were added; forTransaction gives one record per sampled value', async () => {
        const later = reading({ timestamp: at(2), sampledValues: [sample({ value: '1200' }), sample({ measurand: 'SoC', unit: 'Percent', location: 'EV', value: '57' })] });
        const first = reading({
          timestamp: at(1),
          sampledValues: [
            sample({ value: '1000' }),
            sample({ measurand: 'Current.Import', phase: 'L1', unit: 'A', value: '16.0' }),
            sample({ measurand: 'Current.Import', phase: 'L2', unit: 'A', value: '15.5' }),
          ],
        });
        const sameTime = reading({ timestamp: at(1), sampledValues: [sample({ measurand: 'Power.Active.Import', unit: 'W', value: '7000' })] });
        const otherTransaction = reading({ transactionId: '2', sampledValues: [sample({ value: '5' })] });
        assert.equal(await store.meterValues.append([later, first, otherTransaction]), 3);
        assert.equal(await store.meterValues.append([sameTime]), 1);

        // By timestamp, then the order the readings were stored, then the order of the values in their reading.
        assert.deepEqual(await store.meterValues.forTransaction('1'), [...records(first), ...records(sameTime), ...records(later)]);
        assert.deepEqual(await store.meterValues.forTransaction('2'), records(otherTransaction));
        assert.deepEqual(records(first)[1], {
          stationId: 'CS-1', evseId: 1, connectorId: 1, transactionId: '1', timestamp: at(1), measurand: 'Current.Import',
          phase: 'L1', location: 'Outlet', unit: 'A', context: 'Sample.Periodic', format: 'Raw', value: '16.0',
          numericValue: 16, receivedAt: at(1),
        });
        assert.deepEqual(await store.meterValues.forTransaction('9'), []);
        assert.deepEqual(await store.meterValues.forTransaction(''), []);
        assert.equal(await store.meterValues.append([]), 0);
      });

      it('numericValue is the value as a finite number for Raw or no format, else null; the value is kept exactly', async () => {
        const cases: [Partial<SampledValueRecord>, number | null][] = [
          [{ value: '1200' }, 1200],
          [{ value: '16.50' }, 16.5],
          [{ value: '-0.25' }, -0.25],
          [{ value: '1e3' }, 1000],
          [{ value: '42', format: null }, 42],
          [{ value: '42', format: 'SignedData' }, null],
          [{ value: '' }, null],
          [{ value: ' ' }, null],
          [{ value: 'abc' }, null],
          [{ value: 'Infinity' }, null],
          [{ value: 'NaN' }, null],
          [{ value: 'quote " backslash \\ nul \u0000 tab \t é 😀 \u2028', format: 'SignedData' }, null],
        ];
        const stored = reading({ sampledValues: cases.map(([fields]) => sample(fields)) });
        assert.equal(await store.meterValues.append([stored]), 1);
        const read = await store.meterValues.forTransaction('1');
        assert.deepEqual(read.map((record) => record.value), cases.map(([fields]) => fields.value));
        assert.deepEqual(read.map((record) => record.numericValue), cases.map(([, numeric]) => numeric));
        assert.deepEqual(read, records(stored));
        assert.equal(await store.meterValues.append([stored]), 0, 'the replay is recognised');
      });

      it('a replayed reading is skipped: in a later call, within one call, concurrently, and with another receivedAt', async () => {
        const first = reading({ sampledValues: [sample({ value: '1' }), sample({ measurand: 'Voltage', unit: 'V', value: '230' })] });
        assert.equal(await store.meterValues.append([first]), 1);
        assert.equal(await store.meterValues.append([first]), 0);
        assert.equal(await store.meterValues.append([{ ...first, receivedAt: at(50) }]), 0);
        const copy = structuredClone(first);
        assert.equal(await store.meterValues.append([copy]), 0, 'an equal reading, not the same object');

        const second = reading({ timestamp: at(2) });
        assert.equal(await store.meterValues.append([second, { ...second, receivedAt: at(51) }, { ...first, receivedAt: at(52) }]), 1);
        const third = reading({ timestamp: at(3) });
        const concurrent = await Promise.all([store.meterValues.append([third]), store.meterValues.append([third])]);
        assert.deepEqual(concurrent.sort(), [0, 1]);

        // What was kept is the first of each, with its receivedAt.
        assert.deepEqual(await store.meterValues.forTransaction('1'), [...records(first), ...records(second), ...records(third)]);
      });

      it('nulls in transaction, phase, location, unit, context and format round-trip, and such readings replay as well', async () => {
        const bare = reading({
          transactionId: null,
          sampledValues: [sample({ phase: null, location: null, unit: null, context: null, format: null, value: '7' })],
        });
        const withTransaction = { ...bare, transactionId: '1' };
        assert.equal(await store.meterValues.append([bare, withTransaction]), 2);
        assert.equal(await store.meterValues.append([bare, withTransaction]), 0);
        const stored = await store.meterValues.forStation('CS-1', 10);
        assert.deepEqual(stored.find((record) => record.transactionId === null), records(bare)[0]);
        assert.deepEqual(await store.meterValues.forTransaction('1'), records(withTransaction));
        assert.equal(records(bare)[0]?.numericValue, 7);
      });

      it('readings that differ in any identity field or in any sampled value are all kept', async () => {
        const base = reading({ sampledValues: [sample({ value: '1' }), sample({ measurand: 'Current.Import', phase: 'L1', unit: 'A', value: '16' })] });
        const changeSample = (fields: Partial<SampledValueRecord>): MeterReading => ({
          ...base,
          sampledValues: [base.sampledValues[0] as SampledValueRecord, { ...(base.sampledValues[1] as SampledValueRecord), ...fields }],
        });
        const variants: MeterReading[] = [
          base,
          { ...base, stationId: 'CS-2' },
          { ...base, evseId: 2 },
          { ...base, connectorId: 2 },
          { ...base, transactionId: '2' },
          { ...base, transactionId: null },
          { ...base, timestamp: at(7) },
          changeSample({ value: '17' }),
          changeSample({ measurand: 'Current.Export' }),
          changeSample({ phase: 'L2' }),
          changeSample({ phase: null }),
          changeSample({ location: 'Inlet' }),
          changeSample({ unit: 'mA' }),
          changeSample({ context: 'Transaction.End' }),
          changeSample({ format: 'SignedData' }),
          { ...base, sampledValues: [...base.sampledValues].reverse() },
          { ...base, sampledValues: base.sampledValues.slice(0, 1) },
          { ...base, sampledValues: [...base.sampledValues, sample({ value: '1' })] },
        ];
        assert.equal(await store.meterValues.append(variants), variants.length);
        assert.equal(await store.meterValues.append(variants), 0);
      });

      it('a reading without sampled values is not stored', async () => {
        assert.equal(await store.meterValues.append([reading({ sampledValues: [] })]), 0);
        assert.equal(await store.meterValues.append([reading({ sampledValues: [] }), reading({})]), 1);
        assert.equal((await store.meterValues.forTransaction('1')).length, 1);
      });

      it('forStation returns the newest readings first, their values in order, and limit counts values', async () => {
        const oldest = reading({ timestamp: at(1), sampledValues: [sample({ value: 'a' }), sample({ value: 'b' })] });
        const newest = reading({ timestamp: at(3), sampledValues: [sample({ value: 'c' }), sample({ value: 'd' }), sample({ value: 'e' })] });
        const middle = reading({ timestamp: at(2), transactionId: null, sampledValues: [sample({ value: 'f' })] });
        const newestStoredLater = reading({ timestamp: at(3), evseId: 2, sampledValues: [sample({ value: 'g' })] });
        const otherStation = reading({ stationId: 'CS-2', timestamp: at(4), sampledValues: [sample({ value: 'h' })] });
        assert.equal(await store.meterValues.append([oldest, newest, middle]), 3);
        assert.equal(await store.meterValues.append([newestStoredLater, otherStation]), 2);

        const values = async (stationId: string, limit: number): Promise<string[]> =>
          (await store.meterValues.forStation(stationId, limit)).map((record) => record.value);
        assert.deepEqual(await values('CS-1', 100), ['g', 'c', 'd', 'e', 'f', 'a', 'b']);
        assert.deepEqual(await values('CS-1', 1), ['g']);
        assert.deepEqual(await values('CS-1', 2), ['g', 'c']);
        assert.deepEqual(await values('CS-1', 4), ['g', 'c', 'd', 'e']);
        assert.deepEqual(await values('CS-1', 6), ['g', 'c', 'd', 'e', 'f', 'a']);
        assert.deepEqual(await values('CS-2', 10), ['h']);
        assert.deepEqual(await values('CS-none', 10), []);
        assert.deepEqual(await store.meterValues.forStation('CS-1', 100), [
          ...records(newestStoredLater), ...records(newest), ...records(middle), ...records(oldest),
        ]);
      });
    });

    describe('commands', () => {
      it('create, complete, get round-trip the JSON fields', async () => {
        const pending = command({ id: 'c1', request: { connectorId: 1, nested: { a: [1, 2] } } });
        await store.commands.create(pending);
        assert.deepEqual(await store.commands.get('c1'), pending);

        await store.commands.complete('c1', {
          status: 'completed', response: { status: 'Accepted' }, error: null, completedAt: at(2),
        });
        assert.deepEqual(await store.commands.get('c1'), {
          ...pending, status: 'completed', response: { status: 'Accepted' }, completedAt: at(2),
        });

        await store.commands.create(command({ id: 'c2' }));
        const error = { code: 'NotImplemented', description: 'no', details: { x: 1 } };
        await store.commands.complete('c2', { status: 'error', response: null, error, completedAt: at(3) });
        const failed = await store.commands.get('c2');
        assert.equal(failed?.status, 'error');
        assert.deepEqual(failed?.error, error);
        assert.equal(failed?.response, null);
        assert.equal(await store.commands.get('c-none'), undefined);
      });

      it('list returns the newest first, for one station or all, up to the limit', async () => {
        await store.commands.create(command({ id: 'c1', createdAt: at(1) }));
        await store.commands.create(command({ id: 'c3', createdAt: at(3), stationId: 'CS-2' }));
        await store.commands.create(command({ id: 'c2', createdAt: at(2) }));
        const ids = (records: CommandRecord[]): string[] => records.map((record) => record.id);
        assert.deepEqual(ids(await store.commands.list(undefined, 10)), ['c3', 'c2', 'c1']);
        assert.deepEqual(ids(await store.commands.list('CS-1', 10)), ['c2', 'c1']);
        assert.deepEqual(ids(await store.commands.list(undefined, 2)), ['c3', 'c2']);
      });
    });

    describe('station events', () => {
      it('append and list newest first, optionally of one type, up to the limit', async () => {
        const event = (type: string, second: number, stationId = 'CS-1') => ({
          stationId, type, payload: { status: 'Downloading', n: second }, timestamp: at(second), receivedAt: at(second),
        });
        await store.stationEvents.append(event('FirmwareStatusNotification', 1));
        await store.stationEvents.append(event('SecurityEventNotification', 2));
        await store.stationEvents.append(event('FirmwareStatusNotification', 3));
        await store.stationEvents.append(event('FirmwareStatusNotification', 4, 'CS-2'));

        const all = await store.stationEvents.list('CS-1', undefined, 10);
        assert.deepEqual(all.map((entry) => entry.timestamp), [at(3), at(2), at(1)]);
        assert.deepEqual(all[0], event('FirmwareStatusNotification', 3));
        const firmware = await store.stationEvents.list('CS-1', 'FirmwareStatusNotification', 10);
        assert.deepEqual(firmware.map((entry) => entry.timestamp), [at(3), at(1)]);
        assert.equal((await store.stationEvents.list('CS-1', undefined, 1)).length, 1);
      });
    });

    describe('close', () => {
      it('refuses writes after close, and closing twice is harmless', async () => {
        await store.close();
        await assert.rejects(store.idTokens.put({
          idToken: 'late', status: 'Accepted', expiryDate: null, groupId: null, allowConcurrentTx: false,
        }));
        await assert.rejects(store.meterValues.append([reading({})]));
        await store.close();
      });
    });
  });
}

/** A distinct second of one day, as the ISO string a station would send. */
function at(second: number): string {
  return new Date(Date.UTC(2025, 0, 1, 10, 0, second)).toISOString();
}

function isIsoTime(value: string): boolean {
  return !Number.isNaN(Date.parse(value)) && value.includes('T');
}

function status(fields: Partial<ConnectorStatusRecord>): ConnectorStatusRecord {
  return {
    stationId: 'CS-1',
    evseId: 1,
    connectorId: 1,
    status: 'Available',
    errorCode: 'NoError',
    info: null,
    vendorId: null,
    vendorErrorCode: null,
    timestamp: at(0),
    receivedAt: at(0),
    ...fields,
  };
}

function txStart(fields: Partial<TransactionStart>): TransactionStart {
  return {
    stationId: 'CS-1',
    evseId: 1,
    connectorId: 1,
    idToken: 'TAG1',
    meterStartWh: 0,
    startedAt: at(1),
    ...fields,
  };
}

function sample(fields: Partial<SampledValueRecord> = {}): SampledValueRecord {
  return {
    value: '0',
    measurand: 'Energy.Active.Import.Register',
    phase: null,
    location: 'Outlet',
    unit: 'Wh',
    context: 'Sample.Periodic',
    format: 'Raw',
    ...fields,
  };
}

function reading(fields: Partial<MeterReading>): MeterReading {
  return {
    stationId: 'CS-1',
    evseId: 1,
    connectorId: 1,
    transactionId: '1',
    timestamp: at(1),
    sampledValues: [sample()],
    receivedAt: at(1),
    ...fields,
  };
}

/** The records a stored reading reads back as: one per sampled value, in order. */
function records(stored: MeterReading): MeterValueRecord[] {
  return stored.sampledValues.map((value) => ({
    stationId: stored.stationId,
    evseId: stored.evseId,
    connectorId: stored.connectorId,
    transactionId: stored.transactionId,
    timestamp: stored.timestamp,
    measurand: value.measurand,
    phase: value.phase,
    location: value.location,
    unit: value.unit,
    context: value.context,
    format: value.format,
    value: value.value,
    numericValue:
      (value.format === null || value.format === 'Raw') && value.value.trim() !== '' && Number.isFinite(Number(value.value))
        ? Number(value.value)
        : null,
    receivedAt: stored.receivedAt,
  }));
}

function command(fields: Partial<CommandRecord>): CommandRecord {
  return {
    id: 'c',
    stationId: 'CS-1',
    action: 'RemoteStartTransaction',
    request: { idTag: 'TAG1' },
    actor: 'admin',
    origin: '127.0.0.1',
    status: 'pending',
    response: null,
    error: null,
    createdAt: at(1),
    completedAt: null,
    ...fields,
  };
}
