/** An active (or expected) charging session as the planner sees it. Pure data, validated by `resolveSessions`. */

/** Energy the EV still needs, and when it leaves (API, OCPP 2.0.1 NotifyEVChargingNeeds, or the site's defaults). */
export interface EnergyNeed {
  /** Energy still to deliver from now on, kWh (what was already delivered is not included). */
  energyKWh: number;
  /** ISO 8601 UTC. */
  departure: string;
}

/** Consent and limits for discharging (V2G). */
export interface DischargeAllowance {
  /** The EV's maximum discharge power, W (positive number). */
  maxDischargePowerW: number;
  /**
   * Energy the battery may give back below its level at the start of planning, kWh (from the SoC the EV reports).
   * Default 0: the EV only gives back energy it was given earlier in the plan.
   */
  dischargeableKWh?: number | undefined;
}

/** What the meters say the session draws now (latest MeterValues). */
export interface MeasuredDraw {
  /** Current.Import: the highest phase, or one value per phase. */
  currentA?: number | readonly number[] | undefined;
  /** Power.Active.Import, total. Used when no current is given. */
  powerW?: number | undefined;
}

export interface SessionInput {
  /** Joule's transaction id (or any unique id). */
  id: string;
  /** The EVSE node id in the site model. */
  evseNodeId: string;
  /** ISO 8601 UTC. A start in the future makes the session an expected arrival for the optimiser. */
  startedAt: string;
  /** Higher is served first under the `priority` policy. Default 0. */
  priority?: number | undefined;
  /**
   * First-come-first-served order; lower arrived earlier. Sessions without one come after those with one; among
   * themselves they go by start time, then id.
   */
  arrivalOrder?: number | undefined;
  /** Per-phase current the planner offered last time; with `measured` it detects an EV drawing less than offered. */
  offeredCurrentA?: number | undefined;
  measured?: MeasuredDraw | undefined;
  /** The EV's own limits (ISO 15118 / NotifyEVChargingNeeds, vehicle database). */
  evMaxPowerW?: number | undefined;
  evMaxCurrentA?: number | undefined;
  /** The EV's minimum efficient current (OCPP minChargingRate); the higher of it and the EVSE's minimum applies. */
  evMinCurrentA?: number | undefined;
  /** Phases the EV charges on (1, 2 or 3); default the EVSE's phases. */
  evPhases?: 1 | 2 | 3 | undefined;
  energyNeed?: EnergyNeed | undefined;
  /**
   * The 24-hour plan's per-phase current for this session in the current slot. The instant allocation then gives it
   * at most this (below the minimum: paused, reason `planned-pause`), so the plan's timing holds while the instant
   * allocation still reacts to what happens now. A negative (discharging) value counts as 0: the instant allocation
   * never discharges.
   */
  plannedCurrentA?: number | undefined;
  /** Present only when the EV may discharge. */
  discharge?: DischargeAllowance | undefined;
}
