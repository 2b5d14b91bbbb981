/** Limits and timers of one station connection. */
export interface SessionOptions {
  /** WebSocket ping period; a station that has not answered the previous ping is dropped. 0 disables pings. */
  pingIntervalMs: number;
  /** No OCPP message for this long means the station is gone (heartbeat-based offline detection). */
  idleTimeoutMs: number;
  /** Bad frames (unreadable, schema-invalid, binary) tolerated per window before the connection is closed. */
  maxBadMessages: number;
  badMessageWindowMs: number;
  /** Operator commands waiting behind the one in flight. */
  maxQueuedCalls: number;
  /** How long a CALL the CSMS initiates itself (e.g. GetTransactionStatus after a reboot) waits for its answer. */
  systemCallTimeoutMs: number;
}

export const defaultSessionOptions: SessionOptions = {
  pingIntervalMs: 30_000,
  idleTimeoutMs: 2 * 300_000 + 60_000,
  maxBadMessages: 50,
  badMessageWindowMs: 60_000,
  maxQueuedCalls: 100,
  systemCallTimeoutMs: 30_000,
};
