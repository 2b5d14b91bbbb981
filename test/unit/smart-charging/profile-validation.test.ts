import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChargingProfile, ChargingSchedulePeriod, EvseChargingProfile } from '../../../src/domain/smart-charging/charging-profile.ts';
import {
  validateChargingProfile,
  type ProfileValidationInput,
  type SmartChargingCapabilities,
} from '../../../src/domain/smart-charging/profile-validation.ts';
import { on, profile } from './profile-fixtures.ts';

const station: SmartChargingCapabilities = {
  maxStackLevel: 8,
  maxPeriodsPerSchedule: 24,
  maxProfilesInstalled: 10,
  rateUnits: ['A', 'W'],
  evseIds: [1, 2],
  acPhaseSwitchingSupported: true,
};

const txDefault = profile({ id: 1, purpose: 'TxDefaultProfile', periods: [[0, 32], [3600, 16]] });

function violations(input: Partial<ProfileValidationInput> & { profile: ChargingProfile }) {
  return validateChargingProfile({ evseId: 1, capabilities: station, ...input });
}

/** The rules broken, e.g. ['K01.FR.31'], for compact assertions. */
function rules(input: Partial<ProfileValidationInput> & { profile: ChargingProfile }): string[] {
  return violations(input).map((v) => v.rule);
}

function withPeriods(periods: ChargingSchedulePeriod[], base: ChargingProfile = txDefault): ChargingProfile {
  return { ...base, schedules: [{ ...base.schedules[0]!, periods }] };
}

describe('profile validation (reference §5.8)', () => {
  it('a valid TxDefaultProfile, ChargingStationMaxProfile and TxProfile pass', () => {
    assert.deepEqual(violations({ profile: txDefault }), []);
    assert.deepEqual(violations({ evseId: 0, profile: profile({ id: 2, purpose: 'ChargingStationMaxProfile' }) }), []);
    const tx = profile({ id: 3, purpose: 'TxProfile', kind: 'Relative', extra: { transactionId: '55' } });
    assert.deepEqual(violations({ profile: tx, transactions: [{ evseId: 1, transactionId: '55' }] }), []);
  });

  it('returns every violation with a path and a message, not just the first', () => {
    const bad: ChargingProfile = {
      ...withPeriods([{ startPeriod: 10, limit: -1 }, { startPeriod: 5, limit: 8 }]),
      stackLevel: 99,
      validFrom: '2025-02-01T00:00:00Z',
      validTo: '2025-01-01T00:00:00Z',
    };
    const found = violations({ profile: bad });
    assert.deepEqual(
      found.map((v) => v.path),
      ['/stackLevel', '/validTo', '/schedules/0/periods/0/startPeriod', '/schedules/0/periods/0/limit', '/schedules/0/periods/1/startPeriod'],
    );
    for (const v of found) assert.ok(v.message.length > 10, v.message);
  });

  it('never throws on garbage', () => {
    const garbage = { id: 'x', schedules: [null, { periods: 'none' }] } as unknown as ChargingProfile;
    const found = validateChargingProfile({ evseId: -1, profile: garbage });
    assert.ok(found.length >= 5);
    assert.deepEqual(validateChargingProfile({ evseId: 0, profile: null as unknown as ChargingProfile }).map((v) => v.path), ['']);
  });
});

describe('profile validation: purpose and EVSE', () => {
  it('1.6 §3.13.1 / 2.0.1 K §3.2: ChargingStationMaxProfile only on EVSE 0', () => {
    assert.deepEqual(rules({ evseId: 1, profile: profile({ id: 2, purpose: 'ChargingStationMaxProfile' }) }), ['1.6 §3.13.1 / 2.0.1 K §3.2']);
  });

  it('K01.FR.38: ChargingStationMaxProfile is not Relative', () => {
    assert.deepEqual(rules({ evseId: 0, profile: profile({ id: 2, purpose: 'ChargingStationMaxProfile', kind: 'Relative' }) }), ['K01.FR.38']);
  });

  it('K01.FR.16 / 1.6 §3.13.1: TxProfile only on an EVSE > 0', () => {
    const tx = profile({ id: 3, purpose: 'TxProfile', kind: 'Relative', extra: { transactionId: '55' } });
    assert.ok(rules({ evseId: 0, profile: tx, transactions: [{ evseId: 1, transactionId: '55' }] }).includes('K01.FR.16 / 1.6 §3.13.1'));
  });

  it('K01.FR.22: the CSMS never sets ChargingStationExternalConstraints', () => {
    assert.deepEqual(rules({ evseId: 0, profile: profile({ id: 2, purpose: 'ChargingStationExternalConstraints' }) }), ['K01.FR.22']);
  });

  it('K01.FR.28: an EVSE the station does not have', () => {
    assert.deepEqual(rules({ evseId: 3, profile: txDefault }), ['K01.FR.28']);
  });

  it('K01.FR.120 / K01.FR.121: purposes and kinds the station does not take', () => {
    const capabilities = { ...station, purposes: ['ChargingStationMaxProfile', 'TxDefaultProfile', 'TxProfile'] as const, kinds: ['Absolute', 'Recurring', 'Relative'] as const };
    const p = { ...profile({ id: 4, purpose: 'LocalGeneration', kind: 'Dynamic' }), schedules: [{ chargingRateUnit: 'W' as const, periods: [{ startPeriod: 0, limit: 1000 }] }] };
    assert.deepEqual(rules({ profile: p, capabilities }).sort(), ['K01.FR.120', 'K01.FR.121']);
  });

  it('K01.FR.70: a PriorityCharging schedule has no duration', () => {
    const p = profile({ id: 4, purpose: 'PriorityCharging', kind: 'Relative', duration: 3600 });
    assert.deepEqual(rules({ profile: p }), ['K01.FR.70']);
  });

  it('K01.FR.80: ids at or below MaxExternalConstraintsId are the station\'s', () => {
    assert.deepEqual(rules({ profile: txDefault, capabilities: { ...station, maxExternalConstraintsId: 1 } }), ['K01.FR.80']);
  });
});

describe('profile validation: transactions', () => {
  const tx = profile({ id: 3, purpose: 'TxProfile', kind: 'Relative', extra: { transactionId: '55' } });

  it('K01.FR.09 / 1.6 §3.13.1: a TxProfile needs an active transaction on its EVSE', () => {
    assert.deepEqual(rules({ profile: tx, transactions: [] }), ['K01.FR.09 / 1.6 §3.13.1']);
    assert.deepEqual(rules({ profile: tx, transactions: [{ evseId: 2, transactionId: '55' }] }), ['K01.FR.09 / 1.6 §3.13.1']);
  });

  it('K01.FR.03: a TxProfile names its transaction', () => {
    const { transactionId: _, ...anonymous } = tx;
    assert.deepEqual(rules({ profile: anonymous, transactions: [{ evseId: 1, transactionId: '55' }] }), ['K01.FR.03']);
  });

  it('K01.FR.33: the transactionId must be the one running on the EVSE', () => {
    assert.deepEqual(rules({ profile: tx, transactions: [{ evseId: 1, transactionId: '56' }] }), ['K01.FR.33']);
  });

  it('1.6 §7.8: transactionId only with a TxProfile', () => {
    assert.deepEqual(rules({ profile: { ...txDefault, transactionId: '55' } }), ['1.6 §7.8 / 2.0.1 ChargingProfileType']);
  });

  it('1.6 §5.16.2 / K05.FR.02, [S16E] 3.41 / F01.FR.11: a remote-start profile is a TxProfile without transactionId', () => {
    const { transactionId: _, ...anonymous } = tx;
    assert.deepEqual(rules({ profile: anonymous, context: 'remoteStart' }), []);
    assert.deepEqual(rules({ profile: tx, context: 'remoteStart' }), ['[S16E] 3.41 / F01.FR.11']);
    assert.deepEqual(rules({ profile: txDefault, context: 'remoteStart' }), ['1.6 §5.16.2 / K05.FR.02']);
  });
});

describe('profile validation: kind, recurrency and validity', () => {
  it('K01.FR.36/37: validFrom before validTo', () => {
    assert.deepEqual(rules({ profile: { ...txDefault, validFrom: '2025-01-01T00:00:00Z', validTo: '2025-01-01T00:00:00Z' } }), ['K01.FR.36/37']);
  });

  it('times are ISO 8601 with a zone', () => {
    assert.deepEqual(rules({ profile: { ...txDefault, validFrom: 'tomorrow' } }), ['ISO 8601']);
    assert.deepEqual(violations({ profile: { ...txDefault, validTo: '2025-01-01T00:00:00' } }).map((v) => v.path), ['/validTo']);
  });

  it('K01.FR.41: a Relative profile has no startSchedule', () => {
    const p = profile({ id: 5, kind: 'Relative', startSchedule: '2025-01-01T00:00:00Z' });
    assert.deepEqual(rules({ profile: p }), ['K01.FR.41']);
  });

  it('K01.FR.40: Absolute and Recurring profiles need a startSchedule', () => {
    const absolute = { ...txDefault, schedules: [{ chargingRateUnit: 'A' as const, periods: [{ startPeriod: 0, limit: 10 }] }] };
    assert.deepEqual(rules({ profile: absolute }), ['K01.FR.40']);
  });

  it('Recurring needs a recurrencyKind (2.0.1 K §3.3), and recurrencyKind is only for Recurring ([S16E] 3.56)', () => {
    assert.deepEqual(rules({ profile: profile({ id: 5, kind: 'Recurring' }) }), ['1.6 §7.8 / 2.0.1 K §3.3']);
    assert.deepEqual(rules({ profile: { ...txDefault, recurrencyKind: 'Daily' } }), ['[S16E] 3.56']);
    assert.deepEqual(rules({ profile: profile({ id: 5, kind: 'Recurring', extra: { recurrencyKind: 'Weekly' } }) }), []);
  });

  it('2.1 K §3.3: a Dynamic profile has exactly one period', () => {
    assert.deepEqual(rules({ profile: { ...txDefault, kind: 'Dynamic' } }), ['2.1 K §3.3']);
  });

  it('K01.FR.34: more than one schedule only for ISO 15118', () => {
    const two = { ...txDefault, schedules: [txDefault.schedules[0]!, txDefault.schedules[0]!] };
    assert.deepEqual(rules({ profile: two }), ['K01.FR.34']);
    assert.deepEqual(rules({ profile: two, iso15118: true }), []);
  });
});

describe('profile validation: schedule and periods', () => {
  it('K01.FR.31 / [S16E] 3.45: the first period starts at 0', () => {
    assert.deepEqual(rules({ profile: withPeriods([{ startPeriod: 60, limit: 10 }]) }), ['K01.FR.31 / [S16E] 3.45']);
  });

  it('K01.FR.35: periods strictly increasing', () => {
    const p = withPeriods([{ startPeriod: 0, limit: 10 }, { startPeriod: 600, limit: 8 }, { startPeriod: 600, limit: 6 }]);
    assert.deepEqual(violations({ profile: p }).map((v) => [v.rule, v.path]), [['K01.FR.35', '/schedules/0/periods/2/startPeriod']]);
  });

  it('limit >= 0', () => {
    assert.deepEqual(rules({ profile: withPeriods([{ startPeriod: 0, limit: -0.5 }]) }), ['1.6 §7.14 / 2.x ChargingSchedulePeriodType']);
  });

  it('a period needs a limit unless it has a 2.1 setpoint', () => {
    assert.deepEqual(rules({ profile: withPeriods([{ startPeriod: 0 }]) }), ['schema']);
    assert.deepEqual(rules({ profile: withPeriods([{ startPeriod: 0, setpoint: 10 }]) }), []);
  });

  it('K01.FR.26 / [S16E] 3.88: the rate unit the station accepts', () => {
    const inW = { ...txDefault, schedules: [{ ...txDefault.schedules[0]!, chargingRateUnit: 'W' as const }] };
    assert.deepEqual(rules({ profile: inW, capabilities: { ...station, rateUnits: ['A'] } }), ['K01.FR.26 / [S16E] 3.88']);
  });

  it('ChargingScheduleMaxPeriods / PeriodsPerSchedule', () => {
    const many = withPeriods(Array.from({ length: 25 }, (_, i) => ({ startPeriod: i * 60, limit: 10 })));
    assert.deepEqual(rules({ profile: many }), ['1.6 §9.4.2 ChargingScheduleMaxPeriods / PeriodsPerSchedule']);
  });

  it('K01.FR.49 / §5.6: numberPhases is 1, 2 or 3', () => {
    assert.deepEqual(rules({ profile: withPeriods([{ startPeriod: 0, limit: 10, numberPhases: 4 }]) }), ['§5.6 / K01.FR.49']);
    assert.deepEqual(rules({ profile: withPeriods([{ startPeriod: 0, limit: 10, numberPhases: 0 }]) }), ['§5.6 / K01.FR.49']);
  });

  it('K01.FR.19: phaseToUse only with numberPhases 1', () => {
    assert.deepEqual(rules({ profile: withPeriods([{ startPeriod: 0, limit: 10, numberPhases: 3, phaseToUse: 2 }]) }), ['K01.FR.19']);
    assert.deepEqual(rules({ profile: withPeriods([{ startPeriod: 0, limit: 10, numberPhases: 1, phaseToUse: 2 }]) }), []);
  });

  it('K01.FR.20: phaseToUse only where the EVSE can switch phases', () => {
    const p = withPeriods([{ startPeriod: 0, limit: 10, numberPhases: 1, phaseToUse: 2 }]);
    assert.deepEqual(rules({ profile: p, capabilities: { ...station, acPhaseSwitchingSupported: false } }), ['K01.FR.20']);
  });

  it('stackLevel >= 0 and at most ChargeProfileMaxStackLevel / ProfileStackLevel', () => {
    assert.deepEqual(rules({ profile: { ...txDefault, stackLevel: 9 } }), ['1.6 §9.4.2 ChargeProfileMaxStackLevel / ProfileStackLevel']);
    assert.deepEqual(rules({ profile: { ...txDefault, stackLevel: -1 } }), ['schema']);
    assert.deepEqual(rules({ profile: { ...txDefault, stackLevel: 8 } }), []);
  });

  it('duration is a positive integer and minChargingRate >= 0', () => {
    const p = { ...txDefault, schedules: [{ ...txDefault.schedules[0]!, duration: 0, minChargingRate: -1 }] };
    assert.deepEqual(violations({ profile: p }).map((v) => v.path), ['/schedules/0/duration', '/schedules/0/minChargingRate']);
  });
});

describe('profile validation: duplicates and capacity against what is installed', () => {
  const installed: EvseChargingProfile[] = [on(1, profile({ id: 10, stackLevel: 2, periods: [[0, 20]] }))];

  it('K01.FR.05: the same id replaces, so it is no conflict', () => {
    assert.deepEqual(rules({ profile: { ...txDefault, id: 10, stackLevel: 2 }, installed }), []);
  });

  it('K01.FR.06: another id with the same stackLevel, purpose and EVSE and an overlapping validity', () => {
    assert.deepEqual(rules({ profile: { ...txDefault, stackLevel: 2 }, installed }), ['K01.FR.06']);
  });

  it('a different EVSE, purpose or stackLevel is no conflict', () => {
    assert.deepEqual(rules({ profile: { ...txDefault, stackLevel: 2 }, installed, evseId: 2 }), []);
    assert.deepEqual(rules({ profile: { ...txDefault, stackLevel: 3 }, installed }), []);
  });

  it('K01.FR.06 vs 1.6 §3.13.2: with disjoint validity, 2.x keeps both but a 1.6 station would replace', () => {
    const expiring = [on(1, profile({ id: 10, stackLevel: 2, extra: { validTo: '2025-02-01T00:00:00Z' } }))];
    const next = { ...txDefault, stackLevel: 2, validFrom: '2025-02-01T00:00:00Z' };
    assert.deepEqual(rules({ profile: next, installed: expiring, stackLevelReplacement: 'whenValidityOverlaps' }), []);
    assert.deepEqual(rules({ profile: next, installed: expiring, stackLevelReplacement: 'always' }), ['1.6 §3.13.2']);
  });

  it('K01.FR.39: another TxProfile with the same stackLevel for the same transaction', () => {
    const txOf = (id: number) => profile({ id, stackLevel: 1, purpose: 'TxProfile', kind: 'Relative', extra: { transactionId: '55' } });
    const found = rules({ profile: txOf(21), installed: [on(1, txOf(20))], transactions: [{ evseId: 1, transactionId: '55' }] });
    assert.deepEqual(found, ['K01.FR.39']);
  });

  it('K01.FR.52/53: TxDefaultProfiles on EVSE 0 and on an EVSE with the same stackLevel', () => {
    const stationWide = [on(0, profile({ id: 30, stackLevel: 4 }))];
    assert.deepEqual(rules({ profile: { ...txDefault, stackLevel: 4 }, installed: stationWide }), ['K01.FR.53']);
    assert.deepEqual(rules({ evseId: 0, profile: { ...txDefault, stackLevel: 2 }, installed }), ['K01.FR.52']);
  });

  it('K01.FR.05: an external constraint\'s id cannot be reused', () => {
    const external = [on(0, profile({ id: 1, purpose: 'ChargingStationExternalConstraints' }))];
    assert.deepEqual(rules({ profile: txDefault, installed: external }), ['K01.FR.05']);
  });

  it('MaxChargingProfilesInstalled counts what would be installed after replacements', () => {
    const full = Array.from({ length: 10 }, (_, i) => on(1, profile({ id: 100 + i, stackLevel: i % 8, purpose: i < 8 ? 'TxDefaultProfile' : 'ChargingStationMaxProfile' })));
    const capabilities = { ...station, maxStackLevel: 20 };
    assert.deepEqual(rules({ profile: { ...txDefault, stackLevel: 12 }, installed: full, capabilities }), ['1.6 §9.4.2 MaxChargingProfilesInstalled']);
    // Replacing one by id keeps the count.
    assert.deepEqual(rules({ profile: { ...txDefault, id: 100, stackLevel: 12 }, installed: full, capabilities }), []);
  });
});
