import type { ReadingContext, SampledValue } from './ocpp16-types.ts';

/** The electrical state of one connector at one instant. */
export interface ElectricalReading {
  energyWh: number;
  /** The export register (V2G); 0 for an outlet that never gave energy back. */
  exportWh?: number;
  /** Negative while the EV gives energy back (V2G). */
  powerW: number;
  offeredW: number;
  voltageV: number;
  phases: number;
  /** Present while an EV is plugged in. */
  socPercent?: number;
}

/** The measurands the simulated meter can report (MeterValuesSampledData and friends accept only these). */
export const SUPPORTED_MEASURANDS: readonly string[] = [
  'Energy.Active.Import.Register',
  'Energy.Active.Export.Register',
  'Power.Active.Import',
  'Power.Active.Export',
  'Power.Offered',
  'Current.Import',
  'Current.Offered',
  'Voltage',
  'Frequency',
  'Temperature',
  'SoC',
];

const PHASES = ['L1', 'L2', 'L3'] as const;

/** `Current.Import.L2` -> `{ measurand: 'Current.Import', phase: 'L2' }`. */
function splitPhase(entry: string): { measurand: string; phase: string | undefined } {
  const m = /^(.+)\.(L1|L2|L3)$/.exec(entry);
  return m?.[1] && m[2] ? { measurand: m[1], phase: m[2] } : { measurand: entry, phase: undefined };
}

/** True for a configuration list item the meter can sample (a measurand, optionally with `.L1`-`.L3`). */
export function isSupportedMeasurand(entry: string): boolean {
  return SUPPORTED_MEASURANDS.includes(splitPhase(entry).measurand);
}

function perPhase(
  measurand: string,
  value: number,
  unit: string,
  only: string | undefined,
  context: ReadingContext,
  out: SampledValue[],
): void {
  for (const phase of PHASES) {
    if (only === undefined || only === phase) out.push({ value: value.toFixed(1), context, measurand, phase, location: 'Outlet', unit });
  }
}

/** The sampled values for a comma-separated measurand list (a MeterValuesSampledData-style configuration value). */
export function sampleValues(measurandList: string, reading: ElectricalReading, context: ReadingContext): SampledValue[] {
  const out: SampledValue[] = [];
  const perPhaseCurrent = (watts: number): number => Math.max(0, watts) / (reading.voltageV * reading.phases);
  for (const raw of measurandList.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const { measurand, phase } = splitPhase(entry);
    switch (measurand) {
      case 'Energy.Active.Import.Register':
        out.push({ value: Math.round(reading.energyWh).toString(), context, measurand, location: 'Outlet', unit: 'Wh' });
        break;
      case 'Energy.Active.Export.Register':
        out.push({ value: Math.round(reading.exportWh ?? 0).toString(), context, measurand, location: 'Outlet', unit: 'Wh' });
        break;
      case 'Power.Active.Export':
        out.push({ value: Math.max(0, -reading.powerW).toFixed(1), context, measurand, location: 'Outlet', unit: 'W' });
        break;
      case 'Power.Active.Import':
      case 'Power.Offered':
        out.push({
          value: (measurand === 'Power.Offered' ? reading.offeredW : Math.max(0, reading.powerW)).toFixed(1),
          context,
          measurand,
          location: 'Outlet',
          unit: 'W',
        });
        break;
      case 'Current.Import':
        perPhase(measurand, perPhaseCurrent(reading.powerW), 'A', phase, context, out);
        break;
      case 'Current.Offered':
        perPhase(measurand, perPhaseCurrent(reading.offeredW), 'A', phase, context, out);
        break;
      case 'Voltage':
        out.push({ value: reading.voltageV.toFixed(1), context, measurand, location: 'Outlet', unit: 'V' });
        break;
      case 'Frequency':
        out.push({ value: '50.0', context, measurand, location: 'Outlet' });
        break;
      case 'Temperature':
        out.push({ value: (25 + reading.powerW / 2000).toFixed(1), context, measurand, location: 'Body', unit: 'Celcius' });
        break;
      case 'SoC':
        if (reading.socPercent !== undefined) {
          out.push({ value: Math.floor(reading.socPercent).toString(), context, measurand, location: 'EV', unit: 'Percent' });
        }
        break;
      default:
        break;
    }
  }
  return out;
}
