import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BOOT_201, bootedStrictStation, callErrorCode, connectStrictStation, findVariable, storedDeviceModel, type StrictStation,
} from './support/ocpp2-station.ts';
import { eventually, startTestServer, type TestServer } from './support/test-server.ts';

const CERT = `-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUQ0VydGlmaWNhdGVGb3JUZXN0czAKBggqhkjOPQQDAjAVMRMwEQYDVQQDDApKb3VsZSBSb290MB4XDTI2
-----END CERTIFICATE-----`;
const CSR = '-----BEGIN CERTIFICATE REQUEST-----\nMIIBDjCBtQIBADBTMQswCQYDVQQGEwJOTDEOMAwGA1UECgwFSm91bGU=\n-----END CERTIFICATE REQUEST-----';
const T0 = '2026-11-21T08:00:00.000Z';

describe('OCPP 2.0.1 blocks A (security) and B (provisioning), with a strict ocpp-rpc station', () => {
  let server: TestServer;
  let st: StrictStation;
  const command = (action: string, payload: unknown, stationId = 'CS201-AB') =>
    server.api('POST', `/api/v1/stations/${stationId}/commands/${action}`, payload);

  before(async () => {
    server = await startTestServer();
    st = await connectStrictStation(server, 'CS201-AB', {
      answers: {
        CertificateSigned: { status: 'Accepted' },
        GetBaseReport: { status: 'Accepted' },
        Reset: { status: 'Scheduled' },
      },
    });
  });
  after(async () => {
    await st?.close();
    await server.stop();
  });

  it('B01 cold boot: BootNotification is Accepted with the heartbeat interval; identity and protocol are recorded', async () => {
    const boot = await st.call('BootNotification', BOOT_201);
    assert.equal(boot.status, 'Accepted');
    assert.equal(boot.interval, 300);
    assert.ok(Math.abs(Date.parse(boot.currentTime) - Date.now()) < 5000);
    const { body } = await server.api('GET', '/api/v1/stations/CS201-AB');
    assert.equal(body.online, true);
    assert.equal(body.protocol, 'ocpp2.0.1');
    assert.equal(body.registrationStatus, 'Accepted');
    assert.equal(body.vendor, 'Joule');
    assert.equal(body.model, 'TestStation2');
    assert.equal(body.serialNumber, 'SN-201');
    assert.equal(body.firmwareVersion, '2.0.1-test');
    assert.equal(body.iccid, '8931000000000000001');
    assert.equal(body.imsi, '204080000000001');
    assert.deepEqual(st.failures, []);
  });

  it('G02 Heartbeat answers the current time and updates lastSeen', async () => {
    const hb = await st.call('Heartbeat', {});
    assert.ok(Math.abs(Date.parse(hb.currentTime) - Date.now()) < 5000);
    const { body } = await server.api('GET', '/api/v1/stations/CS201-AB');
    assert.ok(body.lastSeen && Date.parse(body.lastSeen) >= Date.parse(hb.currentTime) - 1000);
    assert.deepEqual(st.failures, []);
  });

  it('A04 SecurityEventNotification is stored as a station notification (GET .../notifications)', async () => {
    assert.deepEqual(await st.call('SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: T0, techInfo: 'cabinet door opened' }), {});
    assert.deepEqual(await st.call('SecurityEventNotification', { type: 'InvalidCsmsCertificate', timestamp: '2026-11-21T08:01:00.000Z' }), {});
    const { status, body } = await server.api('GET', '/api/v1/stations/CS201-AB/notifications?type=security.event&limit=10');
    assert.equal(status, 200);
    assert.equal(body.length, 2);
    const tamper = body.find((n: any) => n.payload.type === 'TamperDetectionActivated');
    assert.equal(tamper.timestamp, T0, "the station's timestamp is kept");
    assert.equal(tamper.payload.techInfo, 'cabinet door opened');
    assert.equal(tamper.payload.critical, true);
    assert.equal(body.find((n: any) => n.payload.type === 'InvalidCsmsCertificate').payload.critical, false);
    assert.deepEqual(st.failures, []);
  });

  it('A02 SignCertificate is answered (Rejected: no certificate authority is configured) and the request is recorded', async () => {
    const answer = await st.call('SignCertificate', { csr: CSR, certificateType: 'ChargingStationCertificate' });
    assert.equal(answer.status, 'Rejected');
    const { body } = await server.api('GET', '/api/v1/stations/CS201-AB/notifications?type=certificate.signing-requested&limit=10');
    assert.equal(body.length, 1);
    assert.equal(body[0].payload.certificateType, 'ChargingStationCertificate');
    assert.equal(body[0].payload.csrLength, CSR.length);
    assert.deepEqual(st.failures, []);
  });

  it('A02/A03 CertificateSigned is sent through the command API and the station\'s answer comes back', async () => {
    const res = await command('CertificateSigned', { certificateChain: CERT, certificateType: 'ChargingStationCertificate' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'completed');
    assert.deepEqual(res.body.response, { status: 'Accepted' });
    assert.deepEqual(st.requests('CertificateSigned').at(-1), { certificateChain: CERT, certificateType: 'ChargingStationCertificate' });
    assert.equal((await command('CertificateSigned', { certificateChain: CERT, certificateType: 'ClientCertificate' })).status, 400, 'not a 2.0.1 CertificateSigningUse');
    assert.deepEqual(st.failures, []);
  });

  it('B07 GetBaseReport is sent; the multi-part NotifyReport (tbc/seqNo) that follows is stored as the device model', async (t) => {
    const res = await command('GetBaseReport', { requestId: 11, reportBase: 'FullInventory' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.response, { status: 'Accepted' });
    assert.deepEqual(st.requests('GetBaseReport').at(-1), { requestId: 11, reportBase: 'FullInventory' });

    assert.deepEqual(await st.call('NotifyReport', {
      requestId: 11, generatedAt: T0, seqNo: 0, tbc: true,
      reportData: [
        {
          component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' },
          variableAttribute: [{ type: 'Actual', value: '300', mutability: 'ReadWrite', persistent: true, constant: false }],
          variableCharacteristics: { unit: 's', dataType: 'integer', minLimit: 1, maxLimit: 86400, supportsMonitoring: false },
        },
        {
          component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' },
          variableAttribute: [{ type: 'Actual', value: '0', mutability: 'ReadOnly' }, { type: 'MaxSet', value: '22000', mutability: 'ReadOnly' }],
          variableCharacteristics: { unit: 'W', dataType: 'decimal', supportsMonitoring: true },
        },
      ],
    }), {});
    assert.deepEqual(await st.call('NotifyReport', {
      requestId: 11, generatedAt: T0, seqNo: 1, tbc: false,
      reportData: [
        {
          component: { name: 'AuthCtrlr' }, variable: { name: 'AuthorizeRemoteStart' },
          variableAttribute: [{ value: 'true', mutability: 'ReadWrite' }],
          variableCharacteristics: { dataType: 'boolean', supportsMonitoring: false },
        },
        {
          component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedMeasurands' },
          variableAttribute: [{ value: 'Energy.Active.Import.Register,Power.Active.Import', mutability: 'ReadWrite' }],
          variableCharacteristics: { dataType: 'MemberList', valuesList: 'Energy.Active.Import.Register,Power.Active.Import,SoC', supportsMonitoring: false },
        },
      ],
    }), {});

    const { source, variables } = await storedDeviceModel(server, 'CS201-AB');
    if (source === 'domain') t.diagnostic('device model read through server.domain.deviceModel.list: GET /api/v1/stations/{id}/device-model is not there yet');
    assert.equal(variables.length, 5, 'one record per variable attribute, from both parts');
    const heartbeat = findVariable(variables, 'OCPPCommCtrlr', 'HeartbeatInterval');
    assert.equal(heartbeat.value, '300');
    assert.equal(heartbeat.mutability, 'ReadWrite');
    assert.equal(heartbeat.persistent, true);
    assert.equal(heartbeat.unit, 's');
    assert.equal(heartbeat.dataType, 'integer');
    assert.equal(heartbeat.maxLimit, 86400);
    const maxPower = findVariable(variables, 'EVSE', 'Power', { evseId: 1, attributeType: 'MaxSet' });
    assert.equal(maxPower.value, '22000');
    assert.equal(maxPower.supportsMonitoring, true);
    assert.equal(findVariable(variables, 'EVSE', 'Power', { evseId: 1 }).value, '0');
    assert.equal(findVariable(variables, 'AuthCtrlr', 'AuthorizeRemoteStart').attributeType, 'Actual', 'attribute type defaults to Actual');
    assert.equal(findVariable(variables, 'SampledDataCtrlr', 'TxUpdatedMeasurands').valuesList, 'Energy.Active.Import.Register,Power.Active.Import,SoC');
    assert.deepEqual(st.failures, []);
  });

  it('B05 SetVariables through the command API: accepted values are stored, rejected ones and write-only secrets are not', async () => {
    st.answers.SetVariables = (params: any) => ({
      setVariableResult: params.setVariableData.map((d: any) => ({
        attributeStatus: d.variable.name === 'AuthorizeRemoteStart' ? 'Rejected' : d.variable.name === 'TxUpdatedMeasurands' ? 'RebootRequired' : 'Accepted',
        component: d.component,
        variable: d.variable,
      })),
    });
    const res = await command('SetVariables', {
      setVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '120' },
        { component: { name: 'AuthCtrlr' }, variable: { name: 'AuthorizeRemoteStart' }, attributeValue: 'false' },
        { component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedMeasurands' }, attributeValue: 'Energy.Active.Import.Register' },
        { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, attributeValue: 'correct-horse-battery-staple' },
      ],
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'completed');
    assert.deepEqual(res.body.response.setVariableResult.map((r: any) => r.attributeStatus), ['Accepted', 'Rejected', 'RebootRequired', 'Accepted']);
    const variables = await eventually(async () => {
      const { variables } = await storedDeviceModel(server, 'CS201-AB');
      return findVariable(variables, 'OCPPCommCtrlr', 'HeartbeatInterval')?.value === '120' ? variables : undefined;
    }, 3000, 'the accepted value stored');
    const heartbeat = findVariable(variables, 'OCPPCommCtrlr', 'HeartbeatInterval');
    assert.equal(heartbeat.dataType, 'integer', 'the characteristics from the report are kept');
    assert.equal(heartbeat.unit, 's');
    assert.equal(findVariable(variables, 'AuthCtrlr', 'AuthorizeRemoteStart').value, 'true', 'the rejected write changed nothing');
    assert.equal(findVariable(variables, 'SampledDataCtrlr', 'TxUpdatedMeasurands').value, 'Energy.Active.Import.Register', 'RebootRequired: stored');
    assert.equal(findVariable(variables, 'SecurityCtrlr', 'BasicAuthPassword'), undefined, 'a write-only secret is never stored');
    assert.deepEqual(st.failures, []);
  });

  it('B06 GetVariables through the command API: the values the station could read update the stored model', async () => {
    st.answers.GetVariables = {
      getVariableResult: [
        { attributeStatus: 'Accepted', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '90' },
        { attributeStatus: 'Accepted', component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, attributeType: 'MaxSet', attributeValue: '11000' },
        { attributeStatus: 'UnknownVariable', component: { name: 'AuthCtrlr' }, variable: { name: 'NoSuchThing' } },
      ],
    };
    const res = await command('GetVariables', {
      getVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, attributeType: 'MaxSet' },
        { component: { name: 'AuthCtrlr' }, variable: { name: 'NoSuchThing' } },
      ],
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.response.getVariableResult[0].attributeValue, '90');
    const variables = await eventually(async () => {
      const { variables } = await storedDeviceModel(server, 'CS201-AB');
      return findVariable(variables, 'OCPPCommCtrlr', 'HeartbeatInterval')?.value === '90' ? variables : undefined;
    }, 3000, 'the read value stored');
    assert.equal(findVariable(variables, 'EVSE', 'Power', { evseId: 1, attributeType: 'MaxSet' }).value, '11000');
    assert.equal(findVariable(variables, 'AuthCtrlr', 'NoSuchThing'), undefined, 'an unknown variable is not invented');
    assert.equal((await command('GetVariables', { getVariableData: [] })).status, 400, 'getVariableData needs at least one entry');
    assert.deepEqual(st.failures, []);
  });

  it('B11/B12 Reset through the command API; a 1.6 Reset type is refused by the 2.0.1 schema', async () => {
    const res = await command('Reset', { type: 'OnIdle', evseId: 1 });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.response, { status: 'Scheduled' });
    assert.deepEqual(st.requests('Reset').at(-1), { type: 'OnIdle', evseId: 1 });
    const bad = await command('Reset', { type: 'Soft' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid_payload');
    assert.equal(st.requests('Reset').length, 1, 'nothing was sent');
    assert.deepEqual(st.failures, []);
  });

  it('B07 a new FullInventory report replaces the stored device model (variables the station no longer has go)', async () => {
    const res = await command('GetBaseReport', { requestId: 12, reportBase: 'FullInventory' });
    assert.deepEqual(res.body.response, { status: 'Accepted' });
    assert.deepEqual(await st.call('NotifyReport', {
      requestId: 12, generatedAt: T0, seqNo: 0,
      reportData: [{
        component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' },
        variableAttribute: [{ value: '600', mutability: 'ReadWrite' }],
        variableCharacteristics: { unit: 's', dataType: 'integer', supportsMonitoring: false },
      }],
    }), {});
    const { variables } = await storedDeviceModel(server, 'CS201-AB');
    assert.equal(variables.length, 1);
    assert.equal(findVariable(variables, 'OCPPCommCtrlr', 'HeartbeatInterval').value, '600');
    // A report Joule did not ask for as a full inventory (e.g. GetReport) only adds and updates.
    assert.deepEqual(await st.call('NotifyReport', {
      requestId: 99, generatedAt: T0, seqNo: 0,
      reportData: [{ component: { name: 'AuthCtrlr' }, variable: { name: 'Enabled' }, variableAttribute: [{ value: 'true' }] }],
    }), {});
    assert.equal((await storedDeviceModel(server, 'CS201-AB')).variables.length, 2);
    assert.deepEqual(st.failures, []);
  });

  it('OCPP-J 2.0.1 §5.3 a station that reconnects without a new BootNotification keeps its registration', async () => {
    const again = await connectStrictStation(server, 'CS201-AB', { answers: { Reset: { status: 'Accepted' } } });
    try {
      assert.ok((await again.call('Heartbeat', {})).currentTime, 'Accepted without booting again');
      assert.deepEqual(await again.call('StatusNotification', { timestamp: T0, connectorStatus: 'Available', evseId: 1, connectorId: 1 }), {});
      const res = await command('Reset', { type: 'Immediate' });
      assert.deepEqual(res.body.response, { status: 'Accepted' }, 'commands go to the newer connection');
      assert.deepEqual(again.requests('Reset'), [{ type: 'Immediate' }]);
      assert.deepEqual(again.failures, []);
    } finally {
      await again.close();
    }
  });
});

describe('OCPP 2.0.1 B02 Pending boot (JOULE_UNKNOWN_STATIONS=pending)', () => {
  let server: TestServer;
  let st: StrictStation;
  const command = (action: string, payload: unknown) => server.api('POST', `/api/v1/stations/CS201-PENDING/commands/${action}`, payload);

  before(async () => {
    server = await startTestServer({ JOULE_UNKNOWN_STATIONS: 'pending' });
    st = await connectStrictStation(server, 'CS201-PENDING', {
      answers: {
        TriggerMessage: { status: 'Accepted' },
        GetVariables: { getVariableResult: [{ attributeStatus: 'Accepted', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '300' }] },
        RequestStartTransaction: { status: 'Accepted' },
      },
    });
  });
  after(async () => {
    await st?.close();
    await server.stop();
  });

  it('B02 an unknown station is answered Pending with the boot retry interval', async () => {
    const boot = await st.call('BootNotification', BOOT_201);
    assert.equal(boot.status, 'Pending');
    assert.equal(boot.interval, 60);
    assert.equal((await server.api('GET', '/api/v1/stations/CS201-PENDING')).body.registrationStatus, 'Pending');
  });

  it('B02.FR.09 a Pending station that sends anything but BootNotification gets SecurityError', async () => {
    assert.equal(await callErrorCode(st.call('Heartbeat', {})), 'SecurityError');
    assert.equal(await callErrorCode(st.call('StatusNotification', { timestamp: T0, connectorStatus: 'Available', evseId: 1, connectorId: 1 })), 'SecurityError');
    assert.equal(await callErrorCode(st.call('TransactionEvent', {
      eventType: 'Started', timestamp: T0, triggerReason: 'Authorized', seqNo: 0, transactionInfo: { transactionId: 'pending-tx' },
    })), 'SecurityError');
    assert.deepEqual((await server.api('GET', '/api/v1/transactions?stationId=CS201-PENDING')).body, [], 'nothing was recorded');
    assert.deepEqual(st.failures, []);
  });

  it('B02.FR.05 the CSMS may configure a Pending station but not start a transaction on it', async () => {
    const get = await command('GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] });
    assert.equal(get.status, 200);
    assert.equal(get.body.status, 'completed');
    const start = await command('RequestStartTransaction', { idToken: { idToken: 'T', type: 'Central' }, remoteStartId: 1 });
    assert.equal(start.status, 409);
    assert.equal(start.body.error.code, 'refused');
    assert.equal(st.requests('RequestStartTransaction').length, 0);
  });

  it('F06 a message triggered by TriggerMessage is allowed once before the station is Accepted', async () => {
    const trigger = await command('TriggerMessage', { requestedMessage: 'Heartbeat' });
    assert.equal(trigger.status, 200);
    assert.deepEqual(trigger.body.response, { status: 'Accepted' });
    const hb = await st.call('Heartbeat', {});
    assert.ok(hb.currentTime, 'the triggered Heartbeat is answered');
    assert.equal(await callErrorCode(st.call('Heartbeat', {})), 'SecurityError', 'only once');
    assert.deepEqual(st.failures, []);
  });

  it('B02 once the operator registers it, a triggered BootNotification is Accepted and the station may operate', async () => {
    const put = await server.api('PUT', '/api/v1/stations/CS201-PENDING', { registered: true });
    assert.equal(put.status, 200);
    assert.deepEqual((await command('TriggerMessage', { requestedMessage: 'BootNotification' })).body.response, { status: 'Accepted' });
    const boot = await st.call('BootNotification', { ...BOOT_201, reason: 'Triggered' });
    assert.equal(boot.status, 'Accepted');
    assert.equal(boot.interval, 300);
    assert.ok((await st.call('Heartbeat', {})).currentTime);
    assert.deepEqual(await st.call('StatusNotification', { timestamp: T0, connectorStatus: 'Available', evseId: 1, connectorId: 1 }), {});
    assert.deepEqual(st.failures, []);
  });

  it('B03 a Rejected station gets SecurityError for anything but BootNotification, and the CSMS sends it nothing (B03.FR.03/FR.07)', async () => {
    assert.equal((await server.api('PUT', '/api/v1/stations/CS201-REJECTED', { registered: true, bootPolicy: 'Rejected' })).status, 200);
    const rejected = await connectStrictStation(server, 'CS201-REJECTED', { answers: { TriggerMessage: { status: 'Accepted' } } });
    try {
      const boot = await rejected.call('BootNotification', BOOT_201);
      assert.equal(boot.status, 'Rejected');
      assert.equal(boot.interval, 60, 'the wait before the next BootNotification');
      assert.equal(await callErrorCode(rejected.call('Heartbeat', {})), 'SecurityError');
      const trigger = await server.api('POST', '/api/v1/stations/CS201-REJECTED/commands/TriggerMessage', { requestedMessage: 'BootNotification' });
      assert.equal(trigger.status, 409);
      assert.equal(trigger.body.error.code, 'refused');
      assert.equal(rejected.received.length, 0);
      assert.deepEqual(rejected.failures, []);
    } finally {
      await rejected.close();
    }
  });
});
