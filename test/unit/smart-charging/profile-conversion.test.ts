import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemaValidator } from '../../../src/ocpp/validation/schema-validator.ts';
import type { ChargingProfile } from '../../../src/domain/smart-charging/charging-profile.ts';
import { validateChargingProfile } from '../../../src/domain/smart-charging/profile-validation.ts';
import {
  fromOcpp16CsChargingProfiles,
  fromOcpp16SetChargingProfileRequest,
  rateUnitsFromOcpp16Config,
  toOcpp16CsChargingProfiles,
  toOcpp16SetChargingProfileRequest,
} from '../../../src/ocpp/v16/charging-profiles.ts';
import {
  fromOcpp201ChargingProfile,
  fromOcpp21ChargingProfile,
  fromOcpp2SetChargingProfileRequest,
  rateUnitsFromOcpp2Variable,
  toOcpp201ChargingProfile,
  toOcpp201SetChargingProfileRequest,
  toOcpp21SetChargingProfileRequest,
  type Ocpp2ChargingProfile,
} from '../../../src/ocpp/v201/charging-profiles.ts';

const validator = schemaValidator();

/** A daily TxDefaultProfile in W, the example of 1.6 §3.13.7 / 2.0.1 K §3.6. */
const dailyDefault: ChargingProfile = {
  id: 100,
  stackLevel: 0,
  purpose: 'TxDefaultProfile',
  kind: 'Recurring',
  recurrencyKind: 'Daily',
  validFrom: '2025-01-01T00:00:00Z',
  validTo: '2026-01-01T00:00:00Z',
  schedules: [
    {
      startSchedule: '2013-01-01T00:00:00Z',
      duration: 86400,
      chargingRateUnit: 'W',
      minChargingRate: 1400,
      periods: [
        { startPeriod: 0, limit: 11000, numberPhases: 3 },
        { startPeriod: 28800, limit: 6000, numberPhases: 3 },
        { startPeriod: 72000, limit: 11000, numberPhases: 3 },
      ],
    },
  ],
};

const txProfile: ChargingProfile = {
  id: 7,
  stackLevel: 2,
  purpose: 'TxProfile',
  kind: 'Relative',
  transactionId: '123456',
  schedules: [{ chargingRateUnit: 'A', duration: 7200, periods: [{ startPeriod: 0, limit: 16 }, { startPeriod: 900, limit: 10.5, numberPhases: 1 }] }],
};

const maxProfile: ChargingProfile = {
  id: 1,
  stackLevel: 0,
  purpose: 'ChargingStationMaxProfile',
  kind: 'Absolute',
  schedules: [{ startSchedule: '2025-01-01T00:00:00Z', chargingRateUnit: 'A', periods: [{ startPeriod: 0, limit: 63 }] }],
};

function ok<T>(result: { ok: true; value: T; dropped: string[] } | { ok: false; violations: unknown[] }): { value: T; dropped: string[] } {
  if (!result.ok) assert.fail(`conversion failed: ${JSON.stringify(result.violations)}`);
  return result;
}

describe('OCPP 1.6 edge: csChargingProfiles', () => {
  for (const [name, p, evseId] of [
    ['a Recurring TxDefaultProfile', dailyDefault, 0],
    ['a Relative TxProfile', txProfile, 1],
    ['a ChargePointMaxProfile', maxProfile, 0],
  ] as const) {
    it(`round trip of ${name} validates against SetChargingProfile.req and comes back unchanged`, () => {
      const { value: request, dropped } = ok(toOcpp16SetChargingProfileRequest(evseId, p));
      assert.deepEqual(dropped, []);
      assert.equal(validator.check('ocpp1.6', 'SetChargingProfile', 'request', request), undefined);
      assert.deepEqual(fromOcpp16SetChargingProfileRequest(request), { evseId, profile: p });
      // The schema check is real: the same request with a 2.x-only field fails it.
      const tampered = { ...request, csChargingProfiles: { ...request.csChargingProfiles, id: 1 } };
      assert.notEqual(validator.check('ocpp1.6', 'SetChargingProfile', 'request', tampered), undefined);
    });
  }

  it('1.6 names: ChargingStationMaxProfile is ChargePointMaxProfile, transactionId an integer, connectorId the EVSE', () => {
    const { value: request } = ok(toOcpp16SetChargingProfileRequest(0, maxProfile));
    assert.equal(request.connectorId, 0);
    assert.equal(request.csChargingProfiles.chargingProfilePurpose, 'ChargePointMaxProfile');
    assert.equal(request.csChargingProfiles.chargingProfileId, 1);
    const { value: tx } = ok(toOcpp16CsChargingProfiles(txProfile));
    assert.equal(tx.transactionId, 123456);
  });

  it('1.6 §5.16.2: a TxProfile without transactionId fits RemoteStartTransaction.req', () => {
    const { transactionId: _, ...withoutTx } = txProfile;
    const { value } = ok(toOcpp16CsChargingProfiles(withoutTx));
    assert.equal('transactionId' in value, false);
    const request = { idTag: 'TAG1', connectorId: 1, chargingProfile: value };
    assert.equal(validator.check('ocpp1.6', 'RemoteStartTransaction', 'request', request), undefined);
  });

  it('1.6 §7.14: limits get at most one decimal, rounded down (15.94 -> 15.9)', () => {
    const p: ChargingProfile = { ...maxProfile, schedules: [{ ...maxProfile.schedules[0]!, periods: [{ startPeriod: 0, limit: 15.94 }], minChargingRate: 6.06 }] };
    const { value: request } = ok(toOcpp16SetChargingProfileRequest(0, p));
    assert.equal(request.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0]?.limit, 15.9);
    assert.equal(request.csChargingProfiles.chargingSchedule.minChargingRate, 6.1);
    assert.equal(validator.check('ocpp1.6', 'SetChargingProfile', 'request', request), undefined);
  });

  it('what 1.6 cannot carry is refused, every reason at once', () => {
    const p: ChargingProfile = {
      id: 5,
      stackLevel: 0,
      purpose: 'PriorityCharging',
      kind: 'Dynamic',
      transactionId: 'a-uuid-of-a-2x-station',
      schedules: [
        { chargingRateUnit: 'A', periods: [{ startPeriod: 0, setpoint: 10 }, { startPeriod: 60, limit: 10, numberPhases: 1, phaseToUse: 2 }] },
        { chargingRateUnit: 'A', periods: [{ startPeriod: 0, limit: 10 }] },
      ],
    };
    const result = toOcpp16CsChargingProfiles(p);
    assert.equal(result.ok, false);
    const paths = result.ok ? [] : result.violations.map((v) => v.path).sort();
    assert.deepEqual(paths, ['/kind', '/purpose', '/schedules', '/schedules/0/periods/0/limit', '/schedules/0/periods/1/phaseToUse', '/transactionId']);
  });

  it('a 2.1 setpoint is left out (reported as dropped): the limit alone still bounds charging', () => {
    const p: ChargingProfile = { ...maxProfile, schedules: [{ ...maxProfile.schedules[0]!, periods: [{ startPeriod: 0, limit: 32, setpoint: 20 }] }] };
    const { value, dropped } = ok(toOcpp16CsChargingProfiles(p));
    assert.deepEqual(dropped, ['/schedules/0/periods/0/setpoint']);
    assert.deepEqual(value.chargingSchedule.chargingSchedulePeriod, [{ startPeriod: 0, limit: 32 }]);
  });

  it('reads a profile as a 1.6 station reports it', () => {
    const p = fromOcpp16CsChargingProfiles({
      chargingProfileId: 3,
      stackLevel: 1,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Absolute',
      transactionId: 42,
      chargingSchedule: { startSchedule: '2025-01-01T00:00:00Z', chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 8 }] },
    });
    assert.equal(p.transactionId, '42');
    assert.equal(p.purpose, 'TxProfile');
    assert.deepEqual(p.schedules[0]?.periods, [{ startPeriod: 0, limit: 8 }]);
  });

  it('[S16E] 3.88: ChargingScheduleAllowedChargingRateUnit "Current,Power" means A and W', () => {
    assert.deepEqual(rateUnitsFromOcpp16Config('Current,Power'), ['A', 'W']);
    assert.deepEqual(rateUnitsFromOcpp16Config(' Power '), ['W']);
    assert.deepEqual(rateUnitsFromOcpp16Config('Amps'), []);
  });
});

describe('OCPP 2.0.1 / 2.1 edge: chargingProfile', () => {
  for (const [name, p, evseId] of [
    ['a Recurring TxDefaultProfile', dailyDefault, 0],
    ['a Relative TxProfile', txProfile, 1],
    ['a ChargingStationMaxProfile', maxProfile, 0],
  ] as const) {
    it(`round trip of ${name} validates against 2.0.1 and 2.1 SetChargingProfileRequest`, () => {
      for (const [version, to] of [
        ['ocpp2.0.1', toOcpp201SetChargingProfileRequest],
        ['ocpp2.1', toOcpp21SetChargingProfileRequest],
      ] as const) {
        const { value: request, dropped } = ok(to(evseId, p));
        assert.deepEqual(dropped, []);
        assert.equal(validator.check(version, 'SetChargingProfile', 'request', request), undefined, version);
        const back = ok(fromOcpp2SetChargingProfileRequest(request)).value;
        // The wire needs a schedule id; a profile without one gets 1, 2, ... in order.
        const expected = { ...p, schedules: p.schedules.map((s, i) => ({ ...s, id: s.id ?? i + 1 })) };
        assert.deepEqual(back, { evseId, profile: expected });
      }
    });
  }

  it('a 1.6 profile goes through the neutral model into a valid 2.0.1 request (cross-version)', () => {
    const { value: wire16 } = ok(toOcpp16CsChargingProfiles(dailyDefault));
    const neutral = fromOcpp16CsChargingProfiles(wire16);
    const { value: request } = ok(toOcpp201SetChargingProfileRequest(0, neutral));
    assert.equal(validator.check('ocpp2.0.1', 'SetChargingProfile', 'request', request), undefined);
    assert.equal(request.chargingProfile.chargingProfilePurpose, 'TxDefaultProfile');
    assert.equal(request.chargingProfile.chargingSchedule[0]?.id, 1);
  });

  it('2.1 additions round trip: PriorityCharging, setpoint and dischargeLimit, numberPhases and phaseToUse', () => {
    const p: ChargingProfile = {
      id: 20,
      stackLevel: 0,
      purpose: 'PriorityCharging',
      kind: 'Relative',
      schedules: [{ id: 4, chargingRateUnit: 'W', periods: [{ startPeriod: 0, setpoint: 7000, dischargeLimit: -3000, numberPhases: 1, phaseToUse: 2 }] }],
    };
    const { value: request } = ok(toOcpp21SetChargingProfileRequest(1, p));
    assert.equal(validator.check('ocpp2.1', 'SetChargingProfile', 'request', request), undefined);
    assert.deepEqual(ok(fromOcpp2SetChargingProfileRequest(request)).value, { evseId: 1, profile: p });
  });

  it('2.0.1 refuses what it cannot carry (PriorityCharging, Dynamic, a period without limit) and drops setpoints', () => {
    const p: ChargingProfile = {
      id: 20,
      stackLevel: 0,
      purpose: 'LocalGeneration',
      kind: 'Dynamic',
      schedules: [{ chargingRateUnit: 'W', periods: [{ startPeriod: 0, setpoint: 7000 }] }],
    };
    const result = toOcpp201ChargingProfile(p);
    assert.equal(result.ok, false);
    assert.deepEqual(result.ok ? [] : result.violations.map((v) => v.path).sort(), ['/kind', '/purpose', '/schedules/0/periods/0/limit']);
    const withLimit = toOcpp201ChargingProfile({ ...maxProfile, schedules: [{ ...maxProfile.schedules[0]!, periods: [{ startPeriod: 0, limit: 20, setpoint: 10 }] }] });
    assert.deepEqual(ok(withLimit).dropped, ['/schedules/0/periods/0/setpoint']);
  });

  it('2.x wire limits: transactionId at most 36 characters, at most 3 schedules', () => {
    const tooLong = toOcpp201ChargingProfile({ ...txProfile, transactionId: 'x'.repeat(37) });
    assert.equal(tooLong.ok, false);
    const four = toOcpp201ChargingProfile({ ...maxProfile, schedules: [0, 1, 2, 3].map(() => maxProfile.schedules[0]!) });
    assert.equal(four.ok, false);
  });

  it('reading a 2.1 profile reports the fields Joule does not model instead of losing them silently', () => {
    const wire: Ocpp2ChargingProfile = {
      id: 30,
      stackLevel: 1,
      chargingProfilePurpose: 'TxDefaultProfile',
      chargingProfileKind: 'Recurring',
      recurrencyKind: 'Daily',
      maxOfflineDuration: 600,
      chargingSchedule: [
        {
          id: 1,
          startSchedule: '2025-01-01T00:00:00Z',
          chargingRateUnit: 'A',
          randomizedDelay: 600,
          chargingSchedulePeriod: [{ startPeriod: 0, limit: 16, operationMode: 'ChargingOnly' }],
        },
      ],
    };
    assert.equal(validator.check('ocpp2.1', 'SetChargingProfile', 'request', { evseId: 0, chargingProfile: wire }), undefined);
    const { value, dropped } = ok(fromOcpp21ChargingProfile(wire));
    assert.deepEqual(dropped, ['/maxOfflineDuration', '/chargingSchedule/0/randomizedDelay']);
    assert.deepEqual(value.schedules[0]?.periods, [{ startPeriod: 0, limit: 16, operationMode: 'ChargingOnly' }], 'operationMode is modelled (V2G)');
    assert.equal(ok(fromOcpp201ChargingProfile({ ...wire, maxOfflineDuration: undefined })).value.recurrencyKind, 'Daily');
  });

  it('SmartChargingCtrlr.RateUnit "A,W" means A and W', () => {
    assert.deepEqual(rateUnitsFromOcpp2Variable('A,W'), ['A', 'W']);
    assert.deepEqual(rateUnitsFromOcpp2Variable('W'), ['W']);
  });
});

describe('V2G at the edges: discharge only where the protocol carries it', () => {
  const v2g: ChargingProfile = {
    id: 9_500_001, stackLevel: 1, purpose: 'TxProfile', kind: 'Absolute', transactionId: 'tx-1',
    schedules: [{
      startSchedule: '2026-03-02T10:00:00Z', chargingRateUnit: 'A',
      periods: [
        { startPeriod: 0, limit: 16, numberPhases: 3 },
        { startPeriod: 900, limit: 0, numberPhases: 3, operationMode: 'CentralSetpoint', setpoint: -10, dischargeLimit: -10 },
        { startPeriod: 1800, limit: 16, numberPhases: 3 },
      ],
    }],
  };

  it('2.1: SetChargingProfile carries operationMode CentralSetpoint, the negative setpoint and dischargeLimit (schema-valid), and reads back the same', () => {
    const { value: wire, dropped } = ok(toOcpp21SetChargingProfileRequest(1, v2g));
    assert.deepEqual(dropped, []);
    assert.deepEqual(wire.chargingProfile.chargingSchedule[0]?.chargingSchedulePeriod[1], { startPeriod: 900, limit: 0, numberPhases: 3, operationMode: 'CentralSetpoint', setpoint: -10, dischargeLimit: -10 });
    assert.equal(validator.check('ocpp2.1', 'SetChargingProfile', 'request', wire), undefined);
    assert.deepEqual(ok(fromOcpp21ChargingProfile(wire.chargingProfile)).value.schedules, v2g.schedules.map((s) => ({ ...s, id: 1 })));
  });

  it('2.0.1 and 1.6 refuse a discharging period instead of sending it as a plain limit', () => {
    const r201 = toOcpp201SetChargingProfileRequest(1, v2g);
    assert.equal(r201.ok, false);
    assert.match(JSON.stringify(!r201.ok && r201.violations), /cannot discharge/);
    const r16 = toOcpp16SetChargingProfileRequest(1, { ...v2g, transactionId: '7' });
    assert.equal(r16.ok, false);
    assert.match(JSON.stringify(!r16.ok && r16.violations), /cannot discharge/);
    // A charging-only operation mode is simply not sent.
    const charging: ChargingProfile = { ...v2g, schedules: [{ ...v2g.schedules[0]!, periods: [{ startPeriod: 0, limit: 16, operationMode: 'ChargingOnly' }] }] };
    assert.deepEqual(ok(toOcpp201SetChargingProfileRequest(1, charging)).value.chargingProfile.chargingSchedule[0]?.chargingSchedulePeriod, [{ startPeriod: 0, limit: 16 }]);
  });

  it('validation: a discharge needs an edge that declares it; a setpoint beyond its dischargeLimit is refused', () => {
    const base = { evseId: 1, profile: v2g, transactions: [{ evseId: 1, transactionId: 'tx-1' }] };
    assert.deepEqual(validateChargingProfile({ ...base, capabilities: { discharge: true } }), []);
    const refused = validateChargingProfile({ ...base, capabilities: {} });
    assert.deepEqual(refused.map((v) => v.path), ['/schedules/0/periods/1', '/schedules/0/periods/1/operationMode']);
    const beyond: ChargingProfile = { ...v2g, schedules: [{ ...v2g.schedules[0]!, periods: [{ startPeriod: 0, limit: 0, setpoint: -12, dischargeLimit: -10, operationMode: 'CentralSetpoint' }] }] };
    assert.deepEqual(validateChargingProfile({ ...base, profile: beyond, capabilities: { discharge: true } }).map((v) => v.path), ['/schedules/0/periods/0/setpoint']);
  });
});
