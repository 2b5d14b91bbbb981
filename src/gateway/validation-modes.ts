import type { Domain } from '../domain/domain.ts';
import type { StationIdentity } from '../domain/stations/validation-policy.ts';
import type { ValidationMode } from '../store/ports.ts';

/** Where a station session learns how strictly to validate, when what it knew has changed. */
export interface ValidationModes {
  /**
   * Reads the station: its own setting (null: none) and the mode that applies to it (its own setting, else the vendor
   * rule matching its last boot, else the server default).
   */
  forStation(stationId: string): Promise<{ own: ValidationMode | null; mode: ValidationMode }>;
  /**
   * For a BootNotification, without reading the station: its own setting `own`, else the vendor rule for the make
   * this boot names, else the server default.
   */
  forBoot(own: ValidationMode | null, identity: StationIdentity | undefined): Promise<ValidationMode>;
}

export function validationModes(domain: Domain): ValidationModes {
  return {
    async forStation(stationId) {
      const station = await domain.stations.get(stationId);
      return { own: station?.validationMode ?? null, mode: await domain.validation.modeFor(station) };
    },
    async forBoot(own, identity) {
      if (own) return own;
      return identity ? domain.validation.modeForIdentity(identity) : domain.validation.modeFor(undefined);
    },
  };
}
