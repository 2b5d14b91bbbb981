import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { connect } from 'nats';
import type { StationCallRequest } from '../../../src/cluster/bus.ts';
import { connectNatsBus, type NatsBus } from '../../../src/cluster/nats/nats-bus.ts';
import { decodeToken, encodeToken } from '../../../src/cluster/nats/subjects.ts';
import type { DomainEvent } from '../../../src/domain/events.ts';

// These tests need a NATS server with JetStream (CI runs one): `nats-server -js`. They fail, not skip, without it.
const NATS_URL = process.env.JOULE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
/** One namespace per run, one sub-namespace per test: runs and tests never see each other's subjects or buckets. */
const RUN = `jt_${process.pid}_${Date.now().toString(36)}`;
let clusters = 0;
const opened: NatsBus[] = [];
const children: ChildProcess[] = [];

async function node(nodeId: string, cluster: string, options: { ttlMs?: number; marginMs?: number } = {}): Promise<NatsBus> {
  const bus = await connectNatsBus({
    url: NATS_URL,
    nodeId,
    cluster,
    presenceTtlMs: options.ttlMs ?? 3_000,
    requestTimeoutMarginMs: options.marginMs ?? 500,
  });
  opened.push(bus);
  return bus;
}

async function twoNodes(options: { ttlMs?: number; marginMs?: number } = {}): Promise<{ cluster: string; a: NatsBus; b: NatsBus }> {
  const cluster = `${RUN}_${++clusters}`;
  return { cluster, a: await node('A', cluster, options), b: await node('B', cluster, options) };
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 3_000): Promise<number> {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > timeoutMs) assert.fail(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - started;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function call(stationId: string, timeoutMs = 1_000, action = 'Reset'): StationCallRequest {
  return { stationId, action, payload: { type: 'Soft' }, timeoutMs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

before(async () => {
  try {
    const nc = await connect({ servers: NATS_URL, timeout: 3_000, reconnect: false });
    try {
      await (await nc.jetstreamManager()).getAccountInfo();
    } finally {
      await nc.close();
    }
  } catch (err) {
    throw new Error(
      `These tests need a NATS server with JetStream at ${NATS_URL} (start one with \`nats-server -js\`, or set JOULE_TEST_NATS_URL): ${(err as Error).message}`,
    );
  }
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.allSettled(opened.map((bus) => bus.close()));
  // Remove this run's KV buckets from the server.
  const nc = await connect({ servers: NATS_URL, reconnect: false }).catch(() => undefined);
  if (!nc) return;
  try {
    const jsm = await nc.jetstreamManager();
    for await (const info of jsm.streams.list()) {
      if (info.config.name.startsWith(`KV_${RUN}_`)) await jsm.streams.delete(info.config.name);
    }
  } finally {
    await nc.close();
  }
});

describe('NATS cluster bus', () => {
  it('refuses to start, with a clear message, when NATS is not reachable', async () => {
    await assert.rejects(connectNatsBus({ url: 'nats://127.0.0.1:1', nodeId: 'X', cluster: `${RUN}_0` }), /cannot connect to NATS at nats:\/\/127\.0\.0\.1:1/);
    assert.throws(() => encodeToken(''));
    await assert.rejects(connectNatsBus({ url: NATS_URL, nodeId: 'X', cluster: 'bad.name' }), /invalid cluster name/);
  });

  it('delivers every event to the listeners of every node exactly once, its own included', async () => {
    const { a, b } = await twoNodes();
    const onA: DomainEvent[] = [];
    const onB: DomainEvent[] = [];
    const onB2: DomainEvent[] = [];
    a.subscribe((e) => onA.push(e));
    b.subscribe((e) => onB.push(e));
    b.subscribe((e) => onB2.push(e));
    a.subscribe(() => {
      throw new Error('a failing listener does not disturb the others');
    });
    a.publish({ type: 'station.connected', stationId: 'S1', data: { n: 1 } });
    assert.equal(onA.length, 1, 'local listeners get the event synchronously');
    a.publish({ type: 'connector.status', stationId: 'S1', data: { n: 2 } });
    b.publish({ type: 'transaction.started', stationId: 'S2', data: { n: 3 }, at: '2025-01-01T00:00:00.000Z' });
    a.publish({ type: 'meter.values', stationId: 'S1', data: { n: 4 } });
    await waitFor('4 events on both nodes', () => onA.length >= 4 && onB.length >= 4);
    await sleep(100); // anything extra (an echo) would arrive by now
    const ids = (events: DomainEvent[]) => events.map((e) => e.id).sort();
    assert.deepEqual(ids(onA), ['A-1', 'A-2', 'A-3', 'B-1']);
    assert.deepEqual(ids(onB), ['A-1', 'A-2', 'A-3', 'B-1']);
    assert.deepEqual(ids(onB2), ids(onB));
    // Events of one node arrive in the order it published them.
    assert.deepEqual(onB.filter((e) => e.id.startsWith('A-')).map((e) => e.data.n), [1, 2, 4]);
    const remote = onA.find((e) => e.id === 'B-1');
    assert.deepEqual(remote, { type: 'transaction.started', stationId: 'S2', data: { n: 3 }, at: '2025-01-01T00:00:00.000Z', id: 'B-1' });
    assert.match(onB.find((e) => e.id === 'A-1')?.at ?? '', /^\d{4}-\d\d-\d\dT/);
  });

  it('routes a command to the node holding the station and returns its outcome', async () => {
    const { a, b } = await twoNodes();
    const received: StationCallRequest[] = [];
    b.serveStationCalls(async (request) => {
      received.push(request);
      return { status: 'completed', response: { status: 'Accepted', node: 'B' } };
    });
    a.serveStationCalls(async () => assert.fail('A holds nothing'));
    b.claimStation('CP-1');
    await waitFor('A sees CP-1 on B', () => a.holderOf('CP-1') === 'B');
    assert.deepEqual(await a.callStation(call('CP-1')), { status: 'completed', response: { status: 'Accepted', node: 'B' } });
    assert.deepEqual(received, [{ stationId: 'CP-1', action: 'Reset', payload: { type: 'Soft' }, timeoutMs: 1_000 }]);
    // The holder calls its own handler directly.
    assert.deepEqual(await b.callStation(call('CP-1')), { status: 'completed', response: { status: 'Accepted', node: 'B' } });
    assert.equal(received.length, 2);
  });

  it('answers offline when no node holds the station, and timeout when the holder does not answer', async () => {
    const { a, b } = await twoNodes({ marginMs: 200 });
    assert.deepEqual(await a.callStation(call('nobody')), { status: 'offline' });
    assert.deepEqual(await b.callStation(call('nobody')), { status: 'offline' });
    b.serveStationCalls(() => new Promise(() => {})); // hangs
    b.claimStation('slow');
    await waitFor('A sees slow on B', () => a.holderOf('slow') === 'B');
    const started = performance.now();
    assert.deepEqual(await a.callStation(call('slow', 100)), { status: 'timeout' });
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 290 && elapsed < 1_000, `timeout after timeoutMs + margin (300 ms), took ${elapsed.toFixed(0)} ms`);
  });

  it('makes a handler failure on the holder fail the call on the caller, as in one process', async () => {
    const { a, b } = await twoNodes();
    b.serveStationCalls(async () => {
      throw new Error('gateway exploded');
    });
    b.claimStation('boom');
    await waitFor('A sees boom on B', () => a.holderOf('boom') === 'B');
    await assert.rejects(a.callStation(call('boom')), /gateway exploded/);
  });

  it('carries station ids that are not valid subject tokens (spaces, dots, *, >, unicode)', async () => {
    const { a, b } = await twoNodes();
    const odd = ['RDAM 123', 'a.b.c', '>', '*', 'x.*.>', 'Zürich/Ost|1', '..', ' '];
    for (const id of odd) assert.equal(decodeToken(encodeToken(id)), id);
    assert.equal(new Set(odd.map(encodeToken)).size, odd.length);
    b.serveStationCalls(async (request) => ({ status: 'completed', response: { id: request.stationId } }));
    for (const id of odd) b.claimStation(id);
    await waitFor('A sees all odd ids online', async () => odd.every((id) => a.holderOf(id) === 'B'));
    assert.deepEqual([...(await a.onlineStations())].sort(), [...odd].sort());
    for (const id of odd) assert.deepEqual(await a.callStation(call(id)), { status: 'completed', response: { id } });
    assert.deepEqual(await a.callStation(call('a.b')), { status: 'offline' }, 'a prefix of a dotted id is another station');
  });

  it('shows presence on every node, and a release takes the station offline everywhere', async () => {
    const { a, b } = await twoNodes();
    a.claimStation('P-A');
    b.claimStation('P-B1');
    b.claimStation('P-B2');
    assert.equal(await b.isOnline('P-B1'), true, 'the holder knows at once');
    await waitFor('both nodes see all three', async () => (await a.onlineStations()).size === 3 && (await b.onlineStations()).size === 3);
    assert.deepEqual([...(await a.onlineStations())].sort(), ['P-A', 'P-B1', 'P-B2']);
    assert.equal(await a.isOnline('P-B2'), true);
    assert.equal(await b.isOnline('P-A'), true);
    assert.equal(await a.isOnline('P-none'), false);
    b.releaseStation('P-B1');
    assert.equal(await b.isOnline('P-B1'), false);
    await waitFor('A sees P-B1 offline', async () => !(await a.isOnline('P-B1')));
    assert.deepEqual([...(await a.onlineStations())].sort(), ['P-A', 'P-B2']);
    assert.deepEqual(await a.callStation(call('P-B1')), { status: 'offline' });
    // A station that reconnects to the same node (claim, release, claim in a row) ends up online.
    a.releaseStation('P-A');
    a.claimStation('P-A');
    await sleep(100);
    assert.equal(await a.isOnline('P-A'), true);
    assert.equal(await b.isOnline('P-A'), true);
  });

  it('moves a station to the node that claimed it last; the old holder stops serving it and is told', async () => {
    const { a, b } = await twoNodes();
    const handledBy: string[] = [];
    a.serveStationCalls(async () => {
      handledBy.push('A');
      return { status: 'completed', response: { node: 'A' } };
    });
    b.serveStationCalls(async () => {
      handledBy.push('B');
      return { status: 'completed', response: { node: 'B' } };
    });
    const replacedOnA: string[] = [];
    a.onClaimedElsewhere((id) => replacedOnA.push(id));
    a.claimStation('MOVER');
    await waitFor('B sees MOVER on A', () => b.holderOf('MOVER') === 'A');
    b.claimStation('MOVER');
    await waitFor('A sees MOVER on B', () => a.holderOf('MOVER') === 'B');
    assert.deepEqual(replacedOnA, ['MOVER']);
    assert.deepEqual(await a.callStation(call('MOVER')), { status: 'completed', response: { node: 'B' } });
    assert.deepEqual(await b.callStation(call('MOVER')), { status: 'completed', response: { node: 'B' } });
    assert.deepEqual(handledBy, ['B', 'B']);
    // The old connection's late release must not erase the newer claim.
    a.releaseStation('MOVER');
    await sleep(150);
    assert.equal(a.holderOf('MOVER'), 'B');
    assert.equal(await b.isOnline('MOVER'), true);
  });

  it('takes the stations of a node that dies offline on the others within the TTL, reported once', async () => {
    const ttlMs = 1_500;
    const cluster = `${RUN}_${++clusters}`;
    const a = await node('A', cluster, { ttlMs });
    const b = await node('B', cluster, { ttlMs });
    const stations = ['D-1', 'D 2', 'D.3'];
    const disconnects: { on: string; event: DomainEvent }[] = [];
    a.subscribe((event) => event.type === 'station.disconnected' && disconnects.push({ on: 'A', event }));
    b.subscribe((event) => event.type === 'station.disconnected' && disconnects.push({ on: 'B', event }));

    const child = spawn(process.execPath, [fileURLToPath(new URL('./nats-node-child.ts', import.meta.url))], {
      env: { ...process.env, JOULE_TEST_NODE: JSON.stringify({ url: NATS_URL, nodeId: 'C', cluster, ttlMs, stations }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    await waitFor('node C in its own process claims its stations', async () => stations.every((id) => a.holderOf(id) === 'C' && b.holderOf(id) === 'C'), 10_000);
    assert.deepEqual(await a.callStation(call('D 2')), { status: 'completed', response: { from: 'C' } });
    assert.deepEqual(a.liveNodes(), ['A', 'B', 'C']);

    child.kill('SIGKILL');
    await once(child, 'exit');
    const killedAt = performance.now();
    // Its subscriptions go with its connection: the NATS server drops them as soon as it sees the socket close, which
    // a request sent at that very moment can still race (and time out) on a loaded machine. Within moments a call
    // answers offline, and none ever reaches the dead node.
    const answers: string[] = [];
    await waitFor('a call to a station of C answers offline', async () => {
      const { status } = await a.callStation(call('D-1', 200));
      answers.push(status);
      return status === 'offline';
    }, 2_000);
    assert.ok(!answers.includes('completed'), `no call completed on the dead node: ${answers.join(', ')}`);
    await waitFor('A and B see the stations of C offline', async () => (await a.onlineStations()).size === 0 && (await b.onlineStations()).size === 0, ttlMs + 500);
    const offlineAfter = performance.now() - killedAt;
    await waitFor('station.disconnected on both nodes', () => disconnects.length >= 2 * stations.length, ttlMs + 1_500);
    const reportedAfter = performance.now() - killedAt;
    await sleep(ttlMs); // duplicates would show up by now
    for (const on of ['A', 'B']) {
      const seen = disconnects.filter((d) => d.on === on).map((d) => d.event);
      assert.deepEqual(seen.map((e) => e.stationId).sort(), [...stations].sort(), `each station reported once on ${on}`);
      for (const e of seen) assert.deepEqual(e.data, { reason: 'node lost', node: 'C' });
    }
    assert.ok(disconnects.every((d) => d.event.id.startsWith('A-')), 'reported by one survivor, the smallest live node id');
    assert.deepEqual(a.liveNodes(), ['A', 'B']);
    console.log(`# node death: stations offline on the survivors ${offlineAfter.toFixed(0)} ms after SIGKILL, station.disconnected published after ${reportedAfter.toFixed(0)} ms (TTL ${ttlMs} ms)`);
  });

  it('a node restarted under the same id takes the stations of its former run offline at start', async () => {
    const ttlMs = 20_000; // long: the survivors would not notice, only the restarted node can clean up
    const cluster = `${RUN}_${++clusters}`;
    const a = await node('A', cluster, { ttlMs });
    const disconnects: DomainEvent[] = [];
    a.subscribe((event) => event.type === 'station.disconnected' && disconnects.push(event));
    const child = spawn(process.execPath, [fileURLToPath(new URL('./nats-node-child.ts', import.meta.url))], {
      env: { ...process.env, JOULE_TEST_NODE: JSON.stringify({ url: NATS_URL, nodeId: 'R', cluster, ttlMs, stations: ['R-1', 'R-2'] }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    await waitFor('A sees the stations of R', () => a.holderOf('R-1') === 'R' && a.holderOf('R-2') === 'R', 10_000);
    child.kill('SIGKILL');
    await once(child, 'exit');
    const r = await node('R', cluster, { ttlMs });
    assert.equal(await r.isOnline('R-1'), false, 'the new run holds nothing');
    await waitFor('A sees them offline', async () => (await a.onlineStations()).size === 0, 2_000);
    await waitFor('disconnects reported', () => disconnects.length >= 2);
    await sleep(100);
    assert.deepEqual(disconnects.map((e) => [e.stationId, e.data.node]).sort(), [['R-1', 'R'], ['R-2', 'R']]);
    r.claimStation('R-1'); // the station comes back to the new run
    await waitFor('A sees R-1 on R again', () => a.holderOf('R-1') === 'R');
  });

  it('a live node whose claim was deleted by someone else (taken for gone) claims it again', async () => {
    const { cluster, a, b } = await twoNodes();
    b.claimStation('H-1');
    await waitFor('A sees H-1 on B', () => a.holderOf('H-1') === 'B');
    const nc = await connect({ servers: NATS_URL, reconnect: false });
    try {
      const kv = await nc.jetstream().views.kv(`${cluster}_presence`, { bindOnly: true });
      const before = await kv.get(encodeToken('H-1'));
      assert.equal(before?.json<{ nodeId: string }>().nodeId, 'B');
      await kv.delete(encodeToken('H-1'));
      await waitFor('B has put it back', async () => (await kv.get(encodeToken('H-1')))?.operation === 'PUT');
    } finally {
      await nc.close();
    }
    await waitFor('A sees H-1 on B again', () => a.holderOf('H-1') === 'B');
  });

  it('on close, releases its stations at once and reports them disconnected', async () => {
    const { a, b } = await twoNodes({ ttlMs: 60_000 });
    const onA: DomainEvent[] = [];
    a.subscribe((e) => onA.push(e));
    b.claimStation('C-1');
    b.claimStation('C-2');
    await waitFor('A sees both', async () => (await a.onlineStations()).size === 2);
    await b.close();
    await waitFor('A sees them offline long before the TTL', async () => (await a.onlineStations()).size === 0, 1_000);
    await waitFor('disconnects reported', () => onA.length >= 2);
    await sleep(100);
    assert.deepEqual(onA.map((e) => [e.type, e.stationId, e.data.reason]).sort(), [
      ['station.disconnected', 'C-1', 'node stopped'],
      ['station.disconnected', 'C-2', 'node stopped'],
    ]);
    assert.deepEqual(a.liveNodes(), ['A'], 'a node that closed is gone at once');
    assert.deepEqual(await b.callStation(call('C-1')), { status: 'offline' });
    b.publish({ type: 'station.booted', data: {} }); // no-op after close, no throw
  });

  it('measures the round trip of a command through NATS', async () => {
    const { a, b } = await twoNodes();
    b.serveStationCalls(async () => ({ status: 'completed', response: {} }));
    b.claimStation('FAST');
    await waitFor('A sees FAST', () => a.holderOf('FAST') === 'B');
    for (let i = 0; i < 100; i++) await a.callStation(call('FAST')); // warm-up
    const remote: number[] = [];
    for (let i = 0; i < 1_000; i++) {
      const started = performance.now();
      const outcome = await a.callStation(call('FAST'));
      remote.push(performance.now() - started);
      assert.equal(outcome.status, 'completed');
    }
    const local: number[] = [];
    for (let i = 0; i < 1_000; i++) {
      const started = performance.now();
      await b.callStation(call('FAST'));
      local.push(performance.now() - started);
    }
    const p99 = [...remote].sort((x, y) => x - y)[Math.floor(remote.length * 0.99)] ?? NaN;
    console.log(`# callStation through NATS: median ${(median(remote) * 1000).toFixed(0)} µs, p99 ${(p99 * 1000).toFixed(0)} µs; held locally: median ${(median(local) * 1000).toFixed(1)} µs`);
    assert.ok(median(remote) < 20, `median round trip ${median(remote).toFixed(2)} ms`);
  });
});
