import type { Payload } from '../../src/ocpp/rpc/frames.ts';

/** The id token every benchmark transaction uses (Joule needs it Accepted: the orchestrator creates it). */
export const BENCH_ID_TAG = 'BENCH';

/** The OCPP 1.6 messages the load generator sends; every one is valid against the OCA schemas. */
export type BenchAction = 'Heartbeat' | 'MeterValues';

export function bootNotification(): Payload {
  return { chargePointVendor: 'JouleBench', chargePointModel: 'LoadGen-22', chargePointSerialNumber: 'BENCH-0001', firmwareVersion: '1.0.0' };
}

export function statusNotification(connectorId: number): Payload {
  return { connectorId, errorCode: 'NoError', status: 'Available', timestamp: new Date().toISOString() };
}

export function startTransaction(): Payload {
  return { connectorId: 1, idTag: BENCH_ID_TAG, meterStart: 0, timestamp: new Date().toISOString() };
}

const EMPTY: Payload = {};

export function heartbeat(): Payload {
  return EMPTY;
}

/**
 * MeterValues with 10 sampled values (energy, power, offered power, current and voltage on three phases, SoC):
 * about 1.3 KB on the wire. Each frame of a station carries a timestamp no earlier frame of that station had, and a
 * rising energy register, so a server that skips replays (Joule's unique index on station, timestamp, measurand,
 * phase, value, ...) stores every sampled value of every frame.
 */
export class MeterValuesSource {
  private readonly transactionId: number;
  private lastMs = 0;
  private energyWh = 1000;

  constructor(transactionId: number) {
    this.transactionId = transactionId;
  }

  next(): Payload {
    const now = Date.now();
    this.lastMs = now > this.lastMs ? now : this.lastMs + 1;
    this.energyWh += 7;
    const timestamp = new Date(this.lastMs).toISOString();
    const ctx = 'Sample.Periodic';
    return {
      connectorId: 1,
      transactionId: this.transactionId,
      meterValue: [
        {
          timestamp,
          sampledValue: [
            { value: String(this.energyWh), context: ctx, measurand: 'Energy.Active.Import.Register', location: 'Outlet', unit: 'Wh' },
            { value: '11040.0', context: ctx, measurand: 'Power.Active.Import', location: 'Outlet', unit: 'W' },
            { value: '22080.0', context: ctx, measurand: 'Power.Offered', location: 'Outlet', unit: 'W' },
            { value: '16.0', context: ctx, measurand: 'Current.Import', phase: 'L1', location: 'Outlet', unit: 'A' },
            { value: '16.0', context: ctx, measurand: 'Current.Import', phase: 'L2', location: 'Outlet', unit: 'A' },
            { value: '16.0', context: ctx, measurand: 'Current.Import', phase: 'L3', location: 'Outlet', unit: 'A' },
            { value: '230.1', context: ctx, measurand: 'Voltage', phase: 'L1-N', location: 'Outlet', unit: 'V' },
            { value: '229.8', context: ctx, measurand: 'Voltage', phase: 'L2-N', location: 'Outlet', unit: 'V' },
            { value: '230.4', context: ctx, measurand: 'Voltage', phase: 'L3-N', location: 'Outlet', unit: 'V' },
            { value: '57', context: ctx, measurand: 'SoC', location: 'EV', unit: 'Percent' },
          ],
        },
      ],
    };
  }
}

/** Sampled values per MeterValues frame. */
export const SAMPLED_VALUES_PER_FRAME = 10;
