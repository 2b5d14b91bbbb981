import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runFleet, stationIds } from '../../../src/sim/fleet.ts';
import { parseSimArgs, SimUsageError, simCommand } from '../../../src/sim/sim-command.ts';
import { delay } from './helpers.ts';
import { MiniCsms } from './mini-csms.ts';

describe('runFleet', () => {
  let csms: MiniCsms;

  before(async () => {
    csms = await MiniCsms.start();
  });

  after(() => csms.close());

  it('names stations with a prefix and zero padding', () => {
    assert.deepEqual(stationIds('SIM-', 3, 3), ['SIM-001', 'SIM-002', 'SIM-003']);
    assert.deepEqual(stationIds('CP', 2, 0, 9), ['CP9', 'CP10']);
  });

  it('connects stations at the given rate, runs random sessions, counts, and stops gracefully', async () => {
    const fleet = runFleet({
      url: csms.url,
      stations: 12,
      prefix: 'FLEET-',
      connectors: 2,
      ratePerSecond: 100,
      speed: 100,
      randomSessions: { idTags: ['T1', 'T2'], idleSeconds: [1, 3], sessionSeconds: [5, 10], faultProbability: 0 },
    });
    assert.equal(fleet.stations[0]?.id, 'FLEET-01');
    assert.ok(fleet.stats().launched < 12, 'the rate limit lets stations in gradually');
    const began = Date.now();
    await fleet.launched;
    assert.ok(Date.now() - began >= 80, 'about 110 ms for 12 stations at 100/s');
    const deadline = Date.now() + 3000;
    while ((fleet.stats().booted < 12 || fleet.stats().sessionsEnded < 3) && Date.now() < deadline) await delay(20);
    const running = fleet.stats();
    assert.equal(running.online, 12);
    assert.equal(running.booted, 12);
    assert.ok(running.sessionsStarted >= 3 && running.sessionsEnded >= 3, JSON.stringify(running));
    assert.ok(running.messagesSent > 12 * 4 && running.messagesReceived >= running.callsAnswered);
    assert.ok(running.latencyMs.count > 0 && running.latencyMs.p50 > 0);
    assert.equal(running.callErrors + running.callTimeouts, 0);

    await fleet.stop();
    const stopped = fleet.stats();
    assert.equal(stopped.online, 0);
    assert.equal(stopped.activeSessions, 0);
    const starts = csms.received.filter((c) => c.action === 'StartTransaction').length;
    const stops = csms.received.filter((c) => c.action === 'StopTransaction').length;
    assert.equal(stops, starts, 'every transaction got its StopTransaction');
    assert.deepEqual(csms.violations, []);
  });
});

describe('joule sim command', () => {
  it('parses options with defaults and rejects bad values', () => {
    const defaults = parseSimArgs([]);
    assert.equal(defaults.url, 'ws://localhost:8180/ocpp');
    assert.equal(defaults.stations, 1);
    assert.equal(defaults.prefix, 'SIM-');
    assert.equal(defaults.connectors, 2);
    assert.equal(defaults.sessions, false);
    assert.equal(defaults.durationS, undefined);
    const parsed = parseSimArgs(['--stations', '5', '--sessions', '--id-tags', 'a, b', '--speed', '2.5', '--duration', '10']);
    assert.deepEqual([parsed.stations, parsed.sessions, parsed.idTags, parsed.speed, parsed.durationS], [5, true, ['a', 'b'], 2.5, 10]);
    assert.throws(() => parseSimArgs(['--stations', 'many']), SimUsageError);
    assert.throws(() => parseSimArgs(['--stations', '0']), SimUsageError);
    assert.throws(() => parseSimArgs(['--bogus']), SimUsageError);
    assert.throws(() => parseSimArgs(['--url', 'http://x']), SimUsageError);
  });

  it('runs for --duration, prints status lines and a summary', async () => {
    const csms = await MiniCsms.start();
    const lines: string[] = [];
    await simCommand(['--url', csms.url, '--stations', '3', '--prefix', 'CMD-', '--rate', '0', '--duration', '0.4', '--status-interval', '0.15'], {
      out: (line) => lines.push(line),
      err: (line) => lines.push(`ERR ${line}`),
    });
    await csms.close();
    assert.match(lines[0] ?? '', /^joule sim: 3 station\(s\) x 2 connector\(s\)/);
    assert.ok(lines.some((l) => /online 3\/3 booted 3/.test(l)), lines.join('\n'));
    assert.match(lines.at(-1) ?? '', /^Summary after/);
    assert.ok(!lines.some((l) => l.startsWith('ERR')));
    assert.equal(csms.calls('BootNotification').length, 3);
  });
});
