import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  CommandRecord,
  ConnectorStatusRecord,
  DeviceVariableRecord,
  DeviceVariableUpdate,
  InstalledChargingProfileRecord,
  MeterReading,
  MeterValueRecord,
  SampledValueRecord,
  SiteGroupInput,
  SiteInput,
  SiteMemberInput,
  Store,
  TransactionEventRecord,
  TransactionStart,
  TransactionStop,
} from '../../src/store/ports.ts';
import { accountsContract } from './accounts-contract.ts';
import { certificateContract } from './certificate-contract.ts';
import { signingRequestContract } from './signing-request-contract.ts';

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

    certificateContract(() => store);
    signingRequestContract(() => store);

    describe('stations', () => {
      it('register creates a station with defaults and get/list return it', async () => {
        const created = await store.stations.register({ id: 'CS-1' });
        assert.equal(created.id, 'CS-1');
        assert.equal(created.registered, false);
        for (const field of [
          'protocol', 'vendor', 'model', 'serialNumber', 'chargeBoxSerialNumber', 'firmwareVersion', 'iccid', 'imsi',
          'meterType', 'meterSerialNumber', 'registrationStatus', 'bootPolicy', 'securityProfile', 'defaultProtocol',
          'description', 'validationMode', 'lastBootAt', 'lastSeen',
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

      /** The password hashes a connection of the station is checked against. */
      const hashesOf = async (stationId: string) => (await store.stations.forConnection(stationId))?.hashes;

      it('forConnection reads the station, its password hashes and its pending rotation together, in step with the rest', async () => {
        assert.equal(await store.stations.forConnection('CS-unknown'), undefined);
        const registered = await store.stations.register({ id: 'CS-1', securityProfile: 1, registered: true });
        assert.deepEqual(await store.stations.forConnection('CS-1'), { station: registered, hashes: undefined, rotation: undefined });

        const current = { authorizationKey: '$scrypt$ln=12,r=8,p=1$c2FsdA$b2xkLTE2', basicAuthPassword: null };
        const pending = { authorizationKey: '$scrypt$ln=12,r=8,p=1$c2FsdA$bmV3LTE2', basicAuthPassword: null };
        await store.stations.setPasswordHashes('CS-1', current);
        const rotation = { status: 'sent' as const, requestedAt: at(1), updatedAt: at(1), detail: null, pending };
        await store.stations.setPasswordRotation('CS-1', rotation);
        store.stations.touch('CS-1', at(2));
        const known = await store.stations.forConnection('CS-1');
        assert.deepEqual(known, { station: await store.stations.get('CS-1'), hashes: current, rotation });
        assert.equal(known?.station.lastSeen, at(2), 'the record is the one get() gives, last-seen time included');
        assert.doesNotMatch(JSON.stringify(known?.station), /scrypt|hash|pending/i, 'the hashes stay outside the record');
      });

      it('A01.FR.08: a station password is kept as hashes, outside the station record, until replaced or cleared', async () => {
        const hashes = { authorizationKey: '$scrypt$ln=12,r=8,p=1$c2FsdA$aGFzaC0xNg', basicAuthPassword: '$scrypt$ln=12,r=8,p=1$c2FsdA$aGFzaC0yeA' };
        assert.equal(await store.stations.setPasswordHashes('CS-unknown', hashes), false, 'an unknown station gets no password');
        assert.equal(await hashesOf('CS-unknown'), undefined);

        const registered = await store.stations.register({ id: 'CS-1', securityProfile: 1 });
        assert.equal(await hashesOf('CS-1'), undefined, 'no password yet');
        assert.equal(await store.stations.setPasswordHashes('CS-1', hashes), true);
        assert.deepEqual(await hashesOf('CS-1'), hashes);
        const station = await store.stations.get('CS-1');
        assert.ok(station);
        assert.doesNotMatch(JSON.stringify(station), /scrypt|hash/i, 'the record never carries the hashes');
        assert.deepEqual({ ...station, updatedAt: registered.updatedAt }, registered);

        // Registration updates and boots leave the password alone.
        await store.stations.register({ id: 'CS-1', description: 'roof' });
        await store.stations.recordBoot('CS-1', { protocol: 'ocpp2.0.1', vendor: 'V', model: 'M' }, 'Accepted', '2025-01-01T10:00:00.000Z');
        assert.deepEqual(await hashesOf('CS-1'), hashes);

        const only16 = { authorizationKey: '$scrypt$ln=12,r=8,p=1$c2FsdDI$aGFzaC0zeA', basicAuthPassword: null };
        assert.equal(await store.stations.setPasswordHashes('CS-1', only16), true);
        assert.deepEqual(await hashesOf('CS-1'), only16);
        assert.equal(await store.stations.setPasswordHashes('CS-1', null), true);
        assert.equal(await hashesOf('CS-1'), undefined, 'cleared');
      });

      it('A01: a password rotation keeps the pending password apart until it is promoted, then the old one is gone', async () => {
        const current = { authorizationKey: '$scrypt$ln=12,r=8,p=1$c2FsdA$b2xkLTE2', basicAuthPassword: '$scrypt$ln=12,r=8,p=1$c2FsdA$b2xkLTJ4' };
        const pending = { authorizationKey: '$scrypt$ln=12,r=8,p=1$c2FsdA$bmV3LTE2', basicAuthPassword: '$scrypt$ln=12,r=8,p=1$c2FsdA$bmV3LTJ4' };
        const sent = { status: 'sent' as const, requestedAt: at(1), updatedAt: at(1), detail: null, pending };
        assert.equal(await store.stations.setPasswordRotation('CS-unknown', sent), false);
        await store.stations.register({ id: 'CS-1' });
        assert.equal(await store.stations.passwordRotation('CS-1'), undefined, 'never rotated');
        await store.stations.setPasswordHashes('CS-1', current);
        assert.equal(await store.stations.promotePendingPassword('CS-1', at(2)), false, 'nothing pending');
        assert.equal(await store.stations.setPasswordRotation('CS-1', sent), true);
        assert.deepEqual(await store.stations.passwordRotation('CS-1'), sent);
        assert.deepEqual(await hashesOf('CS-1'), current, 'the current password is untouched');
        assert.doesNotMatch(JSON.stringify(await store.stations.get('CS-1')), /scrypt|pending/i);

        await store.stations.setPasswordRotation('CS-1', { ...sent, status: 'accepted', updatedAt: at(2) });
        assert.equal(await store.stations.promotePendingPassword('CS-1', at(3)), true);
        assert.deepEqual(await hashesOf('CS-1'), pending, 'the new password is the current one');
        assert.deepEqual(await store.stations.passwordRotation('CS-1'), { status: 'completed', requestedAt: at(1), updatedAt: at(3), detail: null, pending: null });

        await store.stations.setPasswordRotation('CS-1', { status: 'rejected', requestedAt: at(4), updatedAt: at(5), detail: 'Rejected', pending: null });
        assert.deepEqual(await store.stations.passwordRotation('CS-1'), { status: 'rejected', requestedAt: at(4), updatedAt: at(5), detail: 'Rejected', pending: null });
        assert.deepEqual(await hashesOf('CS-1'), pending);
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
        for (const field of ['stoppedAt', 'meterStopWh', 'lastMeterWh', 'energyWh', 'stopReason', 'stopIdToken', 'reservationId',
          'chargingState', 'lastSeqNo', 'remoteStartId'] as const) {
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
        // A caller limited to sites: the filter is in the query, so limit and offset count only its stations' rows.
        assert.deepEqual(await ids({ stationIds: ['CS-1'], limit: 1, offset: 1 }), [a1.record.id]);
        assert.deepEqual(await ids({ stationIds: ['CS-2', 'CS-1'], active: true }), [a2.record.id, b1.record.id]);
        assert.deepEqual(await ids({ stationIds: ['CS-2'], stationId: 'CS-1' }), []);
        assert.deepEqual(await ids({ stationIds: [] }), []);
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
        assert.deepEqual(await store.meterValues.forTransaction('CS-1', '1'), [...records(first), ...records(sameTime), ...records(later)]);
        assert.deepEqual(await store.meterValues.forTransaction('CS-1', '2'), records(otherTransaction));
        assert.deepEqual(records(first)[1], {
          stationId: 'CS-1', evseId: 1, connectorId: 1, transactionId: '1', timestamp: at(1), measurand: 'Current.Import',
          phase: 'L1', location: 'Outlet', unit: 'A', context: 'Sample.Periodic', format: 'Raw', value: '16.0',
          numericValue: 16, receivedAt: at(1),
        });
        assert.deepEqual(await store.meterValues.forTransaction('CS-1', '9'), []);
        assert.deepEqual(await store.meterValues.forTransaction('CS-1', ''), []);
        assert.deepEqual(await store.meterValues.forTransaction('CS-2', '1'), [], 'found through their station');
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
        const read = await store.meterValues.forTransaction('CS-1', '1');
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
        assert.deepEqual(await store.meterValues.forTransaction('CS-1', '1'), [...records(first), ...records(second), ...records(third)]);
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
        assert.deepEqual(await store.meterValues.forTransaction('CS-1', '1'), records(withTransaction));
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
        assert.equal((await store.meterValues.forTransaction('CS-1', '1')).length, 1);
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
        assert.deepEqual(ids(await store.commands.list(undefined, 1, ['CS-1'])), ['c2'], 'the limit counts only these stations\' commands');
        assert.deepEqual(ids(await store.commands.list(undefined, 10, ['CS-1', 'CS-2'])), ['c3', 'c2', 'c1']);
        assert.deepEqual(ids(await store.commands.list('CS-1', 10, ['CS-2'])), []);
        assert.deepEqual(ids(await store.commands.list(undefined, 10, [])), []);
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

    describe('stations: validation mode', () => {
      it('is null by default, set and cleared by register, and kept by other registrations and boots', async () => {
        assert.equal((await store.stations.register({ id: 'CS-1' })).validationMode, null);
        assert.equal(
          (await store.stations.recordBoot('CS-2', { protocol: 'ocpp2.0.1', vendor: 'Acme', model: 'Fast' }, 'Accepted', at(1)))
            .validationMode,
          null,
        );
        const lenient = await store.stations.register({ id: 'CS-1', validationMode: 'lenient' });
        assert.equal(lenient.validationMode, 'lenient');
        assert.deepEqual(await store.stations.get('CS-1'), lenient);
        assert.equal((await store.stations.register({ id: 'CS-1', description: 'x' })).validationMode, 'lenient');
        const booted = await store.stations.recordBoot('CS-1', { protocol: 'ocpp2.0.1', vendor: 'Acme', model: 'Fast' }, 'Accepted', at(2));
        assert.equal(booted.validationMode, 'lenient');
        assert.equal((await store.stations.register({ id: 'CS-1', validationMode: 'log-only' })).validationMode, 'log-only');
        const cleared = await store.stations.register({ id: 'CS-1', validationMode: null });
        assert.equal(cleared.validationMode, null);
        assert.equal(cleared.description, 'x');
        assert.equal((await store.stations.list()).find((station) => station.id === 'CS-1')?.validationMode, null);
        const created = await store.stations.register({ id: 'CS-3', validationMode: 'strict' });
        assert.equal(created.validationMode, 'strict');
      });
    });

    describe('transactions: 2.x fields, stop options and amendments', () => {
      const stopOf = (id: string, fields: Partial<TransactionStop> = {}): TransactionStop => ({
        id, stoppedAt: at(20), meterStopWh: 3000, stopReason: 'EVDisconnected', stopIdToken: null, ...fields,
      });

      it('start keeps chargingState, lastSeqNo and remoteStartId', async () => {
        const { record } = await store.transactions.start(
          txStart({ stationTxId: 'tx-201', chargingState: 'Charging', lastSeqNo: 0, remoteStartId: 42 }),
        );
        assert.equal(record.chargingState, 'Charging');
        assert.equal(record.lastSeqNo, 0);
        assert.equal(record.remoteStartId, 42);
        assert.deepEqual(await store.transactions.get(record.id), record);
      });

      it('stop stores a given energy instead of computing it, even null', async () => {
        const given = await store.transactions.start(txStart({ meterStartWh: 1000, startedAt: at(1) }));
        const suspect = await store.transactions.start(txStart({ meterStartWh: 1000, startedAt: at(2) }));
        const computed = await store.transactions.start(txStart({ meterStartWh: 1000, startedAt: at(3) }));
        assert.equal((await store.transactions.stop(stopOf(given.record.id, { energyWh: 1234 })))?.record.energyWh, 1234);
        assert.equal((await store.transactions.stop(stopOf(suspect.record.id, { energyWh: null })))?.record.energyWh, null);
        assert.equal((await store.transactions.stop(stopOf(computed.record.id)))?.record.energyWh, 2000);
        assert.equal((await store.transactions.get(suspect.record.id))?.meterStopWh, 3000);
      });

      it('stop adds flags without duplicates and stores chargingState and lastSeqNo when given', async () => {
        const { record } = await store.transactions.start(
          txStart({ stationTxId: 'tx-1', flags: ['started-late'], chargingState: 'Charging', lastSeqNo: 3 }),
        );
        const stopped = await store.transactions.stop(
          stopOf(record.id, { addFlags: ['started-late', 'suspect-meter', 'suspect-meter'], chargingState: 'EVConnected', lastSeqNo: 7 }),
        );
        assert.deepEqual(stopped?.record.flags, ['started-late', 'suspect-meter']);
        assert.equal(stopped?.record.chargingState, 'EVConnected');
        assert.equal(stopped?.record.lastSeqNo, 7);
        assert.deepEqual(await store.transactions.get(record.id), stopped?.record);

        const other = await store.transactions.start(txStart({ stationTxId: 'tx-2', startedAt: at(2), chargingState: 'Charging', lastSeqNo: 3 }));
        const plain = await store.transactions.stop(stopOf(other.record.id));
        assert.equal(plain?.record.chargingState, 'Charging', 'kept when not given');
        assert.equal(plain?.record.lastSeqNo, 3);
        assert.deepEqual(plain?.record.flags, []);
        const cleared = await store.transactions.start(txStart({ stationTxId: 'tx-3', startedAt: at(3), chargingState: 'Charging' }));
        assert.equal((await store.transactions.stop(stopOf(cleared.record.id, { chargingState: null })))?.record.chargingState, null);
      });

      it('a second stop with options changes nothing', async () => {
        const { record } = await store.transactions.start(txStart({}));
        const first = await store.transactions.stop(stopOf(record.id));
        const again = await store.transactions.stop(stopOf(record.id, { energyWh: 1, addFlags: ['x'], lastSeqNo: 9 }));
        assert.deepEqual(again, { record: first?.record, duplicate: true });
      });

      it('amend changes only the given fields, null clears, flags are added once, and updatedAt moves', async () => {
        const { record } = await store.transactions.start(
          txStart({ stationTxId: 'tx-1', idToken: 'TAG1', reservationId: 5, chargingState: 'EVConnected', lastSeqNo: 1,
            remoteStartId: 9, flags: ['started-late'] }),
        );
        await sleep(3);
        const amended = await store.transactions.amend(record.id, {
          startedAt: at(0), meterStartWh: 700, idToken: null, evseId: 2, connectorId: 3, chargingState: 'Charging',
          lastSeqNo: 4, addFlags: ['started-late', 'late-start-filled'],
        });
        assert.ok(amended);
        assert.deepEqual(amended, {
          ...record,
          startedAt: at(0), meterStartWh: 700, idToken: null, evseId: 2, connectorId: 3, chargingState: 'Charging',
          lastSeqNo: 4, flags: ['started-late', 'late-start-filled'], updatedAt: amended.updatedAt,
        });
        assert.ok(amended.updatedAt > record.updatedAt, 'updatedAt moves on');
        assert.equal(amended.reservationId, 5, 'not given, kept');
        assert.equal(amended.remoteStartId, 9);
        assert.deepEqual(await store.transactions.get(record.id), amended);

        const cleared = await store.transactions.amend(record.id, { reservationId: null, remoteStartId: null, chargingState: null });
        assert.deepEqual(
          [cleared?.reservationId, cleared?.remoteStartId, cleared?.chargingState, cleared?.lastSeqNo, cleared?.meterStartWh],
          [null, null, null, 4, 700],
        );
        assert.equal(await store.transactions.amend('424242', { lastSeqNo: 1 }), undefined);
        assert.equal(await store.transactions.amend('not-a-number', { lastSeqNo: 1 }), undefined);
      });

      it('amend of a stopped transaction leaves its energy unless an energy is given; an active one ignores it', async () => {
        const { record } = await store.transactions.start(txStart({ meterStartWh: null }));
        await store.transactions.stop(stopOf(record.id, { meterStopWh: 5000 }));
        const lateStart = await store.transactions.amend(record.id, { startedAt: at(0), meterStartWh: 1000 });
        assert.equal(lateStart?.meterStartWh, 1000);
        assert.equal(lateStart?.energyWh, null, 'left as it is');
        assert.equal(lateStart?.stoppedAt, at(20));
        const recomputed = await store.transactions.amend(record.id, { energyWh: 4000 });
        assert.equal(recomputed?.energyWh, 4000);
        assert.equal((await store.transactions.amend(record.id, { meterStartWh: 2000 }))?.energyWh, 4000);
        assert.equal((await store.transactions.amend(record.id, { energyWh: null }))?.energyWh, null);

        const active = await store.transactions.start(txStart({ startedAt: at(30) }));
        const amended = await store.transactions.amend(active.record.id, { energyWh: 99, lastSeqNo: 2 });
        assert.equal(amended?.energyWh, null);
        assert.equal(amended?.lastSeqNo, 2);
        assert.equal(amended?.stoppedAt, null);
      });
    });

    describe('transactions: activeForStation and inactiveSince', () => {
      it('activeForStation lists the running transactions of one station, oldest first', async () => {
        const later = await store.transactions.start(txStart({ startedAt: at(5), evseId: 2 }));
        const earlier = await store.transactions.start(txStart({ startedAt: at(1), evseId: 1 }));
        const stopped = await store.transactions.start(txStart({ startedAt: at(3), evseId: 3 }));
        await store.transactions.start(txStart({ stationId: 'CS-2', startedAt: at(2) }));
        await store.transactions.stop({ id: stopped.record.id, stoppedAt: at(6), meterStopWh: null, stopReason: null, stopIdToken: null });
        assert.deepEqual(
          (await store.transactions.activeForStation('CS-1')).map((transaction) => transaction.id),
          [earlier.record.id, later.record.id],
        );
        assert.deepEqual(await store.transactions.activeForStation('CS-none'), []);
      });

      it('inactiveSince finds active transactions not changed since a time, least recently updated first', async () => {
        const oldest = await store.transactions.start(txStart({ startedAt: at(1), stationTxId: 'a' }));
        await sleep(3);
        const old = await store.transactions.start(txStart({ startedAt: at(2), stationTxId: 'b' }));
        await sleep(3);
        const metered = await store.transactions.start(txStart({ startedAt: at(3), stationTxId: 'c' }));
        const amended = await store.transactions.start(txStart({ startedAt: at(4), stationTxId: 'd' }));
        const stopped = await store.transactions.start(txStart({ startedAt: at(5), stationTxId: 'e' }));
        await sleep(3);
        const before = new Date().toISOString();
        await sleep(3);
        await store.transactions.updateMeter(metered.record.id, 100, at(6));
        await sleep(3);
        await store.transactions.amend(amended.record.id, { chargingState: 'SuspendedEV' });
        await store.transactions.stop({ id: stopped.record.id, stoppedAt: at(7), meterStopWh: null, stopReason: null, stopIdToken: null });

        const ids = async (time: string, limit: number): Promise<string[]> =>
          (await store.transactions.inactiveSince(time, limit)).map((transaction) => transaction.id);
        assert.deepEqual(await ids(before, 10), [oldest.record.id, old.record.id]);
        assert.deepEqual(await ids(before, 1), [oldest.record.id]);
        await sleep(3);
        await store.transactions.amend(oldest.record.id, { lastSeqNo: 1 });
        assert.deepEqual(await ids(before, 10), [old.record.id]);
        assert.deepEqual(await ids('2000-01-01T00:00:00.000Z', 10), []);
        const after = new Date(Date.now() + 60_000).toISOString();
        assert.deepEqual(await ids(after, 10), [old.record.id, metered.record.id, amended.record.id, oldest.record.id]);
      });
    });

    describe('transaction events', () => {
      const event = (fields: Partial<TransactionEventRecord>): TransactionEventRecord => ({
        stationId: 'CS-1',
        stationTxId: 'tx-1',
        seqNo: 0,
        eventType: 'Started',
        triggerReason: 'Authorized',
        timestamp: at(1),
        offline: false,
        transactionId: '1',
        payload: { eventType: 'Started', seqNo: 0, transactionInfo: { transactionId: 'tx-1' } },
        receivedAt: at(1),
        ...fields,
      });

      it('append keeps an event once per station, station transaction and seqNo', async () => {
        const started = event({});
        assert.deepEqual(await store.transactionEvents.append(started), { duplicate: false });
        assert.deepEqual(await store.transactionEvents.append(started), { duplicate: true });
        assert.deepEqual(
          await store.transactionEvents.append(event({ eventType: 'Updated', timestamp: at(9), payload: { other: true } })),
          { duplicate: true },
          'the same seqNo is a replay whatever else differs',
        );
        const concurrent = await Promise.all([
          store.transactionEvents.append(event({ seqNo: 1, eventType: 'Updated' })),
          store.transactionEvents.append(event({ seqNo: 1, eventType: 'Updated' })),
        ]);
        assert.deepEqual(concurrent.map((result) => result.duplicate).sort(), [false, true]);
        assert.equal((await store.transactionEvents.append(event({ stationTxId: 'tx-2' }))).duplicate, false);
        assert.equal((await store.transactionEvents.append(event({ stationId: 'CS-2' }))).duplicate, false);
        assert.deepEqual(await store.transactionEvents.forStationTx('CS-1', 'tx-1'), [started, event({ seqNo: 1, eventType: 'Updated' })]);
      });

      it('without a seqNo, an event is a replay when its type and timestamp repeat', async () => {
        const updated = event({ seqNo: null, eventType: 'Updated', timestamp: at(2), offline: true, transactionId: null, triggerReason: null });
        assert.equal((await store.transactionEvents.append(updated)).duplicate, false);
        assert.equal((await store.transactionEvents.append({ ...updated, receivedAt: at(3) })).duplicate, true);
        assert.equal((await store.transactionEvents.append({ ...updated, eventType: 'Ended' })).duplicate, false);
        assert.equal((await store.transactionEvents.append({ ...updated, timestamp: at(3) })).duplicate, false);
        assert.equal((await store.transactionEvents.append({ ...updated, seqNo: 5 })).duplicate, false);
        assert.equal((await store.transactionEvents.append({ ...updated, seqNo: 5 })).duplicate, true);
        const stored = await store.transactionEvents.forStationTx('CS-1', 'tx-1');
        assert.equal(stored.length, 4);
        assert.deepEqual(stored.find((entry) => entry.seqNo === null && entry.timestamp === at(2) && entry.eventType === 'Updated'), updated);
      });

      it('forStationTx orders by seqNo (missing last), then timestamp, then arrival', async () => {
        const appended = [
          event({ seqNo: 2, eventType: 'Ended', timestamp: at(3) }),
          event({ seqNo: null, eventType: 'Updated', timestamp: at(9) }),
          event({ seqNo: 0, timestamp: at(5) }),
          event({ seqNo: null, eventType: 'Updated', timestamp: at(4) }),
          event({ seqNo: null, eventType: 'Ended', timestamp: at(4) }),
          event({ seqNo: 1, eventType: 'Updated', timestamp: at(1) }),
        ];
        for (const entry of appended) assert.equal((await store.transactionEvents.append(entry)).duplicate, false);
        const order = (await store.transactionEvents.forStationTx('CS-1', 'tx-1')).map((entry) => [entry.seqNo, entry.eventType, entry.timestamp]);
        assert.deepEqual(order, [
          [0, 'Started', at(5)],
          [1, 'Updated', at(1)],
          [2, 'Ended', at(3)],
          [null, 'Updated', at(4)],
          [null, 'Ended', at(4)],
          [null, 'Updated', at(9)],
        ]);
        assert.deepEqual(await store.transactionEvents.forStationTx('CS-1', 'tx-none'), []);
        assert.deepEqual(await store.transactionEvents.forStationTx('CS-2', 'tx-1'), []);
      });
    });

    describe('device model', () => {
      beforeEach(async () => {
        await store.stations.register({ id: 'CS-1' });
        await store.stations.register({ id: 'CS-2' });
      });

      it('upsert stores attributes that list returns in full', async () => {
        const heartbeat = variable({
          component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '300', mutability: 'ReadWrite', persistent: true,
          constant: false, unit: 's', dataType: 'integer', minLimit: 1, maxLimit: 86400.5, valuesList: null, supportsMonitoring: true,
        });
        await store.deviceModel.upsert('CS-1', [heartbeat], at(1));
        assert.deepEqual(await store.deviceModel.list('CS-1', {}), [{ ...heartbeat, stationId: 'CS-1', updatedAt: at(1) }]);
        assert.deepEqual(await store.deviceModel.list('CS-2', {}), []);
        await store.deviceModel.upsert('CS-1', [], at(2));
      });

      it('a later update with nulls keeps the characteristics; the value is always written', async () => {
        const reported = variable({
          variable: 'Power', value: '22000', mutability: 'ReadOnly', persistent: false, constant: true, unit: 'W', dataType: 'decimal',
          minLimit: 0, maxLimit: 22000, valuesList: 'a,b', supportsMonitoring: false,
        });
        await store.deviceModel.upsert('CS-1', [reported], at(1));
        const read = variable({ variable: 'Power', value: '11000' });
        await store.deviceModel.upsert('CS-1', [read], at(2));
        assert.deepEqual(await store.deviceModel.list('CS-1', {}), [{ ...reported, value: '11000', stationId: 'CS-1', updatedAt: at(2) }]);
        await store.deviceModel.upsert('CS-1', [variable({ variable: 'Power', value: null, unit: 'kW' })], at(3));
        assert.deepEqual(await store.deviceModel.list('CS-1', {}), [
          { ...reported, value: null, unit: 'kW', stationId: 'CS-1', updatedAt: at(3) },
        ]);
      });

      it('null identity fields round-trip and still identify one attribute', async () => {
        const bare = variable({ component: 'EVSE', componentInstance: null, evseId: null, connectorId: null, variable: 'Available', variableInstance: null, value: 'true' });
        const variants: DeviceVariableUpdate[] = [
          bare,
          { ...bare, componentInstance: 'x' },
          { ...bare, evseId: 0 },
          { ...bare, evseId: 1 },
          { ...bare, evseId: 1, connectorId: 0 },
          { ...bare, evseId: 1, connectorId: 1 },
          { ...bare, variableInstance: 'y' },
          { ...bare, attributeType: 'Target' },
        ];
        await store.deviceModel.upsert('CS-1', variants, at(1));
        await store.deviceModel.upsert('CS-1', variants.map((update) => ({ ...update, value: 'false' })), at(2));
        const stored = await store.deviceModel.list('CS-1', {});
        assert.equal(stored.length, variants.length);
        assert.ok(stored.every((record) => record.value === 'false'));
        assert.deepEqual(stored[0], { ...bare, value: 'false', stationId: 'CS-1', updatedAt: at(2) });
        for (const update of variants) {
          assert.ok(stored.some((record) => identityOf(record) === identityOf(update)), identityOf(update));
        }
      });

      it('names are compared without case: the first spelling stays, one call may repeat an attribute', async () => {
        await store.deviceModel.upsert('CS-1', [variable({ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '300', unit: 's' })], at(1));
        await store.deviceModel.upsert('CS-1', [
          variable({ component: 'ocppcommctrlr', variable: 'HEARTBEATINTERVAL', value: '60' }),
          variable({ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '90', dataType: 'integer' }),
        ], at(2));
        const stored = await store.deviceModel.list('CS-1', {});
        assert.deepEqual(
          stored.map((record) => [record.component, record.variable, record.value, record.unit, record.dataType]),
          [['OCPPCommCtrlr', 'HeartbeatInterval', '90', 's', 'integer']],
        );
      });

      it('list filters by component and variable, case-insensitively and exactly, in identity order, with limit and offset', async () => {
        await store.deviceModel.upsert('CS-1', [
          variable({ component: 'EVSE', evseId: 2, variable: 'Power', value: 'e2' }),
          variable({ component: 'EVSE', evseId: 1, variable: 'Power', value: 'e1' }),
          variable({ component: 'EVSE', evseId: 1, variable: 'AvailabilityState', value: 'e1a' }),
          variable({ component: 'EVSEx', variable: 'Power', value: 'x' }),
          variable({ component: 'Connector', evseId: 1, connectorId: 1, variable: 'Power', value: 'c11' }),
          variable({ component: 'ChargingStation', variable: 'Power', value: 'cs' }),
          variable({ component: 'ChargingStation', variable: 'Power', attributeType: 'MaxSet', value: 'csmax' }),
          variable({ component: 'AuthCtrlr', variable: 'Enabled', value: 'a' }),
        ], at(1));
        await store.deviceModel.upsert('CS-2', [variable({ component: 'EVSE', evseId: 1, variable: 'Power', value: 'other' })], at(1));
        const values = async (query: Parameters<Store['deviceModel']['list']>[1]): Promise<(string | null)[]> =>
          (await store.deviceModel.list('CS-1', query)).map((record) => record.value);
        assert.deepEqual(await values({}), ['a', 'cs', 'csmax', 'c11', 'e1a', 'e1', 'e2', 'x']);
        assert.deepEqual(await values({ component: 'evse' }), ['e1a', 'e1', 'e2']);
        assert.deepEqual(await values({ variable: 'POWER' }), ['cs', 'csmax', 'c11', 'e1', 'e2', 'x']);
        assert.deepEqual(await values({ component: 'EVSE', variable: 'power' }), ['e1', 'e2']);
        assert.deepEqual(await values({ component: 'EVS' }), []);
        assert.deepEqual(await values({ variable: 'Power', limit: 2 }), ['cs', 'csmax']);
        assert.deepEqual(await values({ variable: 'Power', limit: 2, offset: 2 }), ['c11', 'e1']);
        assert.deepEqual(await values({ offset: 7 }), ['x']);
      });

      it('clear forgets the whole device model of one station only', async () => {
        await store.deviceModel.upsert('CS-1', [variable({ variable: 'A' }), variable({ variable: 'B' })], at(1));
        await store.deviceModel.upsert('CS-2', [variable({ variable: 'A' })], at(1));
        await store.deviceModel.clear('CS-1');
        assert.deepEqual(await store.deviceModel.list('CS-1', {}), []);
        assert.equal((await store.deviceModel.list('CS-2', {})).length, 1);
        await store.deviceModel.upsert('CS-1', [variable({ variable: 'C', value: 'new' })], at(2));
        assert.deepEqual((await store.deviceModel.list('CS-1', {})).map((record) => record.value), ['new']);
      });

      it('a report of 2,000 attributes is stored in one call, and its repeat updates them in place', async () => {
        const report = Array.from({ length: 2000 }, (_, index) =>
          variable({ component: `Component${String(index % 40).padStart(2, '0')}`, evseId: index % 3 === 0 ? null : index % 3,
            variable: `Variable${String(index).padStart(4, '0')}`, value: String(index), mutability: 'ReadWrite', dataType: 'integer' }));
        await store.deviceModel.upsert('CS-1', report, at(1));
        const stored = await store.deviceModel.list('CS-1', {});
        assert.equal(stored.length, 2000);
        assert.equal(stored[0]?.component, 'Component00');
        await store.deviceModel.upsert('CS-1', report.map((update) => ({ ...update, value: `${update.value}!`, mutability: null })), at(2));
        const updated = await store.deviceModel.list('CS-1', {});
        assert.equal(updated.length, 2000);
        assert.ok(updated.every((record) => record.value?.endsWith('!') && record.mutability === 'ReadWrite' && record.updatedAt === at(2)));
      });

      it('refuses a negative EVSE or connector id', async () => {
        await assert.rejects(store.deviceModel.upsert('CS-1', [variable({ evseId: -1 })], at(1)), RangeError);
        await assert.rejects(store.deviceModel.upsert('CS-1', [variable({ evseId: 1, connectorId: 1.5 })], at(1)), RangeError);
        assert.deepEqual(await store.deviceModel.list('CS-1', {}), []);
      });
    });

    describe('validation rules', () => {
      const rule = { id: 'r1', vendor: 'Acme', model: null, firmwarePrefix: null, mode: 'lenient' as const, description: null };

      it('put creates a rule; list returns them by id', async () => {
        const created = await store.validationRules.put(rule);
        assert.deepEqual({ ...created, createdAt: '', updatedAt: '' }, { ...rule, createdAt: '', updatedAt: '' });
        assert.ok(isIsoTime(created.createdAt));
        assert.equal(created.updatedAt, created.createdAt);
        const second = await store.validationRules.put({
          id: 'r0', vendor: 'Other', model: 'Fast', firmwarePrefix: '1.2.', mode: 'log-only', description: 'known quirks',
        });
        assert.deepEqual(await store.validationRules.list(), [second, created]);
      });

      it('put with an existing id replaces the rule and keeps its creation time', async () => {
        const created = await store.validationRules.put(rule);
        await sleep(3);
        const replaced = await store.validationRules.put({ ...rule, vendor: 'ACME', model: 'Slow', mode: 'strict', description: 'd' });
        assert.deepEqual(replaced, {
          ...rule, vendor: 'ACME', model: 'Slow', mode: 'strict', description: 'd', createdAt: created.createdAt,
          updatedAt: replaced.updatedAt,
        });
        assert.ok(replaced.updatedAt > created.updatedAt);
        assert.deepEqual(await store.validationRules.list(), [replaced]);
      });

      it('delete removes a rule and says whether it did', async () => {
        await store.validationRules.put(rule);
        await store.validationRules.put({ ...rule, id: 'r2' });
        assert.equal(await store.validationRules.delete('r1'), true);
        assert.equal(await store.validationRules.delete('r1'), false);
        assert.deepEqual((await store.validationRules.list()).map((entry) => entry.id), ['r2']);
      });

      it('refuses a mode that is not a validation mode', async () => {
        await assert.rejects(store.validationRules.put({ ...rule, mode: 'loose' as 'strict' }));
        assert.deepEqual(await store.validationRules.list(), []);
      });
    });

    describe('smart charging: sites, groups and EVSEs', () => {
      const site = (fields: Partial<SiteInput> = {}): SiteInput => ({
        id: 'S1', name: 'Depot', policy: 'equal-share', nominalVoltageV: 230, maxPowerW: 100_000, maxCurrentA: null,
        defaultEnergyWh: null, defaultDwellMinutes: null, slotSeconds: 900, horizonHours: 24, ...fields,
      });
      const group = (fields: Partial<SiteGroupInput> = {}): SiteGroupInput => ({
        siteId: 'S1', id: 'feeder-1', parentId: null, name: 'Feeder 1', maxPowerW: null, maxCurrentA: [63, 63, 50],
        nominalVoltageV: null, ...fields,
      });
      const member = (fields: Partial<SiteMemberInput> = {}): SiteMemberInput => ({
        siteId: 'S1', stationId: 'CS-1', evseId: 1, groupId: null, phases: 3, phase: null, phaseRotation: 'RST',
        maxCurrentA: 32, maxPowerW: null, minCurrentA: 6, rateUnit: 'A', offlineFallbackA: 10, priority: 0, ...fields,
      });
      const strip = <T extends { createdAt: string; updatedAt: string }>(record: T) => ({ ...record, createdAt: '', updatedAt: '' });

      it('put creates a site that get and list return; put again replaces it and keeps its creation time', async () => {
        const created = await store.sites.put(site({ maxCurrentA: 160, defaultEnergyWh: 20_000, defaultDwellMinutes: 480.5, horizonHours: 1.5 }));
        assert.deepEqual(strip(created), strip({ ...site({ maxCurrentA: 160, defaultEnergyWh: 20_000, defaultDwellMinutes: 480.5, horizonHours: 1.5 }), createdAt: '', updatedAt: '' }));
        assert.ok(isIsoTime(created.createdAt));
        assert.deepEqual(await store.sites.get('S1'), created);
        await sleep(3);
        const replaced = await store.sites.put(site({ name: 'Depot 2', policy: 'priority', maxPowerW: null, maxCurrentA: [100, 90, 80], slotSeconds: 2 }));
        assert.equal(replaced.createdAt, created.createdAt);
        assert.ok(replaced.updatedAt > created.updatedAt);
        assert.deepEqual(replaced.maxCurrentA, [100, 90, 80]);
        assert.equal(replaced.maxPowerW, null);
        assert.equal(replaced.slotSeconds, 2);
        const other = await store.sites.put(site({ id: 'S0' }));
        assert.deepEqual(await store.sites.list(), [other, replaced]);
        assert.equal(await store.sites.get('nope'), undefined);
      });

      it('refuses a policy that is not a sharing policy', async () => {
        await assert.rejects(store.sites.put(site({ policy: 'random' as 'priority' })));
        assert.deepEqual(await store.sites.list(), []);
      });

      it('groups form a tree within their site: a parent must be a group of the same site', async () => {
        await store.sites.put(site());
        await store.sites.put(site({ id: 'S2' }));
        const feeder = await store.sites.putGroup(group());
        assert.deepEqual(strip(feeder), strip({ ...group(), createdAt: '', updatedAt: '' }));
        const board = await store.sites.putGroup(group({ id: 'board-a', parentId: 'feeder-1', maxPowerW: 22_000, maxCurrentA: 32, nominalVoltageV: 220 }));
        assert.equal(board.parentId, 'feeder-1');
        assert.equal(board.maxCurrentA, 32);
        assert.deepEqual(await store.sites.groups('S1'), [board, feeder]);
        await assert.rejects(store.sites.putGroup(group({ id: 'orphan', parentId: 'missing' })));
        await assert.rejects(store.sites.putGroup(group({ siteId: 'S2', id: 'x', parentId: 'feeder-1' })));
        await assert.rejects(store.sites.putGroup(group({ siteId: 'no-site' })));
        assert.deepEqual(await store.sites.groups('S2'), []);
      });

      it('a group with child groups or EVSEs cannot be deleted; a leaf can', async () => {
        await store.sites.put(site());
        await store.sites.putGroup(group());
        await store.sites.putGroup(group({ id: 'board-a', parentId: 'feeder-1' }));
        await store.sites.putMember(member({ groupId: 'board-a' }));
        await assert.rejects(store.sites.deleteGroup('S1', 'feeder-1'));
        await assert.rejects(store.sites.deleteGroup('S1', 'board-a'));
        assert.equal(await store.sites.deleteMember('CS-1', 1), true);
        assert.equal(await store.sites.deleteMember('CS-1', 1), false);
        assert.equal(await store.sites.deleteGroup('S1', 'board-a'), true);
        assert.equal(await store.sites.deleteGroup('S1', 'board-a'), false);
        assert.deepEqual((await store.sites.groups('S1')).map((g) => g.id), ['feeder-1']);
      });

      it('an EVSE belongs to one site: putting it in another moves it; its group must be of its site', async () => {
        await store.sites.put(site());
        await store.sites.put(site({ id: 'S2' }));
        await store.sites.putGroup(group());
        const first = await store.sites.putMember(member({ groupId: 'feeder-1' }));
        assert.deepEqual(strip(first), strip({ ...member({ groupId: 'feeder-1' }), createdAt: '', updatedAt: '' }));
        const single = await store.sites.putMember(member({ evseId: 2, phases: 1, phase: 'L2', phaseRotation: null, rateUnit: 'W', maxPowerW: 7400, minCurrentA: null, offlineFallbackA: null, priority: 5 }));
        assert.deepEqual(await store.sites.members('S1'), [first, single]);
        assert.deepEqual(await store.sites.memberOf('CS-1', 2), single);
        assert.equal(await store.sites.memberOf('CS-1', 3), undefined);
        await assert.rejects(store.sites.putMember(member({ siteId: 'S2', groupId: 'feeder-1' })));
        const moved = await store.sites.putMember(member({ siteId: 'S2' }));
        assert.equal(moved.siteId, 'S2');
        assert.equal(moved.createdAt, first.createdAt);
        assert.deepEqual(await store.sites.members('S1'), [single]);
        assert.deepEqual(await store.sites.membersOfStation('CS-1'), [moved, single]);
        await assert.rejects(store.sites.putMember(member({ phases: 2 as 3 })));
        await assert.rejects(store.sites.putMember(member({ rateUnit: 'kW' as 'W' })));
      });

      it('deleting a site deletes its tree, EVSEs, tariff, prices, events and external load', async () => {
        await store.sites.put(site());
        await store.sites.put(site({ id: 'S2' }));
        await store.sites.putGroup(group());
        await store.sites.putGroup(group({ id: 'board-a', parentId: 'feeder-1' }));
        await store.sites.putMember(member({ groupId: 'board-a' }));
        await store.sites.putMember(member({ siteId: 'S2', stationId: 'CS-2' }));
        await store.siteSignals.putTariff({ siteId: 'S1', timeZone: 'UTC', defaultPricePerKWh: 0.3, periods: [] });
        await store.siteSignals.putPricePoints([{ siteId: 'S1', start: at(0), end: at(10), pricePerKWh: 0.1 }]);
        await store.siteSignals.putDemandResponseEvent({ id: 'dr-1', siteId: 'S1', groupId: null, maxPowerW: 50_000, maxCurrentA: null, from: at(0), to: at(10), label: null });
        await store.siteSignals.recordExternalLoad({ siteId: 'S1', groupId: null, powerW: 1000, currentA: null, at: at(1), receivedAt: at(1) });
        assert.equal(await store.sites.delete('S1'), true);
        assert.equal(await store.sites.delete('S1'), false);
        assert.deepEqual((await store.sites.list()).map((s) => s.id), ['S2']);
        assert.deepEqual(await store.sites.groups('S1'), []);
        assert.deepEqual(await store.sites.members('S1'), []);
        assert.equal(await store.sites.memberOf('CS-1', 1), undefined);
        assert.equal((await store.sites.members('S2')).length, 1);
        assert.equal(await store.siteSignals.tariff('S1'), undefined);
        assert.deepEqual(await store.siteSignals.pricePoints('S1', at(0), at(59)), []);
        assert.equal(await store.siteSignals.demandResponseEvent('dr-1'), undefined);
        assert.deepEqual(await store.siteSignals.latestExternalLoads('S1'), []);
      });
    });

    describe('smart charging: tariffs, prices, demand response, external load', () => {
      beforeEach(async () => {
        await store.sites.put({
          id: 'S1', name: 'Depot', policy: 'equal-share', nominalVoltageV: 230, maxPowerW: null, maxCurrentA: null,
          defaultEnergyWh: null, defaultDwellMinutes: null, slotSeconds: 900, horizonHours: 24,
        });
      });

      it('a time-of-use tariff is one per site: put, replace, delete', async () => {
        const periods = [{ from: '22:00', to: '06:00', pricePerKWh: 0.12 }, { from: '17:00', to: '20:00', pricePerKWh: 0.45, weekdays: [1, 2, 3, 4, 5] }];
        const tariff = await store.siteSignals.putTariff({ siteId: 'S1', timeZone: 'Europe/Berlin', defaultPricePerKWh: 0.3, periods });
        assert.deepEqual({ ...tariff, updatedAt: '' }, { siteId: 'S1', timeZone: 'Europe/Berlin', defaultPricePerKWh: 0.3, periods, updatedAt: '' });
        assert.deepEqual(await store.siteSignals.tariff('S1'), tariff);
        const replaced = await store.siteSignals.putTariff({ siteId: 'S1', timeZone: 'UTC', defaultPricePerKWh: 0.25, periods: [] });
        assert.deepEqual(await store.siteSignals.tariff('S1'), replaced);
        assert.equal(await store.siteSignals.deleteTariff('S1'), true);
        assert.equal(await store.siteSignals.deleteTariff('S1'), false);
        assert.equal(await store.siteSignals.tariff('S1'), undefined);
        await assert.rejects(store.siteSignals.putTariff({ siteId: 'nope', timeZone: 'UTC', defaultPricePerKWh: 0.25, periods: [] }));
      });

      it('price points: a point with a known start replaces it; ranges overlap-select; old ones can be pruned', async () => {
        await store.siteSignals.putPricePoints([
          { siteId: 'S1', start: at(0), end: at(10), pricePerKWh: 0.1 },
          { siteId: 'S1', start: at(10), end: at(20), pricePerKWh: 0.2 },
          { siteId: 'S1', start: at(20), end: at(30), pricePerKWh: 0.3 },
        ]);
        await store.siteSignals.putPricePoints([{ siteId: 'S1', start: at(10), end: at(20), pricePerKWh: 0.25 }]);
        await store.siteSignals.putPricePoints([]);
        assert.deepEqual(await store.siteSignals.pricePoints('S1', at(5), at(20)), [
          { siteId: 'S1', start: at(0), end: at(10), pricePerKWh: 0.1 },
          { siteId: 'S1', start: at(10), end: at(20), pricePerKWh: 0.25 },
        ]);
        assert.equal(await store.siteSignals.deletePricePoints('S1', at(20)), 2);
        assert.deepEqual((await store.siteSignals.pricePoints('S1', at(0), at(59))).map((p) => p.pricePerKWh), [0.3]);
        assert.equal(await store.siteSignals.deletePricePoints('S1'), 1);
        assert.deepEqual(await store.siteSignals.pricePoints('S1', at(0), at(59)), []);
      });

      it('demand-response events: put, replace by id, list those still to end, delete', async () => {
        const event = { id: 'dr-1', siteId: 'S1', groupId: null, maxPowerW: 40_000, maxCurrentA: null, from: at(10), to: at(20), label: 'grid operator' };
        const created = await store.siteSignals.putDemandResponseEvent(event);
        assert.deepEqual({ ...created, createdAt: '' }, { ...event, createdAt: '' });
        const second = await store.siteSignals.putDemandResponseEvent({ ...event, id: 'dr-0', groupId: 'feeder-1', maxPowerW: null, maxCurrentA: [16, 16, 16], from: at(30), to: at(40), label: null });
        assert.deepEqual(await store.siteSignals.demandResponseEvents('S1'), [created, second]);
        assert.deepEqual(await store.siteSignals.demandResponseEvents('S1', at(20)), [second]);
        const moved = await store.siteSignals.putDemandResponseEvent({ ...event, from: at(50), to: at(55) });
        assert.deepEqual(await store.siteSignals.demandResponseEvent('dr-1'), moved);
        assert.deepEqual((await store.siteSignals.demandResponseEvents('S1')).map((e) => e.id), ['dr-0', 'dr-1']);
        assert.equal(await store.siteSignals.deleteDemandResponseEvent('dr-1'), true);
        assert.equal(await store.siteSignals.deleteDemandResponseEvent('dr-1'), false);
        assert.equal(await store.siteSignals.demandResponseEvent('dr-1'), undefined);
      });

      it('external load keeps the newest reading per measuring point; a late older one changes nothing', async () => {
        const root = { siteId: 'S1', groupId: null, powerW: 12_000, currentA: null, at: at(10), receivedAt: at(10) };
        await store.siteSignals.recordExternalLoad(root);
        await store.siteSignals.recordExternalLoad({ ...root, groupId: 'feeder-1', powerW: null, currentA: [10, 12, 8] });
        await store.siteSignals.recordExternalLoad({ ...root, powerW: 9_000, at: at(5), receivedAt: at(11) });
        assert.deepEqual(await store.siteSignals.latestExternalLoads('S1'), [root, { ...root, groupId: 'feeder-1', powerW: null, currentA: [10, 12, 8] }]);
        const newer = { ...root, powerW: 15_000, at: at(20), receivedAt: at(20) };
        await store.siteSignals.recordExternalLoad(newer);
        assert.deepEqual((await store.siteSignals.latestExternalLoads('S1'))[0], newer);
      });
    });

    describe('smart charging: session needs, installed profiles, planner leases', () => {
      const need = { transactionId: '7', energyWh: 20_000, departure: at(50), source: 'api' as const, evMaxPowerW: null, evMaxCurrentA: null, evMinCurrentA: null };
      const noV2g = { evMaxDischargePowerW: null, evDischargeableWh: null, exportStartWh: null, lastExportWh: null };

      it('session needs: one per transaction, replaced by the latest, read in bulk', async () => {
        const created = await store.sessionNeeds.put(need);
        assert.deepEqual({ ...created, updatedAt: '' }, { ...need, ...noV2g, updatedAt: '' });
        assert.ok(isIsoTime(created.updatedAt));
        const replaced = await store.sessionNeeds.put({ ...need, energyWh: 15_500.5, source: 'station', evMaxPowerW: 11_000, evMaxCurrentA: 16, evMinCurrentA: 6 });
        assert.deepEqual(await store.sessionNeeds.get('7'), replaced);
        const other = await store.sessionNeeds.put({ ...need, transactionId: '8' });
        assert.deepEqual(await store.sessionNeeds.forTransactions(['8', '7', '9']), [replaced, other]);
        assert.deepEqual(await store.sessionNeeds.forTransactions([]), []);
        const many = Array.from({ length: 1200 }, (_, i) => String(1000 + i));
        assert.deepEqual(await store.sessionNeeds.forTransactions([...many, '7']), [replaced]);
        await assert.rejects(store.sessionNeeds.put({ ...need, source: 'guess' as 'api' }));
        assert.equal(await store.sessionNeeds.delete('7'), true);
        assert.equal(await store.sessionNeeds.delete('7'), false);
        assert.equal(await store.sessionNeeds.get('7'), undefined);
      });

      it('session needs (V2G): discharge consent kept, export register start and latest, kept when the need is replaced', async () => {
        assert.equal(await store.sessionNeeds.recordExport('7', 100), false, 'no need: nothing recorded');
        const v2g = await store.sessionNeeds.put({ ...need, evMaxDischargePowerW: 7_400, evDischargeableWh: 12_500.5 });
        assert.deepEqual([v2g.evMaxDischargePowerW, v2g.evDischargeableWh, v2g.exportStartWh, v2g.lastExportWh], [7_400, 12_500.5, null, null]);
        assert.equal(await store.sessionNeeds.recordExport('7', 1_000), true);
        assert.equal(await store.sessionNeeds.recordExport('7', 1_250.5), true);
        const read = await store.sessionNeeds.get('7');
        assert.deepEqual([read?.exportStartWh, read?.lastExportWh], [1_000, 1_250.5]);
        const replaced = await store.sessionNeeds.put({ ...need, energyWh: 9_000 });
        assert.deepEqual([replaced.evMaxDischargePowerW, replaced.evDischargeableWh, replaced.exportStartWh, replaced.lastExportWh], [null, null, 1_000, 1_250.5]);
        await store.sessionNeeds.delete('7');
      });

      it('installed profiles: by station and profile id, replaced by id, removed one by one or with their transaction', async () => {
        const profile = (id: number, purpose: string, fields: Partial<InstalledChargingProfileRecord> = {}): InstalledChargingProfileRecord => ({
          stationId: 'CS-1', evseId: 1, profileId: id, purpose, stackLevel: 1, transactionId: null,
          profile: { id, purpose, stackLevel: 1, kind: 'Absolute', schedules: [{ chargingRateUnit: 'A', periods: [{ startPeriod: 0, limit: 16.5 }] }] },
          status: 'Accepted', sentAt: at(1), ...fields,
        });
        const tx = profile(12, 'TxProfile', { transactionId: '42', stackLevel: 2 });
        const txDefault = profile(11, 'TxDefaultProfile');
        const station = profile(10, 'ChargingStationMaxProfile', { evseId: 0, status: 'Rejected' });
        for (const record of [tx, txDefault, station, profile(13, 'TxDefaultProfile', { stationId: 'CS-2' })]) await store.chargingProfiles.put(record);
        assert.deepEqual(await store.chargingProfiles.forStation('CS-1'), [station, txDefault, tx]);
        const resent = { ...txDefault, status: 'Rejected' as const, sentAt: at(5) };
        await store.chargingProfiles.put(resent);
        assert.deepEqual(await store.chargingProfiles.forStation('CS-1'), [station, resent, tx]);
        assert.equal(await store.chargingProfiles.removeForTransaction('CS-1', '41'), 0);
        assert.equal(await store.chargingProfiles.removeForTransaction('CS-1', '42'), 1);
        assert.equal(await store.chargingProfiles.remove('CS-1', 10), true);
        assert.equal(await store.chargingProfiles.remove('CS-1', 10), false);
        assert.deepEqual(await store.chargingProfiles.forStation('CS-1'), [resent]);
        assert.equal((await store.chargingProfiles.forStation('CS-2')).length, 1);
        await assert.rejects(store.chargingProfiles.put(profile(14, 'TxProfile', { status: 'Unknown' as 'Accepted' })));
      });

      it('a planner lease is held by one node until it expires, renewed by its holder, given up on release', async () => {
        assert.equal(await store.plannerLeases.acquire('S1', 'node-a', 1_000, 10_000), true);
        assert.equal(await store.plannerLeases.acquire('S1', 'node-b', 2_000, 10_000), false);
        assert.equal(await store.plannerLeases.acquire('S1', 'node-a', 9_000, 10_000), true, 'renewed');
        assert.equal(await store.plannerLeases.acquire('S1', 'node-b', 18_999, 10_000), false, 'renewal counts');
        assert.equal(await store.plannerLeases.acquire('S2', 'node-b', 2_000, 10_000), true, 'another site');
        assert.equal(await store.plannerLeases.acquire('S1', 'node-b', 19_000, 10_000), true, 'expired: taken over');
        assert.equal(await store.plannerLeases.acquire('S1', 'node-a', 20_000, 10_000), false);
        await store.plannerLeases.release('S1', 'node-a');
        assert.equal(await store.plannerLeases.acquire('S1', 'node-a', 20_000, 10_000), false, 'only the holder releases');
        await store.plannerLeases.release('S1', 'node-b');
        assert.equal(await store.plannerLeases.acquire('S1', 'node-a', 20_000, 10_000), true);
      });
    });

    accountsContract(() => store);

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

/** A device model attribute: Actual, without instance, EVSE, connector or characteristics unless given. */
function variable(fields: Partial<DeviceVariableUpdate>): DeviceVariableUpdate {
  return {
    component: 'ChargingStation',
    componentInstance: null,
    evseId: null,
    connectorId: null,
    variable: 'Available',
    variableInstance: null,
    attributeType: 'Actual',
    value: 'true',
    mutability: null,
    persistent: null,
    constant: null,
    unit: null,
    dataType: null,
    minLimit: null,
    maxLimit: null,
    valuesList: null,
    supportsMonitoring: null,
    ...fields,
  };
}

function identityOf(attribute: DeviceVariableUpdate | DeviceVariableRecord): string {
  return JSON.stringify([attribute.component, attribute.componentInstance, attribute.evseId, attribute.connectorId,
    attribute.variable, attribute.variableInstance, attribute.attributeType]);
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
