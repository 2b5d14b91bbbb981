import { parseTime } from '../clock.ts';

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
const PHASE_BITS: Record<string, number> = { L1: 1, L2: 2, L3: 4, 'L1-N': 8, 'L2-N': 16, 'L3-N': 32 };

/**
 * The total imported energy register in Wh found in a set of meter values (the latest reading wins), or undefined
 * when none has one (a SoC-only or Current-only batch never yields 0: field notes §3 #14). A reading's total is its
 * unphased register; a reading with only per-phase registers counts their sum (§3 #15). kWh is converted to Wh.
 * Interval and Net energy do not describe a register and are not used here.
 */
export function energyRegisterWh(values: MeterValueInput[]): number | undefined {
  // Runs on every MeterValues message: the phases seen are bits, not a set per reading.
  let latestAt = 0;
  let latestWh: number | undefined;
  for (const mv of values) {
    const at = parseTime(mv.timestamp);
    let total: number | undefined;
    let phaseSum = 0;
    let phasesSeen = 0;
    for (const sv of mv.sampledValues) {
      if (sv.measurand !== ENERGY_IMPORT_REGISTER) continue;
      const n = numericValue(sv.value);
      const factor = UNIT_TO_WH[sv.unit ?? 'Wh'];
      if (n === null || factor === undefined) continue;
      if (!sv.phase) total = n * factor;
      else {
        const bit = Object.hasOwn(PHASE_BITS, sv.phase) ? (PHASE_BITS[sv.phase] as number) : 0;
        if (bit !== 0 && (phasesSeen & bit) === 0) {
          phasesSeen |= bit;
          phaseSum += n * factor;
        }
      }
    }
    const wh = total ?? (phasesSeen !== 0 ? phaseSum : undefined);
    if (wh !== undefined && (latestWh === undefined || at >= latestAt)) {
      latestAt = at;
      latestWh = wh;
    }
  }
  return latestWh;
}
