/**
 * The version-neutral parts both simulated stations (1.6 and 2.0.1) are built from: the power a station offers under
 * its limits, the BootNotification cycle, reservations that expire, and the seeded random source.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Payload } from '../../../src/ocpp/rpc/frames.ts';
import { ChargingProfileStore, type ChargingProfile } from '../../../src/sim/charging-profiles.ts';
import { ChargingSession } from '../../../src/sim/charging-session.ts';
import { EvBattery } from '../../../src/sim/ev-model.ts';
import { PowerDelivery } from '../../../src/sim/power-delivery.ts';
import type { Outlet } from '../../../src/sim/outlet.ts';
import { sampleValues } from '../../../src/sim/meter-sampler.ts';
import { Registration, type RegistrationStatus } from '../../../src/sim/registration.ts';
import { Reservations, type HeldReservation } from '../../../src/sim/reservations.ts';
import { seededRandom } from '../../../src/sim/seeded-random.ts';
import { Timers, nextBoundary } from '../../../src/sim/timers.ts';
import { delay } from './helpers.ts';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const HOUR_MS = 3_600_000;

function wattProfile(id: number, purpose: ChargingProfile['chargingProfilePurpose'], limitW: number): ChargingProfile {
  return {
    chargingProfileId: id,
    stackLevel: 0,
    chargingProfilePurpose: purpose,
    chargingProfileKind: 'Absolute',
    chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: limitW }] },
  };
}

function chargingSession(maxPowerKw: number): ChargingSession<number, string> {
  const session = new ChargingSession<number, string>(1, 'TAG', new EvBattery({ batteryKWh: 60, initialSocPercent: 20, maxPowerKw }), T0);
  session.begin(1, T0);
  return session;
}

describe('PowerDelivery (both protocols)', () => {
  it('offers min(outlet maximum, Tx/TxDefault limit, station maximum shared equally by the charging sessions)', () => {
    const profiles = new ChargingProfileStore();
    let charging = 1;
    const power = new PowerDelivery({ outletMaxW: 22_000, outlets: 2, speed: 1, random: () => 0.5, limits: profiles, chargingSessions: () => charging });
    assert.equal(power.offeredW(1, T0, T0), 22_000, 'no profile: the outlet maximum');
    profiles.install(0, wattProfile(1, 'ChargePointMaxProfile', 16_000), T0);
    assert.equal(power.offeredW(1, T0, T0), 16_000);
    charging = 2;
    assert.equal(power.offeredW(1, T0, T0), 8000, 'two charging sessions share the station maximum');
    profiles.install(1, wattProfile(2, 'TxDefaultProfile', 5000), T0);
    assert.equal(power.offeredW(1, T0, T0), 5000);
    assert.equal(power.physicalMaxW(0), 44_000, 'the whole station: every outlet together');
    assert.equal(power.physicalMaxW(2), 22_000);
  });

  it('meters the energy at the power drawn since the last update; the EV draws no more than its charger takes; nothing unless energised', () => {
    const power = new PowerDelivery({ outletMaxW: 22_000, outlets: 1, speed: 2, random: () => 0.5, limits: new ChargingProfileStore(), chargingSessions: () => 1 });
    const outlet = { id: 1, operative: true, scheduledOperative: undefined, energyWh: 1000 };
    const session = chargingSession(11);
    power.update(outlet, session, T0, true);
    assert.deepEqual([session.offeredW, session.powerW], [22_000, 11_000]);
    power.update(outlet, session, T0 + HOUR_MS / 2, true);
    assert.equal(outlet.energyWh, 1000 + 11_000, 'half an hour at speed 2 is one simulated hour at 11 kW');
    power.update(outlet, session, T0 + HOUR_MS, false);
    assert.deepEqual([session.offeredW, session.powerW, outlet.energyWh], [0, 0, 1000 + 22_000]);
    const reading = power.reading(outlet, session, false);
    assert.deepEqual(reading, { energyWh: 23_000, exportWh: 0, powerW: 0, offeredW: 0, voltageV: 230, phases: 3 }, 'no SoC without an EV');
    assert.equal(Math.round(power.reading(outlet, session, true).socPercent ?? 0), Math.round(((12_000 + 22_000) / 60_000) * 100));
  });

  it('V2G: a discharge setpoint makes an EV that can discharge give power back, into the export register, never below its minimum state of charge', () => {
    let dischargeW = 7_000;
    const limits = { limitsAt: () => ({ txW: 0, dischargeW }) };
    const power = new PowerDelivery({ outletMaxW: 22_000, outlets: 1, speed: 1, random: () => 0.5, limits, chargingSessions: () => 1 });
    const outlet: Outlet = { id: 1, operative: true, scheduledOperative: undefined, energyWh: 500 };
    const v2g = new ChargingSession<string, string>(1, 'TAG', new EvBattery({ batteryKWh: 10, initialSocPercent: 50, maxPowerKw: 11, maxDischargeKw: 5, minSocPercent: 30 }), T0);
    v2g.begin('tx', T0);
    power.update(outlet, v2g, T0, true);
    assert.equal(v2g.powerW, -5_000, 'at most its own discharge power');
    power.update(outlet, v2g, T0 + HOUR_MS / 5, true);
    assert.equal(Math.round(outlet.exportWh ?? 0), 1_000);
    assert.equal(outlet.energyWh, 500, 'the import register does not move');
    assert.match(JSON.stringify(sampleValues('Energy.Active.Export.Register,Power.Active.Export,Power.Active.Import', power.reading(outlet, v2g, true), 'Sample.Periodic')), /"value":"1000".*"value":"5000.0".*"value":"0.0"/);
    power.update(outlet, v2g, T0 + HOUR_MS, true);
    assert.equal(Math.round(outlet.exportWh ?? 0), 2_000, 'stops at 30 %: 2 kWh of the 5 kWh it had');
    assert.equal(Math.round(v2g.ev.socPercent), 30);
    dischargeW = 0;
    power.update(outlet, v2g, T0 + HOUR_MS, true);
    assert.equal(v2g.powerW, 0, 'no setpoint and a limit of 0: nothing');
    const plain = new ChargingSession<string, string>(1, 'TAG', new EvBattery({ batteryKWh: 10, initialSocPercent: 50, maxPowerKw: 11 }), T0);
    dischargeW = 7_000;
    power.update({ ...outlet }, plain, T0, true);
    assert.equal(plain.powerW, 0, 'an EV that cannot discharge does not');
  });
});

describe('Registration (BootNotification, both protocols)', () => {
  function connectionAnswering(answers: Payload[]): { isOpen: boolean; call: (action: string) => Promise<Payload>; calls: string[] } {
    const calls: string[] = [];
    return {
      isOpen: true,
      calls,
      call: async (action: string) => {
        calls.push(action);
        const answer = answers.shift();
        if (!answer) throw new Error('no answer');
        return answer;
      },
    };
  }

  it('boots again after retrySeconds while Pending with interval 0, and resolves with the heartbeat interval once Accepted', async () => {
    const timers = new Timers();
    const connection = connectionAnswering([{ status: 'Pending', interval: 0 }, { status: 'Accepted', interval: 300 }]);
    const statuses: RegistrationStatus[] = [];
    const intervals: (number | undefined)[] = [];
    const registration: Registration = new Registration({
      connection,
      timers,
      retrySeconds: 0.02,
      boot: () => void registration.boot({}).then((interval) => intervals.push(interval)),
      heartbeat: () => undefined,
      answered: (status) => statuses.push(status),
    });
    intervals.push(await registration.boot({}));
    assert.equal(registration.status, 'Pending');
    await delay(100);
    timers.clear();
    assert.deepEqual(statuses, ['Pending', 'Accepted']);
    assert.deepEqual(intervals, [undefined, 300]);
    assert.equal(registration.status, 'Accepted');
    assert.deepEqual(connection.calls, ['BootNotification', 'BootNotification']);
  });

  it('an answer without a valid status keeps the status and retries', async () => {
    const timers = new Timers();
    const connection = connectionAnswering([{ status: 'Maybe' }]);
    let retries = 0;
    const registration = new Registration({ connection, timers, retrySeconds: 0.02, boot: () => retries++, heartbeat: () => undefined, answered: () => undefined });
    assert.equal(await registration.boot({}), undefined);
    await delay(60);
    timers.clear();
    assert.deepEqual([registration.status, retries], ['Unknown', 1]);
  });
});

describe('Reservations (1.6 ReserveNow, 2.0.1 H01)', () => {
  interface TestReservation extends HeldReservation {
    idTag: string;
  }

  it('a reservation lapses at its expiry unless released; a new one replaces the old', async () => {
    const timers = new Timers();
    const outlets: { id: number; reservation: TestReservation | undefined }[] = [
      { id: 1, reservation: undefined },
      { id: 2, reservation: undefined },
    ];
    const reservations = new Reservations(outlets, timers);
    const expired: number[] = [];
    const [first, second] = outlets;
    assert.ok(first && second);
    reservations.hold(first, Date.now() + 20, (timer) => ({ id: 7, idTag: 'A', timer }), () => expired.push(7));
    reservations.hold(first, Date.now() + 20, (timer) => ({ id: 8, idTag: 'B', timer }), () => expired.push(8));
    reservations.hold(second, Date.now() + 20, (timer) => ({ id: 9, idTag: 'C', timer }), () => expired.push(9));
    assert.equal(reservations.holder(8), first);
    assert.equal(reservations.holder(7), undefined, 'replaced');
    reservations.release(second);
    await delay(60);
    timers.clear();
    assert.deepEqual(expired, [8]);
    assert.deepEqual([first.reservation, second.reservation], [undefined, undefined]);
  });
});

describe('seededRandom', () => {
  it('repeats its numbers for a seed, in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const first = Array.from({ length: 100 }, () => a());
    assert.deepEqual(first, Array.from({ length: 100 }, () => b()));
    assert.ok(first.every((x) => x >= 0 && x < 1));
    assert.notDeepEqual(first.slice(0, 5), Array.from({ length: 5 }, seededRandom(43)));
  });
});

describe('clock-aligned boundaries (1.6 ClockAlignedDataInterval, 2.0.1 AlignedDataCtrlr.Interval, PeriodicClockAligned)', () => {
  it('names the next whole multiple of the interval, and chained from a boundary never the same one twice', () => {
    const t = Date.UTC(2026, 10, 22, 0, 48, 36, 999);
    assert.equal(nextBoundary(t, 1000), Date.UTC(2026, 10, 22, 0, 48, 37));
    assert.equal(nextBoundary(Date.UTC(2026, 10, 22, 0, 48, 37), 1000), Date.UTC(2026, 10, 22, 0, 48, 38), 'a boundary itself is served: the next');
    assert.equal(nextBoundary(t, 900_000), Date.UTC(2026, 10, 22, 1, 0));
    // A timer for 00:48:37 that fires at 00:48:36.999 by the wall clock: chained from its boundary, the next is 00:48:38.
    const due = nextBoundary(t - 500, 1000);
    assert.equal(nextBoundary(Math.max(due, t), 1000), due + 1000);
  });
});
