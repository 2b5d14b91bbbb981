import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFrame, serializeCallError, UNKNOWN_MESSAGE_ID } from '../../../src/ocpp/rpc/frames.ts';
import { fromWireCode, toWireCode, WIRE_ERROR_CODES } from '../../../src/ocpp/rpc/error-codes.ts';

describe('OCPP-J framing', () => {
  it('reads CALL, CALLRESULT and CALLERROR frames', () => {
    assert.deepEqual(parseFrame('[2,"a1","Heartbeat",{}]', 'ocpp1.6'), { ok: true, frame: { type: 2, id: 'a1', action: 'Heartbeat', payload: {} } });
    assert.deepEqual(parseFrame('[3,"a1",{"currentTime":"x"}]', 'ocpp1.6'), { ok: true, frame: { type: 3, id: 'a1', payload: { currentTime: 'x' } } });
    const err = parseFrame('[4,"a1","NotSupported","nope",{}]', 'ocpp1.6');
    assert.ok(err.ok && err.frame.type === 4 && err.frame.code === 'NotSupported' && err.frame.description === 'nope');
  });

  it('quirk 24: a CALLRESULT with a null payload is read as {}', () => {
    assert.deepEqual(parseFrame('[3,"a1",null]', 'ocpp1.6'), { ok: true, frame: { type: 3, id: 'a1', payload: {} } });
  });

  it('2.x §4.2.3: unreadable JSON is answered with message id "-1" and RpcFrameworkError', () => {
    const r = parseFrame('[2,"a1","Heartbeat",{', 'ocpp2.0.1');
    assert.ok(!r.ok);
    assert.equal(r.fault.id, UNKNOWN_MESSAGE_ID);
    assert.equal(r.fault.kind, 'RpcFrameworkError');
    assert.equal(r.fault.reply, true);
  });

  it('message ids are strings of at most 36 characters', () => {
    const long = parseFrame(`[2,"${'x'.repeat(37)}","Heartbeat",{}]`, 'ocpp1.6');
    assert.ok(!long.ok && long.fault.kind === 'RpcFrameworkError');
    const numeric = parseFrame('[2,17,"Heartbeat",{}]', 'ocpp1.6');
    assert.ok(!numeric.ok && numeric.fault.id === UNKNOWN_MESSAGE_ID);
  });

  it('a CALL whose payload is not an object is a format violation', () => {
    const r = parseFrame('[2,"a1","Heartbeat",[]]', 'ocpp1.6');
    assert.ok(!r.ok && r.fault.kind === 'FormatViolation' && r.fault.id === 'a1' && r.fault.reply);
  });

  it('SEND (6) and CALLRESULTERROR (5) exist only in 2.1', () => {
    assert.ok(parseFrame('[6,"s1","NotifyPeriodicEventStream",{}]', 'ocpp2.1').ok);
    const in16 = parseFrame('[6,"s1","NotifyPeriodicEventStream",{}]', 'ocpp1.6');
    assert.ok(!in16.ok && in16.fault.reply === false, '1.6 ignores an unknown message type');
    const in201 = parseFrame('[5,"s1","GenericError","",{}]', 'ocpp2.0.1');
    assert.ok(!in201.ok && in201.fault.kind === 'MessageTypeNotSupported' && in201.fault.reply === true);
    assert.ok(parseFrame('[5,"s1","GenericError","",{}]', 'ocpp2.1').ok);
  });

  it('a SEND is never answered, even when malformed', () => {
    const r = parseFrame('[6,"s1","NotifyPeriodicEventStream",7]', 'ocpp2.1');
    assert.ok(!r.ok && r.fault.reply === false);
  });
});

describe('RPC error codes per version (ocpp-reference §1.4)', () => {
  it('1.6 keeps FormationViolation and OccurenceConstraintViolation', () => {
    assert.equal(toWireCode('FormatViolation', 'ocpp1.6'), 'FormationViolation');
    assert.equal(toWireCode('OccurrenceConstraintViolation', 'ocpp1.6'), 'OccurenceConstraintViolation');
    for (const kind of ['RpcFrameworkError', 'MessageTypeNotSupported'] as const) {
      assert.ok(WIRE_ERROR_CODES['ocpp1.6'].includes(toWireCode(kind, 'ocpp1.6')), `${kind} maps to a 1.6 code`);
    }
  });

  it('2.x uses FormatViolation and OccurrenceConstraintViolation', () => {
    for (const v of ['ocpp2.0.1', 'ocpp2.1'] as const) {
      assert.equal(toWireCode('FormatViolation', v), 'FormatViolation');
      assert.equal(toWireCode('OccurrenceConstraintViolation', v), 'OccurrenceConstraintViolation');
    }
  });

  it('both spellings are accepted on receive', () => {
    assert.equal(fromWireCode('FormationViolation'), 'FormatViolation');
    assert.equal(fromWireCode('OccurenceConstraintViolation'), 'OccurrenceConstraintViolation');
    assert.equal(fromWireCode('SomethingElse'), 'GenericError');
  });

  it('a CALLERROR is a 5-element frame with the version string and a description of at most 255 characters', () => {
    const frame = JSON.parse(serializeCallError('m1', 'FormatViolation', 'x'.repeat(400), 'ocpp1.6')) as unknown[];
    assert.equal(frame.length, 5);
    assert.deepEqual(frame.slice(0, 3), [4, 'm1', 'FormationViolation']);
    assert.equal((frame[3] as string).length, 255);
    assert.deepEqual(frame[4], {});
  });
});
