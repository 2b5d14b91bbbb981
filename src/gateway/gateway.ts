import type { IncomingMessage, Server } from 'node:http';
import type { Server as TlsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import type { StationCallOutcome, StationCallRequest } from '../cluster/bus.ts';
import type { Domain } from '../domain/domain.ts';
import type { Logger } from '../logging.ts';
import type { TranslatedRequest, VersionAdapter } from '../ocpp/adapter.ts';
import { PayloadAdmission } from '../ocpp/validation/payload-admission.ts';
import type { SchemaValidator } from '../ocpp/validation/schema-validator.ts';
import { isOcppVersion, type OcppVersion } from '../ocpp/versions.ts';
import type { ConnectionSecurity, StationAdmission } from '../domain/stations/station-authentication.ts';
import type { StationRecord } from '../store/ports.ts';
import { type ClientCertificateCheck, ClientCertificateVerifier, type PresentedCertificate } from './client-certificate-verifier.ts';
import type { SessionOptions } from './session-options.ts';
import { SessionRegistry } from './session-registry.ts';
import { CLOSE_GOING_AWAY, CLOSE_REPLACED, StationSession } from './station-session.ts';
import { negotiate, offeredSubprotocols, stationIdFromPath } from './subprotocol.ts';
import { presentedCertificate } from './tls-listener.ts';
import { TrustedProxies } from './trusted-proxies.ts';
import { validationModes, type ValidationModes } from './validation-modes.ts';

export interface GatewayOptions {
  /** URL path prefix of station connections. */
  path: string;
  /** Largest accepted frame; a larger one closes the connection (1009). */
  maxFrameBytes: number;
  /** Protocol for stations that offer none and have none configured; undefined refuses them. */
  defaultProtocol: OcppVersion | undefined;
  session: SessionOptions;
  /** Profile 3 and TLS termination at a proxy; absent: no client CA, no trusted proxy. */
  security?: GatewaySecurityOptions;
}

export interface GatewaySecurityOptions {
  /** PEM of the CAs station client certificates must chain to (JOULE_TLS_CLIENT_CA). */
  clientCaPem?: string | undefined;
  /** Addresses or CIDRs of TLS-terminating proxies whose client-certificate header is believed. */
  trustedProxies?: readonly string[];
  /** Header carrying the client certificate from such a proxy (URL-encoded PEM); default `x-client-cert`. */
  proxyCertificateHeader?: string;
  /** Called for a profile-3 certificate after the chain, validity and CN checks passed (revocation, inventory). */
  clientCertificateCheck?: ClientCertificateCheck;
}

const PROTOCOL_ERROR = 1002;

/**
 * The WebSocket edge: upgrades `/ocpp/{stationId}` on the shared HTTP server, negotiates the OCPP version, admits
 * or refuses the station, and runs one StationSession per socket. It also executes the operator commands that the
 * bus routes to the stations this node holds.
 */
export class Gateway {
  readonly sessions = new SessionRegistry();
  private readonly wss: WebSocketServer;
  /** For 2.x stations: OCPP-J 2.0.1 (errata 2025-01) and 2.1 require the CSMS to support RFC 7692 compression. */
  private readonly wssDeflate: WebSocketServer;
  private readonly domain: Domain;
  private readonly adapters: ReadonlyMap<OcppVersion, VersionAdapter>;
  private readonly validator: SchemaValidator;
  private readonly admission: PayloadAdmission;
  private readonly modes: ValidationModes;
  private readonly log: Logger;
  private readonly options: GatewayOptions;
  private readonly certificates: ClientCertificateVerifier;
  private readonly proxies: TrustedProxies;
  private stopping = false;

  constructor(init: { domain: Domain; adapters: VersionAdapter[]; validator: SchemaValidator; logger: Logger; options: GatewayOptions }) {
    this.domain = init.domain;
    this.adapters = new Map(init.adapters.map((a) => [a.version, a]));
    this.validator = init.validator;
    this.admission = new PayloadAdmission(init.validator);
    this.modes = validationModes(init.domain);
    this.log = init.logger;
    this.options = init.options;
    const security = init.options.security ?? {};
    this.certificates = new ClientCertificateVerifier(security.clientCaPem, security.clientCertificateCheck);
    this.proxies = new TrustedProxies(security.trustedProxies ?? [], security.proxyCertificateHeader ?? 'x-client-cert');
    const serverOptions = {
      noServer: true,
      maxPayload: this.options.maxFrameBytes,
      clientTracking: false,
      // The protocol is chosen before the upgrade (see upgrade()); ws only echoes it.
      handleProtocols: (_offered: Set<string>, request: IncomingMessage) => (request as UpgradeRequest).ocppProtocolHeader ?? false,
    };
    // 1.6 recommends against compression; most 1.6 frames are small and it costs memory per connection.
    this.wss = new WebSocketServer({ ...serverOptions, perMessageDeflate: false });
    // Only when the station offers it. No context takeover keeps no zlib window per idle connection; frames under
    // 1 KB (heartbeats, status) are sent as they are.
    this.wssDeflate = new WebSocketServer({
      ...serverOptions,
      perMessageDeflate: { serverNoContextTakeover: true, clientNoContextTakeover: true, threshold: 1024, zlibDeflateOptions: { level: 3, memLevel: 7 } },
    });
    this.domain.bus.serveStationCalls((request) => this.callStation(request));
    this.domain.bus.onClaimedElsewhere((stationId) => this.replacedElsewhere(stationId));
    // A changed station setting or vendor rule applies from the station's next message on.
    this.domain.bus.subscribe((event) => {
      if (event.type === 'validation.rules-changed') {
        for (const session of this.sessions.all()) session.validationMode = undefined;
      } else if (event.type === 'station.registered' && event.stationId) {
        const session = this.sessions.get(event.stationId);
        if (session) {
          session.validationMode = undefined;
          session.ownValidationMode = undefined;
        }
      }
    });
  }

  get supportedVersions(): OcppVersion[] {
    return [...this.adapters.keys()];
  }

  /**
   * Takes over the server's upgrade requests: the plain HTTP server, and the TLS listener (`tls: true`) for security
   * profiles 2 and 3. Both run the same upgrade path; only what the connection proves differs.
   */
  attach(server: Server | TlsServer, listener: { tls: boolean } = { tls: false }): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.upgrade(req, socket, head, listener.tls).catch((err: unknown) => {
        this.log.error({ err }, 'WebSocket upgrade failed');
        refuse(socket, 500, 'Internal Server Error');
      });
    });
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, tlsListener: boolean): Promise<void> {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (this.stopping) return refuse(socket, 503, 'Service Unavailable');
    const parsed = stationIdFromPath(url.pathname, this.options.path);
    if ('error' in parsed) {
      this.log.info({ path: url.pathname, reason: parsed.error }, 'connection refused: bad station path');
      return refuse(socket, url.pathname.startsWith(`${this.options.path}/`) ? 400 : 404, parsed.error);
    }
    const stationId = parsed.id;
    const remoteAddress = req.socket.remoteAddress;
    // An address that failed authentication too often is held back before any read or scrypt check.
    const retryAfterMs = this.domain.stations.authFailures.retryAfterMs(remoteAddress ?? '');
    if (retryAfterMs > 0) {
      this.log.debug({ stationId, remoteAddress }, 'connection refused: too many failed authentications from this address');
      return refuse(socket, 429, 'too many failed authentications', { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)) });
    }
    const known = await this.domain.stations.forConnection(stationId);
    if (!this.domain.stations.admits(known)) {
      this.log.info({ stationId, remoteAddress }, 'connection refused: unknown station (JOULE_UNKNOWN_STATIONS=reject)');
      return refuse(socket, 404, 'Not Found');
    }
    const station = known?.station;
    const configured = station?.defaultProtocol && isOcppVersion(station.defaultProtocol) ? station.defaultProtocol : this.options.defaultProtocol;
    const offered = offeredSubprotocols(req.headers['sec-websocket-protocol']);
    const choice = negotiate(offered, new Set(this.adapters.keys()), configured);
    // ws parses the header strictly; hand it the cleaned list so odd lists (",ocpp1.6") do not fail the handshake.
    if (offered.length > 0) req.headers['sec-websocket-protocol'] = offered.join(', ');
    else delete req.headers['sec-websocket-protocol'];
    (req as UpgradeRequest).ocppProtocolHeader = choice.version && 'offered' in choice && choice.offered ? choice.version : undefined;

    // Security profile, client certificate and HTTP Basic authentication, before the handshake ([SEC] §2.3). Only at
    // connect: a session is never checked again.
    const security = await this.connectionSecurity(req, stationId, station, tlsListener);
    const admission = await this.domain.stations.authenticate(known, stationId, {
      protocol: choice.version,
      authorization: req.headers.authorization,
      security,
    });
    if (!admission.ok) return this.refuseAuthentication(socket, stationId, remoteAddress, station, admission);
    if (admission.form !== undefined) this.log.debug({ stationId, passwordForm: admission.form }, 'station authenticated');

    if (socket.destroyed) return;
    const server = choice.version && choice.version !== 'ocpp1.6' ? this.wssDeflate : this.wss;
    server.handleUpgrade(req, socket, head, (ws) => {
      if (!choice.version) {
        // No common subprotocol: complete the handshake without one, then close at once (OCPP-J §3.1).
        this.log.warn({ stationId, remoteAddress, offered }, `connection refused: ${choice.reason}`);
        ws.close(PROTOCOL_ERROR, 'no supported OCPP subprotocol');
        return;
      }
      if (!choice.offered) this.log.info({ stationId, version: choice.version }, 'station offered no subprotocol; using the configured one');
      this.open(ws, stationId, choice.version, remoteAddress, station, admission).catch((err: unknown) => {
        this.log.error({ stationId, err }, 'opening a station session failed');
        ws.terminate();
      });
    });
  }

  private async open(
    ws: WebSocket,
    stationId: string,
    version: OcppVersion,
    remoteAddress: string | undefined,
    station: StationRecord | undefined,
    admission: StationAdmission & { ok: true },
  ): Promise<void> {
    const adapter = this.adapters.get(version);
    if (!adapter) throw new Error(`no adapter for ${version}`);
    const session = new StationSession({
      ws,
      stationId,
      version,
      adapter,
      validator: this.validator,
      admission: this.admission,
      modes: this.modes,
      validationMode: await this.domain.validation.modeFor(station),
      ownValidationMode: station?.validationMode ?? null,
      logger: this.log,
      options: this.options.session,
      onClosed: (s, reason) => this.closed(s, reason),
    });
    // A station that reconnects without booting again keeps its registration (2.x §5.3: no new BootNotification).
    session.registration = station?.registrationStatus ?? null;
    const previous = this.sessions.put(session);
    if (previous) {
      this.log.info({ stationId }, 'newer connection replaces the open one');
      previous.close(CLOSE_REPLACED, 'replaced by a newer connection');
    }
    await this.domain.stations.connected(stationId, version, remoteAddress, station === undefined, {
      securityProfile: admission.profile,
      raiseTo: admission.raiseTo,
      pendingPasswordUsed: admission.pendingPasswordUsed,
    });
    this.log.info({ stationId, version, remoteAddress, securityProfile: admission.profile }, 'station connected');
  }

  /**
   * What the connection proves: TLS (Joule's listener, or a trusted proxy that terminated it) and the verdict on the
   * client certificate it presented (in the handshake, or forwarded by a trusted proxy in a header).
   */
  private async connectionSecurity(
    req: IncomingMessage,
    stationId: string,
    station: StationRecord | undefined,
    tlsListener: boolean,
  ): Promise<ConnectionSecurity> {
    const remoteAddress = req.socket.remoteAddress;
    const header = req.headers[this.proxies.header];
    let tls = tlsListener;
    let presented: PresentedCertificate | undefined = tlsListener ? presentedCertificate(req.socket as TLSSocket) : undefined;
    if (this.proxies.trusts(remoteAddress)) {
      tls = true;
      try {
        const forwarded = this.proxies.forwardedCertificate(header);
        if (forwarded !== undefined) presented = { leaf: forwarded, intermediates: [] };
      } catch {
        return { tls, certificate: { accepted: false, reason: `the ${this.proxies.header} header is not a URL-encoded PEM certificate` } };
      }
    } else if (header !== undefined) {
      this.log.warn({ stationId, remoteAddress, header: this.proxies.header }, 'client-certificate header from an address that is not a trusted proxy: ignored');
    }
    if (presented === undefined) return { tls, certificate: undefined };
    return { tls, certificate: await this.certificates.verify(stationId, station, presented) };
  }

  /** Answers a refused authentication: 403 for a downgrade or a refused certificate, 401 for Basic auth. */
  private refuseAuthentication(
    socket: Duplex,
    stationId: string,
    remoteAddress: string | undefined,
    station: StationRecord | undefined,
    admission: StationAdmission & { ok: false },
  ): void {
    const counted = admission.reason !== 'no-password' && admission.reason !== 'downgrade';
    // A station without a usable password, or one connecting the wrong way, guessed nothing: that is configuration.
    if (counted) {
      // Counted while the answer goes out: the next attempt from this address reads what this one left.
      this.domain.stations.authFailures.recordFailure(remoteAddress ?? '').then(
        (heldBack) => {
          if (heldBack) this.log.warn({ remoteAddress }, 'too many failed station authentications from this address: held back for the rest of the minute');
        },
        (err: unknown) => this.log.warn({ remoteAddress, err }, 'failed station authentication not counted in the store; counted in this process only'),
      );
    }
    if (admission.reason === 'downgrade' || admission.reason === 'certificate-refused') {
      this.log.warn({ stationId, remoteAddress, securityProfile: admission.required, securityEvent: admission.reason }, `connection refused: ${admission.detail}`);
      if (station !== undefined) this.domain.stations.securityEvent(stationId, admission.reason, { detail: admission.detail, remoteAddress: remoteAddress ?? null });
      return refuse(socket, 403, admission.detail);
    }
    // The password itself is never logged; only why it failed.
    this.log.warn({ stationId, remoteAddress, reason: admission.reason }, `connection refused: station authentication failed (${admission.detail})`);
    return refuse(socket, 401, 'station authentication failed', { 'WWW-Authenticate': 'Basic realm="OCPP"' });
  }

  /** The station opened a newer connection on another node: this older one goes, without marking it offline. */
  private replacedElsewhere(stationId: string): void {
    const session = this.sessions.get(stationId);
    if (!session) return;
    this.sessions.remove(session);
    this.log.info({ stationId }, 'newer connection on another node replaces the one here');
    session.close(CLOSE_REPLACED, 'replaced by a newer connection');
  }

  private closed(session: StationSession, reason: string): void {
    if (!this.sessions.remove(session)) return; // replaced: the newer session owns the station's presence
    this.domain.stations.disconnected(session.stationId, reason);
    this.log.info({ stationId: session.stationId, reason }, 'station disconnected');
  }

  /** Executes an operator command for a station held by this node. */
  async callStation(request: StationCallRequest): Promise<StationCallOutcome> {
    const session = this.sessions.get(request.stationId);
    if (!session || !session.isOpen) return { status: 'offline' };
    const adapter = this.adapters.get(session.version);
    if (!adapter) return { status: 'offline' };
    let { action, payload } = request;
    const neutral = request.neutral;
    let translated: TranslatedRequest | undefined;
    if (neutral !== undefined) {
      // A version-neutral request (smart charging) becomes this station's version's message here, on its node.
      translated = await adapter.translateRequest(session, neutral);
      if (!translated.ok) return { status: 'invalid', message: translated.message, errors: translated.errors };
      if (translated.changes.length > 0) this.log.info({ stationId: request.stationId, action: translated.action, changes: translated.changes }, 'request fitted to the station');
      ({ action, payload } = translated);
    }
    if (!adapter.commandActions.has(action)) {
      const known = this.validator.knows(session.version, action);
      return {
        status: 'invalid',
        message: known
          ? `${action} is sent by stations, not to them (the station speaks ${session.version})`
          : `${action} is not an operation of ${session.version}, the protocol this station speaks`,
        errors: [],
      };
    }
    let violation = this.validator.check(session.version, action, 'request', payload);
    if (violation) return { status: 'invalid', message: `${action}: ${violation.message}`, errors: violation.errors };
    let completed = false;
    if (neutral === undefined && adapter.completeCommand) {
      // E.g. a remote start on a managed EVSE gets the planner's TxProfile (profile on authorization).
      const completion = await adapter.completeCommand(session, action, payload);
      if (completion) {
        this.log.info({ stationId: request.stationId, action, changes: completion.changes }, 'command completed for the station');
        payload = completion.payload;
        completed = true;
        violation = this.validator.check(session.version, action, 'request', payload);
        if (violation) return { status: 'invalid', message: `${action}: ${violation.message}`, errors: violation.errors };
      }
    }
    const refusal = adapter.refuseCommand(session, action, payload);
    if (refusal) return { status: 'refused', message: refusal };
    const outcome = await session.call(action, payload, request.timeoutMs);
    if (completed && outcome.status === 'completed') return { ...outcome, sent: { action, payload } };
    if (neutral === undefined || translated === undefined || outcome.status !== 'completed') return outcome;
    return { ...outcome, result: adapter.translateResponse(neutral, translated, outcome.response), sent: { action, payload } };
  }

  /** Stops accepting stations and closes every open connection. */
  close(): void {
    this.stopping = true;
    for (const session of [...this.sessions.all()]) session.close(CLOSE_GOING_AWAY, 'server shutting down');
    this.wss.close();
    this.wssDeflate.close();
  }
}

interface UpgradeRequest extends IncomingMessage {
  ocppProtocolHeader?: string | undefined;
}

function refuse(socket: Duplex, status: number, message: string, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status} ${httpStatusText(status)}\r\nConnection: close\r\n${extra}Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`);
}

function httpStatusText(status: number): string {
  switch (status) {
    case 400: return 'Bad Request';
    case 401: return 'Unauthorized';
    case 403: return 'Forbidden';
    case 404: return 'Not Found';
    case 429: return 'Too Many Requests';
    case 503: return 'Service Unavailable';
    default: return 'Internal Server Error';
  }
}
