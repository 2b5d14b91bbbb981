import type { ActiveLimits, Electrical } from './charging-profiles.ts';
import type { AnyChargingSession } from './charging-session.ts';
import type { ElectricalReading } from './meter-sampler.ts';
import type { Outlet } from './outlet.ts';

const VOLTAGE_V = 230;
const PHASES = 3;

/** Where the limits in force come from: the station's installed charging profiles (1.6 or 2.0.1). */
export interface LimitSource {
  limitsAt(outletId: number, atMs: number, txStartMs: number, supply: Electrical): ActiveLimits;
}

export interface PowerDeliveryOptions {
  /** Most power one outlet delivers. */
  outletMaxW: number;
  /** How many outlets the station has (its physical maximum is theirs together). */
  outlets: number;
  /** Simulated time runs this many times faster than the wall clock. */
  speed: number;
  /** The station's random source (the voltage wanders). */
  random: () => number;
  limits: LimitSource;
  /** How many sessions share the station maximum now (those charging in a transaction). */
  chargingSessions: () => number;
}

/**
 * The electrical side of a simulated station, the same for 1.6 and 2.0.1: a 230 V three-phase supply, the power
 * offered to each outlet under the installed limits, what the EV draws of it, the energy the outlet's meter counts,
 * and the reading the meter values are sampled from. Allocates nothing per update: it runs for every meter value.
 */
export class PowerDelivery {
  readonly supply: Electrical = { voltageV: VOLTAGE_V, phases: PHASES };
  readonly outletMaxW: number;
  private readonly outlets: number;
  private readonly speed: number;
  private readonly random: () => number;
  private readonly limits: LimitSource;
  private readonly chargingSessions: () => number;

  constructor(options: PowerDeliveryOptions) {
    this.outletMaxW = options.outletMaxW;
    this.outlets = options.outlets;
    this.speed = options.speed;
    this.random = options.random;
    this.limits = options.limits;
    this.chargingSessions = options.chargingSessions;
  }

  /** What the hardware can deliver: one outlet's maximum, or for outlet 0 (the whole station) all of them together. */
  physicalMaxW(outletId: number): number {
    return outletId === 0 ? this.outletMaxW * this.outlets : this.outletMaxW;
  }

  /**
   * Books the energy delivered since the last update (into the EV and the outlet's register), then sets the power
   * for the limits in force now; nothing is offered unless `energised` (the protocol decides when energy may flow).
   */
  update(outlet: Outlet, session: AnyChargingSession, nowMs: number, energised: boolean): void {
    const wh = session.advance(nowMs, this.speed);
    if (wh >= 0) outlet.energyWh += wh;
    else outlet.exportWh = (outlet.exportWh ?? 0) - wh;
    if (!energised) {
      session.offer(0);
      return;
    }
    const limits = this.limits.limitsAt(outlet.id, nowMs, session.startedAtMs, this.supply);
    session.offer(this.offeredFor(limits), Math.min(limits.dischargeW ?? 0, this.outletMaxW));
  }

  /** min(outlet maximum, Tx/TxDefault limit, the station maximum shared equally by the charging sessions). */
  offeredW(outletId: number, txStartMs: number, nowMs: number): number {
    return this.offeredFor(this.limits.limitsAt(outletId, nowMs, txStartMs, this.supply));
  }

  private offeredFor(limits: ActiveLimits): number {
    let watts = this.outletMaxW;
    if (limits.txW !== undefined) watts = Math.min(watts, limits.txW);
    if (limits.stationMaxW !== undefined) watts = Math.min(watts, limits.stationMaxW / Math.max(1, this.chargingSessions()));
    return Math.max(0, watts);
  }

  /** The outlet's electrical state now (the voltage wanders by up to 2 V); the EV's state of charge if `evPresent`. */
  reading(outlet: Outlet, session: AnyChargingSession | undefined, evPresent: boolean): ElectricalReading {
    const reading: ElectricalReading = {
      energyWh: outlet.energyWh,
      exportWh: outlet.exportWh ?? 0,
      powerW: session?.powerW ?? 0,
      offeredW: session?.offeredW ?? 0,
      voltageV: VOLTAGE_V + (this.random() - 0.5) * 4,
      phases: PHASES,
    };
    if (evPresent && session) reading.socPercent = session.ev.socPercent;
    return reading;
  }
}
