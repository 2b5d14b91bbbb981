import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evChargingNeeds } from '../../../src/ocpp/v201/ev-charging-needs.ts';
import { schemaValidator } from '../../../src/ocpp/validation/schema-validator.ts';

describe('2.1 NotifyEVChargingNeeds: V2G consent (ISO 15118-20 bidirectional power transfer)', () => {
  const payload = (requestedEnergyTransfer: string, v2x: Record<string, unknown>) => ({
    evseId: 1,
    chargingNeeds: { requestedEnergyTransfer, departureTime: '2026-03-02T14:00:00Z', v2xChargingParameters: v2x },
  });

  it('AC_BPT with a maximum discharge power: consent, down to the minimum state of charge for V2X', () => {
    const p = payload('AC_BPT', { maxChargePower: 11_000, maxDischargePower: 7_000, evTargetEnergyRequest: 20_000, evMinV2XEnergyRequest: -9_000, evMinEnergyRequest: -15_000 });
    assert.equal(schemaValidator().check('ocpp2.1', 'NotifyEVChargingNeeds', 'request', p), undefined);
    const needs = evChargingNeeds(p);
    assert.deepEqual(needs.discharge, { maxDischargePowerW: 7_000, dischargeableWh: 9_000 });
    assert.equal(needs.energyWh, 20_000);
    assert.equal(needs.evMaxPowerW, 11_000);
  });

  it('no V2X minimum: the minimum state of charge; below it: nothing to give', () => {
    assert.deepEqual(evChargingNeeds(payload('DC_BPT', { maxDischargePower: 50_000, evMinEnergyRequest: -4_000 })).discharge, { maxDischargePowerW: 50_000, dischargeableWh: 4_000 });
    assert.deepEqual(evChargingNeeds(payload('DC_BPT', { maxDischargePower: 50_000, evMinEnergyRequest: 2_000 })).discharge, { maxDischargePowerW: 50_000, dischargeableWh: 0 });
  });

  it('a charging-only transfer, or no discharge power: no consent', () => {
    assert.equal(evChargingNeeds(payload('AC_three_phase', { maxDischargePower: 7_000 })).discharge, undefined);
    assert.equal(evChargingNeeds(payload('AC_BPT', { maxChargePower: 11_000 })).discharge, undefined);
    assert.equal(evChargingNeeds(payload('AC_BPT', { maxDischargePower: 0 })).discharge, undefined);
  });
});
