import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { schemaValidator } from '../../../src/ocpp/validation/schema-validator.ts';
import { payloadAdmission, type Admission, type AcceptedPayload, type RefusedPayload } from '../../../src/ocpp/validation/payload-admission.ts';
import { PayloadNormaliser } from '../../../src/ocpp/validation/payload-normaliser.ts';
import { compileSchemaPlan, timestampPaths } from '../../../src/ocpp/validation/schema-plan.ts';
import { toWireCode } from '../../../src/ocpp/rpc/error-codes.ts';

/**
 * Lenient validation, one test per charger quirk of field notes §3 (and the real frames listed there). Frames marked
 * "length-faithful" keep the reported length of a field whose exact text the public threads do not show.
 */

const validator = schemaValidator();
const admission = payloadAdmission();
const normaliser = new PayloadNormaliser(validator);

function accepted(result: Admission): AcceptedPayload {
  assert.equal(result.accept, true, result.accept ? '' : `refused: ${result.violation.message}`);
  return result as AcceptedPayload;
}

function refused(result: Admission): RefusedPayload {
  assert.equal(result.accept, false, 'expected the message to be refused');
  return result as RefusedPayload;
}

function fixAt(result: AcceptedPayload | RefusedPayload, path: string) {
  const fix = result.fixes.find((f) => f.path === path);
  assert.ok(fix, `a fix at ${path}; fixes: ${JSON.stringify(result.fixes)}`);
  return fix;
}

/** ABB Terra StatusNotification (lbbrhzn/ocpp #169 #1275) with the 2022-02-29 timestamp of steve#769. */
const abbStatusNotification = {
  connectorId: 1,
  errorCode: 'NoError',
  info: 'null',
  status: 'Available',
  timestamp: '2022-02-29T10:15:00Z',
  vendorErrorCode: '0x00',
};

describe('lenient validation: charger quirks (field notes §3)', () => {
  it('quirk #8: ABB Terra StatusNotification dated 2022-02-29 is clamped to 2022-02-28 and flagged; info "null" and vendorErrorCode "0x00" stay', () => {
    // The schemas are compiled without format checks, so strict mode passes this frame through as today.
    const strict = accepted(admission.admit('strict', 'ocpp1.6', 'StatusNotification', 'request', abbStatusNotification));
    assert.equal(strict.payload, abbStatusNotification);
    assert.equal(strict.fixes.length, 0);

    const input = structuredClone(abbStatusNotification);
    const lenient = accepted(admission.admit('lenient', 'ocpp1.6', 'StatusNotification', 'request', input));
    assert.deepEqual(lenient.payload, { ...abbStatusNotification, timestamp: '2022-02-28T10:15:00.000Z' });
    const fix = fixAt(lenient, '/timestamp');
    assert.equal(fix.kind, 'timestamp-clamped');
    assert.match(fix.message, /day 29 does not exist in 2022-02/);
    // info "null" is a valid string: only JSON null means "no value".
    assert.equal(lenient.payload.info, 'null');
    assert.equal(lenient.payload.vendorErrorCode, '0x00');
    assert.deepEqual(input, abbStatusNotification, 'the input is never changed');
  });

  it('quirk #8: timestamps without zone, without seconds or with a space become UTC YYYY-MM-DDTHH:mm:ss.sssZ; well-formed ones stay as sent', () => {
    const payload = {
      connectorId: 1,
      meterValue: [
        { timestamp: '2026-03-01 08:30:00', sampledValue: [{ value: '100' }] },
        { timestamp: '2026-03-01T08:45', sampledValue: [{ value: '110' }] },
        { timestamp: '2026-03-01T09:00:00+01:00', sampledValue: [{ value: '120' }] },
        { timestamp: '2026-03-01T08:00:00Z', sampledValue: [{ value: '130' }] },
      ],
    };
    const result = accepted(admission.admit('lenient', 'ocpp1.6', 'MeterValues', 'request', payload));
    const stamps = (result.payload.meterValue as Array<{ timestamp: string }>).map((mv) => mv.timestamp);
    assert.deepEqual(stamps, ['2026-03-01T08:30:00.000Z', '2026-03-01T08:45:00.000Z', '2026-03-01T09:00:00+01:00', '2026-03-01T08:00:00Z']);
    assert.match(fixAt(result, '/meterValue/0/timestamp').message, /no time zone: read as UTC/);
    assert.equal(result.fixes.length, 2);
  });

  it('quirk #8: hasTimestampsToRepair tells, without a mode, which valid messages need one (only malformed timestamps do)', () => {
    assert.equal(admission.hasTimestampsToRepair('ocpp1.6', 'StatusNotification', 'request', abbStatusNotification), true);
    assert.equal(admission.hasTimestampsToRepair('ocpp1.6', 'StatusNotification', 'request', { ...abbStatusNotification, timestamp: '2022-02-28T10:15:00Z' }), false);
    assert.equal(admission.hasTimestampsToRepair('ocpp1.6', 'Heartbeat', 'request', {}), false);
    const mv = { connectorId: 1, meterValue: [{ timestamp: '2026-03-01T08:00:00Z', sampledValue: [{ value: '1' }] }, { timestamp: '2026-03-01T08:15:00', sampledValue: [{ value: '2' }] }] };
    assert.equal(admission.hasTimestampsToRepair('ocpp1.6', 'MeterValues', 'request', mv), true);
  });

  it('quirk #8: a timestamp that is no date at all is kept as sent and reported', () => {
    const payload = { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: 'yesterday' };
    const result = accepted(admission.admit('lenient', 'ocpp1.6', 'StatusNotification', 'request', payload));
    assert.equal(result.payload.timestamp, 'yesterday');
    assert.deepEqual(result.remaining.map((r) => [r.path, r.keyword]), [['/timestamp', 'format']]);
  });

  it('quirk #9: Legrand errorCode "Error" becomes OtherError (strict still refuses it)', () => {
    const legrand = { connectorId: 1, errorCode: 'Error', status: 'Faulted', timestamp: '2026-03-01T08:00:00Z' };
    const strict = refused(admission.admit('strict', 'ocpp1.6', 'StatusNotification', 'request', legrand));
    assert.equal(toWireCode(strict.violation.kind, 'ocpp1.6'), 'PropertyConstraintViolation');
    const lenient = accepted(admission.admit('lenient', 'ocpp1.6', 'StatusNotification', 'request', legrand));
    assert.equal(lenient.payload.errorCode, 'OtherError');
    assert.equal(fixAt(lenient, '/errorCode').kind, 'enum-matched');
    assert.equal(lenient.remaining.length, 0);
  });

  it('quirk #9: unit "Celcius" is valid 1.6 and kept; a variant that fails ("CELCIUS") goes to Celsius', () => {
    const sent = { connectorId: 1, meterValue: [{ timestamp: '2026-03-01T08:00:00Z', sampledValue: [{ value: '21.5', measurand: 'Temperature', unit: 'Celcius' }] }] };
    const asSent = accepted(admission.admit('lenient', 'ocpp1.6', 'MeterValues', 'request', sent));
    assert.equal(asSent.payload, sent, 'a valid message is handed on as the same object');

    const shouted = structuredClone(sent);
    shouted.meterValue[0]!.sampledValue[0]!.unit = 'CELCIUS';
    const result = accepted(admission.admit('lenient', 'ocpp1.6', 'MeterValues', 'request', shouted));
    assert.equal((result.payload as typeof sent).meterValue[0]!.sampledValue[0]!.unit, 'Celsius');
    assert.match(fixAt(result, '/meterValue/0/sampledValue/0/unit').message, /known misspelling/);
  });

  it('quirk #9: measurand "Request.Energy" has no sensible mapping: kept, reported, and the message accepted (measurand is not a key field)', () => {
    const payload = { connectorId: 1, transactionId: 7, meterValue: [{ timestamp: '2026-03-01T08:00:00Z', sampledValue: [{ value: '500', measurand: 'Request.Energy' }, { value: '1200', measurand: 'Energy.Active.Import.Register' }] }] };
    assert.equal(refused(admission.admit('strict', 'ocpp1.6', 'MeterValues', 'request', payload)).violation.kind, 'PropertyConstraintViolation');
    const result = accepted(admission.admit('lenient', 'ocpp1.6', 'MeterValues', 'request', payload));
    assert.equal((result.payload as typeof payload).meterValue[0]!.sampledValue[0]!.measurand, 'Request.Energy');
    assert.deepEqual(result.remaining.map((r) => [r.path, r.keyword]), [['/meterValue/0/sampledValue/0/measurand', 'enum']]);
  });

  it('quirk #9: enum values differing in case or whitespace are matched; an unknown connector status (a key field) is refused', () => {
    const sloppy = { connectorId: 2, errorCode: ' noerror ', status: 'charging' };
    const result = accepted(admission.admit('lenient', 'ocpp1.6', 'StatusNotification', 'request', sloppy));
    assert.equal(result.payload.errorCode, 'NoError');
    assert.equal(result.payload.status, 'Charging');

    const unknown = refused(admission.admit('lenient', 'ocpp1.6', 'StatusNotification', 'request', { connectorId: 2, errorCode: 'NoError', status: 'Plugged' }));
    assert.equal(unknown.violation.kind, 'PropertyConstraintViolation');
    assert.match(unknown.violation.message, /\/status/);
  });

  it('quirk #10: Schneider EVlink chargeBoxSerialNumber of 33 characters is cut to 25, original length recorded (length-faithful)', () => {
    const schneider = { chargePointVendor: 'Schneider Electric', chargePointModel: 'EVlink Smart Wallbox', chargeBoxSerialNumber: '3N201234567890123456789012345678A', firmwareVersion: '3.4.0.12' };
    assert.equal(schneider.chargeBoxSerialNumber.length, 33);
    assert.equal(refused(admission.admit('strict', 'ocpp1.6', 'BootNotification', 'request', schneider)).violation.kind, 'PropertyConstraintViolation');
    const result = accepted(admission.admit('lenient', 'ocpp1.6', 'BootNotification', 'request', schneider));
    assert.equal(result.payload.chargeBoxSerialNumber, '3N20123456789012345678901');
    assert.equal(String(result.payload.chargeBoxSerialNumber).length, 25);
    assert.match(fixAt(result, '/chargeBoxSerialNumber').message, /cut from 33 to 25 characters/);
  });

  it('quirk #10: HICI chargePointModel of 23 characters is cut to 20 (length-faithful)', () => {
    const hici = { chargePointVendor: 'HICI', chargePointModel: 'HICI-AC-22KW-3P-EU-WIFI' };
    assert.equal(hici.chargePointModel.length, 23);
    const result = accepted(admission.admit('lenient', 'ocpp1.6', 'BootNotification', 'request', hici));
    assert.equal(result.payload.chargePointModel, 'HICI-AC-22KW-3P-EU-W');
    assert.equal(fixAt(result, '/chargePointModel').kind, 'truncated');
  });

  it('quirk #10: a StatusNotification info longer than 50 characters is cut; a 2.x station serial number too', () => {
    const info = 'Ground fault detected on phase L2, contactor opened, retry in 30 s';
    const result = accepted(admission.admit('lenient', 'ocpp1.6', 'StatusNotification', 'request', { connectorId: 1, errorCode: 'GroundFailure', status: 'Faulted', info }));
    assert.equal(result.payload.info, info.slice(0, 50));
    const boot = { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'AC22', serialNumber: 'SN-0123456789-0123456789-XYZ' } };
    const boot201 = accepted(admission.admit('lenient', 'ocpp2.0.1', 'BootNotification', 'request', boot));
    assert.equal((boot201.payload.chargingStation as { serialNumber: string }).serialNumber.length, 25);
  });

  it('quirk #11: sampledValue.value sent as a number is coerced to a string', () => {
    // JSON `0.0` parses to the number 0.
    const frame = JSON.parse('{"connectorId":1,"transactionId":3,"meterValue":[{"timestamp":"2026-03-01T08:00:00Z","sampledValue":[{"value":0.0},{"value":1234.5,"measurand":"Energy.Active.Import.Register"}]}]}');
    assert.equal(refused(admission.admit('strict', 'ocpp1.6', 'MeterValues', 'request', frame)).violation.kind, 'TypeConstraintViolation');
    const result = accepted(admission.admit('lenient', 'ocpp1.6', 'MeterValues', 'request', frame));
    const values = (result.payload.meterValue as Array<{ sampledValue: Array<{ value: unknown }> }>)[0]!.sampledValue.map((sv) => sv.value);
    assert.deepEqual(values, ['0', '1234.5']);
    assert.match(fixAt(result, '/meterValue/0/sampledValue/0/value').message, /number 0 -> string "0"/);
    assert.equal(frame.meterValue[0].sampledValue[0].value, 0, 'the input is never changed');
  });

  it('quirk #12: id tags are never rewritten or truncated; an over-long one makes the message unusable', () => {
    const mixedCase = { idTag: 'AbCdEf0123' };
    assert.equal(accepted(admission.admit('lenient', 'ocpp1.6', 'Authorize', 'request', mixedCase)).payload.idTag, 'AbCdEf0123');
    // Cutting 22 characters to 20 could turn one token into another: refused, not "fixed".
    const tooLong = refused(admission.admit('lenient', 'ocpp1.6', 'Authorize', 'request', { idTag: '04A2B3C4D5E6F708091011' }));
    assert.equal(tooLong.violation.kind, 'PropertyConstraintViolation');
    assert.equal(tooLong.fixes.length, 0);
  });

  it('quirk #13: MeterValues with transactionId null loses the field; "17" becomes 17; without transactionId it is valid as is', () => {
    const nullTx = accepted(admission.admit('lenient', 'ocpp1.6', 'MeterValues', 'request', { connectorId: 1, transactionId: null, meterValue: [{ timestamp: '2026-03-01T08:00:00Z', sampledValue: [{ value: '10' }] }] }));
    assert.equal('transactionId' in nullTx.payload, false);
    assert.equal(fixAt(nullTx, '/transactionId').kind, 'null-removed');
    const stringTx = accepted(admission.admit('lenient', 'ocpp1.6', 'MeterValues', 'request', { connectorId: 1, transactionId: '17', meterValue: [{ timestamp: '2026-03-01T08:00:00Z', sampledValue: [{ value: '10' }] }] }));
    assert.equal(stringTx.payload.transactionId, 17);
    const clockAligned = { connectorId: 0, meterValue: [{ timestamp: '2026-03-01T08:00:00Z', sampledValue: [{ value: '10', context: 'Sample.Clock' }] }] };
    assert.equal(accepted(admission.admit('lenient', 'ocpp1.6', 'MeterValues', 'request', clockAligned)).payload, clockAligned);
  });

  it('quirk #14: a SoC-only batch is valid and passes untouched (no energy is invented by validation)', () => {
    const socOnly = { connectorId: 1, transactionId: 9, meterValue: [{ timestamp: '2026-03-01T08:00:00Z', sampledValue: [{ value: '64', measurand: 'SoC', unit: 'Percent', location: 'EV' }] }] };
    const result = accepted(admission.admit('lenient', 'ocpp1.6', 'MeterValues', 'request', socOnly));
    assert.equal(result.payload, socOnly);
    assert.equal(result.fixes.length, 0);
  });

  it('quirk #15: unit spellings are normalised ("KWH" -> kWh) but values are not converted', () => {
    const payload = { connectorId: 1, transactionId: 9, meterValue: [{ timestamp: '2026-03-01T08:00:00Z', sampledValue: [{ value: '12.345', measurand: 'Energy.Active.Import.Register', unit: 'KWH' }, { value: '3.1', measurand: 'energy.active.import.interval', unit: 'kwh', phase: 'l1' }] }] };
    const result = accepted(admission.admit('lenient', 'ocpp1.6', 'MeterValues', 'request', payload));
    const values = (result.payload as typeof payload).meterValue[0]!.sampledValue;
    assert.deepEqual(values, [
      { value: '12.345', measurand: 'Energy.Active.Import.Register', unit: 'kWh' },
      { value: '3.1', measurand: 'Energy.Active.Import.Interval', unit: 'kWh', phase: 'L1' },
    ]);
  });

  it('quirk #16: an offline start with meterStart 0 is valid and untouched (the baseline check is the transaction service\'s); meterStart "0" becomes 0', () => {
    const iocharger = { connectorId: 1, idTag: 'TAG1', meterStart: 0, timestamp: '2026-03-01T08:00:00Z' };
    assert.equal(accepted(admission.admit('lenient', 'ocpp1.6', 'StartTransaction', 'request', iocharger)).payload, iocharger);
    const stringStart = accepted(admission.admit('lenient', 'ocpp1.6', 'StartTransaction', 'request', { ...iocharger, meterStart: '0' }));
    assert.equal(stringStart.payload.meterStart, 0);
  });

  it('quirk #21: a 2.0.1 TransactionEvent without evse.connectorId is valid; a null connectorId is removed', () => {
    const event = { eventType: 'Started', timestamp: '2026-03-01T08:00:00Z', triggerReason: 'CablePluggedIn', seqNo: 0, transactionInfo: { transactionId: 'tx-1' }, evse: { id: 1 } };
    assert.equal(accepted(admission.admit('strict', 'ocpp2.0.1', 'TransactionEvent', 'request', event)).payload, event);
    const withNull = accepted(admission.admit('lenient', 'ocpp2.0.1', 'TransactionEvent', 'request', { ...event, evse: { id: 1, connectorId: null } }));
    assert.deepEqual(withNull.payload.evse, { id: 1 });
    assert.equal(fixAt(withNull, '/evse/connectorId').kind, 'null-removed');
  });

  it('quirk #24: a null payload where an object is expected becomes {} (lenient and log-only); strict refuses it', () => {
    assert.equal(refused(admission.admit('strict', 'ocpp1.6', 'Heartbeat', 'request', null)).violation.kind, 'TypeConstraintViolation');
    for (const mode of ['lenient', 'log-only'] as const) {
      const result = accepted(admission.admit(mode, 'ocpp1.6', 'Heartbeat', 'request', null));
      assert.deepEqual(result.payload, {});
      assert.equal(result.fixes[0]?.kind, 'payload-replaced');
    }
    // A station's answer to ClearCache (`[3,"id",null]`; the frame reader already maps it, this covers direct callers).
    assert.equal(refused(admission.admit('lenient', 'ocpp1.6', 'ClearCache', 'response', null)).violation.kind, 'OccurrenceConstraintViolation');
  });
});

describe('lenient validation: real frames from named chargers', () => {
  it('Wallbox Pulsar "2e+01": valid in 1.6 (value is a string, kept as sent); in a 2.x numeric value it becomes 20', () => {
    const wallbox = { connectorId: 1, transactionId: 4, meterValue: [{ timestamp: '2026-03-01T08:00:00Z', sampledValue: [{ value: '2e+01', measurand: 'Current.Import', unit: 'A', phase: 'L1' }] }] };
    const v16 = accepted(admission.admit('lenient', 'ocpp1.6', 'MeterValues', 'request', wallbox));
    assert.equal(v16.payload, wallbox, 'no rewrite: metering reads "2e+01" as 20 itself');

    const v201 = { evseId: 1, meterValue: [{ timestamp: '2026-03-01T08:00:00Z', sampledValue: [{ value: '2e+01', measurand: 'Current.Import', phase: 'L1' }] }] };
    const result = accepted(admission.admit('lenient', 'ocpp2.0.1', 'MeterValues', 'request', v201));
    assert.equal((result.payload as { meterValue: Array<{ sampledValue: Array<{ value: unknown }> }> }).meterValue[0]!.sampledValue[0]!.value, 20);
    assert.match(fixAt(result, '/meterValue/0/sampledValue/0/value').message, /"2e\+01" -> number 20/);
  });

  it('Huawei SCharger chargePointVendor "": valid (the 1.6 schema has no minLength), accepted unchanged in every mode', () => {
    const huawei = { chargePointVendor: '', chargePointModel: 'SCharger-7KS-S0', firmwareVersion: 'V100R022C10' };
    const schema = validator.schemaOf('ocpp1.6', 'BootNotification', 'request') as { properties: Record<string, Record<string, unknown>> };
    assert.equal(schema.properties.chargePointVendor?.minLength, undefined);
    for (const mode of ['strict', 'lenient', 'log-only'] as const) {
      const result = accepted(admission.admit(mode, 'ocpp1.6', 'BootNotification', 'request', huawei));
      assert.equal(result.payload, huawei);
      assert.equal(result.fixes.length, 0);
    }
  });

  it('2.0.1 TransactionEvent with nulls and an empty enum: nulls and "" removed, the event accepted', () => {
    const frame = JSON.parse(`{"eventType":"Updated","timestamp":"2026-03-01T08:05:00.000Z","triggerReason":"MeterValuePeriodic","seqNo":3,
      "offline":null,"numberOfPhasesUsed":null,"reservationId":null,"idToken":null,"evse":{"id":1,"connectorId":1},
      "transactionInfo":{"transactionId":"b7f2c1","chargingState":"Charging","stoppedReason":"","remoteStartId":null},
      "meterValue":[{"timestamp":"2026-03-01T08:05:00.000Z","sampledValue":[{"value":4312.5,"measurand":"Energy.Active.Import.Register","unitOfMeasure":{"unit":"Wh","multiplier":null}}]}]}`);
    assert.equal(refused(admission.admit('strict', 'ocpp2.0.1', 'TransactionEvent', 'request', frame)).violation.kind, 'TypeConstraintViolation');
    const result = accepted(admission.admit('lenient', 'ocpp2.0.1', 'TransactionEvent', 'request', frame));
    assert.deepEqual(result.payload, {
      eventType: 'Updated', timestamp: '2026-03-01T08:05:00.000Z', triggerReason: 'MeterValuePeriodic', seqNo: 3,
      evse: { id: 1, connectorId: 1 },
      transactionInfo: { transactionId: 'b7f2c1', chargingState: 'Charging' },
      meterValue: [{ timestamp: '2026-03-01T08:05:00.000Z', sampledValue: [{ value: 4312.5, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } }] }],
    });
    assert.deepEqual(result.fixes.map((f) => f.kind).sort(), ['empty-value-removed', 'null-removed', 'null-removed', 'null-removed', 'null-removed', 'null-removed', 'null-removed']);
    assert.equal(result.remaining.length, 0);
  });

  it('2.1 StatusNotification with a lower-case connectorStatus is matched', () => {
    const result = accepted(admission.admit('lenient', 'ocpp2.1', 'StatusNotification', 'request', { timestamp: '2026-03-01T08:00:00Z', connectorStatus: 'occupied', evseId: 1, connectorId: 1 }));
    assert.equal(result.payload.connectorStatus, 'Occupied');
  });

  it('a station answer (CALLRESULT) is admitted the same way: "accepted" -> Accepted', () => {
    const result = accepted(admission.admit('lenient', 'ocpp1.6', 'RemoteStartTransaction', 'response', { status: 'accepted' }));
    assert.deepEqual(result.payload, { status: 'Accepted' });
  });
});

describe('validation modes', () => {
  it('strict mode is today\'s check: same verdict and violation as SchemaValidator.check, no normalisation, the same object', () => {
    const samples: Array<[string, unknown]> = [
      ['StatusNotification', abbStatusNotification],
      ['StatusNotification', { connectorId: 1, errorCode: 'Error', status: 'Available' }],
      ['BootNotification', { chargePointVendor: 'A', chargePointModel: 'B', extra: true }],
      ['StartTransaction', { connectorId: 1, meterStart: 0, timestamp: '2026-03-01T08:00:00Z' }],
    ];
    for (const [action, payload] of samples) {
      const expected = validator.check('ocpp1.6', action, 'request', payload);
      const result = admission.admit('strict', 'ocpp1.6', action, 'request', payload);
      if (expected) {
        assert.deepEqual(refused(result).violation, expected);
        assert.equal(result.fixes.length, 0);
      } else {
        assert.equal(accepted(result).payload, payload);
        assert.equal(result.fixes.length, 0);
      }
    }
  });

  it('lenient mode refuses a message missing a required field, with the version-correct error code', () => {
    const noIdTag = { connectorId: 1, meterStart: 0, timestamp: '2026-03-01 08:00:00' };
    const result = refused(admission.admit('lenient', 'ocpp1.6', 'StartTransaction', 'request', noIdTag));
    assert.equal(result.violation.kind, 'OccurrenceConstraintViolation');
    assert.equal(toWireCode(result.violation.kind, 'ocpp1.6'), 'OccurenceConstraintViolation');
    assert.match(result.violation.message, /idTag/);
    assert.equal(fixAt(result, '/timestamp').kind, 'timestamp-repaired', 'the fixes tried are reported with the refusal');

    const event201 = refused(admission.admit('lenient', 'ocpp2.0.1', 'TransactionEvent', 'request', { eventType: 'Started', timestamp: '2026-03-01T08:00:00Z', triggerReason: 'Authorized', transactionInfo: { transactionId: 't' } }));
    assert.equal(toWireCode(event201.violation.kind, 'ocpp2.0.1'), 'OccurrenceConstraintViolation');
  });

  it('lenient mode refuses what cannot be coerced (a required null, text where an integer is required)', () => {
    assert.equal(refused(admission.admit('lenient', 'ocpp1.6', 'StopTransaction', 'request', { transactionId: null, meterStop: 10, timestamp: '2026-03-01T08:00:00Z' })).violation.kind, 'TypeConstraintViolation');
    assert.equal(refused(admission.admit('lenient', 'ocpp1.6', 'StatusNotification', 'request', { connectorId: 'one', errorCode: 'NoError', status: 'Available' })).violation.kind, 'TypeConstraintViolation');
    assert.equal(refused(admission.admit('lenient', 'ocpp1.6', 'StopTransaction', 'request', { transactionId: '12.5', meterStop: 10, timestamp: '2026-03-01T08:00:00Z' })).violation.kind, 'TypeConstraintViolation');
  });

  it('lenient mode removes unknown properties and reports each; log-only keeps them and reports them as remaining', () => {
    const boot = { chargePointVendor: 'Acme', chargePointModel: 'X1', chargePointVendorExtra: { a: 1 } };
    const lenient = accepted(admission.admit('lenient', 'ocpp1.6', 'BootNotification', 'request', boot));
    assert.deepEqual(lenient.payload, { chargePointVendor: 'Acme', chargePointModel: 'X1' });
    assert.equal(fixAt(lenient, '/chargePointVendorExtra').kind, 'unknown-property-removed');

    const logOnly = accepted(admission.admit('log-only', 'ocpp1.6', 'BootNotification', 'request', boot));
    assert.deepEqual(logOnly.payload, boot);
    assert.notEqual(logOnly.payload.chargePointVendorExtra, boot.chargePointVendorExtra, 'kept values are copies');
    assert.deepEqual(logOnly.remaining.map((r) => r.keyword), ['additionalProperties']);
  });

  it('log-only mode normalises and accepts any JSON object, reporting what is still wrong', () => {
    const result = accepted(admission.admit('log-only', 'ocpp1.6', 'StartTransaction', 'request', { connectorId: '1', meterStart: 0, timestamp: '2026-03-01T08:00:00' }));
    assert.deepEqual(result.payload, { connectorId: 1, meterStart: 0, timestamp: '2026-03-01T08:00:00.000Z' });
    assert.deepEqual(result.remaining.map((r) => r.keyword), ['required']);
    assert.match(result.remaining[0]!.message, /idTag/);
    const status = accepted(admission.admit('log-only', 'ocpp1.6', 'StatusNotification', 'request', { connectorId: 1, errorCode: 'NoError', status: 'Plugged' }));
    assert.equal(status.payload.status, 'Plugged');
  });

  it('log-only mode still refuses a payload that is not a JSON object', () => {
    for (const payload of [[1, 2], 'Heartbeat', 42]) {
      const result = refused(admission.admit('log-only', 'ocpp1.6', 'Heartbeat', 'request', payload));
      assert.equal(result.violation.kind, 'TypeConstraintViolation');
    }
  });

  it('an action without a schema is refused in every mode (NotImplemented)', () => {
    for (const mode of ['strict', 'lenient', 'log-only'] as const) {
      assert.equal(refused(admission.admit(mode, 'ocpp1.6', 'TransactionEvent', 'request', {})).violation.kind, 'NotImplemented');
    }
  });

  it('the normaliser never changes its input and returns new objects', () => {
    const frame = { connectorId: '1', errorCode: 'error', status: 'AVAILABLE', info: 'x'.repeat(60), timestamp: '2022-02-29 23:59:59', vendorId: null, extra: { deep: [1] } };
    const before = structuredClone(frame);
    const { payload, fixes } = normaliser.normalise('ocpp1.6', 'StatusNotification', 'request', frame, { removeUnknownProperties: false });
    assert.deepEqual(frame, before);
    assert.notEqual(payload, frame);
    assert.notEqual((payload as typeof frame).extra, frame.extra);
    assert.deepEqual(payload, { connectorId: 1, errorCode: 'OtherError', status: 'Available', info: 'x'.repeat(50), timestamp: '2022-02-28T23:59:59.000Z', extra: { deep: [1] } });
    assert.deepEqual(fixes.map((f) => f.kind), ['type-coerced', 'enum-matched', 'enum-matched', 'truncated', 'timestamp-clamped', 'null-removed']);
  });

  it('every 1.6 date property carries format date-time in the shipped schemas, so no name-based timestamp guessing is needed', () => {
    const dateNamed: string[] = [];
    for (const action of validator.actionsOf('ocpp1.6')) {
      for (const direction of ['request', 'response'] as const) {
        const schema = validator.schemaOf('ocpp1.6', action, direction);
        if (!schema) continue;
        const walk = (node: unknown, name: string): void => {
          if (typeof node !== 'object' || node === null) return;
          const n = node as Record<string, unknown>;
          if (n.type === 'string' && /timestamp|Date$|Time$/i.test(name)) {
            dateNamed.push(name);
            assert.equal(n.format, 'date-time', `${action} ${direction} ${name}`);
          }
          for (const [key, child] of Object.entries((n.properties ?? {}) as Record<string, unknown>)) walk(child, key);
          walk(n.items, name);
          for (const child of Object.values((n.definitions ?? {}) as Record<string, unknown>)) walk(child, '');
        };
        walk(schema, '');
      }
    }
    assert.ok(dateNamed.length >= 20, `found ${dateNamed.length} date properties`);
    const meterValues = compileSchemaPlan(validator.schemaOf('ocpp1.6', 'MeterValues', 'request')!);
    assert.deepEqual(timestampPaths(meterValues), [['meterValue', '*', 'timestamp']]);
  });
});

describe('payload admission: preparation', () => {
  it('prepare() compiles every action of a version ahead of time without changing any verdict', () => {
    const admission201 = payloadAdmission();
    admission201.prepare('ocpp2.0.1');
    const result = admission201.admit('lenient', 'ocpp2.0.1', 'StatusNotification', 'request', { timestamp: '2026-03-01 08:00:00', connectorStatus: 'available', evseId: 1, connectorId: 1 });
    assert.deepEqual(accepted(result).payload, { timestamp: '2026-03-01T08:00:00.000Z', connectorStatus: 'Available', evseId: 1, connectorId: 1 });
  });
});
