/**
 * What an EV draws now, read from meter values: Current.Import per phase and Power.Active.Import of the newest
 * reading that has them (at the outlet or without a location; the EV's own side and the grid connection are other
 * things). Smart charging compares it with what it offered, to hand capacity an EV leaves unused to others.
 */
import { parseTime } from '../clock.ts';
import { numericValue, type MeterValueInput } from './sampled-value.ts';

export interface MeasuredDraw {
  /** Per-phase current (A) in phase order, when the reading had Current.Import. */
  currentA?: number[];
  /** Total active power (W), when the reading had Power.Active.Import. */
  powerW?: number;
  /** Energy.Active.Export.Register (Wh), when the reading had it: what the outlet gave back to the grid (V2G). */
  exportWh?: number;
  /** The reading's timestamp. */
  at: string;
}

const UNIT_TO_W: Record<string, number> = { W: 1, kW: 1000 };
const UNIT_TO_WH: Record<string, number> = { Wh: 1, kWh: 1000 };

function atOutlet(location: string | null): boolean {
  return location === null || location === 'Outlet';
}

/** The draw of the newest reading that has a current or a power, or undefined when none has. */
export function measuredDraw(values: readonly MeterValueInput[]): MeasuredDraw | undefined {
  // Runs on every MeterValues message: no per-reading maps, and a result object only for the reading that wins.
  let best: MeterValueInput | undefined;
  let bestMs = 0;
  let l1: number | undefined;
  let l2: number | undefined;
  let l3: number | undefined;
  let total: number | undefined;
  let power: number | undefined;
  let exported: number | undefined;
  for (const mv of values) {
    const parsed = parseTime(mv.timestamp);
    const ms = Number.isNaN(parsed) ? 0 : parsed;
    if (best !== undefined && parsed < bestMs) continue;
    let r1: number | undefined;
    let r2: number | undefined;
    let r3: number | undefined;
    let rTotal: number | undefined;
    let rPower: number | undefined;
    let rExport: number | undefined;
    for (const sv of mv.sampledValues) {
      if (!atOutlet(sv.location)) continue;
      if (sv.measurand === 'Current.Import' && (sv.unit === null || sv.unit === 'A')) {
        const n = numericValue(sv.value);
        if (n === null) continue;
        switch (sv.phase) {
          case null: case undefined: case '': rTotal = n; break;
          case 'L1': case 'L1-N': r1 = n; break;
          case 'L2': case 'L2-N': r2 = n; break;
          case 'L3': case 'L3-N': r3 = n; break;
          default: break;
        }
      } else if (sv.measurand === 'Power.Active.Import' && !sv.phase) {
        const factor = UNIT_TO_W[sv.unit ?? 'W'];
        const n = factor === undefined ? null : numericValue(sv.value);
        if (n !== null && factor !== undefined) rPower = n * factor;
      } else if (sv.measurand === 'Energy.Active.Export.Register' && !sv.phase) {
        const factor = UNIT_TO_WH[sv.unit ?? 'Wh'];
        const n = factor === undefined ? null : numericValue(sv.value);
        if (n !== null && factor !== undefined) rExport = n * factor;
      }
    }
    if (r1 === undefined && r2 === undefined && r3 === undefined && rTotal === undefined && rPower === undefined && rExport === undefined) continue;
    best = mv;
    bestMs = ms;
    [l1, l2, l3, total, power, exported] = [r1, r2, r3, rTotal, rPower, rExport];
  }
  if (best === undefined) return undefined;
  const draw: MeasuredDraw = { at: best.timestamp };
  const phases = [l1, l2, l3].filter((a): a is number => a !== undefined);
  if (phases.length > 0) draw.currentA = phases;
  else if (total !== undefined) draw.currentA = [total];
  if (power !== undefined) draw.powerW = power;
  if (exported !== undefined) draw.exportWh = exported;
  return draw;
}
