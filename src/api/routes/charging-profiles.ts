import type { FastifyInstance } from 'fastify';
import type { Domain } from '../../domain/domain.ts';
import { arrayOf, errorResponses } from '../schemas.ts';
import { stationIdParams } from './stations.ts';

/** The charging profiles Joule installed on a station. */
export function chargingProfileRoutes(app: FastifyInstance, domain: Domain): void {
  app.get<{ Params: { id: string } }>('/stations/:id/charging-profiles', {
    schema: {
      tags: ['smart-charging'],
      summary: 'Charging profiles Joule sent a station',
      description: 'Its TxDefaultProfiles and the TxProfiles of running transactions, as sent (in the unit the station takes), with the station\'s answer. Profiles of ended transactions are gone, as they are from the station.',
      params: stationIdParams,
      response: { 200: arrayOf('InstalledChargingProfile', 'By EVSE, purpose, stack level and id'), ...errorResponses(404) },
    },
  }, async (request) => {
    await domain.stations.view(request.params.id);
    return domain.smartCharging.installedProfiles(request.params.id);
  });
}
