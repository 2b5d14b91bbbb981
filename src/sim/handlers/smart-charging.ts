import type { ChargingProfile, ChargingRateUnit, ClearCriteria } from '../charging-profiles.ts';
import type { ConfigStore } from '../config-store.ts';
import type { SimStation } from '../sim-station.ts';
import { handler, type CsHandler } from './types.ts';

/** ChargingScheduleAllowedChargingRateUnit (`Current,Power`) as rate units. */
function allowedUnits(config: ConfigStore): ChargingRateUnit[] {
  const units: ChargingRateUnit[] = [];
  for (const item of (config.get('ChargingScheduleAllowedChargingRateUnit') ?? '').split(',')) {
    if (item.trim() === 'Current') units.push('A');
    if (item.trim() === 'Power') units.push('W');
  }
  return units;
}

/** The station-side checks of SetChargingProfile (ocpp-reference §5.4, §5.8). */
function acceptable(station: SimStation, connectorId: number, profile: ChargingProfile): boolean {
  const { config } = station;
  if (connectorId < 0 || connectorId > station.connectors.length) return false;
  const periods = profile.chargingSchedule.chargingSchedulePeriod;
  if (periods.length === 0 || periods.length > config.int('ChargingScheduleMaxPeriods')) return false;
  if (periods[0]?.startPeriod !== 0) return false;
  for (let i = 1; i < periods.length; i++) {
    if ((periods[i]?.startPeriod ?? 0) <= (periods[i - 1]?.startPeriod ?? 0)) return false;
  }
  if (profile.stackLevel < 0 || profile.stackLevel > config.int('ChargeProfileMaxStackLevel')) return false;
  if (!allowedUnits(config).includes(profile.chargingSchedule.chargingRateUnit)) return false;
  if ((profile.chargingProfileKind === 'Recurring') !== (profile.recurrencyKind !== undefined)) return false;
  if (profile.chargingProfilePurpose === 'ChargePointMaxProfile' && connectorId !== 0) return false;
  if (profile.chargingProfilePurpose === 'TxProfile') {
    const session = station.connector(connectorId)?.session;
    if (!session || session.phase !== 'charging' || session.transactionId === undefined) return false;
    if (profile.transactionId !== undefined && profile.transactionId !== session.transactionId) return false;
  }
  const { profiles } = station;
  return profiles.replacesExisting(connectorId, profile) || profiles.size < config.int('MaxChargingProfilesInstalled');
}

const setChargingProfile = handler<{ connectorId: number; csChargingProfiles: ChargingProfile }>((station, request, after) => {
  const { connectorId, csChargingProfiles: profile } = request;
  if (!acceptable(station, connectorId, profile)) return { status: 'Rejected' };
  const transactionId = station.connector(connectorId)?.session?.transactionId;
  const installed = profile.chargingProfilePurpose === 'TxProfile' && transactionId !== undefined ? { ...profile, transactionId } : profile;
  station.profiles.install(connectorId, installed, Date.now());
  after(() => station.applyLimits());
  return { status: 'Accepted' };
});

const clearChargingProfile = handler<ClearCriteria>((station, criteria, after) => {
  if (station.profiles.clear(criteria) === 0) return { status: 'Unknown' };
  after(() => station.applyLimits());
  return { status: 'Accepted' };
});

const getCompositeSchedule = handler<{ connectorId: number; duration: number; chargingRateUnit?: ChargingRateUnit }>(
  (station, { connectorId, duration, chargingRateUnit }) => {
    if (connectorId < 0 || connectorId > station.connectors.length || duration <= 0) return { status: 'Rejected' };
    const units = allowedUnits(station.config);
    const unit = chargingRateUnit ?? units[0] ?? 'A';
    if (!units.includes(unit)) return { status: 'Rejected' };
    const now = Date.now();
    const session = station.connector(connectorId)?.session;
    const txStartMs = session?.phase === 'charging' ? session.startedAtMs : undefined;
    const { power } = station;
    const chargingSchedulePeriod = station.profiles.composite(connectorId, now, duration, unit, txStartMs, power.physicalMaxW(connectorId), power.supply);
    return {
      status: 'Accepted',
      connectorId,
      scheduleStart: new Date(now).toISOString(),
      chargingSchedule: { duration, chargingRateUnit: unit, chargingSchedulePeriod },
    };
  },
);

/** SmartCharging profile. */
export const SMART_CHARGING_HANDLERS: Record<string, CsHandler> = {
  SetChargingProfile: setChargingProfile,
  ClearChargingProfile: clearChargingProfile,
  GetCompositeSchedule: getCompositeSchedule,
};
