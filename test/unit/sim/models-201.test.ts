import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Payload } from '../../../src/ocpp/rpc/frames.ts';
import { RpcError } from '../../../src/ocpp/rpc/error-codes.ts';
import { CallFailure } from '../../../src/sim/station-connection.ts';
import { Timers } from '../../../src/sim/timers.ts';
import { ChargingProfileBook, type ProfileLimits } from '../../../src/sim/v201/charging-profile-book.ts';
import { DeviceModel, validValue } from '../../../src/sim/v201/device-model.ts';
import { meterValue201 } from '../../../src/sim/v201/meter-values.ts';
import { STANDARD_VARIABLES, type DeviceModelSource } from '../../../src/sim/v201/standard-variables.ts';
import { TransactionEventQueue } from '../../../src/sim/v201/transaction-event-queue.ts';
import type { ChargingProfile201 } from '../../../src/sim/v201/types.ts';
import { delay } from './helpers.ts';

function source(overrides: Partial<DeviceModelSource> = {}): DeviceModelSource {
  return {
    id: 'CS-1',
    vendor: 'Joule',
    model: 'Sim201',
    serialNumber: 'SN',
    evseCount: 2,
    evseMaxPowerW: 22_000,
    securityProfile: 0,
    callTimeoutS: 30,
    stationAvailability: () => 'Available',
    evseStatus: () => 'Available',
    evseFaulted: () => false,
    evsePowerW: (evseId) => evseId * 1000,
    localListSize: () => 0,
    installedProfiles: () => 0,
    displayMessageCount: () => 0,
    certificateCount: () => 0,
    ...overrides,
  };
}

describe('TransactionEventQueue (E13: offline queue, retries)', () => {
  function queue(send: (payload: Payload) => Promise<Payload>, online: { value: boolean }, attempts = 3) {
    const timers = new Timers();
    const answered: Payload[] = [];
    let lost = 0;
    const q = new TransactionEventQueue({
      send,
      canSend: () => online.value,
      answered: (request) => answered.push(request),
      attempts: () => attempts,
      retryIntervalMs: () => 10,
      registrationLost: () => lost++,
      timers,
    });
    return { q, answered, timers, lost: () => lost };
  }

  it('sends one message at a time, in order; while offline they wait and go out in order on resume', async () => {
    const online = { value: false };
    const sent: number[] = [];
    const { q, answered } = queue(async (p) => {
      sent.push(Number(p.seqNo));
      await delay(2);
      return {};
    }, online);
    const waits = [q.enqueue({ seqNo: 0 }, 'tx-1'), q.enqueue({ seqNo: 1 }, 'tx-1'), q.enqueue({ seqNo: 0 }, 'tx-2')];
    await Promise.all(waits); // offline: the callers are not kept waiting
    assert.deepEqual(sent, []);
    assert.equal(q.length, 3);
    assert.ok(q.holds('tx-2') && !q.holds('tx-3'));
    online.value = true;
    q.resume();
    await q.idle();
    assert.deepEqual(answered.map((p) => p.seqNo), [0, 1, 0]);
    assert.equal(q.length, 0);
  });

  it('retries a refused message MessageAttempts times, then drops it; a lost connection is no attempt; SecurityError reports the lost registration', async () => {
    const online = { value: true };
    let calls = 0;
    const failures: Error[] = [new CallFailure('disconnected', 'gone'), new RpcError('InternalError', 'no'), new RpcError('InternalError', 'no'), new RpcError('InternalError', 'no')];
    const { q, answered } = queue(async () => {
      calls++;
      const failure = failures.shift();
      if (failure) throw failure;
      return {};
    }, online);
    void q.enqueue({ seqNo: 0 }, 'tx');
    void q.enqueue({ seqNo: 1 }, 'tx');
    await delay(5);
    assert.equal(calls, 1, 'disconnected: waits for the reconnect');
    q.resume();
    const deadline = Date.now() + 1000;
    while (q.length > 0 && Date.now() < deadline) await delay(5);
    assert.equal(calls, 5, '1 undelivered + 3 refused attempts of seqNo 0, then seqNo 1');
    assert.deepEqual(answered.map((p) => p.seqNo), [1], 'seqNo 0 was dropped after 3 attempts');

    const security = queue(async () => {
      throw new RpcError('SecurityError', 'boot first');
    }, online);
    void security.q.enqueue({ seqNo: 0 }, 'tx');
    await delay(5);
    assert.equal(security.lost(), 1);
    assert.equal(security.q.length, 1, 'kept for after the next boot');
    security.q.clear();
    security.timers.clear();
  });
});

describe('DeviceModel', () => {
  it('names only standard components and variables, each once', () => {
    const keys = STANDARD_VARIABLES.map((d) => `${d.component}.${d.variable}[${d.variableInstance ?? ''}]`);
    assert.equal(new Set(keys).size, keys.length);
    for (const required of ['OCPPCommCtrlr.HeartbeatInterval[]', 'SampledDataCtrlr.TxUpdatedInterval[]', 'AuthCtrlr.AuthorizeRemoteStart[]', 'SmartChargingCtrlr.RateUnit[]', 'SecurityCtrlr.BasicAuthPassword[]', 'DeviceDataCtrlr.ItemsPerMessage[GetVariables]', 'EVSE.AvailabilityState[]', 'Connector.AvailabilityState[]']) {
      assert.ok(keys.includes(required), required);
    }
  });

  it('validates values by data type, limits and lists', () => {
    const def = (variable: string) => {
      const found = STANDARD_VARIABLES.find((d) => d.variable === variable);
      assert.ok(found, variable);
      return found;
    };
    assert.equal(validValue(def('HeartbeatInterval'), '60'), true);
    assert.equal(validValue(def('HeartbeatInterval'), '-1'), false);
    assert.equal(validValue(def('HeartbeatInterval'), '1.5'), false);
    assert.equal(validValue(def('AuthorizeRemoteStart'), 'TRUE'), true);
    assert.equal(validValue(def('AuthorizeRemoteStart'), 'yes'), false);
    assert.equal(validValue(def('RateUnit'), 'W'), true);
    assert.equal(validValue(def('RateUnit'), 'A,A'), false, 'a member once');
    assert.equal(validValue(def('TxUpdatedMeasurands'), 'Energy.Active.Import.Register,SoC'), true);
    assert.equal(validValue(def('TxUpdatedMeasurands'), 'Temperature'), false, 'not a 2.0.1 measurand');
    assert.equal(validValue(def('BasicAuthPassword'), 'x'.repeat(15)), false);
    assert.equal(validValue(def('BasicAuthPassword'), 'x'.repeat(16)), true);
    assert.equal(validValue(def('LimitChangeSignificance'), '12.5'), true);
  });

  it('stores only what differs from the defaults, reads live values, refuses unknown start values', () => {
    const changes: string[] = [];
    const model = new DeviceModel(source(), { 'OCPPCommCtrlr.MessageAttempts[TransactionEvent]': '5' });
    model.onChange = (located, value) => changes.push(`${located.def.variable}=${value}`);
    assert.equal(model.int('OCPPCommCtrlr.MessageAttempts[TransactionEvent]'), 5);
    assert.equal(model.write({ name: 'OCPPCommCtrlr' }, { name: 'HeartbeatInterval' }, '300'), 'Accepted');
    assert.deepEqual(changes, [], 'the default again: no change');
    assert.equal(model.write({ name: 'OCPPCommCtrlr' }, { name: 'HeartbeatInterval' }, '10'), 'Accepted');
    assert.deepEqual(changes, ['HeartbeatInterval=10']);
    assert.deepEqual(model.read({ name: 'EVSE', evse: { id: 2 } }, { name: 'Power' }), { status: 'Accepted', value: '2000.0' });
    assert.equal(model.read({ name: 'EVSE' }, { name: 'Power' }).status, 'UnknownComponent', 'EVSE needs its id');
    assert.equal(model.read({ name: 'Connector', evse: { id: 1, connectorId: 2 } }, { name: 'ConnectorType' }).status, 'UnknownComponent');
    assert.equal(model.write({ name: 'ChargingStation' }, { name: 'Model' }, 'X'), 'Rejected', 'read-only');
    assert.throws(() => new DeviceModel(source(), { 'OCPPCommCtrlr.Nonsense': '1' }), /cannot set OCPPCommCtrlr.Nonsense/);
    assert.throws(() => new DeviceModel(source(), { 'OCPPCommCtrlr.HeartbeatInterval': 'often' }), /cannot set/);
  });
});

describe('2.0.1 meter values', () => {
  it('samples the same physics as 1.6 with numeric values and unitOfMeasure, skipping Temperature', () => {
    const reading = { energyWh: 1234.4, powerW: 6900, offeredW: 11_000, voltageV: 230, phases: 3, socPercent: 55.6 };
    const value = meterValue201('Energy.Active.Import.Register,Temperature,Current.Import,SoC', reading, 'Sample.Periodic', Date.parse('2025-01-01T00:00:00Z'));
    assert.equal(value?.timestamp, '2025-01-01T00:00:00.000Z');
    assert.deepEqual(value?.sampledValue.map((s) => [s.measurand, s.value, s.phase, s.unitOfMeasure?.unit]), [
      ['Energy.Active.Import.Register', 1234, undefined, 'Wh'],
      ['Current.Import', 10, 'L1', 'A'],
      ['Current.Import', 10, 'L2', 'A'],
      ['Current.Import', 10, 'L3', 'A'],
      ['SoC', 55, undefined, 'Percent'],
    ]);
    assert.equal(meterValue201('Temperature', reading, 'Trigger', 0), undefined, 'nothing to send: no meterValue');
  });
});

describe('ChargingProfileBook (K01 checks)', () => {
  const limits: ProfileLimits = {
    evseCount: 2,
    maxStackLevel: 10,
    maxPeriods: 24,
    maxEntries: 3,
    rateUnits: ['A', 'W'],
    transactionOn: (evseId) => (evseId === 1 ? 'tx-1' : undefined),
  };
  const profile = (overrides: Partial<ChargingProfile201>): ChargingProfile201 => ({
    id: 1,
    stackLevel: 0,
    chargingProfilePurpose: 'TxDefaultProfile',
    chargingProfileKind: 'Relative',
    chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }],
    ...overrides,
  });

  it('refuses what a station must not accept, with a reason', () => {
    const book = new ChargingProfileBook();
    const absolute = { chargingProfileKind: 'Absolute' as const, chargingSchedule: [{ id: 1, chargingRateUnit: 'A' as const, chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }] };
    assert.equal(book.problem(3, profile({}), limits), 'UnknownEVSE');
    assert.equal(book.problem(0, profile(absolute), limits), 'InvalidSchedule', 'Absolute needs startSchedule (K01.FR.40)');
    assert.equal(book.problem(0, profile({ chargingProfilePurpose: 'ChargingStationMaxProfile' }), limits), 'InvalidProfile', 'no Relative station maximum (K01.FR.38)');
    assert.equal(book.problem(1, profile({ chargingProfilePurpose: 'TxProfile', transactionId: 'tx-2' }), limits), 'TxNotFound');
    assert.equal(book.problem(2, profile({ chargingProfilePurpose: 'TxProfile', transactionId: 'tx-1' }), limits), 'TxNotFound');
    assert.equal(book.problem(1, profile({ chargingProfilePurpose: 'TxProfile', transactionId: 'tx-1' }), limits), undefined);
    assert.equal(book.problem(0, profile({ chargingProfilePurpose: 'ChargingStationExternalConstraints' }), limits), 'InvalidProfile');
    assert.equal(book.problem(0, profile({ stackLevel: 11 }), limits), 'InvalidStackLevel');
    assert.equal(book.problem(0, profile({ chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 10, limit: 16 }] }] }), limits), 'InvalidSchedule');
    assert.equal(book.problem(0, profile({}), { ...limits, rateUnits: ['W'] }), 'UnsupportedRateUnit');
    book.install(0, profile({}), 0);
    assert.equal(book.problem(1, profile({ id: 2 }), limits), 'DuplicateProfile', 'EVSE 0 and EVSE 1 TxDefault at the same stack level (K01.FR.52)');
    assert.equal(book.problem(0, profile({ stackLevel: 3 }), limits), undefined, 'the same id replaces (K01.FR.05)');
    book.install(1, profile({ id: 2, stackLevel: 1 }), 0);
    book.install(2, profile({ id: 3, stackLevel: 2 }), 0);
    assert.equal(book.problem(2, profile({ id: 4, stackLevel: 4 }), limits), 'NoCapacity');
    assert.equal(book.clear({ evseId: 1 }), 1);
    assert.deepEqual(book.find({ purpose: 'TxDefaultProfile' }).map((p) => p.profile.id).sort(), [1, 3]);
    assert.deepEqual(book.find({ sources: ['EMS'] }), [], 'everything here was set by the CSMS (CSO)');
  });

  it('limits with the shared 1.6 math: the station maximum caps the TxDefault limit', () => {
    const book = new ChargingProfileBook();
    const supply = { voltageV: 230, phases: 3 };
    book.install(0, profile({ chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }] }), 0);
    assert.deepEqual(book.limitsAt(1, 1000, 0, supply), { txW: 11_040 });
    book.install(0, profile({ id: 9, chargingProfilePurpose: 'ChargingStationMaxProfile', chargingProfileKind: 'Absolute', chargingSchedule: [{ id: 2, startSchedule: '1970-01-01T00:00:00Z', chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 7000 }] }] }), 0);
    assert.deepEqual(book.composite(1, 1000, 60, 'W', undefined, 22_000, supply), [{ startPeriod: 0, limit: 7000 }]);
  });
});
