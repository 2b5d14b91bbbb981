import { hash } from 'node:crypto';
import type { MeterValueRecord, SampledValueRecord } from './ports.ts';

/**
 * How the store adapters keep meter readings: one row per reading, its sampled values as one JSON text, and a
 * digest of that text that stands for the sampled values in the reading's unique key (a replay has the same
 * station, evse, connector, transaction, timestamp and digest).
 */

/**
 * The sampled values as stored: a JSON array with one array per sampled value, its fields always all present and
 * always in this order: `[value, measurand, phase, location, unit, context, format]` (null for none). Equal sampled
 * values therefore always give equal text, hence an equal digest; and arrays take half the bytes of objects.
 */
export function encodeSamples(samples: readonly SampledValueRecord[]): string {
  // One JSON.stringify of arrays is faster than one per sampled value (and than building the text by hand).
  const encoded = new Array<EncodedSample>(samples.length);
  for (let index = 0; index < samples.length; index += 1) {
    const sample = samples[index] as SampledValueRecord;
    encoded[index] = [
      sample.value,
      sample.measurand,
      sample.phase ?? null,
      sample.location ?? null,
      sample.unit ?? null,
      sample.context ?? null,
      sample.format ?? null,
    ];
  }
  return JSON.stringify(encoded);
}

type EncodedSample = [string, string, string | null, string | null, string | null, string | null, string | null];

export function decodeSamples(json: string): SampledValueRecord[] {
  return (JSON.parse(json) as EncodedSample[]).map(([value, measurand, phase, location, unit, context, format]) => ({
    value,
    measurand,
    phase,
    location,
    unit,
    context,
    format,
  }));
}

/**
 * The digest of encoded sampled values: the first 22 base64 characters (132 bits) of the SHA-256 of the text's
 * UTF-8 bytes. PostgreSQL computes the same as `left(encode(sha256(convert_to(samples, 'UTF8')), 'base64'), 22)`
 * (used by its migration of older rows).
 */
export function samplesDigest(json: string): string {
  return hash('sha256', json, 'base64').slice(0, 22);
}

/** A reading's own fields, as read back from a row. */
export interface StoredReading {
  stationId: string;
  evseId: number;
  connectorId: number;
  transactionId: string | null;
  timestamp: string;
  receivedAt: string;
}

/**
 * Appends one record per sampled value of a stored reading to `out`, in their order, at most `max` of them; returns
 * how many it appended.
 */
export function flattenReading(
  reading: StoredReading,
  samplesJson: string,
  out: MeterValueRecord[],
  max = Number.POSITIVE_INFINITY,
): number {
  const samples = decodeSamples(samplesJson);
  const count = Math.min(samples.length, max);
  for (let index = 0; index < count; index += 1) {
    const sample = samples[index] as SampledValueRecord;
    out.push({
      stationId: reading.stationId,
      evseId: reading.evseId,
      connectorId: reading.connectorId,
      transactionId: reading.transactionId,
      timestamp: reading.timestamp,
      measurand: sample.measurand,
      phase: sample.phase,
      location: sample.location,
      unit: sample.unit,
      context: sample.context,
      format: sample.format,
      value: sample.value,
      numericValue: sampleNumericValue(sample),
      receivedAt: reading.receivedAt,
    });
  }
  return count;
}

/** The value as a number when the format is Raw (or none) and the value is a finite number, else null. */
export function sampleNumericValue(sample: Pick<SampledValueRecord, 'value' | 'format'>): number | null {
  if (sample.format !== null && sample.format !== 'Raw') return null;
  if (sample.value.trim() === '') return null;
  const number = Number(sample.value);
  return Number.isFinite(number) ? number : null;
}
