/**
 * The charging profiles installed on one station, as the station keeps them: install with the spec's replacement
 * rules, clear, drop a transaction's TxProfiles when it ends. Pure data; persistence and messages are elsewhere.
 */
import type { ChargingProfile, ChargingProfilePurpose, EvseChargingProfile } from './charging-profile.ts';
import { parseIsoTime } from './time.ts';

/**
 * When a profile with another id but the same stackLevel, purpose and EVSE is installed:
 * - `always`: it replaces the installed one (1.6 §3.13.2, §5.16.3/4);
 * - `whenValidityOverlaps`: it replaces it only when their validity periods overlap. 2.x stations replace by id only
 *   (K01.FR.05) and the CSMS must not send an overlapping one (K01.FR.06), so overlapping ones never reach a 2.x
 *   station from Joule; profiles with disjoint validity coexist.
 * The edges export the value for their version (OCPP16_STACK_LEVEL_REPLACEMENT, OCPP2_STACK_LEVEL_REPLACEMENT).
 */
export type StackLevelReplacement = 'always' | 'whenValidityOverlaps';

export interface ClearCriteria {
  id?: number;
  evseId?: number;
  purpose?: ChargingProfilePurpose;
  stackLevel?: number;
}

export type InstallResult =
  | { installed: true; replaced: EvseChargingProfile[] }
  | { installed: false; reason: string };

/** [validFrom, validTo) in epoch ms; absent bounds are open (K01.FR.10). */
export function validityOf(profile: ChargingProfile): { from: number; to: number } {
  return {
    from: parseIsoTime(profile.validFrom) ?? -Infinity,
    to: parseIsoTime(profile.validTo) ?? Infinity,
  };
}

export function validityOverlaps(a: ChargingProfile, b: ChargingProfile): boolean {
  const va = validityOf(a);
  const vb = validityOf(b);
  return va.from < vb.to && vb.from < va.to;
}

/**
 * True when `candidate` (for `evseId`) occupies the same stack slot as `installed`: same purpose and stackLevel on the
 * same EVSE; for TxProfiles, the same transaction (1.6 §5.16.2 / K01.FR.39). A TxProfile without a transactionId
 * (1.6 allows it) belongs to whatever transaction runs on its EVSE, so it shares the slot of any TxProfile there.
 */
export function sameStackSlot(installed: EvseChargingProfile, evseId: number, candidate: ChargingProfile): boolean {
  const p = installed.profile;
  if (p.purpose !== candidate.purpose || p.stackLevel !== candidate.stackLevel || installed.evseId !== evseId) return false;
  if (candidate.purpose !== 'TxProfile') return true;
  return p.transactionId === undefined || candidate.transactionId === undefined || p.transactionId === candidate.transactionId;
}

/** The installed profiles that installing `profile` on `evseId` would remove. */
export function profilesReplacedBy(
  installed: Iterable<EvseChargingProfile>,
  evseId: number,
  profile: ChargingProfile,
  rule: StackLevelReplacement,
): EvseChargingProfile[] {
  const replaced: EvseChargingProfile[] = [];
  for (const entry of installed) {
    if (entry.profile.id === profile.id) {
      replaced.push(entry); // K01.FR.05, 1.6 §5.16.3: same id replaces, on whichever EVSE it was.
    } else if (sameStackSlot(entry, evseId, profile) && (rule === 'always' || validityOverlaps(entry.profile, profile))) {
      replaced.push(entry);
    }
  }
  return replaced;
}

export class InstalledChargingProfiles {
  private readonly byId = new Map<number, EvseChargingProfile>();
  private readonly rule: StackLevelReplacement;

  /** Profiles are kept as given: treat them as immutable once installed. */
  constructor(initial: Iterable<EvseChargingProfile> = [], options: { stackLevelReplacement?: StackLevelReplacement } = {}) {
    this.rule = options.stackLevelReplacement ?? 'whenValidityOverlaps';
    for (const entry of initial) this.install(entry.evseId, entry.profile);
  }

  get size(): number {
    return this.byId.size;
  }

  get stackLevelReplacement(): StackLevelReplacement {
    return this.rule;
  }

  /**
   * Installs a profile, removing those it replaces (same id; same stack slot per the replacement rule). A profile
   * whose id belongs to an installed ChargingStationExternalConstraints profile is refused: those cannot be replaced
   * (K01.FR.05).
   */
  install(evseId: number, profile: ChargingProfile): InstallResult {
    const existing = this.byId.get(profile.id);
    if (existing?.profile.purpose === 'ChargingStationExternalConstraints' && profile.purpose !== 'ChargingStationExternalConstraints') {
      return { installed: false, reason: `profile ${profile.id} is an external constraint and cannot be replaced (K01.FR.05)` };
    }
    const replaced = profilesReplacedBy(this.byId.values(), evseId, profile, this.rule);
    for (const entry of replaced) this.byId.delete(entry.profile.id);
    this.byId.set(profile.id, { evseId, profile });
    return { installed: true, replaced };
  }

  /**
   * Clears the profiles matching every given field (logical AND, [S16E] 3.25/3.26, K10.FR.04); no fields clears all.
   * ChargingStationExternalConstraints profiles are never cleared (K10.FR.04/06/08/09). Returns what was removed.
   */
  clear(criteria: ClearCriteria = {}): EvseChargingProfile[] {
    const removed: EvseChargingProfile[] = [];
    for (const entry of this.byId.values()) {
      const p = entry.profile;
      if (p.purpose === 'ChargingStationExternalConstraints') continue;
      if (criteria.id !== undefined && p.id !== criteria.id) continue;
      if (criteria.evseId !== undefined && entry.evseId !== criteria.evseId) continue;
      if (criteria.purpose !== undefined && p.purpose !== criteria.purpose) continue;
      if (criteria.stackLevel !== undefined && p.stackLevel !== criteria.stackLevel) continue;
      removed.push(entry);
    }
    for (const entry of removed) this.byId.delete(entry.profile.id);
    return removed;
  }

  /**
   * A transaction ended: its TxProfiles cease to be valid (1.6 §3.13.1, [S16E] 3.67, 2.x §3.2). A TxProfile without a
   * transactionId (1.6) belongs to the transaction on its EVSE, so pass `evseId` to remove those too.
   */
  endTransaction(transactionId: string, evseId?: number): EvseChargingProfile[] {
    const removed: EvseChargingProfile[] = [];
    for (const entry of this.byId.values()) {
      const p = entry.profile;
      if (p.purpose !== 'TxProfile') continue;
      if (p.transactionId === transactionId || (p.transactionId === undefined && evseId !== undefined && entry.evseId === evseId)) {
        removed.push(entry);
      }
    }
    for (const entry of removed) this.byId.delete(entry.profile.id);
    return removed;
  }

  get(id: number): EvseChargingProfile | undefined {
    return this.byId.get(id);
  }

  /** What is installed, ordered by EVSE, purpose, stackLevel and id (a stable order for reports and tests). */
  list(filter: { evseId?: number; purpose?: ChargingProfilePurpose } = {}): EvseChargingProfile[] {
    const out: EvseChargingProfile[] = [];
    for (const entry of this.byId.values()) {
      if (filter.evseId !== undefined && entry.evseId !== filter.evseId) continue;
      if (filter.purpose !== undefined && entry.profile.purpose !== filter.purpose) continue;
      out.push(entry);
    }
    return out.sort(
      (a, b) =>
        a.evseId - b.evseId ||
        a.profile.purpose.localeCompare(b.profile.purpose) ||
        a.profile.stackLevel - b.profile.stackLevel ||
        a.profile.id - b.profile.id,
    );
  }
}
