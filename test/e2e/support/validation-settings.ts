import type { ValidationRuleInput } from '../../../src/domain/stations/validation-policy.ts';
import type { ValidationMode } from '../../../src/store/ports.ts';
import type { TestServer } from './test-server.ts';

/** How a validation setting reached Joule: its REST API, or the domain service while the API field/route is missing. */
export type SettingPath = 'api' | 'domain';

/**
 * Sets a station's own validation mode: `PUT /api/v1/stations/{id} { validationMode }` when the API stores that field,
 * else `domain.stations.register` (the API field is being added; an API that ignores it is detected by reading the
 * stored record back). Either way the station's open session applies it from its next message on.
 */
export async function setStationMode(server: TestServer, stationId: string, mode: ValidationMode): Promise<SettingPath> {
  const res = await server.api('PUT', `/api/v1/stations/${encodeURIComponent(stationId)}`, { validationMode: mode });
  if (res.status === 200 && (await server.domain.stations.get(stationId))?.validationMode === mode) return 'api';
  await server.domain.stations.register({ id: stationId, validationMode: mode });
  return 'domain';
}

/**
 * Creates or replaces a vendor validation rule: `PUT /api/v1/validation-rules/{id} { vendor, model?, firmwarePrefix?,
 * mode }` when the API has that route, else `domain.validation.putRule`. A route that exists but refuses the rule fails
 * the test (it is a real answer, not a missing route).
 */
export async function putValidationRule(server: TestServer, rule: ValidationRuleInput): Promise<SettingPath> {
  const { id, ...body } = rule;
  const res = await server.api('PUT', `/api/v1/validation-rules/${encodeURIComponent(id)}`, body);
  if (res.status === 200 || res.status === 201) return 'api';
  const routeMissing = res.status === 404 && /route .* not found/i.test(JSON.stringify(res.body ?? ''));
  if (!routeMissing) throw new Error(`PUT /api/v1/validation-rules/${id} answered ${res.status} ${JSON.stringify(res.body)}`);
  await server.domain.validation.putRule(rule);
  return 'domain';
}
