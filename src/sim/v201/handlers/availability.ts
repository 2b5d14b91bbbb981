import { applyAvailability } from '../../outlet.ts';
import type { Evse201 } from '../evse.ts';
import { statusInfo } from '../types.ts';
import { handler, type CsmsRequestHandler } from './types.ts';

/**
 * G03/G04: the whole station (no EVSE, or EVSE 0) or one EVSE becomes Operative or Inoperative; an EVSE with a
 * transaction changes when it ends (Scheduled). A reservation on an EVSE taken out of service is removed.
 */
const changeAvailability = handler<{ evse?: { id: number; connectorId?: number }; operationalStatus: 'Operative' | 'Inoperative' }>(
  (station, { evse, operationalStatus }, after) => {
    const operative = operationalStatus === 'Operative';
    const wholeStation = evse === undefined || evse.id === 0;
    let targets: readonly Evse201[] = station.evses;
    if (!wholeStation) {
      const target = station.evse(evse.id);
      if (!target || (evse.connectorId !== undefined && evse.connectorId !== 1)) return { status: 'Rejected', statusInfo: statusInfo('UnknownEVSE') };
      targets = [target];
    }
    let scheduled = false;
    for (const target of targets) {
      if (applyAvailability(target, operative, target.transaction !== undefined)) {
        scheduled = true;
        continue;
      }
      if (!operative && target.reservation) after(() => station.removeReservation(target));
    }
    if (wholeStation) station.operative = operative;
    after(() => station.refreshAllStatuses());
    return { status: scheduled ? 'Scheduled' : 'Accepted' };
  },
);

/** G Availability. */
export const AVAILABILITY_HANDLERS: Record<string, CsmsRequestHandler> = {
  ChangeAvailability: changeAvailability,
};
