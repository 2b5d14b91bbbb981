/** What a simulated electric vehicle brings to a session. */
export interface EvSpec {
  batteryKWh: number;
  /** State of charge when plugged in, 0-100. */
  initialSocPercent: number;
  /** The most the on-board charger accepts. */
  maxPowerKw: number;
  /** V2G: the most the EV gives back (ISO 15118-20 bidirectional); absent or 0: it never discharges. */
  maxDischargeKw?: number;
  /** V2G: the EV never discharges below this state of charge (default 20 %). */
  minSocPercent?: number;
}

/** A mid-size car on an 11 kW on-board charger. */
export const DEFAULT_EV: EvSpec = { batteryKWh: 60, initialSocPercent: 20, maxPowerKw: 11 };

/** A few typical cars for random sessions. */
export const EV_PRESETS: readonly EvSpec[] = [
  { batteryKWh: 40, initialSocPercent: 30, maxPowerKw: 7.4 },
  { batteryKWh: 60, initialSocPercent: 20, maxPowerKw: 11 },
  { batteryKWh: 77, initialSocPercent: 15, maxPowerKw: 11 },
  { batteryKWh: 90, initialSocPercent: 40, maxPowerKw: 22 },
];

/** A preset with a randomised initial state of charge (5-70 %). */
export function randomEv(random: () => number): EvSpec {
  const preset = EV_PRESETS[Math.floor(random() * EV_PRESETS.length)] ?? DEFAULT_EV;
  return { ...preset, initialSocPercent: Math.round(5 + random() * 65) };
}

/** Above this state of charge the accepted power tapers off linearly, down to 10 % of the maximum at 100 %. */
const TAPER_FROM_PERCENT = 80;

/** The battery of the EV plugged into a connector: how much power it takes, and how full it gets. */
export class EvBattery {
  private readonly capacityWh: number;
  readonly maxPowerW: number;
  /** V2G: 0 for an EV that cannot discharge. */
  readonly maxDischargeW: number;
  /** V2G: the floor of discharging. */
  readonly minStoredWh: number;
  private storedWh: number;

  constructor(spec: EvSpec) {
    this.capacityWh = spec.batteryKWh * 1000;
    this.maxPowerW = spec.maxPowerKw * 1000;
    this.maxDischargeW = Math.max(0, (spec.maxDischargeKw ?? 0) * 1000);
    this.minStoredWh = (this.capacityWh * Math.min(100, Math.max(0, spec.minSocPercent ?? 20))) / 100;
    this.storedWh = (this.capacityWh * Math.min(100, Math.max(0, spec.initialSocPercent))) / 100;
  }

  get socPercent(): number {
    return (this.storedWh / this.capacityWh) * 100;
  }

  get remainingWh(): number {
    return this.capacityWh - this.storedWh;
  }

  /** The power the EV draws when `offeredW` is available. */
  acceptedPowerW(offeredW: number): number {
    if (this.remainingWh <= 0 || offeredW <= 0) return 0;
    const soc = this.socPercent;
    const taper = soc <= TAPER_FROM_PERCENT ? 1 : 1 - (0.9 * (soc - TAPER_FROM_PERCENT)) / (100 - TAPER_FROM_PERCENT);
    return Math.min(offeredW, this.maxPowerW * taper);
  }

  /** Energy it may still give back before reaching its minimum state of charge (V2G). */
  get dischargeableWh(): number {
    return Math.max(0, this.storedWh - this.minStoredWh);
  }

  /** The power it gives back when asked for `requestedW` (V2G): its discharge limit, nothing at its minimum. */
  dischargePowerW(requestedW: number): number {
    if (this.maxDischargeW <= 0 || requestedW <= 0 || this.dischargeableWh <= 0) return 0;
    return Math.min(requestedW, this.maxDischargeW);
  }

  /** Gives back up to `wh`, never below the minimum state of charge; returns what was given. */
  discharge(wh: number): number {
    const given = Math.max(0, Math.min(wh, this.dischargeableWh));
    this.storedWh -= given;
    return given;
  }

  /** Stores up to `wh`; returns what was actually stored (a full battery takes no more). */
  charge(wh: number): number {
    const stored = Math.max(0, Math.min(wh, this.remainingWh));
    this.storedWh += stored;
    return stored;
  }
}
