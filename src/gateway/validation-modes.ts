import type { Domain } from '../domain/domain.ts';
import type { StationIdentity } from '../domain/stations/validation-policy.ts';
import type { ValidationMode } from '../store/ports.ts';

/** Where a station session learns how strictly to validate: asked only when a message fails the schema. */
export interface ValidationModes {
  /** The station's own setting, else the vendor rule matching its last boot, else the server default. */
  forStation(stationId: string): Promise<ValidationMode>;
  /** For a BootNotification: the station's own setting, else the vendor rule for the make this boot names. */
  forBoot(stationId: string, identity: StationIdentity | undefined): Promise<ValidationMode>;
}

export function validationModes(domain: Domain): ValidationModes {
  return {
    async forStation(stationId) {
      return domain.validation.modeFor(await domain.stations.get(stationId));
    },
    async forBoot(stationId, identity) {
      const own = await domain.validation.stationMode(stationId);
      if (own) return own;
      return identity ? domain.validation.modeForIdentity(identity) : domain.validation.modeFor(undefined);
    },
  };
}
