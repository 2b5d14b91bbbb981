import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaValidator, schemaValidator } from '../../../src/ocpp/validation/schema-validator.ts';

const v = schemaValidator();

describe('schema validation against the OCA schemas', () => {
  it('knows every action of 1.6 with the security extension, 2.0.1 and 2.1', () => {
    assert.equal(v.actionsOf('ocpp1.6').length, 39, '28 core actions + 11 security-extension actions');
    assert.equal(v.actionsOf('ocpp2.0.1').length, 64);
    assert.equal(v.actionsOf('ocpp2.1').length, 91, '90 request/response pairs + NotifyPeriodicEventStream');
    assert.ok(v.knows('ocpp1.6', 'SignCertificate'));
    assert.ok(!v.knows('ocpp1.6', 'TransactionEvent'));
  });

  it('a schema compiled on first use answers as one compiled ahead of time, in every version and direction', () => {
    const lazy = new SchemaValidator();
    const eager = new SchemaValidator();
    eager.compileAll();
    const payloads: unknown[] = [{}, { connectorId: 1 }, { idTag: 'TAG' }, { status: 'Accepted', currentTime: '2026-01-01T00:00:00Z', interval: 300 }, null];
    let checked = 0;
    for (const version of ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const) {
      for (const action of eager.actionsOf(version)) {
        for (const direction of ['request', 'response'] as const) {
          for (const payload of payloads) {
            assert.deepEqual(lazy.check(version, action, direction, payload), eager.check(version, action, direction, payload), `${version} ${action} ${direction}`);
            checked++;
          }
        }
      }
    }
    assert.equal(checked, (39 + 64 + 91) * 2 * payloads.length);
    assert.equal(lazy.check('ocpp1.6', 'NoSuchAction', 'request', {})?.kind, 'NotImplemented');
  });

  it('a missing required field is an occurrence constraint violation', () => {
    assert.equal(v.check('ocpp1.6', 'BootNotification', 'request', { chargePointVendor: 'A' })?.kind, 'OccurrenceConstraintViolation');
  });

  it('a wrong type is a type constraint violation', () => {
    assert.equal(v.check('ocpp1.6', 'StartTransaction', 'request', { connectorId: '1', idTag: 'a', meterStart: 0, timestamp: '2026-01-01T00:00:00Z' })?.kind, 'TypeConstraintViolation');
  });

  it('an over-long string or a bad enum value is a property constraint violation', () => {
    assert.equal(v.check('ocpp1.6', 'Authorize', 'request', { idTag: 'x'.repeat(21) })?.kind, 'PropertyConstraintViolation');
    assert.equal(v.check('ocpp1.6', 'StatusNotification', 'request', { connectorId: 1, errorCode: 'Error', status: 'Available' })?.kind, 'PropertyConstraintViolation');
  });

  it('an unknown property is a format violation', () => {
    assert.equal(v.check('ocpp1.6', 'Heartbeat', 'request', { extra: 1 })?.kind, 'FormatViolation');
  });

  it('1.6 errata: StopTransaction without reason is valid; both Celsius spellings are accepted', () => {
    assert.equal(v.check('ocpp1.6', 'StopTransaction', 'request', { transactionId: 1, meterStop: 10, timestamp: '2026-01-01T00:00:00Z' }), undefined);
    for (const unit of ['Celsius', 'Celcius']) {
      const payload = { connectorId: 1, meterValue: [{ timestamp: '2026-01-01T00:00:00Z', sampledValue: [{ value: '21', measurand: 'Temperature', unit }] }] };
      assert.equal(v.check('ocpp1.6', 'MeterValues', 'request', payload), undefined, unit);
    }
  });

  it('schemaOf gives the raw schema of an action; checkAll reports every error (check stops at the first)', () => {
    const schema = v.schemaOf('ocpp1.6', 'StatusNotification', 'request') as { required: string[] };
    assert.deepEqual(schema.required, ['connectorId', 'errorCode', 'status']);
    assert.equal(v.schemaOf('ocpp1.6', 'TransactionEvent', 'request'), undefined);
    const payload = { connectorId: 'x', errorCode: 'Error', status: 'Plugged' };
    assert.equal(v.check('ocpp1.6', 'StatusNotification', 'request', payload)?.errors.length, 1);
    assert.deepEqual(v.checkAll('ocpp1.6', 'StatusNotification', 'request', payload)?.map((e) => e.instancePath), ['/connectorId', '/errorCode', '/status']);
    assert.deepEqual(v.checkAll('ocpp1.6', 'Heartbeat', 'request', {}), []);
    assert.equal(v.checkAll('ocpp1.6', 'TransactionEvent', 'request', {}), undefined);
  });

  it('charging rate limits with one decimal validate despite floating point (multipleOf 0.1)', () => {
    const payload = { connectorId: 1, csChargingProfiles: { chargingProfileId: 1, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative', chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16.3 }] } } };
    assert.equal(v.check('ocpp1.6', 'SetChargingProfile', 'request', payload), undefined);
  });
});
