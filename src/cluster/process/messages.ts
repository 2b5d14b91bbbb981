import type { DomainEvent } from '../../domain/events.ts';
import type { StationCallOutcome, StationCallRequest } from '../bus.ts';

/** IPC between the workers of one machine and their primary, which routes them (see process-hub.ts). */
export type WorkerToHub =
  | { t: 'events'; events: DomainEvent[] }
  | { t: 'claim'; stationIds: string[] }
  | { t: 'release'; stationIds: string[] }
  | { t: 'call'; callId: number; request: StationCallRequest }
  | { t: 'reply'; callId: number; outcome: StationCallOutcome };

export type HubToWorker =
  | { t: 'events'; events: DomainEvent[] }
  /** Presence changes: station id -> worker id holding it, or null when released. */
  | { t: 'presence'; changes: [string, number | null][] }
  | { t: 'call'; callId: number; request: StationCallRequest }
  | { t: 'reply'; callId: number; outcome: StationCallOutcome };

export function isJouleMessage(message: unknown): message is { t: string } {
  return typeof message === 'object' && message !== null && typeof (message as { t?: unknown }).t === 'string';
}
