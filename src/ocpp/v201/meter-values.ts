import type { MeterValueInput } from '../../domain/metering/sampled-value.ts';
import type { MeterValue201 } from './messages.ts';

/**
 * Applies the 2.x defaults (measurand Energy.Active.Import.Register, context Sample.Periodic, location Outlet, unit
 * Wh) and the unit multiplier (value x 10^multiplier), so stored values are in the named unit like 1.6 ones. 2.x
 * values are numbers even when signed (the signature stays in the transaction event log), so the format is Raw.
 */
export function toMeterValueInputs201(values: MeterValue201[]): MeterValueInput[] {
  return values.map((mv) => ({
    timestamp: mv.timestamp,
    sampledValues: mv.sampledValue.map((sv) => {
      const measurand = sv.measurand ?? 'Energy.Active.Import.Register';
      const multiplier = sv.unitOfMeasure?.multiplier ?? 0;
      const value = multiplier === 0 ? sv.value : Number((sv.value * 10 ** multiplier).toPrecision(15));
      return {
        value: String(value),
        measurand,
        context: sv.context ?? 'Sample.Periodic',
        format: 'Raw',
        phase: sv.phase ?? null,
        location: sv.location ?? 'Outlet',
        unit: sv.unitOfMeasure?.unit ?? (measurand.startsWith('Energy.Active') ? 'Wh' : null),
      };
    }),
  }));
}
