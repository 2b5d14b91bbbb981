/**
 * Site load management, wired: keeps every managed site under its limits by re-planning it when something changes and
 * sending the stations the profiles that say what each EVSE may draw.
 *
 * - Re-plans on transaction starts and ends, connector status, stations connecting and disconnecting, settings
 *   (limits, tariff, prices, demand response, external load, needs), meter values that change what an EV is known to
 *   draw at most (it draws clearly less than offered, or all of it at its learned limit), slot boundaries and the
 *   edges of demand-response windows.
 * - A site is re-planned at most once per `debounceMs` (events in between are gathered) and never twice at once: a
 *   change during a re-plan causes one more after it.
 * - Cluster: every node receives every event, but only the holder of the site's planner lease (store, a row per
 *   site, `leaseTtlMs`) plans it. The first node to need it takes it; its holder renews it with each re-plan; when
 *   the holder dies it expires and another node takes over (and reads what was sent from the store). Sending is
 *   idempotent (fixed profile ids per EVSE, replaced by id), so an overlap at a hand-over does no harm.
 * - Each session gets its TxProfile right after its transaction starts (the start triggers a re-plan); idle EVSEs
 *   keep a TxDefaultProfile that an arriving EV may draw before that (idle-defaults.ts).
 */
import type { ClusterBus } from '../../cluster/bus.ts';
import type { InstalledChargingProfileRecord, SiteMemberRecord, Store, TransactionRecord } from '../../store/ports.ts';
import type { CommandService } from '../commands/command-service.ts';
import { DomainError } from '../errors.ts';
import type { DomainEvent } from '../events.ts';
import type { MeasuredDraw } from '../metering/measured-draw.ts';
import type { ChargingProfile } from './charging-profile.ts';
import { InstalledState } from './installed-state.ts';
import { currentFromLimit, powerToCurrent } from './planner/electrical.ts';
import { DEFAULT_MIN_CURRENT_A, DEFAULT_NOMINAL_VOLTAGE_V } from './planner/site-model.ts';
import { DEFAULT_SIGNIFICANCE, limitAt, profileChange, steppedDownRecently, type ChangeOrder, type Significance } from './profile-changes.ts';
import { learnEvLimit } from './ev-limit-learning.ts';
import { evseNodeId } from './site-model-builder.ts';
import { DEFAULT_PLAN_OPTIONS, planSite, TX_DEFAULT_PROFILE_ID_BASE, TX_PROFILE_ID_BASE, txDefaultProfile, type ActiveSession, type EvsePlan, type OfferMemory, type PlanOptions, type PlanningState, type SitePlan } from './site-plan.ts';
import { SiteSettings } from './site-settings.ts';
import { fitProfileToStation } from './station-fit.ts';
import { validateChargingProfile, type SmartChargingCapabilities } from './profile-validation.ts';

export const SMART_CHARGING_ACTOR = 'smart-charging';

export interface SmartChargingConfig {
  /** Events within this time are gathered into one re-plan of a site. */
  debounceMs: number;
  /** How long a node's planner lease on a site lasts without renewal. */
  leaseTtlMs: number;
  /** How long to wait for a station to answer a profile. */
  commandTimeoutMs: number;
  /** A re-plan whose decreases were not all confirmed is tried again after this long (increases held back meanwhile). */
  retryMs: number;
  significance: Significance;
  /** A step down a station's schedule took this recently is confirmed (the profile sent again) before any raise. */
  stepConfirmMs: number;
  plan: PlanOptions;
  /** The clock (tests). */
  now: () => number;
  /** Told about a re-plan that failed (it is tried again on the next event or boundary). */
  onError: (siteId: string, error: unknown) => void;
}

export const DEFAULT_SMART_CHARGING_CONFIG: SmartChargingConfig = {
  debounceMs: 200,
  leaseTtlMs: 30_000,
  commandTimeoutMs: 30_000,
  retryMs: 5_000,
  significance: DEFAULT_SIGNIFICANCE,
  stepConfirmMs: 3_000,
  plan: DEFAULT_PLAN_OPTIONS,
  now: Date.now,
  onError: () => undefined,
};

/** The TxProfile a remote start on a managed EVSE carries: the planner's allocation for a session starting now. */
export interface InitialProfile {
  /** Fitted to the station (rate unit, period count); purpose TxProfile, no transactionId. */
  profile: ChargingProfile;
  /** What fitting changed (empty: nothing). */
  changes: string[];
}

/** What an EV says it needs (2.x NotifyEVChargingNeeds), version-neutral. */
export interface EvChargingNeeds {
  evseId: number;
  /** Energy the EV still requests, Wh. */
  energyWh?: number | undefined;
  departure?: string | undefined;
  evMaxPowerW?: number | undefined;
  evMaxCurrentA?: number | undefined;
  evMinCurrentA?: number | undefined;
  /** The EV asked for bidirectional transfer (V2G): its discharge limit and what it may give back, Wh. */
  discharge?: { maxDischargePowerW: number; dischargeableWh: number } | undefined;
}

interface SiteRuntime {
  timer: NodeJS.Timeout | undefined;
  boundaryTimer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  again: boolean;
  /** This node holds the lease until then (ms); renewed after `renewAtMs`. */
  leaseUntilMs: number;
  renewAtMs: number;
}

interface PushOutcome {
  sent: number;
  failures: { stationId: string; evseId: number; purpose: string; outcome: string }[];
  heldBack: number;
}

/** A member and the site it belongs to, by station and EVSE. */
type Membership = Map<string, Map<number, SiteMemberRecord>>;

export class SmartChargingService {
  readonly settings: SiteSettings;
  private readonly store: Store;
  private readonly bus: ClusterBus;
  private readonly commands: CommandService;
  private readonly config: SmartChargingConfig;
  private readonly installed: InstalledState;
  private readonly sites = new Map<string, SiteRuntime>();
  private readonly draws = new Map<string, MeasuredDraw>();
  private readonly offers = new Map<string, OfferMemory>();
  /** What each session's EV was learned to draw at most (per phase, A), as of its last plan. */
  private readonly learned = new Map<string, number>();
  /** The last export register recorded per transaction (V2G), so that an unchanged one costs no write. */
  private readonly exports = new Map<string, number>();
  /**
   * EVSEs (node ids) whose station refused a profile: counted as drawing their maximum and sent nothing until the
   * station reconnects or boots, or the EVSE's settings change (so that one station cannot hold a site's raises back).
   */
  private readonly refusing = new Set<string>();
  private membership: Promise<Membership> | undefined;
  /** The membership once read (undefined while it is being read or after a change): lets the hot path skip events. */
  private knownMembership: Membership | undefined;
  private readonly unsubscribe: () => void;
  private stopped = false;

  constructor(store: Store, bus: ClusterBus, commands: CommandService, config: Partial<SmartChargingConfig> = {}) {
    this.store = store;
    this.bus = bus;
    this.commands = commands;
    this.config = { ...DEFAULT_SMART_CHARGING_CONFIG, ...config };
    this.settings = new SiteSettings(store, bus, (member) => this.release(member));
    this.installed = new InstalledState(store);
    this.unsubscribe = bus.subscribe((event) => this.onEvent(event));
  }

  /** Stops reacting to events and cancels every timer (a re-plan under way finishes). */
  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    for (const runtime of this.sites.values()) {
      clearTimeout(runtime.timer);
      clearTimeout(runtime.boundaryTimer);
    }
  }

  // --- reading -------------------------------------------------------------------------------------------------

  /** The site's plan as it would be made now (nothing is sent): allocation, schedules, unmet needs with reasons. */
  async preview(siteId: string): Promise<SitePlan> {
    const state = await this.planningState(siteId, this.config.now());
    if (!state) throw new DomainError('not_found', `Site ${siteId} is not known`);
    return planSite(state, this.config.plan);
  }

  /** What Joule sent a station (and what it answered), by EVSE. */
  async installedProfiles(stationId: string): Promise<InstalledChargingProfileRecord[]> {
    return this.store.chargingProfiles.forStation(stationId);
  }

  /** Re-plans a site now (waiting for one under way first) and returns the plan, or undefined if another node plans it. */
  async replanNow(siteId: string): Promise<SitePlan | undefined> {
    const runtime = this.runtime(siteId);
    while (runtime.running) await runtime.running;
    let plan: SitePlan | undefined;
    runtime.running = this.replan(siteId, runtime).then((p) => {
      plan = p;
    }).finally(() => {
      runtime.running = undefined;
    });
    await runtime.running;
    return plan;
  }

  /**
   * The profile a remote start on this EVSE should carry (profile on authorization): the site is planned as if a
   * session started on the EVSE now, and that session's TxProfile is returned without a transaction id, fitted to
   * what the station takes (`capabilities`, from its version's edge) and checked by the remote-start rules.
   * Undefined when the EVSE is in no site, already has a transaction, or the plan gives it no profile.
   */
  async initialProfile(stationId: string, evseId: number, capabilities: SmartChargingCapabilities): Promise<InitialProfile | undefined> {
    const member = (await this.members()).get(stationId)?.get(evseId);
    if (!member) return undefined;
    const nowMs = this.config.now();
    const state = await this.planningState(member.siteId, nowMs);
    if (!state || state.sessions.some(({ tx }) => tx.stationId === stationId && tx.evseId === evseId)) return undefined;
    const at = new Date(nowMs).toISOString();
    const pending: TransactionRecord = {
      id: `remote-start:${stationId}:${evseId}`, stationTxId: '', stationId, evseId, connectorId: 1, idToken: null, startedAt: at,
      stoppedAt: null, meterStartWh: null, meterStopWh: null, lastMeterWh: null, energyWh: null, stopReason: null, stopIdToken: null,
      reservationId: null, chargingState: null, lastSeqNo: null, remoteStartId: null, flags: [], createdAt: at, updatedAt: at,
    };
    const plan = planSite({ ...state, sessions: [...state.sessions, { tx: pending }] }, this.config.plan);
    const evse = plan.evses.find((e) => e.stationId === stationId && e.evseId === evseId);
    if (!evse?.txProfile) return undefined;
    const { transactionId: _none, ...profile } = evse.txProfile;
    const fitted = fitProfileToStation(profile, capabilities, evse.electrical);
    if (validateChargingProfile({ evseId, profile: fitted.profile, capabilities, context: 'remoteStart' }).length > 0) return undefined;
    return fitted;
  }

  /**
   * An EV told its needs (2.x NotifyEVChargingNeeds). On a managed EVSE with a transaction they become the session's
   * need (energy counted from the transaction's start) and the site is re-planned: true. Otherwise false.
   */
  async evChargingNeeds(stationId: string, needs: EvChargingNeeds): Promise<boolean> {
    const member = await this.store.sites.memberOf(stationId, needs.evseId);
    if (!member) return false;
    const tx = (await this.store.transactions.activeForStation(stationId)).filter((t) => t.evseId === needs.evseId).at(-1);
    const site = await this.store.sites.get(member.siteId);
    if (!tx || !site) return false;
    const delivered = tx.lastMeterWh !== null && tx.meterStartWh !== null ? Math.max(0, tx.lastMeterWh - tx.meterStartWh) : 0;
    const energyWh = needs.energyWh !== undefined ? needs.energyWh + delivered : site.defaultEnergyWh;
    if (energyWh === null) return false;
    const nowMs = this.config.now();
    const departure = needs.departure
      ?? (site.defaultDwellMinutes !== null ? new Date(Date.parse(tx.startedAt) + site.defaultDwellMinutes * 60_000).toISOString() : undefined)
      ?? new Date(nowMs + site.horizonHours * 3_600_000).toISOString();
    await this.settings.putNeed(tx.id, {
      energyWh,
      departure,
      evMaxPowerW: needs.evMaxPowerW ?? null,
      evMaxCurrentA: needs.evMaxCurrentA ?? null,
      evMinCurrentA: needs.evMinCurrentA ?? null,
      evMaxDischargePowerW: needs.discharge?.maxDischargePowerW ?? null,
      evDischargeableWh: needs.discharge?.dischargeableWh ?? null,
    }, 'station');
    return true;
  }

  /**
   * An EVSE left load management: Joule's profiles are cleared from its station (else its last TxDefaultProfile, maybe
   * 0, would hold it down for good) and forgotten. A station that is offline keeps them until an operator clears them.
   */
  private async release(member: SiteMemberRecord): Promise<void> {
    const { stationId, evseId } = member;
    for (const profileId of [TX_DEFAULT_PROFILE_ID_BASE + evseId, TX_PROFILE_ID_BASE + evseId]) {
      await this.commands.sendNeutral(stationId, { kind: 'ClearChargingProfile', profileId }, SMART_CHARGING_ACTOR, this.config.commandTimeoutMs).catch(() => undefined);
      await this.store.chargingProfiles.remove(stationId, profileId);
    }
    this.installed.forgetEvse(stationId, evseId);
    this.refusing.delete(evseNodeId(stationId, evseId));
  }

  // --- events --------------------------------------------------------------------------------------------------

  private onEvent(event: DomainEvent): void {
    if (this.stopped) return;
    // Every message of every station raises events (meter values, statuses, connects and boots): those of stations in
    // no site change no plan, and are dropped here, synchronously, without a promise or a lookup (the message path is
    // hot, and a reconnect storm raises five per station). Only a change of the sites themselves is always handled.
    if (event.type !== 'smart-charging.changed' && event.stationId !== undefined) {
      if ((event.type === 'meter.values' || event.type === 'transaction.updated') && event.data.draw === undefined) return;
      if (this.knownMembership !== undefined && !this.knownMembership.has(event.stationId)) return;
    }
    this.handle(event).catch(() => undefined);
  }

  private async handle(event: DomainEvent): Promise<void> {
    const { stationId, data } = event;
    switch (event.type) {
      case 'smart-charging.changed': {
        // A need stored just now records the next export reading even if it is unchanged (its starting point).
        if (data.what === 'need') this.exports.clear();
        if (data.what === 'site' || data.what === 'member') {
          this.membership = undefined;
          this.knownMembership = undefined;
          if (stationId) this.forgetRefusals(stationId);
        }
        if (typeof data.siteId === 'string') {
          if (data.what === 'site' && !(await this.store.sites.get(data.siteId))) this.dropSite(data.siteId);
          else this.schedule(data.siteId);
        }
        return;
      }
      case 'transaction.started':
      case 'connector.status': {
        if (stationId && typeof data.evseId === 'number') await this.scheduleFor(stationId, data.evseId);
        return;
      }
      case 'transaction.ended': {
        if (!stationId || typeof data.evseId !== 'number') return;
        const member = (await this.members()).get(stationId)?.get(data.evseId);
        if (!member) return;
        this.installed.transactionEnded(stationId, data.evseId);
        if (typeof data.transactionId === 'string') {
          this.offers.delete(data.transactionId);
          this.learned.delete(data.transactionId);
          this.exports.delete(data.transactionId);
          await this.store.chargingProfiles.removeForTransaction(stationId, data.transactionId).catch(() => 0);
        }
        this.draws.delete(evseNodeId(stationId, data.evseId));
        this.schedule(member.siteId);
        return;
      }
      case 'station.connected':
      case 'station.booted':
      case 'station.disconnected': {
        if (!stationId) return;
        const evses = (await this.members()).get(stationId);
        if (!evses) return;
        if (event.type !== 'station.disconnected') {
          this.installed.forgetStation(stationId);
          this.forgetRefusals(stationId);
        }
        for (const siteId of new Set([...evses.values()].map((m) => m.siteId))) this.schedule(siteId);
        return;
      }
      case 'meter.values':
      case 'transaction.updated': {
        const draw = data.draw as MeasuredDraw | undefined;
        if (!stationId || typeof data.evseId !== 'number' || draw === undefined || typeof data.transactionId !== 'string') return;
        const member = (await this.members()).get(stationId)?.get(data.evseId);
        if (!member) return;
        this.draws.set(evseNodeId(stationId, data.evseId), draw);
        if (draw.exportWh !== undefined && this.exports.get(data.transactionId) !== draw.exportWh) {
          // What a V2G session gave back counts against what it was delivered (written only when it changes).
          this.exports.set(data.transactionId, draw.exportWh);
          await this.store.sessionNeeds.recordExport(data.transactionId, draw.exportWh);
        }
        if (this.learningChanges(member, data.transactionId, draw)) this.schedule(member.siteId);
        return;
      }
      default:
        return;
    }
  }

  /** True when the EV's draw changes what it is learned to draw at most (ev-limit-learning.ts): worth a re-plan. */
  private learningChanges(member: SiteMemberRecord, transactionId: string, draw: MeasuredDraw): boolean {
    const offer = this.offers.get(transactionId);
    if (!offer || Date.parse(draw.at) < offer.sinceMs + this.config.plan.drawSettleMs) return false;
    const drawn = draw.currentA?.length
      ? Math.max(...draw.currentA)
      : draw.powerW !== undefined ? powerToCurrent(draw.powerW, DEFAULT_NOMINAL_VOLTAGE_V, member.phases) : undefined;
    if (drawn === undefined) return false;
    const previous = this.learned.get(transactionId);
    return learnEvLimit(previous, offer.currentA, drawn, member.minCurrentA ?? DEFAULT_MIN_CURRENT_A, this.config.plan.learning) !== previous;
  }

  private forgetRefusals(stationId: string): void {
    for (const key of this.refusing) if (key.startsWith(`evse:${stationId}:`)) this.refusing.delete(key);
  }

  private async scheduleFor(stationId: string, evseId: number): Promise<void> {
    const member = (await this.members()).get(stationId)?.get(evseId);
    if (member) this.schedule(member.siteId);
  }

  /** Every site EVSE by station and EVSE; read once and again after a site or member change. */
  private members(): Promise<Membership> {
    if (this.membership !== undefined) return this.membership;
    const reading = (async () => {
      const map: Membership = new Map();
      for (const site of await this.store.sites.list()) {
        for (const m of await this.store.sites.members(site.id)) {
          let evses = map.get(m.stationId);
          if (!evses) map.set(m.stationId, (evses = new Map()));
          evses.set(m.evseId, m);
        }
      }
      return map;
    })();
    this.membership = reading;
    reading.then(
      (map) => {
        if (this.membership === reading) this.knownMembership = map;
      },
      () => {
        if (this.membership === reading) this.membership = undefined;
      },
    );
    return reading;
  }

  // --- re-planning ---------------------------------------------------------------------------------------------

  private runtime(siteId: string): SiteRuntime {
    let runtime = this.sites.get(siteId);
    if (!runtime) {
      runtime = { timer: undefined, boundaryTimer: undefined, running: undefined, again: false, leaseUntilMs: 0, renewAtMs: 0 };
      this.sites.set(siteId, runtime);
    }
    return runtime;
  }

  private dropSite(siteId: string): void {
    const runtime = this.sites.get(siteId);
    if (!runtime) return;
    clearTimeout(runtime.timer);
    clearTimeout(runtime.boundaryTimer);
    this.sites.delete(siteId);
  }

  /** A re-plan of the site within `delayMs` (gathered with any already due). */
  private schedule(siteId: string, delayMs = this.config.debounceMs): void {
    if (this.stopped) return;
    const runtime = this.runtime(siteId);
    if (runtime.timer) return;
    runtime.timer = setTimeout(() => {
      runtime.timer = undefined;
      if (runtime.running) {
        runtime.again = true;
        return;
      }
      runtime.running = this.replan(siteId, runtime).then(() => undefined, (error: unknown) => {
        if (!this.stopped) this.config.onError(siteId, error);
      }).finally(() => {
        runtime.running = undefined;
        if (runtime.again) {
          runtime.again = false;
          this.schedule(siteId);
        }
      });
    }, delayMs);
    runtime.timer.unref();
  }

  /** Takes or renews this node's lease on the site; false when another node plans it. */
  private async holdLease(siteId: string, runtime: SiteRuntime, nowMs: number): Promise<{ held: boolean; fresh: boolean }> {
    if (nowMs < runtime.renewAtMs && nowMs < runtime.leaseUntilMs) return { held: true, fresh: false };
    const fresh = nowMs >= runtime.leaseUntilMs;
    if (!(await this.store.plannerLeases.acquire(siteId, this.bus.nodeId, nowMs, this.config.leaseTtlMs))) {
      runtime.leaseUntilMs = 0;
      runtime.renewAtMs = 0;
      return { held: false, fresh };
    }
    runtime.leaseUntilMs = nowMs + this.config.leaseTtlMs;
    runtime.renewAtMs = nowMs + this.config.leaseTtlMs / 3;
    return { held: true, fresh };
  }

  private async replan(siteId: string, runtime: SiteRuntime): Promise<SitePlan | undefined> {
    const nowMs = this.config.now();
    const lease = await this.holdLease(siteId, runtime, nowMs);
    if (!lease.held) return undefined;
    const state = await this.planningState(siteId, nowMs);
    if (!state) {
      this.dropSite(siteId);
      return undefined;
    }
    const stations = new Set(state.members.map((m) => m.stationId));
    // A node that just took the site over reads what was sent from the store.
    await this.installed.load(stations, lease.fresh);
    const plan = planSite(state, this.config.plan);
    const pushed = await this.push(plan, nowMs);
    this.bus.publish({ type: 'smart-charging.plan', data: planEventData(plan, pushed) });
    this.scheduleBoundary(siteId, runtime, state, nowMs);
    if (pushed.heldBack > 0) this.schedule(siteId, this.config.retryMs);
    return plan;
  }

  /** Everything a plan of the site needs, read now; undefined when the site does not exist. */
  private async planningState(siteId: string, nowMs: number): Promise<PlanningState | undefined> {
    const site = await this.store.sites.get(siteId);
    if (!site) return undefined;
    const horizonEnd = new Date(nowMs + site.horizonHours * 3_600_000 + site.slotSeconds * 1000).toISOString();
    const fromIso = new Date(nowMs - site.slotSeconds * 1000).toISOString();
    const [groups, members, tariff, prices, events, loads, online] = await Promise.all([
      this.store.sites.groups(siteId),
      this.store.sites.members(siteId),
      this.store.siteSignals.tariff(siteId),
      this.store.siteSignals.pricePoints(siteId, fromIso, horizonEnd),
      this.store.siteSignals.demandResponseEvents(siteId, fromIso),
      this.store.siteSignals.latestExternalLoads(siteId),
      this.bus.onlineStations(),
    ]);
    const managed = new Set(members.map((m) => `${m.stationId}\u0000${m.evseId}`));
    const stationIds = [...new Set(members.map((m) => m.stationId))];
    const active = (await Promise.all(stationIds.map((id) => this.store.transactions.activeForStation(id)))).flat()
      .filter((tx: TransactionRecord) => managed.has(`${tx.stationId}\u0000${tx.evseId}`) && !tx.flags.includes('orphan-stop'));
    const needs = new Map((await this.store.sessionNeeds.forTransactions(active.map((tx) => tx.id))).map((n) => [n.transactionId, n]));
    const sessions: ActiveSession[] = active.map((tx) => ({ tx, need: needs.get(tx.id) }));
    return {
      site, groups, members, loads, online, uncontrolled: this.refusing, tariff, prices, events, sessions,
      draws: this.draws, offers: this.offers, learned: this.learned, nowMs,
    };
  }

  /** The next slot boundary or demand-response edge re-plans the site. */
  private scheduleBoundary(siteId: string, runtime: SiteRuntime, state: PlanningState, nowMs: number): void {
    const slotMs = state.site.slotSeconds * 1000;
    let next = (Math.floor(nowMs / slotMs) + 1) * slotMs;
    for (const e of state.events) {
      for (const edge of [Date.parse(e.from) - this.config.plan.windowLeadMs, Date.parse(e.to)]) if (edge > nowMs && edge < next) next = edge;
    }
    clearTimeout(runtime.boundaryTimer);
    runtime.boundaryTimer = setTimeout(() => this.schedule(siteId, 0), Math.max(0, next - this.config.now()) + 5);
    runtime.boundaryTimer.unref();
  }

  // --- sending -------------------------------------------------------------------------------------------------

  private async push(plan: SitePlan, nowMs: number): Promise<PushOutcome> {
    const outcome: PushOutcome = { sent: 0, failures: [], heldBack: 0 };
    const jobs: { order: ChangeOrder; evse: EvsePlan; profile: ChargingProfile }[] = [];
    for (const evse of plan.evses) {
      if (!evse.online || evse.state === 'offline') continue;
      const installed = this.installed.get(evse.stationId, evse.evseId);
      // TxDefaultProfile: an idle EVSE's share; a busy one's may only go down (to what its session frees at the least).
      const defaultNow = installed.txDefault ? limitAt(installed.txDefault, nowMs) : undefined;
      const installedDefaultA = defaultNow === undefined || installed.txDefault === undefined ? undefined
        : currentFromLimit(defaultNow, installed.txDefault.schedules[0]!.chargingRateUnit, evse.electrical.voltageV, evse.electrical.phases);
      const targetA = evse.state === 'idle' ? evse.defaultCurrentA : Math.min(installedDefaultA ?? 0, evse.defaultCurrentA);
      const txDefault = txDefaultProfile(evse, targetA, nowMs, this.config.plan.stackLevel);
      const defaultChange = profileChange(installed.txDefault, txDefault, nowMs, evse.electrical, this.config.significance);
      // Not installed: the station's own default is unknown (possibly none: no limit), so this can only lower it.
      if (defaultChange) jobs.push({ order: installed.txDefault ? defaultChange.order : 'down', evse, profile: txDefault });
      if (evse.txProfile) {
        const change = profileChange(installed.txProfile, evse.txProfile, nowMs, evse.electrical, this.config.significance);
        if (change) {
          let order = change.order;
          if (!installed.txProfile) {
            // The session runs under the TxDefaultProfile until then: compare with that.
            const before = defaultNow ?? Infinity;
            order = (limitAt(evse.txProfile, nowMs) ?? 0) <= before ? 'down' : 'up';
          }
          jobs.push({ order, evse, profile: evse.txProfile });
        } else if (evse.transactionId && !this.offers.has(evse.transactionId)) {
          this.offers.set(evse.transactionId, { currentA: evse.currentA, sinceMs: nowMs });
        }
      }
    }
    const send = async (job: (typeof jobs)[number]): Promise<boolean> => {
      const ok = await this.sendProfile(job.evse, job.profile, outcome);
      if (ok && job.profile.purpose === 'TxProfile' && job.evse.transactionId) {
        // A reading is compared with the offer only once the EV had time to follow it; a resent profile whose limit
        // now is about the same (later slots changed, or a rounding step) does not restart that wait.
        const previous = this.offers.get(job.evse.transactionId);
        const same = previous !== undefined && Math.abs(previous.currentA - job.evse.currentA) < this.config.plan.learning.marginA;
        this.offers.set(job.evse.transactionId, { currentA: job.evse.currentA, sinceMs: same ? previous.sinceMs : this.config.now() });
      }
      return ok;
    };
    const up = jobs.filter((j) => j.order === 'up');
    if (up.length > 0) {
      // Raises follow: steps down the stations' schedules took just now are confirmed first (see steppedDownRecently).
      for (const evse of plan.evses) {
        if (!evse.online || evse.state === 'offline' || !evse.txProfile) continue;
        const installed = this.installed.get(evse.stationId, evse.evseId).txProfile;
        if (!installed || jobs.some((j) => j.evse === evse && j.profile.purpose === 'TxProfile')) continue;
        if (steppedDownRecently(installed, nowMs, this.config.stepConfirmMs)) jobs.push({ order: 'down', evse, profile: evse.txProfile });
      }
    }
    const down = jobs.filter((j) => j.order === 'down');
    const confirmed = await Promise.all(down.map(send));
    if (confirmed.every(Boolean)) await Promise.all(up.map(send));
    else outcome.heldBack = up.length;
    for (const evse of plan.evses) {
      if (evse.transactionId === null) continue;
      if (evse.drawCapA === undefined) this.learned.delete(evse.transactionId);
      else this.learned.set(evse.transactionId, evse.drawCapA);
    }
    return outcome;
  }

  /** Sends one profile; true when the station accepted it. Recorded in the store either way it answered. */
  private async sendProfile(evse: EvsePlan, profile: ChargingProfile, outcome: PushOutcome): Promise<boolean> {
    let result;
    try {
      result = await this.commands.sendNeutral(
        evse.stationId,
        { kind: 'SetChargingProfile', evseId: evse.evseId, profile, electrical: evse.electrical },
        SMART_CHARGING_ACTOR,
        this.config.commandTimeoutMs,
      );
    } catch (error) {
      outcome.failures.push({ stationId: evse.stationId, evseId: evse.evseId, purpose: profile.purpose, outcome: error instanceof Error ? error.message : String(error) });
      return false;
    }
    const answer = result.outcome;
    if (answer.status !== 'completed' || !answer.result) {
      outcome.failures.push({ stationId: evse.stationId, evseId: evse.evseId, purpose: profile.purpose, outcome: answer.status });
      return false;
    }
    const accepted = answer.result.status === 'Accepted';
    await this.store.chargingProfiles.put({
      stationId: evse.stationId,
      evseId: evse.evseId,
      profileId: profile.id,
      purpose: profile.purpose,
      stackLevel: profile.stackLevel,
      transactionId: profile.purpose === 'TxProfile' ? evse.transactionId : null,
      profile: (answer.result.sent ?? profile) as unknown as Record<string, unknown>,
      status: accepted ? 'Accepted' : 'Rejected',
      sentAt: new Date(this.config.now()).toISOString(),
    });
    if (!accepted) {
      this.refusing.add(evseNodeId(evse.stationId, evse.evseId));
      outcome.failures.push({ stationId: evse.stationId, evseId: evse.evseId, purpose: profile.purpose, outcome: `${answer.result.status}${answer.result.reason ? ` (${answer.result.reason})` : ''}` });
      return false;
    }
    this.installed.installed(evse.stationId, evse.evseId, profile);
    outcome.sent++;
    return true;
  }
}

/** The `smart-charging.plan` event: every EVSE's limit now and the needs that cannot be met. */
function planEventData(plan: SitePlan, pushed: PushOutcome): Record<string, unknown> {
  return {
    siteId: plan.siteId,
    at: plan.at,
    evses: plan.evses.map((e) => ({
      stationId: e.stationId, evseId: e.evseId, transactionId: e.transactionId, state: e.state, limit: e.limit, rateUnit: e.rateUnit,
      currentA: round(e.currentA), powerW: round(e.powerW), ...(e.pauseReason ? { pauseReason: e.pauseReason } : {}),
      ...(e.drawCapA !== undefined ? { drawCapA: round(e.drawCapA) } : {}),
    })),
    unmet: plan.unmet,
    windowsInForce: plan.windowsInForce,
    profilesSent: pushed.sent,
    failures: pushed.failures,
    heldBack: pushed.heldBack,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
