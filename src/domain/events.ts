/** Domain events: what happened, version-neutral, published on the bus after the data is stored. */
export type DomainEventType =
  | 'station.connected'
  | 'station.disconnected'
  | 'station.booted'
  | 'station.registered'
  | 'station.security'
  | 'station.notification'
  | 'connector.status'
  | 'authorization.checked'
  | 'transaction.started'
  | 'transaction.updated'
  | 'transaction.ended'
  | 'meter.values'
  | 'command.completed'
  | 'idtoken.updated'
  | 'validation.rules-changed'
  | 'smart-charging.changed'
  | 'smart-charging.plan'
  | 'security.event'
  | 'security.alert'
  | 'certificate.changed'
  | 'certificate.signing-request';

export interface DomainEvent {
  /** Unique, increasing per node: `${nodeId}-${sequence}`. */
  id: string;
  type: DomainEventType;
  stationId?: string;
  /** Server time the event was published, ISO 8601 UTC. */
  at: string;
  data: Record<string, unknown>;
}
