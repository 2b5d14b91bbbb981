import type {
  ChargingProfile,
  ChargingProfileKind,
  ChargingProfilePurpose,
  ChargingRateUnit,
  ChargingSchedulePeriod,
  EvseChargingProfile,
} from '../../../src/domain/smart-charging/charging-profile.ts';

/** A one-schedule profile; `periods` as [startPeriod, limit] pairs or full periods. */
export function profile(fields: {
  id: number;
  purpose?: ChargingProfilePurpose;
  stackLevel?: number;
  kind?: ChargingProfileKind;
  unit?: ChargingRateUnit;
  periods?: Array<[number, number] | ChargingSchedulePeriod>;
  startSchedule?: string;
  duration?: number;
  extra?: Partial<ChargingProfile>;
}): ChargingProfile {
  const kind = fields.kind ?? 'Absolute';
  const schedule: ChargingProfile['schedules'][number] = {
    chargingRateUnit: fields.unit ?? 'A',
    periods: (fields.periods ?? [[0, 32]]).map((p) => (Array.isArray(p) ? { startPeriod: p[0], limit: p[1] } : p)),
  };
  if (fields.startSchedule !== undefined) schedule.startSchedule = fields.startSchedule;
  else if (kind === 'Absolute' || kind === 'Recurring') schedule.startSchedule = '2025-01-01T00:00:00.000Z';
  if (fields.duration !== undefined) schedule.duration = fields.duration;
  return {
    id: fields.id,
    stackLevel: fields.stackLevel ?? 0,
    purpose: fields.purpose ?? 'TxDefaultProfile',
    kind,
    schedules: [schedule],
    ...fields.extra,
  };
}

export function on(evseId: number, p: ChargingProfile): EvseChargingProfile {
  return { evseId, profile: p };
}

/** [startPeriod, limit] pairs of a composite, for compact assertions. */
export function limits(periods: ReadonlyArray<{ startPeriod: number; limit?: number }>): Array<[number, number | undefined]> {
  return periods.map((p) => [p.startPeriod, p.limit]);
}
