import type { RegistrationStatus } from '../store/ports.ts';
import type { Payload } from './rpc/frames.ts';
import type { OcppVersion } from './versions.ts';

/** What a version adapter knows of the connection it serves (kept by the gateway's StationSession). */
export interface SessionState {
  readonly stationId: string;
  readonly version: OcppVersion;
  /** The answer to the station's latest BootNotification (restored from the store on reconnect); null if none. */
  registration: RegistrationStatus | null;
  /** Messages the CSMS triggered (TriggerMessage accepted) that a not-yet-accepted station may send once. */
  readonly triggered: Set<string>;
}

/**
 * One adapter per OCPP version: the only place that knows that version's messages. It turns station CALLs into
 * domain calls and domain results into response payloads, and vets operator commands for the version.
 */
export interface VersionAdapter {
  readonly version: OcppVersion;
  /** The CSMS-to-station actions of this version that operators may send. */
  readonly commandActions: ReadonlySet<string>;
  /** True when this version's station-to-CSMS `action` is handled here (others known to the schema get NotSupported). */
  handles(action: string): boolean;
  /** Handles a schema-valid station CALL; returns the response payload or throws an RpcError. */
  handleCall(session: SessionState, action: string, payload: Payload): Promise<Payload>;
  /** Why an operator command may not be sent now (e.g. RemoteStart to a Pending station), or undefined. */
  refuseCommand(session: SessionState, action: string, payload: Payload): string | undefined;
  /** Learns from the station's answer to an operator command (configuration read, trigger accepted, ...). */
  commandAnswered(session: SessionState, action: string, request: Payload, response: Payload): Promise<void>;
}
