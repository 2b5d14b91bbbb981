import { randomUUID } from 'node:crypto';
import type { ClusterBus, StationCallOutcome } from '../../cluster/bus.ts';
import type { CommandRecord, CommandStatus, Store } from '../../store/ports.ts';
import type { DomainConfig } from '../config.ts';
import { DomainError } from '../errors.ts';
import type { NeutralStationRequest } from './station-requests.ts';

export interface CommandRequest {
  stationId: string;
  action: string;
  payload: Record<string, unknown>;
  /** Who sends it (user or token name) and from where. */
  actor: string;
  origin?: string | undefined;
  timeoutMs?: number | undefined;
  /**
   * A version-neutral request (smart charging): sent in the station's version, translated on the node that holds the
   * station. It is logged as `action` with the neutral request as its payload.
   */
  neutral?: NeutralStationRequest | undefined;
}

export interface CommandResult {
  commandId: string;
  outcome: StationCallOutcome;
}

const STATUS_OF: Record<StationCallOutcome['status'], CommandStatus> = {
  completed: 'completed',
  error: 'error',
  timeout: 'timeout',
  invalid: 'failed',
  refused: 'failed',
  offline: 'failed',
};

/**
 * Operator commands to stations: routed over the bus to the node that holds the station, and recorded (who sent
 * what, when, and what came back).
 */
export class CommandService {
  private readonly store: Store;
  private readonly bus: ClusterBus;
  private readonly config: DomainConfig;

  constructor(store: Store, bus: ClusterBus, config: DomainConfig) {
    this.store = store;
    this.bus = bus;
    this.config = config;
  }

  async send(request: CommandRequest): Promise<CommandResult> {
    const station = await this.store.stations.get(request.stationId);
    if (!station) throw new DomainError('not_found', `Station ${request.stationId} is not known`);
    const record: CommandRecord = {
      id: randomUUID(),
      stationId: request.stationId,
      action: request.action,
      request: request.payload,
      actor: request.actor,
      origin: request.origin ?? null,
      status: 'pending',
      response: null,
      error: null,
      createdAt: new Date().toISOString(),
      completedAt: null,
    };
    await this.store.commands.create(record);
    const outcome = await this.bus.callStation({
      stationId: request.stationId,
      action: request.action,
      payload: request.payload,
      timeoutMs: request.timeoutMs ?? this.config.commandTimeoutMs,
      ...(request.neutral === undefined ? {} : { neutral: request.neutral }),
    });
    const completedAt = new Date().toISOString();
    await this.store.commands.complete(record.id, {
      status: STATUS_OF[outcome.status],
      response: outcome.status === 'completed' ? outcome.response : null,
      error: errorOf(outcome),
      completedAt,
    });
    this.bus.publish({
      type: 'command.completed',
      stationId: request.stationId,
      data: { commandId: record.id, action: request.action, actor: request.actor, outcome: outcome.status },
    });
    return { commandId: record.id, outcome };
  }

  /**
   * Sends a version-neutral request (charging profiles, composite schedules) and records it like an operator command:
   * under its OCPP action, with the neutral request as its payload, by `actor`.
   */
  sendNeutral(stationId: string, neutral: NeutralStationRequest, actor: string, timeoutMs?: number): Promise<CommandResult> {
    return this.send({ stationId, action: neutral.kind, payload: neutral as unknown as Record<string, unknown>, actor, neutral, timeoutMs });
  }

  async get(id: string): Promise<CommandRecord> {
    const record = await this.store.commands.get(id);
    if (!record) throw new DomainError('not_found', `Command ${id} is not known`);
    return record;
  }

  list(stationId: string | undefined, limit: number, stationIds?: readonly string[]): Promise<CommandRecord[]> {
    return this.store.commands.list(stationId, limit, stationIds);
  }
}

function errorOf(outcome: StationCallOutcome): CommandRecord['error'] {
  switch (outcome.status) {
    case 'completed': return null;
    case 'error': return outcome.error;
    case 'invalid': return { code: 'invalid', description: outcome.message, details: outcome.errors };
    case 'refused': return { code: 'refused', description: outcome.message };
    case 'offline': return { code: 'offline', description: 'The station is not connected' };
    case 'timeout': return { code: 'timeout', description: 'The station did not answer in time' };
  }
}
