import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { bootedStation, RawStation } from './support/raw-station.ts';
import { eventually, startTestServer } from './support/test-server.ts';
import { rawUpgrade } from './support/raw-upgrade.ts';

function handshake(url: string, protocols?: string | string[]): Promise<{ status?: number; ws?: WebSocket; error?: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, protocols);
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
    ws.once('error', (err) => resolve({ error: err.message }));
  });
}


describe('gateway: connections', () => {
  it('negotiates ocpp1.6 from a list in the station order of preference, and refuses unsupported ones', async () => {
    const server = await startTestServer();
    try {
      const st = await RawStation.connect(server.wsUrl, 'CP-NEG', ['ocpp1.5', 'ocpp1.6']);
      assert.equal(st.protocol, 'ocpp1.6');
      await st.close();
      const upgrade = await rawUpgrade(`${server.wsUrl}/CP-NEG2`, { 'Sec-WebSocket-Protocol': 'ocpp1.5' });
      assert.deepEqual(upgrade, { status: 101, protocol: undefined }, 'the handshake completes without a subprotocol (OCPP-J §3.1) ...');
      const { error } = await handshake(`${server.wsUrl}/CP-NEG3`, ['ocpp1.5']);
      assert.match(error ?? '', /no subprotocol/i, '... so a client that insists on one gives up');
    } finally {
      await server.stop();
    }
  });

  it('quirk 1: a station that offers no subprotocol is refused, or served its configured protocol', async () => {
    const server = await startTestServer();
    try {
      const refused = await handshake(`${server.wsUrl}/CP-NOPROTO`);
      assert.ok(refused.ws);
      assert.equal(await new Promise<number>((r) => refused.ws!.once('close', (code) => r(code))), 1002, 'closed at once: no protocol to speak');
      await server.api('PUT', '/api/v1/stations/CP-NOPROTO', { defaultProtocol: 'ocpp1.6' });
      const st = await RawStation.connect(server.wsUrl, 'CP-NOPROTO', []);
      assert.equal((await st.ok('BootNotification', { chargePointVendor: 'Grizzl-E', chargePointModel: 'Smart' })).status, 'Accepted');
      assert.equal((await server.api('GET', '/api/v1/stations/CP-NOPROTO')).body.protocol, 'ocpp1.6');
      await st.close();
    } finally {
      await server.stop();
    }
  });

  it('quirk 2: a subprotocol list with a leading comma is accepted', async () => {
    const server = await startTestServer();
    try {
      assert.deepEqual(await rawUpgrade(`${server.wsUrl}/CP-COMMA`, { 'Sec-WebSocket-Protocol': ',ocpp1.6' }), { status: 101, protocol: 'ocpp1.6' });
      // Both offered: the station's first preference wins (all three versions are spoken on this port).
      assert.deepEqual(await rawUpgrade(`${server.wsUrl}/CP-COMMA`, { 'Sec-WebSocket-Protocol': 'ocpp2.0.1, ocpp1.6,' }), { status: 101, protocol: 'ocpp2.0.1' });
      // ... unless the operator configured the station's protocol (field notes §3 #2: prefer the configured version).
      await server.api('PUT', '/api/v1/stations/CP-PINNED', { defaultProtocol: 'ocpp1.6' });
      assert.deepEqual(await rawUpgrade(`${server.wsUrl}/CP-PINNED`, { 'Sec-WebSocket-Protocol': ' ,ocpp2.0.1, ocpp1.6' }), { status: 101, protocol: 'ocpp1.6' });
    } finally {
      await server.stop();
    }
  });

  it('the station id is percent-decoded and limited to 48 characters', async () => {
    const server = await startTestServer();
    try {
      const st = await bootedStation(server.wsUrl, 'RDAM 123');
      assert.equal((await server.api('GET', `/api/v1/stations/${encodeURIComponent('RDAM 123')}`)).body.id, 'RDAM 123');
      await st.close();
      assert.equal((await handshake(`${server.wsUrl}/${'x'.repeat(49)}`, 'ocpp1.6')).status, 400);
      assert.equal((await handshake(`ws://127.0.0.1:${server.port}/elsewhere/CP1`, 'ocpp1.6')).status, 404);
    } finally {
      await server.stop();
    }
  });

  it('JOULE_UNKNOWN_STATIONS=reject: unknown stations get HTTP 404 at the upgrade; registered ones connect', async () => {
    const server = await startTestServer({ JOULE_UNKNOWN_STATIONS: 'reject' });
    try {
      assert.equal((await handshake(`${server.wsUrl}/CP-STRANGER`, 'ocpp1.6')).status, 404);
      await server.api('PUT', '/api/v1/stations/CP-KNOWN', {});
      const st = await bootedStation(server.wsUrl, 'CP-KNOWN');
      await st.close();
    } finally {
      await server.stop();
    }
  });

  it('quirk 6: a newer connection for the same station replaces the older one, which is closed', async () => {
    const server = await startTestServer();
    try {
      const old = await bootedStation(server.wsUrl, 'CP-DUP');
      const oldClosed = old.waitClose();
      const fresh = await bootedStation(server.wsUrl, 'CP-DUP');
      assert.equal((await oldClosed).code, 4000);
      assert.ok((await fresh.ok('Heartbeat', {})).currentTime);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await server.api('GET', '/api/v1/stations/CP-DUP')).body.online, true, 'the old socket closing does not take the station offline');
      await fresh.close();
    } finally {
      await server.stop();
    }
  });

  it('quirk 7: a station that stops answering pings is dropped and shown offline', async () => {
    const server = await startTestServer({ JOULE_PING_INTERVAL: '1' });
    try {
      const st = await bootedStation(server.wsUrl, 'CP-SILENT');
      // Simulate a dead link: the client stops answering pings (ws answers them automatically by default).
      (st.ws as unknown as { _autoPong: boolean })._autoPong = false;
      await eventually(async () => (await server.api('GET', '/api/v1/stations/CP-SILENT')).body.online === false, 5000, 'offline after missed pong');
    } finally {
      await server.stop();
    }
  });

  it('a station that sends no OCPP message within the idle timeout is considered offline', async () => {
    const server = await startTestServer({ JOULE_IDLE_TIMEOUT: '1', JOULE_PING_INTERVAL: '0' });
    try {
      const st = await bootedStation(server.wsUrl, 'CP-IDLE');
      const closed = await st.waitClose(5000);
      assert.ok(closed.code !== 1000);
      assert.equal((await server.api('GET', '/api/v1/stations/CP-IDLE')).body.online, false);
    } finally {
      await server.stop();
    }
  });

  it('station connection and disconnection are published as events', async () => {
    const server = await startTestServer();
    try {
      const seen: string[] = [];
      const off = server.domain.bus.subscribe((e) => { if (e.stationId === 'CP-EVT') seen.push(e.type); });
      const st = await bootedStation(server.wsUrl, 'CP-EVT');
      await st.close();
      await eventually(() => seen.includes('station.disconnected'), 3000, 'disconnected event');
      assert.deepEqual(seen.slice(0, 2), ['station.connected', 'station.booted']);
      off();
    } finally {
      await server.stop();
    }
  });

  it('reconnect storm: connections arriving while the server is busy are queued (JOULE_LISTEN_BACKLOG), not dropped', async () => {
    // 1,200 stations connect while the event loop is busy (blocked here for 300 ms). The kernel completes the TCP
    // handshakes into the listener's accept queue on its own; a handshake that finds the queue full is dropped, and
    // that station's connect only succeeds on its retry, a second or more later.
    const storm = async (server: { port: number }, count: number): Promise<{ atOnce: number; all: number }> => {
      const sockets: Socket[] = [];
      const connected: number[] = [];
      try {
        await new Promise<void>((resolve, reject) => {
          for (let index = 0; index < count; index += 1) {
            const socket = connect({ host: '127.0.0.1', port: server.port });
            socket.once('connect', () => {
              connected.push(performance.now());
              if (connected.length === count) resolve();
            });
            socket.once('error', reject);
            sockets.push(socket);
          }
          const busyUntil = performance.now() + 300;
          while (performance.now() < busyUntil) { /* the server is busy */ }
        });
        const first = Math.min(...connected);
        return { atOnce: connected.filter((at) => at - first < 500).length, all: connected.length };
      } finally {
        for (const socket of sockets) socket.destroy();
      }
    };
    const server = await startTestServer();
    try {
      const { atOnce, all } = await storm(server, 1200);
      assert.equal(all, 1200);
      assert.equal(atOnce, 1200, 'every handshake was queued while the server was busy (default backlog 4096)');
    } finally {
      await server.stop();
    }
    const small = await startTestServer({ JOULE_LISTEN_BACKLOG: '100' });
    try {
      const { atOnce, all } = await storm(small, 1200);
      assert.equal(all, 1200, 'the dropped handshakes succeed on their retry');
      assert.ok(atOnce < 1200, `with a queue of 100 some handshakes were dropped and retried later (${atOnce} at once)`);
    } finally {
      await small.stop();
    }
  });
});
