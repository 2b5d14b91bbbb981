/** One sampled value as the station sent it, with the version's defaults already applied by the adapter. */
export interface SampledValueInput {
  value: string;
  measurand: string;
  context: string | null;
  format: string | null;
  phase: string | null;
  location: string | null;
  unit: string | null;
}

export interface MeterValueInput {
  timestamp: string;
  sampledValues: SampledValueInput[];
}

export const ENERGY_IMPORT_REGISTER = 'Energy.Active.Import.Register';

const UNIT_TO_WH: Record<string, number> = { Wh: 1, kWh: 1000 };

/** A numeric reading, or null when the value is not a plain number (e.g. SignedData). */
export function numericValue(value: string): number | null {
  if (value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/**
 * The total imported energy register in Wh found in a set of meter values (the latest one wins), or undefined.
 * Per-phase values are ignored; only the overall register counts.
 */
export function energyRegisterWh(values: MeterValueInput[]): number | undefined {
  let latest: { at: number; wh: number } | undefined;
  for (const mv of values) {
    const at = Date.parse(mv.timestamp);
    for (const sv of mv.sampledValues) {
      if (sv.measurand !== ENERGY_IMPORT_REGISTER || sv.phase) continue;
      const n = numericValue(sv.value);
      const factor = UNIT_TO_WH[sv.unit ?? 'Wh'];
      if (n === null || factor === undefined) continue;
      if (!latest || at >= latest.at) latest = { at, wh: n * factor };
    }
  }
  return latest?.wh;
}
