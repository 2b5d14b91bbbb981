/**
 * A site's stored records as the planner's site model (planner/site-model.ts). Node ids are namespaced so that
 * groups and EVSEs never collide: the site itself is `site`, a group `group:<id>`, an EVSE `evse:<station>:<evse>`.
 */
import type { ExternalLoadRecord, SiteGroupRecord, SiteMemberRecord, SiteRecord } from '../../store/ports.ts';
import type { EvseNode, ExternalLoad, GroupNode, NodeLimit, PhaseRotation, SiteModel } from './planner/site-model.ts';

export const ROOT_NODE_ID = 'site';

export function groupNodeId(groupId: string | null): string {
  return groupId === null ? ROOT_NODE_ID : `group:${groupId}`;
}

export function evseNodeId(stationId: string, evseId: number): string {
  return `evse:${stationId}:${evseId}`;
}

/** The group id a node id names (null: the site itself). */
export function groupIdOfNode(nodeId: string): string | null {
  return nodeId === ROOT_NODE_ID ? null : nodeId.startsWith('group:') ? nodeId.slice('group:'.length) : nodeId;
}

export interface SiteRecords {
  site: SiteRecord;
  groups: readonly SiteGroupRecord[];
  members: readonly SiteMemberRecord[];
  loads: readonly ExternalLoadRecord[];
  /** Stations connected now; undefined: count every station as online (to check a model only). */
  online: ReadonlySet<string> | undefined;
  /**
   * EVSEs (`evseNodeId`) whose stations refuse Joule's profiles: like an offline station they cannot be told what to
   * draw, so they count as drawing their maximum.
   */
  uncontrolled?: ReadonlySet<string> | undefined;
}

export interface BuiltSiteModel {
  model: SiteModel;
  /** EVSE node id -> its member record. */
  members: ReadonlyMap<string, SiteMemberRecord>;
}

function limitOf(record: { maxPowerW: number | null; maxCurrentA: SiteRecord['maxCurrentA'] }): NodeLimit | undefined {
  if (record.maxPowerW === null && record.maxCurrentA === null) return undefined;
  const limit: NodeLimit = {};
  if (record.maxPowerW !== null) limit.maxPowerW = record.maxPowerW;
  if (record.maxCurrentA !== null) limit.maxCurrentA = record.maxCurrentA;
  return limit;
}

function loadOf(record: ExternalLoadRecord): ExternalLoad {
  const load: ExternalLoad = {};
  if (record.powerW !== null) load.powerW = record.powerW;
  if (record.currentA !== null) load.currentA = record.currentA;
  return load;
}

function evseNode(m: SiteMemberRecord, online: ReadonlySet<string> | undefined, uncontrolled: boolean): EvseNode {
  const node: EvseNode = {
    kind: 'evse',
    id: evseNodeId(m.stationId, m.evseId),
    stationId: m.stationId,
    evseId: m.evseId,
    phases: m.phases,
    maxCurrentA: m.maxCurrentA,
    rateUnit: m.rateUnit,
    online: !uncontrolled && (online === undefined || online.has(m.stationId)),
  };
  if (m.phases === 1 && m.phase !== null) node.phase = m.phase;
  if (m.phases === 3 && m.phaseRotation !== null) node.phaseRotation = m.phaseRotation as PhaseRotation;
  if (m.maxPowerW !== null) node.maxPowerW = m.maxPowerW;
  if (m.minCurrentA !== null) node.minCurrentA = m.minCurrentA;
  if (m.offlineFallbackA !== null && !uncontrolled) node.offlineFallbackA = m.offlineFallbackA;
  return node;
}

export function buildSiteModel(records: SiteRecords): BuiltSiteModel {
  const { site } = records;
  const root: GroupNode = { kind: 'group', id: ROOT_NODE_ID, nominalVoltageV: site.nominalVoltageV, children: [] };
  const rootLimit = limitOf(site);
  if (rootLimit) root.limit = rootLimit;
  const nodes = new Map<string | null, GroupNode>([[null, root]]);
  for (const g of records.groups) {
    const node: GroupNode = { kind: 'group', id: groupNodeId(g.id), children: [] };
    const limit = limitOf(g);
    if (limit) node.limit = limit;
    if (g.nominalVoltageV !== null) node.nominalVoltageV = g.nominalVoltageV;
    nodes.set(g.id, node);
  }
  for (const g of records.groups) (nodes.get(g.parentId) ?? root).children.push(nodes.get(g.id)!);
  const members = new Map<string, SiteMemberRecord>();
  for (const m of records.members) {
    const node = evseNode(m, records.online, records.uncontrolled?.has(evseNodeId(m.stationId, m.evseId)) ?? false);
    (nodes.get(m.groupId) ?? root).children.push(node);
    members.set(node.id, m);
  }
  for (const load of records.loads) {
    const node = nodes.get(load.groupId);
    if (node) node.externalLoad = loadOf(load);
  }
  return { model: { root, policy: site.policy }, members };
}
