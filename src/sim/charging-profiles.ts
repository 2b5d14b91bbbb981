/** OCPP 1.6 smart charging on the station side: the installed profiles, the active limit, the composite schedule. */

export type ChargingRateUnit = 'A' | 'W';
export type ChargingProfilePurpose = 'ChargePointMaxProfile' | 'TxDefaultProfile' | 'TxProfile';

export interface ChargingSchedulePeriod {
  startPeriod: number;
  limit: number;
  numberPhases?: number;
}

export interface ChargingSchedule {
  duration?: number;
  startSchedule?: string;
  chargingRateUnit: ChargingRateUnit;
  chargingSchedulePeriod: ChargingSchedulePeriod[];
  minChargingRate?: number;
}

export interface ChargingProfile {
  chargingProfileId: number;
  transactionId?: number;
  stackLevel: number;
  chargingProfilePurpose: ChargingProfilePurpose;
  chargingProfileKind: 'Absolute' | 'Recurring' | 'Relative';
  recurrencyKind?: 'Daily' | 'Weekly';
  validFrom?: string;
  validTo?: string;
  chargingSchedule: ChargingSchedule;
}

/** ClearChargingProfile.req: `id` alone decides when present, otherwise every given field must match. */
export interface ClearCriteria {
  id?: number;
  connectorId?: number;
  chargingProfilePurpose?: ChargingProfilePurpose;
  stackLevel?: number;
}

/** Supply used to convert between A (per phase) and W. */
export interface Electrical {
  voltageV: number;
  phases: number;
}

/** The limits in force at one instant: the transaction's (Tx or TxDefault) and the whole station's (Max). */
export interface ActiveLimits {
  txW?: number;
  stationMaxW?: number;
  /** V2G (2.1): the TxProfile's period asks the EV to give back this much (a negative setpoint), W. */
  dischargeW?: number;
}

interface InstalledProfile {
  connectorId: number;
  profile: ChargingProfile;
  receivedAtMs: number;
  validFromMs: number;
  validToMs: number;
}

const DAY_MS = 86_400_000;
/** Bounds the work for a recurring profile over a long composite-schedule window. */
const MAX_OCCURRENCES = 400;

export function toWatts(limit: number, unit: ChargingRateUnit, numberPhases: number | undefined, supply: Electrical): number {
  return unit === 'W' ? limit : limit * supply.voltageV * (numberPhases ?? supply.phases);
}

export function fromWatts(watts: number, unit: ChargingRateUnit, supply: Electrical): number {
  return unit === 'W' ? watts : watts / (supply.voltageV * supply.phases);
}

/** Limits are `multipleOf 0.1` in the schema. */
function roundLimit(value: number): number {
  return Math.round(value * 10) / 10;
}

function recurrenceMs(profile: ChargingProfile): number {
  return profile.recurrencyKind === 'Weekly' ? 7 * DAY_MS : DAY_MS;
}

/** When the schedule of `p` (the occurrence in force at `atMs`, for Recurring) starts. */
function scheduleStartMs(p: InstalledProfile, atMs: number, txStartMs: number): number {
  const { chargingProfileKind: kind, chargingProfilePurpose: purpose, chargingSchedule } = p.profile;
  const explicit = chargingSchedule.startSchedule === undefined ? undefined : Date.parse(chargingSchedule.startSchedule);
  if (kind === 'Relative') return txStartMs;
  const base = explicit ?? (purpose === 'TxProfile' ? txStartMs : p.receivedAtMs);
  if (kind === 'Absolute' || atMs < base) return base;
  const length = recurrenceMs(p.profile);
  return base + Math.floor((atMs - base) / length) * length;
}

/** The period of `p` in force at `atMs`, if any (outside validity, before the start or after the duration: none). */
function periodAt(p: InstalledProfile, atMs: number, txStartMs: number): ChargingSchedulePeriod | undefined {
  if (atMs < p.validFromMs || atMs >= p.validToMs) return undefined;
  const start = scheduleStartMs(p, atMs, txStartMs);
  if (atMs < start) return undefined;
  const offsetS = (atMs - start) / 1000;
  const schedule = p.profile.chargingSchedule;
  if (schedule.duration !== undefined && offsetS >= schedule.duration) return undefined;
  let found: ChargingSchedulePeriod | undefined;
  for (const period of schedule.chargingSchedulePeriod) {
    if (period.startPeriod > offsetS) break;
    found = period;
  }
  return found;
}

/** The limit in W of the highest stack level among `candidates` that has a period at `atMs`. */
function leadingWatts(candidates: InstalledProfile[], atMs: number, txStartMs: number, supply: Electrical): number | undefined {
  let bestLevel = -1;
  let watts: number | undefined;
  for (const c of candidates) {
    if (c.profile.stackLevel <= bestLevel) continue;
    const period = periodAt(c, atMs, txStartMs);
    if (!period) continue;
    bestLevel = c.profile.stackLevel;
    watts = toWatts(period.limit, c.profile.chargingSchedule.chargingRateUnit, period.numberPhases, supply);
  }
  return watts;
}

/** Adds the instants where `p` may change the limit within [startMs, endMs) to `points`. */
function addBreakpoints(p: InstalledProfile, startMs: number, endMs: number, txStartMs: number, points: Set<number>): void {
  points.add(p.validFromMs);
  points.add(p.validToMs);
  const schedule = p.profile.chargingSchedule;
  const starts: number[] = [];
  if (p.profile.chargingProfileKind === 'Recurring') {
    const first = scheduleStartMs(p, startMs, txStartMs);
    const length = recurrenceMs(p.profile);
    for (let k = 0, s = first; s < endMs && k < MAX_OCCURRENCES; k++, s += length) starts.push(s);
  } else {
    starts.push(scheduleStartMs(p, startMs, txStartMs));
  }
  for (const s of starts) {
    for (const period of schedule.chargingSchedulePeriod) points.add(s + period.startPeriod * 1000);
    if (schedule.duration !== undefined) points.add(s + schedule.duration * 1000);
  }
}

/** The charging profiles installed on one station, per connector (0 = the whole station). */
export class ChargingProfileStore {
  private profiles: InstalledProfile[] = [];

  get size(): number {
    return this.profiles.length;
  }

  /** True when installing `profile` on `connectorId` would replace an installed one (same id, or same stack level and purpose there). */
  replacesExisting(connectorId: number, profile: ChargingProfile): boolean {
    return this.profiles.some((p) => this.isReplacedBy(p, connectorId, profile));
  }

  /** SetChargingProfile (already validated): replaces a profile with the same id, or the same stack level and purpose on the connector. */
  install(connectorId: number, profile: ChargingProfile, nowMs: number): void {
    this.profiles = this.profiles.filter((p) => !this.isReplacedBy(p, connectorId, profile));
    this.profiles.push({
      connectorId,
      profile,
      receivedAtMs: nowMs,
      validFromMs: profile.validFrom === undefined ? -Infinity : Date.parse(profile.validFrom),
      validToMs: profile.validTo === undefined ? Infinity : Date.parse(profile.validTo),
    });
  }

  /** ClearChargingProfile; returns how many profiles were removed. */
  clear(criteria: ClearCriteria): number {
    const before = this.profiles.length;
    this.profiles = this.profiles.filter((p) => {
      if (criteria.id !== undefined) return p.profile.chargingProfileId !== criteria.id;
      const matches =
        (criteria.connectorId === undefined || p.connectorId === criteria.connectorId) &&
        (criteria.chargingProfilePurpose === undefined || p.profile.chargingProfilePurpose === criteria.chargingProfilePurpose) &&
        (criteria.stackLevel === undefined || p.profile.stackLevel === criteria.stackLevel);
      return !matches;
    });
    return before - this.profiles.length;
  }

  /** A transaction ended: its TxProfiles go with it. */
  clearTransactionProfiles(connectorId: number): void {
    this.clear({ connectorId, chargingProfilePurpose: 'TxProfile' });
  }

  /**
   * The limits at `atMs` for `connectorId`: TxProfile overrules TxDefaultProfile (a connector's own TxDefault
   * before the station-wide one), the highest stack level with a period at that instant wins per purpose.
   */
  limitsAt(connectorId: number, atMs: number, txStartMs: number, supply: Electrical): ActiveLimits {
    if (this.profiles.length === 0) return {};
    const limits: ActiveLimits = {};
    const stationMaxW = leadingWatts(this.select(0, 'ChargePointMaxProfile'), atMs, txStartMs, supply);
    if (stationMaxW !== undefined) limits.stationMaxW = stationMaxW;
    if (connectorId > 0) {
      const txW =
        leadingWatts(this.select(connectorId, 'TxProfile'), atMs, txStartMs, supply) ??
        leadingWatts(this.select(connectorId, 'TxDefaultProfile'), atMs, txStartMs, supply) ??
        leadingWatts(this.select(0, 'TxDefaultProfile'), atMs, txStartMs, supply);
      if (txW !== undefined) limits.txW = txW;
    }
    return limits;
  }

  /**
   * GetCompositeSchedule: the minimum over purposes of the leading limits, capped at `physicalMaxW`, for
   * [startMs, startMs + durationS). Without a running transaction (`txStartMs` undefined) it is computed as if one
   * started at `startMs`. One period per change of the limit.
   */
  composite(
    connectorId: number,
    startMs: number,
    durationS: number,
    unit: ChargingRateUnit,
    txStartMs: number | undefined,
    physicalMaxW: number,
    supply: Electrical,
  ): ChargingSchedulePeriod[] {
    const endMs = startMs + durationS * 1000;
    const txStart = txStartMs ?? startMs;
    const points = new Set<number>([startMs]);
    for (const p of this.profiles) {
      if (p.connectorId === 0 || p.connectorId === connectorId) addBreakpoints(p, startMs, endMs, txStart, points);
    }
    const instants = [...points].filter((t) => t >= startMs && t < endMs).sort((a, b) => a - b);
    const periods: ChargingSchedulePeriod[] = [];
    for (const t of instants) {
      const limits = this.limitsAt(connectorId, t, txStart, supply);
      const watts = Math.min(physicalMaxW, limits.txW ?? Infinity, limits.stationMaxW ?? Infinity);
      const period = { startPeriod: Math.round((t - startMs) / 1000), limit: roundLimit(fromWatts(watts, unit, supply)) };
      const last = periods[periods.length - 1];
      if (last && last.startPeriod === period.startPeriod) periods.pop();
      const previous = periods[periods.length - 1];
      if (!previous || previous.limit !== period.limit) periods.push(period);
    }
    return periods;
  }

  private select(connectorId: number, purpose: ChargingProfilePurpose): InstalledProfile[] {
    return this.profiles.filter((p) => p.connectorId === connectorId && p.profile.chargingProfilePurpose === purpose);
  }

  private isReplacedBy(p: InstalledProfile, connectorId: number, profile: ChargingProfile): boolean {
    return (
      p.profile.chargingProfileId === profile.chargingProfileId ||
      (p.connectorId === connectorId &&
        p.profile.stackLevel === profile.stackLevel &&
        p.profile.chargingProfilePurpose === profile.chargingProfilePurpose)
    );
  }
}
