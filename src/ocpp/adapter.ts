import type { StationCallOutcome } from '../cluster/bus.ts';
import type { ChargingProfile } from '../domain/smart-charging/charging-profile.ts';
import type { NeutralStationRequest, NeutralStationResult } from '../domain/commands/station-requests.ts';
import type { StationIdentity } from '../domain/stations/validation-policy.ts';
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
  /**
   * Sends a CALL the CSMS itself initiates (e.g. GetTransactionStatus to reconcile after a reboot), queued behind
   * operator commands like them; its answer reaches `commandAnswered` as theirs do.
   */
  callStation(action: string, payload: Payload): Promise<StationCallOutcome>;
}

/** A version-neutral request as one version's message, or why it cannot be sent to this station. */
export type TranslatedRequest =
  | {
      ok: true;
      action: string;
      payload: Payload;
      /** SetChargingProfile: the profile as sent (fitted to the station's rate unit and period count). */
      sent?: ChargingProfile;
      /** What fitting the request to the station changed (empty: nothing). */
      changes: string[];
    }
  | { ok: false; message: string; errors: unknown[] };

/** An operator command as the adapter completed it, and what it added. */
export interface CompletedCommand {
  payload: Payload;
  changes: string[];
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
  /**
   * A 2.1 SEND (unconfirmed message, e.g. NotifyPeriodicEventStream), already schema-checked. Nothing is answered;
   * absent for versions without SEND.
   */
  handleSend?(session: SessionState, action: string, payload: Payload): Promise<void>;
  /**
   * A version-neutral request (domain/commands/station-requests.ts) as this version's action and
   * payload, fitted to what the station advertises; run on the node that holds the station.
   */
  translateRequest(session: SessionState, request: NeutralStationRequest): Promise<TranslatedRequest>;
  /**
   * An operator command completed before it is checked and sent, on the node that holds the station: a remote start
   * on an EVSE of a managed site that names no profile gets the planner's TxProfile (profile on authorization).
   * Undefined: sent as given. Never throws: a failure to complete sends the command as given.
   */
  completeCommand?(session: SessionState, action: string, payload: Payload): Promise<CompletedCommand | undefined>;
  /** The station's answer to a translated request, read back into neutral form. */
  translateResponse(request: NeutralStationRequest, translated: TranslatedRequest, response: Payload): NeutralStationResult;
  /**
   * The vendor, model and firmware a BootNotification names, read leniently from a payload that may fail the schema
   * (to choose the validation mode of a station Joule does not know yet); undefined for other messages.
   */
  bootIdentity(action: string, payload: Payload): StationIdentity | undefined;
}

/** Reads a string field of an unvalidated payload. */
export function textField(value: unknown): string | null {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}
