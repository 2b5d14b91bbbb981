import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeviceVariableUpdate } from '../../../src/store/ports.ts';
import { bootedStation, harness, type Harness } from './harness.ts';

/** An attribute with no characteristics, as a GetVariables answer would give it. */
const attribute = (component: string, variable: string, value: string | null, extra: Partial<DeviceVariableUpdate> = {}): DeviceVariableUpdate => ({
  component,
  componentInstance: null,
  evseId: null,
  connectorId: null,
  variable,
  variableInstance: null,
  attributeType: 'Actual',
  value,
  mutability: null,
  persistent: null,
  constant: null,
  unit: null,
  dataType: null,
  minLimit: null,
  maxLimit: null,
  valuesList: null,
  supportsMonitoring: null,
  ...extra,
});

const REPORTED_AT = '2026-02-01T09:00:00.000Z';

/** [component, evseId, connectorId, variable, attributeType] of each row, to compare order and filtering. */
const identities = (rows: { component: string; evseId: number | null; connectorId: number | null; variable: string; attributeType: string }[]) =>
  rows.map((r) => [r.component, r.evseId, r.connectorId, r.variable, r.attributeType]);

describe('GET /api/v1/stations/{id}/device-model', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
    await bootedStation(h, 'CS1', 'ocpp2.0.1');
    await bootedStation(h, 'CS2', 'ocpp2.0.1');
    await h.store.deviceModel.upsert('CS1', [
      attribute('OCPPCommCtrlr', 'HeartbeatInterval', '300', { mutability: 'ReadWrite', persistent: true, constant: false, unit: 's', dataType: 'integer', minLimit: 1, maxLimit: 86400, supportsMonitoring: false }),
      attribute('EVSE', 'AvailabilityState', 'Available', { evseId: 2, mutability: 'ReadOnly', dataType: 'OptionList', valuesList: 'Available,Occupied,Reserved,Unavailable,Faulted' }),
      attribute('EVSE', 'AvailabilityState', 'Occupied', { evseId: 1, mutability: 'ReadOnly' }),
      attribute('Connector', 'ConnectorType', 'cType2', { evseId: 1, connectorId: 1 }),
      attribute('SampledDataCtrlr', 'TxUpdatedInterval', '60'),
      attribute('SampledDataCtrlr', 'TxUpdatedInterval', '3600', { attributeType: 'MaxSet' }),
      attribute('SecurityCtrlr', 'BasicAuthPassword', null, { mutability: 'WriteOnly' }),
    ], REPORTED_AT);
  });
  after(() => h.close());

  it('lists every stored attribute with all its fields, in identity order', async () => {
    const res = await h.call('GET', '/api/v1/stations/CS1/device-model');
    assert.equal(res.statusCode, 200);
    const rows = res.json();
    assert.deepEqual(identities(rows), [
      ['Connector', 1, 1, 'ConnectorType', 'Actual'],
      ['EVSE', 1, null, 'AvailabilityState', 'Actual'],
      ['EVSE', 2, null, 'AvailabilityState', 'Actual'],
      ['OCPPCommCtrlr', null, null, 'HeartbeatInterval', 'Actual'],
      ['SampledDataCtrlr', null, null, 'TxUpdatedInterval', 'Actual'],
      ['SampledDataCtrlr', null, null, 'TxUpdatedInterval', 'MaxSet'],
      ['SecurityCtrlr', null, null, 'BasicAuthPassword', 'Actual'],
    ]);
    assert.deepEqual(rows[3], {
      stationId: 'CS1', component: 'OCPPCommCtrlr', componentInstance: null, evseId: null, connectorId: null,
      variable: 'HeartbeatInterval', variableInstance: null, attributeType: 'Actual', value: '300', mutability: 'ReadWrite',
      persistent: true, constant: false, unit: 's', dataType: 'integer', minLimit: 1, maxLimit: 86400, valuesList: null,
      supportsMonitoring: false, updatedAt: REPORTED_AT,
    });
    assert.equal(rows[6].value, null, 'a WriteOnly variable has no value to show');
    assert.deepEqual(rows, JSON.parse(JSON.stringify(await h.domain.deviceModel.list('CS1', {}))), 'no field lost in serialization');
  });

  it('filters by component and variable name, case-insensitively (OCPP 2.x ComponentType / VariableType names)', async () => {
    const query = async (q: string) => identities((await h.call('GET', `/api/v1/stations/CS1/device-model?${q}`)).json());
    assert.deepEqual(await query('component=evse'), [['EVSE', 1, null, 'AvailabilityState', 'Actual'], ['EVSE', 2, null, 'AvailabilityState', 'Actual']]);
    assert.deepEqual(await query('variable=TXUPDATEDINTERVAL'), [
      ['SampledDataCtrlr', null, null, 'TxUpdatedInterval', 'Actual'],
      ['SampledDataCtrlr', null, null, 'TxUpdatedInterval', 'MaxSet'],
    ]);
    assert.deepEqual(await query('component=OCPPCommCtrlr&variable=HeartbeatInterval'), [['OCPPCommCtrlr', null, null, 'HeartbeatInterval', 'Actual']]);
    assert.deepEqual(await query('component=OCPPCommCtrlr&variable=TxUpdatedInterval'), []);
    assert.deepEqual(await query('component=EVS'), [], 'names match exactly, not by prefix');
  });

  it('pages with limit and offset', async () => {
    const page = async (q: string) => identities((await h.call('GET', `/api/v1/stations/CS1/device-model?${q}`)).json());
    const all = await page('');
    assert.deepEqual(await page('limit=2'), all.slice(0, 2));
    assert.deepEqual(await page('limit=2&offset=2'), all.slice(2, 4));
    assert.deepEqual(await page('offset=6'), all.slice(6));
    assert.deepEqual(await page('offset=100'), []);
  });

  it('answers an empty list for a station that reported no device model, and 404 for an unknown station', async () => {
    const empty = await h.call('GET', '/api/v1/stations/CS2/device-model');
    assert.equal(empty.statusCode, 200);
    assert.deepEqual(empty.json(), []);
    const unknown = await h.call('GET', '/api/v1/stations/NOPE/device-model');
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.code, 'not_found');
  });

  it('rejects bad query parameters with 400', async () => {
    for (const q of ['limit=0', 'limit=1001', 'limit=ten', 'offset=-1', 'component=', 'variable=', `component=${'x'.repeat(51)}`]) {
      const res = await h.call('GET', `/api/v1/stations/CS1/device-model?${q}`);
      assert.equal(res.statusCode, 400, q);
      assert.equal(res.json().error.code, 'invalid_request', q);
    }
  });

  it('may be read by a viewer, and needs a token', async () => {
    const viewer = await h.call('GET', '/api/v1/stations/CS1/device-model?component=Connector', { as: 'viewer' });
    assert.equal(viewer.statusCode, 200);
    assert.equal(viewer.json().length, 1);
    assert.equal((await h.call('GET', '/api/v1/stations/CS1/device-model', { as: null })).statusCode, 401);
  });
});
