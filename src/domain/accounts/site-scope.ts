/**
 * Which stations an operator limited to some sites may see: those with at least one EVSE in one of the sites.
 * `null` sites (no limit) means every station.
 */
import type { SiteRepository } from '../../store/ports.ts';

export async function stationsOfSites(sites: SiteRepository, siteIds: readonly string[]): Promise<Set<string>> {
  const memberLists = await Promise.all(siteIds.map((siteId) => sites.members(siteId)));
  return new Set(memberLists.flat().map((member) => member.stationId));
}
