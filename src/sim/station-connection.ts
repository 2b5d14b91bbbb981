import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { OcppVersion } from '../ocpp/versions.ts';
import {
  CALL,
  CALLERROR,
  CALLRESULT,
  CALLRESULTERROR,
  parseFrame,
  serializeCall,
  serializeCallError,
  serializeCallResult,
  type CallFrame,
  type Payload,
} from '../ocpp/rpc/frames.ts';
import { RpcError, fromWireCode } from '../ocpp/rpc/error-codes.ts';

/** The answer to an incoming CALL; `afterSend` runs right after the CALLRESULT is on the wire. */
export interface Reply {
  payload: Payload;
  afterSend?: () => void;
}

/**
 * Answers an incoming CALL. Returning `undefined` sends no answer at all (a 1.6 station in the Rejected state does
 * not answer). A thrown `RpcError` becomes a CALLERROR of its kind; any other error an `InternalError`.
 */
export type IncomingCallHandler = (action: string, payload: Payload) => Reply | undefined | Promise<Reply | undefined>;

/** Receives the counters of a connection; one observer may serve thousands of connections (see `SimMetrics`). */
export interface ConnectionObserver {
  connected(): void;
  disconnected(): void;
  frameSent(): void;
  frameReceived(): void;
  callSucceeded(latencyMs: number): void;
  callFailed(reason: CallFailureReason): void;
  /** A connection attempt failed or an open socket broke (refused, HTTP 401/404, subprotocol not agreed, ...). */
  socketError(error: Error): void;
}

/** Why an outgoing CALL did not get a CALLRESULT: a CALLERROR, no answer in time, or no (more) connection. */
export type CallFailureReason = 'error' | 'timeout' | 'disconnected';

/** Rejection of `call()` when no answer came: timeout or connection lost. A CALLERROR rejects with `RpcError`. */
export class CallFailure extends Error {
  readonly reason: 'timeout' | 'disconnected';
  constructor(reason: 'timeout' | 'disconnected', message: string) {
    super(message);
    this.name = 'CallFailure';
    this.reason = reason;
  }
}

export interface StationConnectionOptions {
  /** The CSMS endpoint without the station id, e.g. `ws://localhost:8180/ocpp`. */
  url: string;
  stationId: string;
  /** Subprotocol to offer and require; default `ocpp1.6`. */
  version?: OcppVersion;
  /** HTTP Basic auth password (user name = station id). */
  password?: string;
  /** How long to wait for the answer to a CALL; default 30 000 ms. */
  callTimeoutMs?: number;
  /** Reconnect with exponential back-off when the socket drops or cannot be opened; default true. */
  reconnect?: boolean;
  /** First reconnect delay (doubled per failed attempt, with jitter); default 1000 ms. */
  reconnectMinMs?: number;
  /** Longest reconnect delay; default 60 000 ms. */
  reconnectMaxMs?: number;
  onCall?: IncomingCallHandler;
  /** The socket is open and the subprotocol agreed. */
  onOpen?: () => void;
  /** An open socket closed (not called for failed connection attempts). */
  onClose?: (code: number, reason: string) => void;
  observer?: ConnectionObserver;
  /** Every frame in or out, e.g. for a verbose log. */
  onFrame?: (direction: 'in' | 'out', text: string) => void;
}

interface PendingCall {
  id: string;
  action: string;
  payload: Payload;
  resolve: (payload: Payload) => void;
  reject: (error: Error) => void;
  sentAt: number;
  timer: NodeJS.Timeout | undefined;
}

/** Random per process, so message ids stay unique across reconnects and simulator runs (OCPP-J 1.6 errata 3.1). */
const ID_PREFIX = randomBytes(4).toString('hex');
let idCounter = 0;

function nextMessageId(): string {
  idCounter += 1;
  return ID_PREFIX + idCounter.toString(36);
}

const CLOSE_GRACE_MS = 2000;

/**
 * The OCPP-J client side of one charging station: one WebSocket to `${url}/${id}`, outgoing CALLs with one in
 * flight and a queue behind it, a timeout per CALL, incoming CALLs answered through `onCall`, reconnect with
 * back-off. It has no protocol knowledge beyond framing, and little overhead per message.
 */
export class StationConnection {
  readonly stationId: string;
  readonly version: OcppVersion;
  /** Used from the next connection attempt on (e.g. after ChangeConfiguration AuthorizationKey). */
  password: string | undefined;
  /** Applies to CALLs sent from now on. */
  callTimeoutMs: number;

  private readonly options: StationConnectionOptions;
  private readonly endpoint: string;
  private socket: WebSocket | undefined;
  private open = false;
  private readonly queue: PendingCall[] = [];
  private inFlight: PendingCall | undefined;
  private stopped = true;
  private attempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private restartDelayMs: number | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(options: StationConnectionOptions) {
    this.options = options;
    this.stationId = options.stationId;
    this.version = options.version ?? 'ocpp1.6';
    this.password = options.password;
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
    this.endpoint = `${options.url.replace(/\/+$/, '')}/${encodeURIComponent(options.stationId)}`;
  }

  /** True while the socket is open with the agreed subprotocol. */
  get isOpen(): boolean {
    return this.open;
  }

  /** Starts connecting (and reconnecting, if enabled). */
  connect(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.dial();
  }

  /**
   * Sends a CALL and resolves with the CALLRESULT payload. Rejects with `RpcError` on a CALLERROR and with
   * `CallFailure` on timeout or when the connection is (or gets) lost. CALLs are sent one at a time, in order.
   */
  call(action: string, payload: Payload): Promise<Payload> {
    if (!this.open) {
      this.options.observer?.callFailed('disconnected');
      return Promise.reject(new CallFailure('disconnected', `${action}: not connected`));
    }
    return new Promise<Payload>((resolve, reject) => {
      this.queue.push({ id: nextMessageId(), action, payload, resolve, reject, sentAt: 0, timer: undefined });
      if (!this.inFlight) this.sendNext();
    });
  }

  /** Resolves once no CALL is queued or in flight (answered, failed or timed out). */
  idle(): Promise<void> {
    if (!this.inFlight && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Closes the socket and reconnects after `delayMs`, even if reconnecting is disabled (a station reboot). */
  restart(delayMs = 0): void {
    if (this.stopped) return;
    this.restartDelayMs = delayMs;
    if (this.socket) {
      this.socket.close(1012, 'Restart');
    } else {
      clearTimeout(this.reconnectTimer);
      this.scheduleDial();
    }
  }

  /** Closes for good: no reconnect; pending CALLs are rejected. Resolves once the socket is closed. */
  close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const socket = this.socket;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => {
      const force = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
      socket.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      socket.close(1000, 'Bye');
    });
  }

  private dial(): void {
    const headers: Record<string, string> = {};
    if (this.password !== undefined) {
      headers.Authorization = `Basic ${Buffer.from(`${this.stationId}:${this.password}`).toString('base64')}`;
    }
    const socket = new WebSocket(this.endpoint, [this.version], {
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
      headers,
    });
    this.socket = socket;
    socket.on('open', () => {
      if (socket.protocol !== this.version) {
        this.options.observer?.socketError(new Error(`the CSMS did not agree to subprotocol ${this.version}`));
        socket.close(1002, 'Subprotocol not agreed');
        return;
      }
      this.open = true;
      this.attempts = 0;
      this.options.observer?.connected();
      this.options.onOpen?.();
    });
    socket.on('message', (data) => this.receive(String(data)));
    socket.on('error', (error) => this.options.observer?.socketError(error));
    socket.on('close', (code, reason) => this.closed(socket, code, reason.toString()));
  }

  private closed(socket: WebSocket, code: number, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    const wasOpen = this.open;
    this.open = false;
    this.failAll();
    if (wasOpen) {
      this.options.observer?.disconnected();
      this.options.onClose?.(code, reason);
    }
    if (!this.stopped && (this.options.reconnect !== false || this.restartDelayMs !== undefined)) this.scheduleDial();
  }

  private scheduleDial(): void {
    let delay: number;
    if (this.restartDelayMs !== undefined) {
      delay = this.restartDelayMs;
      this.restartDelayMs = undefined;
    } else {
      const min = this.options.reconnectMinMs ?? 1000;
      const max = this.options.reconnectMaxMs ?? 60_000;
      const base = Math.min(max, min * 2 ** this.attempts);
      this.attempts += 1;
      delay = base / 2 + Math.random() * (base / 2);
    }
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) this.dial();
    }, delay);
  }

  private write(text: string): boolean {
    const socket = this.socket;
    if (!this.open || !socket) return false;
    socket.send(text);
    this.options.observer?.frameSent();
    this.options.onFrame?.('out', text);
    return true;
  }

  private sendNext(): void {
    const next = this.queue.shift();
    if (!next) {
      this.wakeIdleWaiters();
      return;
    }
    this.inFlight = next;
    next.sentAt = performance.now();
    next.timer = setTimeout(() => this.timedOut(next), this.callTimeoutMs);
    this.write(serializeCall(next.id, next.action, next.payload));
  }

  private settle(call: PendingCall): void {
    clearTimeout(call.timer);
    this.inFlight = undefined;
    this.sendNext();
  }

  private timedOut(call: PendingCall): void {
    if (this.inFlight !== call) return;
    this.options.observer?.callFailed('timeout');
    this.settle(call);
    call.reject(new CallFailure('timeout', `${call.action}: no answer within ${this.callTimeoutMs} ms`));
  }

  private failAll(): void {
    const calls = this.inFlight ? [this.inFlight, ...this.queue] : [...this.queue];
    if (this.inFlight) clearTimeout(this.inFlight.timer);
    this.inFlight = undefined;
    this.queue.length = 0;
    for (const call of calls) {
      this.options.observer?.callFailed('disconnected');
      call.reject(new CallFailure('disconnected', `${call.action}: connection closed`));
    }
    this.wakeIdleWaiters();
  }

  private wakeIdleWaiters(): void {
    if (this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  private receive(text: string): void {
    this.options.observer?.frameReceived();
    this.options.onFrame?.('in', text);
    const parsed = parseFrame(text, this.version);
    if (!parsed.ok) {
      const { fault } = parsed;
      if (fault.reply) this.write(serializeCallError(fault.id, fault.kind, fault.message, this.version));
      return;
    }
    const frame = parsed.frame;
    switch (frame.type) {
      case CALL:
        this.answer(frame);
        return;
      case CALLRESULT: {
        const call = this.inFlight;
        if (!call || call.id !== frame.id) return; // late answer to a timed-out CALL
        this.options.observer?.callSucceeded(performance.now() - call.sentAt);
        this.settle(call);
        call.resolve(frame.payload);
        return;
      }
      case CALLERROR:
      case CALLRESULTERROR: {
        const call = this.inFlight;
        if (!call || call.id !== frame.id) return;
        this.options.observer?.callFailed('error');
        this.settle(call);
        call.reject(new RpcError(fromWireCode(frame.code), frame.description || frame.code, frame.details));
        return;
      }
      default:
        return; // SEND (2.1): nothing to answer
    }
  }

  private answer(frame: CallFrame): void {
    const handler = this.options.onCall;
    if (!handler) {
      this.write(serializeCallError(frame.id, 'NotImplemented', `${frame.action} is not implemented`, this.version));
      return;
    }
    let result: Reply | undefined | Promise<Reply | undefined>;
    try {
      result = handler(frame.action, frame.payload);
    } catch (error) {
      this.answerError(frame.id, error);
      return;
    }
    if (result instanceof Promise) {
      result.then((reply) => this.answerResult(frame.id, reply), (error: unknown) => this.answerError(frame.id, error));
    } else {
      this.answerResult(frame.id, result);
    }
  }

  private answerResult(id: string, reply: Reply | undefined): void {
    if (!reply) return;
    if (this.write(serializeCallResult(id, reply.payload))) reply.afterSend?.();
  }

  private answerError(id: string, error: unknown): void {
    const rpc = error instanceof RpcError ? error : new RpcError('InternalError', String(error));
    this.write(serializeCallError(id, rpc.kind, rpc.message, this.version, rpc.details));
  }
}
