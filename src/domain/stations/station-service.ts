import type { ClusterBus } from '../../cluster/bus.ts';
import type {
  BootInfo,
  RegistrationStatus,
  StationForConnection,
  StationPasswordHashes,
  StationRecord,
  StationRegistration,
  Store,
} from '../../store/ports.ts';
import { bootAnswerFor, type DomainConfig } from '../config.ts';
import { nowIso, stationTime } from '../clock.ts';
import { DomainError } from '../errors.ts';
import { FailedAttemptLimiter, STATION_AUTH_LIMITS } from '../security/failed-attempt-limiter.ts';
import { admitConnection, type ConnectionSecurity, type StationAdmission } from './station-authentication.ts';
import { credentialKindOf, stationPasswordHashes } from './station-password.ts';
import { type PasswordRotationView, rotateStationPassword, rotationView } from './password-rotation.ts';
import { toStationView, type StationView } from './station-view.ts';

export interface BootAnswer {
  status: RegistrationStatus;
  /** Accepted: the heartbeat interval; otherwise the minimum wait before the next boot. Seconds. */
  intervalS: number;
  currentTime: string;
}

export interface ConnectorStatusChange {
  evseId: number;
  connectorId: number;
  status: string;
  errorCode?: string | undefined;
  info?: string | undefined;
  vendorId?: string | undefined;
  vendorErrorCode?: string | undefined;
  /** The station's timestamp, if it sent one. */
  timestamp?: string | undefined;
}

/** An operator tried to lower a station's security profile: HTTP 409 `security_profile_downgrade`. */
export class SecurityProfileDowngradeError extends DomainError {
  constructor(message: string) {
    super('conflict', message);
    this.name = 'SecurityProfileDowngradeError';
  }
}

/** Station registry, boot policy, liveness and connector status. */
export class StationService {
  private readonly store: Store;
  private readonly bus: ClusterBus;
  private readonly config: DomainConfig;
  /**
   * Failed station authentications per remote address, counted in the store too, so that every worker and node
   * holds back an address that guesses passwords (failed-attempt-limiter.ts).
   */
  readonly authFailures: FailedAttemptLimiter;

  constructor(store: Store, bus: ClusterBus, config: DomainConfig) {
    this.store = store;
    this.bus = bus;
    this.config = config;
    this.authFailures = new FailedAttemptLimiter(STATION_AUTH_LIMITS, { shared: store.loginAttempts });
  }

  /**
   * What the WebSocket upgrade decides on, in one read: the station and its credentials; undefined when it is not
   * known.
   */
  forConnection(stationId: string): Promise<StationForConnection | undefined> {
    return this.store.stations.forConnection(stationId);
  }

  /** Decides at the WebSocket upgrade whether a station (`known`: see forConnection) may connect at all. */
  admits(known: StationForConnection | undefined): boolean {
    if (this.config.unknownStations !== 'reject') return true;
    return known !== undefined && known.station.registered;
  }

  /**
   * Decides at the WebSocket upgrade, before the handshake, whether the station's security profile and password let
   * this connection in (see station-authentication.ts). `known`: the station and its credentials (forConnection).
   * `protocol`: the negotiated one, if any. Costs, for a station with a password, one or two scrypt verifications:
   * only ever at connect.
   */
  async authenticate(
    known: StationForConnection | undefined,
    stationId: string,
    connection: { protocol: string | undefined; authorization: string | undefined; security: ConnectionSecurity },
  ): Promise<StationAdmission> {
    return admitConnection({
      stationId,
      station: known?.station,
      hashes: known?.hashes,
      pendingHashes: known?.rotation?.pending ?? undefined,
      kind: credentialKindOf(connection.protocol),
      authorization: connection.authorization,
      security: connection.security,
      defaultProfile: this.defaultSecurityProfile,
    });
  }

  /** The profile of stations without one of their own: 0 only when unsecured stations are switched on. */
  get defaultSecurityProfile(): number {
    return this.config.allowUnsecuredStations === true ? 0 : 1;
  }

  /** A security-relevant happening at a station's connection (refused downgrade, certificate, raised profile, rotation). */
  securityEvent(stationId: string, type: string, data: Record<string, unknown>): void {
    this.bus.publish({ type: 'station.security', stationId, data: { type, ...data } });
  }

  /**
   * Sets the station's Basic-auth password (kept only as salted hashes), or clears it with null. The password must
   * be valid for the protocol the station is known to speak (see station-password.ts). `not_found` for an unknown
   * station, `invalid` for a password that breaks the rules.
   */
  async setPassword(stationId: string, password: string | null): Promise<void> {
    const station = await this.store.stations.get(stationId);
    if (!station) throw new DomainError('not_found', `Station ${stationId} is not known`);
    const hashes = password === null ? null : await stationPasswordHashes(password, station.protocol ?? station.defaultProtocol);
    if (!(await this.store.stations.setPasswordHashes(stationId, hashes))) throw new DomainError('not_found', `Station ${stationId} is not known`);
  }

  /**
   * Rotates the station's password through its live connection (see password-rotation.ts): `password` or a
   * generated one. `not_found`, `conflict` (offline, or a rotation waiting for its answer), `invalid` (bad password).
   */
  rotatePassword(stationId: string, password: string | undefined): Promise<PasswordRotationView> {
    return rotateStationPassword(
      { store: this.store, bus: this.bus, timeoutMs: this.config.commandTimeoutMs, securityEvent: (id, type, data) => this.securityEvent(id, type, data) },
      stationId,
      password,
    );
  }

  async get(stationId: string): Promise<StationRecord | undefined> {
    return this.store.stations.get(stationId);
  }

  /**
   * A station's socket opened on this node: it is online here. A station seen for the first time is registered. A
   * connection that proved a higher security profile than the station's raises it (A05.FR.09: after a successful
   * upgrade the lower profile is refused); one that used the new password of a rotation completes the rotation.
   */
  async connected(
    stationId: string,
    protocol: string,
    remoteAddress: string | undefined,
    firstSeen: boolean,
    auth: { securityProfile: number; raiseTo: number | undefined; pendingPasswordUsed: boolean } = { securityProfile: 0, raiseTo: undefined, pendingPasswordUsed: false },
  ): Promise<void> {
    if (firstSeen || auth.raiseTo !== undefined) {
      await this.store.stations.register({ id: stationId, ...(auth.raiseTo === undefined ? {} : { securityProfile: auth.raiseTo }) });
      if (auth.raiseTo !== undefined) this.securityEvent(stationId, 'security-profile-raised', { securityProfile: auth.raiseTo });
    }
    if (auth.pendingPasswordUsed && (await this.store.stations.promotePendingPassword(stationId, nowIso()))) {
      this.securityEvent(stationId, 'password-rotation-completed', {});
    }
    this.bus.claimStation(stationId);
    this.store.stations.touch(stationId, new Date().toISOString());
    this.bus.publish({ type: 'station.connected', stationId, data: { protocol, remoteAddress: remoteAddress ?? null, node: this.bus.nodeId } });
  }

  disconnected(stationId: string, reason: string): void {
    this.bus.releaseStation(stationId);
    this.bus.publish({ type: 'station.disconnected', stationId, data: { reason } });
  }

  async boot(stationId: string, info: BootInfo & { reason?: string | undefined }): Promise<BootAnswer> {
    const existing = await this.store.stations.get(stationId);
    const status = bootAnswerFor(this.config.unknownStations, existing?.registered ?? false, existing?.bootPolicy ?? null);
    const now = new Date().toISOString();
    const { reason, ...identity } = info;
    await this.store.stations.recordBoot(stationId, identity, status, now);
    this.bus.publish({
      type: 'station.booted',
      stationId,
      data: { status, protocol: info.protocol, vendor: info.vendor, model: info.model, serialNumber: info.serialNumber ?? null, firmwareVersion: info.firmwareVersion ?? null, reason: reason ?? null },
    });
    const intervalS = status === 'Accepted' ? this.config.heartbeatIntervalS : this.config.bootRetryIntervalS;
    return { status, intervalS, currentTime: now };
  }

  /** Any message from a station shows it is alive; cheap (kept in memory, flushed in batches). */
  seen(stationId: string): void {
    this.store.stations.touch(stationId, nowIso());
  }

  /** A Heartbeat: the station is alive (already noted by `seen`); answers the current time. */
  heartbeat(): string {
    return nowIso();
  }

  async statusChanged(stationId: string, change: ConnectorStatusChange): Promise<void> {
    const receivedAt = new Date().toISOString();
    const record = {
      stationId,
      evseId: change.evseId,
      connectorId: change.connectorId,
      status: change.status,
      errorCode: change.errorCode ?? null,
      info: change.info ?? null,
      vendorId: change.vendorId ?? null,
      vendorErrorCode: change.vendorErrorCode ?? null,
      timestamp: stationTime(change.timestamp, receivedAt),
      receivedAt,
    };
    await this.store.stations.recordStatus(record);
    this.bus.publish({ type: 'connector.status', stationId, data: record });
  }

  /**
   * Creates or updates a station; with `password` also sets (null: clears) its password. The password is checked
   * before anything is written, so a refused one leaves the station as it was.
   */
  async register(registration: StationRegistration, password?: string | null): Promise<StationView> {
    let hashes: StationPasswordHashes | null | undefined;
    const existing = await this.store.stations.get(registration.id);
    this.checkNoDowngrade(existing, registration.securityProfile);
    if (password !== undefined && password !== null) {
      const configured = registration.defaultProtocol !== undefined ? registration.defaultProtocol : existing?.defaultProtocol;
      hashes = await stationPasswordHashes(password, existing?.protocol ?? configured ?? null);
    } else if (password === null) hashes = null;
    let record = await this.store.stations.register(registration);
    if (hashes !== undefined) {
      await this.store.stations.setPasswordHashes(record.id, hashes);
      record = (await this.store.stations.get(record.id)) ?? record;
    }
    this.bus.publish({ type: 'station.registered', stationId: record.id, data: { registered: record.registered, bootPolicy: record.bootPolicy } });
    return this.view(record);
  }

  /**
   * Security profiles only go up (A00.FR.005, A05): an operator may not set a station's profile below the one it
   * has, nor clear it to a lower server default. A station without a profile may be given any, 0 included (the
   * operator's explicit choice of an unsecured station).
   */
  private checkNoDowngrade(existing: StationRecord | undefined, wanted: number | null | undefined): void {
    if (existing === undefined || wanted === undefined || existing.securityProfile === null) return;
    const next = wanted ?? this.defaultSecurityProfile;
    if (next < existing.securityProfile) {
      throw new SecurityProfileDowngradeError(
        `station ${existing.id} is at security profile ${existing.securityProfile}; profiles can only be raised (${wanted === null ? `clearing it would mean the server default ${next}` : `not lowered to ${next}`})`,
      );
    }
  }

  async list(): Promise<StationView[]> {
    const [stations, online] = await Promise.all([this.store.stations.list(), this.bus.onlineStations()]);
    return Promise.all(stations.map(async (s) => {
      const [connectors, rotation] = await Promise.all([this.store.stations.connectors(s.id), this.store.stations.passwordRotation(s.id)]);
      return toStationView(s, online.has(s.id), connectors, rotationView(rotation));
    }));
  }

  async view(stationOrId: string | StationRecord): Promise<StationView> {
    const station = typeof stationOrId === 'string' ? await this.store.stations.get(stationOrId) : stationOrId;
    if (!station) throw new DomainError('not_found', `Station ${String(stationOrId)} is not known`);
    const [online, connectors, rotation] = await Promise.all([
      this.bus.isOnline(station.id),
      this.store.stations.connectors(station.id),
      this.store.stations.passwordRotation(station.id),
    ]);
    return toStationView(station, online, connectors, rotationView(rotation));
  }

  /** The station's EVSEs and connectors with their current status. */
  connectors(stationId: string) {
    return this.store.stations.connectors(stationId);
  }

  async statusHistory(stationId: string, limit: number) {
    await this.view(stationId);
    return this.store.stations.statusHistory(stationId, limit);
  }

  async configuration(stationId: string) {
    await this.view(stationId);
    return this.store.stations.configuration(stationId);
  }

  /** Stores configuration values a station reported (e.g. in answer to GetConfiguration / GetVariables). */
  async configurationReported(stationId: string, keys: { key: string; value: string | null; readonly: boolean }[]): Promise<void> {
    await this.store.stations.saveConfiguration(stationId, keys, new Date().toISOString());
  }
}
