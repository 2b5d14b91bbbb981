/**
 * The electrical model of a site as the planner sees it: a tree of groups (site -> feeders -> ... -> stations) whose
 * leaves are EVSEs. Every group may carry a limit (total W and/or A per phase) and a measured non-EV load; every EVSE
 * says how it is wired and which rate unit its station accepts. Pure data, validated by `compileSite`.
 */

/** The three phases of the site's supply. Phase names are the site's (after any rotation at a station). */
export type Phase = 'L1' | 'L2' | 'L3';
export const PHASES: readonly Phase[] = ['L1', 'L2', 'L3'];

/** Per-phase amperes, in site phase order L1, L2, L3. */
export type PhaseCurrents = readonly [number, number, number];

/** The unit a station accepts in charging schedules (OCPP ChargingRateUnit): A per phase, or W in total. */
export type RateUnit = 'A' | 'W';

/**
 * How a three-phase station is connected (OCPP 2.0.1 `PhaseRotation`): the letter at position i is the site phase
 * (R = L1, S = L2, T = L3) that the station's own phase i+1 is wired to. It decides which site phase carries the load
 * of an EV that charges on fewer phases than the station has.
 */
export type PhaseRotation = 'RST' | 'RTS' | 'SRT' | 'STR' | 'TRS' | 'TSR';

/** A limit on a node. Both parts may be given; each is respected. */
export interface NodeLimit {
  /** Total active power through the node, all phases together. */
  maxPowerW?: number | undefined;
  /** Current per phase: one number for all three phases, or one per phase (L1, L2, L3 may differ). */
  maxCurrentA?: number | PhaseCurrents | undefined;
}

/**
 * Load at a node that Joule does not control (building, heat pump, ...), as measured. Per-phase currents when known,
 * otherwise a total power, assumed balanced over the three phases. It is subtracted from the capacity of the node
 * and of every node above it.
 */
export interface ExternalLoad {
  currentA?: number | PhaseCurrents | undefined;
  powerW?: number | undefined;
}

export interface GroupNode {
  kind: 'group';
  /** Unique among all nodes of the site (groups and EVSEs). */
  id: string;
  limit?: NodeLimit | undefined;
  /** Phase-to-neutral voltage; inherited from the parent when absent, 230 V at the root. */
  nominalVoltageV?: number | undefined;
  externalLoad?: ExternalLoad | undefined;
  children: SiteNode[];
}

export interface EvseNode {
  kind: 'evse';
  /** Unique among all nodes of the site; sessions refer to it. */
  id: string;
  /** The OCPP station and EVSE the limits are sent to. */
  stationId: string;
  evseId: number;
  /** Phases wired to the EVSE. */
  phases: 1 | 3;
  /** For a single-phase EVSE: the site phase it is connected to (default L1). */
  phase?: Phase | undefined;
  /** For a three-phase EVSE: its rotation (default RST, i.e. station L1 on site L1). */
  phaseRotation?: PhaseRotation | undefined;
  /** Maximum current per phase the EVSE can deliver (its breaker / cable rating). */
  maxCurrentA: number;
  /** Maximum total power, when the EVSE is also limited in W. */
  maxPowerW?: number | undefined;
  /** The rate unit the station accepts (`SmartChargingCtrlr.RateUnit` / `ChargingScheduleAllowedChargingRateUnit`). */
  rateUnit: RateUnit;
  /** Below this current per phase a session is paused rather than given a useless trickle. Default 6 A. */
  minCurrentA?: number | undefined;
  /** Inherited from the parent when absent. */
  nominalVoltageV?: number | undefined;
  /** False when the station is offline: the planner cannot reach it and counts it at its fallback. Default true. */
  online?: boolean | undefined;
  /**
   * What the station may draw while offline, per phase (its stored default profile). Without it the EVSE counts at
   * its maximum: with no profile a station charges without constraints (OCPP 1.6 §3.13.6, K06/K07).
   */
  offlineFallbackA?: number | undefined;
  /** The EVSE can discharge (V2G). A session discharges only when this and the session's own consent are set. */
  bidirectional?: boolean | undefined;
}

export type SiteNode = GroupNode | EvseNode;

/** How a node's capacity is divided among its active sessions. */
export type SharingPolicy = 'equal-share' | 'priority' | 'first-come-first-served';

export interface SiteModel {
  root: GroupNode;
  policy: SharingPolicy;
}

/** Used when a node and all its ancestors give no voltage. */
export const DEFAULT_NOMINAL_VOLTAGE_V = 230;
/** The common minimum charging current of AC EVs (IEC 61851 control pilot). */
export const DEFAULT_MIN_CURRENT_A = 6;
