import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assignProtocols, runFleet } from '../../../src/sim/fleet.ts';
import { parseSimArgs, SimUsageError, simCommand } from '../../../src/sim/sim-command.ts';
import { SimStation } from '../../../src/sim/sim-station.ts';
import { SimStation201 } from '../../../src/sim/v201/sim-station-201.ts';
import { delay } from './helpers.ts';
import { MiniCsms } from './mini-csms.ts';

describe('mixed fleets of OCPP 1.6 and 2.0.1 stations', () => {
  let csms: MiniCsms;

  before(async () => {
    csms = await MiniCsms.start({ protocols: ['ocpp1.6', 'ocpp2.0.1'] });
  });

  after(() => csms.close());

  it('assigns versions deterministically, interleaved, each count its share rounded', () => {
    const mix = { 'ocpp1.6': 70, 'ocpp2.0.1': 30 } as const;
    const ten = assignProtocols(10, mix);
    assert.deepEqual(ten, assignProtocols(10, mix), 'the same mix gives the same assignment');
    assert.equal(ten.filter((p) => p === 'ocpp2.0.1').length, 3);
    assert.deepEqual(ten.map((p) => (p === 'ocpp1.6' ? 'a' : 'b')).join(''), 'abaaabaaba', 'the version furthest behind its share goes next');
    const odd = assignProtocols(7, { 'ocpp1.6': 50, 'ocpp2.0.1': 50 });
    assert.ok([3, 4].includes(odd.filter((p) => p === 'ocpp2.0.1').length));
    assert.deepEqual(new Set(assignProtocols(5, { 'ocpp2.0.1': 100 })), new Set(['ocpp2.0.1']));
    assert.throws(() => runFleet({ url: csms.url, stations: 1, mix: { 'ocpp1.6': 60, 'ocpp2.0.1': 30 } }), /add up to 90 %/);
  });

  it('parses --protocol and --mix and refuses mistakes', () => {
    assert.equal(parseSimArgs([]).protocol, 'ocpp1.6');
    assert.equal(parseSimArgs([]).mix, undefined);
    assert.equal(parseSimArgs(['--protocol', 'ocpp2.0.1']).protocol, 'ocpp2.0.1');
    assert.equal(parseSimArgs(['--protocol', '2.0.1']).protocol, 'ocpp2.0.1');
    assert.deepEqual(parseSimArgs(['--mix', '1.6=70,2.0.1=30']).mix, { 'ocpp1.6': 70, 'ocpp2.0.1': 30 });
    assert.deepEqual(parseSimArgs(['--mix', 'ocpp2.0.1=100']).mix, { 'ocpp2.0.1': 100 });
    assert.equal(parseSimArgs(['--protocol', '2.1']).protocol, 'ocpp2.1');
    assert.throws(() => parseSimArgs(['--protocol', 'ocpp3.0']), SimUsageError);
    assert.throws(() => parseSimArgs(['--mix', '1.6=70,2.0.1=20']), /add up to 90 %/);
    assert.deepEqual(parseSimArgs(['--mix', '1.6=70,2.1=30']).mix, { 'ocpp1.6': 70, 'ocpp2.1': 30 });
    assert.throws(() => parseSimArgs(['--mix', '1.6=70,2.2=30']), SimUsageError);
    assert.throws(() => parseSimArgs(['--mix', '1.6=50,1.6=50']), /twice/);
    assert.throws(() => parseSimArgs(['--mix', 'lots']), SimUsageError);
    assert.throws(() => parseSimArgs(['--protocol', 'ocpp1.6', '--mix', '1.6=100']), /either/);
  });

  it('runs 1.6 and 2.0.1 stations side by side with random sessions: sequential ids, both kinds counted, no schema violation', async () => {
    const ended201: string[] = [];
    const ended16: number[] = [];
    const fleet = runFleet({
      url: csms.url,
      stations: 10,
      prefix: 'MIX-',
      mix: { 'ocpp1.6': 60, 'ocpp2.0.1': 40 },
      connectors: 2,
      ratePerSecond: 0,
      speed: 100,
      meterValueSampleInterval: 1,
      randomSessions: { idTags: ['T1', 'T2'], idleSeconds: [1, 3], sessionSeconds: [120, 200], faultProbability: 0 },
      onEvent: (e) => {
        if (e.type === 'session-ended') ended16.push(e.transactionId);
      },
      onEvent201: (e) => {
        if (e.type === 'session-ended') ended201.push(e.transactionId);
      },
    });
    assert.deepEqual(fleet.stations.map((s) => s.id), ['MIX-01', 'MIX-02', 'MIX-03', 'MIX-04', 'MIX-05', 'MIX-06', 'MIX-07', 'MIX-08', 'MIX-09', 'MIX-10']);
    const kinds = fleet.stations.map((s) => (s instanceof SimStation201 ? 'ocpp2.0.1' : 'ocpp1.6'));
    assert.deepEqual(kinds, assignProtocols(10, { 'ocpp1.6': 60, 'ocpp2.0.1': 40 }));
    assert.equal(fleet.stations.filter((s) => s instanceof SimStation).length, 6);
    await fleet.launched;
    const deadline = Date.now() + 6000;
    while ((fleet.stats().booted < 10 || ended16.length < 2 || ended201.length < 2) && Date.now() < deadline) await delay(25);
    const running = fleet.stats();
    assert.equal(running.online, 10);
    assert.equal(running.booted, 10);
    assert.deepEqual([running.byProtocol['ocpp1.6'].stations, running.byProtocol['ocpp2.0.1'].stations], [6, 4]);
    assert.deepEqual([running.byProtocol['ocpp1.6'].booted, running.byProtocol['ocpp2.0.1'].booted], [6, 4]);
    assert.ok(running.byProtocol['ocpp1.6'].sessionsEnded >= 2 && running.byProtocol['ocpp2.0.1'].sessionsEnded >= 2, JSON.stringify(running.byProtocol));
    assert.equal(running.sessionsStarted, running.byProtocol['ocpp1.6'].sessionsStarted + running.byProtocol['ocpp2.0.1'].sessionsStarted);
    assert.equal(running.callErrors + running.callTimeouts, 0);
    for (const station of fleet.stations) {
      assert.equal(csms.versions.get(station.id), station instanceof SimStation201 ? 'ocpp2.0.1' : 'ocpp1.6', `${station.id} spoke its own version`);
    }

    await fleet.stop();
    const stopped = fleet.stats();
    assert.equal(stopped.online, 0);
    assert.equal(stopped.activeSessions, 0);
    const mine = csms.received.filter((c) => c.stationId.startsWith('MIX-'));
    const count = (action: string, match: (payload: Record<string, unknown>) => boolean = () => true): number =>
      mine.filter((c) => c.action === action && match(c.payload)).length;
    assert.equal(count('StopTransaction'), count('StartTransaction'), 'every 1.6 transaction was stopped');
    assert.equal(count('TransactionEvent', (p) => p.eventType === 'Ended'), count('TransactionEvent', (p) => p.eventType === 'Started'), 'every 2.0.1 transaction ended');
    assert.ok(count('TransactionEvent', (p) => p.triggerReason === 'MeterValuePeriodic') > 0 && count('MeterValues') > 0, 'meter data from both kinds');
    assert.deepEqual(csms.violations, [], 'every frame valid against its version');
  });

  it('joule sim --mix prints both kinds in the status lines and the summary', async () => {
    const lines: string[] = [];
    await simCommand(['--url', csms.url, '--stations', '4', '--prefix', 'CMDMIX-', '--mix', '1.6=50,2.0.1=50', '--rate', '0', '--duration', '0.5', '--status-interval', '0.2'], {
      out: (line) => lines.push(line),
      err: (line) => lines.push(`ERR ${line}`),
    });
    assert.match(lines[0] ?? '', /^joule sim: 4 station\(s\) x 2 connector\(s\), ocpp1\.6 50 %, ocpp2\.0\.1 50 % -> /);
    assert.ok(lines.some((l) => /online 4\/4 booted 4 \(1\.6 2\/2, 2\.0\.1 2\/2 online\)/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^ {2}ocpp2\.0\.1 +2 station\(s\)/m.test(l)), lines.join('\n'));
    assert.ok(!lines.some((l) => l.startsWith('ERR')));
    const boots = csms.received.filter((c) => c.stationId.startsWith('CMDMIX-') && c.action === 'BootNotification');
    assert.deepEqual(boots.map((c) => (c.payload.reason === undefined ? '1.6' : '2.0.1')).sort(), ['1.6', '1.6', '2.0.1', '2.0.1']);
    assert.deepEqual(csms.violations, []);
  });
});
