import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeSamples, encodeSamples, recodeSamples, samplesDigest } from '../../../src/store/meter-readings.ts';
import type { SampledValueRecord } from '../../../src/store/ports.ts';
import { SAMPLE_TERMS, sampleCode, sampleTerm } from '../../../src/store/sample-codes.ts';

/** The list as first released with stored codes: its length and the SHA-256 of its terms, one per line. */
const RELEASED = { length: 114, sha256: '92cfb6337611bd4303d59475f4f030d703d86fb25d31de3a5510d7be0ae29a0f' };

const sample = (fields: Partial<SampledValueRecord>): SampledValueRecord => ({
  value: '0', measurand: 'Energy.Active.Import.Register', phase: null, location: null, unit: null, context: null, format: null, ...fields,
});

/** The enumeration values of the official OCPP JSON schemas (from the ocpp-rpc dependency) named `names`. */
function schemaEnums(file: string, names: RegExp): string[] {
  const root = dirname(createRequire(import.meta.url).resolve('ocpp-rpc/package.json'));
  const schema: unknown = JSON.parse(readFileSync(join(root, 'lib', 'schemas', file), 'utf8'));
  const values = new Set<string>();
  const walk = (node: unknown, key: string): void => {
    if (node === null || typeof node !== 'object') return;
    const object = node as Record<string, unknown>;
    if (names.test(key) && Array.isArray(object.enum)) for (const value of object.enum) values.add(String(value));
    for (const [child, value] of Object.entries(object)) walk(value, child);
  };
  walk(schema, '');
  return [...values];
}

describe('sampled values stored with codes', () => {
  it('the list of codes is append-only: the released terms keep their codes', () => {
    const released = SAMPLE_TERMS.slice(0, RELEASED.length);
    assert.equal(released.length, RELEASED.length);
    assert.equal(createHash('sha256').update(released.join('\n')).digest('hex'), RELEASED.sha256);
  });

  it('lists every term once', () => {
    assert.equal(new Set(SAMPLE_TERMS).size, SAMPLE_TERMS.length);
  });

  it('has a code for every measurand, phase, location, context, format and 1.6 unit of OCPP 1.6, 2.0.1 and 2.1', () => {
    const terms = [
      ...schemaEnums('ocpp1_6.json', /^(measurand|phase|location|context|format|unit)$/),
      ...schemaEnums('ocpp2_0_1.json', /^(Measurand|Phase|Location|ReadingContext)EnumType$/),
      ...schemaEnums('ocpp2_1.json', /^(Measurand|Phase|Location|ReadingContext)EnumType$/),
    ];
    assert.ok(terms.length > 100, `found ${terms.length} enumeration values`);
    assert.deepEqual(terms.filter((term) => typeof sampleCode(term) !== 'number'), []);
  });

  it('round-trips sampled values, with vendor strings kept as they are and none as none', () => {
    const samples = [
      sample({ value: '1234.5', context: 'Sample.Periodic', location: 'Outlet', unit: 'Wh', format: 'Raw' }),
      sample({ value: '16.0', measurand: 'Current.Import', phase: 'L1', unit: 'A' }),
      sample({ value: 'q"\\ tab\t é 😀 \u2028', measurand: 'Vendor.Thing', unit: 'furlongs', context: 'Other' }),
      sample({ value: '', measurand: 'SoC', location: 'EV', unit: 'Percent' }),
    ];
    const text = encodeSamples(samples);
    assert.deepEqual(decodeSamples(text), samples);
    assert.match(text, /"Vendor\.Thing"/);
    assert.match(text, /"furlongs"/);
    assert.doesNotMatch(text, /Sample\.Periodic|Current\.Import|Outlet/);
  });

  it('reads sampled values stored with names (before codes) as the same records, and recodes them', () => {
    const samples = [
      sample({ value: '7', measurand: 'Power.Active.Import', phase: 'L2-N', location: 'Outlet', unit: 'W', context: 'Trigger' }),
      sample({ value: '8', measurand: 'Vendor.Thing', unit: 'kW', format: 'SignedData' }),
    ];
    const withNames = JSON.stringify(samples.map((s) => [s.value, s.measurand, s.phase, s.location, s.unit, s.context, s.format]));
    assert.deepEqual(decodeSamples(withNames), samples);
    assert.equal(recodeSamples(withNames), encodeSamples(samples));
    assert.equal(recodeSamples(encodeSamples(samples)), encodeSamples(samples));
  });

  it('gives equal sampled values equal text and digest, and different ones different digests', () => {
    const a = [sample({ value: '1', unit: 'Wh' })];
    assert.equal(samplesDigest(encodeSamples(a)), samplesDigest(encodeSamples([{ ...a[0] } as SampledValueRecord])));
    assert.notEqual(samplesDigest(encodeSamples(a)), samplesDigest(encodeSamples([sample({ value: '1', unit: 'kWh' })])));
    // A vendor string that spells a code is a string, not that code.
    assert.notEqual(encodeSamples([sample({ unit: '1' })]), encodeSamples([sample({ unit: SAMPLE_TERMS[0] })]));
  });

  it('keeps a reading of ten sampled values (as the benchmark sends) under 300 bytes', () => {
    const ctx = 'Sample.Periodic';
    const samples = [
      sample({ value: '123456', context: ctx, location: 'Outlet', unit: 'Wh' }),
      sample({ value: '11040.0', context: ctx, measurand: 'Power.Active.Import', location: 'Outlet', unit: 'W' }),
      sample({ value: '22080.0', context: ctx, measurand: 'Power.Offered', location: 'Outlet', unit: 'W' }),
      ...['L1', 'L2', 'L3'].map((phase) => sample({ value: '16.0', context: ctx, measurand: 'Current.Import', phase, location: 'Outlet', unit: 'A' })),
      ...['L1-N', 'L2-N', 'L3-N'].map((phase) => sample({ value: '230.1', context: ctx, measurand: 'Voltage', phase, location: 'Outlet', unit: 'V' })),
      sample({ value: '57', context: ctx, measurand: 'SoC', location: 'EV', unit: 'Percent' }),
    ];
    const withNames = JSON.stringify(samples.map((s) => [s.value, s.measurand, s.phase, s.location, s.unit, s.context, s.format]));
    const length = Buffer.byteLength(encodeSamples(samples));
    assert.ok(length < 300, `${length} bytes`);
    assert.ok(Buffer.byteLength(withNames) > 2 * length, `${Buffer.byteLength(withNames)} bytes with names`);
  });

  it('refuses a code it does not know (a reading written by a newer Joule)', () => {
    assert.equal(sampleTerm(0), null);
    assert.equal(sampleTerm(null), null);
    assert.equal(sampleTerm(1), SAMPLE_TERMS[0]);
    assert.throws(() => sampleTerm(SAMPLE_TERMS.length + 1), /unknown code/);
  });
});
