import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bootedStation, harness, type Harness } from './harness.ts';

describe('stations API', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
    await bootedStation(h, 'CP1');
    await h.domain.stations.statusChanged('CP1', { evseId: 0, connectorId: 0, status: 'Available', errorCode: 'NoError' });
    await h.domain.stations.statusChanged('CP1', { evseId: 2, connectorId: 1, status: 'Charging', errorCode: 'NoError' });
    await h.domain.stations.statusChanged('CP1', { evseId: 1, connectorId: 1, status: 'Faulted', errorCode: 'GroundFailure' });
  });
  after(() => h.close());

  it('lists stations as an array of StationView with every field the domain gives', async () => {
    h.bus.claimStation('CP1');
    const res = await h.call('GET', '/api/v1/stations');
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.ok(Array.isArray(body));
    assert.equal(body.length, 1);
    const expected = JSON.parse(JSON.stringify(await h.domain.stations.view('CP1')));
    assert.deepEqual(body[0], expected, 'no field lost in serialization');
    assert.equal(body[0].online, true);
    h.bus.releaseStation('CP1');
  });

  it('gets one station with its identity and connectors', async () => {
    const res = await h.call('GET', '/api/v1/stations/CP1');
    assert.equal(res.statusCode, 200);
    const station = res.json();
    assert.equal(station.id, 'CP1');
    assert.equal(station.online, false);
    assert.equal(station.protocol, 'ocpp1.6');
    assert.equal(station.vendor, 'Acme');
    assert.equal(station.model, 'Volt 22');
    assert.equal(station.serialNumber, 'SN-CP1');
    assert.equal(station.firmwareVersion, '1.2.3');
    assert.equal(typeof station.lastSeen, 'string');
    assert.equal(station.status, 'Available');
    assert.deepEqual(station.evses.map((e: { evseId: number }) => e.evseId), [1, 2]);
    assert.deepEqual(
      { status: station.evses[0].connectors[0].status, errorCode: station.evses[0].connectors[0].errorCode },
      { status: 'Faulted', errorCode: 'GroundFailure' },
    );
  });

  it('answers 404 for an unknown station', async () => {
    for (const path of ['', '/status-history', '/configuration', '/notifications', '/meter-values', '/device-model']) {
      const res = await h.call('GET', `/api/v1/stations/NOPE${path}`);
      assert.equal(res.statusCode, 404, path);
      assert.equal(res.json().error.code, 'not_found');
    }
  });

  it('registers a station on PUT, with the given settings, ignoring the password', async () => {
    const res = await h.call('PUT', '/api/v1/stations/CP2', {
      body: { securityProfile: 1, password: 'a-password-of-some-length', bootPolicy: 'Pending', defaultProtocol: 'ocpp2.0.1', description: 'Bay 4' },
    });
    assert.equal(res.statusCode, 200);
    const station = res.json();
    assert.equal(station.id, 'CP2');
    assert.equal(station.registered, true);
    assert.equal(station.securityProfile, 1);
    assert.equal(station.bootPolicy, 'Pending');
    assert.equal(station.defaultProtocol, 'ocpp2.0.1');
    assert.equal(station.description, 'Bay 4');
    assert.equal(station.password, undefined);
    assert.equal((await h.domain.stations.get('CP2'))?.registered, true);
  });

  it('updates only the fields sent, null clearing one, and accepts an empty body', async () => {
    const cleared = (await h.call('PUT', '/api/v1/stations/CP2', { body: { bootPolicy: null } })).json();
    assert.equal(cleared.bootPolicy, null);
    assert.equal(cleared.securityProfile, 1);
    assert.equal(cleared.description, 'Bay 4');
    const res = await h.call('PUT', '/api/v1/stations/CP3');
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().registered, true);
    const unregistered = await h.call('PUT', '/api/v1/stations/CP3', { body: { registered: false } });
    assert.equal(unregistered.json().registered, false);
  });

  it('registers a station that auto-registered when it booted', async () => {
    assert.equal((await h.domain.stations.get('CP1'))?.registered, false);
    const res = await h.call('PUT', '/api/v1/stations/CP1', { body: {} });
    assert.equal(res.json().registered, true);
    assert.equal(res.json().vendor, 'Acme');
  });

  it('rejects bad station ids and settings with 400', async () => {
    const cases: [string, unknown][] = [
      ['/api/v1/stations/' + 'x'.repeat(49), {}],
      ['/api/v1/stations/CP:1', {}],
      ['/api/v1/stations/CP4', { securityProfile: 4 }],
      ['/api/v1/stations/CP4', { bootPolicy: 'Maybe' }],
      ['/api/v1/stations/CP4', { defaultProtocol: 'ocpp1.5' }],
      ['/api/v1/stations/CP4', { registered: 'yes please' }],
      ['/api/v1/stations/CP4', { validationMode: 'loose' }],
      ['/api/v1/stations/CP4', [1, 2]],
    ];
    for (const [url, body] of cases) {
      const res = await h.call('PUT', url, { body });
      assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(body)}`);
      assert.equal(res.json().error.code, 'invalid_request');
    }
    assert.equal((await h.call('PUT', '/api/v1/stations/' + 'x'.repeat(48), { body: {} })).statusCode, 200);
    assert.equal(await h.domain.stations.get('CP4'), undefined);
  });

  it('sets a station\'s own validation mode, which wins over vendor rules, and null returns it to them (field notes §2 #2)', async () => {
    assert.equal((await h.call('GET', '/api/v1/stations/CP1')).json().validationMode, null, 'no setting of its own by default');
    const rule = await h.call('PUT', '/api/v1/validation-rules/acme', { body: { vendor: 'Acme', mode: 'log-only' } });
    assert.equal(rule.statusCode, 200);
    assert.equal(await h.domain.validation.modeFor(await h.domain.stations.get('CP1')), 'log-only', 'CP1 booted as Acme');

    const res = await h.call('PUT', '/api/v1/stations/CP1', { as: 'operator', body: { validationMode: 'lenient' } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().validationMode, 'lenient');
    assert.equal(res.json().vendor, 'Acme', 'other fields are kept');
    assert.equal((await h.call('GET', '/api/v1/stations/CP1')).json().validationMode, 'lenient');
    assert.equal(await h.domain.validation.modeFor(await h.domain.stations.get('CP1')), 'lenient');

    const unrelated = await h.call('PUT', '/api/v1/stations/CP1', { body: { description: 'Bay 1' } });
    assert.equal(unrelated.json().validationMode, 'lenient', 'absent: left as it is');

    const cleared = await h.call('PUT', '/api/v1/stations/CP1', { body: { validationMode: null } });
    assert.equal(cleared.json().validationMode, null);
    assert.equal(await h.domain.validation.modeFor(await h.domain.stations.get('CP1')), 'log-only', 'the vendor rule again');

    const viewer = await h.call('PUT', '/api/v1/stations/CP1', { as: 'viewer', body: { validationMode: 'strict' } });
    assert.equal(viewer.statusCode, 403);
    assert.equal((await h.domain.stations.get('CP1'))?.validationMode, null);
    assert.equal((await h.call('DELETE', '/api/v1/validation-rules/acme')).statusCode, 204);
  });

  it('shows the status history, limited', async () => {
    const all = (await h.call('GET', '/api/v1/stations/CP1/status-history')).json();
    assert.equal(all.length, 3);
    assert.ok(all.every((s: { stationId: string; receivedAt: string }) => s.stationId === 'CP1' && s.receivedAt));
    const one = await h.call('GET', '/api/v1/stations/CP1/status-history?limit=1');
    assert.equal(one.json().length, 1);
    assert.equal((await h.call('GET', '/api/v1/stations/CP1/status-history?limit=1001')).statusCode, 400);
  });

  it('shows the reported configuration', async () => {
    await h.domain.stations.configurationReported('CP1', [
      { key: 'HeartbeatInterval', value: '300', readonly: false },
      { key: 'NumberOfConnectors', value: '2', readonly: true },
    ]);
    const res = await h.call('GET', '/api/v1/stations/CP1/configuration');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().map((k: { key: string; value: string; readonly: boolean }) => [k.key, k.value, k.readonly]), [
      ['HeartbeatInterval', '300', false],
      ['NumberOfConnectors', '2', true],
    ]);
  });

  it('lists notifications, filtered by type', async () => {
    await h.domain.notifications.record('CP1', 'FirmwareStatusNotification', { status: 'Downloading' });
    await h.domain.notifications.record('CP1', 'SecurityEventNotification', { type: 'ResetOrReboot' });
    const all = (await h.call('GET', '/api/v1/stations/CP1/notifications')).json();
    assert.equal(all.length, 2);
    const firmware = (await h.call('GET', '/api/v1/stations/CP1/notifications?type=FirmwareStatusNotification')).json();
    assert.equal(firmware.length, 1);
    assert.deepEqual(firmware[0].payload, { status: 'Downloading' });
  });

  it('lists the station\'s meter values', async () => {
    await h.domain.metering.record('CP1', {
      evseId: 1,
      connectorId: 1,
      values: [{ timestamp: '2026-01-01T10:00:00.000Z', sampledValues: [
        { value: '1234.5', measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: null, format: null, phase: null, location: null },
        { value: '7200', measurand: 'Power.Active.Import', unit: 'W', context: null, format: null, phase: null, location: null },
      ] }],
    });
    const res = await h.call('GET', '/api/v1/stations/CP1/meter-values?limit=10');
    assert.equal(res.statusCode, 200);
    const rows = res.json();
    assert.equal(rows.length, 2);
    assert.ok(rows.some((r: { measurand: string; numericValue: number }) => r.measurand === 'Energy.Active.Import.Register' && r.numericValue === 1234.5));
  });
});
