import type { Payload } from '../../ocpp/rpc/frames.ts';
import { RpcError } from '../../ocpp/rpc/error-codes.ts';
import { CallFailure } from '../station-connection.ts';
import type { Timers } from '../timers.ts';

export interface TransactionEventQueueOptions {
  /** Sends one TransactionEvent CALL and resolves with the answer. */
  send: (payload: Payload) => Promise<Payload>;
  /** The connection is open and the station Accepted: transaction messages may go out. */
  canSend: () => boolean;
  /** The CSMS answered a TransactionEvent (e.g. with idTokenInfo). */
  answered: (request: Payload, response: Payload) => void;
  /** MessageAttempts[TransactionEvent]: tries before a refused message is dropped. */
  attempts: () => number;
  /** MessageAttemptInterval[TransactionEvent] in ms; the n-th retry waits n times this. */
  retryIntervalMs: () => number;
  /** A CALLERROR SecurityError: the CSMS does not count the station as registered (any more). */
  registrationLost: () => void;
  timers: Timers;
}

interface QueuedEvent {
  payload: Payload;
  transactionId: string;
  attempts: number;
  /** Resolves the `enqueue` promise; undefined once resolved. */
  settle: (() => void) | undefined;
}

/**
 * The transaction messages of a 2.0.1 station, delivered strictly in order (seqNo order within a transaction) and never lost to a
 * connection drop: while the station is offline they wait here (built with `offline: true` by the station) and go
 * out after the reconnect. A message the CSMS refuses (CALLERROR, timeout) is retried MessageAttempts times, the
 * n-th retry after n x MessageAttemptInterval, then dropped (OCPP 2.0.1 E13 / ocpp-reference §1.5).
 */
export class TransactionEventQueue {
  private readonly options: TransactionEventQueueOptions;
  private readonly items: QueuedEvent[] = [];
  private sending = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(options: TransactionEventQueueOptions) {
    this.options = options;
  }

  /** Messages not yet delivered (GetTransactionStatus messagesInQueue). */
  get length(): number {
    return this.items.length;
  }

  /** True when a message of this transaction waits for delivery. */
  holds(transactionId: string): boolean {
    return this.items.some((item) => item.transactionId === transactionId);
  }

  /**
   * Queues a message. Resolves once the CSMS answered it (or it was dropped), or as soon as it has to wait for a
   * connection or a retry: callers that order other messages after it (StatusNotification after Ended) wait no
   * longer than that.
   */
  enqueue(payload: Payload, transactionId: string): Promise<void> {
    return new Promise((resolve) => {
      this.items.push({ payload, transactionId, attempts: 0, settle: resolve });
      this.pump();
    });
  }

  /** The station can send again (reconnected and Accepted): delivers what waited. */
  resume(): void {
    this.pump();
  }

  /** Resolves when the queue is empty, or when what remains has to wait for a connection or a retry. */
  idle(): Promise<void> {
    if (this.items.length === 0 || (!this.sending && !this.options.canSend())) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops everything (the station stopped for good). */
  clear(): void {
    this.options.timers.cancel(this.retryTimer);
    this.retryTimer = undefined;
    for (const item of this.items.splice(0)) item.settle?.();
    this.wakeIdleWaiters();
  }

  private pump(): void {
    if (this.sending) return;
    if (this.retryTimer !== undefined) {
      this.waiting(); // the head waits for its retry, and everything behind it
      return;
    }
    const head = this.items[0];
    if (!head) {
      this.wakeIdleWaiters();
      return;
    }
    if (!this.options.canSend()) {
      this.waiting();
      return;
    }
    this.sending = true;
    head.attempts += 1;
    this.options.send(head.payload).then(
      (response) => {
        this.sending = false;
        this.items.shift();
        this.settle(head);
        this.options.answered(head.payload, response);
        this.pump();
      },
      (error: unknown) => {
        this.sending = false;
        this.failed(head, error);
      },
    );
  }

  private failed(head: QueuedEvent, error: unknown): void {
    if (error instanceof CallFailure && error.reason === 'disconnected') {
      head.attempts -= 1; // not refused, just not delivered: sent again after the reconnect
      this.waiting();
      return;
    }
    if (error instanceof RpcError && error.kind === 'SecurityError') {
      head.attempts -= 1;
      this.waiting();
      this.options.registrationLost();
      return;
    }
    if (head.attempts >= Math.max(1, this.options.attempts())) {
      this.items.shift();
      this.settle(head);
      this.pump();
      return;
    }
    this.retryTimer = this.options.timers.after(this.options.retryIntervalMs() * head.attempts, () => {
      this.retryTimer = undefined;
      this.pump();
    });
    this.waiting();
  }

  /** Nothing can go out now: let the callers waiting for delivery go on. */
  private waiting(): void {
    for (const item of this.items) this.settle(item);
    this.wakeIdleWaiters();
  }

  private settle(item: QueuedEvent): void {
    const settle = item.settle;
    item.settle = undefined;
    settle?.();
  }

  private wakeIdleWaiters(): void {
    if (this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
