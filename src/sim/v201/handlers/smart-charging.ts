import type { Payload } from '../../../ocpp/rpc/frames.ts';
import type { ChargingRateUnit } from '../../charging-profiles.ts';
import type { InstalledProfile201, ProfileLimits } from '../charging-profile-book.ts';
import type { SimStation201 } from '../sim-station-201.ts';
import { statusInfo, type ChargingProfile201, type ChargingProfilePurpose201 } from '../types.ts';
import { handler, type CsmsRequestHandler } from './types.ts';

/** The SmartChargingCtrlr limits and the running transactions, for the SetChargingProfile checks. */
export function profileLimits(station: SimStation201): ProfileLimits {
  const model = station.deviceModel;
  return {
    evseCount: station.evseCount,
    maxStackLevel: model.int('SmartChargingCtrlr.ProfileStackLevel'),
    maxPeriods: model.int('SmartChargingCtrlr.PeriodsPerSchedule'),
    maxEntries: model.maxLimit('SmartChargingCtrlr.Entries[ChargingProfiles]'),
    rateUnits: model.list('SmartChargingCtrlr.RateUnit'),
    transactionOn: (evseId) => {
      const tx = station.evse(evseId)?.transaction;
      return tx?.started && tx.phase === 'charging' ? tx.transactionId : undefined;
    },
  };
}

/** K01: installs the profile if the station can follow it; the EV's power follows right after the answer. */
const setChargingProfile = handler<{ evseId: number; chargingProfile: ChargingProfile201 }>((station, { evseId, chargingProfile }, after) => {
  if (!station.deviceModel.bool('SmartChargingCtrlr.Enabled')) return { status: 'Rejected', statusInfo: statusInfo('NotEnabled') };
  const problem = station.profiles.problem(evseId, chargingProfile, profileLimits(station));
  if (problem) return { status: 'Rejected', statusInfo: statusInfo(problem) };
  station.profiles.install(evseId, chargingProfile, Date.now());
  after(() => station.applyLimits());
  return { status: 'Accepted' };
});

interface GetChargingProfilesRequest {
  requestId: number;
  evseId?: number;
  chargingProfile: {
    chargingProfilePurpose?: ChargingProfilePurpose201;
    stackLevel?: number;
    chargingProfileId?: number[];
    chargingLimitSource?: string[];
  };
}

/** K09: NoProfiles, or Accepted and then ReportChargingProfiles, one message per EVSE, tbc on all but the last. */
const getChargingProfiles = handler<GetChargingProfilesRequest>((station, { requestId, evseId, chargingProfile: criteria }, after) => {
  const found = station.profiles.find({
    evseId,
    purpose: criteria.chargingProfilePurpose,
    stackLevel: criteria.stackLevel,
    ids: criteria.chargingProfileId,
    sources: criteria.chargingLimitSource,
  });
  if (found.length === 0) return { status: 'NoProfiles' };
  const byEvse = new Map<number, InstalledProfile201[]>();
  for (const entry of found) byEvse.set(entry.evseId, [...(byEvse.get(entry.evseId) ?? []), entry]);
  after(() => {
    void (async () => {
      const groups = [...byEvse.entries()];
      for (const [index, [id, entries]] of groups.entries()) {
        const report: Payload = { requestId, chargingLimitSource: 'CSO', evseId: id, chargingProfile: entries.map((e) => e.profile) };
        if (index < groups.length - 1) report.tbc = true;
        await station.notify('ReportChargingProfiles', report);
      }
    })();
  });
  return { status: 'Accepted' };
});

interface ClearChargingProfileRequest {
  chargingProfileId?: number;
  chargingProfileCriteria?: { evseId?: number; chargingProfilePurpose?: ChargingProfilePurpose201; stackLevel?: number };
}

/** K10: by id, or by every criterion given (nothing given: all). Unknown when nothing matched. */
const clearChargingProfile = handler<ClearChargingProfileRequest>((station, { chargingProfileId, chargingProfileCriteria: criteria }, after) => {
  const removed = station.profiles.clear({
    id: chargingProfileId,
    evseId: criteria?.evseId,
    purpose: criteria?.chargingProfilePurpose,
    stackLevel: criteria?.stackLevel,
  });
  if (removed === 0) return { status: 'Unknown' };
  after(() => station.applyLimits());
  return { status: 'Accepted' };
});

/** K08: the expected limits from now for `duration` s (EVSE 0: the whole station's draw from the grid). */
const getCompositeSchedule = handler<{ duration: number; chargingRateUnit?: ChargingRateUnit; evseId: number }>((station, { duration, chargingRateUnit, evseId }) => {
  if (evseId < 0 || evseId > station.evseCount) return { status: 'Rejected', statusInfo: statusInfo('UnknownEVSE') };
  if (duration <= 0) return { status: 'Rejected', statusInfo: statusInfo('InvalidDuration') };
  const units = station.deviceModel.list('SmartChargingCtrlr.RateUnit');
  const unit = chargingRateUnit ?? (units[0] as ChargingRateUnit | undefined) ?? 'W';
  if (!units.includes(unit)) return { status: 'Rejected', statusInfo: statusInfo('UnsupportedRateUnit') };
  const now = Date.now();
  const tx = station.evse(evseId)?.transaction;
  const txStartMs = tx?.started && tx.phase === 'charging' ? tx.startedAtMs : undefined;
  const { power } = station;
  const chargingSchedulePeriod = station.profiles.composite(evseId, now, duration, unit, txStartMs, power.physicalMaxW(evseId), power.supply);
  return {
    status: 'Accepted',
    schedule: { evseId, duration, scheduleStart: new Date(now).toISOString(), chargingRateUnit: unit, chargingSchedulePeriod },
  };
});

/** K SmartCharging. */
export const SMART_CHARGING_HANDLERS: Record<string, CsmsRequestHandler> = {
  SetChargingProfile: setChargingProfile,
  GetChargingProfiles: getChargingProfiles,
  ClearChargingProfile: clearChargingProfile,
  GetCompositeSchedule: getCompositeSchedule,
};
