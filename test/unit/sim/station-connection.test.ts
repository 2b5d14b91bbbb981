import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RpcError } from '../../../src/ocpp/rpc/error-codes.ts';
import { CallFailure, StationConnection, type StationConnectionOptions } from '../../../src/sim/station-connection.ts';
import { SimMetrics } from '../../../src/sim/sim-metrics.ts';
import { MiniCsms } from './mini-csms.ts';

describe('StationConnection', () => {
  let csms: MiniCsms;
  const open: StationConnection[] = [];

  before(async () => {
    csms = await MiniCsms.start({ validate: false });
  });

  after(async () => {
    await Promise.all(open.map((c) => c.close()));
    await csms.close();
  });

  function connect(stationId: string, options: Partial<StationConnectionOptions> = {}): Promise<StationConnection> {
    return new Promise((resolve) => {
      const connection = new StationConnection({
        url: csms.url,
        stationId,
        reconnectMinMs: 20,
        reconnectMaxMs: 50,
        ...options,
        onOpen: () => {
          options.onOpen?.();
          resolve(connection);
        },
      });
      open.push(connection);
      connection.connect();
    });
  }

  it('connects to url/id with the ocpp1.6 subprotocol and Basic auth, and gets answers', async () => {
    const connection = await connect('CP 1/A', { password: 'secret' });
    assert.equal(connection.isOpen, true);
    const expected = `Basic ${Buffer.from('CP 1/A:secret').toString('base64')}`;
    assert.equal(csms.authorization.get('CP 1/A'), expected);
    const answer = await connection.call('Heartbeat', {});
    assert.equal(typeof answer.currentTime, 'string');
  });

  it('keeps one CALL in flight: the next goes out only after the answer', async () => {
    let release: () => void = () => undefined;
    csms.responders.set('DataTransfer', () => new Promise((resolve) => (release = () => resolve({ status: 'Accepted' }))));
    const connection = await connect('CP-QUEUE');
    const first = connection.call('DataTransfer', { vendorId: 'a' });
    const second = connection.call('DataTransfer', { vendorId: 'b' });
    await csms.waitFor((c) => c.stationId === 'CP-QUEUE');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(csms.calls('DataTransfer', 'CP-QUEUE').length, 1, 'the second CALL waits for the first answer');
    release();
    assert.deepEqual(await first, { status: 'Accepted' });
    await csms.waitForCount('DataTransfer', 2);
    release();
    assert.deepEqual(await second, { status: 'Accepted' });
    assert.deepEqual(csms.calls('DataTransfer', 'CP-QUEUE').map((c) => c.payload.vendorId), ['a', 'b']);
    csms.responders.delete('DataTransfer');
  });

  it('times out a CALL and rejects a CALLERROR with RpcError', async () => {
    csms.responders.set('Authorize', () => undefined);
    const connection = await connect('CP-TIMEOUT', { callTimeoutMs: 100 });
    await assert.rejects(connection.call('Authorize', { idTag: 'X' }), (e: unknown) => e instanceof CallFailure && e.reason === 'timeout');
    csms.responders.delete('Authorize');
    await connect('CP-ERR', {
      onCall: () => {
        throw new RpcError('NotSupported', 'nope');
      },
    });
    const outcome = await csms.call('CP-ERR', 'Reset', { type: 'Soft' });
    assert.deepEqual(outcome, { ok: false, code: 'NotSupported', description: 'nope' });
  });

  it('reconnects with back-off after the server drops the socket, and counts it', async () => {
    const metrics = new SimMetrics();
    let opens = 0;
    let closes = 0;
    await connect('CP-DROP', { observer: metrics, onOpen: () => opens++, onClose: () => closes++ });
    const pending = new StationConnection({ url: csms.url, stationId: 'unused' });
    assert.equal(pending.isOpen, false);
    await assert.rejects(pending.call('Heartbeat', {}), (e: unknown) => e instanceof CallFailure && e.reason === 'disconnected');
    csms.drop('CP-DROP');
    const deadline = Date.now() + 2000;
    while (opens < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(opens, 2);
    assert.equal(closes, 1);
    const snapshot = metrics.snapshot();
    assert.equal(snapshot.connects, 2);
    assert.equal(snapshot.disconnects, 1);
  });
});
