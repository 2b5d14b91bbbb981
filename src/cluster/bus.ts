import type { DomainEvent } from '../domain/events.ts';
import type { NeutralStationRequest, NeutralStationResult } from '../domain/commands/station-requests.ts';
import { nowIso } from '../domain/clock.ts';

/** An operator command for a station, routed to the node that holds the station's socket. */
export interface StationCallRequest {
  stationId: string;
  action: string;
  payload: Record<string, unknown>;
  timeoutMs: number;
  /**
   * A version-neutral request (plain JSON, so it crosses NATS and worker IPC as it is): the node holding the station
   * turns it into the station's version's action and payload; `action` then only names it and `payload` is unused.
   */
  neutral?: NeutralStationRequest;
}

/** What became of a command. `invalid` and `refused` are decided before anything is sent. */
export type StationCallOutcome =
  | {
      status: 'completed';
      /** The station's answer as it sent it. */
      response: Record<string, unknown>;
      /** For a neutral request: the answer read back into neutral form, and the message actually sent. */
      result?: NeutralStationResult;
      sent?: { action: string; payload: Record<string, unknown> };
    }
  | { status: 'error'; error: { code: string; description: string; details?: unknown } }
  | { status: 'invalid'; message: string; errors: unknown[] }
  | { status: 'refused'; message: string }
  | { status: 'offline' }
  | { status: 'timeout' };

export type StationCallHandler = (request: StationCallRequest) => Promise<StationCallOutcome>;

/** An event as published: `sequence` numbers this node's events, and the time is now unless the publisher gave one. */
export function stampEvent(nodeId: string, sequence: number, event: Omit<DomainEvent, 'id' | 'at'> & { at?: string }): DomainEvent {
  return { ...event, id: `${nodeId}-${sequence}`, at: event.at ?? nowIso() };
}

/**
 * The cluster bus port: event fan-out to every node, command routing to the node holding a station, and presence.
 * Adapters: in-process (one node) and NATS (many processes or machines).
 */
export interface ClusterBus {
  readonly nodeId: string;
  /** Delivers the event to every subscriber on every node (including this one). */
  publish(event: Omit<DomainEvent, 'id' | 'at'> & { at?: string }): void;
  subscribe(listener: (event: DomainEvent) => void): () => void;
  /** Sends a command to whichever node holds the station; `offline` when none does. */
  callStation(request: StationCallRequest): Promise<StationCallOutcome>;
  /** Registers this node's handler for commands to the stations it holds. */
  serveStationCalls(handler: StationCallHandler): void;
  /** Presence: this node now holds the station's socket / no longer does. */
  claimStation(stationId: string): void;
  releaseStation(stationId: string): void;
  /**
   * Calls `listener` when another node claims a station this node holds (the station opened a newer connection
   * elsewhere): this node should close its older connection. Newest claim wins.
   */
  onClaimedElsewhere(listener: (stationId: string) => void): void;
  isOnline(stationId: string): Promise<boolean>;
  onlineStations(): Promise<Set<string>>;
  close(): Promise<void>;
}
