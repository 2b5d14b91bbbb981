import {
  ChargingProfileStore,
  type ActiveLimits,
  type ChargingProfile,
  type ChargingSchedulePeriod,
  type Electrical,
} from '../charging-profiles.ts';
import type { ChargingProfile201, ChargingProfilePurpose201 } from './types.ts';

/** A profile the CSMS installed, on an EVSE (0 = the whole station). */
export interface InstalledProfile201 {
  evseId: number;
  profile: ChargingProfile201;
}

/** The station's limits for SetChargingProfile (SmartChargingCtrlr variables). */
export interface ProfileLimits {
  evseCount: number;
  maxStackLevel: number;
  maxPeriods: number;
  maxEntries: number;
  rateUnits: readonly string[];
  /** The running transaction's id on an EVSE, if any. */
  transactionOn: (evseId: number) => string | undefined;
}

/** ClearChargingProfile: `id` alone decides when present, otherwise every given criterion must match. */
export interface ClearCriteria201 {
  id?: number;
  evseId?: number;
  purpose?: ChargingProfilePurpose201;
  stackLevel?: number;
}

/** GetChargingProfiles criteria. */
export interface ProfileQuery {
  evseId?: number;
  purpose?: ChargingProfilePurpose201;
  stackLevel?: number;
  ids?: readonly number[];
  sources?: readonly string[];
}

/** The 1.6-shaped profile the shared limit and composite-schedule code works on (one schedule, 2.0.1 has 1..3). */
function asStoreProfile(p: ChargingProfile201): ChargingProfile {
  const schedule = p.chargingSchedule[0];
  const purpose = p.chargingProfilePurpose === 'ChargingStationMaxProfile' ? 'ChargePointMaxProfile' : p.chargingProfilePurpose;
  return {
    chargingProfileId: p.id,
    stackLevel: p.stackLevel,
    chargingProfilePurpose: purpose === 'ChargingStationExternalConstraints' ? 'ChargePointMaxProfile' : purpose,
    chargingProfileKind: p.chargingProfileKind,
    recurrencyKind: p.recurrencyKind,
    validFrom: p.validFrom,
    validTo: p.validTo,
    chargingSchedule: {
      duration: schedule?.duration,
      startSchedule: schedule?.startSchedule,
      chargingRateUnit: schedule?.chargingRateUnit ?? 'W',
      chargingSchedulePeriod: (schedule?.chargingSchedulePeriod ?? []).map((period) =>
        period.numberPhases === undefined ? { startPeriod: period.startPeriod, limit: period.limit } : { startPeriod: period.startPeriod, limit: period.limit, numberPhases: period.numberPhases },
      ),
    },
  };
}

/** The schedule checks of K01 (first period at 0, ascending, start rules by kind); a reasonCode when broken. */
function scheduleProblem(profile: ChargingProfile201, limits: ProfileLimits): string | undefined {
  if (profile.chargingSchedule.length !== 1) return 'InvalidSchedule'; // more than one needs ISO 15118 (K01.FR.34)
  const schedule = profile.chargingSchedule[0];
  if (!schedule) return 'InvalidSchedule';
  if (!limits.rateUnits.includes(schedule.chargingRateUnit)) return 'UnsupportedRateUnit';
  const periods = schedule.chargingSchedulePeriod;
  if (periods.length > limits.maxPeriods || periods[0]?.startPeriod !== 0) return 'InvalidSchedule';
  for (let i = 1; i < periods.length; i++) {
    if ((periods[i]?.startPeriod ?? 0) <= (periods[i - 1]?.startPeriod ?? 0)) return 'InvalidSchedule';
  }
  if (periods.some((p) => p.phaseToUse !== undefined && p.numberPhases !== 1)) return 'InvalidSchedule';
  const relative = profile.chargingProfileKind === 'Relative';
  if (relative === (schedule.startSchedule !== undefined)) return 'InvalidSchedule'; // K01.FR.40/41
  return undefined;
}

/**
 * The charging profiles of a 2.0.1 station: the 2.0.1 profiles as installed (for GetChargingProfiles) and the
 * shared `ChargingProfileStore` that computes the limits and the composite schedule from them.
 */
export class ChargingProfileBook {
  private readonly store = new ChargingProfileStore();
  private readonly installed = new Map<number, InstalledProfile201>();

  get size(): number {
    return this.installed.size;
  }

  /** The SetChargingProfile checks (ocpp-reference §5.3-5.8); a reasonCode when the profile is refused. */
  problem(evseId: number, profile: ChargingProfile201, limits: ProfileLimits): string | undefined {
    if (evseId < 0 || evseId > limits.evseCount) return 'UnknownEVSE';
    const purpose = profile.chargingProfilePurpose;
    if (purpose === 'ChargingStationExternalConstraints') return 'InvalidProfile'; // K01.FR.22: not the CSMS's
    if (purpose === 'ChargingStationMaxProfile' && (evseId !== 0 || profile.chargingProfileKind === 'Relative')) return 'InvalidProfile';
    if ((profile.chargingProfileKind === 'Recurring') !== (profile.recurrencyKind !== undefined)) return 'InvalidProfile';
    if (profile.stackLevel < 0 || profile.stackLevel > limits.maxStackLevel) return 'InvalidStackLevel';
    if (purpose === 'TxProfile') {
      if (evseId === 0) return 'InvalidProfile';
      const running = limits.transactionOn(evseId);
      if (running === undefined || profile.transactionId !== running) return 'TxNotFound'; // K01.FR.03/09/33
    }
    const scheduleIssue = scheduleProblem(profile, limits);
    if (scheduleIssue) return scheduleIssue;
    for (const other of this.installed.values()) {
      if (other.profile.id === profile.id) continue;
      const samePlace = other.evseId === evseId || (purpose === 'TxDefaultProfile' && (other.evseId === 0 || evseId === 0));
      const sameTx = purpose !== 'TxProfile' || other.profile.transactionId === profile.transactionId;
      if (samePlace && sameTx && other.profile.chargingProfilePurpose === purpose && other.profile.stackLevel === profile.stackLevel) {
        return 'DuplicateProfile'; // K01.FR.06/39/52/53
      }
    }
    if (!this.installed.has(profile.id) && this.installed.size >= limits.maxEntries) return 'NoCapacity';
    return undefined;
  }

  /** Installs an accepted profile, replacing one with the same id (K01.FR.05). */
  install(evseId: number, profile: ChargingProfile201, nowMs: number): void {
    this.installed.set(profile.id, { evseId, profile });
    this.store.install(evseId, asStoreProfile(profile), nowMs);
  }

  /** ClearChargingProfile; returns how many were removed. */
  clear(criteria: ClearCriteria201): number {
    const doomed = [...this.installed.values()].filter(({ evseId, profile }) => {
      if (criteria.id !== undefined) return profile.id === criteria.id;
      return (
        (criteria.evseId === undefined || evseId === criteria.evseId) &&
        (criteria.purpose === undefined || profile.chargingProfilePurpose === criteria.purpose) &&
        (criteria.stackLevel === undefined || profile.stackLevel === criteria.stackLevel)
      );
    });
    for (const { profile } of doomed) {
      this.installed.delete(profile.id);
      this.store.clear({ id: profile.id });
    }
    return doomed.length;
  }

  /** A transaction ended: its TxProfiles go with it. */
  clearTransaction(transactionId: string): void {
    for (const { profile } of [...this.installed.values()]) {
      if (profile.chargingProfilePurpose === 'TxProfile' && profile.transactionId === transactionId) this.clear({ id: profile.id });
    }
  }

  /** GetChargingProfiles: every criterion given must match; the CSMS set them all, so their source is CSO. */
  find(query: ProfileQuery): InstalledProfile201[] {
    if (query.sources !== undefined && !query.sources.includes('CSO')) return [];
    return [...this.installed.values()].filter(
      ({ evseId, profile }) =>
        (query.evseId === undefined || evseId === query.evseId) &&
        (query.purpose === undefined || profile.chargingProfilePurpose === query.purpose) &&
        (query.stackLevel === undefined || profile.stackLevel === query.stackLevel) &&
        (query.ids === undefined || query.ids.includes(profile.id)),
    );
  }

  limitsAt(evseId: number, atMs: number, txStartMs: number, supply: Electrical): ActiveLimits {
    const limits = this.store.limitsAt(evseId, atMs, txStartMs, supply);
    const dischargeW = evseId > 0 ? this.dischargeAt(evseId, atMs, txStartMs, supply) : 0;
    return dischargeW > 0 ? { ...limits, dischargeW } : limits;
  }

  /**
   * V2G (2.1): the power the EVSE's TxProfile asks the EV to give back now: a negative setpoint (within its
   * dischargeLimit) of the highest stack level's period in force; 0 when it asks for none.
   */
  private dischargeAt(evseId: number, atMs: number, txStartMs: number, supply: Electrical): number {
    let best: ChargingProfile201 | undefined;
    for (const entry of this.installed.values()) {
      const p = entry.profile;
      if (entry.evseId === evseId && p.chargingProfilePurpose === 'TxProfile' && (best === undefined || p.stackLevel > best.stackLevel)) best = p;
    }
    const schedule = best?.chargingSchedule[0];
    if (!best || !schedule) return 0;
    const start = best.chargingProfileKind === 'Relative' || schedule.startSchedule === undefined ? txStartMs : Date.parse(schedule.startSchedule);
    const offsetS = (atMs - start) / 1000;
    if (offsetS < 0 || (schedule.duration !== undefined && offsetS >= schedule.duration)) return 0;
    let period: (typeof schedule.chargingSchedulePeriod)[number] | undefined;
    for (const p of schedule.chargingSchedulePeriod) {
      if (p.startPeriod > offsetS) break;
      period = p;
    }
    if (period?.setpoint === undefined || period.setpoint >= 0) return 0;
    const asked = Math.max(period.setpoint, period.dischargeLimit ?? period.setpoint);
    const phases = Math.min(period.numberPhases ?? supply.phases, supply.phases);
    return schedule.chargingRateUnit === 'W' ? -asked : -asked * supply.voltageV * phases;
  }

  /** GetCompositeSchedule for an EVSE (0: the whole station), as `ChargingProfileStore.composite` computes it. */
  composite(...query: Parameters<ChargingProfileStore['composite']>): ChargingSchedulePeriod[] {
    return this.store.composite(...query);
  }
}
