import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChargingProfileStore, type ChargingProfile } from '../../../src/sim/charging-profiles.ts';
import { ConfigStore } from '../../../src/sim/config-store.ts';
import { EvBattery } from '../../../src/sim/ev-model.ts';
import { LatencyHistogram } from '../../../src/sim/latency-histogram.ts';
import { LocalAuthList } from '../../../src/sim/local-auth-list.ts';
import { sampleValues } from '../../../src/sim/meter-sampler.ts';

const supply = { voltageV: 230, phases: 3 };
const T0 = Date.parse('2025-01-01T00:00:00Z');

function profile(overrides: Partial<ChargingProfile> & Pick<ChargingProfile, 'chargingProfileId'>): ChargingProfile {
  return {
    stackLevel: 0,
    chargingProfilePurpose: 'TxDefaultProfile',
    chargingProfileKind: 'Absolute',
    chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 11_000 }] },
    ...overrides,
  };
}

describe('ChargingProfileStore', () => {
  it('takes the highest valid stack level per purpose, TxProfile over TxDefault, minimum with the station maximum', () => {
    const store = new ChargingProfileStore();
    store.install(0, profile({ chargingProfileId: 1, stackLevel: 0 }), T0);
    store.install(0, profile({ chargingProfileId: 2, stackLevel: 1, chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] } }), T0);
    assert.deepEqual(store.limitsAt(1, T0, T0, supply), { txW: 6900 });
    store.install(1, profile({ chargingProfileId: 3, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Relative', chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 9000 }, { startPeriod: 60, limit: 3000 }] } }), T0);
    store.install(0, profile({ chargingProfileId: 4, chargingProfilePurpose: 'ChargePointMaxProfile', chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 5000 }] } }), T0);
    assert.deepEqual(store.limitsAt(1, T0 + 30_000, T0, supply), { txW: 9000, stationMaxW: 5000 });
    assert.deepEqual(store.limitsAt(1, T0 + 90_000, T0, supply), { txW: 3000, stationMaxW: 5000 });
    assert.deepEqual(store.limitsAt(2, T0, T0, supply), { txW: 6900, stationMaxW: 5000 }, 'TxProfile is per connector');

    assert.deepEqual(store.composite(1, T0, 120, 'W', T0, 22_000, supply), [
      { startPeriod: 0, limit: 5000 },
      { startPeriod: 60, limit: 3000 },
    ]);
    store.clearTransactionProfiles(1);
    assert.equal(store.size, 3);
    assert.equal(store.clear({ chargingProfilePurpose: 'TxDefaultProfile', stackLevel: 1 }), 1);
    assert.equal(store.clear({ id: 99 }), 0);
  });

  it('replaces a profile with the same id or the same stack level and purpose', () => {
    const store = new ChargingProfileStore();
    store.install(1, profile({ chargingProfileId: 1 }), T0);
    assert.equal(store.replacesExisting(1, profile({ chargingProfileId: 2 })), true);
    store.install(1, profile({ chargingProfileId: 2 }), T0);
    store.install(2, profile({ chargingProfileId: 2, stackLevel: 3 }), T0);
    assert.equal(store.size, 1);
  });

  it('honours validity, duration and daily recurrence in the composite schedule', () => {
    const store = new ChargingProfileStore();
    store.install(0, profile({
      chargingProfileId: 1,
      stackLevel: 2,
      chargingProfileKind: 'Recurring',
      recurrencyKind: 'Daily',
      chargingSchedule: { startSchedule: '2024-12-31T22:00:00Z', duration: 4 * 3600, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] },
    }), T0);
    store.install(0, profile({ chargingProfileId: 2, stackLevel: 1, validFrom: '2025-01-01T12:00:00Z', chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 8 }] } }), T0);
    const periods = store.composite(1, T0, 86_400, 'A', undefined, 22_000, supply);
    assert.deepEqual(periods, [
      { startPeriod: 0, limit: 16 },
      { startPeriod: 2 * 3600, limit: 31.9 },
      { startPeriod: 12 * 3600, limit: 8 },
      { startPeriod: 22 * 3600, limit: 16 },
    ]);
  });
});

describe('ConfigStore', () => {
  it('applies the ChangeConfiguration rules and reports changes', () => {
    const config = new ConfigStore({ NumberOfConnectors: '3' });
    const changes: string[] = [];
    config.onChange = (key, value) => changes.push(`${key}=${value}`);
    assert.equal(config.int('NumberOfConnectors'), 3);
    assert.equal(config.change('NumberOfConnectors', '4'), 'Rejected');
    assert.equal(config.change('Unknown', '4'), 'NotSupported');
    assert.equal(config.change('WebSocketPingInterval', '-1'), 'Rejected');
    assert.equal(config.change('LocalPreAuthorize', 'TRUE'), 'Accepted');
    assert.equal(config.bool('LocalPreAuthorize'), true);
    assert.equal(config.change('MeterValuesSampledData', 'Current.Import.L1,SoC'), 'Accepted');
    assert.equal(config.change('SecurityProfile', '2'), 'Accepted');
    assert.equal(config.change('SecurityProfile', '1'), 'Rejected', 'security profile only goes up');
    assert.equal(config.change('AuthorizationKey', 'not-hex'), 'Rejected');
    assert.deepEqual(changes, ['LocalPreAuthorize=true', 'MeterValuesSampledData=Current.Import.L1,SoC', 'SecurityProfile=2']);
    assert.deepEqual(config.list(['localpreauthorize']).configurationKey, [{ key: 'LocalPreAuthorize', readonly: false, value: 'true' }]);
  });
});

describe('LocalAuthList', () => {
  it('rejects oversized updates and compares idTags case-insensitively', () => {
    const list = new LocalAuthList();
    const limits = { maxUpdateLength: 2, maxListLength: 2 };
    const accepted = { status: 'Accepted' } as const;
    assert.equal(list.update(1, 'Full', [{ idTag: 'a' }, { idTag: 'b' }, { idTag: 'c' }], limits), 'Failed');
    assert.equal(list.update(1, 'Full', [{ idTag: 'Tag-A', idTagInfo: accepted }], limits), 'Accepted');
    assert.deepEqual(list.lookup('TAG-a'), accepted);
    assert.equal(list.update(2, 'Differential', [{ idTag: 'b', idTagInfo: accepted }, { idTag: 'c', idTagInfo: accepted }], limits), 'Failed');
    assert.equal(list.version, 1);
    assert.equal(list.size, 1);
  });
});

describe('EV model and meter samples', () => {
  it('tapers power near a full battery and stops at 100 %', () => {
    const ev = new EvBattery({ batteryKWh: 10, initialSocPercent: 90, maxPowerKw: 11 });
    assert.ok(ev.acceptedPowerW(22_000) < 11_000 * 0.6);
    assert.equal(ev.charge(5000), 1000);
    assert.equal(ev.socPercent, 100);
    assert.equal(ev.acceptedPowerW(22_000), 0);
  });

  it('samples the configured measurands, per phase where it applies', () => {
    const reading = { energyWh: 1234.6, powerW: 6900, offeredW: 11_000, voltageV: 230, phases: 3, socPercent: 42.7 };
    const values = sampleValues('Energy.Active.Import.Register,Current.Import.L2,SoC,Power.Offered', reading, 'Sample.Periodic');
    assert.deepEqual(
      values.map((v) => [v.measurand, v.phase, v.value, v.unit]),
      [
        ['Energy.Active.Import.Register', undefined, '1235', 'Wh'],
        ['Current.Import', 'L2', '10.0', 'A'],
        ['SoC', undefined, '42', 'Percent'],
        ['Power.Offered', undefined, '11000.0', 'W'],
      ],
    );
  });
});

describe('LatencyHistogram', () => {
  it('summarises latencies within the bucket resolution', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 100; ms++) histogram.record(ms);
    const summary = histogram.summary();
    assert.equal(summary.count, 100);
    assert.equal(summary.mean, 50.5);
    assert.equal(summary.max, 100);
    assert.ok(Math.abs(summary.p50 - 50) / 50 < 0.1, String(summary.p50));
    assert.ok(Math.abs(summary.p99 - 99) / 99 < 0.1, String(summary.p99));
  });
});
