/**
 * NotifyEVChargingNeeds (2.0.1 K15, 2.1 K15/K18) as version-neutral needs: the energy the EV still requests, when it
 * leaves, and its own current and power limits. Read leniently: AC parameters give currents, DC (and 2.1 V2X) ones a
 * power; what is missing is left out.
 *
 * V2G (2.1, ISO 15118-20): an EV that requests a bidirectional energy transfer (AC_BPT, AC_BPT_DER, DC_BPT,
 * DC_ACDP_BPT) and gives a maximum discharge power consents to discharging, down to its minimum state of charge for
 * V2X cycling (`evMinV2XEnergyRequest`, else `evMinEnergyRequest`: a negative value is energy above it). The requested
 * mode is one the EVSE offered, so it also says the station can discharge. 2.0.1 has neither field.
 */
import type { EvChargingNeeds } from '../../domain/smart-charging/smart-charging-service.ts';
import type { Payload } from '../rpc/frames.ts';

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

const BIDIRECTIONAL = new Set(['AC_BPT', 'AC_BPT_DER', 'DC_BPT', 'DC_ACDP_BPT']);

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function evChargingNeeds(payload: Payload): EvChargingNeeds {
  const needs = record(payload.chargingNeeds) ?? {};
  const ac = record(needs.acChargingParameters);
  const dc = record(needs.dcChargingParameters);
  const v2x = record(needs.v2xChargingParameters);
  const out: EvChargingNeeds = { evseId: typeof payload.evseId === 'number' ? payload.evseId : 0 };
  const energy = positive(ac?.energyAmount) ?? positive(dc?.energyAmount) ?? positive(v2x?.evTargetEnergyRequest) ?? positive(v2x?.evMaxEnergyRequest);
  if (energy !== undefined) out.energyWh = energy;
  if (typeof needs.departureTime === 'string' && !Number.isNaN(Date.parse(needs.departureTime))) out.departure = new Date(Date.parse(needs.departureTime)).toISOString();
  const maxCurrent = positive(ac?.evMaxCurrent);
  if (maxCurrent !== undefined && maxCurrent > 0) out.evMaxCurrentA = maxCurrent;
  const minCurrent = positive(ac?.evMinCurrent);
  if (minCurrent !== undefined) out.evMinCurrentA = minCurrent;
  const maxPower = positive(dc?.evMaxPower) ?? positive(v2x?.maxChargePower);
  if (maxPower !== undefined && maxPower > 0) out.evMaxPowerW = maxPower;
  const maxDischarge = positive(v2x?.maxDischargePower);
  if (typeof needs.requestedEnergyTransfer === 'string' && BIDIRECTIONAL.has(needs.requestedEnergyTransfer) && maxDischarge !== undefined && maxDischarge > 0) {
    const toMinimum = finite(v2x?.evMinV2XEnergyRequest) ?? finite(v2x?.evMinEnergyRequest) ?? 0;
    out.discharge = { maxDischargePowerW: maxDischarge, dischargeableWh: Math.max(0, -toMinimum) };
  }
  return out;
}
