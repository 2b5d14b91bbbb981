/**
 * What operators (and grid or market adapters) tell Joule about a site: the site and its group tree with limits, the
 * EVSEs and how they are wired, the tariff and dynamic prices, demand-response events, external load readings, and
 * what each session needs. Everything is checked before it is stored (a change that would leave the site's model
 * unusable is refused with the reason), and every change is published (`smart-charging.changed`) so that the node
 * planning the site re-plans.
 */
import { randomUUID } from 'node:crypto';
import type { ClusterBus } from '../../cluster/bus.ts';
import type {
  DemandResponseEventRecord, ExternalLoadRecord, PhaseCurrentsRecord, PricePointRecord, SessionNeedRecord, SiteGroupInput,
  SiteGroupRecord, SiteMemberInput, SiteMemberRecord, SitePolicy, SiteRecord, SiteTariffRecord, Store, TimeOfUsePeriodRecord,
} from '../../store/ports.ts';
import { DomainError } from '../errors.ts';
import { buildSiteModel } from './site-model-builder.ts';
import { compileSite } from './planner/compile-site.ts';
import { slotPrices } from './planner/tariff.ts';
import { makeGrid } from './planner/time-slots.ts';

export type ChangeKind = 'site' | 'group' | 'member' | 'tariff' | 'prices' | 'demand-response' | 'external-load' | 'need';

/** A site as given through the API: fields left out take their defaults. */
export interface SiteDraft {
  name?: string;
  policy?: SitePolicy | 'first-come';
  nominalVoltageV?: number;
  maxPowerW?: number | null;
  maxCurrentA?: PhaseCurrentsRecord | null;
  defaultEnergyWh?: number | null;
  defaultDwellMinutes?: number | null;
  slotSeconds?: number;
  horizonHours?: number;
}

export type GroupDraft = Partial<Omit<SiteGroupInput, 'siteId' | 'id'>>;
export type MemberDraft = Partial<Omit<SiteMemberInput, 'siteId' | 'stationId' | 'evseId'>> & { maxCurrentA: number };

export interface DemandResponseDraft {
  id?: string;
  groupId?: string | null;
  maxPowerW?: number | null;
  maxCurrentA?: PhaseCurrentsRecord | null;
  from: string;
  to: string;
  label?: string | null;
}

export interface ExternalLoadDraft {
  groupId?: string | null;
  powerW?: number | null;
  currentA?: PhaseCurrentsRecord | null;
  /** When it was measured; default now. */
  at?: string;
}

export interface NeedDraft {
  energyWh: number;
  departure: string;
  evMaxPowerW?: number | null;
  evMaxCurrentA?: number | null;
  evMinCurrentA?: number | null;
  /** V2G consent: set only from the EV's own NotifyEVChargingNeeds (OCPP 2.1), never through the API. */
  evMaxDischargePowerW?: number | null;
  evDischargeableWh?: number | null;
}

export const DEFAULT_SITE = { nominalVoltageV: 230, slotSeconds: 900, horizonHours: 24 } as const;
/** A week of one-minute slots is the planner's bound (time-slots.ts). */
const MAX_SLOTS = 10_080;
const MAX_PRICE_POINTS = 10_000;
const ROTATIONS = new Set(['RST', 'RTS', 'SRT', 'STR', 'TRS', 'TSR']);
const POLICIES: readonly SitePolicy[] = ['equal-share', 'priority', 'first-come-first-served'];

function invalid(message: string): never {
  throw new DomainError('invalid', message);
}

function finite(value: unknown, where: string, check: { min?: number; positive?: boolean; integer?: boolean } = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(`${where} must be a finite number`);
  if (check.integer && !Number.isInteger(value)) invalid(`${where} must be an integer`);
  if (check.positive && value <= 0) invalid(`${where} must be greater than 0`);
  if (check.min !== undefined && value < check.min) invalid(`${where} must be at least ${check.min}`);
  return value;
}

function nullable(value: unknown, where: string, check: { min?: number; positive?: boolean; integer?: boolean } = {}): number | null {
  return value === undefined || value === null ? null : finite(value, where, check);
}

function phaseCurrents(value: unknown, where: string): PhaseCurrentsRecord | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return finite(value, where, { min: 0 });
  if (!Array.isArray(value) || value.length !== 3) invalid(`${where} must be a number or three numbers (L1, L2, L3)`);
  return [finite(value[0], `${where}[0]`, { min: 0 }), finite(value[1], `${where}[1]`, { min: 0 }), finite(value[2], `${where}[2]`, { min: 0 })];
}

function instant(value: unknown, where: string): string {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) invalid(`${where} must be an ISO 8601 date-time`);
  return new Date(ms).toISOString();
}

function identifier(value: string, what: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9._~:-]{1,64}$/.test(value)) {
    invalid(`${what} must be 1 to 64 letters, digits or . _ ~ : -`);
  }
  return value;
}

export class SiteSettings {
  private readonly store: Store;
  private readonly bus: ClusterBus;
  private readonly released: (member: SiteMemberRecord) => Promise<void>;

  /** `released` is told about every EVSE that leaves load management (its profiles must go). */
  constructor(store: Store, bus: ClusterBus, released: (member: SiteMemberRecord) => Promise<void> = async () => undefined) {
    this.store = store;
    this.bus = bus;
    this.released = released;
  }

  // --- sites ---------------------------------------------------------------------------------------------------

  list(): Promise<SiteRecord[]> {
    return this.store.sites.list();
  }

  async get(siteId: string): Promise<SiteRecord> {
    const site = await this.store.sites.get(siteId);
    if (!site) throw new DomainError('not_found', `Site ${siteId} is not known`);
    return site;
  }

  async put(siteId: string, draft: SiteDraft): Promise<SiteRecord> {
    identifier(siteId, 'a site id');
    const existing = await this.store.sites.get(siteId);
    const name = draft.name ?? existing?.name ?? siteId;
    if (typeof name !== 'string' || name.trim() === '') invalid('name must be a non-empty string');
    const policy = draft.policy === 'first-come' ? 'first-come-first-served' : (draft.policy ?? 'equal-share');
    if (!POLICIES.includes(policy)) invalid(`policy must be one of ${POLICIES.join(', ')} (or first-come)`);
    const slotSeconds = finite(draft.slotSeconds ?? DEFAULT_SITE.slotSeconds, 'slotSeconds', { integer: true, min: 1 });
    const horizonHours = finite(draft.horizonHours ?? DEFAULT_SITE.horizonHours, 'horizonHours', { positive: true });
    if ((horizonHours * 3600) / slotSeconds > MAX_SLOTS) invalid(`horizonHours / slotSeconds gives more than ${MAX_SLOTS} slots`);
    const defaultEnergyWh = nullable(draft.defaultEnergyWh, 'defaultEnergyWh', { min: 0 });
    const defaultDwellMinutes = nullable(draft.defaultDwellMinutes, 'defaultDwellMinutes', { positive: true });
    if ((defaultEnergyWh === null) !== (defaultDwellMinutes === null)) invalid('defaultEnergyWh and defaultDwellMinutes go together');
    const site = await this.store.sites.put({
      id: siteId,
      name,
      policy,
      nominalVoltageV: finite(draft.nominalVoltageV ?? DEFAULT_SITE.nominalVoltageV, 'nominalVoltageV', { positive: true }),
      maxPowerW: nullable(draft.maxPowerW, 'maxPowerW', { min: 0 }),
      maxCurrentA: phaseCurrents(draft.maxCurrentA, 'maxCurrentA'),
      defaultEnergyWh,
      defaultDwellMinutes,
      slotSeconds,
      horizonHours,
    });
    this.changed(siteId, 'site');
    return site;
  }

  async delete(siteId: string): Promise<void> {
    const members = await this.store.sites.members(siteId);
    if (!(await this.store.sites.delete(siteId))) throw new DomainError('not_found', `Site ${siteId} is not known`);
    this.changed(siteId, 'site');
    await Promise.all(members.map((m) => this.released(m)));
  }

  // --- groups --------------------------------------------------------------------------------------------------

  async groups(siteId: string): Promise<SiteGroupRecord[]> {
    await this.get(siteId);
    return this.store.sites.groups(siteId);
  }

  async putGroup(siteId: string, groupId: string, draft: GroupDraft): Promise<SiteGroupRecord> {
    identifier(groupId, 'a group id');
    const site = await this.get(siteId);
    const groups = await this.store.sites.groups(siteId);
    const parentId = draft.parentId ?? null;
    if (parentId !== null) {
      if (parentId === groupId) invalid('a group cannot be its own parent');
      const byId = new Map(groups.map((g) => [g.id, g]));
      if (!byId.has(parentId)) invalid(`parentId: site ${siteId} has no group ${parentId}`);
      // Walking up from the new parent must never reach this group: no cycles.
      for (let at: string | null = parentId, steps = 0; at !== null; at = byId.get(at)?.parentId ?? null, steps++) {
        if (at === groupId || steps > groups.length) invalid(`parentId ${parentId} would put group ${groupId} below itself`);
      }
    }
    const group: SiteGroupInput = {
      siteId,
      id: groupId,
      parentId,
      name: draft.name ?? null,
      maxPowerW: nullable(draft.maxPowerW, 'maxPowerW', { min: 0 }),
      maxCurrentA: phaseCurrents(draft.maxCurrentA, 'maxCurrentA'),
      nominalVoltageV: nullable(draft.nominalVoltageV, 'nominalVoltageV', { positive: true }),
    };
    const stamped = { ...group, createdAt: '', updatedAt: '' };
    checkModel(site, [...groups.filter((g) => g.id !== groupId), stamped], await this.store.sites.members(siteId));
    const saved = await this.store.sites.putGroup(group);
    this.changed(siteId, 'group');
    return saved;
  }

  async deleteGroup(siteId: string, groupId: string): Promise<void> {
    await this.get(siteId);
    const groups = await this.store.sites.groups(siteId);
    if (!groups.some((g) => g.id === groupId)) throw new DomainError('not_found', `Site ${siteId} has no group ${groupId}`);
    if (groups.some((g) => g.parentId === groupId)) throw new DomainError('conflict', `Group ${groupId} still has child groups`);
    if ((await this.store.sites.members(siteId)).some((m) => m.groupId === groupId)) throw new DomainError('conflict', `Group ${groupId} still has EVSEs`);
    await this.store.sites.deleteGroup(siteId, groupId);
    this.changed(siteId, 'group');
  }

  // --- EVSEs ---------------------------------------------------------------------------------------------------

  async members(siteId: string): Promise<SiteMemberRecord[]> {
    await this.get(siteId);
    return this.store.sites.members(siteId);
  }

  async putMember(siteId: string, stationId: string, evseId: number, draft: MemberDraft): Promise<SiteMemberRecord> {
    const site = await this.get(siteId);
    if (typeof stationId !== 'string' || stationId === '') invalid('stationId must be a non-empty string');
    finite(evseId, 'evseId', { integer: true, min: 1 });
    const phases = draft.phases ?? 3;
    if (phases !== 1 && phases !== 3) invalid('phases must be 1 or 3');
    const phase = draft.phase ?? null;
    const phaseRotation = draft.phaseRotation ?? null;
    if (phases === 1 && phaseRotation !== null) invalid('phaseRotation applies to three-phase EVSEs; use phase');
    if (phases === 3 && phase !== null) invalid('phase applies to single-phase EVSEs; use phaseRotation');
    if (phase !== null && !['L1', 'L2', 'L3'].includes(phase)) invalid('phase must be L1, L2 or L3');
    if (phaseRotation !== null && !ROTATIONS.has(phaseRotation)) invalid(`phaseRotation must be one of ${[...ROTATIONS].join(', ')}`);
    const rateUnit = draft.rateUnit ?? 'A';
    if (rateUnit !== 'A' && rateUnit !== 'W') invalid('rateUnit must be A or W');
    const member: SiteMemberInput = {
      siteId,
      stationId,
      evseId,
      groupId: draft.groupId ?? null,
      phases,
      phase,
      phaseRotation,
      maxCurrentA: finite(draft.maxCurrentA, 'maxCurrentA', { positive: true }),
      maxPowerW: nullable(draft.maxPowerW, 'maxPowerW', { positive: true }),
      minCurrentA: nullable(draft.minCurrentA, 'minCurrentA', { min: 0 }),
      rateUnit,
      offlineFallbackA: nullable(draft.offlineFallbackA, 'offlineFallbackA', { min: 0 }),
      priority: draft.priority === undefined ? 0 : finite(draft.priority, 'priority', { integer: true }),
    };
    const groups = await this.store.sites.groups(siteId);
    if (member.groupId !== null && !groups.some((g) => g.id === member.groupId)) invalid(`groupId: site ${siteId} has no group ${member.groupId}`);
    const members = (await this.store.sites.members(siteId)).filter((m) => !(m.stationId === stationId && m.evseId === evseId));
    checkModel(site, groups, [...members, { ...member, createdAt: '', updatedAt: '' }]);
    const previous = await this.store.sites.memberOf(stationId, evseId);
    const saved = await this.store.sites.putMember(member);
    if (previous && previous.siteId !== siteId) this.changed(previous.siteId, 'member', stationId);
    this.changed(siteId, 'member', stationId);
    return saved;
  }

  async deleteMember(siteId: string, stationId: string, evseId: number): Promise<void> {
    const member = await this.store.sites.memberOf(stationId, evseId);
    if (!member || member.siteId !== siteId) throw new DomainError('not_found', `Site ${siteId} has no EVSE ${evseId} of station ${stationId}`);
    await this.store.sites.deleteMember(stationId, evseId);
    this.changed(siteId, 'member', stationId);
    await this.released(member);
  }

  // --- tariff and prices ---------------------------------------------------------------------------------------

  async tariff(siteId: string): Promise<SiteTariffRecord> {
    await this.get(siteId);
    const tariff = await this.store.siteSignals.tariff(siteId);
    if (!tariff) throw new DomainError('not_found', `Site ${siteId} has no tariff`);
    return tariff;
  }

  async putTariff(siteId: string, draft: { timeZone?: string; defaultPricePerKWh: number; periods?: TimeOfUsePeriodRecord[] }): Promise<SiteTariffRecord> {
    await this.get(siteId);
    const tariff = { siteId, timeZone: draft.timeZone ?? 'UTC', defaultPricePerKWh: draft.defaultPricePerKWh, periods: draft.periods ?? [] };
    // The planner's own reading of a tariff is the check (clock times, weekdays, the time zone).
    slotPrices(makeGrid(new Date().toISOString(), 60, 24), { timeOfUse: tariff });
    const saved = await this.store.siteSignals.putTariff(tariff);
    this.changed(siteId, 'tariff');
    return saved;
  }

  async deleteTariff(siteId: string): Promise<void> {
    await this.get(siteId);
    if (!(await this.store.siteSignals.deleteTariff(siteId))) throw new DomainError('not_found', `Site ${siteId} has no tariff`);
    this.changed(siteId, 'tariff');
  }

  async pricePoints(siteId: string, from: string, to: string): Promise<PricePointRecord[]> {
    await this.get(siteId);
    return this.store.siteSignals.pricePoints(siteId, instant(from, 'from'), instant(to, 'to'));
  }

  async putPricePoints(siteId: string, points: { start: string; end: string; pricePerKWh: number }[]): Promise<number> {
    await this.get(siteId);
    if (!Array.isArray(points) || points.length === 0) invalid('give at least one price point');
    if (points.length > MAX_PRICE_POINTS) invalid(`at most ${MAX_PRICE_POINTS} price points at once`);
    const records: PricePointRecord[] = points.map((p, i) => {
      const start = instant(p.start, `prices[${i}].start`);
      const end = instant(p.end, `prices[${i}].end`);
      if (Date.parse(end) <= Date.parse(start)) invalid(`prices[${i}]: end must be after start`);
      return { siteId, start, end, pricePerKWh: finite(p.pricePerKWh, `prices[${i}].pricePerKWh`) };
    });
    await this.store.siteSignals.putPricePoints(records);
    this.changed(siteId, 'prices');
    return records.length;
  }

  async deletePricePoints(siteId: string, before: string | undefined): Promise<number> {
    await this.get(siteId);
    const removed = await this.store.siteSignals.deletePricePoints(siteId, before === undefined ? undefined : instant(before, 'before'));
    if (removed > 0) this.changed(siteId, 'prices');
    return removed;
  }

  // --- demand response -----------------------------------------------------------------------------------------

  async demandResponseEvents(siteId: string, includePast: boolean): Promise<DemandResponseEventRecord[]> {
    await this.get(siteId);
    return this.store.siteSignals.demandResponseEvents(siteId, includePast ? undefined : new Date().toISOString());
  }

  async demandResponseEvent(siteId: string, eventId: string): Promise<DemandResponseEventRecord> {
    const event = await this.store.siteSignals.demandResponseEvent(eventId);
    if (!event || event.siteId !== siteId) throw new DomainError('not_found', `Site ${siteId} has no demand-response event ${eventId}`);
    return event;
  }

  async putDemandResponseEvent(siteId: string, draft: DemandResponseDraft): Promise<DemandResponseEventRecord> {
    await this.get(siteId);
    const id = draft.id === undefined ? randomUUID() : identifier(draft.id, 'an event id');
    const existing = await this.store.siteSignals.demandResponseEvent(id);
    if (existing && existing.siteId !== siteId) throw new DomainError('conflict', `Event ${id} belongs to site ${existing.siteId}`);
    const groupId = draft.groupId ?? null;
    if (groupId !== null && !(await this.store.sites.groups(siteId)).some((g) => g.id === groupId)) invalid(`groupId: site ${siteId} has no group ${groupId}`);
    const from = instant(draft.from, 'from');
    const to = instant(draft.to, 'to');
    if (Date.parse(to) <= Date.parse(from)) invalid('to must be after from');
    const maxPowerW = nullable(draft.maxPowerW, 'maxPowerW', { min: 0 });
    const maxCurrentA = phaseCurrents(draft.maxCurrentA, 'maxCurrentA');
    if (maxPowerW === null && maxCurrentA === null) invalid('give maxPowerW, maxCurrentA or both');
    const saved = await this.store.siteSignals.putDemandResponseEvent({ id, siteId, groupId, maxPowerW, maxCurrentA, from, to, label: draft.label ?? null });
    this.changed(siteId, 'demand-response');
    return saved;
  }

  async deleteDemandResponseEvent(siteId: string, eventId: string): Promise<void> {
    await this.demandResponseEvent(siteId, eventId);
    await this.store.siteSignals.deleteDemandResponseEvent(eventId);
    this.changed(siteId, 'demand-response');
  }

  // --- external load -------------------------------------------------------------------------------------------

  async externalLoads(siteId: string): Promise<ExternalLoadRecord[]> {
    await this.get(siteId);
    return this.store.siteSignals.latestExternalLoads(siteId);
  }

  async recordExternalLoad(siteId: string, draft: ExternalLoadDraft): Promise<ExternalLoadRecord> {
    await this.get(siteId);
    const groupId = draft.groupId ?? null;
    if (groupId !== null && !(await this.store.sites.groups(siteId)).some((g) => g.id === groupId)) invalid(`groupId: site ${siteId} has no group ${groupId}`);
    const powerW = nullable(draft.powerW, 'powerW');
    let currentA: PhaseCurrentsRecord | null = null;
    if (draft.currentA !== undefined && draft.currentA !== null) {
      // Net load may be negative (local generation exporting): no minimum.
      const c = draft.currentA;
      currentA = typeof c === 'number' ? finite(c, 'currentA') : Array.isArray(c) && c.length === 3
        ? [finite(c[0], 'currentA[0]'), finite(c[1], 'currentA[1]'), finite(c[2], 'currentA[2]')]
        : invalid('currentA must be a number or three numbers (L1, L2, L3)');
    }
    if (powerW === null && currentA === null) invalid('give powerW, currentA or both');
    const receivedAt = new Date().toISOString();
    const reading: ExternalLoadRecord = { siteId, groupId, powerW, currentA, at: draft.at === undefined ? receivedAt : instant(draft.at, 'at'), receivedAt };
    await this.store.siteSignals.recordExternalLoad(reading);
    this.changed(siteId, 'external-load');
    return reading;
  }

  // --- session needs -------------------------------------------------------------------------------------------

  /**
   * Sets what a running session needs: energy counted from the start of its transaction, by a departure. The
   * latest need wins, whoever gives it (driver app through the API, or the EV through its station).
   */
  async putNeed(transactionId: string, draft: NeedDraft, source: 'api' | 'station' = 'api'): Promise<SessionNeedRecord> {
    const tx = await this.store.transactions.get(transactionId);
    if (!tx) throw new DomainError('not_found', `Transaction ${transactionId} is not known`);
    if (tx.stoppedAt !== null) throw new DomainError('conflict', `Transaction ${transactionId} has ended`);
    const need = await this.store.sessionNeeds.put({
      transactionId,
      energyWh: finite(draft.energyWh, 'energyWh', { min: 0 }),
      departure: instant(draft.departure, 'departure'),
      source,
      evMaxPowerW: nullable(draft.evMaxPowerW, 'evMaxPowerW', { positive: true }),
      evMaxCurrentA: nullable(draft.evMaxCurrentA, 'evMaxCurrentA', { positive: true }),
      evMinCurrentA: nullable(draft.evMinCurrentA, 'evMinCurrentA', { min: 0 }),
      evMaxDischargePowerW: source === 'station' ? nullable(draft.evMaxDischargePowerW, 'evMaxDischargePowerW', { positive: true }) : null,
      evDischargeableWh: source === 'station' ? nullable(draft.evDischargeableWh, 'evDischargeableWh', { min: 0 }) : null,
    });
    const member = await this.store.sites.memberOf(tx.stationId, tx.evseId);
    if (member) this.changed(member.siteId, 'need', tx.stationId);
    return need;
  }

  /** The session's own need, else its site's default (source `default`), else not found. */
  async need(transactionId: string): Promise<SessionNeedRecord> {
    const tx = await this.store.transactions.get(transactionId);
    if (!tx) throw new DomainError('not_found', `Transaction ${transactionId} is not known`);
    const own = await this.store.sessionNeeds.get(transactionId);
    if (own) return own;
    const member = await this.store.sites.memberOf(tx.stationId, tx.evseId);
    const site = member ? await this.store.sites.get(member.siteId) : undefined;
    if (site && site.defaultEnergyWh !== null && site.defaultDwellMinutes !== null) {
      return {
        transactionId,
        energyWh: site.defaultEnergyWh,
        departure: new Date(Date.parse(tx.startedAt) + site.defaultDwellMinutes * 60_000).toISOString(),
        source: 'default',
        evMaxPowerW: null,
        evMaxCurrentA: null,
        evMinCurrentA: null,
        evMaxDischargePowerW: null,
        evDischargeableWh: null,
        exportStartWh: null,
        lastExportWh: null,
        updatedAt: site.updatedAt,
      };
    }
    throw new DomainError('not_found', `Transaction ${transactionId} has no need (none given, and no site default)`);
  }

  async deleteNeed(transactionId: string): Promise<void> {
    const tx = await this.store.transactions.get(transactionId);
    if (!tx || !(await this.store.sessionNeeds.delete(transactionId))) throw new DomainError('not_found', `Transaction ${transactionId} has no need of its own`);
    const member = await this.store.sites.memberOf(tx.stationId, tx.evseId);
    if (member) this.changed(member.siteId, 'need', tx.stationId);
  }

  private changed(siteId: string, what: ChangeKind, stationId?: string): void {
    this.bus.publish({ type: 'smart-charging.changed', ...(stationId === undefined ? {} : { stationId }), data: { siteId, what } });
  }
}

/** The site with these groups and EVSEs must still make a model the planner accepts. */
function checkModel(site: SiteRecord, groups: SiteGroupRecord[], members: SiteMemberRecord[]): void {
  compileSite(buildSiteModel({ site, groups, members, loads: [], online: undefined }).model);
}
