import type { MeterValueInput } from '../../domain/metering/sampled-value.ts';
import type { MeterValue16 } from './messages.ts';

/** Applies the 1.6 defaults (§7.43: Energy.Active.Import.Register, Sample.Periodic, Raw, Outlet, Wh). */
export function toMeterValueInputs(values: MeterValue16[]): MeterValueInput[] {
  return values.map((mv) => ({
    timestamp: mv.timestamp,
    sampledValues: mv.sampledValue.map((sv) => {
      const measurand = sv.measurand ?? 'Energy.Active.Import.Register';
      return {
        value: sv.value,
        measurand,
        context: sv.context ?? 'Sample.Periodic',
        format: sv.format ?? 'Raw',
        phase: sv.phase ?? null,
        location: sv.location ?? 'Outlet',
        unit: sv.unit ?? (measurand.startsWith('Energy.Active') ? 'Wh' : null),
      };
    }),
  }));
}
