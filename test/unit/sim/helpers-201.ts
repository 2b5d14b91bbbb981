import type { Payload } from '../../../src/ocpp/rpc/frames.ts';
import { SimStation201, type SimStation201Options } from '../../../src/sim/v201/sim-station-201.ts';
import type { MiniCsms } from './mini-csms.ts';

/**
 * Starts a fast-stepping 2.0.1 station and resolves once it is Accepted and reported every EVSE's status.
 * `created` gets the station at once, so a test can stop it even when booting fails.
 */
export async function bootStation201(
  csms: MiniCsms,
  id: string,
  options: Partial<SimStation201Options> = {},
  created?: (station: SimStation201) => void,
): Promise<SimStation201> {
  const station = new SimStation201({ url: csms.url, id, stepDelayMs: 5, bootRetrySeconds: 1, callTimeoutMs: 2000, ...options });
  created?.(station);
  const last = station.evses.length;
  const from = csms.received.length;
  station.start();
  await csms.waitFor((c) => c.stationId === id && c.action === 'StatusNotification' && c.payload.evseId === last, from, 5000);
  return station;
}

/** The TransactionEvent requests `csms` received from one station (from index `from`). */
export function transactionEvents(csms: MiniCsms, stationId: string, from = 0): Payload[] {
  return csms.received.slice(from).filter((c) => c.stationId === stationId && c.action === 'TransactionEvent').map((c) => c.payload);
}

/** `Started CablePluggedIn #0` for a TransactionEvent. */
export function describeEvent(event: Payload): string {
  return `${String(event.eventType)} ${String(event.triggerReason)} #${String(event.seqNo)}`;
}

/** The CALLs `csms` received from one station: `Action`, `Status <evse> <status>`, `TransactionEvent <type> <trigger> #<seqNo>`. */
export function sequence201(csms: MiniCsms, stationId: string, from = 0): string[] {
  return csms.received
    .slice(from)
    .filter((c) => c.stationId === stationId)
    .map((c) => {
      if (c.action === 'StatusNotification') return `Status ${String(c.payload.evseId)} ${String(c.payload.connectorStatus)}`;
      if (c.action === 'TransactionEvent') return `TransactionEvent ${describeEvent(c.payload)}`;
      return c.action;
    });
}

/** The energy register (Wh) of a TransactionEvent or MeterValues payload's last meter value. */
export function energyWh(payload: Payload): number | undefined {
  const meterValue = payload.meterValue as { sampledValue: { measurand?: string; value: number }[] }[] | undefined;
  const sample = meterValue?.at(-1)?.sampledValue.find((s) => (s.measurand ?? 'Energy.Active.Import.Register') === 'Energy.Active.Import.Register');
  return sample?.value;
}
