/**
 * What Joule believes each managed EVSE has installed of its own profiles (its TxDefaultProfile and the TxProfile of
 * the running transaction), so that a re-plan sends only what changed. Kept in memory by the node that plans the
 * site, loaded from the store when it starts planning a site (the store records every profile sent), and forgotten
 * for a station that (re)connects or boots: its state is then unknown and everything is sent again.
 */
import type { InstalledChargingProfileRecord, Store } from '../../store/ports.ts';
import type { ChargingProfile } from './charging-profile.ts';
import { TX_DEFAULT_PROFILE_ID_BASE, TX_PROFILE_ID_BASE } from './site-plan.ts';

export interface EvseProfiles {
  txDefault?: ChargingProfile;
  txProfile?: ChargingProfile;
}

function key(stationId: string, evseId: number): string {
  return `${stationId}\u0000${evseId}`;
}

export class InstalledState {
  private readonly store: Store;
  private readonly byEvse = new Map<string, EvseProfiles>();
  private readonly loaded = new Set<string>();

  constructor(store: Store) {
    this.store = store;
  }

  get(stationId: string, evseId: number): EvseProfiles {
    let entry = this.byEvse.get(key(stationId, evseId));
    if (!entry) {
      entry = {};
      this.byEvse.set(key(stationId, evseId), entry);
    }
    return entry;
  }

  /** Reads what the store says was accepted, for stations not loaded yet (or all of them when `reload`). */
  async load(stationIds: Iterable<string>, reload = false): Promise<void> {
    const wanted = [...new Set(stationIds)].filter((id) => reload || !this.loaded.has(id));
    const records = await Promise.all(wanted.map((id) => this.store.chargingProfiles.forStation(id)));
    wanted.forEach((stationId, i) => {
      for (const [k] of this.byEvse) if (k.startsWith(`${stationId}\u0000`)) this.byEvse.delete(k);
      for (const record of records[i]!) this.remember(record);
      this.loaded.add(stationId);
    });
  }

  /** The station's state is unknown from now on (it reconnected or booted). */
  forgetStation(stationId: string): void {
    for (const [k] of this.byEvse) if (k.startsWith(`${stationId}\u0000`)) this.byEvse.delete(k);
    // Loaded (as empty): nothing known, so everything is sent again rather than read back from the store.
    this.loaded.add(stationId);
  }

  /** Joule's profiles were cleared from the EVSE. */
  forgetEvse(stationId: string, evseId: number): void {
    this.byEvse.delete(key(stationId, evseId));
  }

  /** The transaction ended: the station dropped its TxProfile (1.6 §3.13.4, K01.FR.05). */
  transactionEnded(stationId: string, evseId: number): void {
    const entry = this.byEvse.get(key(stationId, evseId));
    if (entry) delete entry.txProfile;
  }

  installed(stationId: string, evseId: number, profile: ChargingProfile): void {
    const entry = this.get(stationId, evseId);
    if (profile.purpose === 'TxProfile') entry.txProfile = profile;
    else if (profile.purpose === 'TxDefaultProfile') entry.txDefault = profile;
  }

  private remember(record: InstalledChargingProfileRecord): void {
    if (record.status !== 'Accepted') return;
    const isOwn = record.profileId === TX_DEFAULT_PROFILE_ID_BASE + record.evseId || record.profileId === TX_PROFILE_ID_BASE + record.evseId;
    if (!isOwn) return;
    this.installed(record.stationId, record.evseId, record.profile as unknown as ChargingProfile);
  }
}
