import type { FastifyInstance } from 'fastify';
import type { Domain } from '../../domain/domain.ts';
import { planView } from '../../domain/smart-charging/plan-view.ts';
import type { DemandResponseDraft, ExternalLoadDraft, GroupDraft, MemberDraft, SiteDraft } from '../../domain/smart-charging/site-settings.ts';
import type { TimeOfUsePeriodRecord } from '../../store/ports.ts';
import { requireRole } from '../auth.ts';
import { arrayOf, errorResponses, ref } from '../schemas.ts';
import { phaseCurrents, SITE_POLICIES } from '../smart-charging-schemas.ts';

const tags = ['smart-charging'];
/** Writes need the operator or admin role (viewers read). */
const writer = requireRole('operator', 'admin');
const WRITERS = 'Needs the operator or admin role. The site is re-planned at once.';

const id = (description: string) => ({ type: 'string', pattern: '^[A-Za-z0-9._~:-]{1,64}$', description: `${description}: 1-64 letters, digits or . _ ~ : -` });
const nullableNumber = (description: string, minimum?: number) => ({ type: ['number', 'null'], ...(minimum === undefined ? {} : { minimum }), description });

const siteParams = { type: 'object', required: ['siteId'], properties: { siteId: id('Site id') } };
const groupParams = { type: 'object', required: ['siteId', 'groupId'], properties: { siteId: id('Site id'), groupId: id('Group id') } };
const evseParams = {
  type: 'object',
  required: ['siteId', 'stationId', 'evseId'],
  properties: { siteId: id('Site id'), stationId: { type: 'string', minLength: 1, maxLength: 48, description: 'Station id' }, evseId: { type: 'integer', minimum: 1, description: 'EVSE id (1.6: connector id)' } },
};
const eventParams = { type: 'object', required: ['siteId', 'eventId'], properties: { siteId: id('Site id'), eventId: id('Event id') } };

const limitProperties = {
  maxPowerW: nullableNumber('Total active power limit, W; null or absent: none', 0),
  maxCurrentA: phaseCurrents('Current limit per phase, A: one number or [L1, L2, L3]; null or absent: none'),
};

const siteBody = {
  type: 'object',
  additionalProperties: false,
  description: 'Replaces the site; absent fields take their defaults.',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200, description: 'Default: the id' },
    policy: { type: 'string', enum: [...SITE_POLICIES, 'first-come'], description: 'How capacity is shared: equal-share (default), priority, first-come-first-served (first-come)' },
    nominalVoltageV: { type: 'number', exclusiveMinimum: 0, description: 'Phase-to-neutral voltage, default 230' },
    ...limitProperties,
    defaultEnergyWh: nullableNumber('Energy planned for a session without a need of its own (with defaultDwellMinutes)', 0),
    defaultDwellMinutes: nullableNumber('How long such a session is assumed to stay', 0),
    slotSeconds: { type: 'integer', minimum: 1, maximum: 86_400, description: 'Planning slot length, default 900' },
    horizonHours: { type: 'number', exclusiveMinimum: 0, maximum: 168, description: 'Planning horizon, default 24' },
  },
};

const groupBody = {
  type: 'object',
  additionalProperties: false,
  description: 'Replaces the group; absent fields are cleared.',
  properties: {
    parentId: { type: ['string', 'null'], description: 'The parent group; absent or null: directly under the site' },
    name: { type: ['string', 'null'], maxLength: 200 },
    ...limitProperties,
    nominalVoltageV: nullableNumber('Null or absent: the parent\'s', 0),
  },
};

const evseBody = {
  type: 'object',
  additionalProperties: false,
  required: ['maxCurrentA'],
  description: 'Puts the EVSE in the site (moving it from another site); replaces its settings.',
  properties: {
    groupId: { type: ['string', 'null'], description: 'Absent or null: directly under the site' },
    phases: { type: 'integer', enum: [1, 3], description: 'Default 3' },
    phase: { type: ['string', 'null'], enum: ['L1', 'L2', 'L3', null], description: 'Single-phase EVSEs: the site phase (default L1)' },
    phaseRotation: { type: ['string', 'null'], enum: ['RST', 'RTS', 'SRT', 'STR', 'TRS', 'TSR', null], description: 'Three-phase EVSEs: OCPP PhaseRotation (default RST)' },
    maxCurrentA: { type: 'number', exclusiveMinimum: 0, description: 'Rating per phase, A' },
    maxPowerW: nullableNumber('Rating in W, if also limited in power', 0),
    minCurrentA: nullableNumber('Below this a session is paused; default 6 A', 0),
    rateUnit: { type: 'string', enum: ['A', 'W'], description: 'The unit the station takes in charging schedules (default A); Joule converts when the station reports another one' },
    offlineFallbackA: nullableNum('What the station draws per phase while offline; default its maximum'),
    priority: { type: 'integer', description: 'Higher is served first under the priority policy (default 0)' },
  },
};

function nullableNum(description: string) {
  return nullableNumber(description, 0);
}

const tariffBody = {
  type: 'object',
  additionalProperties: false,
  required: ['defaultPricePerKWh'],
  properties: {
    timeZone: { type: 'string', description: 'IANA time zone of the clock times (default UTC); daylight saving is followed' },
    defaultPricePerKWh: { type: 'number', description: 'The price outside every period' },
    periods: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['from', 'to', 'pricePerKWh'],
        additionalProperties: false,
        properties: {
          from: { type: 'string', description: 'Local time HH:MM' },
          to: { type: 'string', description: 'Local time HH:MM (wraps past midnight when <= from)' },
          pricePerKWh: { type: 'number' },
          weekdays: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 7 }, description: 'ISO weekdays (1 = Monday); absent: every day' },
        },
      },
    },
  },
};

const pricesBody = {
  type: 'object',
  additionalProperties: false,
  required: ['prices'],
  properties: {
    prices: {
      type: 'array',
      minItems: 1,
      maxItems: 10_000,
      description: 'A point with the start of a stored one replaces it',
      items: {
        type: 'object',
        required: ['start', 'end', 'pricePerKWh'],
        additionalProperties: false,
        properties: { start: { type: 'string', format: 'date-time' }, end: { type: 'string', format: 'date-time' }, pricePerKWh: { type: 'number' } },
      },
    },
  },
};

const eventBody = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  description: 'Give maxPowerW, maxCurrentA or both.',
  properties: {
    groupId: { type: ['string', 'null'], description: 'Absent or null: the whole site' },
    ...limitProperties,
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    label: { type: ['string', 'null'], maxLength: 200 },
  },
};

const externalLoadBody = {
  type: 'object',
  additionalProperties: false,
  description: 'Give powerW, currentA or both. A reading older than the stored one of its measuring point changes nothing.',
  properties: {
    groupId: { type: ['string', 'null'], description: 'Where it was measured; absent or null: the site\'s grid connection' },
    powerW: { type: ['number', 'null'], description: 'Total power, W (negative: exporting)' },
    currentA: phaseCurrents('Current per phase, A'),
    at: { type: 'string', format: 'date-time', description: 'When it was measured; default now' },
  },
};

interface SiteParams { siteId: string }
interface GroupParams extends SiteParams { groupId: string }
interface EvseParams extends SiteParams { stationId: string; evseId: number }
interface EventParams extends SiteParams { eventId: string }

/** Sites, their group tree, EVSEs, tariffs, prices, demand-response events, external load, and the plan. */
export function siteRoutes(app: FastifyInstance, domain: Domain): void {
  const settings = domain.smartCharging.settings;

  app.get('/sites', { schema: { tags, summary: 'List sites', response: { 200: arrayOf('Site', 'The sites'), ...errorResponses() } } }, () => settings.list());

  app.get<{ Params: SiteParams }>('/sites/:siteId', {
    schema: { tags, summary: 'Get a site', params: siteParams, response: { 200: ref('Site', 'The site'), ...errorResponses(400, 404) } },
  }, (request) => settings.get(request.params.siteId));

  app.put<{ Params: SiteParams; Body: SiteDraft }>('/sites/:siteId', {
    onRequest: writer,
    schema: {
      tags, summary: 'Create or replace a site', description: `The site and its grid connection limit (W and/or A per phase), sharing policy and planning settings. ${WRITERS}`,
      params: siteParams, body: siteBody, response: { 200: ref('Site', 'The site as stored'), ...errorResponses(400, 403) },
    },
  }, (request) => settings.put(request.params.siteId, request.body));

  app.delete<{ Params: SiteParams }>('/sites/:siteId', {
    onRequest: writer,
    schema: {
      tags, summary: 'Delete a site', description: `With its groups, EVSEs, tariff, prices, events and external load. Profiles already sent stay on the stations. ${WRITERS}`,
      params: siteParams, response: { 204: { type: 'null', description: 'Deleted' }, ...errorResponses(400, 403, 404) },
    },
  }, async (request, reply) => {
    await settings.delete(request.params.siteId);
    return reply.code(204).send();
  });

  app.get<{ Params: SiteParams }>('/sites/:siteId/groups', {
    schema: { tags, summary: 'List a site\'s groups', params: siteParams, response: { 200: arrayOf('SiteGroup', 'The groups, by id'), ...errorResponses(400, 404) } },
  }, (request) => settings.groups(request.params.siteId));

  app.put<{ Params: GroupParams; Body: GroupDraft }>('/sites/:siteId/groups/:groupId', {
    onRequest: writer,
    schema: {
      tags, summary: 'Create or replace a group', description: `A node of the site's tree (feeder, board) with its own limit, under the site or another group. ${WRITERS}`,
      params: groupParams, body: groupBody, response: { 200: ref('SiteGroup', 'The group as stored'), ...errorResponses(400, 403, 404) },
    },
  }, (request) => settings.putGroup(request.params.siteId, request.params.groupId, request.body));

  app.delete<{ Params: GroupParams }>('/sites/:siteId/groups/:groupId', {
    onRequest: writer,
    schema: {
      tags, summary: 'Delete a group', description: `Only a group without child groups or EVSEs (409 otherwise). ${WRITERS}`,
      params: groupParams, response: { 204: { type: 'null', description: 'Deleted' }, ...errorResponses(400, 403, 404, 409) },
    },
  }, async (request, reply) => {
    await settings.deleteGroup(request.params.siteId, request.params.groupId);
    return reply.code(204).send();
  });

  app.get<{ Params: SiteParams }>('/sites/:siteId/evses', {
    schema: { tags, summary: 'List a site\'s EVSEs', params: siteParams, response: { 200: arrayOf('SiteEvse', 'The EVSEs, by station and EVSE'), ...errorResponses(400, 404) } },
  }, (request) => settings.members(request.params.siteId));

  app.put<{ Params: EvseParams; Body: MemberDraft }>('/sites/:siteId/evses/:stationId/:evseId', {
    onRequest: writer,
    schema: {
      tags, summary: 'Put an EVSE in a site', description: `How it is wired (phases, rotation, rating), the unit its station takes and its offline fallback. ${WRITERS}`,
      params: evseParams, body: evseBody, response: { 200: ref('SiteEvse', 'The EVSE as stored'), ...errorResponses(400, 403, 404) },
    },
  }, (request) => settings.putMember(request.params.siteId, request.params.stationId, request.params.evseId, request.body));

  app.delete<{ Params: EvseParams }>('/sites/:siteId/evses/:stationId/:evseId', {
    onRequest: writer,
    schema: {
      tags, summary: 'Take an EVSE out of a site', description: WRITERS,
      params: evseParams, response: { 204: { type: 'null', description: 'Removed' }, ...errorResponses(400, 403, 404) },
    },
  }, async (request, reply) => {
    await settings.deleteMember(request.params.siteId, request.params.stationId, request.params.evseId);
    return reply.code(204).send();
  });

  app.get<{ Params: SiteParams }>('/sites/:siteId/tariff', {
    schema: { tags, summary: 'Get a site\'s time-of-use tariff', params: siteParams, response: { 200: ref('Tariff', 'The tariff'), ...errorResponses(400, 404) } },
  }, (request) => settings.tariff(request.params.siteId));

  app.put<{ Params: SiteParams; Body: { timeZone?: string; defaultPricePerKWh: number; periods?: TimeOfUsePeriodRecord[] } }>('/sites/:siteId/tariff', {
    onRequest: writer,
    schema: {
      tags, summary: 'Set a site\'s time-of-use tariff', description: `Prices by local clock time (and weekday). Dynamic price points win where they exist. ${WRITERS}`,
      params: siteParams, body: tariffBody, response: { 200: ref('Tariff', 'The tariff as stored'), ...errorResponses(400, 403, 404) },
    },
  }, (request) => settings.putTariff(request.params.siteId, request.body));

  app.delete<{ Params: SiteParams }>('/sites/:siteId/tariff', {
    onRequest: writer,
    schema: { tags, summary: 'Delete a site\'s tariff', description: WRITERS, params: siteParams, response: { 204: { type: 'null', description: 'Deleted' }, ...errorResponses(400, 403, 404) } },
  }, async (request, reply) => {
    await settings.deleteTariff(request.params.siteId);
    return reply.code(204).send();
  });

  app.get<{ Params: SiteParams; Querystring: { from?: string; to?: string } }>('/sites/:siteId/prices', {
    schema: {
      tags, summary: 'Dynamic price points', description: 'The points that overlap [from, to) (default: the next 48 hours).', params: siteParams,
      querystring: { type: 'object', properties: { from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } } },
      response: { 200: arrayOf('PricePoint', 'By start'), ...errorResponses(400, 404) },
    },
  }, (request) => {
    const from = request.query.from ?? new Date().toISOString();
    const to = request.query.to ?? new Date(Date.parse(from) + 48 * 3_600_000).toISOString();
    return settings.pricePoints(request.params.siteId, from, to);
  });

  app.put<{ Params: SiteParams; Body: { prices: { start: string; end: string; pricePerKWh: number }[] } }>('/sites/:siteId/prices', {
    onRequest: writer,
    schema: {
      tags, summary: 'Add dynamic price points', description: `A price signal (day-ahead market, supplier): each point holds in [start, end). ${WRITERS}`,
      params: siteParams, body: pricesBody,
      response: { 200: { type: 'object', required: ['stored'], properties: { stored: { type: 'integer' } }, description: 'How many points were stored' }, ...errorResponses(400, 403, 404) },
    },
  }, async (request) => ({ stored: await settings.putPricePoints(request.params.siteId, request.body.prices) }));

  app.delete<{ Params: SiteParams; Querystring: { before?: string } }>('/sites/:siteId/prices', {
    onRequest: writer,
    schema: {
      tags, summary: 'Delete dynamic price points', description: `Those that end by \`before\` (all without it). ${WRITERS}`, params: siteParams,
      querystring: { type: 'object', properties: { before: { type: 'string', format: 'date-time' } } },
      response: { 200: { type: 'object', required: ['deleted'], properties: { deleted: { type: 'integer' } }, description: 'How many points were deleted' }, ...errorResponses(400, 403, 404) },
    },
  }, async (request) => ({ deleted: await settings.deletePricePoints(request.params.siteId, request.query.before) }));

  app.get<{ Params: SiteParams; Querystring: { includePast?: boolean } }>('/sites/:siteId/demand-response-events', {
    schema: {
      tags, summary: 'List demand-response events', params: siteParams,
      querystring: { type: 'object', properties: { includePast: { type: 'boolean', default: false, description: 'Also the events that have ended' } } },
      response: { 200: arrayOf('DemandResponseEvent', 'By start'), ...errorResponses(400, 404) },
    },
  }, (request) => settings.demandResponseEvents(request.params.siteId, request.query.includePast ?? false));

  app.post<{ Params: SiteParams; Body: DemandResponseDraft }>('/sites/:siteId/demand-response-events', {
    onRequest: writer,
    schema: {
      tags, summary: 'Create a demand-response event', description: `The site (or a group) goes down to this limit from \`from\` to \`to\`; the limits reach the stations before it starts. ${WRITERS}`,
      params: siteParams, body: eventBody, response: { 201: ref('DemandResponseEvent', 'The event, with its new id'), ...errorResponses(400, 403, 404) },
    },
  }, async (request, reply) => reply.code(201).send(await settings.putDemandResponseEvent(request.params.siteId, { ...request.body })));

  app.get<{ Params: EventParams }>('/sites/:siteId/demand-response-events/:eventId', {
    schema: { tags, summary: 'Get a demand-response event', params: eventParams, response: { 200: ref('DemandResponseEvent', 'The event'), ...errorResponses(400, 404) } },
  }, (request) => settings.demandResponseEvent(request.params.siteId, request.params.eventId));

  app.put<{ Params: EventParams; Body: DemandResponseDraft }>('/sites/:siteId/demand-response-events/:eventId', {
    onRequest: writer,
    schema: {
      tags, summary: 'Create or replace a demand-response event', description: `With an id of the caller's choosing (e.g. the grid operator's). ${WRITERS}`,
      params: eventParams, body: eventBody, response: { 200: ref('DemandResponseEvent', 'The event as stored'), ...errorResponses(400, 403, 404, 409) },
    },
  }, (request) => settings.putDemandResponseEvent(request.params.siteId, { ...request.body, id: request.params.eventId }));

  app.delete<{ Params: EventParams }>('/sites/:siteId/demand-response-events/:eventId', {
    onRequest: writer,
    schema: { tags, summary: 'Delete a demand-response event', description: WRITERS, params: eventParams, response: { 204: { type: 'null', description: 'Deleted' }, ...errorResponses(400, 403, 404) } },
  }, async (request, reply) => {
    await settings.deleteDemandResponseEvent(request.params.siteId, request.params.eventId);
    return reply.code(204).send();
  });

  app.get<{ Params: SiteParams }>('/sites/:siteId/external-load', {
    schema: {
      tags, summary: 'External load readings', description: 'The newest reading of each measuring point (the site and its groups).',
      params: siteParams, response: { 200: arrayOf('ExternalLoad', 'The site first, then groups'), ...errorResponses(400, 404) },
    },
  }, (request) => settings.externalLoads(request.params.siteId));

  app.post<{ Params: SiteParams; Body: ExternalLoadDraft }>('/sites/:siteId/external-load', {
    onRequest: writer,
    schema: {
      tags, summary: 'Report external load', description: `A meter reading of load Joule does not control (building, heat pump); it is subtracted from the capacity of its group and every group above. It holds until the next reading. ${WRITERS}`,
      params: siteParams, body: externalLoadBody, response: { 201: ref('ExternalLoad', 'The reading'), ...errorResponses(400, 403, 404) },
    },
  }, async (request, reply) => reply.code(201).send(await settings.recordExternalLoad(request.params.siteId, request.body)));

  app.get<{ Params: SiteParams }>('/sites/:siteId/plan', {
    schema: {
      tags, summary: 'The site\'s plan', description: 'Computed now from what is stored and measured (nothing is sent): every EVSE\'s limit, every session\'s schedule, cost and need, and the needs that cannot be met with the reason.',
      params: siteParams, response: { 200: ref('SitePlan', 'The plan'), ...errorResponses(400, 404) },
    },
  }, async (request) => planView(await domain.smartCharging.preview(request.params.siteId)));
}
