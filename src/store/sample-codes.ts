/**
 * The codes that stand for the OCPP enumeration values of a stored sampled value (its measurand, phase, location,
 * unit, context and format) in `meter_readings.samples` (see meter-readings.ts): the value at index i has code i + 1,
 * and 0 means none. A string that is not listed here (a vendor's unit, say) is stored as it is.
 *
 * APPEND ONLY. Stored readings and their digests (the replay check) hold these codes: a value may be added at the
 * end, never moved, removed or changed, or stored readings would read back wrong and replays of them be stored again.
 * A test pins the list.
 */
export const SAMPLE_TERMS: readonly string[] = Object.freeze([
  // Measurands: OCPP 1.6, 2.0.1 and 2.1 (MeasurandEnumType).
  'Energy.Active.Import.Register', 'Energy.Active.Export.Register', 'Energy.Reactive.Import.Register',
  'Energy.Reactive.Export.Register', 'Energy.Active.Import.Interval', 'Energy.Active.Export.Interval',
  'Energy.Reactive.Import.Interval', 'Energy.Reactive.Export.Interval', 'Energy.Active.Net', 'Energy.Reactive.Net',
  'Energy.Apparent.Net', 'Energy.Apparent.Import', 'Energy.Apparent.Export', 'Power.Active.Import',
  'Power.Active.Export', 'Power.Offered', 'Power.Reactive.Import', 'Power.Reactive.Export', 'Power.Factor',
  'Current.Import', 'Current.Export', 'Current.Offered', 'Voltage', 'Frequency', 'Temperature', 'SoC', 'RPM',
  'Current.Export.Offered', 'Current.Export.Minimum', 'Current.Import.Offered', 'Current.Import.Minimum',
  'Display.PresentSOC', 'Display.MinimumSOC', 'Display.TargetSOC', 'Display.MaximumSOC',
  'Display.RemainingTimeToMinimumSOC', 'Display.RemainingTimeToTargetSOC', 'Display.RemainingTimeToMaximumSOC',
  'Display.ChargingComplete', 'Display.BatteryEnergyCapacity', 'Display.InletHot', 'Energy.Active.Import.CableLoss',
  'Energy.Active.Import.LocalGeneration.Register', 'Energy.Active.Setpoint.Interval', 'EnergyRequest.Target',
  'EnergyRequest.Minimum', 'EnergyRequest.Maximum', 'EnergyRequest.Minimum.V2X', 'EnergyRequest.Maximum.V2X',
  'EnergyRequest.Bulk', 'Power.Active.Setpoint', 'Power.Active.Residual', 'Power.Export.Minimum',
  'Power.Export.Offered', 'Power.Import.Offered', 'Power.Import.Minimum', 'Voltage.Minimum', 'Voltage.Maximum',
  // Phases.
  'L1', 'L2', 'L3', 'N', 'L1-N', 'L2-N', 'L3-N', 'L1-L2', 'L2-L3', 'L3-L1',
  // Locations.
  'Body', 'Cable', 'EV', 'Inlet', 'Outlet', 'Upstream',
  // Units: 1.6 UnitOfMeasure (with its misspelt Celcius) and the standardized units of 2.x (their N and RPM are
  // the phase and the measurand above).
  'Wh', 'kWh', 'varh', 'kvarh', 'W', 'kW', 'VA', 'kVA', 'var', 'kvar', 'A', 'V', 'K', 'Celcius', 'Celsius',
  'Fahrenheit', 'Percent', 'ASU', 'B', 'dB', 'dBm', 'Deg', 'Hz', 'lx', 'm', 'ms2', 'Ohm', 'kPa', 'RH', 's',
  // Reading contexts.
  'Interruption.Begin', 'Interruption.End', 'Other', 'Sample.Clock', 'Sample.Periodic', 'Transaction.Begin',
  'Transaction.End', 'Trigger',
  // Value formats (1.6).
  'Raw', 'SignedData',
]);

const CODES = new Map<string, number>(SAMPLE_TERMS.map((term, index) => [term, index + 1]));

/** What stands for `term` in stored sampled values: 0 for none, its code when listed, else the string itself. */
export function sampleCode(term: string | null | undefined): number | string {
  if (term === null || term === undefined) return 0;
  return CODES.get(term) ?? term;
}

/**
 * The term a stored field stands for: a code (0: none), a string (stored as it is, as all fields were before codes),
 * or null (none, before codes). Throws on a code this list does not have: a reading written by a newer Joule.
 */
export function sampleTerm(stored: unknown): string | null {
  if (typeof stored === 'string') return stored;
  if (stored === null || stored === 0) return null;
  const term = typeof stored === 'number' ? SAMPLE_TERMS[stored - 1] : undefined;
  if (term === undefined) throw new Error(`stored sampled value has an unknown code ${String(stored)}`);
  return term;
}
