import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimStation } from '../../src/sim/sim-station.ts';
import { createTestPki, stationCertificate } from './support/test-pki.ts';
import { BOOT_16, RawStation } from './support/raw-station.ts';
import { childPids, freePort, ServerProcess } from './support/server-process.ts';
import { eventually } from './support/test-server.ts';
import { TEST_TOKEN } from './support/test-server.ts';

/** An SSE stream of one HTTP connection (which lands on one of the workers): the node serving it, and event names. */
interface EventStream { node?: string; events: string[]; holders: Map<string, string> }

async function collectEvents(url: string, into: EventStream, signal: AbortSignal): Promise<void> {
  const res = await fetch(`${url}/api/v1/events`, { headers: { authorization: `Bearer ${TEST_TOKEN}` }, signal });
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith(': connected to node ')) into.node = line.slice(': connected to node '.length);
        else if (line.startsWith('event: ')) into.events.push(line.slice(7));
        else if (line.startsWith('data: ')) {
          const event = JSON.parse(line.slice(6)) as { type: string; stationId?: string; data: { node?: string } };
          if (event.type === 'station.connected' && event.stationId && event.data.node) into.holders.set(event.stationId, event.data.node);
        }
      }
    }
  } catch {
    // aborted, or the worker serving it died
  }
}

/** Opens event streams until both workers serve at least one (the primary hands connections to free workers). */
async function streamsOnBothWorkers(url: string, signal: AbortSignal): Promise<EventStream[]> {
  const streams: EventStream[] = [];
  await eventually(async () => {
    const stream: EventStream = { events: [], holders: new Map() };
    streams.push(stream);
    void collectEvents(url, stream, signal);
    await new Promise((r) => setTimeout(r, 100));
    return new Set(streams.map((s) => s.node).filter(Boolean)).size === 2;
  }, 10_000, 'event streams on both workers');
  return streams;
}

/** One login, on a connection of its own (the primary hands each new connection to the next worker). */
function loginOnNewConnection(url: string, username: string, password: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ username, password });
    const req = httpRequest(`${url}/api/v1/auth/login`, {
      method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('joule serve --workers: several processes share one port and one bus', () => {
  it('stations on any worker are listed online and commandable from any worker; events reach every worker; a killed worker\'s stations come back on another', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'joule-workers-'));
    const server = new ServerProcess(await freePort(), dataDir);
    const sims: SimStation[] = [];
    const abort = new AbortController();
    try {
      await server.start({}, ['--workers', '2']);
      const pids = childPids(server.pid!);
      assert.equal(pids.length, 2, 'two worker processes');

      const streams = await streamsOnBothWorkers(server.url, abort.signal);

      for (let i = 0; i < 8; i++) {
        const sim = new SimStation({ url: server.wsUrl, id: `WK-${i}`, connectors: 1, bootRetrySeconds: 1, stepDelayMs: 20 });
        sim.start();
        sims.push(sim);
      }
      await eventually(() => sims.every((s) => s.registration === 'Accepted'), 10_000, 'all booted');
      await eventually(async () => (await server.api('GET', '/api/v1/stations')).body.filter((s: any) => s.online).length === 8, 5000, '8 online, whichever worker answers');

      for (let round = 0; round < 2; round++) {
        for (const sim of sims) {
          const res = await server.api('POST', `/api/v1/stations/${sim.id}/commands/GetConfiguration`, { key: ['NumberOfConnectors'] });
          assert.equal(res.status, 200, `${sim.id}: ${JSON.stringify(res.body)}`);
          assert.equal(res.body.response.configurationKey[0].value, '1');
        }
      }
      await eventually(() => streams.every((s) => s.events.filter((e) => e === 'station.booted').length === 8), 5000, 'every SSE stream saw every boot, whichever worker served it');

      // Kill the worker that holds the first station (worker-N is the N-th forked, so the N-th lowest pid); the
      // streams of the other worker must see its stations come back.
      const holder = streams[0]!.holders.get(sims[0]!.id);
      assert.match(holder ?? '', /^worker-\d+$/);
      const victim = [...pids].sort((x, y) => x - y)[Number(holder!.slice('worker-'.length)) - 1];
      process.kill(victim!, 'SIGKILL');
      await eventually(async () => (await server.api('GET', '/api/v1/stations')).body.filter((s: any) => s.online).length < 8, 5000, 'the dead worker\'s stations go offline');
      await eventually(async () => (await server.api('GET', '/api/v1/stations')).body.filter((s: any) => s.online).length === 8, 20_000, 'they reconnect to the surviving worker');
      for (const sim of sims) {
        const res = await server.api('POST', `/api/v1/stations/${sim.id}/commands/GetConfiguration`, { key: ['NumberOfConnectors'] });
        assert.equal(res.status, 200);
      }
      // The surviving worker's streams saw the dead worker's stations come back (a disconnected event is published
      // too when the primary notices the death before they reconnect).
      await eventually(
        () => streams.some((s) => s.events.filter((e) => e === 'station.connected').length > 8),
        10_000,
        'reconnections on a surviving worker\'s event stream',
      );
    } finally {
      abort.abort();
      await Promise.all(sims.map((s) => s.stop()));
      await server.kill();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('A00.FR.3xx/4xx across workers: profile 2 and 3 stations on the shared TLS port land on both workers and take commands from either', async () => {
    const pki = await createTestPki();
    const dataDir = mkdtempSync(join(tmpdir(), 'joule-workers-tls-'));
    const server = new ServerProcess(await freePort(), dataDir);
    const tlsPort = await freePort();
    const stations: RawStation[] = [];
    const abort = new AbortController();
    try {
      await server.start({ ...pki.env, JOULE_TLS_PORT: String(tlsPort), JOULE_ALLOW_UNSECURED: 'false' }, ['--workers', '2']);
      const streams = await streamsOnBothWorkers(server.url, abort.signal);

      const password = 'Kq3vT9xLm2Rp8ZwB4nYd';
      const trust = { ca: pki.caPem, servername: 'localhost' };
      const wssUrl = `wss://127.0.0.1:${tlsPort}/ocpp`;
      for (let i = 0; i < 6; i++) {
        const id = `WK-TLS-${i}`;
        const profile = i % 2 === 0 ? 2 : 3;
        assert.equal((await server.api('PUT', `/api/v1/stations/${id}`, profile === 2 ? { securityProfile: 2, password } : { securityProfile: 3 })).status, 200);
        const station = profile === 2
          ? await RawStation.connect(wssUrl, id, 'ocpp1.6', { Authorization: `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}` }, trust)
          : await (async () => {
            const cert = await stationCertificate(pki.ca, id);
            return RawStation.connect(wssUrl, id, 'ocpp1.6', {}, { ...trust, cert: cert.certPem, key: cert.keyPem });
          })();
        assert.equal((await station.ok('BootNotification', BOOT_16)).status, 'Accepted', `${id} (profile ${profile})`);
        station.onCall = () => ({ status: 'Accepted' });
        stations.push(station);
      }
      const holders = await eventually(() => {
        const seen = new Map<string, string>();
        for (const stream of streams) for (const [id, node] of stream.holders) if (id.startsWith('WK-TLS-')) seen.set(id, node);
        return seen.size === 6 ? seen : undefined;
      }, 5000, 'every TLS station seen connecting');
      assert.equal(new Set(holders.values()).size, 2, `TLS stations on both workers: ${JSON.stringify([...holders])}`);
      // Each API call may land on either worker: twice per station, so commands cross between workers.
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 6; i++) {
          const res = await server.api('POST', `/api/v1/stations/WK-TLS-${i}/commands/ClearCache`, {});
          assert.equal(res.body.status, 'completed', `WK-TLS-${i}: ${JSON.stringify(res.body)}`);
        }
      }
    } finally {
      abort.abort();
      await Promise.all(stations.map((s) => s.close()));
      await server.kill();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(pki.dir, { recursive: true, force: true });
    }
  });

  it('quirk 6 across workers: a newer connection on another worker replaces the older one, and the station stays online', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'joule-workers-'));
    const server = new ServerProcess(await freePort(), dataDir);
    try {
      await server.start({}, ['--workers', '2']);
      // Consecutive connections are handed to the workers in turn, so these land on different workers.
      const older = await RawStation.connect(server.wsUrl, 'WK-DUP');
      await older.ok('BootNotification', BOOT_16);
      const olderClosed = older.waitClose(5000);
      const newer = await RawStation.connect(server.wsUrl, 'WK-DUP');
      await newer.ok('Heartbeat', {});
      assert.equal((await olderClosed).code, 4000, 'the older connection is closed as replaced');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal((await server.api('GET', '/api/v1/stations/WK-DUP')).body.online, true);
      newer.onCall = () => ({ status: 'Accepted' });
      const res = await server.api('POST', '/api/v1/stations/WK-DUP/commands/ClearCache', {});
      assert.equal(res.body.status, 'completed', 'commands reach the newer connection');
      await newer.close();
    } finally {
      await server.kill();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
  it('login limits hold across workers: failed logins are counted in the shared store, whichever worker answers', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'joule-workers-login-'));
    const server = new ServerProcess(await freePort(), dataDir);
    const abort = new AbortController();
    try {
      await server.start({ JOULE_LOGIN_MAX_FAILURES: '4' }, ['--workers', '2']);
      await streamsOnBothWorkers(server.url, abort.signal);
      const created = await server.api('POST', '/api/v1/operators', { username: 'wanda', password: 'Orbit-Lagoon-73-pine', role: 'viewer' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      // Counted per process, two workers would have let 2 x 4 wrong passwords through before answering 429.
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push(await loginOnNewConnection(server.url, 'wanda', `wrong-password-${i}-xyz`));
      assert.deepEqual(statuses, [401, 401, 401, 401, 429, 429]);
      assert.equal(await loginOnNewConnection(server.url, 'wanda', 'Orbit-Lagoon-73-pine'), 429, 'held back even with the right password');
    } finally {
      abort.abort();
      await server.kill();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
