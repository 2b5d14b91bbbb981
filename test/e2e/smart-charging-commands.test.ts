import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ChargingProfile } from '../../src/domain/smart-charging/charging-profile.ts';
import { SimStation } from '../../src/sim/sim-station.ts';
import { SimStation201 } from '../../src/sim/v201/sim-station-201.ts';
import { deleteNatsBuckets, dropSchema } from './support/cluster-cleanup.ts';
import { bootedStrictStation, transactionEvent } from './support/ocpp2-station.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ServerProcess } from './support/server-process.ts';
import { apiCall, TEST_TOKEN } from './support/test-server.ts';
import { eventually, startTestServer, type TestServer } from './support/test-server.ts';

const DATABASE_URL = process.env.JOULE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = process.env.JOULE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TxDefaultProfile in amperes per phase from now on. */
function txDefault(id: number, limitA: number): ChargingProfile {
  return {
    id, stackLevel: 1, purpose: 'TxDefaultProfile', kind: 'Absolute',
    schedules: [{ startSchedule: new Date().toISOString(), chargingRateUnit: 'A', periods: [{ startPeriod: 0, limit: limitA, numberPhases: 3 }] }],
  };
}

async function online(server: TestServer, id: string): Promise<void> {
  await eventually(async () => (await server.api('GET', `/api/v1/stations/${id}`)).body?.online === true, 10_000, `${id} online`);
}

/** The CALLs a station received, by action. */
function callsIn(frames: string[], action: string): Record<string, unknown>[] {
  return frames.map((f) => JSON.parse(f) as unknown[]).filter((f) => f[0] === 2 && f[2] === action).map((f) => f[3] as Record<string, unknown>);
}

describe('smart charging: version-neutral profile commands reach stations in their own version', () => {
  it('1.6: SetChargingProfile with csChargingProfiles and connectorId, GetCompositeSchedule and ClearChargingProfile; logged with actor smart-charging', async () => {
    const server = await startTestServer();
    const frames: string[] = [];
    const station = new SimStation({ url: server.wsUrl, id: 'SC16-1', connectors: 2, onFrame: (direction, text) => { if (direction === 'in') frames.push(text); } });
    try {
      station.start();
      await online(server, 'SC16-1');
      await eventually(() => station.registration === 'Accepted', 5000, 'accepted');
      const set = await server.domain.commands.sendNeutral('SC16-1', { kind: 'SetChargingProfile', evseId: 1, profile: txDefault(501, 16) }, 'smart-charging');
      assert.equal(set.outcome.status, 'completed');
      assert.equal(set.outcome.status === 'completed' && set.outcome.result?.status, 'Accepted');
      const [sent] = callsIn(frames, 'SetChargingProfile');
      assert.equal(sent?.connectorId, 1);
      const cs = sent?.csChargingProfiles as Record<string, any>;
      assert.equal(cs.chargingProfileId, 501);
      assert.equal(cs.chargingProfilePurpose, 'TxDefaultProfile');
      assert.deepEqual(cs.chargingSchedule.chargingSchedulePeriod, [{ startPeriod: 0, limit: 16, numberPhases: 3 }]);
      assert.equal(station.profiles.size, 1, 'the station installed it');

      const composite = await server.domain.commands.sendNeutral('SC16-1', { kind: 'GetCompositeSchedule', evseId: 1, durationS: 600, chargingRateUnit: 'A' }, 'smart-charging');
      assert.ok(composite.outcome.status === 'completed');
      const schedule = composite.outcome.result?.schedule;
      assert.equal(schedule?.evseId, 1);
      assert.equal(schedule?.chargingRateUnit, 'A');
      assert.equal(schedule?.periods[0]?.limit, 16, 'the composite of the station follows the profile');
      assert.deepEqual(callsIn(frames, 'GetCompositeSchedule'), [{ connectorId: 1, duration: 600, chargingRateUnit: 'A' }]);

      const clear = await server.domain.commands.sendNeutral('SC16-1', { kind: 'ClearChargingProfile', evseId: 1, purpose: 'TxDefaultProfile' }, 'smart-charging');
      assert.equal(clear.outcome.status === 'completed' && clear.outcome.result?.status, 'Accepted');
      assert.deepEqual(callsIn(frames, 'ClearChargingProfile'), [{ connectorId: 1, chargingProfilePurpose: 'TxDefaultProfile' }]);
      assert.equal(station.profiles.size, 0);

      const log = await server.domain.commands.list('SC16-1', 10);
      assert.deepEqual(log.map((c) => [c.action, c.actor, c.status]).reverse(), [
        ['SetChargingProfile', 'smart-charging', 'completed'],
        ['GetCompositeSchedule', 'smart-charging', 'completed'],
        ['ClearChargingProfile', 'smart-charging', 'completed'],
      ]);
      assert.equal((log.at(-1)?.request as { kind?: string }).kind, 'SetChargingProfile', 'the neutral request is what is logged');
      assert.deepEqual(log.at(-1)?.response, { status: 'Accepted' }, 'and the station answer');
    } finally {
      await station.stop();
      await server.stop();
    }
  });

  it('field notes §3 #22: a station that takes only W gets the limit converted by voltage and phases (and A when it takes only A)', async () => {
    const server = await startTestServer();
    const frames: string[] = [];
    const station = new SimStation({ url: server.wsUrl, id: 'SC16-W', connectors: 1, onFrame: (direction, text) => { if (direction === 'in') frames.push(text); } });
    try {
      station.start();
      await online(server, 'SC16-W');
      await eventually(() => station.registration === 'Accepted', 5000, 'accepted');
      // What a GetConfiguration answer would have mirrored.
      await server.domain.stations.configurationReported('SC16-W', [{ key: 'ChargingScheduleAllowedChargingRateUnit', value: 'Power', readonly: true }]);
      const set = await server.domain.commands.sendNeutral('SC16-W', {
        kind: 'SetChargingProfile', evseId: 1, profile: txDefault(601, 16), electrical: { voltageV: 230, phases: 3 },
      }, 'smart-charging');
      assert.ok(set.outcome.status === 'completed');
      const cs = callsIn(frames, 'SetChargingProfile')[0]?.csChargingProfiles as Record<string, any>;
      assert.equal(cs.chargingSchedule.chargingRateUnit, 'W');
      assert.deepEqual(cs.chargingSchedule.chargingSchedulePeriod, [{ startPeriod: 0, limit: 11040, numberPhases: 3 }], '16 A x 230 V x 3');
      assert.equal(set.outcome.result?.sent?.schedules[0]?.chargingRateUnit, 'W', 'the result says what was sent');

      await server.domain.stations.configurationReported('SC16-W', [{ key: 'ChargingScheduleAllowedChargingRateUnit', value: 'Current', readonly: true }]);
      const watts: ChargingProfile = { ...txDefault(602, 0), schedules: [{ startSchedule: new Date().toISOString(), chargingRateUnit: 'W', periods: [{ startPeriod: 0, limit: 7400, numberPhases: 1 }] }] };
      await server.domain.commands.sendNeutral('SC16-W', { kind: 'SetChargingProfile', evseId: 1, profile: watts, electrical: { voltageV: 230, phases: 3 } }, 'smart-charging');
      const second = callsIn(frames, 'SetChargingProfile')[1]?.csChargingProfiles as Record<string, any>;
      assert.equal(second.chargingSchedule.chargingRateUnit, 'A');
      assert.deepEqual(second.chargingSchedule.chargingSchedulePeriod, [{ startPeriod: 0, limit: 32.1, numberPhases: 1 }], '7400 W / 230 V on 1 phase, rounded down');

      await server.domain.stations.configurationReported('SC16-W', [{ key: 'ChargingScheduleAllowedChargingRateUnit', value: 'Power', readonly: true }]);
      const unconvertible = await server.domain.commands.sendNeutral('SC16-W', { kind: 'SetChargingProfile', evseId: 1, profile: txDefault(603, 16) }, 'smart-charging');
      assert.equal(unconvertible.outcome.status, 'invalid', 'without the wiring nothing can be converted: refused before sending');
      assert.equal(callsIn(frames, 'SetChargingProfile').length, 2);
    } finally {
      await station.stop();
      await server.stop();
    }
  });

  it('a TxProfile needs the transaction running on that EVSE: refused before sending without one, installed with it', async () => {
    const server = await startTestServer({ JOULE_AUTHORIZE_UNKNOWN_ID_TOKENS: 'true' });
    const frames: string[] = [];
    const station = new SimStation({ url: server.wsUrl, id: 'SC16-TX', connectors: 1, onFrame: (direction, text) => { if (direction === 'in') frames.push(text); } });
    try {
      station.start();
      await online(server, 'SC16-TX');
      await eventually(() => station.registration === 'Accepted', 5000, 'accepted');
      const txProfile = (transactionId: string): ChargingProfile => ({
        id: 700, stackLevel: 2, purpose: 'TxProfile', kind: 'Absolute', transactionId,
        schedules: [{ startSchedule: new Date().toISOString(), chargingRateUnit: 'W', periods: [{ startPeriod: 0, limit: 4000 }] }],
      });
      const early = await server.domain.commands.sendNeutral('SC16-TX', { kind: 'SetChargingProfile', evseId: 1, profile: txProfile('1') }, 'smart-charging');
      assert.equal(early.outcome.status, 'invalid');
      assert.equal(callsIn(frames, 'SetChargingProfile').length, 0, 'nothing was sent');
      const started = await station.startSession(1, 'DRIVER-1');
      assert.ok(started.started);
      const ok = await server.domain.commands.sendNeutral('SC16-TX', { kind: 'SetChargingProfile', evseId: 1, profile: txProfile(String(started.transactionId)) }, 'smart-charging');
      assert.equal(ok.outcome.status === 'completed' && ok.outcome.result?.status, 'Accepted');
      assert.equal((callsIn(frames, 'SetChargingProfile')[0]?.csChargingProfiles as Record<string, unknown>).transactionId, started.transactionId);
      assert.equal(station.connector(1)?.session?.offeredW, 4000, 'the station offers what the profile allows');
    } finally {
      await station.stop();
      await server.stop();
    }
  });

  it('2.0.1: SetChargingProfile with evseId, GetCompositeSchedule, ClearChargingProfile with criteria', async () => {
    const server = await startTestServer();
    const frames: string[] = [];
    const station = new SimStation201({ url: server.wsUrl, id: 'SC201-1', evses: 2, onFrame: (direction, text) => { if (direction === 'in') frames.push(text); } });
    try {
      station.start();
      await online(server, 'SC201-1');
      await eventually(() => station.registration === 'Accepted', 5000, 'accepted');
      const set = await server.domain.commands.sendNeutral('SC201-1', { kind: 'SetChargingProfile', evseId: 2, profile: txDefault(801, 10) }, 'smart-charging');
      assert.equal(set.outcome.status === 'completed' && set.outcome.result?.status, 'Accepted');
      const [sent] = callsIn(frames, 'SetChargingProfile');
      assert.equal(sent?.evseId, 2);
      const profile = sent?.chargingProfile as Record<string, any>;
      assert.equal(profile.id, 801);
      assert.equal(profile.chargingProfilePurpose, 'TxDefaultProfile');
      assert.ok(Array.isArray(profile.chargingSchedule) && Number.isInteger(profile.chargingSchedule[0].id), '2.x schedules are a list with ids');
      assert.equal(station.installedProfiles(), 1);

      const composite = await server.domain.commands.sendNeutral('SC201-1', { kind: 'GetCompositeSchedule', evseId: 2, durationS: 300, chargingRateUnit: 'A' }, 'smart-charging');
      assert.ok(composite.outcome.status === 'completed');
      assert.equal(composite.outcome.result?.status, 'Accepted');
      assert.equal(composite.outcome.result?.schedule?.evseId, 2);
      assert.equal(composite.outcome.result?.schedule?.periods[0]?.limit, 10);

      const clear = await server.domain.commands.sendNeutral('SC201-1', { kind: 'ClearChargingProfile', evseId: 2, purpose: 'TxDefaultProfile' }, 'smart-charging');
      assert.equal(clear.outcome.status === 'completed' && clear.outcome.result?.status, 'Accepted');
      assert.deepEqual(callsIn(frames, 'ClearChargingProfile'), [{ chargingProfileCriteria: { evseId: 2, chargingProfilePurpose: 'TxDefaultProfile' } }]);
      assert.equal(station.installedProfiles(), 0);
    } finally {
      await station.stop();
      await server.stop();
    }
  });

  it('K15: NotifyEVChargingNeeds on a managed EVSE is Accepted, becomes the session\'s need, and a TxProfile for its transaction follows (checked by a strict station)', async () => {
    const server = await startTestServer();
    const st = await bootedStrictStation(server, 'SC-NEEDS', { answers: { SetChargingProfile: { status: 'Accepted' } } });
    try {
      assert.equal((await server.api('PUT', '/api/v1/sites/home', { name: 'Home', maxPowerW: 22_000, slotSeconds: 60, horizonHours: 2 })).status, 200);
      assert.equal((await server.api('PUT', '/api/v1/sites/home/evses/SC-NEEDS/1', { maxCurrentA: 32 })).status, 200);
      await eventually(() => st.requests('SetChargingProfile').some((p) => p.chargingProfile.chargingProfilePurpose === 'TxDefaultProfile'), 5000, 'TxDefaultProfile');
      const now = Date.now();
      const iso = (ms: number) => new Date(ms).toISOString();
      await st.call('TransactionEvent', transactionEvent({
        eventType: 'Started', transactionId: 'tx-needs', seqNo: 0, timestamp: iso(now), evse: { id: 1, connectorId: 1 },
        chargingState: 'EVConnected', meter: [{ value: 1000, context: 'Transaction.Begin', measurand: 'Energy.Active.Import.Register' }],
      }));
      const departure = iso(now + 3_600_000);
      const needs = { evseId: 1, chargingNeeds: { requestedEnergyTransfer: 'AC_three_phase', departureTime: departure, acChargingParameters: { energyAmount: 20_000, evMinCurrent: 6, evMaxCurrent: 16, evMaxVoltage: 400 } } };
      assert.deepEqual(await st.call('NotifyEVChargingNeeds', needs), { status: 'Accepted' });
      const rejected = await st.call('NotifyEVChargingNeeds', { ...needs, evseId: 2 });
      assert.equal(rejected.status, 'Rejected', 'EVSE 2 is not load-managed');
      const { body: [tx] } = await server.api('GET', '/api/v1/transactions?stationId=SC-NEEDS');
      const { body: need } = await server.api('GET', `/api/v1/transactions/${tx.id}/needs`);
      assert.deepEqual([need.source, need.energyWh, need.departure, need.evMaxCurrentA, need.evMinCurrentA], ['station', 20_000, departure, 16, 6]);
      await eventually(() => st.requests('SetChargingProfile').some((p) => p.chargingProfile.chargingProfilePurpose === 'TxProfile'), 5000, 'TxProfile');
      const txProfile = st.requests('SetChargingProfile').find((p) => p.chargingProfile.chargingProfilePurpose === 'TxProfile');
      assert.equal(txProfile.evseId, 1);
      assert.equal(txProfile.chargingProfile.transactionId, 'tx-needs');
      assert.equal(txProfile.chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0].limit, 16, 'the EV\'s own maximum');
      assert.deepEqual(st.failures, [], 'every frame Joule sent is valid by the OCA schemas');
    } finally {
      await st.close();
      await server.stop();
    }
  });

  it('in a cluster the request crosses NATS as JSON and is translated on the node holding the station', async () => {
    const run = randomBytes(4).toString('hex');
    const env = { JOULE_DATABASE_URL: DATABASE_URL, JOULE_DATABASE_SCHEMA: `joule_sc_${run}`, JOULE_NATS_URL: NATS_URL, JOULE_NATS_CLUSTER: `sc_${run}` };
    const a = await startTestServer({ ...env, JOULE_NODE_ID: `a-${run}` });
    const b = await startTestServer({ ...env, JOULE_NODE_ID: `b-${run}` });
    const station = new SimStation201({ url: b.wsUrl, id: 'SC-CLUSTER', evses: 1 });
    try {
      station.start();
      await online(a, 'SC-CLUSTER');
      await eventually(() => station.registration === 'Accepted', 5000, 'accepted');
      const set = await a.domain.commands.sendNeutral('SC-CLUSTER', { kind: 'SetChargingProfile', evseId: 1, profile: txDefault(901, 12) }, 'smart-charging');
      assert.equal(set.outcome.status, 'completed');
      assert.equal(set.outcome.status === 'completed' && set.outcome.result?.status, 'Accepted');
      assert.equal(set.outcome.status === 'completed' && set.outcome.sent?.action, 'SetChargingProfile');
      assert.equal(station.installedProfiles(), 1);
    } finally {
      await station.stop();
      await a.stop();
      await b.stop();
      await dropSchema(DATABASE_URL, env.JOULE_DATABASE_SCHEMA);
      await deleteNatsBuckets(NATS_URL, env.JOULE_NATS_CLUSTER);
    }
  });

  it('with worker processes the request crosses the primary\'s IPC as JSON: stations on every worker get their profiles', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'joule-sc-workers-'));
    const server = new ServerProcess(await freePort(), dataDir);
    const stations: SimStation[] = [];
    const api = (method: string, path: string, body?: unknown) => apiCall(server.url, method, path, body);
    const abort = new AbortController();
    const holders = new Map<string, string>();
    try {
      await server.start({}, ['--workers', '2']);
      // Which worker holds each station, from station.connected events (any worker's stream sees every event).
      void (async () => {
        const res = await fetch(`${server.url}/api/v1/events`, { headers: { authorization: `Bearer ${TEST_TOKEN}` }, signal: abort.signal });
        const decoder = new TextDecoder();
        try {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            for (const line of decoder.decode(chunk, { stream: true }).split('\n')) {
              if (!line.startsWith('data: ')) continue;
              const event = JSON.parse(line.slice(6)) as { type: string; stationId?: string; data: { node?: string } };
              if (event.type === 'station.connected' && event.stationId && event.data.node) holders.set(event.stationId, event.data.node);
            }
          }
        } catch {
          // aborted
        }
      })();
      await sleep(300);
      // Connect stations one by one until both workers hold some: which worker takes a connection is the primary's
      // choice, and a worker that is still starting takes none.
      for (let i = 0; i < 24 && (stations.length < 4 || new Set(holders.values()).size < 2); i++) {
        const station = new SimStation({ url: server.wsUrl, id: `SC-W${i}`, connectors: 1 });
        stations.push(station);
        station.start();
        await eventually(() => holders.has(station.id), 5_000, `${station.id} connected`);
      }
      await eventually(() => stations.every((s) => s.registration === 'Accepted'), 15_000, 'accepted');
      assert.equal((await api('PUT', '/api/v1/sites/w', { name: 'Workers', maxPowerW: 40_000 })).status, 200);
      for (const s of stations) assert.equal((await api('PUT', `/api/v1/sites/w/evses/${s.id}/1`, { maxCurrentA: 32 })).status, 200);
      await eventually(async () => {
        const installed = await Promise.all(stations.map((s) => api('GET', `/api/v1/stations/${s.id}/charging-profiles`)));
        return installed.every((r) => r.body.some((p: { purpose: string; status: string }) => p.purpose === 'TxDefaultProfile' && p.status === 'Accepted'));
      }, 15_000, 'a TxDefaultProfile on every station');
      assert.ok(stations.every((s) => s.profiles.size === 1), 'each station installed it');
      await eventually(() => holders.size === stations.length, 5_000, 'the holders known');
      assert.equal(new Set(holders.values()).size, 2, `the stations are spread over both workers (${[...holders.values()].join(', ')}), so one planner reached the other worker's stations`);
    } finally {
      abort.abort();
      for (const s of stations) await s.stop();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
