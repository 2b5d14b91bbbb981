/**
 * What an EV draws now, read from meter values: Current.Import per phase and Power.Active.Import of the newest
 * reading that has them (at the outlet or without a location; the EV's own side and the grid connection are other
 * things). Smart charging compares it with what it offered, to hand capacity an EV leaves unused to others.
 */
import { numericValue, type MeterValueInput } from './sampled-value.ts';

export interface MeasuredDraw {
  /** Per-phase current (A) in phase order, when the reading had Current.Import. */
  currentA?: number[];
  /** Total active power (W), when the reading had Power.Active.Import. */
  powerW?: number;
  /** The reading's timestamp. */
  at: string;
}

const PHASE_ORDER = ['L1', 'L2', 'L3'];
const UNIT_TO_W: Record<string, number> = { W: 1, kW: 1000 };

function atOutlet(location: string | null): boolean {
  return location === null || location === 'Outlet';
}

/** The draw of the newest reading that has a current or a power, or undefined when none has. */
export function measuredDraw(values: readonly MeterValueInput[]): MeasuredDraw | undefined {
  let best: { ms: number; draw: MeasuredDraw } | undefined;
  for (const mv of values) {
    const ms = Date.parse(mv.timestamp);
    const currents = new Map<string, number>();
    let total: number | undefined;
    let power: number | undefined;
    for (const sv of mv.sampledValues) {
      if (!atOutlet(sv.location)) continue;
      const n = numericValue(sv.value);
      if (n === null) continue;
      if (sv.measurand === 'Current.Import' && (sv.unit === null || sv.unit === 'A')) {
        const phase = sv.phase?.replace(/-N$/, '');
        if (phase && PHASE_ORDER.includes(phase)) currents.set(phase, n);
        else if (!phase) total = n;
      } else if (sv.measurand === 'Power.Active.Import' && !sv.phase) {
        const factor = UNIT_TO_W[sv.unit ?? 'W'];
        if (factor !== undefined) power = n * factor;
      }
    }
    const draw: MeasuredDraw = { at: mv.timestamp };
    if (currents.size > 0) draw.currentA = PHASE_ORDER.filter((p) => currents.has(p)).map((p) => currents.get(p)!);
    else if (total !== undefined) draw.currentA = [total];
    if (power !== undefined) draw.powerW = power;
    if (draw.currentA === undefined && draw.powerW === undefined) continue;
    if (!best || !(ms < best.ms)) best = { ms: Number.isNaN(ms) ? 0 : ms, draw };
  }
  return best?.draw;
}
