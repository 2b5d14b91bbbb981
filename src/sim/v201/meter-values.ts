import { SUPPORTED_MEASURANDS, sampleValues, type ElectricalReading } from '../meter-sampler.ts';
import type { SampledValue } from '../ocpp16-types.ts';
import type { MeterValue201, ReadingContext, SampledValue201 } from './types.ts';

/** The measurands a 2.0.1 station samples: the simulated meter's, except Temperature (not a 2.0.1 measurand). */
export const MEASURANDS_201: readonly string[] = SUPPORTED_MEASURANDS.filter((m) => m !== 'Temperature');

/** A 1.6-shaped sample as 2.0.1 writes it: the value a number, the unit in `unitOfMeasure`. */
function toSampledValue201(sample: SampledValue): SampledValue201 {
  const out: SampledValue201 = { value: Number(sample.value) };
  if (sample.context !== undefined) out.context = sample.context as ReadingContext;
  if (sample.measurand !== undefined) out.measurand = sample.measurand;
  if (sample.phase !== undefined) out.phase = sample.phase;
  if (sample.location !== undefined) out.location = sample.location;
  if (sample.unit !== undefined) out.unitOfMeasure = { unit: sample.unit };
  return out;
}

/**
 * One 2.0.1 meter value for a MemberList of measurands (a SampledDataCtrlr or AlignedDataCtrlr value), using the
 * same meter physics as the 1.6 station; undefined when nothing is sampled (meterValue needs at least one value).
 */
export function meterValue201(
  measurands: string,
  reading: ElectricalReading,
  context: ReadingContext,
  timestampMs: number,
): MeterValue201 | undefined {
  const wanted = measurands
    .split(',')
    .map((m) => m.trim())
    .filter((m) => MEASURANDS_201.includes(m))
    .join(',');
  const sampled = sampleValues(wanted, reading, context).map(toSampledValue201);
  return sampled.length === 0 ? undefined : { timestamp: new Date(timestampMs).toISOString(), sampledValue: sampled };
}
