/** Phases, rotation and unit conversion (OCPP rate units: A is per phase, W is the total over the phases used). */
import type { Phase, PhaseCurrents, PhaseRotation, RateUnit } from './site-model.ts';

export const PHASE_INDEX: Readonly<Record<Phase, number>> = { L1: 0, L2: 1, L3: 2 };

const ROTATION_LETTER_INDEX: Readonly<Record<string, number>> = { R: 0, S: 1, T: 2 };

/** The site phases (0 = L1, 1 = L2, 2 = L3) that a station's own phases 1, 2, 3 are wired to. */
export function sitePhasesOfRotation(rotation: PhaseRotation): [number, number, number] {
  return [
    ROTATION_LETTER_INDEX[rotation[0]!]!,
    ROTATION_LETTER_INDEX[rotation[1]!]!,
    ROTATION_LETTER_INDEX[rotation[2]!]!,
  ];
}

/** One number for all phases, or one per phase, as a triple. */
export function perPhase(value: number | PhaseCurrents): PhaseCurrents {
  return typeof value === 'number' ? [value, value, value] : value;
}

/** Total power of a per-phase current on `phases` phases at `voltageV` (phase to neutral). */
export function currentToPower(currentA: number, voltageV: number, phases: number): number {
  return currentA * voltageV * phases;
}

/** Per-phase current of a total power spread over `phases` phases (OCPP: P / (V x numberPhases)). */
export function powerToCurrent(powerW: number, voltageV: number, phases: number): number {
  return powerW / (voltageV * phases);
}

/**
 * Limits are `multipleOf 0.1` in the OCPP schemas. Rounding down keeps a limit at or below what the planner granted;
 * the tiny epsilon keeps an exact 6.0 from becoming 5.9 through floating-point noise.
 */
export function floorToTenth(value: number): number {
  return Math.floor(value * 10 + 1e-7) / 10;
}

/** The limit to send for a per-phase current, in the station's unit, rounded down to 0.1. */
export function limitFromCurrent(currentA: number, unit: RateUnit, voltageV: number, phases: number): number {
  const raw = unit === 'A' ? currentA : currentToPower(currentA, voltageV, phases);
  // Negative limits (discharge) round towards zero so that a discharge is never larger than planned either.
  return raw >= 0 ? floorToTenth(raw) : -floorToTenth(-raw);
}

/** The per-phase current a limit in the station's unit stands for. */
export function currentFromLimit(limit: number, unit: RateUnit, voltageV: number, phases: number): number {
  return unit === 'A' ? limit : powerToCurrent(limit, voltageV, phases);
}

/** A per-phase current as it will actually be sent (rounded in the station's unit), back in A. */
export function quantiseCurrent(currentA: number, unit: RateUnit, voltageV: number, phases: number): number {
  return currentFromLimit(limitFromCurrent(currentA, unit, voltageV, phases), unit, voltageV, phases);
}
