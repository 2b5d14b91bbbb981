import type { FastifyInstance } from 'fastify';
import type { Domain } from '../../domain/domain.ts';
import type { DeviceModelQuery } from '../../store/ports.ts';
import { arrayOf, errorResponses, limitParameter, offsetParameter } from '../schemas.ts';
import { stationIdParams } from './stations.ts';

interface DeviceModelParams {
  id: string;
}

interface DeviceModelQuerystring {
  component?: string;
  variable?: string;
  limit: number;
  offset: number;
}

// OCPP 2.x component and variable names are identifierString(50).
const deviceModelQuery = {
  type: 'object',
  properties: {
    component: { type: 'string', minLength: 1, maxLength: 50, description: 'Only this component (exact name, case-insensitive), e.g. OCPPCommCtrlr' },
    variable: { type: 'string', minLength: 1, maxLength: 50, description: 'Only this variable (exact name, case-insensitive), e.g. HeartbeatInterval' },
    // A full inventory has hundreds of attributes: a larger default page than other lists.
    limit: { ...limitParameter, default: 1000, description: 'Maximum number of rows (default 1000)' },
    offset: offsetParameter,
  },
};

/** The stored device model (OCPP 2.x components and variables) of a station. */
export function deviceModelRoutes(app: FastifyInstance, domain: Domain): void {
  app.get<{ Params: DeviceModelParams; Querystring: DeviceModelQuerystring }>('/stations/:id/device-model', {
    schema: {
      tags: ['stations'],
      summary: 'Device model of a station',
      description: 'The variables the station reported (NotifyReport after GetBaseReport / GetReport) or answered to '
        + 'GetVariables and SetVariables, one row per attribute, ordered by component, instance, EVSE, connector, '
        + 'variable, instance and attribute type. Empty for 1.6 stations (see /configuration) and before any report.',
      params: stationIdParams,
      querystring: deviceModelQuery,
      response: { 200: arrayOf('DeviceVariable', 'Variable attributes'), ...errorResponses(400, 404) },
    },
  }, (request) => {
    const { component, variable, limit, offset } = request.query;
    const query: DeviceModelQuery = { limit, offset };
    if (component !== undefined) query.component = component;
    if (variable !== undefined) query.variable = variable;
    return domain.deviceModel.list(request.params.id, query);
  });
}
