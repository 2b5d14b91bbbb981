import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../../src/domain/errors.ts';
import type { CompositeScheduleInput, EvseChargingContext } from '../../../src/domain/smart-charging/charging-profile.ts';
import { computeCompositeSchedule } from '../../../src/domain/smart-charging/composite-schedule.ts';
import { limits, on, profile } from './profile-fixtures.ts';

const HOUR = 3600;

function composite(input: Partial<CompositeScheduleInput> & Pick<CompositeScheduleInput, 'profiles' | 'start' | 'duration'>) {
  return computeCompositeSchedule({ evseId: 1, chargingRateUnit: 'A', ...input });
}

describe('composite schedule: stacking (1.6 §3.13.2, K01.FR.17)', () => {
  it('worked example: stacked TxDefaultProfile levels, the highest valid level wins where it has a period', () => {
    const base = profile({ id: 1, stackLevel: 0, periods: [[0, 32]], startSchedule: '2025-01-06T00:00:00Z' });
    // Level 1 covers 08:00-12:00 only (duration 4 h): 10 A for an hour, then 16 A.
    const morning = profile({ id: 2, stackLevel: 1, periods: [[0, 10], [HOUR, 16]], startSchedule: '2025-01-06T08:00:00Z', duration: 4 * HOUR });
    const result = composite({ profiles: [on(0, base), on(0, morning)], start: '2025-01-06T00:00:00Z', duration: 24 * HOUR });
    assert.equal(result.scheduleStart, '2025-01-06T00:00:00.000Z');
    assert.equal(result.chargingRateUnit, 'A');
    assert.deepEqual(limits(result.periods), [
      [0, 32],
      [8 * HOUR, 10],
      [9 * HOUR, 16],
      [12 * HOUR, 32],
    ]);
  });

  it('2.0.1 K §3.5: a top-level profile without a period at that time falls back to the level below', () => {
    const low = profile({ id: 1, stackLevel: 1, periods: [[0, 20]], startSchedule: '2025-01-06T00:00:00Z' });
    const high = profile({ id: 2, stackLevel: 5, periods: [[0, 6]], startSchedule: '2025-01-06T01:00:00Z', duration: 1800 });
    const result = composite({ profiles: [on(1, low), on(1, high)], start: '2025-01-06T00:00:00Z', duration: 3 * HOUR });
    assert.deepEqual(limits(result.periods), [[0, 20], [HOUR, 6], [HOUR + 1800, 20]]);
  });

  it('1.6 §3.13.1: an EVSE TxDefaultProfile overrides the EVSE-0 one at the same stackLevel, for that EVSE only', () => {
    const stationWide = profile({ id: 1, stackLevel: 2, periods: [[0, 32]] });
    const evseOne = profile({ id: 2, stackLevel: 2, periods: [[0, 12]] });
    const profiles = [on(0, stationWide), on(1, evseOne)];
    const start = '2025-01-06T00:00:00Z';
    assert.deepEqual(limits(composite({ profiles, start, duration: HOUR, evseId: 1 }).periods), [[0, 12]]);
    assert.deepEqual(limits(composite({ profiles, start, duration: HOUR, evseId: 2 }).periods), [[0, 32]]);
  });

  it('K01.FR.14: a higher-level TxDefaultProfile on EVSE 0 beats a lower one on the EVSE', () => {
    const stationWide = profile({ id: 1, stackLevel: 3, periods: [[0, 8]] });
    const evseOne = profile({ id: 2, stackLevel: 1, periods: [[0, 12]] });
    const result = composite({ profiles: [on(0, stationWide), on(1, evseOne)], start: '2025-01-06T00:00:00Z', duration: HOUR });
    assert.deepEqual(limits(result.periods), [[0, 8]]);
  });
});

describe('composite schedule: validity (K01.FR.36/37, K01.FR.10, K01.FR.30)', () => {
  it('worked example: a profile whose validTo falls in the middle of the window stops there', () => {
    const base = profile({ id: 1, stackLevel: 0, periods: [[0, 32]] });
    const expiring = profile({ id: 2, stackLevel: 1, periods: [[0, 10]], extra: { validTo: '2025-01-06T00:30:00Z' } });
    const result = composite({ profiles: [on(0, base), on(0, expiring)], start: '2025-01-06T00:00:00Z', duration: HOUR });
    assert.deepEqual(limits(result.periods), [[0, 10], [1800, 32]]);
  });

  it('K01.FR.36: a profile becomes valid at validFrom (inclusive)', () => {
    const base = profile({ id: 1, stackLevel: 0, periods: [[0, 32]] });
    const later = profile({ id: 2, stackLevel: 1, periods: [[0, 10]], extra: { validFrom: '2025-01-06T00:45:00Z' } });
    const result = composite({ profiles: [on(0, base), on(0, later)], start: '2025-01-06T00:00:00Z', duration: HOUR });
    assert.deepEqual(limits(result.periods), [[0, 32], [2700, 10]]);
  });

  it('K01.FR.30: a startSchedule in the future imposes the limit only from then on', () => {
    const future = profile({ id: 1, periods: [[0, 10]], startSchedule: '2025-01-06T00:20:00Z' });
    const result = composite({ profiles: [on(1, future)], start: '2025-01-06T00:00:00Z', duration: HOUR });
    assert.deepEqual(limits(result.periods), [[0, undefined], [1200, 10]]);
  });

  it('K01.FR.11/12: periods at or past the duration are not executed; a period lasts until the next or the end', () => {
    const p = profile({ id: 1, periods: [[0, 10], [600, 12], [1200, 14]], startSchedule: '2025-01-06T00:00:00Z', duration: 1200 });
    const result = composite({ profiles: [on(1, p)], start: '2025-01-06T00:00:00Z', duration: HOUR });
    assert.deepEqual(limits(result.periods), [[0, 10], [600, 12], [1200, undefined]]);
  });

  it('1.6 §7.13: without a duration the last period continues indefinitely', () => {
    const p = profile({ id: 1, periods: [[0, 10], [600, 12]], startSchedule: '2024-01-01T00:00:00Z' });
    const result = composite({ profiles: [on(1, p)], start: '2025-01-06T00:00:00Z', duration: HOUR });
    assert.deepEqual(limits(result.periods), [[0, 12]]);
  });
});

describe('composite schedule: recurrency ([S16E] 3.79, 3.43/3.44, K01.FR.13)', () => {
  it('worked example: a Daily profile crossing midnight', () => {
    const base = profile({ id: 1, stackLevel: 0, periods: [[0, 32]] });
    // Every night 22:00-06:00: 6 A until midnight, 10 A after.
    const night = profile({
      id: 2,
      stackLevel: 1,
      kind: 'Recurring',
      periods: [[0, 6], [2 * HOUR, 10]],
      startSchedule: '2025-01-01T22:00:00Z',
      duration: 8 * HOUR,
      extra: { recurrencyKind: 'Daily' },
    });
    const profiles = [on(0, base), on(0, night)];
    const evening = composite({ profiles, start: '2025-01-06T20:00:00Z', duration: 12 * HOUR });
    assert.deepEqual(limits(evening.periods), [[0, 32], [2 * HOUR, 6], [4 * HOUR, 10], [10 * HOUR, 32]]);
    // A window that starts after midnight is inside the instance that began the evening before.
    const small = composite({ profiles, start: '2025-01-07T01:00:00Z', duration: 2 * HOUR });
    assert.deepEqual(limits(small.periods), [[0, 10]]);
  });

  it('worked example: a Weekly profile overriding a Daily one on Sundays (2.0.1 K §3.6.1)', () => {
    const peak = profile({
      id: 10,
      stackLevel: 1,
      kind: 'Recurring',
      periods: [[0, 8]],
      startSchedule: '2025-01-01T17:00:00Z',
      duration: 3 * HOUR,
      extra: { recurrencyKind: 'Daily' },
    });
    const sunday = profile({
      id: 11,
      stackLevel: 2,
      kind: 'Recurring',
      periods: [[0, 32]],
      startSchedule: '2025-01-05T00:00:00Z', // a Sunday
      duration: 24 * HOUR,
      extra: { recurrencyKind: 'Weekly' },
    });
    const evse: EvseChargingContext = { evseId: 1, maxLimit: { limit: 40, unit: 'A' } };
    // Saturday 16:00 to Monday 16:00.
    const result = composite({ profiles: [on(0, peak), on(0, sunday)], start: '2025-01-11T16:00:00Z', duration: 48 * HOUR, evses: [evse] });
    assert.deepEqual(limits(result.periods), [
      [0, 40], // Saturday 16:00, no profile: the EVSE maximum
      [HOUR, 8], // Saturday 17:00-20:00 peak
      [4 * HOUR, 40],
      [8 * HOUR, 32], // all Sunday, the peak included
      [32 * HOUR, 40], // Monday
    ]);
  });

  it('[S16E] 3.44: periods beyond the recurrence period are not executed', () => {
    const daily = profile({
      id: 1,
      kind: 'Recurring',
      periods: [[0, 10], [25 * HOUR, 2]],
      startSchedule: '2025-01-01T00:00:00Z',
      extra: { recurrencyKind: 'Daily' },
    });
    const result = composite({ profiles: [on(1, daily)], start: '2025-01-06T00:00:00Z', duration: 48 * HOUR });
    assert.deepEqual(limits(result.periods), [[0, 10]]);
  });

  it('K01.FR.30: a Recurring profile does not recur before its startSchedule', () => {
    const daily = profile({
      id: 1,
      kind: 'Recurring',
      periods: [[0, 10]],
      startSchedule: '2025-01-06T12:00:00Z',
      duration: HOUR,
      extra: { recurrencyKind: 'Daily' },
    });
    const result = composite({ profiles: [on(1, daily)], start: '2025-01-05T00:00:00Z', duration: 48 * HOUR });
    assert.deepEqual(limits(result.periods), [[0, undefined], [36 * HOUR, 10], [37 * HOUR, undefined]]);
  });
});

describe('composite schedule: transactions (1.6 §3.13.1, 2.0.1 K §3.5, K08.FR.06)', () => {
  const txDefault = profile({ id: 1, stackLevel: 5, periods: [[0, 32]] });
  const relativeTx = profile({
    id: 2,
    stackLevel: 0,
    purpose: 'TxProfile',
    kind: 'Relative',
    periods: [[0, 10], [1800, 16]],
    duration: HOUR,
    extra: { transactionId: '77' },
  });

  it('worked example: a Relative TxProfile runs from the transaction start and overrules TxDefaultProfile', () => {
    const evses: EvseChargingContext[] = [{ evseId: 1, transaction: { transactionId: '77', chargingStartedAt: '2025-01-06T10:00:00Z' } }];
    const result = composite({ profiles: [on(0, txDefault), on(1, relativeTx)], start: '2025-01-06T10:15:00Z', duration: HOUR, evses });
    // 10:15-10:30 first period, 10:30-11:00 second, then the TxProfile's hour is over: TxDefaultProfile again.
    assert.deepEqual(limits(result.periods), [[0, 10], [900, 16], [2700, 32]]);
  });

  it('K08.FR.06: without a transaction the EVSE is computed with its TxDefaultProfile; TxProfiles do not apply', () => {
    const evses: EvseChargingContext[] = [{ evseId: 1 }];
    const result = composite({ profiles: [on(0, txDefault), on(1, relativeTx)], start: '2025-01-06T10:15:00Z', duration: HOUR, evses });
    assert.deepEqual(limits(result.periods), [[0, 32]]);
  });

  it('1.6 §3.13.1: a TxProfile for another transaction does not apply', () => {
    const evses: EvseChargingContext[] = [{ evseId: 1, transaction: { transactionId: '78', chargingStartedAt: '2025-01-06T10:00:00Z' } }];
    const result = composite({ profiles: [on(0, txDefault), on(1, relativeTx)], start: '2025-01-06T10:15:00Z', duration: HOUR, evses });
    assert.deepEqual(limits(result.periods), [[0, 32]]);
  });

  it('K08.FR.06: a Relative TxDefaultProfile without a transaction starts at the window start', () => {
    const relativeDefault = profile({ id: 3, kind: 'Relative', periods: [[0, 6], [600, 20]] });
    const result = composite({ profiles: [on(1, relativeDefault)], start: '2025-01-06T10:00:00Z', duration: HOUR });
    assert.deepEqual(limits(result.periods), [[0, 6], [600, 20]]);
  });

  it('2.1 K §3.6: an activated PriorityCharging profile replaces TxProfile and TxDefaultProfile', () => {
    const priority = profile({ id: 4, purpose: 'PriorityCharging', periods: [[0, 30]] });
    const tx = { transactionId: '77', chargingStartedAt: '2025-01-06T10:00:00Z' };
    const profiles = [on(0, txDefault), on(1, relativeTx), on(1, priority)];
    const active = composite({ profiles, start: '2025-01-06T10:00:00Z', duration: HOUR, evses: [{ evseId: 1, transaction: { ...tx, priorityCharging: true } }] });
    assert.deepEqual(limits(active.periods), [[0, 30]]);
    const inactive = composite({ profiles, start: '2025-01-06T10:00:00Z', duration: HOUR, evses: [{ evseId: 1, transaction: tx }] });
    assert.deepEqual(limits(inactive.periods), [[0, 10], [1800, 16]]);
  });
});

describe('composite schedule: combining purposes (1.6 §3.13.3, K08.FR.04, SC.01)', () => {
  it('the composite is the minimum of ChargingStationMaxProfile, ExternalConstraints and the Tx limit at every instant', () => {
    const max = profile({ id: 1, purpose: 'ChargingStationMaxProfile', periods: [[0, 25], [HOUR, 12]], startSchedule: '2025-01-06T00:00:00Z' });
    const external = profile({ id: 2, purpose: 'ChargingStationExternalConstraints', periods: [[0, 20]], startSchedule: '2025-01-06T00:30:00Z', duration: HOUR });
    const tx = profile({ id: 3, periods: [[0, 16]] });
    const result = composite({ profiles: [on(0, max), on(0, external), on(1, tx)], start: '2025-01-06T00:00:00Z', duration: 2 * HOUR });
    assert.deepEqual(limits(result.periods), [[0, 16], [HOUR, 12]]);
  });

  it('worked example: a ChargingStationMaxProfile on EVSE 0 caps each of two EVSEs, and their sum on EVSE 0', () => {
    const max = profile({ id: 1, purpose: 'ChargingStationMaxProfile', periods: [[0, 32], [2 * HOUR, 48]], startSchedule: '2025-01-06T00:00:00Z' });
    const txDefault = profile({ id: 2, periods: [[0, 40]] });
    const txProfile = profile({ id: 3, purpose: 'TxProfile', periods: [[0, 20]], extra: { transactionId: '9' } });
    const profiles = [on(0, max), on(0, txDefault), on(1, txProfile)];
    const evses: EvseChargingContext[] = [
      { evseId: 1, transaction: { transactionId: '9', chargingStartedAt: '2025-01-06T00:00:00Z' } },
      { evseId: 2 },
    ];
    const base = { profiles, start: '2025-01-06T00:00:00Z', duration: 4 * HOUR, evses };
    assert.deepEqual(limits(composite({ ...base, evseId: 1 }).periods), [[0, 20]]);
    assert.deepEqual(limits(composite({ ...base, evseId: 2 }).periods), [[0, 32], [2 * HOUR, 40]]);
    // Station total: min(max, 20 + EVSE 2) = 32 until 02:00, then min(48, 20 + 40) = 48.
    assert.deepEqual(limits(composite({ ...base, evseId: 0 }).periods), [[0, 32], [2 * HOUR, 48]]);
  });

  it('K08.FR.03: EVSE 0 reports the sum of the EVSEs when that is below the station maximum', () => {
    const max = profile({ id: 1, purpose: 'ChargingStationMaxProfile', periods: [[0, 100]] });
    const txDefault = profile({ id: 2, periods: [[0, 16]] });
    const evses: EvseChargingContext[] = [{ evseId: 1 }, { evseId: 2 }];
    const result = composite({ profiles: [on(0, max), on(0, txDefault)], start: '2025-01-06T00:00:00Z', duration: HOUR, evses, evseId: 0 });
    assert.deepEqual(limits(result.periods), [[0, 32]]);
  });

  it('K09.FR.05 note: a TxDefaultProfile on EVSE 0 is not a limit of EVSE 0 itself', () => {
    const txDefault = profile({ id: 2, periods: [[0, 16]] });
    const result = composite({ profiles: [on(0, txDefault)], start: '2025-01-06T00:00:00Z', duration: HOUR, evseId: 0 });
    assert.deepEqual(limits(result.periods), [[0, undefined]]);
  });

  it('2.1 K §3.6: LocalGeneration capacity is added on top of the composite', () => {
    const tx = profile({ id: 1, periods: [[0, 16]] });
    const generation = profile({ id: 2, purpose: 'LocalGeneration', periods: [[0, 4]], startSchedule: '2025-01-06T00:30:00Z', duration: 1800 });
    const result = composite({ profiles: [on(1, tx), on(1, generation)], start: '2025-01-06T00:00:00Z', duration: HOUR });
    assert.deepEqual(limits(result.periods), [[0, 16], [1800, 20]]);
  });

  it('SC.04 (2.1): a setpoint below the limit is the expected value', () => {
    const tx = profile({ id: 1, periods: [{ startPeriod: 0, limit: 16, setpoint: 11 }, { startPeriod: 600, setpoint: -5 }] });
    const result = composite({ profiles: [on(1, tx)], start: '2025-01-01T00:00:00Z', duration: HOUR });
    assert.deepEqual(limits(result.periods), [[0, 11], [600, 0]]);
  });
});

describe('composite schedule: rate units and phases ([S16E] 3.69, K01.FR.49-51, 2.1 K §3.8)', () => {
  it('worked example: 16 A on 3 phases at 230 V is 11040 W', () => {
    const tx = profile({ id: 1, periods: [[0, 16]] });
    const result = composite({ profiles: [on(1, tx)], start: '2025-01-06T00:00:00Z', duration: HOUR, chargingRateUnit: 'W' });
    assert.equal(result.chargingRateUnit, 'W');
    assert.deepEqual(result.periods, [{ startPeriod: 0, limit: 11040 }]);
  });

  it('K01.FR.50: W is converted to A per phase (11000 W / (230 V x 3) = 15.9 A, rounded down)', () => {
    const tx = profile({ id: 1, unit: 'W', periods: [[0, 11000]] });
    const result = composite({ profiles: [on(1, tx)], start: '2025-01-06T00:00:00Z', duration: HOUR, chargingRateUnit: 'A' });
    assert.deepEqual(result.periods, [{ startPeriod: 0, limit: 15.9 }]);
  });

  it('K01.FR.49: numberPhases absent means 3; a period on 1 phase converts with 1 and carries numberPhases 1', () => {
    const tx = profile({
      id: 1,
      periods: [{ startPeriod: 0, limit: 16 }, { startPeriod: 600, limit: 16, numberPhases: 1 }],
      startSchedule: '2025-01-06T00:00:00Z',
    });
    const result = composite({ profiles: [on(1, tx)], start: '2025-01-06T00:00:00Z', duration: HOUR, chargingRateUnit: 'W' });
    assert.deepEqual(result.periods, [{ startPeriod: 0, limit: 11040 }, { startPeriod: 600, limit: 3680, numberPhases: 1 }]);
  });

  it('[S16E] 3.34: an EVSE charging on fewer phases converts with the phases it uses', () => {
    const tx = profile({ id: 1, periods: [[0, 16]] });
    const result = composite({ profiles: [on(1, tx)], start: '2025-01-06T00:00:00Z', duration: HOUR, chargingRateUnit: 'W', evses: [{ evseId: 1, phases: 1 }], lineVoltage: 230 });
    assert.deepEqual(result.periods, [{ startPeriod: 0, limit: 3680 }]);
  });

  it('the line voltage is an input (110 V)', () => {
    const tx = profile({ id: 1, periods: [[0, 10]] });
    const result = composite({ profiles: [on(1, tx)], start: '2025-01-06T00:00:00Z', duration: HOUR, chargingRateUnit: 'W', lineVoltage: 110 });
    assert.deepEqual(result.periods, [{ startPeriod: 0, limit: 3300 }]);
  });

  it('different units are compared in the requested unit (SC.01): 6000 W beats 16 A', () => {
    const max = profile({ id: 1, purpose: 'ChargingStationMaxProfile', unit: 'W', periods: [[0, 6000]] });
    const tx = profile({ id: 2, periods: [[0, 16]] });
    const result = composite({ profiles: [on(0, max), on(1, tx)], start: '2025-01-06T00:00:00Z', duration: HOUR, chargingRateUnit: 'W' });
    assert.deepEqual(result.periods, [{ startPeriod: 0, limit: 6000 }]);
  });

  it('2.1 K §3.8: the lowest numberPhases of the applied profiles is carried', () => {
    const max = profile({ id: 1, purpose: 'ChargingStationMaxProfile', periods: [{ startPeriod: 0, limit: 32, numberPhases: 3 }] });
    const tx = profile({ id: 2, periods: [{ startPeriod: 0, limit: 16, numberPhases: 1 }] });
    const result = composite({ profiles: [on(0, max), on(1, tx)], start: '2025-01-06T00:00:00Z', duration: HOUR });
    assert.deepEqual(result.periods, [{ startPeriod: 0, limit: 16, numberPhases: 1 }]);
  });
});

describe('composite schedule: gaps and merging', () => {
  it('a gap with no profile has no limit, or the EVSE maximum when one is given', () => {
    const p = profile({ id: 1, periods: [[0, 10]], startSchedule: '2025-01-06T00:00:00Z', duration: 600 });
    const bare = composite({ profiles: [on(1, p)], start: '2025-01-06T00:00:00Z', duration: HOUR });
    assert.deepEqual(bare.periods, [{ startPeriod: 0, limit: 10 }, { startPeriod: 600 }]);
    const withMax = composite({ profiles: [on(1, p)], start: '2025-01-06T00:00:00Z', duration: HOUR, evses: [{ evseId: 1, maxLimit: { limit: 7360, unit: 'W' } }] });
    // 7360 W on 3 phases at 230 V = 10.66 A per phase, also below nothing else: it caps and fills.
    assert.deepEqual(limits(withMax.periods), [[0, 10], [600, 10.6]]);
  });

  it('adjacent periods with equal limits are merged', () => {
    const low = profile({ id: 1, stackLevel: 0, periods: [[0, 16]] });
    const high = profile({ id: 2, stackLevel: 1, periods: [[0, 16], [600, 16], [1200, 8]], startSchedule: '2025-01-06T00:00:00Z', duration: 1800 });
    const result = composite({ profiles: [on(1, low), on(1, high)], start: '2025-01-06T00:00:00Z', duration: HOUR });
    assert.deepEqual(limits(result.periods), [[0, 16], [1200, 8], [1800, 16]]);
  });

  it('no profiles at all: one period without a limit', () => {
    const result = composite({ profiles: [], start: '2025-01-06T00:00:00Z', duration: HOUR });
    assert.deepEqual(result.periods, [{ startPeriod: 0 }]);
    assert.equal(result.duration, HOUR);
  });
});

describe('composite schedule: bad input gets a clear error (K08.FR.05)', () => {
  const ok = { profiles: [], start: '2025-01-06T00:00:00Z', duration: HOUR };
  const cases: Array<[string, Partial<CompositeScheduleInput>, RegExp]> = [
    ['a start that is not a date', { start: 'yesterday' }, /start/],
    ['a zero duration', { duration: 0 }, /duration/],
    ['an unknown rate unit', { chargingRateUnit: 'kW' as 'W' }, /chargingRateUnit/],
    ['a negative EVSE', { evseId: -1 }, /evseId/],
    ['an unknown EVSE (K08.FR.05)', { evseId: 3, evses: [{ evseId: 1 }, { evseId: 2 }] }, /no EVSE 3/],
    ['a profile with a bad date', { profiles: [on(1, profile({ id: 5, extra: { validTo: 'soon' } }))] }, /profile 5: validTo/],
    ['a zero line voltage', { lineVoltage: 0 }, /lineVoltage/],
  ];
  for (const [name, patch, message] of cases) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => composite({ ...ok, ...patch }),
        (error: unknown) => error instanceof DomainError && error.code === 'invalid' && message.test(error.message),
      );
    });
  }
});
