/**
 * Site scoping of the REST API: a caller limited to some sites sees and acts only on those sites and on stations
 * with an EVSE in them. Everything else answers 404, as if it did not exist, and lists leave it out. The checks
 * are generic, by route parameter and by the shape of the answer, so routes added later are covered without edits:
 *
 * - a `:siteId` parameter must be one of the caller's sites;
 * - a station named by `/stations/:id...`, a `:stationId` parameter or a `stationId` query parameter must be in them;
 * - `/transactions/:id...` and `/commands/:id` are checked through the station they belong to;
 * - an array answer keeps only elements of the caller's stations (`stationId`, or `id` on `/stations`) and sites
 *   (`siteId`, or `id` on `/sites`). That is a safety net: list routes with a `limit` (transactions, commands,
 *   certificates, security events) put the caller's stations into their query (`stationFilter`), so that a page is
 *   full whenever there are more of the caller's rows.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Domain } from '../domain/domain.ts';
import type { DomainEvent } from '../domain/events.ts';
import { DomainError } from '../domain/errors.ts';
import { principalIfAny } from './auth.ts';

const ALLOWED_STATIONS = 'allowedStations';

/** The sites a request's caller is limited to; null when it may see every site. */
export function siteLimitOf(request: FastifyRequest): readonly string[] | null {
  return principalIfAny(request)?.sites ?? null;
}

/** The stations the caller may see (computed once per request); null when unlimited. */
export async function allowedStations(request: FastifyRequest, domain: Domain): Promise<ReadonlySet<string> | null> {
  const sites = siteLimitOf(request);
  if (sites === null) return null;
  let allowed = request.getDecorator<Promise<Set<string>> | null>(ALLOWED_STATIONS);
  if (allowed === null) {
    allowed = domain.accounts.stationsOfSites(sites);
    request.setDecorator(ALLOWED_STATIONS, allowed);
  }
  return allowed;
}

/**
 * For list routes: the stations a caller limited to sites may see, as a filter to put into the query (so that a
 * page's `limit` and `offset` count only what the caller may see); undefined when unlimited.
 */
export async function stationFilter(request: FastifyRequest, domain: Domain): Promise<string[] | undefined> {
  const allowed = await allowedStations(request, domain);
  return allowed === null ? undefined : [...allowed];
}

export function installSiteScope(app: FastifyInstance, domain: Domain, prefix: string): void {
  app.decorateRequest(ALLOWED_STATIONS, null);

  app.addHook('preHandler', async (request) => {
    const sites = siteLimitOf(request);
    if (sites === null) return;
    const route = (request.routeOptions.url ?? '').slice(prefix.length);
    const params = (request.params ?? {}) as Record<string, string | undefined>;
    const query = (request.query ?? {}) as Record<string, unknown>;
    if (params.siteId !== undefined && !sites.includes(params.siteId)) throw new DomainError('not_found', `Site ${params.siteId} is not known`);
    const stations: string[] = [];
    if (route.startsWith('/stations/:id') && params.id !== undefined) stations.push(params.id);
    if (params.stationId !== undefined) stations.push(params.stationId);
    if (typeof query.stationId === 'string') stations.push(query.stationId);
    if (route.startsWith('/transactions/:id') && params.id !== undefined) stations.push((await domain.transactions.get(params.id)).stationId);
    if (route.startsWith('/commands/:id') && params.id !== undefined) stations.push((await domain.commands.get(params.id)).stationId);
    if (stations.length === 0) return;
    const allowed = await allowedStations(request, domain);
    for (const stationId of stations) {
      if (allowed !== null && !allowed.has(stationId)) throw new DomainError('not_found', `Station ${stationId} is not known`);
    }
  });

  app.addHook('preSerialization', async (request, _reply, payload: unknown) => {
    const sites = siteLimitOf(request);
    if (sites === null || !Array.isArray(payload)) return payload;
    const route = (request.routeOptions.url ?? '').slice(prefix.length);
    const allowed = (await allowedStations(request, domain)) ?? new Set<string>();
    return payload.filter((item: unknown) => {
      if (typeof item !== 'object' || item === null) return true;
      const record = item as Record<string, unknown>;
      if (route === '/stations') return allowed.has(String(record.id));
      if (route === '/sites') return sites.includes(String(record.id));
      if (typeof record.stationId === 'string' && !allowed.has(record.stationId)) return false;
      if (typeof record.siteId === 'string' && !sites.includes(record.siteId)) return false;
      return true;
    });
  });
}

/**
 * For the live event stream: whether a caller limited to `sites` may see an event. Station events need the station
 * in `allowed`; site events (`data.siteId`) the site; others (e.g. id token changes) pass.
 */
export function eventVisible(event: DomainEvent, sites: readonly string[], allowed: ReadonlySet<string>): boolean {
  if (event.stationId !== undefined && !allowed.has(event.stationId)) return false;
  const siteId = event.data.siteId;
  return typeof siteId !== 'string' || sites.includes(siteId);
}
