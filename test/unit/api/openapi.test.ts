import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness } from './harness.ts';

/** Every route of the API, as `METHOD path` in OpenAPI notation. */
const ROUTES = [
  'GET /health',
  'GET /api/v1/stations',
  'GET /api/v1/stations/{id}',
  'PUT /api/v1/stations/{id}',
  'GET /api/v1/stations/{id}/status-history',
  'GET /api/v1/stations/{id}/configuration',
  'GET /api/v1/stations/{id}/notifications',
  'GET /api/v1/stations/{id}/meter-values',
  'GET /api/v1/stations/{id}/device-model',
  'POST /api/v1/stations/{id}/commands/{action}',
  'POST /api/v1/stations/{id}/password-rotation',
  'GET /api/v1/commands',
  'GET /api/v1/commands/{id}',
  'GET /api/v1/id-tokens',
  'GET /api/v1/id-tokens/{idToken}',
  'PUT /api/v1/id-tokens/{idToken}',
  'DELETE /api/v1/id-tokens/{idToken}',
  'GET /api/v1/transactions',
  'GET /api/v1/transactions/{id}',
  'GET /api/v1/transactions/{id}/meter-values',
  'GET /api/v1/transactions/{id}/events',
  'GET /api/v1/validation-rules',
  'PUT /api/v1/validation-rules/{id}',
  'DELETE /api/v1/validation-rules/{id}',
  'GET /api/v1/events',
  'GET /api/v1/sites',
  'GET /api/v1/sites/{siteId}',
  'PUT /api/v1/sites/{siteId}',
  'DELETE /api/v1/sites/{siteId}',
  'GET /api/v1/sites/{siteId}/groups',
  'PUT /api/v1/sites/{siteId}/groups/{groupId}',
  'DELETE /api/v1/sites/{siteId}/groups/{groupId}',
  'GET /api/v1/sites/{siteId}/evses',
  'PUT /api/v1/sites/{siteId}/evses/{stationId}/{evseId}',
  'DELETE /api/v1/sites/{siteId}/evses/{stationId}/{evseId}',
  'GET /api/v1/sites/{siteId}/tariff',
  'PUT /api/v1/sites/{siteId}/tariff',
  'DELETE /api/v1/sites/{siteId}/tariff',
  'GET /api/v1/sites/{siteId}/prices',
  'PUT /api/v1/sites/{siteId}/prices',
  'DELETE /api/v1/sites/{siteId}/prices',
  'GET /api/v1/sites/{siteId}/demand-response-events',
  'POST /api/v1/sites/{siteId}/demand-response-events',
  'GET /api/v1/sites/{siteId}/demand-response-events/{eventId}',
  'PUT /api/v1/sites/{siteId}/demand-response-events/{eventId}',
  'DELETE /api/v1/sites/{siteId}/demand-response-events/{eventId}',
  'GET /api/v1/sites/{siteId}/external-load',
  'POST /api/v1/sites/{siteId}/external-load',
  'GET /api/v1/sites/{siteId}/plan',
  'GET /api/v1/transactions/{id}/needs',
  'PUT /api/v1/transactions/{id}/needs',
  'DELETE /api/v1/transactions/{id}/needs',
  'GET /api/v1/stations/{id}/charging-profiles',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'GET /api/v1/auth/me',
  'PUT /api/v1/auth/password',
  'POST /api/v1/auth/mfa/enrol',
  'POST /api/v1/auth/mfa/confirm',
  'POST /api/v1/auth/mfa/disable',
  'GET /api/v1/auth/tokens',
  'POST /api/v1/auth/tokens',
  'DELETE /api/v1/auth/tokens/{tokenId}',
  'GET /api/v1/auth/sessions',
  'DELETE /api/v1/auth/sessions/{tokenId}',
  'GET /api/v1/operators',
  'POST /api/v1/operators',
  'GET /api/v1/operators/{id}',
  'PUT /api/v1/operators/{id}',
  'DELETE /api/v1/operators/{id}',
  'GET /api/v1/audit',
  'GET /api/v1/certificate-signing-requests',
  'GET /api/v1/certificate-signing-requests/{id}',
  'GET /api/v1/certificates',
  'GET /api/v1/certificates/authority',
  'POST /api/v1/certificate-signing-requests/{id}/certificate',
  'POST /api/v1/certificate-signing-requests/{id}/reject',
  'POST /api/v1/certificates/{serial}/revoke',
  'GET /api/v1/stations/{id}/certificates',
  'POST /api/v1/stations/{id}/certificates/install',
  'POST /api/v1/stations/{id}/certificates/delete',
  'POST /api/v1/stations/{id}/certificates/refresh',
  'GET /api/v1/security-events',
];

interface Operation {
  tags?: string[];
  summary?: string;
  security?: unknown[];
  requestBody?: { required: boolean };
  responses: Record<string, { description: string }>;
}

describe('OpenAPI document', () => {
  let h: Harness;
  let doc: { openapi: string; info: { title: string }; security: unknown; components: { securitySchemes: unknown; schemas: Record<string, unknown> }; paths: Record<string, Record<string, Operation>> };
  before(async () => {
    h = await harness();
    const res = await h.call('GET', '/api/docs/json', { as: null });
    assert.equal(res.statusCode, 200);
    doc = res.json();
  });
  after(() => h.close());

  const operations = () => Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })));

  it('is OpenAPI 3.1 with the title and a global bearer scheme', () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.info.title, 'Joule CSMS API');
    assert.deepEqual(doc.components.securitySchemes, { bearerAuth: { type: 'http', scheme: 'bearer' } });
    assert.deepEqual(doc.security, [{ bearerAuth: [] }]);
  });

  it('lists every route, and only routes that exist', () => {
    assert.deepEqual(operations().map((o) => o.route).sort(), [...ROUTES].sort());
    for (const route of ROUTES) {
      const [method, path] = route.split(' ') as [string, string];
      assert.ok(h.app.hasRoute({ method: method as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }), route);
    }
  });

  it('tags, summarizes and documents the responses of every operation', () => {
    const tags = new Set(['stations', 'commands', 'id-tokens', 'transactions', 'validation-rules', 'smart-charging', 'events', 'accounts', 'audit', 'system', 'certificates', 'security-events']);
    for (const { route, op } of operations()) {
      assert.equal(op.tags?.length, 1, route);
      assert.ok(tags.has(op.tags[0]!), route);
      assert.ok(op.summary, route);
      for (const [status, response] of Object.entries(op.responses)) {
        assert.ok(response.description && response.description !== 'Default Response', `${route} ${status}`);
      }
      if (route.includes('/api/v1/')) assert.ok(op.responses['401'], `${route} documents 401`);
    }
  });

  it('marks /health and login public, and optional bodies as not required', () => {
    assert.deepEqual(doc.paths['/health']!.get!.security, []);
    assert.deepEqual(doc.paths['/api/v1/auth/login']!.post!.security, []);
    assert.ok(doc.paths['/api/v1/auth/login']!.post!.responses['429'], 'login documents its rate limit');
    assert.equal(doc.paths['/api/v1/stations/{id}']!.put!.requestBody?.required, false);
    assert.equal(doc.paths['/api/v1/stations/{id}/commands/{action}']!.post!.requestBody?.required, false);
    assert.equal(doc.paths['/api/v1/id-tokens/{idToken}']!.put!.requestBody?.required, true);
    assert.equal(doc.paths['/api/v1/validation-rules/{id}']!.put!.requestBody?.required, true);
  });

  it('names the shared schemas, and every $ref resolves to one', () => {
    for (const name of ['StationView', 'Transaction', 'TransactionEvent', 'DeviceVariable', 'ValidationRule', 'MeterValue', 'IdToken', 'Command', 'CommandResult', 'DomainEvent', 'Error',
      'Site', 'SiteGroup', 'SiteEvse', 'Tariff', 'PricePoint', 'DemandResponseEvent', 'ExternalLoad', 'SessionNeed', 'InstalledChargingProfile', 'SitePlan', 'Operator', 'ApiToken', 'IssuedToken', 'AuditEntry']) {
      assert.ok(doc.components.schemas[name], name);
    }
    const refs = new Set<string>();
    JSON.stringify(doc, (key, value: unknown) => {
      if (key === '$ref') refs.add(String(value));
      return value;
    });
    assert.ok(refs.size > 0);
    for (const ref of refs) {
      const name = /^#\/components\/schemas\/(\w+)$/.exec(ref)?.[1];
      assert.ok(name && doc.components.schemas[name], ref);
    }
  });

  it('documents the parameters and error answers of the device model, event log and validation rule routes', () => {
    const parameters = (op: Operation & { parameters?: { in: string; name: string }[] }) => (op.parameters ?? []).map((p) => `${p.in}:${p.name}`).sort();
    const deviceModel = doc.paths['/api/v1/stations/{id}/device-model']!.get! as Operation & { parameters?: { in: string; name: string }[] };
    assert.deepEqual(parameters(deviceModel), ['path:id', 'query:component', 'query:limit', 'query:offset', 'query:variable']);
    assert.deepEqual(Object.keys(deviceModel.responses).sort(), ['200', '400', '401', '404', '500']);
    assert.deepEqual(Object.keys(doc.paths['/api/v1/transactions/{id}/events']!.get!.responses).sort(), ['200', '400', '401', '404', '500']);
    const put = doc.paths['/api/v1/validation-rules/{id}']!.put!;
    assert.deepEqual(Object.keys(put.responses).sort(), ['200', '400', '401', '403', '500']);
    assert.match(JSON.stringify(put), /admin role/, 'says who may write');
    assert.deepEqual(Object.keys(doc.paths['/api/v1/validation-rules/{id}']!.delete!.responses).sort(), ['204', '400', '401', '403', '404', '500']);
    const stationView = doc.components.schemas.StationView as { required: string[]; properties: Record<string, { enum?: unknown[] }> };
    assert.ok(stationView.required.includes('validationMode'));
    assert.deepEqual(stationView.properties.validationMode!.enum, ['strict', 'lenient', 'log-only', null]);
  });

  it('serves Swagger UI at /api/docs', async () => {
    const res = await h.call('GET', '/api/docs/', { as: null });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/html/);
  });
});
