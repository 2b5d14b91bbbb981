import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RpcErrorKind } from '../../../src/ocpp/rpc/error-codes.ts';
import {
  CALL,
  CALLERROR,
  CALLRESULT,
  parseFrame,
  serializeCall,
  serializeCallError,
  serializeCallResult,
  type Payload,
} from '../../../src/ocpp/rpc/frames.ts';
import { schemaValidator } from '../../../src/ocpp/validation/schema-validator.ts';
import type { OcppVersion } from '../../../src/ocpp/versions.ts';

/** A CALL the CSMS received from a station. */
export interface ReceivedCall {
  stationId: string;
  action: string;
  payload: Payload;
}

/** A responder's way to answer with a CALLERROR instead of a CALLRESULT. */
export class CsmsError {
  readonly kind: RpcErrorKind;
  readonly description: string;
  constructor(kind: RpcErrorKind, description = '') {
    this.kind = kind;
    this.description = description;
  }
}

/** Builds the CALLRESULT payload for a station's CALL (maybe later); undefined = never answer. */
export type Responder = (
  payload: Payload,
  stationId: string,
  version?: OcppVersion,
) => Payload | CsmsError | undefined | Promise<Payload | CsmsError | undefined>;

export interface MiniCsmsOptions {
  /** Check station frames against the schemas (default true; false also skips compiling them). */
  validate?: boolean;
  /** Subprotocols the CSMS agrees to, the first one the station offers wins; default only ocpp1.6. */
  protocols?: readonly OcppVersion[];
}

/** The outcome of a CSMS-to-station CALL. */
export type CallOutcome = { ok: true; payload: Payload } | { ok: false; code: string; description: string };

const now = (): string => new Date().toISOString();

/**
 * A minimal CSMS for tests (OCPP 1.6 by default, 2.0.1 on request, or both), built on the project's frame helpers:
 * it records every CALL from stations and checks every station frame (requests, and the answers to its own CALLs)
 * against the schemas of the connection's version, answers with per-action responders, and sends CALLs to stations.
 */
export class MiniCsms {
  readonly url: string;
  readonly received: ReceivedCall[] = [];
  /** Every frame from stations in arrival order: `<stationId> CALL <action>` or `<stationId> CALLRESULT <action>`. */
  readonly journal: string[] = [];
  /** Station frames that failed their version's schema. */
  readonly violations: string[] = [];
  /** The Authorization header of each station's last connection. */
  readonly authorization = new Map<string, string | undefined>();
  /** The subprotocol of each station's last connection. */
  readonly versions = new Map<string, OcppVersion>();
  connections = 0;
  /** Connections per station. */
  readonly connectionsOf = new Map<string, number>();
  /** Stations whose WebSocket upgrades are refused (HTTP 503) for now: they stay offline. */
  readonly refusing = new Set<string>();
  readonly responders: Map<string, Responder>;
  private readonly server: WebSocketServer;
  private readonly sockets = new Map<string, WebSocket>();
  private readonly pending = new Map<string, { action: string; version: OcppVersion; settle: (outcome: CallOutcome) => void }>();
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
      ['Authorize', (_payload, _id, version) => (version === 'ocpp2.0.1' ? { idTokenInfo: { status: 'Accepted' } } : { idTagInfo: { status: 'Accepted' } })],
      ['StartTransaction', () => ({ transactionId: this.nextTransactionId++, idTagInfo: { status: 'Accepted' } })],
      ['StopTransaction', () => ({ idTagInfo: { status: 'Accepted' } })],
      ['TransactionEvent', (payload) => (payload.idToken === undefined ? {} : { idTokenInfo: { status: 'Accepted' } })],
      ['SignCertificate', () => ({ status: 'Accepted' })],
      ['DataTransfer', () => ({ status: 'Accepted' })],
    ]);
    server.on('connection', (socket, request) => {
      const stationId = decodeURIComponent((request.url ?? '').split('/').pop() ?? '');
      const version = socket.protocol as OcppVersion;
      this.connections++;
      this.connectionsOf.set(stationId, (this.connectionsOf.get(stationId) ?? 0) + 1);
      this.authorization.set(stationId, request.headers.authorization);
      this.versions.set(stationId, version);
      this.sockets.set(stationId, socket);
      socket.on('message', (data) => this.receive(stationId, version, socket, String(data)));
      socket.on('close', () => {
        if (this.sockets.get(stationId) === socket) this.sockets.delete(stationId);
      });
    });
  }

  /** `validate: false` skips the schema checks. */
  static start({ validate = true, protocols = ['ocpp1.6'] }: MiniCsmsOptions = {}): Promise<MiniCsms> {
    return new Promise((resolve) => {
      let csms: MiniCsms | undefined;
      const server = new WebSocketServer({
        host: '127.0.0.1',
        port: 0,
        handleProtocols: (offered) => protocols.find((p) => offered.has(p)) ?? false,
        verifyClient: (info, done) => {
          const stationId = decodeURIComponent((info.req.url ?? '').split('/').pop() ?? '');
          if (csms?.refusing.has(stationId)) done(false, 503);
          else done(true);
        },
      });
      server.on('listening', () => {
        csms = new MiniCsms(server, validate);
        resolve(csms);
      });
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

  /** Waits until `count` CALLs of `action` arrived from `from` on (from one station, if given). */
  async waitForCount(action: string, count: number, from = 0, timeoutMs = 3000, stationId?: string): Promise<ReceivedCall[]> {
    const matches = (c: ReceivedCall): boolean => c.action === action && (stationId === undefined || c.stationId === stationId);
    await this.waitFor(() => this.received.slice(from).filter(matches).length >= count, from, timeoutMs);
    return this.received.slice(from).filter(matches);
  }

  /** Sends a CALL to a connected station and resolves with its answer. */
  call(stationId: string, action: string, payload: Payload, timeoutMs = 3000): Promise<CallOutcome> {
    const socket = this.sockets.get(stationId);
    if (!socket) return Promise.reject(new Error(`${stationId} is not connected`));
    const id = `csms-${this.nextCallId++}`;
    const version = this.versions.get(stationId) ?? 'ocpp1.6';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${action}: no answer from ${stationId}`));
      }, timeoutMs);
      this.pending.set(id, {
        action,
        version,
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

  private receive(stationId: string, version: OcppVersion, socket: WebSocket, text: string): void {
    const parsed = parseFrame(text, version);
    if (!parsed.ok) {
      this.violations.push(`${stationId}: unreadable frame ${text.slice(0, 200)}`);
      return;
    }
    const frame = parsed.frame;
    if (frame.type === CALLRESULT || frame.type === CALLERROR) {
      const pending = this.pending.get(frame.id);
      this.pending.delete(frame.id);
      this.journal.push(`${stationId} ${frame.type === CALLRESULT ? 'CALLRESULT' : 'CALLERROR'} ${pending?.action ?? frame.id}`);
      if (frame.type === CALLRESULT && pending && this.validate) {
        const violation = schemaValidator().check(pending.version, pending.action, 'response', frame.payload);
        if (violation) this.violations.push(`${stationId} ${pending.action} response: ${violation.message}`);
      }
      pending?.settle(
        frame.type === CALLRESULT ? { ok: true, payload: frame.payload } : { ok: false, code: frame.code, description: frame.description },
      );
      return;
    }
    if (frame.type !== CALL) return;
    this.journal.push(`${stationId} CALL ${frame.action}`);
    const violation = this.validate ? schemaValidator().check(version, frame.action, 'request', frame.payload) : undefined;
    if (violation) this.violations.push(`${stationId} ${frame.action}: ${violation.message}`);
    this.received.push({ stationId, action: frame.action, payload: frame.payload });
    const responder = this.responders.get(frame.action) ?? (() => ({}));
    void Promise.resolve(responder(frame.payload, stationId, version)).then((answer) => {
      if (answer instanceof CsmsError) socket.send(serializeCallError(frame.id, answer.kind, answer.description, version));
      else if (answer) socket.send(serializeCallResult(frame.id, answer));
    });
    for (const listener of [...this.listeners]) listener();
  }
}
