/**
 * What a 1.6 connector and a 2.0.1 EVSE have in common: an energy register and an availability that a
 * ChangeAvailability sets at once, or when the running session ends (1.6 "Scheduled", 2.0.1 G03/G04).
 */
export interface Outlet {
  readonly id: number;
  /** ChangeAvailability state; `scheduledOperative` is applied when the running session ends. */
  operative: boolean;
  scheduledOperative: boolean | undefined;
  /** The energy meter register (Wh), across sessions. */
  energyWh: number;
  /** The export register (Wh): what EVs gave back through the outlet (V2G). */
  exportWh?: number;
}

/**
 * ChangeAvailability on one outlet: a busy outlet that would change waits for its session to end (true: Scheduled),
 * otherwise the change applies now and cancels one that waited.
 */
export function applyAvailability(outlet: Outlet, operative: boolean, busy: boolean): boolean {
  if (busy && outlet.operative !== operative) {
    outlet.scheduledOperative = operative;
    return true;
  }
  outlet.operative = operative;
  outlet.scheduledOperative = undefined;
  return false;
}

/** The session on `outlet` ended: the availability change that waited for it takes effect. */
export function applyScheduledAvailability(outlet: Outlet): void {
  if (outlet.scheduledOperative === undefined) return;
  outlet.operative = outlet.scheduledOperative;
  outlet.scheduledOperative = undefined;
}
