import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sanitizeIdToken } from '../../../src/domain/authorization/authorization-service.ts';
import { measuredDraw } from '../../../src/domain/metering/measured-draw.ts';
import { energyRegisterWh, type SampledValueInput } from '../../../src/domain/metering/sampled-value.ts';

function sv(fields: Partial<SampledValueInput>): SampledValueInput {
  return { value: '0', measurand: 'Energy.Active.Import.Register', context: 'Sample.Periodic', format: 'Raw', phase: null, location: 'Outlet', unit: 'Wh', ...fields };
}

describe('energy register (field notes §3 #14, #15)', () => {
  it('quirk #14: a SoC-only or Current-only batch yields no register (never 0)', () => {
    assert.equal(energyRegisterWh([{ timestamp: '2026-01-01T10:00:00Z', sampledValues: [sv({ measurand: 'SoC', value: '55', unit: 'Percent' }), sv({ measurand: 'Current.Import', value: '16', unit: 'A', phase: 'L1' })] }]), undefined);
  });

  it('quirk #15: per-phase registers only are summed; kWh is converted', () => {
    const values = [{ timestamp: '2026-01-01T10:00:00Z', sampledValues: [sv({ phase: 'L1', value: '1.5', unit: 'kWh' }), sv({ phase: 'L2', value: '1.25', unit: 'kWh' }), sv({ phase: 'L3', value: '1', unit: 'kWh' })] }];
    assert.equal(energyRegisterWh(values), 3_750);
  });

  it('quirk #15: the unphased total wins over the phases of the same reading', () => {
    const values = [{ timestamp: '2026-01-01T10:00:00Z', sampledValues: [sv({ phase: 'L1', value: '100' }), sv({ value: '9000' }), sv({ phase: 'L2', value: '100' })] }];
    assert.equal(energyRegisterWh(values), 9_000);
  });

  it('the latest reading wins, whatever the order sent', () => {
    const values = [
      { timestamp: '2026-01-01T10:05:00Z', sampledValues: [sv({ value: '2000' })] },
      { timestamp: '2026-01-01T10:00:00Z', sampledValues: [sv({ value: '1000' })] },
    ];
    assert.equal(energyRegisterWh(values), 2_000);
  });

  it('quirk #15: a phase sent twice in one reading counts once; an unknown phase name not at all', () => {
    const values = [{ timestamp: '2026-01-01T10:00:00Z', sampledValues: [sv({ phase: 'L1', value: '100' }), sv({ phase: 'L1', value: '100' }), sv({ phase: 'L2-N', value: '50' }), sv({ phase: 'N', value: '7' }), sv({ phase: 'constructor', value: '9' })] }];
    assert.equal(energyRegisterWh(values), 150);
  });

  it('Interval and Net energy are not taken for a register', () => {
    assert.equal(energyRegisterWh([{ timestamp: '2026-01-01T10:00:00Z', sampledValues: [sv({ measurand: 'Energy.Active.Import.Interval', value: '300' })] }]), undefined);
  });
});

describe('id token sanitising (field notes §3 #12)', () => {
  it('quirk #12: stray whitespace, control characters and escaped quotes around a tag are removed before lookup', () => {
    assert.equal(sanitizeIdToken(' 04A2B3C4 '), '04A2B3C4');
    assert.equal(sanitizeIdToken('"04A2B3C4"'), '04A2B3C4');
    assert.equal(sanitizeIdToken('\\"04A2B3C4\\"'), '04A2B3C4');
    assert.equal(sanitizeIdToken('04A2\u0000B3C4'), '04A2B3C4');
    assert.equal(sanitizeIdToken('A"B'), 'A"B', 'quotes inside a tag are kept');
  });
});

describe('measured draw (what an EV takes now, for smart charging)', () => {
  const at = (timestamp: string, values: Partial<SampledValueInput>[]) => ({ timestamp, sampledValues: values.map(sv) });

  it('per-phase currents in phase order (L1-N counts as L1), power in W from kW, at the outlet only', () => {
    const draw = measuredDraw([at('2026-01-01T10:00:00Z', [
      { measurand: 'Current.Import', phase: 'L3', value: '15', unit: 'A' },
      { measurand: 'Current.Import', phase: 'L1-N', value: '16', unit: 'A' },
      { measurand: 'Current.Import', phase: 'L2', value: '14', unit: 'A', location: 'EV' },
      { measurand: 'Power.Active.Import', value: '10.5', unit: 'kW' },
    ])]);
    assert.deepEqual(draw, { at: '2026-01-01T10:00:00Z', currentA: [16, 15], powerW: 10_500 });
  });

  it('the newest reading with a current or power wins; a batch without either gives nothing', () => {
    const values = [
      at('2026-01-01T10:05:00Z', [{ measurand: 'Current.Import', value: '10', unit: 'A' }]),
      at('2026-01-01T10:00:00Z', [{ measurand: 'Current.Import', value: '32', unit: 'A' }]),
      at('2026-01-01T10:09:00Z', [{ measurand: 'SoC', value: '50', unit: 'Percent' }]),
    ];
    assert.deepEqual(measuredDraw(values), { at: '2026-01-01T10:05:00Z', currentA: [10] });
    assert.equal(measuredDraw([values[2]!]), undefined);
  });
});
