import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  CALL,
  CALLERROR,
  CALLRESULT,
  parseFrame,
  serializeCall,
  serializeCallResult,
  type Payload,
} from '../../../src/ocpp/rpc/frames.ts';
import { schemaValidator } from '../../../src/ocpp/validation/schema-validator.ts';

/** A CALL the CSMS received from a station. */
export interface ReceivedCall {
  stationId: string;
  action: string;
  payload: Payload;
}

/** Builds the CALLRESULT payload for a station's CALL (maybe later); undefined = never answer. */
export type Responder = (payload: Payload, stationId: string) => Payload | undefined | Promise<Payload | undefined>;

/** The outcome of a CSMS-to-station CALL. */
export type CallOutcome = { ok: true; payload: Payload } | { ok: false; code: string; description: string };

const now = (): string => new Date().toISOString();

/**
 * A minimal OCPP 1.6 CSMS for tests, built on the project's frame helpers: it records every CALL from stations
 * (and checks it against the 1.6 request schema), answers with per-action responders, and sends CALLs to stations.
 */
export class MiniCsms {
  readonly url: string;
  readonly received: ReceivedCall[] = [];
  /** Every frame from stations in arrival order: `<stationId> CALL <action>` or `<stationId> CALLRESULT <action>`. */
  readonly journal: string[] = [];
  /** Requests from stations that failed the 1.6 schema. */
  readonly violations: string[] = [];
  /** The Authorization header of each station's last connection. */
  readonly authorization = new Map<string, string | undefined>();
  connections = 0;
  readonly responders: Map<string, Responder>;
  private readonly server: WebSocketServer;
  private readonly sockets = new Map<string, WebSocket>();
  private readonly pending = new Map<string, { action: string; settle: (outcome: CallOutcome) => void }>();
  private readonly listeners = new Set<() => void>();
  private nextCallId = 1;
  private nextTransactionId = 1;

  private readonly validate: boolean;

  private constructor(server: WebSocketServer, validate: boolean) {
    this.server = server;
    this.validate = validate;
    const address = server.address() as AddressInfo;
    this.url = `ws://127.0.0.1:${address.port}/ocpp`;
    this.responders = new Map<string, Responder>([
      ['BootNotification', () => ({ status: 'Accepted', currentTime: now(), interval: 300 })],
      ['Heartbeat', () => ({ currentTime: now() })],
      ['Authorize', () => ({ idTagInfo: { status: 'Accepted' } })],
      ['StartTransaction', () => ({ transactionId: this.nextTransactionId++, idTagInfo: { status: 'Accepted' } })],
      ['StopTransaction', () => ({ idTagInfo: { status: 'Accepted' } })],
      ['SignCertificate', () => ({ status: 'Accepted' })],
      ['DataTransfer', () => ({ status: 'Accepted' })],
    ]);
    server.on('connection', (socket, request) => {
      const stationId = decodeURIComponent((request.url ?? '').split('/').pop() ?? '');
      this.connections++;
      this.authorization.set(stationId, request.headers.authorization);
      this.sockets.set(stationId, socket);
      socket.on('message', (data) => this.receive(stationId, socket, String(data)));
      socket.on('close', () => {
        if (this.sockets.get(stationId) === socket) this.sockets.delete(stationId);
      });
    });
  }

  /** `validate: false` skips the schema check of station requests (and the one-off cost of compiling the schemas). */
  static start({ validate = true } = {}): Promise<MiniCsms> {
    return new Promise((resolve) => {
      const server = new WebSocketServer({
        host: '127.0.0.1',
        port: 0,
        handleProtocols: (protocols) => (protocols.has('ocpp1.6') ? 'ocpp1.6' : false),
      });
      server.on('listening', () => resolve(new MiniCsms(server, validate)));
    });
  }

  /** The CALLs received with this action (optionally from one station). */
  calls(action: string, stationId?: string): ReceivedCall[] {
    return this.received.filter((c) => c.action === action && (stationId === undefined || c.stationId === stationId));
  }

  /** Resolves with the first received CALL at index >= `from` that matches. */
  waitFor(match: (call: ReceivedCall) => boolean, from = 0, timeoutMs = 3000): Promise<ReceivedCall> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.received.slice(from).find(match);
        if (!found) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting; received: ${this.received.slice(from).map((c) => c.action).join(', ')}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      const listener = (): void => void check();
      if (!check()) this.listeners.add(listener);
    });
  }

  /** Waits until `count` CALLs of `action` arrived from `from` on. */
  async waitForCount(action: string, count: number, from = 0, timeoutMs = 3000): Promise<ReceivedCall[]> {
    let seen = 0;
    await this.waitFor((c) => c.action === action && ++seen >= count, from, timeoutMs);
    return this.received.slice(from).filter((c) => c.action === action);
  }

  /** Sends a CALL to a connected station and resolves with its answer. */
  call(stationId: string, action: string, payload: Payload, timeoutMs = 3000): Promise<CallOutcome> {
    const socket = this.sockets.get(stationId);
    if (!socket) return Promise.reject(new Error(`${stationId} is not connected`));
    const id = `csms-${this.nextCallId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${action}: no answer from ${stationId}`));
      }, timeoutMs);
      this.pending.set(id, {
        action,
        settle: (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        },
      });
      socket.send(serializeCall(id, action, payload));
    });
  }

  isConnected(stationId: string): boolean {
    return this.sockets.has(stationId);
  }

  /** Drops a station's socket from the server side. */
  drop(stationId: string): void {
    this.sockets.get(stationId)?.terminate();
  }

  close(): Promise<void> {
    for (const socket of this.sockets.values()) socket.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private receive(stationId: string, socket: WebSocket, text: string): void {
    const parsed = parseFrame(text, 'ocpp1.6');
    if (!parsed.ok) throw new Error(`bad frame from ${stationId}: ${text}`);
    const frame = parsed.frame;
    if (frame.type === CALLRESULT || frame.type === CALLERROR) {
      const pending = this.pending.get(frame.id);
      this.pending.delete(frame.id);
      this.journal.push(`${stationId} ${frame.type === CALLRESULT ? 'CALLRESULT' : 'CALLERROR'} ${pending?.action ?? frame.id}`);
      pending?.settle(
        frame.type === CALLRESULT ? { ok: true, payload: frame.payload } : { ok: false, code: frame.code, description: frame.description },
      );
      return;
    }
    if (frame.type !== CALL) return;
    this.journal.push(`${stationId} CALL ${frame.action}`);
    const violation = this.validate ? schemaValidator().check('ocpp1.6', frame.action, 'request', frame.payload) : undefined;
    if (violation) this.violations.push(`${frame.action}: ${violation.message}`);
    this.received.push({ stationId, action: frame.action, payload: frame.payload });
    const responder = this.responders.get(frame.action) ?? (() => ({}));
    void Promise.resolve(responder(frame.payload, stationId)).then((answer) => {
      if (answer) socket.send(serializeCallResult(frame.id, answer));
    });
    for (const listener of [...this.listeners]) listener();
  }
}
