import type { Timers } from '../timers.ts';

/** What `runSteps` needs of a station (1.6 or 2.0.1). */
export interface StepClock {
  readonly timers: Timers;
  readonly stepDelayMs: number;
}

/**
 * Reports `steps` one after the other, `station.stepDelayMs` apart, as long as `current()` holds (a newer request
 * cancels an older one). Resolves false when cancelled.
 */
export async function runSteps<Step>(
  station: StepClock,
  steps: readonly Step[],
  report: (step: Step) => Promise<void>,
  current: () => boolean = () => true,
): Promise<boolean> {
  for (const [index, step] of steps.entries()) {
    if (index > 0) await station.timers.sleep(station.stepDelayMs);
    if (!current()) return false;
    await report(step);
  }
  return true;
}

/** `2024-05-01T12:00:00.000Z` -> `20240501T120000Z`, for file names. */
export function fileTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
}
