import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BOOT_201, bootedRawStation2, bootedStrictStation, callErrorCode, transactionEvent, type StrictStation } from './support/ocpp2-station.ts';
import { RawStation } from './support/raw-station.ts';
import { eventually, startTestServer, type TestServer } from './support/test-server.ts';

const T0 = '2026-11-21T09:30:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();
/** 2.1 allows id tokens up to 255 characters (2.0.1: 36). */
const LONG_TOKEN = 'EMAID-2.1-LONGER-THAN-THIRTY-SIX-CHARACTERS';

describe('OCPP 2.1: a station negotiating ocpp2.1 (strict ocpp-rpc client)', () => {
  let server: TestServer;
  let st: StrictStation;
  const notifications = async (type: string, stationId = 'CS21-A') =>
    (await server.api('GET', `/api/v1/stations/${stationId}/notifications?type=${type}&limit=50`)).body as any[];

  before(async () => {
    server = await startTestServer();
    await server.api('PUT', `/api/v1/id-tokens/${LONG_TOKEN}`, { status: 'Accepted', groupId: 'GROUP-21' });
    st = await bootedStrictStation(server, 'CS21-A', {
      protocol: 'ocpp2.1',
      answers: { GetTariffs: { status: 'NoTariff' }, RequestStartTransaction: { status: 'Accepted' } },
    });
  });
  after(async () => {
    await st?.close();
    await server.stop();
  });

  it('the independent station really checks 2.1 frames against the OCA 2.1 schemas (strict mode)', async () => {
    await assert.rejects(st.call('Heartbeat', { surprise: true }), 'refused before sending');
    assert.equal(st.failures.length, 1);
    assert.equal((st.failures[0] as { outbound: boolean }).outbound, true);
    st.failures.length = 0;
  });

  it('B01/E01-E06 boots and runs a transaction; the API record has the same shape as 1.6 and 2.0.1', async () => {
    const { body: station } = await server.api('GET', '/api/v1/stations/CS21-A');
    assert.equal(station.protocol, 'ocpp2.1');
    assert.equal(station.registrationStatus, 'Accepted');
    await st.call('StatusNotification', { timestamp: at(-10), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    const idToken = { idToken: LONG_TOKEN, type: 'eMAID' };
    assert.deepEqual((await st.call('Authorize', { idToken })).idTokenInfo, { status: 'Accepted', groupIdToken: { idToken: 'GROUP-21', type: 'Central' } });
    const started = await st.call('TransactionEvent', transactionEvent({
      eventType: 'Started', transactionId: 'tx-21', seqNo: 0, timestamp: at(0), evse: { id: 1, connectorId: 1 }, idToken,
      meter: [{ value: 4000, context: 'Transaction.Begin' }],
    }));
    assert.equal(started.idTokenInfo.status, 'Accepted');
    await st.call('TransactionEvent', transactionEvent({ eventType: 'Updated', transactionId: 'tx-21', seqNo: 1, timestamp: at(60), chargingState: 'Charging', meter: [{ value: 4800 }] }));
    await st.call('TransactionEvent', transactionEvent({ eventType: 'Ended', transactionId: 'tx-21', seqNo: 2, timestamp: at(120), stoppedReason: 'EVDisconnected', meter: [{ value: 5600, context: 'Transaction.End' }] }));
    const [tx] = (await server.api('GET', '/api/v1/transactions?stationId=CS21-A')).body;
    assert.equal(tx.stationTxId, 'tx-21');
    assert.equal(tx.idToken, LONG_TOKEN);
    assert.equal(tx.evseId, 1);
    assert.equal(tx.connectorId, 1);
    assert.equal(tx.startedAt, at(0));
    assert.equal(tx.stoppedAt, at(120));
    assert.equal(tx.meterStartWh, 4000);
    assert.equal(tx.meterStopWh, 5600);
    assert.equal(tx.energyWh, 1600);
    assert.equal(tx.stopReason, 'EVDisconnected');
    assert.equal(tx.lastSeqNo, 2);
    assert.deepEqual(st.failures, []);
  });

  it('R NotifyDERAlarm and K21/K22 NotifyPriorityCharging (new 2.1 messages with a capability behind them) are answered and stored', async () => {
    const alarm = { controlType: 'HVMustTrip', gridEventFault: 'OverVoltage', alarmEnded: false, timestamp: at(200), extraInfo: '253 V on L1' };
    assert.deepEqual(await st.call('NotifyDERAlarm', alarm), {});
    assert.deepEqual((await notifications('der.alarm'))[0].payload, alarm);
    assert.deepEqual(await st.call('NotifyPriorityCharging', { transactionId: 'tx-21', activated: true }), {});
    assert.equal((await notifications('charging.priority'))[0].payload.activated, true);
    assert.deepEqual(st.failures, []);
  });

  it('N11-N15 OpenPeriodicEventStream is Accepted; K PullDynamicScheduleUpdate is Rejected (no dynamic schedule)', async () => {
    const open = await st.call('OpenPeriodicEventStream', { constantStreamData: { id: 7, variableMonitoringId: 3, params: { interval: 10, values: 5 } } });
    assert.equal(open.status, 'Accepted');
    const pull = await st.call('PullDynamicScheduleUpdate', { chargingProfileId: 101 });
    assert.equal(pull.status, 'Rejected');
    assert.ok(pull.statusInfo.reasonCode.length <= 20);
    assert.equal((await notifications('monitoring.stream-opened'))[0].payload.constantStreamData.id, 7);
    assert.deepEqual(st.failures, []);
  });

  it('C (ad-hoc payment) NotifySettlement, N11-N15 ClosePeriodicEventStream, R NotifyDERStartStop and ReportDERControl are answered and stored', async () => {
    const settlement = { transactionId: 'tx-21', pspRef: 'PSP-0042', status: 'Settled', settlementAmount: 12.34, settlementTime: at(130), receiptId: 'R-1' };
    assert.deepEqual(await st.call('NotifySettlement', settlement), {});
    assert.deepEqual((await notifications('payment.settlement'))[0].payload, settlement);
    assert.deepEqual(await st.call('ClosePeriodicEventStream', { id: 7 }), {});
    assert.deepEqual((await notifications('monitoring.stream-closed'))[0].payload, { id: 7 });
    assert.deepEqual(await st.call('NotifyDERStartStop', { controlId: 'der-1', started: true, timestamp: at(140) }), {});
    assert.equal((await notifications('der.start-stop'))[0].payload.controlId, 'der-1');
    assert.deepEqual(await st.call('ReportDERControl', { requestId: 3, tbc: false }), {});
    assert.equal((await notifications('der.report'))[0].payload.requestId, 3);
    assert.deepEqual(st.failures, []);
  });

  it('M GetCertificateChainStatus (no PKI configured) gets NotSupported', async () => {
    assert.equal(await callErrorCode(st.call('GetCertificateChainStatus', {
      certificateStatusRequests: [{ certificateHashData: { hashAlgorithm: 'SHA256', issuerNameHash: 'aa', issuerKeyHash: 'bb', serialNumber: '01' }, source: 'OCSP', urls: ['http://ocsp.example'] }],
    })), 'NotSupported');
    assert.deepEqual(st.failures, []);
  });

  it('C VatNumberValidation and S BatterySwap (new 2.1 messages without a capability) get NotSupported', async () => {
    assert.equal(await callErrorCode(st.call('VatNumberValidation', { vatNumber: 'NL123456789B01', evseId: 1 })), 'NotSupported');
    assert.equal(await callErrorCode(st.call('BatterySwap', {
      eventType: 'BatteryIn', requestId: 1, idToken: { idToken: 'SWAP-1', type: 'Central' },
      batteryData: [{ evseId: 1, serialNumber: 'BAT-1', soC: 80, soH: 97 }],
    })), 'NotSupported');
    assert.ok((await st.call('Heartbeat', {})).currentTime, 'the connection is fine');
    assert.deepEqual(st.failures, []);
  });

  it('2.1 operations go to a 2.1 station through the command API; a 2.1-only operation to a 2.0.1 station is 400', async () => {
    const tariffs = await server.api('POST', '/api/v1/stations/CS21-A/commands/GetTariffs', { evseId: 1 });
    assert.equal(tariffs.status, 200);
    assert.deepEqual(tariffs.body.response, { status: 'NoTariff' });
    const start = await server.api('POST', '/api/v1/stations/CS21-A/commands/RequestStartTransaction', { idToken: { idToken: LONG_TOKEN, type: 'eMAID' }, remoteStartId: 5 });
    assert.equal(start.status, 200, '2.0.1 operations are 2.1 operations too');
    assert.equal((await server.api('POST', '/api/v1/stations/CS21-A/commands/RemoteStartTransaction', { connectorId: 1, idTag: 'x' })).status, 400);

    const old = await bootedStrictStation(server, 'CS201-NOT21');
    try {
      const res = await server.api('POST', '/api/v1/stations/CS201-NOT21/commands/GetTariffs', { evseId: 1 });
      assert.equal(res.status, 400);
      assert.match(res.body.error.message, /ocpp2\.0\.1/);
      assert.equal(old.received.length, 0);
    } finally {
      await old.close();
    }
    assert.deepEqual(st.failures, []);
  });
});

describe('OCPP 2.1 RPC framework: SEND and CALLRESULTERROR (bare frames)', () => {
  let server: TestServer;
  let st: RawStation;
  const notifications = async (type: string) => (await server.api('GET', `/api/v1/stations/CS21-RAW/notifications?type=${type}&limit=50`)).body as any[];

  before(async () => {
    server = await startTestServer();
    st = await bootedRawStation2(server.wsUrl, 'CS21-RAW', 'ocpp2.1');
  });
  after(async () => {
    await st.close();
    await server.stop();
  });

  it('N11-N15 SEND NotifyPeriodicEventStream is stored as a notification and never answered', async () => {
    const sendId = randomUUID();
    const stream = { id: 7, pending: 0, basetime: at(300), data: [{ t: 0, v: '230.4' }, { t: 10, v: '231.0' }] };
    st.sendText(JSON.stringify([6, sendId, 'NotifyPeriodicEventStream', stream]));
    const [stored] = await eventually(async () => {
      const list = await notifications('monitoring.stream-data');
      return list.length > 0 ? list : undefined;
    }, 3000, 'the stream data stored');
    assert.deepEqual(stored.payload, stream);
    // Whatever comes back arrives in order: after the Heartbeat's answer, nothing is pending for the SEND.
    assert.ok((await st.ok('Heartbeat', {})).currentTime);
    await assert.rejects(st.next(sendId, 200), /no reply/, 'a SEND is never answered');
  });

  it('OCPP-J 2.1 §4.2.4 an invalid SEND is dropped silently: not answered, not stored, the connection stays', async () => {
    const sendId = randomUUID();
    st.sendText(JSON.stringify([6, sendId, 'NotifyPeriodicEventStream', { id: 8, pending: 0 }]));
    const unknownId = randomUUID();
    st.sendText(JSON.stringify([6, unknownId, 'NoSuchStream', {}]));
    assert.ok((await st.ok('Heartbeat', {})).currentTime);
    await assert.rejects(st.next(sendId, 200), /no reply/);
    await assert.rejects(st.next(unknownId, 100), /no reply/);
    assert.equal((await notifications('monitoring.stream-data')).length, 1, 'only the valid one from before');
  });

  it('B02.FR.09 a SEND from a station that is not Accepted is dropped (a SEND cannot be answered SecurityError)', async () => {
    await server.api('PUT', '/api/v1/stations/CS21-PENDING', { registered: true, bootPolicy: 'Pending' });
    const pending = await RawStation.connect(server.wsUrl, 'CS21-PENDING', 'ocpp2.1');
    try {
      assert.equal((await pending.ok('BootNotification', BOOT_201)).status, 'Pending');
      pending.sendText(JSON.stringify([6, randomUUID(), 'NotifyPeriodicEventStream', { id: 1, pending: 0, basetime: at(400), data: [{ t: 0, v: '1' }] }]));
      assert.equal((await pending.call('Heartbeat', {}))[2], 'SecurityError', 'a CALL is refused (and is answered after the SEND was handled)');
      const stored = async () => (await server.api('GET', '/api/v1/stations/CS21-PENDING/notifications?type=monitoring.stream-data&limit=10')).body as any[];
      assert.deepEqual(await stored(), [], 'not stored');
      // Once Accepted, the same station's SEND is kept: only the later one ever shows up.
      await server.api('PUT', '/api/v1/stations/CS21-PENDING', { bootPolicy: null });
      assert.equal((await pending.ok('BootNotification', BOOT_201)).status, 'Accepted');
      pending.sendText(JSON.stringify([6, randomUUID(), 'NotifyPeriodicEventStream', { id: 2, pending: 0, basetime: at(410), data: [{ t: 0, v: '2' }] }]));
      const list = await eventually(async () => {
        const l = await stored();
        return l.length > 0 ? l : undefined;
      }, 3000, 'the SEND after Accepted stored');
      assert.deepEqual(list.map((n) => n.payload.id), [2]);
    } finally {
      await pending.close();
    }
  });

  it('OCPP-J 2.1 §4.2.3 a CALLRESULTERROR from the station (it could not process our CALLRESULT) is tolerated', async () => {
    const hbId = randomUUID();
    const reply = await st.call('Heartbeat', {}, hbId);
    assert.equal(reply[0], 3);
    st.sendText(JSON.stringify([5, hbId, 'FormatViolation', 'could not parse currentTime', {}]));
    st.sendText(JSON.stringify([5, randomUUID(), 'InternalError', '', {}]));
    await assert.rejects(st.next(hbId, 200), /no reply/, 'not answered');
    assert.ok((await st.ok('Heartbeat', {})).currentTime, 'the connection still works');
    st.onCall = (action) => (action === 'GetTariffs' ? { status: 'NoTariff' } : undefined);
    const res = await server.api('POST', '/api/v1/stations/CS21-RAW/commands/GetTariffs', { evseId: 0 });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.response, { status: 'NoTariff' }, 'commands still work');
  });

  it('OCPP-J 2.1 §4.3/§4.4 error codes are the 2.x spellings on the wire; an unknown message type is ignored', async () => {
    const missing = await st.call('NotifyDERAlarm', { controlType: 'HVMustTrip' });
    assert.equal(missing[2], 'OccurrenceConstraintViolation');
    assert.equal((await st.call('Heartbeat', { surprise: 1 }))[2], 'FormatViolation');
    st.sendText('[7,"m-seven",{}]');
    assert.ok((await st.ok('Heartbeat', {})).currentTime);
    await assert.rejects(st.next('m-seven', 100), /no reply/, '2.1 §4.4: an unknown message type is ignored');
  });
});
