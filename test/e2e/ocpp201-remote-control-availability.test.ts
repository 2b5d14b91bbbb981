import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bootedStrictStation, transactionEvent, type StrictStation } from './support/ocpp2-station.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const T0 = '2026-11-21T09:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();
const TAG = { idToken: 'TAG-F', type: 'ISO14443' };
const begin = (value: number) => ({ value, context: 'Transaction.Begin' });

describe('OCPP 2.0.1 blocks F (remote control), G (availability) and H (reservation), with a strict ocpp-rpc station', () => {
  let server: TestServer;
  let st: StrictStation;
  const command = (action: string, payload: unknown) => server.api('POST', `/api/v1/stations/CS201-RC/commands/${action}`, payload);
  const txByStationId = async (stationTxId: string) =>
    (await server.api('GET', '/api/v1/transactions?stationId=CS201-RC&limit=100')).body.find((t: any) => t.stationTxId === stationTxId);
  const view = async () => (await server.api('GET', '/api/v1/stations/CS201-RC')).body;

  before(async () => {
    server = await startTestServer();
    await server.api('PUT', '/api/v1/id-tokens/TAG-F', { status: 'Accepted' });
    st = await bootedStrictStation(server, 'CS201-RC', {
      answers: {
        RequestStartTransaction: { status: 'Accepted' },
        RequestStopTransaction: (p: any) => ({ status: p.transactionId.startsWith('tx-') ? 'Accepted' : 'Rejected' }),
        UnlockConnector: (p: any) => ({ status: p.connectorId === 1 ? 'Unlocked' : 'UnknownConnector' }),
        TriggerMessage: (p: any) => ({ status: p.requestedMessage === 'SignV2GCertificate' ? 'Rejected' : 'Accepted' }),
        ChangeAvailability: { status: 'Accepted' },
        ReserveNow: { status: 'Accepted' },
        CancelReservation: (p: any) => ({ status: p.reservationId === 5 ? 'Accepted' : 'Rejected' }),
      },
    });
  });
  after(async () => {
    await st?.close();
    await server.stop();
  });

  it('G01 StatusNotification per EVSE and connector shows in GET /stations/{id} evses/connectors', async () => {
    for (const [evseId, connectorId, connectorStatus] of [[1, 1, 'Available'], [2, 1, 'Available'], [2, 2, 'Occupied'], [3, 1, 'Faulted']] as const) {
      assert.deepEqual(await st.call('StatusNotification', { timestamp: at(0), connectorStatus, evseId, connectorId }), {});
    }
    const body = await view();
    assert.deepEqual(body.evses.map((e: any) => [e.evseId, e.connectors.map((c: any) => [c.connectorId, c.status])]), [
      [1, [[1, 'Available']]],
      [2, [[1, 'Available'], [2, 'Occupied']]],
      [3, [[1, 'Faulted']]],
    ]);
    assert.equal(body.evses[1].connectors[1].timestamp, at(0), "the station's timestamp");
    const history = (await server.api('GET', '/api/v1/stations/CS201-RC/status-history?limit=10')).body;
    assert.equal(history.length, 4);
    assert.deepEqual(st.failures, []);
  });

  it('G03 ChangeAvailability through the command API; the StatusNotification that follows updates the connector', async () => {
    const res = await command('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 2, connectorId: 2 } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.response, { status: 'Accepted' });
    assert.deepEqual(st.requests('ChangeAvailability').at(-1), { operationalStatus: 'Inoperative', evse: { id: 2, connectorId: 2 } });
    await st.call('StatusNotification', { timestamp: at(10), connectorStatus: 'Unavailable', evseId: 2, connectorId: 2 });
    assert.equal((await view()).evses[1].connectors[1].status, 'Unavailable');
    assert.equal((await command('ChangeAvailability', { connectorId: 2, type: 'Inoperative' })).status, 400, 'the 1.6 shape fails the 2.0.1 schema');
    assert.deepEqual(st.failures, []);
  });

  it('F02 RequestStartTransaction (remote start first): the transaction record keeps the remoteStartId', async () => {
    const res = await command('RequestStartTransaction', { idToken: TAG, remoteStartId: 77, evseId: 1 });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'completed');
    assert.deepEqual(res.body.response, { status: 'Accepted' });
    assert.deepEqual(st.requests('RequestStartTransaction').at(-1), { idToken: TAG, remoteStartId: 77, evseId: 1 });

    const started = await st.call('TransactionEvent', transactionEvent({
      eventType: 'Started', transactionId: 'tx-remote', seqNo: 0, timestamp: at(20), triggerReason: 'RemoteStart', evse: { id: 1, connectorId: 1 },
      idToken: TAG, remoteStartId: 77, chargingState: 'EVConnected', meter: [begin(500)],
    }));
    assert.equal(started.idTokenInfo.status, 'Accepted');
    // A simulator quirk (field notes §3): a second Started (seqNo 1) for the same transaction.
    await st.call('TransactionEvent', transactionEvent({
      eventType: 'Started', transactionId: 'tx-remote', seqNo: 1, timestamp: at(21), triggerReason: 'ChargingStateChanged', evse: { id: 1, connectorId: 1 },
      idToken: TAG, remoteStartId: 77, chargingState: 'Charging',
    }));
    const all = (await server.api('GET', '/api/v1/transactions?stationId=CS201-RC&limit=100')).body.filter((t: any) => t.stationTxId === 'tx-remote');
    assert.equal(all.length, 1, 'one transaction');
    const tx = all[0];
    assert.equal(tx.remoteStartId, 77);
    assert.equal(tx.idToken, 'TAG-F');
    assert.equal(tx.startedAt, at(20));
    assert.equal(tx.meterStartWh, 500);
    assert.equal(tx.chargingState, 'Charging');
    assert.deepEqual(st.failures, []);
  });

  it('F03 RequestStopTransaction: the station ends the transaction with stoppedReason Remote', async () => {
    const res = await command('RequestStopTransaction', { transactionId: 'tx-remote' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.response, { status: 'Accepted' });
    await st.call('TransactionEvent', transactionEvent({
      eventType: 'Ended', transactionId: 'tx-remote', seqNo: 2, timestamp: at(80), triggerReason: 'RemoteStop', stoppedReason: 'Remote',
      meter: [{ value: 1700, context: 'Transaction.End' }],
    }));
    const tx = await txByStationId('tx-remote');
    assert.equal(tx.stopReason, 'Remote');
    assert.equal(tx.energyWh, 1200);
    assert.deepEqual((await command('RequestStopTransaction', { transactionId: 'unknown-id' })).body.response, { status: 'Rejected' });
    assert.equal((await command('RequestStopTransaction', { transactionId: 12 })).status, 400, '2.0.1 transaction ids are strings');
    assert.deepEqual(st.failures, []);
  });

  it('F01 RequestStartTransaction after the cable was plugged in: the station names its transaction, the Updated fills in token and remoteStartId', async () => {
    await st.call('TransactionEvent', transactionEvent({
      eventType: 'Started', transactionId: 'tx-cable-first', seqNo: 0, timestamp: at(100), triggerReason: 'CablePluggedIn', evse: { id: 2, connectorId: 1 },
      chargingState: 'EVConnected', meter: [begin(9000)],
    }));
    assert.equal((await txByStationId('tx-cable-first')).idToken, null);
    st.answers.RequestStartTransaction = { status: 'Accepted', transactionId: 'tx-cable-first' };
    const res = await command('RequestStartTransaction', { idToken: TAG, remoteStartId: 78, evseId: 2 });
    assert.deepEqual(res.body.response, { status: 'Accepted', transactionId: 'tx-cable-first' });
    const updated = await st.call('TransactionEvent', transactionEvent({
      eventType: 'Updated', transactionId: 'tx-cable-first', seqNo: 1, timestamp: at(110), triggerReason: 'RemoteStart', idToken: TAG, remoteStartId: 78, chargingState: 'Charging',
    }));
    assert.equal(updated.idTokenInfo.status, 'Accepted');
    const tx = await txByStationId('tx-cable-first');
    assert.equal(tx.idToken, 'TAG-F');
    assert.equal(tx.remoteStartId, 78);
    assert.equal(tx.startedAt, at(100));
    await st.call('TransactionEvent', transactionEvent({ eventType: 'Ended', transactionId: 'tx-cable-first', seqNo: 2, timestamp: at(160), stoppedReason: 'EVDisconnected', meter: [{ value: 9100, context: 'Transaction.End' }] }));
    assert.equal((await txByStationId('tx-cable-first')).energyWh, 100);
    assert.deepEqual(st.failures, []);
  });

  it('F05 UnlockConnector through the command API', async () => {
    assert.deepEqual((await command('UnlockConnector', { evseId: 1, connectorId: 1 })).body.response, { status: 'Unlocked' });
    assert.deepEqual((await command('UnlockConnector', { evseId: 1, connectorId: 9 })).body.response, { status: 'UnknownConnector' });
    assert.equal((await command('UnlockConnector', { connectorId: 1 })).status, 400, 'evseId is required in 2.0.1');
    assert.deepEqual(st.failures, []);
  });

  it('F06 TriggerMessage through the command API; the triggered StatusNotification is recorded', async () => {
    const res = await command('TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } });
    assert.deepEqual(res.body.response, { status: 'Accepted' });
    assert.deepEqual(st.requests('TriggerMessage').at(-1), { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } });
    await st.call('StatusNotification', { timestamp: at(200), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    const history = (await server.api('GET', '/api/v1/stations/CS201-RC/status-history?limit=1')).body;
    assert.equal(history[0].timestamp, at(200));
    assert.deepEqual((await command('TriggerMessage', { requestedMessage: 'SignV2GCertificate' })).body.response, { status: 'Rejected' });
    assert.equal((await command('TriggerMessage', { requestedMessage: 'DiagnosticsStatusNotification' })).status, 400, 'a 1.6 trigger is not a 2.0.1 MessageTrigger');
    assert.deepEqual(st.failures, []);
  });

  it('H01 ReserveNow, H02 CancelReservation, and the ReservationStatusUpdate that is stored as a notification', async () => {
    const reserve = await command('ReserveNow', { id: 5, expiryDateTime: new Date(Date.now() + 3_600_000).toISOString(), idToken: TAG, evseId: 3 });
    assert.equal(reserve.status, 200);
    assert.deepEqual(reserve.body.response, { status: 'Accepted' });
    await st.call('StatusNotification', { timestamp: at(300), connectorStatus: 'Reserved', evseId: 3, connectorId: 1 });
    assert.equal((await view()).evses[2].connectors[0].status, 'Reserved');
    assert.deepEqual((await command('CancelReservation', { reservationId: 5 })).body.response, { status: 'Accepted' });
    assert.deepEqual((await command('CancelReservation', { reservationId: 6 })).body.response, { status: 'Rejected' });

    const second = await command('ReserveNow', { id: 6, expiryDateTime: new Date(Date.now() + 60_000).toISOString(), idToken: TAG });
    assert.deepEqual(second.body.response, { status: 'Accepted' });
    assert.deepEqual(await st.call('ReservationStatusUpdate', { reservationId: 6, reservationUpdateStatus: 'Expired' }), {});
    const { body } = await server.api('GET', '/api/v1/stations/CS201-RC/notifications?type=reservation.status&limit=10');
    assert.equal(body.length, 1);
    assert.deepEqual(body[0].payload, { reservationId: 6, reservationUpdateStatus: 'Expired' });
    assert.equal((await command('ReserveNow', { connectorId: 1, expiryDate: at(3600), idTag: 'TAG-F', reservationId: 7 })).status, 400, 'the 1.6 shape');
    assert.deepEqual(st.failures, []);
  });

  it('H03 a transaction that uses a reservation keeps its reservationId', async () => {
    await st.call('TransactionEvent', { ...transactionEvent({ eventType: 'Started', transactionId: 'tx-reserved', seqNo: 0, timestamp: at(400), evse: { id: 3, connectorId: 1 }, idToken: TAG, meter: [begin(0)] }), reservationId: 9 });
    assert.equal((await txByStationId('tx-reserved')).reservationId, 9);
    await st.call('TransactionEvent', transactionEvent({ eventType: 'Ended', transactionId: 'tx-reserved', seqNo: 1, timestamp: at(460), stoppedReason: 'Local' }));
    assert.deepEqual(st.failures, []);
  });

  it('1.6 operations to a 2.0.1 station are refused with 400 and never sent', async () => {
    const before = st.received.length;
    for (const [action, payload] of [
      ['RemoteStartTransaction', { connectorId: 1, idTag: 'TAG-F' }],
      ['RemoteStopTransaction', { transactionId: 1 }],
      ['GetConfiguration', {}],
      ['ChangeConfiguration', { key: 'HeartbeatInterval', value: '60' }],
      ['GetDiagnostics', { location: 'ftp://x.example/' }],
    ] as const) {
      const res = await command(action, payload);
      assert.equal(res.status, 400, action);
      assert.equal(res.body.error.code, 'invalid_payload');
      assert.match(res.body.error.message, /ocpp2\.0\.1/);
    }
    assert.equal((await command('BootNotification', {})).status, 400, 'a station-to-CSMS message is not a command');
    assert.equal(st.received.length, before);
  });
});
