import { SimStation, type SimStationOptions } from '../../../src/sim/sim-station.ts';
import type { MiniCsms } from './mini-csms.ts';

/** Starts a fast-stepping station and resolves once it is Accepted and reported every connector's status. */
export async function bootStation(csms: MiniCsms, id: string, options: Partial<SimStationOptions> = {}): Promise<SimStation> {
  const station = new SimStation({ url: csms.url, id, stepDelayMs: 5, bootRetrySeconds: 1, callTimeoutMs: 2000, ...options });
  const last = station.connectors.length;
  const from = csms.received.length;
  station.start();
  await csms.waitFor((c) => c.stationId === id && c.action === 'StatusNotification' && c.payload.connectorId === last, from);
  return station;
}

/** The CALLs `csms` received from one station, as `Action` or `Action:detail` for StatusNotification. */
export function sequence(csms: MiniCsms, stationId: string, from = 0): string[] {
  return csms.received
    .slice(from)
    .filter((c) => c.stationId === stationId)
    .map((c) => (c.action === 'StatusNotification' ? `Status ${String(c.payload.connectorId)} ${String(c.payload.status)}` : c.action));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
