import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { StationCallOutcome } from '../cluster/bus.ts';
import type { Logger } from '../logging.ts';
import type { SessionState, VersionAdapter } from '../ocpp/adapter.ts';
import { RpcError } from '../ocpp/rpc/error-codes.ts';
import {
  CALL, CALLERROR, CALLRESULT, CALLRESULTERROR, SEND, parseFrame, serializeCall, serializeCallError,
  serializeCallResult, serializeRpcError, type CallFrame, type Payload,
} from '../ocpp/rpc/frames.ts';
import type { PayloadAdmission } from '../ocpp/validation/payload-admission.ts';
import type { SchemaValidator } from '../ocpp/validation/schema-validator.ts';
import type { OcppVersion } from '../ocpp/versions.ts';
import type { RegistrationStatus, ValidationMode } from '../store/ports.ts';
import type { SessionOptions } from './session-options.ts';
import type { ValidationModes } from './validation-modes.ts';

/** WebSocket close codes used by the gateway. */
export const CLOSE_REPLACED = 4000;
export const CLOSE_POLICY = 1008;
export const CLOSE_GOING_AWAY = 1001;

/** Station CALLs that may wait behind the one being handled (a well-behaved station sends one at a time). */
const MAX_INBOUND_BACKLOG = 20;

interface OutboundCall {
  id: string;
  action: string;
  payload: Payload;
  timer: NodeJS.Timeout;
  settle: (outcome: StationCallOutcome) => void;
}

/**
 * One station's WebSocket connection: reads frames, hands station CALLs to the version adapter one at a time (so a
 * station's messages are handled in the order sent), and sends operator CALLs one at a time with a queue behind.
 */
export class StationSession implements SessionState {
  readonly stationId: string;
  readonly version: OcppVersion;
  readonly connectionId = randomUUID();
  registration: RegistrationStatus | null = null;
  readonly triggered = new Set<string>();
  /** How this station's messages are validated; undefined = ask `modes` before the next message (it changed). */
  validationMode: ValidationMode | undefined;
  /** The station's own validation setting (null: none); undefined = ask `modes` when it is needed (it changed). */
  ownValidationMode: ValidationMode | null | undefined;

  private readonly ws: WebSocket;
  private readonly adapter: VersionAdapter;
  private readonly validator: SchemaValidator;
  private readonly admission: PayloadAdmission;
  private readonly modes: ValidationModes;
  private readonly log: Logger;
  private readonly options: SessionOptions;
  private readonly onClosed: (session: StationSession, reason: string) => void;

  private busy = false;
  private readonly backlog: CallFrame[] = [];
  private readonly inboundIds = new Set<string>();
  private readonly queue: OutboundCall[] = [];
  private inFlight: OutboundCall | undefined;
  private lastMessageAt = Date.now();
  private pongPending = false;
  private badMessages = 0;
  private badWindowStart = Date.now();
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(init: {
    ws: WebSocket;
    stationId: string;
    version: OcppVersion;
    adapter: VersionAdapter;
    validator: SchemaValidator;
    admission: PayloadAdmission;
    modes: ValidationModes;
    validationMode: ValidationMode;
    ownValidationMode: ValidationMode | null;
    logger: Logger;
    options: SessionOptions;
    onClosed: (session: StationSession, reason: string) => void;
  }) {
    this.ws = init.ws;
    this.stationId = init.stationId;
    this.version = init.version;
    this.adapter = init.adapter;
    this.validator = init.validator;
    this.admission = init.admission;
    this.modes = init.modes;
    this.validationMode = init.validationMode;
    this.ownValidationMode = init.ownValidationMode;
    this.log = init.logger;
    this.options = init.options;
    this.onClosed = init.onClosed;

    this.ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    this.ws.on('pong', () => {
      this.pongPending = false;
      // A station that answers pings is alive even if it heartbeats once a day (Zaptec, Easee: HeartbeatInterval
      // 86400): with pings on, a pong counts like a message, and the idle timeout catches only silent links.
      this.lastMessageAt = Date.now();
    });
    this.ws.on('close', (code, reason) => this.closedBySocket(`closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`));
    this.ws.on('error', (err) => this.log.warn({ stationId: this.stationId, err: err.message }, 'station socket error'));
    const period = this.options.pingIntervalMs > 0 ? this.options.pingIntervalMs : Math.min(this.options.idleTimeoutMs, 30_000);
    this.timer = setInterval(() => this.checkLiveness(), period);
    this.timer.unref();
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Closes the connection (e.g. replaced by a newer one, or the server stops). */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, reason);
    // A peer that does not complete the closing handshake is cut off.
    setTimeout(() => this.ws.terminate(), 5_000).unref();
    this.closedBySocket(reason);
  }

  /** A CALL the CSMS initiates on its own (reconciliation): validated like operator commands by the caller. */
  callStation(action: string, payload: Payload): Promise<StationCallOutcome> {
    return this.call(action, payload, this.options.systemCallTimeoutMs);
  }

  /** Sends an operator CALL; resolves with the station's answer, or `timeout` / `offline`. */
  call(action: string, payload: Payload, timeoutMs: number): Promise<StationCallOutcome> {
    if (this.closed) return Promise.resolve({ status: 'offline' });
    if (this.queue.length >= this.options.maxQueuedCalls) {
      return Promise.resolve({ status: 'refused', message: `Station ${this.stationId} has ${this.queue.length} commands queued; try again later` });
    }
    return new Promise((resolve) => {
      const call: OutboundCall = {
        id: randomUUID(),
        action,
        payload,
        settle: resolve,
        timer: setTimeout(() => this.expire(call), timeoutMs),
      };
      this.queue.push(call);
      this.sendNext();
    });
  }

  private sendNext(): void {
    if (this.inFlight || this.closed) return;
    const next = this.queue.shift();
    if (!next) return;
    this.inFlight = next;
    this.ws.send(serializeCall(next.id, next.action, next.payload));
  }

  private expire(call: OutboundCall): void {
    if (this.inFlight === call) {
      this.inFlight = undefined;
      this.sendNext();
    } else {
      const index = this.queue.indexOf(call);
      if (index >= 0) this.queue.splice(index, 1);
    }
    call.settle({ status: 'timeout' });
  }

  private settleInFlight(id: string, outcome: StationCallOutcome): void {
    const call = this.inFlight;
    if (!call || call.id !== id) {
      this.log.debug({ stationId: this.stationId, messageId: id }, 'answer to no pending call (late or unknown); ignored');
      return;
    }
    clearTimeout(call.timer);
    this.inFlight = undefined;
    call.settle(outcome);
    this.sendNext();
  }

  private receive(data: unknown, isBinary: boolean): void {
    this.lastMessageAt = Date.now();
    if (isBinary) {
      this.bad('binary frame (OCPP-J frames are text)');
      return;
    }
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    const parsed = parseFrame(text, this.version);
    if (!parsed.ok) {
      const { fault } = parsed;
      this.bad(fault.message);
      if (fault.reply) this.send(serializeCallError(fault.id, fault.kind, fault.message, this.version));
      return;
    }
    const frame = parsed.frame;
    switch (frame.type) {
      case CALL:
        this.acceptCall(frame);
        return;
      case SEND:
        this.acceptSend(frame.action, frame.payload);
        return;
      case CALLRESULT: {
        const call = this.inFlight;
        if (call && call.id === frame.id) {
          let response = frame.payload;
          const violation = this.validator.check(this.version, call.action, 'response', response);
          if (violation) {
            const admitted = this.validationMode === undefined || this.validationMode === 'strict'
              ? undefined
              : this.admission.admit(this.validationMode, this.version, call.action, 'response', response);
            if (!admitted?.accept) {
              const refused = admitted?.violation ?? violation;
              this.settleInFlight(frame.id, {
                status: 'error',
                error: { code: 'InvalidResponse', description: `The station's ${call.action} response fails the schema: ${refused.message}`, details: refused.errors },
              });
              return;
            }
            this.tolerated(`${call.action} response`, admitted);
            response = admitted.payload;
          }
          const request = call.payload;
          this.settleInFlight(frame.id, { status: 'completed', response });
          this.adapter.commandAnswered(this, call.action, request, response).catch((err: unknown) => {
            this.log.error({ stationId: this.stationId, action: call.action, err }, 'processing a command answer failed');
          });
        } else {
          this.settleInFlight(frame.id, { status: 'completed', response: frame.payload });
        }
        return;
      }
      case CALLERROR:
        this.settleInFlight(frame.id, { status: 'error', error: { code: frame.code, description: frame.description, details: frame.details } });
        return;
      case CALLRESULTERROR:
        this.log.warn({ stationId: this.stationId, messageId: frame.id, code: frame.code, description: frame.description }, 'station could not process our CALLRESULT');
        return;
    }
  }

  /** 2.1 SEND: unconfirmed, so never answered; an unusable one is only logged (and counted as bad). */
  private acceptSend(action: string, payload: Payload): void {
    if (!this.validator.knows(this.version, action) || !this.adapter.handleSend) {
      this.bad(`SEND ${action} is not a message this central system takes`);
      return;
    }
    const violation = this.validator.check(this.version, action, 'request', payload);
    if (violation) {
      this.bad(`SEND ${action}: ${violation.message}`);
      return;
    }
    this.adapter.handleSend(this, action, payload).catch((err: unknown) => {
      this.log.error({ stationId: this.stationId, action, err }, 'handling a SEND failed');
    });
  }

  private acceptCall(frame: CallFrame): void {
    if (this.inboundIds.has(frame.id)) {
      this.send(serializeCallError(frame.id, 'ProtocolError', 'A CALL with this message id is still being processed', this.version));
      return;
    }
    if (this.busy) {
      // A station should wait for each answer before its next CALL; a few overlapping ones wait their turn.
      if (this.backlog.length >= MAX_INBOUND_BACKLOG) {
        this.bad('too many CALLs without waiting for the answers');
        this.send(serializeCallError(frame.id, 'GenericError', 'Too many CALLs in flight: wait for each answer before the next CALL', this.version));
        return;
      }
      this.inboundIds.add(frame.id);
      this.backlog.push(frame);
      return;
    }
    this.inboundIds.add(frame.id);
    this.process(frame);
  }

  /** Station CALLs are handled strictly one after another: a station's transaction messages must not overtake each other. */
  private process(frame: CallFrame): void {
    this.busy = true;
    this.answer(frame).then(
      (reply) => this.finished(frame, reply),
      (err: unknown) => {
        this.log.error({ stationId: this.stationId, err }, 'answering a station CALL failed');
        this.finished(frame, serializeCallError(frame.id, 'InternalError', 'The message could not be processed; retry later', this.version));
      },
    );
  }

  private finished(frame: CallFrame, reply: string): void {
    this.inboundIds.delete(frame.id);
    this.send(reply);
    const next = this.backlog.shift();
    if (next) this.process(next);
    else this.busy = false;
  }

  /** The reply frame for a station CALL. Never throws: failures become CALLERRORs. */
  private async answer(frame: CallFrame): Promise<string> {
    const { id, action, payload } = frame;
    if (!this.validator.knows(this.version, action)) {
      this.bad(`unknown action ${action}`);
      return serializeCallError(id, 'NotImplemented', `${action} is not an OCPP ${this.version.slice(4)} action`, this.version);
    }
    if (!this.adapter.handles(action)) {
      return serializeCallError(id, 'NotSupported', `${action} is not supported by this central system`, this.version);
    }
    let body = payload;
    const mode = this.validationMode ?? (await this.lookUpValidationModes()).mode;
    const violation = this.validator.check(this.version, action, 'request', payload);
    if (violation || (mode !== 'strict' && this.admission.hasTimestampsToRepair(this.version, action, 'request', payload))) {
      // A boot names the station's make, which may have a vendor rule of its own (field notes §2 #2).
      const effective = action === 'BootNotification' ? await this.bootValidationMode(payload) : mode;
      const admitted = this.admission.admit(effective, this.version, action, 'request', payload);
      if (!admitted.accept) {
        this.bad(`${action}: ${admitted.violation.message}`);
        return serializeCallError(id, admitted.violation.kind, `${action}: ${admitted.violation.message}`, this.version);
      }
      this.tolerated(action, admitted);
      body = admitted.payload;
    }
    try {
      const result = await this.adapter.handleCall(this, action, body);
      // The boot may have changed what the station is (vendor, model, firmware), and with it the vendor rule.
      if (action === 'BootNotification') this.validationMode = await this.bootValidationMode(body);
      return serializeCallResult(id, result);
    } catch (err) {
      if (err instanceof RpcError) return serializeRpcError(id, err, this.version);
      this.log.error({ stationId: this.stationId, action, err }, 'handling a station message failed');
      return serializeCallError(id, 'InternalError', `${action} could not be processed; retry later`, this.version);
    }
  }

  /** Reads the station's validation settings again (after they changed). */
  private async lookUpValidationModes(): Promise<{ own: ValidationMode | null; mode: ValidationMode }> {
    const modes = await this.modes.forStation(this.stationId);
    this.validationMode = modes.mode;
    this.ownValidationMode = modes.own;
    return modes;
  }

  /** The mode for the make a BootNotification names; reads the station only if its own setting changed. */
  private async bootValidationMode(payload: Payload): Promise<ValidationMode> {
    const own = this.ownValidationMode === undefined ? (await this.lookUpValidationModes()).own : this.ownValidationMode;
    return this.modes.forBoot(own, this.adapter.bootIdentity('BootNotification', payload));
  }

  /** Logs what lenient or log-only validation changed or let through (field notes §3: normal for such stations). */
  private tolerated(what: string, admitted: { fixes: readonly { path: string; message: string }[]; remaining: readonly { path: string; message: string }[] }): void {
    if (admitted.fixes.length === 0 && admitted.remaining.length === 0) return;
    this.log.info(
      { stationId: this.stationId, mode: this.validationMode, fixes: admitted.fixes.map((f) => `${f.path}: ${f.message}`), remaining: admitted.remaining.map((r) => `${r.path}: ${r.message}`) },
      `accepted a non-conformant ${what}`,
    );
  }

  private send(text: string): void {
    if (!this.closed) this.ws.send(text);
  }

  /** Counts a bad message; a station over its budget is disconnected (other stations are unaffected). */
  private bad(reason: string): void {
    const now = Date.now();
    if (now - this.badWindowStart > this.options.badMessageWindowMs) {
      this.badWindowStart = now;
      this.badMessages = 0;
    }
    this.badMessages++;
    this.log.warn({ stationId: this.stationId, reason }, 'bad message from station');
    if (this.badMessages > this.options.maxBadMessages) {
      this.log.warn({ stationId: this.stationId, count: this.badMessages }, 'bad-message budget exhausted; closing');
      this.close(CLOSE_POLICY, 'too many bad messages');
    }
  }

  private checkLiveness(): void {
    if (this.closed) return;
    // With pings on, a pong is a sign of life too, so the idle limit must leave room for at least one ping round
    // trip (a late timer under load must not drop a station before it was ever pinged).
    const idleLimitMs = this.options.pingIntervalMs > 0 ? Math.max(this.options.idleTimeoutMs, 2 * this.options.pingIntervalMs) : this.options.idleTimeoutMs;
    if (Date.now() - this.lastMessageAt > idleLimitMs) {
      this.log.info({ stationId: this.stationId }, 'no message within the idle timeout; station considered offline');
      this.ws.terminate();
      this.closedBySocket('idle timeout');
      return;
    }
    if (this.options.pingIntervalMs <= 0) return;
    if (this.pongPending) {
      this.log.info({ stationId: this.stationId }, 'no pong to the last ping; station considered offline');
      this.ws.terminate();
      this.closedBySocket('ping timeout');
      return;
    }
    this.pongPending = true;
    this.ws.ping();
  }

  private closedBySocket(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    const pending = this.inFlight ? [this.inFlight, ...this.queue] : [...this.queue];
    this.inFlight = undefined;
    this.queue.length = 0;
    for (const call of pending) {
      clearTimeout(call.timer);
      call.settle({ status: 'offline' });
    }
    this.onClosed(this, reason);
  }
}
