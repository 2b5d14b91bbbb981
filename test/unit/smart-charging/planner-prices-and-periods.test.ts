import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { instantSchedule, toChargingSchedule } from '../../../src/domain/smart-charging/planner/charging-periods.ts';
import { allocateInstant } from '../../../src/domain/smart-charging/planner/instant-allocation.ts';
import type { OptimisationResult, SessionSchedule } from '../../../src/domain/smart-charging/planner/plan-result.ts';
import { optimiseSchedules } from '../../../src/domain/smart-charging/planner/schedule-optimiser.ts';
import type { SiteModel } from '../../../src/domain/smart-charging/planner/site-model.ts';
import { slotPrices } from '../../../src/domain/smart-charging/planner/tariff.ts';
import { makeGrid } from '../../../src/domain/smart-charging/planner/time-slots.ts';

describe('prices per slot', () => {
  it('a time-of-use tariff in Europe/Berlin follows local time (CEST is UTC+2 in June)', () => {
    const grid = makeGrid('2025-06-02T14:00:00.000Z', 60, 8);
    const prices = slotPrices(grid, { timeOfUse: { timeZone: 'Europe/Berlin', defaultPricePerKWh: 0.2, periods: [{ from: '17:00', to: '21:00', pricePerKWh: 0.5 }] } });
    // 14:00Z = 16:00 local ... the peak 17:00-21:00 local is 15:00Z-19:00Z, slots 1..4.
    assert.deepEqual(Array.from(prices.pricePerKWh), [0.2, 0.5, 0.5, 0.5, 0.5, 0.2, 0.2, 0.2]);
  });

  it('the night the clocks go forward, a 00:00-06:00 local period lasts five real hours', () => {
    const grid = makeGrid('2025-03-29T21:00:00.000Z', 60, 10);
    const prices = slotPrices(grid, { timeOfUse: { timeZone: 'Europe/Berlin', defaultPricePerKWh: 0.3, periods: [{ from: '00:00', to: '06:00', pricePerKWh: 0.1 }] } });
    // 23:00Z = 00:00 CET; 04:00Z = 06:00 CEST.
    assert.deepEqual(Array.from(prices.pricePerKWh), [0.3, 0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.3, 0.3, 0.3]);
  });

  it('weekday periods, one wrapping past midnight, belong to the day they start on', () => {
    // Friday 2025-06-06 20:00Z to Saturday 04:00Z, UTC clock. "Weekday nights" 22:00-06:00 on Mon..Fri only.
    const grid = makeGrid('2025-06-06T20:00:00.000Z', 60, 8);
    const periods = [{ from: '22:00', to: '06:00', pricePerKWh: 0.1, weekdays: [1, 2, 3, 4, 5] }];
    const friday = slotPrices(grid, { timeOfUse: { defaultPricePerKWh: 0.3, periods } });
    assert.deepEqual(Array.from(friday.pricePerKWh), [0.3, 0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
    const saturday = slotPrices(makeGrid('2025-06-07T20:00:00.000Z', 60, 8), { timeOfUse: { defaultPricePerKWh: 0.3, periods } });
    assert.deepEqual(Array.from(saturday.pricePerKWh), [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]);
  });

  it('a half hour of a 15-minute tariff step is averaged over a slot', () => {
    const grid = makeGrid('2025-06-02T10:00:00.000Z', 60, 2);
    const prices = slotPrices(grid, { timeOfUse: { defaultPricePerKWh: 0.2, periods: [{ from: '10:30', to: '11:00', pricePerKWh: 0.4 }] } });
    assert.deepEqual(Array.from(prices.pricePerKWh), [0.3, 0.2]);
  });

  it('a dynamic signal wins where it covers a slot; the tariff fills in; without a tariff the gap is estimated', () => {
    const grid = makeGrid('2025-06-02T10:00:00.000Z', 60, 3);
    const dynamic = [{ start: '2025-06-02T10:00:00Z', end: '2025-06-02T11:30:00Z', pricePerKWh: 0.05 }];
    const mixed = slotPrices(grid, { timeOfUse: { defaultPricePerKWh: 0.25 }, dynamic });
    assert.deepEqual(Array.from(mixed.pricePerKWh), [0.05, 0.15, 0.25]);
    assert.deepEqual(Array.from(mixed.estimated), [0, 0, 0]);
    const alone = slotPrices(grid, { dynamic });
    assert.deepEqual(Array.from(alone.pricePerKWh), [0.05, 0.05, 0.05]);
    assert.deepEqual(Array.from(alone.estimated), [0, 1, 1]);
  });
});

describe('schedules as charging-profile periods', () => {
  const site = (rateUnit: 'A' | 'W', bidirectional = false): SiteModel => ({
    policy: 'equal-share',
    root: { kind: 'group', id: 'site', limit: { maxCurrentA: 16 }, children: [{ kind: 'evse', id: 'a', stationId: 'CS1', evseId: 2, phases: 3, maxCurrentA: 16, rateUnit, bidirectional }] },
  });
  const prices = { timeOfUse: { defaultPricePerKWh: 0.3, periods: [{ from: '00:00', to: '02:00', pricePerKWh: 0.1 }] } };
  const run = (rateUnit: 'A' | 'W', kwh: number, extra: object = {}): [OptimisationResult, SessionSchedule] => {
    const result = optimiseSchedules({
      site: site(rateUnit, 'discharge' in extra),
      sessions: [{ id: 'tx1', evseNodeId: 'a', startedAt: '2025-06-02T20:00:00Z', energyNeed: { energyKWh: kwh, departure: '2025-06-03T07:00:00Z' }, ...extra }],
      start: '2025-06-02T22:00:00.000Z',
      prices,
    });
    return [result, result.sessions[0]!];
  };

  it('consecutive equal slots become one period; startPeriod is seconds from the plan start; A with numberPhases', () => {
    const [result, s] = run('A', 20);
    // 20 kWh at 11.04 kW: 00:00-01:45 at 16 A (19.32 kWh), then one slot for the remaining 0.68 kWh at the 6 A minimum.
    const schedule = toChargingSchedule(result, s);
    assert.deepEqual(schedule, {
      startSchedule: '2025-06-02T22:00:00.000Z',
      duration: 86_400,
      chargingRateUnit: 'A',
      periods: [
        { startPeriod: 0, limit: 0, numberPhases: 3 },
        { startPeriod: 7_200, limit: 16, numberPhases: 3 },
        { startPeriod: 13_500, limit: 6, numberPhases: 3 },
        { startPeriod: 14_400, limit: 0, numberPhases: 3 },
      ],
    });
  });

  it('a W station gets W periods', () => {
    const [result, s] = run('W', 5);
    const schedule = toChargingSchedule(result, s);
    assert.equal(schedule.chargingRateUnit, 'W');
    assert.deepEqual(schedule.periods.slice(0, 2), [
      { startPeriod: 0, limit: 0, numberPhases: 3 },
      { startPeriod: 7_200, limit: 11_040, numberPhases: 3 },
    ]);
  });

  it('more periods than the station takes: the last allowed one holds the lowest limit of the rest', () => {
    const [result, s] = run('A', 20);
    const schedule = toChargingSchedule(result, s, { maxPeriods: 2 });
    assert.deepEqual(schedule.periods, [
      { startPeriod: 0, limit: 0, numberPhases: 3 },
      { startPeriod: 7_200, limit: 0, numberPhases: 3 },
    ]);
  });

  it('discharging slots become OCPP 2.1 periods with a negative setpoint and discharge limit', () => {
    const [result, s] = run('A', 5, { discharge: { maxDischargePowerW: 4_140, dischargeableKWh: 3 } });
    const discharge = toChargingSchedule(result, s).periods.filter((p) => p.setpoint !== undefined);
    assert.ok(discharge.length > 0);
    for (const p of discharge) {
      assert.equal(p.limit, undefined);
      assert.equal(p.setpoint, -6);
      assert.equal(p.dischargeLimit, -6);
    }
  });

  it('an instant allocation is a one-period schedule', () => {
    const limit = allocateInstant(site('W'), [{ id: 'tx1', evseNodeId: 'a', startedAt: '2025-06-02T20:00:00Z' }]).limits[0]!;
    assert.deepEqual(instantSchedule(limit, '2025-06-02T20:00:05.000Z'), {
      startSchedule: '2025-06-02T20:00:05.000Z',
      chargingRateUnit: 'W',
      periods: [{ startPeriod: 0, limit: 11_040, numberPhases: 3 }],
    });
  });
});
