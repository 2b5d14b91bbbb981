import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { computeCompositeSchedule } from '../../src/domain/smart-charging/composite-schedule.ts';
import type { CompositeSchedulePeriod, EvseChargingProfile } from '../../src/domain/smart-charging/charging-profile.ts';
import { fromOcpp16SetChargingProfileRequest, type Ocpp16SetChargingProfileRequest } from '../../src/ocpp/v16/charging-profiles.ts';
import { fromOcpp2SetChargingProfileRequest, type Ocpp2SetChargingProfileRequest } from '../../src/ocpp/v201/charging-profiles.ts';
import { SimStation } from '../../src/sim/sim-station.ts';
import { SimStation201 } from '../../src/sim/v201/sim-station-201.ts';
import { eventually, startTestServer, type TestServer } from './support/test-server.ts';

/** The limit in force at `second` of a schedule (undefined where no period limits it). */
function limitAt(periods: readonly { startPeriod: number; limit?: number }[], second: number): number | undefined {
  let limit: number | undefined;
  for (const p of periods) if (p.startPeriod <= second) limit = p.limit;
  return limit;
}

/** Asserts that two schedules give the same limit at every breakpoint of either, where Joule's has a limit. */
function assertSameLimits(station: readonly CompositeSchedulePeriod[], joule: readonly CompositeSchedulePeriod[], duration: number): void {
  const breakpoints = new Set<number>([0, ...station.map((p) => p.startPeriod), ...joule.map((p) => p.startPeriod)]);
  let compared = 0;
  for (const second of [...breakpoints].filter((t) => t < duration).sort((a, b) => a - b)) {
    const expected = limitAt(joule, second);
    if (expected === undefined) continue;
    assert.equal(limitAt(station, second), expected, `limit at +${second} s (station ${JSON.stringify(station)}, Joule ${JSON.stringify(joule)})`);
    compared++;
  }
  assert.ok(compared >= 2, 'the schedule has several periods to compare');
}

/**
 * Joule computes composite schedules itself (1.6 §3.13.4, 2.0.1 K08): installed on a station, the same profiles must
 * give the same limits when the station is asked GetCompositeSchedule. The simulator computes its answer with its own,
 * separate code (src/sim/charging-profiles.ts).
 */
describe('composite schedules: Joule\'s computation agrees with what the station answers to GetCompositeSchedule', () => {
  let server: TestServer;
  let sim: SimStation;
  const installed: EvseChargingProfile[] = [];
  const command = (action: string, payload: unknown) => server.api('POST', `/api/v1/stations/SIM-COMPOSITE/commands/${action}`, payload);

  before(async () => {
    server = await startTestServer();
    sim = new SimStation({ url: server.wsUrl, id: 'SIM-COMPOSITE', connectors: 2, stepDelayMs: 20, bootRetrySeconds: 1 });
    sim.start();
    await eventually(async () => (await server.api('GET', '/api/v1/stations/SIM-COMPOSITE')).body.evses?.length === 2, 5000, 'connector statuses');
    const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000).toISOString();
    const requests: Ocpp16SetChargingProfileRequest[] = [
      // The charge point's grid connection: 32 A, 20 A after 10 minutes.
      { connectorId: 0, csChargingProfiles: { chargingProfileId: 1, stackLevel: 0, chargingProfilePurpose: 'ChargePointMaxProfile', chargingProfileKind: 'Absolute', chargingSchedule: { startSchedule: start, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 32 }, { startPeriod: 600, limit: 20 }] } } },
      // A default for every connector: 16 A, then 24 A after 5 minutes.
      { connectorId: 0, csChargingProfiles: { chargingProfileId: 2, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute', chargingSchedule: { startSchedule: start, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }, { startPeriod: 300, limit: 24 }] } } },
      // Connector 1's own default on a higher stack level: 10 A, then 30 A after 15 minutes.
      { connectorId: 1, csChargingProfiles: { chargingProfileId: 3, stackLevel: 1, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute', chargingSchedule: { startSchedule: start, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }, { startPeriod: 900, limit: 30 }] } } },
    ];
    for (const request of requests) {
      const res = await command('SetChargingProfile', request);
      assert.equal(res.body.response?.status, 'Accepted', JSON.stringify(res.body));
      installed.push(fromOcpp16SetChargingProfileRequest(request));
    }
  });

  after(async () => {
    await sim.stop();
    await server.stop();
  });

  for (const connectorId of [1, 2]) {
    it(`1.6 connector ${connectorId}: the same limit at every breakpoint of the next 30 minutes`, async () => {
      const res = await command('GetCompositeSchedule', { connectorId, duration: 1800, chargingRateUnit: 'A' });
      assert.equal(res.body.response.status, 'Accepted');
      const station = res.body.response.chargingSchedule as { chargingSchedulePeriod: CompositeSchedulePeriod[] };
      const joule = computeCompositeSchedule({ profiles: installed, evseId: connectorId, start: res.body.response.scheduleStart, duration: 1800, chargingRateUnit: 'A' });
      assertSameLimits(station.chargingSchedulePeriod, joule.periods, 1800);
    });
  }
});

describe('composite schedules (2.0.1 K08): Joule\'s computation agrees with a 2.0.1 station\'s GetCompositeSchedule', () => {
  let server: TestServer;
  let sim: SimStation201;
  const installed: EvseChargingProfile[] = [];
  const command = (action: string, payload: unknown) => server.api('POST', `/api/v1/stations/SIM201-COMPOSITE/commands/${action}`, payload);

  before(async () => {
    server = await startTestServer();
    sim = new SimStation201({ url: server.wsUrl, id: 'SIM201-COMPOSITE', evses: 2, stepDelayMs: 20, bootRetrySeconds: 1 });
    sim.start();
    await eventually(async () => (await server.api('GET', '/api/v1/stations/SIM201-COMPOSITE')).body.evses?.length === 2, 5000, 'EVSE statuses');
    const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000).toISOString();
    const schedule = (id: number, periods: [number, number][]) => [{ id, startSchedule: start, chargingRateUnit: 'W', chargingSchedulePeriod: periods.map(([startPeriod, limit]) => ({ startPeriod, limit })) }];
    const requests = [
      { evseId: 0, chargingProfile: { id: 11, stackLevel: 0, chargingProfilePurpose: 'ChargingStationMaxProfile', chargingProfileKind: 'Absolute', chargingSchedule: schedule(1, [[0, 22_000], [600, 14_000]]) } },
      { evseId: 0, chargingProfile: { id: 12, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute', chargingSchedule: schedule(2, [[0, 11_000], [300, 16_000]]) } },
      { evseId: 1, chargingProfile: { id: 13, stackLevel: 1, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute', chargingSchedule: schedule(3, [[0, 7_000], [900, 20_000]]) } },
    ] as unknown as Ocpp2SetChargingProfileRequest[];
    for (const request of requests) {
      const res = await command('SetChargingProfile', request);
      assert.equal(res.body.response?.status, 'Accepted', JSON.stringify(res.body));
      const converted = fromOcpp2SetChargingProfileRequest(request);
      assert.ok(converted.ok);
      installed.push(converted.value);
    }
  });

  after(async () => {
    await sim.stop();
    await server.stop();
  });

  for (const evseId of [1, 2]) {
    it(`2.0.1 EVSE ${evseId}: the same limit at every breakpoint of the next 30 minutes`, async () => {
      const res = await command('GetCompositeSchedule', { evseId, duration: 1800, chargingRateUnit: 'W' });
      assert.equal(res.body.response.status, 'Accepted', JSON.stringify(res.body));
      const station = res.body.response.schedule as { scheduleStart: string; chargingSchedulePeriod: CompositeSchedulePeriod[] };
      const joule = computeCompositeSchedule({ profiles: installed, evseId, start: station.scheduleStart, duration: 1800, chargingRateUnit: 'W' });
      assertSameLimits(station.chargingSchedulePeriod, joule.periods, 1800);
    });
  }
});
