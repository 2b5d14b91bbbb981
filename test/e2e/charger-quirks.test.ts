/**
 * Charger quirks of `../shared/field-notes.md` §3, end to end: one test per quirk, with real servers and real sockets,
 * asserting what the station receives and what Joule stored (read back through the REST API). This file holds the
 * message-shape quirks and the three validation modes (strict refuses, lenient normalises, log-only accepts);
 * charger-quirks-connections.test.ts holds the connection and registration quirks, charger-quirks-transactions.test.ts
 * the transaction-integrity ones.
 *
 * Quirks without a test here, and why:
 * - #1 (no subprotocol) and #2 (odd subprotocol lists): short tests in charger-quirks-connections.test.ts; the full
 *   negotiation is covered by gateway-connections.test.ts "quirk 1" and "quirk 2".
 * - #3 missing `Connection: Upgrade`: Node's HTTP server does not emit 'upgrade' for such a request (it is an ordinary
 *   GET, answered 404 by the REST routes), so it never reaches the gateway; the fix is in the proxy in front (field
 *   notes: "or document the proxy fix").
 * - #4 legacy TLS / pinned roots / TLS termination at a proxy, #5 basic-auth password forms, #31 client certificate CN
 *   binding: security profiles are later (security) work; Joule does not authenticate stations yet.
 * - #7 silent drop without FIN: gateway-connections.test.ts "quirk 7" (missed pong -> offline) and its idle-timeout
 *   test; the Zaptec/Easee HeartbeatInterval 86400 side of liveness is in charger-quirks-connections.test.ts.
 * - #22 limits only in the station's rate unit (Keba mA, W-only RateUnit), and Autel's Absolute ChargePointMaxProfile
 *   only: unit conversion per station is smart-charging work that is not there yet.
 * - #32 station does not reconnect after a CSMS restart: an operations matter (zero-downtime deploys), nothing a
 *   single central system process can assert.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawStation } from './support/raw-station.ts';
import { eventually, startTestServer, type TestServer } from './support/test-server.ts';
import { putValidationRule, setStationMode, type SettingPath } from './support/validation-settings.ts';

const NOW = Date.now();
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

type Frame = unknown[];

/** Connects a 1.6 station and sends `boot` as its BootNotification; returns the station and the reply frame. */
async function boot16(server: TestServer, id: string, boot: Record<string, unknown>): Promise<{ st: RawStation; reply: Frame }> {
  const st = await RawStation.connect(server.wsUrl, id, 'ocpp1.6');
  return { st, reply: await st.call('BootNotification', boot) };
}

function assertAccepted(reply: Frame, what: string): any {
  assert.equal(reply[0], 3, `${what}: a CALLRESULT, got ${JSON.stringify(reply)}`);
  return reply[2];
}

function assertCallError(reply: Frame, code: string, what: string): void {
  assert.equal(reply[0], 4, `${what}: a CALLERROR, got ${JSON.stringify(reply)}`);
  assert.equal(reply[2], code, `${what}: ${JSON.stringify(reply)}`);
}

const station = async (server: TestServer, id: string) => (await server.api('GET', `/api/v1/stations/${encodeURIComponent(id)}`)).body;
const connector = async (server: TestServer, id: string, evseId: number) =>
  (await station(server, id)).evses.find((e: any) => e.evseId === evseId)?.connectors[0];
const stationMeterValues = async (server: TestServer, id: string) =>
  (await server.api('GET', `/api/v1/stations/${encodeURIComponent(id)}/meter-values?limit=500`)).body as any[];

describe('charger quirks: message shapes and validation modes (strict | lenient | log-only)', () => {
  let server: TestServer;
  const paths = new Set<SettingPath>();
  const stations: RawStation[] = [];
  const track = (st: RawStation) => {
    stations.push(st);
    return st;
  };

  before(async () => {
    server = await startTestServer();
    // Vendor rules: a make of station gets a mode from what its BootNotification names (field notes §2 #2).
    paths.add(await putValidationRule(server, { id: 'abb-terra', vendor: 'ABB', model: 'Terra AC', mode: 'lenient' }));
    paths.add(await putValidationRule(server, { id: 'legrand', vendor: 'Legrand', mode: 'lenient' }));
    paths.add(await putValidationRule(server, { id: 'schneider', vendor: 'Schneider Electric', mode: 'lenient' }));
    paths.add(await putValidationRule(server, { id: 'hici', vendor: 'HICI', mode: 'lenient' }));
    paths.add(await putValidationRule(server, { id: 'microocpp', vendor: 'MicroOcpp', firmwarePrefix: '1.0', mode: 'lenient' }));
  });
  after(async () => {
    for (const st of stations) await st.close();
    await server.stop();
  });

  it('quirk #8 invalid timestamps (ABB Terra): StatusNotification with 2022-02-29, info "null", vendorErrorCode "0x00" is stored as sent in strict mode and clamped to 2022-02-28 in lenient and log-only mode', async (t) => {
    // The real ABB Terra frame (lbbrhzn/ocpp #169 #1275, steve#769).
    const abbStatus = { connectorId: 1, errorCode: 'NoError', info: 'null', status: 'Available', timestamp: '2022-02-29T10:15:00Z', vendorId: 'ABB', vendorErrorCode: '0x00' };
    const abbBoot = { chargePointVendor: 'ABB', chargePointModel: 'Terra AC', chargePointSerialNumber: 'TACW2240-0001', firmwareVersion: '1.6.6' };

    paths.add(await setStationMode(server, 'CP-ABB-STRICT', 'strict'));
    paths.add(await setStationMode(server, 'CP-ABB-LOGONLY', 'log-only'));
    const stored: Record<string, any> = {};
    for (const id of ['CP-ABB-STRICT', 'CP-ABB-LENIENT', 'CP-ABB-LOGONLY']) {
      const { st, reply } = await boot16(server, id, abbBoot);
      track(st);
      assert.equal(assertAccepted(reply, `${id} boot`).status, 'Accepted');
      assert.deepEqual(assertAccepted(await st.call('StatusNotification', abbStatus), `${id} StatusNotification`), {});
      stored[id] = await connector(server, id, 1);
    }
    // strict: the schemas are compiled without format checks, so the message is valid and kept exactly as sent.
    assert.equal(stored['CP-ABB-STRICT'].timestamp, '2022-02-29T10:15:00Z');
    // lenient (by the ABB Terra AC vendor rule) and log-only (the station's own setting): the day that does not exist
    // is clamped to the last day of February, so it is not read as 1 March later.
    assert.equal(stored['CP-ABB-LENIENT'].timestamp, '2022-02-28T10:15:00.000Z');
    assert.equal(stored['CP-ABB-LOGONLY'].timestamp, '2022-02-28T10:15:00.000Z');
    for (const id of Object.keys(stored)) {
      assert.equal(stored[id].status, 'Available', id);
      assert.equal(stored[id].info, 'null', `${id}: the string "null" is a valid info text, kept (only JSON null means no value)`);
      assert.equal(stored[id].vendorErrorCode, '0x00', `${id}: hex stays text`);
    }
    t.diagnostic(`validation settings applied via: ${[...paths].join(', ')}`);
  });

  it('quirk #8 odd timestamp spellings (no milliseconds, no zone, space instead of T, +0100): lenient reads them as UTC ISO 8601; a well-formed one with an offset is kept as sent', async () => {
    const { st, reply } = await boot16(server, 'CP-ABB-SPELLINGS', { chargePointVendor: 'ABB', chargePointModel: 'Terra AC' });
    track(st);
    assert.equal(assertAccepted(reply, 'boot').status, 'Accepted');
    const cases: [string, string][] = [
      ['2026-11-21 09:00:00', '2026-11-21T09:00:00.000Z'],
      ['2026-11-21T10:00:00+0100', '2026-11-21T09:00:00.000Z'],
      ['2026-11-21T09:00Z', '2026-11-21T09:00:00.000Z'],
      ['2026-11-21T10:00:00+01:00', '2026-11-21T10:00:00+01:00'],
    ];
    for (const [connectorId, [sent, expected]] of cases.entries()) {
      const status = { connectorId: connectorId + 1, errorCode: 'NoError', status: 'Available', timestamp: sent };
      assert.deepEqual(assertAccepted(await st.call('StatusNotification', status), sent), {});
      assert.equal((await connector(server, 'CP-ABB-SPELLINGS', connectorId + 1)).timestamp, expected, sent);
    }
  });

  it('quirk #8 unreadable timestamp: lenient accepts a StatusNotification whose timestamp is no date at all and records the server receive time instead', async () => {
    const { st, reply } = await boot16(server, 'CP-ABB-NODATE', { chargePointVendor: 'ABB', chargePointModel: 'Terra AC' });
    track(st);
    assert.equal(assertAccepted(reply, 'boot').status, 'Accepted');
    const before = Date.now();
    assert.deepEqual(assertAccepted(await st.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: '0000-00-00T00:00:00' }), 'status'), {});
    const stored = await connector(server, 'CP-ABB-NODATE', 1);
    assert.ok(Number.isFinite(Date.parse(stored.timestamp)), `a readable time, got ${stored.timestamp}`);
    assert.ok(Date.parse(stored.timestamp) >= before - 1000, 'the receive time (field notes: fall back to server receive time)');
  });

  it('quirk #9 out-of-spec enums (Legrand GreenUp): errorCode "Error" is refused in strict mode, mapped to OtherError in lenient and log-only mode', async () => {
    const legrandBoot = { chargePointVendor: 'Legrand', chargePointModel: 'GreenUp Premium', firmwareVersion: '3.2.0' };
    // The Legrand frame (lbbrhzn/ocpp #1248).
    const legrandStatus = { connectorId: 1, errorCode: 'Error', status: 'Faulted', timestamp: ago(5) };
    paths.add(await setStationMode(server, 'CP-LEGRAND-STRICT', 'strict'));
    paths.add(await setStationMode(server, 'CP-LEGRAND-LOGONLY', 'log-only'));

    const strict = await boot16(server, 'CP-LEGRAND-STRICT', legrandBoot);
    track(strict.st);
    assertCallError(await strict.st.call('StatusNotification', legrandStatus), 'PropertyConstraintViolation', 'strict');
    assert.equal(await connector(server, 'CP-LEGRAND-STRICT', 1), undefined, 'strict: nothing stored');

    for (const id of ['CP-LEGRAND-LENIENT', 'CP-LEGRAND-LOGONLY']) {
      const { st } = await boot16(server, id, legrandBoot);
      track(st);
      assert.deepEqual(assertAccepted(await st.call('StatusNotification', legrandStatus), id), {});
      const stored = await connector(server, id, 1);
      assert.equal(stored.status, 'Faulted', id);
      assert.equal(stored.errorCode, 'OtherError', `${id}: "an error without saying which" is what OtherError means`);
    }
  });

  it('quirk #9 unknown enum values: a descriptive one (errorCode, measurand Request.Energy) is kept as sent in lenient mode; an unknown status is refused in lenient mode and kept in log-only mode', async () => {
    paths.add(await setStationMode(server, 'CP-ENUM-LOGONLY', 'log-only'));
    const lenient = track((await boot16(server, 'CP-ENUM-LENIENT', { chargePointVendor: 'Legrand', chargePointModel: 'GreenUp' })).st);
    const logOnly = track((await boot16(server, 'CP-ENUM-LOGONLY', { chargePointVendor: 'Legrand', chargePointModel: 'GreenUp' })).st);

    // errorCode only describes the fault: an unknown one is kept and reported.
    assert.deepEqual(assertAccepted(await lenient.call('StatusNotification', { connectorId: 1, errorCode: 'RcdTripped', status: 'Faulted' }), 'errorCode'), {});
    assert.equal((await connector(server, 'CP-ENUM-LENIENT', 1)).errorCode, 'RcdTripped');

    // A connector status decides what Joule does with the message: lenient refuses an unknown one, log-only keeps it.
    const occupied = { connectorId: 2, errorCode: 'NoError', status: 'Occupied' };
    assertCallError(await lenient.call('StatusNotification', occupied), 'PropertyConstraintViolation', 'lenient, unknown status');
    assert.equal(await connector(server, 'CP-ENUM-LENIENT', 2), undefined);
    assert.deepEqual(assertAccepted(await logOnly.call('StatusNotification', occupied), 'log-only, unknown status'), {});
    assert.equal((await connector(server, 'CP-ENUM-LOGONLY', 2)).status, 'Occupied');

    // measurand Request.Energy (lbbrhzn/ocpp #361) is no OCPP measurand and is not mapped: kept as sent.
    const meter = { connectorId: 1, meterValue: [{ timestamp: ago(30), sampledValue: [{ value: '7400', measurand: 'Request.Energy', unit: 'Wh' }, { value: '21.5', measurand: 'Temperature', unit: 'Celcius' }] }] };
    assert.deepEqual(assertAccepted(await lenient.call('MeterValues', meter), 'Request.Energy'), {});
    const values = await stationMeterValues(server, 'CP-ENUM-LENIENT');
    assert.equal(values.find((v) => v.measurand === 'Request.Energy')?.value, '7400');
    // "Celcius" is in the 1.6 schema itself (the specification misspelt it): valid, never rewritten.
    assert.equal(values.find((v) => v.measurand === 'Temperature')?.unit, 'Celcius');
  });

  it('quirk #9 unknown enum values in strict mode: measurand Request.Energy is refused with PropertyConstraintViolation; "Celcius" is accepted', async () => {
    paths.add(await setStationMode(server, 'CP-ENUM-STRICT', 'strict'));
    const st = track((await boot16(server, 'CP-ENUM-STRICT', { chargePointVendor: 'Legrand', chargePointModel: 'GreenUp' })).st);
    const request = { connectorId: 1, meterValue: [{ timestamp: ago(30), sampledValue: [{ value: '7400', measurand: 'Request.Energy', unit: 'Wh' }] }] };
    assertCallError(await st.call('MeterValues', request), 'PropertyConstraintViolation', 'strict, Request.Energy');
    const celcius = { connectorId: 1, meterValue: [{ timestamp: ago(20), sampledValue: [{ value: '21.5', measurand: 'Temperature', unit: 'Celcius' }] }] };
    assert.deepEqual(assertAccepted(await st.call('MeterValues', celcius), 'strict, Celcius'), {});
    const values = await stationMeterValues(server, 'CP-ENUM-STRICT');
    assert.deepEqual(values.map((v) => [v.measurand, v.unit]), [['Temperature', 'Celcius']]);
  });

  it('quirk #9 wrong context (Alfen Eve): a valid context at the wrong time (Transaction.Begin in a periodic MeterValues) is stored as sent and does not move the transaction\'s start', async () => {
    await server.api('PUT', '/api/v1/id-tokens/ALFEN-TAG', { status: 'Accepted' });
    const st = track((await boot16(server, 'CP-ALFEN', { chargePointVendor: 'Alfen BV', chargePointModel: 'NG910-60023' })).st);
    const started = assertAccepted(await st.call('StartTransaction', { connectorId: 1, idTag: 'ALFEN-TAG', meterStart: 15_000, timestamp: ago(600) }), 'start');
    const meter = { connectorId: 1, transactionId: started.transactionId, meterValue: [{ timestamp: ago(300), sampledValue: [{ value: '15800', context: 'Transaction.Begin', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }] };
    assert.deepEqual(assertAccepted(await st.call('MeterValues', meter), 'MeterValues'), {});
    const tx = (await server.api('GET', `/api/v1/transactions/${started.transactionId}`)).body;
    assert.equal(tx.meterStartWh, 15_000, 'the StartTransaction meterStart stays the baseline');
    assert.equal(tx.lastMeterWh, 15_800);
    const values = (await server.api('GET', `/api/v1/transactions/${started.transactionId}/meter-values`)).body;
    assert.deepEqual(values.map((v: any) => [v.context, v.numericValue]), [['Transaction.Begin', 15_800]]);
  });

  it('quirk #10 over-long strings (Schneider EVlink, HICI): a BootNotification with a 33-character chargeBoxSerialNumber or a 23-character chargePointModel is refused in strict mode, accepted in lenient and log-only mode and stored truncated', async () => {
    const serial33 = 'EVB1A22P4KI-3N1937101910002000000';
    assert.equal(serial33.length, 33);
    const schneider = { chargePointVendor: 'Schneider Electric', chargePointModel: 'EVlink Pro AC', chargeBoxSerialNumber: serial33, firmwareVersion: '3.4.0.12' };
    const model23 = 'HICI-EVSE-AC22-3P-TYPE2';
    assert.equal(model23.length, 23);
    const hici = { chargePointVendor: 'HICI', chargePointModel: model23, chargePointSerialNumber: 'HC2201' };

    paths.add(await setStationMode(server, 'CP-EVLINK-STRICT', 'strict'));
    paths.add(await setStationMode(server, 'CP-EVLINK-LOGONLY', 'log-only'));
    const strict = await boot16(server, 'CP-EVLINK-STRICT', schneider);
    track(strict.st);
    assertCallError(strict.reply, 'PropertyConstraintViolation', 'strict boot');
    assert.equal((await station(server, 'CP-EVLINK-STRICT')).registrationStatus, null, 'strict: the boot was not taken');

    for (const id of ['CP-EVLINK-LENIENT', 'CP-EVLINK-LOGONLY']) {
      const { st, reply } = await boot16(server, id, schneider);
      track(st);
      assert.equal(assertAccepted(reply, id).status, 'Accepted', `${id}: never reject a boot over lengths`);
      const stored = await station(server, id);
      assert.equal(stored.serialNumber, serial33.slice(0, 25), `${id}: cut to the 1.6 maxLength 25`);
      assert.equal(stored.vendor, 'Schneider Electric');
      assert.equal(stored.registrationStatus, 'Accepted');
    }

    const { st, reply } = await boot16(server, 'CP-HICI', hici);
    track(st);
    assert.equal(assertAccepted(reply, 'HICI boot').status, 'Accepted');
    assert.equal((await station(server, 'CP-HICI')).model, model23.slice(0, 20), 'cut to the 1.6 maxLength 20');
  });

  it('quirk #10 over-long strings: StatusNotification info over 50 characters is stored truncated in lenient mode; an over-long idTag is refused even in lenient mode (identifiers are never cut)', async () => {
    const st = track((await boot16(server, 'CP-EVLINK-INFO', { chargePointVendor: 'Schneider Electric', chargePointModel: 'EVlink Pro AC' })).st);
    const info = 'Ground fault detected on phase L2, contactor opened, retry in 60s';
    assert.ok(info.length > 50);
    assert.deepEqual(assertAccepted(await st.call('StatusNotification', { connectorId: 1, errorCode: 'GroundFailure', info, status: 'Faulted' }), 'status'), {});
    assert.equal((await connector(server, 'CP-EVLINK-INFO', 1)).info, info.slice(0, 50));
    // A prefix of an id token is a different token: cutting it could authorize someone else.
    assertCallError(await st.call('Authorize', { idTag: '04A2B3C4D5E6F708192A3' }), 'PropertyConstraintViolation', '21-character idTag');
  });

  it('quirk #10 over-long model matched by a vendor+model rule: the rule written with the model as the charger sends it still applies after the boot stored the model truncated', async () => {
    const model23 = 'HICI-EVSE-AC11-1P-TYPE2';
    paths.add(await putValidationRule(server, { id: 'hici-ac11', vendor: 'HICI-B', model: model23, mode: 'lenient' }));
    const { st, reply } = await boot16(server, 'CP-HICI-MODEL-RULE', { chargePointVendor: 'HICI-B', chargePointModel: model23 });
    track(st);
    assert.equal(assertAccepted(reply, 'boot').status, 'Accepted', 'the boot itself is matched by the rule');
    // The next non-conformant message of the same station must be judged by the same rule.
    assert.deepEqual(assertAccepted(await st.call('StatusNotification', { connectorId: 1, errorCode: 'Error', status: 'Faulted' }), 'status after boot'), {});
  });

  it('quirk #10 empty strings (Huawei SCharger): a BootNotification with chargePointVendor "" is accepted in strict mode and stored as sent; it matches no vendor rule, so the station\'s own setting gives it its mode', async () => {
    // The Huawei frame (evcc-io/evcc #32170 #19001).
    const huawei = { chargePointVendor: '', chargePointModel: 'SCharger-7KS0', chargePointSerialNumber: '2102313287N0M2000012', firmwareVersion: 'V100R001C10SPC103' };
    const { st, reply } = await boot16(server, 'CP-HUAWEI', huawei);
    track(st);
    assert.equal(assertAccepted(reply, 'boot').status, 'Accepted', 'no minimum length in the 1.6 schema: valid');
    const stored = await station(server, 'CP-HUAWEI');
    assert.deepEqual([stored.vendor, stored.model, stored.registrationStatus], ['', 'SCharger-7KS0', 'Accepted']);
    const faulted = { connectorId: 1, errorCode: 'Error', status: 'Faulted' };
    assertCallError(await st.call('StatusNotification', faulted), 'PropertyConstraintViolation', 'no vendor to match: the server default (strict)');
    paths.add(await setStationMode(server, 'CP-HUAWEI', 'lenient'));
    assert.deepEqual(assertAccepted(await st.call('StatusNotification', faulted), 'with its own lenient setting'), {});
    assert.equal((await connector(server, 'CP-HUAWEI', 1)).errorCode, 'OtherError');
  });

  it('quirk #11 numbers where strings are required (MicroOcpp): sampledValue.value 0.0 is refused with TypeConstraintViolation in strict mode and stored as "0" in lenient mode', async () => {
    paths.add(await setStationMode(server, 'CP-MICRO-STRICT', 'strict'));
    const boot = { chargePointVendor: 'MicroOcpp', chargePointModel: 'ESP32 Demo', firmwareVersion: '1.0.3' };
    const strict = track((await boot16(server, 'CP-MICRO-STRICT', boot)).st);
    const lenient = track((await boot16(server, 'CP-MICRO-LENIENT', boot)).st);
    // Sent as text so that 0.0 stays a JSON number exactly as the charger wrote it.
    const frame = (id: string) => `[2,"${id}","MeterValues",{"connectorId":1,"meterValue":[{"timestamp":"${ago(60)}","sampledValue":[{"value":0.0,"measurand":"Power.Active.Import","unit":"W"},{"value":230.1,"measurand":"Voltage","unit":"V"}]}]}]`;
    strict.sendText(frame('num-strict'));
    assertCallError(await strict.next('num-strict'), 'TypeConstraintViolation', 'strict');
    assert.deepEqual(await stationMeterValues(server, 'CP-MICRO-STRICT'), []);

    lenient.sendText(frame('num-lenient'));
    assert.deepEqual(assertAccepted(await lenient.next('num-lenient'), 'lenient'), {});
    const values = await stationMeterValues(server, 'CP-MICRO-LENIENT');
    const power = values.find((v) => v.measurand === 'Power.Active.Import');
    assert.equal(power.value, '0', 'coerced to its string');
    assert.equal(power.numericValue, 0);
    assert.equal(values.find((v) => v.measurand === 'Voltage').value, '230.1');
  });

  it('quirk #11 Wallbox Pulsar: a pretty-printed multi-line frame with meter value "2e+01" is accepted in strict mode and read as 20', async () => {
    await server.api('PUT', '/api/v1/id-tokens/WALLBOX-TAG', { status: 'Accepted' });
    const st = track((await boot16(server, 'CP-WALLBOX', { chargePointVendor: 'Wall Box Chargers', chargePointModel: 'PLP1-0-2-4-9-002' })).st);
    const started = assertAccepted(await st.call('StartTransaction', { connectorId: 1, idTag: 'WALLBOX-TAG', meterStart: 0, timestamp: ago(120) }), 'start');
    // As the Wallbox sends it (lbbrhzn/ocpp #2): indented JSON over several lines.
    st.sendText(`[
    2,
    "wallbox-mv-1",
    "MeterValues",
    {
        "connectorId": 1,
        "transactionId": ${started.transactionId},
        "meterValue": [
            {
                "timestamp": "${ago(60)}",
                "sampledValue": [
                    {
                        "value": "2e+01",
                        "context": "Sample.Periodic",
                        "measurand": "Energy.Active.Import.Register",
                        "unit": "Wh"
                    },
                    {
                        "value": "1.6e+01",
                        "measurand": "Current.Import",
                        "phase": "L1",
                        "unit": "A"
                    }
                ]
            }
        ]
    }
]`);
    assert.deepEqual(assertAccepted(await st.next('wallbox-mv-1'), 'pretty-printed MeterValues'), {});
    const values = (await server.api('GET', `/api/v1/transactions/${started.transactionId}/meter-values`)).body;
    const energy = values.find((v: any) => v.measurand === 'Energy.Active.Import.Register');
    assert.equal(energy.value, '2e+01', 'kept exactly as sent');
    assert.equal(energy.numericValue, 20);
    assert.equal(values.find((v: any) => v.measurand === 'Current.Import').numericValue, 16);
    assert.equal((await server.api('GET', `/api/v1/transactions/${started.transactionId}`)).body.lastMeterWh, 20);
  });

  it('quirk #11 numbers where strings are required in a BootNotification (meterSerialNumber 12345678): refused with TypeConstraintViolation in strict mode, accepted and stored as text in lenient and log-only mode', async () => {
    paths.add(await setStationMode(server, 'CP-EXTRA-STRICT', 'strict'));
    paths.add(await setStationMode(server, 'CP-EXTRA-LENIENT', 'lenient'));
    paths.add(await setStationMode(server, 'CP-EXTRA-LOGONLY', 'log-only'));
    const boot = { chargePointVendor: 'Joule', chargePointModel: 'Quirky', meterSerialNumber: 12345678 };
    const answers: Record<string, Frame> = {};
    for (const id of ['CP-EXTRA-STRICT', 'CP-EXTRA-LENIENT', 'CP-EXTRA-LOGONLY']) {
      const { st, reply } = await boot16(server, id, boot);
      track(st);
      answers[id] = reply;
    }
    // meterSerialNumber as a number: a wrong type the lenient modes coerce.
    assertCallError(answers['CP-EXTRA-STRICT']!, 'TypeConstraintViolation', 'strict');
    for (const id of ['CP-EXTRA-LENIENT', 'CP-EXTRA-LOGONLY']) {
      assert.equal(assertAccepted(answers[id]!, id).status, 'Accepted');
      assert.equal((await station(server, id)).meterSerialNumber, '12345678', `${id}: number -> string`);
    }
  });

  it('JOULE_VALIDATION_MODE=lenient: the server default applies to a station with no setting and no vendor rule (Legrand errorCode "Error" becomes OtherError)', async () => {
    const lenientServer = await startTestServer({ JOULE_VALIDATION_MODE: 'lenient' });
    try {
      const { st, reply } = await boot16(lenientServer, 'CP-DEFAULT-LENIENT', { chargePointVendor: 'Legrand', chargePointModel: 'GreenUp' });
      assert.equal(assertAccepted(reply, 'boot').status, 'Accepted');
      assert.deepEqual(assertAccepted(await st.call('StatusNotification', { connectorId: 1, errorCode: 'Error', status: 'Faulted' }), 'status'), {});
      await eventually(async () => (await connector(lenientServer, 'CP-DEFAULT-LENIENT', 1))?.errorCode === 'OtherError', 2000, 'OtherError stored');
      await st.close();
    } finally {
      await lenientServer.stop();
    }
  });

  it('validation settings: a station\'s own mode wins over the vendor rule of its make, and a changed setting applies to the open connection from its next message', async () => {
    const legrand = { chargePointVendor: 'Legrand', chargePointModel: 'GreenUp' };
    const st = track((await boot16(server, 'CP-LEGRAND-SWITCH', legrand)).st);
    const faulted = { connectorId: 1, errorCode: 'Error', status: 'Faulted' };
    assert.deepEqual(assertAccepted(await st.call('StatusNotification', faulted), 'by the Legrand rule'), {});
    paths.add(await setStationMode(server, 'CP-LEGRAND-SWITCH', 'strict'));
    assertCallError(await st.call('StatusNotification', faulted), 'PropertyConstraintViolation', 'own strict setting, same connection');
    paths.add(await setStationMode(server, 'CP-LEGRAND-SWITCH', 'lenient'));
    assert.deepEqual(assertAccepted(await st.call('StatusNotification', faulted), 'own lenient setting'), {});
  });
});
