import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Payload } from '../../../src/ocpp/rpc/frames.ts';
import type { SampledValue } from '../../../src/sim/ocpp16-types.ts';
import { SimStation } from '../../../src/sim/sim-station.ts';
import { bootStation, delay, sequence } from './helpers.ts';
import { MiniCsms } from './mini-csms.ts';

const bootAnswer = (status: string, interval: number) => ({ status, currentTime: new Date().toISOString(), interval });

function samples(payload: Payload): SampledValue[] {
  const meterValue = payload.meterValue as { sampledValue: SampledValue[] }[];
  return meterValue.flatMap((m) => m.sampledValue);
}

function value(list: SampledValue[], measurand: string, phase?: string): number {
  const found = list.find((s) => s.measurand === measurand && s.phase === phase);
  assert.ok(found, `${measurand} ${phase ?? ''} missing`);
  return Number(found.value);
}

describe('SimStation', { concurrency: true }, () => {
  let csms: MiniCsms;
  const stations: SimStation[] = [];

  before(async () => {
    csms = await MiniCsms.start();
    const defaultBoot = csms.responders.get('BootNotification');
    const bootsPerStation = new Map<string, number>();
    csms.responders.set('BootNotification', (payload, stationId) => {
      const n = (bootsPerStation.get(stationId) ?? 0) + 1;
      bootsPerStation.set(stationId, n);
      if (stationId === 'CP-HB') return bootAnswer('Accepted', 1);
      if (stationId === 'CP-PENDING' && n === 1) return bootAnswer('Pending', 1);
      if (stationId === 'CP-REJECTED' && n === 1) return bootAnswer('Rejected', 1);
      return defaultBoot?.(payload, stationId);
    });
    const defaultStart = csms.responders.get('StartTransaction');
    csms.responders.set('Authorize', (payload) => ({ idTagInfo: { status: payload.idTag === 'BLOCKED' ? 'Blocked' : 'Accepted' } }));
    csms.responders.set('StartTransaction', async (payload, stationId) => {
      const answer = (await defaultStart?.(payload, stationId)) ?? {};
      return payload.idTag === 'INVALID-AT-START' ? { ...answer, idTagInfo: { status: 'Invalid' } } : answer;
    });
  });

  after(async () => {
    await Promise.all(stations.map((s) => s.stop({ endSessions: false })));
    await csms.close();
  });

  async function boot(id: string, options: Parameters<typeof bootStation>[2] = {}): Promise<SimStation> {
    const station = await bootStation(csms, id, options);
    stations.push(station);
    return station;
  }

  it('boots, reports connector 0 and each connector Available, then heartbeats at the returned interval', async () => {
    const station = await boot('CP-HB', { vendor: 'Acme', model: 'Fast22', firmwareVersion: '2.3.4' });
    assert.equal(station.registration, 'Accepted');
    assert.equal(station.config.get('HeartbeatInterval'), '1');
    const bootCall = csms.calls('BootNotification', 'CP-HB')[0];
    assert.deepEqual(bootCall?.payload, {
      chargePointVendor: 'Acme',
      chargePointModel: 'Fast22',
      chargePointSerialNumber: 'CP-HB',
      firmwareVersion: '2.3.4',
    });
    const bootedAt = Date.now();
    await csms.waitFor((c) => c.stationId === 'CP-HB' && c.action === 'Heartbeat');
    assert.ok(Date.now() - bootedAt >= 800, 'heartbeat follows the interval');
    assert.deepEqual(sequence(csms, 'CP-HB'), [
      'BootNotification',
      'Status 0 Available',
      'Status 1 Available',
      'Status 2 Available',
      'Heartbeat',
    ]);
    assert.deepEqual(csms.violations, []);
  });

  it('while Pending answers configuration calls, refuses remote start, sends nothing, then boots again', async () => {
    const station = new SimStation({ url: csms.url, id: 'CP-PENDING', stepDelayMs: 5 });
    stations.push(station);
    station.start();
    await csms.waitFor((c) => c.stationId === 'CP-PENDING' && c.action === 'BootNotification');
    await delay(50);
    assert.equal(station.registration, 'Pending');
    const config = await csms.call('CP-PENDING', 'GetConfiguration', { key: ['NumberOfConnectors'] });
    assert.deepEqual(config, { ok: true, payload: { configurationKey: [{ key: 'NumberOfConnectors', readonly: true, value: '2' }] } });
    const remote = await csms.call('CP-PENDING', 'RemoteStartTransaction', { idTag: 'TAG' });
    assert.deepEqual(remote, { ok: true, payload: { status: 'Rejected' } });
    assert.equal((await station.startSession(1, 'TAG')).started, false);
    assert.deepEqual(sequence(csms, 'CP-PENDING'), ['BootNotification']);
    await csms.waitFor((c) => c.stationId === 'CP-PENDING' && c.action === 'StatusNotification' && c.payload.connectorId === 2);
    assert.equal(station.registration, 'Accepted');
    assert.deepEqual(sequence(csms, 'CP-PENDING').slice(0, 2), ['BootNotification', 'BootNotification']);
  });

  it('while Rejected does not answer CS calls and retries Boot after the interval', async () => {
    const station = new SimStation({ url: csms.url, id: 'CP-REJECTED', stepDelayMs: 5 });
    stations.push(station);
    station.start();
    await csms.waitFor((c) => c.stationId === 'CP-REJECTED' && c.action === 'BootNotification');
    await delay(50);
    assert.equal(station.registration, 'Rejected');
    await assert.rejects(csms.call('CP-REJECTED', 'GetConfiguration', {}, 300), /no answer/);
    await csms.waitFor((c) => c.stationId === 'CP-REJECTED' && c.action === 'StatusNotification' && c.payload.connectorId === 2);
    assert.deepEqual(sequence(csms, 'CP-REJECTED').slice(0, 3), ['BootNotification', 'BootNotification', 'Status 0 Available']);
  });

  it('runs a full session: Authorize, StartTransaction, periodic MeterValues, StopTransaction with transactionData', async () => {
    const station = await boot('CP-SESSION', { meterValueSampleInterval: 1, speed: 3600 });
    const from = csms.received.length;
    const result = await station.startSession(1, 'TAG-1');
    assert.ok(result.started);
    assert.equal(station.statusOf(1), 'Charging');
    const meter = await csms.waitFor((c) => c.stationId === 'CP-SESSION' && c.action === 'MeterValues', from);
    assert.equal(meter.payload.connectorId, 1);
    assert.equal(meter.payload.transactionId, result.transactionId);
    const sampled = samples(meter.payload);
    assert.ok(sampled.every((s) => s.context === 'Sample.Periodic'));
    const powerW = value(sampled, 'Power.Active.Import');
    assert.ok(Math.abs(powerW - 11_000) < 1, `EV max power 11 kW, got ${powerW}`);
    assert.ok(value(sampled, 'Energy.Active.Import.Register') > 2000, 'about 1 h of simulated charging at speed 3600');
    for (const phase of ['L1', 'L2', 'L3']) assert.ok(Math.abs(value(sampled, 'Current.Import', phase) - 11_000 / 690) < 0.5);
    assert.ok(Math.abs(value(sampled, 'Voltage') - 230) <= 2);
    assert.ok(value(sampled, 'SoC') > 20);
    assert.equal(sampled.find((s) => s.measurand === 'SoC')?.unit, 'Percent');

    assert.equal(await station.stopSession(1, 'Local'), true);
    await csms.waitFor((c) => c.stationId === 'CP-SESSION' && c.action === 'StatusNotification' && c.payload.status === 'Available', from);
    const start = csms.calls('StartTransaction', 'CP-SESSION')[0]?.payload;
    const stop = csms.calls('StopTransaction', 'CP-SESSION')[0]?.payload;
    assert.ok(start && stop);
    assert.equal(start.meterStart, 0);
    assert.equal(stop.transactionId, result.transactionId);
    assert.equal(stop.reason, 'Local');
    assert.equal(stop.idTag, 'TAG-1');
    assert.ok((stop.meterStop as number) >= value(sampled, 'Energy.Active.Import.Register'));
    const data = stop.transactionData as { sampledValue: SampledValue[] }[];
    assert.deepEqual(data.map((d) => d.sampledValue[0]?.context), ['Transaction.Begin', 'Transaction.End']);
    assert.equal(Number(data[1]?.sampledValue[0]?.value), stop.meterStop);
    assert.deepEqual(sequence(csms, 'CP-SESSION', from), [
      'Status 1 Preparing',
      'Authorize',
      'StartTransaction',
      'Status 1 Charging',
      'MeterValues',
      'StopTransaction',
      'Status 1 Finishing',
      'Status 1 Available',
    ]);
    assert.deepEqual(csms.violations, []);

    const second = await station.startSession(1, 'TAG-1');
    assert.ok(second.started);
    assert.equal(csms.calls('StartTransaction', 'CP-SESSION')[1]?.payload.meterStart, stop.meterStop, 'meterStart continues the register');
    await station.stopSession(1);
  });

  it('abandons a session whose idTag is not Accepted at Authorize or at StartTransaction', async () => {
    const station = await boot('CP-DENY');
    const from = csms.received.length;
    assert.deepEqual(await station.startSession(1, 'BLOCKED'), { started: false, reason: 'Authorize: Blocked' });
    await csms.waitFor((c) => c.stationId === 'CP-DENY' && c.payload.connectorId === 1 && c.payload.status === 'Available', from);
    assert.deepEqual(sequence(csms, 'CP-DENY', from), ['Status 1 Preparing', 'Authorize', 'Status 1 Finishing', 'Status 1 Available']);
    const mid = csms.received.length;
    const result = await station.startSession(2, 'INVALID-AT-START');
    assert.equal(result.started, false);
    await csms.waitFor((c) => c.stationId === 'CP-DENY' && c.payload.connectorId === 2 && c.payload.status === 'Available', mid);
    assert.equal(csms.calls('StopTransaction', 'CP-DENY')[0]?.payload.reason, 'DeAuthorized');
    assert.deepEqual(sequence(csms, 'CP-DENY', mid), [
      'Status 2 Preparing',
      'Authorize',
      'StartTransaction',
      'StopTransaction',
      'Status 2 Finishing',
      'Status 2 Available',
    ]);
    assert.equal(station.statusOf(2), 'Available');
  });
});
