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

/** Phases whose registers add up to the total (line-to-neutral or plain line names, never both in one reading). */
const PHASES = new Set(['L1', 'L2', 'L3', 'L1-N', 'L2-N', 'L3-N']);

/**
 * The total imported energy register in Wh found in a set of meter values (the latest reading wins), or undefined
 * when none has one (a SoC-only or Current-only batch never yields 0: field notes §3 #14). A reading's total is its
 * unphased register; a reading with only per-phase registers counts their sum (§3 #15). kWh is converted to Wh.
 * Interval and Net energy do not describe a register and are not used here.
 */
export function energyRegisterWh(values: MeterValueInput[]): number | undefined {
  let latest: { at: number; wh: number } | undefined;
  for (const mv of values) {
    const at = Date.parse(mv.timestamp);
    let total: number | undefined;
    let phaseSum = 0;
    const phasesSeen = new Set<string>();
    for (const sv of mv.sampledValues) {
      if (sv.measurand !== ENERGY_IMPORT_REGISTER) continue;
      const n = numericValue(sv.value);
      const factor = UNIT_TO_WH[sv.unit ?? 'Wh'];
      if (n === null || factor === undefined) continue;
      if (!sv.phase) total = n * factor;
      else if (PHASES.has(sv.phase) && !phasesSeen.has(sv.phase)) {
        phasesSeen.add(sv.phase);
        phaseSum += n * factor;
      }
    }
    const wh = total ?? (phasesSeen.size > 0 ? phaseSum : undefined);
    if (wh !== undefined && (!latest || at >= latest.at)) latest = { at, wh };
  }
  return latest?.wh;
}
