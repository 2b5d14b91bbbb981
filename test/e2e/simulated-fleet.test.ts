import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runFleet } from '../../src/sim/fleet.ts';
import { eventually, startTestServer } from './support/test-server.ts';

describe('a simulated fleet runs sessions against Joule', () => {
  it('20 stations with random sessions: every session becomes one consistent transaction, no errors', async () => {
    const server = await startTestServer();
    const tags = ['FLEET-A', 'FLEET-B', 'FLEET-C'];
    for (const tag of tags) await server.api('PUT', `/api/v1/id-tokens/${tag}`, { status: 'Accepted', allowConcurrentTx: true });
    const ended: number[] = [];
    const fleet = runFleet({
      url: server.wsUrl,
      stations: 20,
      prefix: 'FLEET-',
      connectors: 2,
      ratePerSecond: 200,
      meterValueSampleInterval: 1,
      randomSessions: { idTags: tags, idleSeconds: [0.1, 0.5], sessionSeconds: [1, 2], faultProbability: 0 },
      onEvent: (e) => { if (e.type === 'session-ended') ended.push(e.transactionId); },
    });
    try {
      await fleet.launched;
      await eventually(async () => (await server.api('GET', '/api/v1/stations')).body.filter((s: any) => s.online).length === 20, 10_000, '20 stations online');
      await eventually(() => ended.length >= 20, 20_000, '20 sessions ended');
    } finally {
      await fleet.stop();
    }
    const stats = fleet.stats();
    try {
      assert.equal(stats.callErrors, 0, 'no CALLERROR');
      assert.equal(stats.callTimeouts, 0, 'no timeout');
      const { body: txs } = await server.api('GET', '/api/v1/transactions?limit=1000');
      assert.equal(txs.length, stats.sessionsStarted, 'one transaction per started session');
      const active = txs.filter((t: any) => t.stoppedAt === null);
      assert.equal(active.length, 0, 'every session was stopped when the fleet stopped');
      for (const tx of txs) {
        assert.ok(tx.energyWh >= 0, `transaction ${tx.id} has a non-negative energy`);
        assert.ok(tx.meterStopWh >= tx.meterStartWh);
      }
      const withValues = await Promise.all(txs.slice(0, 5).map(async (t: any) => (await server.api('GET', `/api/v1/transactions/${t.id}/meter-values`)).body.length));
      assert.ok(withValues.every((n) => n > 0), 'meter values are attached to the transactions');
      await eventually(async () => (await server.api('GET', '/api/v1/stations')).body.every((s: any) => !s.online), 5000, 'all offline');
    } finally {
      await server.stop();
    }
  });

  it('a mixed fleet (1.6 and 2.0.1 stations side by side): both kinds of sessions become the same kind of transaction', async () => {
    const server = await startTestServer();
    const tags = ['MIX-A', 'MIX-B'];
    for (const tag of tags) await server.api('PUT', `/api/v1/id-tokens/${tag}`, { status: 'Accepted', allowConcurrentTx: true });
    const fleet = runFleet({
      url: server.wsUrl,
      stations: 10,
      prefix: 'MIX-',
      connectors: 2,
      mix: { 'ocpp1.6': 50, 'ocpp2.0.1': 50 },
      ratePerSecond: 200,
      meterValueSampleInterval: 1,
      randomSessions: { idTags: tags, idleSeconds: [0.1, 0.5], sessionSeconds: [1, 2], faultProbability: 0 },
    });
    try {
      await fleet.launched;
      await eventually(async () => (await server.api('GET', '/api/v1/stations')).body.filter((s: any) => s.online).length === 10, 10_000, '10 stations online');
      await eventually(() => fleet.stats().sessionsEnded >= 20, 30_000, '20 sessions ended');
    } finally {
      await fleet.stop();
    }
    const stats = fleet.stats();
    try {
      assert.equal(stats.callErrors, 0, 'no CALLERROR');
      assert.equal(stats.callTimeouts, 0, 'no timeout');
      const { body: stations } = await server.api('GET', '/api/v1/stations');
      const protocolOf = new Map<string, string>(stations.map((s: any) => [s.id, s.protocol]));
      assert.deepEqual([...new Set(protocolOf.values())].sort(), ['ocpp1.6', 'ocpp2.0.1']);
      const { body: txs } = await server.api('GET', '/api/v1/transactions?limit=1000');
      const byProtocol = (protocol: string) => txs.filter((t: any) => protocolOf.get(t.stationId) === protocol);
      const v16 = byProtocol('ocpp1.6');
      const v201 = byProtocol('ocpp2.0.1');
      assert.ok(v16.length > 0 && v201.length > 0, `sessions on both kinds (1.6: ${v16.length}, 2.0.1: ${v201.length})`);
      assert.equal(txs.length, stats.sessionsStarted, 'one transaction per started session');
      assert.deepEqual(Object.keys(v16[0]).sort(), Object.keys(v201[0]).sort(), 'one API shape');
      for (const tx of txs) {
        assert.notEqual(tx.stoppedAt, null, `transaction ${tx.id} ended`);
        assert.ok(tx.evseId >= 1 && tx.connectorId >= 1, `transaction ${tx.id} names its EVSE and connector`);
        assert.ok(tx.meterStartWh !== null && tx.meterStopWh >= tx.meterStartWh, `transaction ${tx.id} has a start and stop register`);
        assert.ok(tx.energyWh >= 0, `transaction ${tx.id} has a non-negative energy`);
        assert.deepEqual(tx.flags, [], `transaction ${tx.id} needed no repair`);
      }
      for (const tx of [v16[0], v201[0]]) {
        assert.ok((await server.api('GET', `/api/v1/transactions/${tx.id}/meter-values`)).body.length > 0, `meter values of ${tx.id}`);
      }
    } finally {
      await server.stop();
    }
  });
});
