import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimStation } from '../../src/sim/sim-station.ts';
import { deleteNatsBuckets, dropSchema } from './support/cluster-cleanup.ts';
import { FailoverProxy } from './support/failover-proxy.ts';
import { freePort, ServerProcess } from './support/server-process.ts';
import { eventually, TEST_TOKEN } from './support/test-server.ts';
import { upgradeRequest } from './support/raw-upgrade.ts';

const DATABASE_URL = process.env.JOULE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = process.env.JOULE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

interface SeenEvent { type: string; stationId?: string; data: Record<string, unknown> }

/** Kills the nodes and removes what they left: their data directories, the schema and the NATS buckets of the run. */
async function removeNodes(
  nodes: ServerProcess[],
  dirs: string[],
  env: { JOULE_DATABASE_SCHEMA: string; JOULE_NATS_CLUSTER: string },
): Promise<void> {
  for (const node of nodes) await node.kill();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await dropSchema(DATABASE_URL, env.JOULE_DATABASE_SCHEMA);
  await deleteNatsBuckets(NATS_URL, env.JOULE_NATS_CLUSTER);
}

/** Collects the domain events of one node's SSE stream. */
async function sseEvents(url: string, into: SeenEvent[], signal: AbortSignal): Promise<void> {
  const res = await fetch(`${url}/api/v1/events`, { headers: { authorization: `Bearer ${TEST_TOKEN}` }, signal });
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data) into.push(JSON.parse(data.slice(6)) as SeenEvent);
      }
    }
  } catch {
    // aborted
  }
}

const types = (events: SeenEvent[]) => events.map((e) => e.type);

describe('cluster: two Joule nodes as separate processes on PostgreSQL and NATS', () => {
  it('a station on node B is commanded through node A; events reach both; B is killed, its stations reconnect to A and nothing acknowledged is lost', async () => {
    const run = randomBytes(4).toString('hex');
    const env = { JOULE_DATABASE_URL: DATABASE_URL, JOULE_DATABASE_SCHEMA: `joule_e2e_${run}`, JOULE_NATS_URL: NATS_URL, JOULE_NATS_CLUSTER: `e2e_${run}`, JOULE_PRESENCE_TTL: '3' };
    const dirA = mkdtempSync(join(tmpdir(), 'joule-node-a-'));
    const dirB = mkdtempSync(join(tmpdir(), 'joule-node-b-'));
    const a = new ServerProcess(await freePort(), dirA);
    const b = new ServerProcess(await freePort(), dirB);
    let bAlive = true;
    // Stations reach the cluster through a load balancer that prefers B while it lives.
    const lb = new FailoverProxy(() => (bAlive ? [b.port, a.port] : [a.port]));
    const abort = new AbortController();
    const sims: SimStation[] = [];
    try {
      await a.start({ ...env, JOULE_NODE_ID: 'node-a' });
      await b.start({ ...env, JOULE_NODE_ID: 'node-b' });
      await lb.listen();
      const eventsA: SeenEvent[] = [];
      const eventsB: SeenEvent[] = [];
      void sseEvents(a.url, eventsA, abort.signal);
      void sseEvents(b.url, eventsB, abort.signal);
      await a.api('PUT', '/api/v1/id-tokens/CLUSTER-TAG', { status: 'Accepted', allowConcurrentTx: true });

      const acked = new Map<number, number>();
      for (let i = 0; i < 4; i++) {
        const sim = new SimStation({ url: `ws://127.0.0.1:${lb.port}/ocpp`, id: `NODE-B-${i}`, connectors: 1, meterValueSampleInterval: 1, bootRetrySeconds: 1, stepDelayMs: 20 });
        sim.start();
        sims.push(sim);
      }
      await eventually(() => sims.every((s) => s.registration === 'Accepted'), 10_000, 'stations booted on B');
      await eventually(async () => (await a.api('GET', '/api/v1/stations')).body.filter((s: any) => s.online).length === 4, 10_000, 'node A sees them online');

      // Commanded through node A, executed by node B.
      for (const sim of sims) {
        const res = await a.api('POST', `/api/v1/stations/${sim.id}/commands/RemoteStartTransaction`, { connectorId: 1, idTag: 'CLUSTER-TAG' });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.response.status, 'Accepted');
      }
      const txs = await eventually(async () => {
        const { body } = await a.api('GET', '/api/v1/transactions?active=true');
        return body.length === 4 ? body : undefined;
      }, 10_000, '4 transactions');
      await eventually(() => types(eventsA).includes('transaction.started') && types(eventsB).includes('transaction.started'), 5000, 'events on both nodes');
      assert.ok(types(eventsA).includes('station.booted') && types(eventsB).includes('station.booted'));
      assert.ok(eventsA.filter((e) => e.type === 'station.connected').every((e) => e.data.node === 'node-b'), 'the stations are held by node B');

      // A station connected straight to B (not through the load balancer) does not come back: it must go offline.
      const stranded = new SimStation({ url: b.wsUrl, id: 'STRANDED', connectors: 1, reconnect: false });
      stranded.start();
      sims.push(stranded);
      await eventually(async () => (await a.api('GET', '/api/v1/stations/STRANDED')).body?.online === true, 10_000, 'stranded station online');

      // Meter values flow; record what was acknowledged before the kill (stored = acknowledged).
      await new Promise((r) => setTimeout(r, 2500));
      for (const tx of txs) acked.set(Number(tx.id), (await b.api('GET', `/api/v1/transactions/${tx.id}/meter-values`)).body.length);
      assert.ok([...acked.values()].every((n) => n > 0), 'meter values were stored before the kill');

      bAlive = false;
      const killedAt = Date.now();
      await b.kill();
      await eventually(async () => (await a.api('GET', '/api/v1/stations/STRANDED')).body.online === false, 10_000, 'the dead node\'s station offline on A');
      const offlineAfterMs = Date.now() - killedAt;
      assert.ok(offlineAfterMs < 8_000, `offline within the presence TTL (3 s) plus margin: ${offlineAfterMs} ms`);
      await eventually(() => eventsA.some((e) => e.type === 'station.disconnected' && e.stationId === 'STRANDED'), 10_000, 'disconnected event for it on A');
      await eventually(() => sims.slice(0, 4).every((sim) => eventsA.some((e) => e.type === 'station.connected' && e.stationId === sim.id && e.data.node === 'node-a')), 20_000, 'B\'s other stations reconnect to A');
      await eventually(async () => (await a.api('GET', '/api/v1/stations')).body.filter((s: any) => s.online).length === 4, 10_000, 'four online again, on A');
      for (const sim of sims.slice(0, 4)) {
        const res = await a.api('POST', `/api/v1/stations/${sim.id}/commands/GetConfiguration`, { key: ['NumberOfConnectors'] });
        assert.equal(res.status, 200, 'commandable on A after the failover');
      }
      for (const [txId, count] of acked) {
        const { body } = await a.api('GET', `/api/v1/transactions/${txId}/meter-values`);
        assert.ok(body.length >= count, `transaction ${txId}: ${count} acknowledged meter values kept (${body.length})`);
      }
      for (const sim of sims.slice(0, 4)) await sim.stopSession(1, 'Local');
      await eventually(async () => (await a.api('GET', '/api/v1/transactions?active=true')).body.length === 0, 10_000, 'sessions ended on A');
    } finally {
      abort.abort();
      await Promise.all(sims.map((s) => s.stop({ endSessions: false })));
      await lb.close();
      await removeNodes([b, a], [dirA, dirB], env);
    }
  });

  it('issue 6 across nodes: password guesses spread over two nodes are held back after 10 (+1) in the minute, on both', async () => {
    const run = randomBytes(4).toString('hex');
    const env = { JOULE_DATABASE_URL: DATABASE_URL, JOULE_DATABASE_SCHEMA: `joule_e2e_${run}`, JOULE_NATS_URL: NATS_URL, JOULE_NATS_CLUSTER: `e2e_${run}` };
    const dirA = mkdtempSync(join(tmpdir(), 'joule-node-a-'));
    const dirB = mkdtempSync(join(tmpdir(), 'joule-node-b-'));
    const a = new ServerProcess(await freePort(), dirA);
    const b = new ServerProcess(await freePort(), dirB);
    const password = 'Kq3vT9xLm2Rp8ZwB4nYd';
    const basic = (guess: string): Record<string, string> => ({ Authorization: `Basic ${Buffer.from(`GUESSED:${guess}`).toString('base64')}` });
    const attempt = (node: ServerProcess, guess: string) =>
      upgradeRequest(`${node.wsUrl}/GUESSED`, { headers: { 'Sec-WebSocket-Protocol': 'ocpp1.6', ...basic(guess) } });
    try {
      await a.start({ ...env, JOULE_NODE_ID: 'node-a' });
      await b.start({ ...env, JOULE_NODE_ID: 'node-b' });
      assert.equal((await a.api('PUT', '/api/v1/stations/GUESSED', { securityProfile: 1, password })).status, 200);
      const answers: number[] = [];
      for (let guess = 0; guess < 16; guess += 1) {
        answers.push((await attempt(guess % 2 === 0 ? a : b, `wrong-guess-${guess}-padding`)).status);
      }
      const guessed = answers.filter((status) => status === 401).length;
      assert.ok(guessed >= 10 && guessed <= 11, `${guessed} guesses checked (answers ${answers.join(' ')}); one node alone would have let 16 through`);
      assert.deepEqual(answers.slice(guessed), answers.slice(guessed).map(() => 429), 'held back from then on, on both nodes');
      assert.equal((await attempt(a, password)).status, 429, 'even the right password, on node A');
      assert.equal((await attempt(b, password)).status, 429, 'and on node B');
    } finally {
      await removeNodes([b, a], [dirA, dirB], env);
    }
  });
});
