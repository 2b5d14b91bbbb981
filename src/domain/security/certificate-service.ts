/**
 * Station certificates (A02/A03, M03-M05 and the 1.6 security extension's equivalents), version-neutral: checking and
 * signing CSRs with Joule's CA, delivering the certificate (CertificateSigned) without holding up the station's
 * message, the inventory of issued certificates (issued -> installed | rejected, superseded by a newer one, revoked),
 * the certificates stations hold (root certificates installed, deleted, listed), renewal before expiry, and the
 * check of a profile-3 client certificate against the inventory (revocation and binding to the station).
 */
import type { ClusterBus } from '../../cluster/bus.ts';
import type { Logger } from '../../logging.ts';
import type {
  CertificateFilter, CertificateHashDataRecord, CertificateRecord, StationCertificateRecord, Store,
} from '../../store/ports.ts';
import type { CommandResult, CommandService } from '../commands/command-service.ts';
import { DomainError } from '../errors.ts';
import type { StationNotifications } from '../station-notifications.ts';
import type { CertificateStationRequest, RootCertificateType, StationCertificateType } from './certificate-requests.ts';
import { decideClientCertificate, type ClientCertificateDecision } from './client-certificate-decision.ts';
import { type CaCertificates, type CertificateAuthority, rootCertificate } from './pki/certificate-authority.ts';
import type { ExternalAuthority } from './pki/external-authority.ts';
import { issuedCertificateRecord } from './issued-certificate-record.ts';
import { type CertificateDelivery, SigningRequestQueue } from './signing-request-queue.ts';
import { certificateHashData, normaliseHashData } from './pki/certificate-hash-data.ts';
import { checkStationCsr, type CheckedCsr, type CommonNameRule } from './pki/csr-check.ts';
import { certificatePem, fingerprintSha256, parseCertificate, PkiInputError } from './pki/pem.ts';
import { normaliseSerialNumber } from './pki/serial-number.ts';
import { signStationCertificate } from './pki/station-certificate.ts';
import type { SecurityService } from './security-service.ts';

const DAY_MS = 86_400_000;
/** Who Joule's own certificate commands are logged as. */
export const PKI_ACTOR = 'pki';

export interface PkiConfig {
  /** Joule's CA, which signs checked CSRs at once. */
  authority?: CertificateAuthority | undefined;
  /**
   * Manual CA mode: the operator's CA, whose key Joule does not hold; checked CSRs wait in a queue for an operator to
   * upload the certificate it signed. Without this and `authority`, CSRs are declined.
   */
  external?: ExternalAuthority | undefined;
  /** The operator's name: the O every station CSR must carry (1.6 CpoName, 2.x SecurityCtrlr.OrganizationName). */
  organizationName: string;
  commonNameRule?: CommonNameRule | undefined;
  /** Validity of issued station certificates; default 365 days. */
  validityDays?: number | undefined;
  /** Installed certificates expiring within this many days are renewed; default 30. */
  renewDays?: number | undefined;
  now?: (() => Date) | undefined;
  logger?: Logger | undefined;
}

export interface CertificateSigningRequest {
  csr: string;
  certificateType?: string | undefined;
  requestId?: number | undefined;
}

export interface StationCommandOutcome {
  commandId: string;
  /** completed, error, timeout, invalid, refused, offline (see the command log). */
  outcome: string;
  /** The station's status when it answered (Accepted, Rejected, NotFound, Failed, ...). */
  stationStatus: string | null;
  reason?: string;
}

export interface StationCertificates {
  issued: CertificateRecord[];
  held: StationCertificateRecord[];
}

export class CertificateService {
  private readonly store: Store;
  private readonly bus: ClusterBus;
  private readonly commands: CommandService;
  private readonly notifications: StationNotifications;
  private readonly security: SecurityService;
  private readonly config: PkiConfig;
  private readonly now: () => Date;
  /** Manual CA mode's queue of CSRs; undefined in the other modes. */
  readonly signingRequests: SigningRequestQueue | undefined;

  constructor(store: Store, bus: ClusterBus, commands: CommandService, notifications: StationNotifications, security: SecurityService, config: PkiConfig) {
    this.store = store;
    this.bus = bus;
    this.commands = commands;
    this.notifications = notifications;
    this.security = security;
    this.config = config;
    this.now = config.now ?? (() => new Date());
    this.signingRequests = config.external === undefined ? undefined : new SigningRequestQueue({
      store, bus, notifications, authority: config.external, deliver: (delivery) => this.deliver(delivery), now: this.now,
    });
  }

  /** How station CSRs are signed (JOULE_CA_MODE): by Joule's CA at once, by the operator's CA via the queue, or not. */
  get signing(): 'automatic' | 'manual' | 'off' {
    return this.config.authority !== undefined ? 'automatic' : this.config.external !== undefined ? 'manual' : 'off';
  }

  /** The CA station certificates come from (Joule's, or the operator's in manual mode), without its key. */
  get authority(): CaCertificates | undefined {
    return this.config.authority ?? this.config.external;
  }

  /** The root certificate of that CA as PEM (what a TLS edge trusts for station certificates), if there is a CA. */
  authorityRootPem(): string | undefined {
    const authority = this.authority;
    return authority === undefined ? undefined : certificatePem(rootCertificate(authority));
  }

  /**
   * SignCertificate: Accepted when the CSR passes every check (the certificate then follows in CertificateSigned,
   * sent in the background); Rejected otherwise, a refused CSR being a security event.
   */
  async signingRequested(stationId: string, request: CertificateSigningRequest): Promise<{ accepted: boolean; reason?: string }> {
    const certificateType = request.certificateType ?? 'ChargingStationCertificate';
    const decision = await this.checkRequest(stationId, request.csr, certificateType);
    await this.notifications.record(stationId, 'certificate.signing-requested', {
      certificateType: request.certificateType ?? null,
      requestId: request.requestId ?? null,
      csrLength: request.csr.length,
      accepted: decision.ok,
      ...(decision.ok ? {} : { reason: decision.reason }),
    });
    if (!decision.ok) {
      if (decision.securityEvent) await this.security.detected(stationId, 'CertificateSigningRequestRejected', decision.reason);
      return { accepted: false, reason: decision.reason };
    }
    const checked = decision.csr;
    if (this.signingRequests !== undefined) {
      // Manual CA mode: the CSR is stored before the station is told Accepted; the certificate follows when an
      // operator uploads it.
      await this.signingRequests.queue(checked, certificateType as StationCertificateType, request.requestId);
      return { accepted: true };
    }
    setImmediate(() => {
      this.issue(checked, certificateType as StationCertificateType, request.requestId).catch((err: unknown) => {
        this.config.logger?.warn({ err, stationId }, 'issuing a station certificate failed');
      });
    });
    return { accepted: true };
  }

  private async checkRequest(
    stationId: string,
    csr: string,
    certificateType: string,
  ): Promise<{ ok: true; csr: CheckedCsr } | { ok: false; reason: string; securityEvent: boolean }> {
    if (certificateType === 'V2GCertificate') {
      return { ok: false, securityEvent: false, reason: 'V2G (ISO 15118) certificates are not signed by Joule: no V2G PKI is configured' };
    }
    if (this.signing === 'off') return { ok: false, securityEvent: false, reason: 'no certificate authority is configured (JOULE_CA_MODE=off)' };
    const station = await this.store.stations.get(stationId);
    const result = await checkStationCsr(
      csr,
      { organizationName: this.config.organizationName, commonNameRule: this.config.commonNameRule },
      { stationId, serialNumber: station?.serialNumber ?? undefined },
    );
    if (!result.ok) return { ok: false, securityEvent: true, reason: `${result.failure}: ${result.reason}` };
    return { ok: true, csr: result.csr };
  }

  /** Signs a checked CSR with Joule's CA, then records the certificate and sends it to the station. */
  private async issue(csr: CheckedCsr, certificateType: StationCertificateType, requestId: number | undefined): Promise<void> {
    const ca = this.config.authority;
    if (ca === undefined) return;
    const issued = await signStationCertificate(ca, csr, { validityDays: this.config.validityDays, now: this.now() });
    const record = issuedCertificateRecord(issued.entry, {
      pem: issued.certificatePem, stationId: csr.stationId, certificateType, issuedAt: this.now().toISOString(),
    });
    await this.deliver({ record, chainPem: issued.chainPem, requestId: requestId ?? null });
  }

  /**
   * Records a certificate as issued and sends it to its station (CertificateSigned); the answer decides its status:
   * installed (superseding older ones), rejected, or still issued when it could not be delivered.
   */
  private async deliver(delivery: CertificateDelivery): Promise<StationCommandOutcome> {
    const { record, requestId } = delivery;
    const stationId = record.stationId ?? '';
    await this.store.certificates.add(record);
    this.changed(record, 'issued');
    const request: CertificateStationRequest = {
      kind: 'CertificateSigned',
      certificateChain: delivery.chainPem,
      certificateType: record.certificateType as StationCertificateType,
      ...(requestId === null ? {} : { requestId }),
    };
    const sent = await this.send(stationId, request);
    if (sent.stationStatus === 'Accepted') {
      await this.installed(record);
    } else if (sent.stationStatus !== null) {
      const rejected = await this.store.certificates.update(record.fingerprintSha256, { status: 'rejected' });
      if (rejected) this.changed(rejected, 'rejected');
    } else {
      await this.notifications.record(stationId, 'certificate.delivery-failed', { serialNumber: record.serialNumber, outcome: sent.outcome });
    }
    return sent;
  }

  /** The station accepted the certificate: it is installed, and its older ones of the same type are superseded. */
  private async installed(record: CertificateRecord): Promise<void> {
    const stationId = record.stationId ?? '';
    const older = await this.store.certificates.list({ stationId, status: 'installed', limit: 1000 });
    for (const previous of older) {
      if (previous.certificateType !== record.certificateType || previous.fingerprintSha256 === record.fingerprintSha256) continue;
      const superseded = await this.store.certificates.update(previous.fingerprintSha256, { status: 'superseded' });
      if (superseded) this.changed(superseded, 'superseded');
    }
    const now = await this.store.certificates.update(record.fingerprintSha256, { status: 'installed', installedAt: this.now().toISOString() });
    if (now) this.changed(now, 'installed');
  }

  list(filter: CertificateFilter): Promise<CertificateRecord[]> {
    return this.store.certificates.list(filter);
  }

  async forStation(stationId: string): Promise<StationCertificates> {
    const [issued, held] = await Promise.all([
      this.store.certificates.list({ stationId, limit: 1000 }),
      this.store.certificates.stationCertificates(stationId),
    ]);
    return { issued, held };
  }

  /** Revokes every certificate Joule issued with this serial number. */
  async revoke(serialNumber: string, reason: string | undefined): Promise<CertificateRecord[]> {
    const serial = normaliseSerialNumber(serialNumber);
    const found = await this.store.certificates.bySerialNumber(serial);
    if (found.length === 0) throw new DomainError('not_found', `No certificate with serial number ${serial} was issued by Joule`);
    const revokedAt = this.now().toISOString();
    const result: CertificateRecord[] = [];
    for (const certificate of found) {
      if (certificate.status === 'revoked') {
        result.push(certificate);
        continue;
      }
      const revoked = await this.store.certificates.update(certificate.fingerprintSha256, { status: 'revoked', revokedAt, revocationReason: reason ?? 'unspecified' });
      if (revoked) {
        this.changed(revoked, 'revoked');
        result.push(revoked);
      }
    }
    return result;
  }

  /** M05 / 1.6 InstallCertificate: installs a root certificate; kept as held by the station when it accepts. */
  async installRoot(stationId: string, certificateType: RootCertificateType, pem: string, actor: string): Promise<StationCommandOutcome> {
    const certificate = parseCertificate(pem);
    const hashData = certificateHashData(certificate);
    const normalisedPem = certificatePem(certificate);
    const sent = await this.send(stationId, { kind: 'InstallCertificate', certificateType, certificate: normalisedPem }, actor);
    if (sent.stationStatus === 'Accepted') {
      await this.store.certificates.putStationCertificate({
        stationId, certificateType, hashData, pem: normalisedPem, source: 'installed', updatedAt: this.now().toISOString(),
      });
    }
    return sent;
  }

  /** M04 / 1.6 DeleteCertificate, by the hash data the station reported. */
  async deleteFromStation(stationId: string, hashData: CertificateHashDataRecord, actor: string): Promise<StationCommandOutcome> {
    const sent = await this.send(stationId, { kind: 'DeleteCertificate', hashData }, actor);
    if (sent.stationStatus === 'Accepted' || sent.stationStatus === 'NotFound') {
      await this.store.certificates.removeStationCertificate(stationId, normaliseHashData(hashData));
    }
    return sent;
  }

  /** M03 / 1.6 GetInstalledCertificateIds: asks the station what it holds of a type, and keeps the answer. */
  async refreshStationCertificates(stationId: string, certificateType: RootCertificateType, actor: string): Promise<StationCommandOutcome & { certificates: StationCertificateRecord[] }> {
    const { sent, result } = await this.sendWithResult(stationId, { kind: 'GetInstalledCertificateIds', certificateType }, actor);
    if (sent.stationStatus === 'Accepted' || sent.stationStatus === 'NotFound') {
      const updatedAt = this.now().toISOString();
      const records: StationCertificateRecord[] = (result?.certificates ?? []).map((c) => ({
        stationId, certificateType: c.certificateType, hashData: normaliseHashData(c.hashData), pem: null, source: 'reported', updatedAt,
      }));
      const types = new Set<string>([certificateType, ...records.map((r) => r.certificateType)]);
      await this.store.certificates.replaceStationCertificates(stationId, [...types], records);
    }
    return { ...sent, certificates: await this.store.certificates.stationCertificates(stationId) };
  }

  /**
   * Asks stations whose installed certificate expires within the renewal window to renew it (TriggerMessage
   * SignChargingStationCertificate / ExtendedTriggerMessage SignChargePointCertificate), at most once a day per
   * certificate, and only stations that are online. Returns the stations asked.
   */
  async renewDue(): Promise<string[]> {
    const now = this.now();
    const until = new Date(now.getTime() + (this.config.renewDays ?? 30) * DAY_MS).toISOString();
    const due = await this.store.certificates.list({ status: 'installed', expiringBefore: until, limit: 10_000 });
    const asked: string[] = [];
    const seen = new Set<string>();
    for (const certificate of due) {
      const stationId = certificate.stationId;
      if (stationId === null || seen.has(stationId) || certificate.certificateType !== 'ChargingStationCertificate') continue;
      seen.add(stationId);
      if (certificate.renewalRequestedAt !== null && Date.parse(certificate.renewalRequestedAt) > now.getTime() - DAY_MS) continue;
      if (!(await this.bus.isOnline(stationId))) continue;
      const sent = await this.send(stationId, { kind: 'TriggerCertificateSigning' });
      if (sent.outcome !== 'completed') continue;
      await this.store.certificates.update(certificate.fingerprintSha256, { renewalRequestedAt: now.toISOString() });
      await this.notifications.record(stationId, 'certificate.renewal-requested', {
        serialNumber: certificate.serialNumber, notAfter: certificate.notAfter, stationStatus: sent.stationStatus,
      });
      asked.push(stationId);
    }
    return asked;
  }

  /**
   * For the TLS edge (profile 3): may `stationId` connect with this client certificate (DER)? The chain is the edge's
   * check; this one asks the inventory (revocation, which station it was issued to, binding). See
   * client-certificate-decision.ts.
   */
  async checkClientCertificate(stationId: string, certificateDer: Buffer): Promise<ClientCertificateDecision> {
    let presented;
    try {
      const certificate = parseCertificate(new Uint8Array(certificateDer));
      presented = {
        fingerprintSha256: fingerprintSha256(certificate),
        serialNumber: normaliseSerialNumber(certificate.serialNumber),
        issuer: certificate.issuer,
      };
    } catch (error) {
      return { accepted: false, reason: error instanceof PkiInputError ? error.message : 'unreadable client certificate' };
    }
    const [known, sameSerial, stationCertificates] = await Promise.all([
      this.store.certificates.get(presented.fingerprintSha256),
      this.store.certificates.bySerialNumber(presented.serialNumber),
      this.store.certificates.list({ stationId, limit: 1000 }),
    ]);
    const revokedSameSerial = sameSerial.some((c) => c.status === 'revoked' && c.issuer === presented.issuer);
    return decideClientCertificate(stationId, presented, known, revokedSameSerial, stationCertificates);
  }

  private async send(stationId: string, request: CertificateStationRequest, actor = PKI_ACTOR): Promise<StationCommandOutcome> {
    return (await this.sendWithResult(stationId, request, actor)).sent;
  }

  private async sendWithResult(stationId: string, request: CertificateStationRequest, actor = PKI_ACTOR) {
    const sent: CommandResult = await this.commands.sendNeutral(stationId, request, actor);
    const outcome = sent.outcome;
    const result = outcome.status === 'completed' ? outcome.result : undefined;
    const stationStatus = outcome.status === 'completed'
      ? result?.status ?? (typeof outcome.response.status === 'string' ? outcome.response.status : null)
      : null;
    const reason = outcome.status === 'completed' ? result?.reason
      : outcome.status === 'error' ? outcome.error.description
      : outcome.status === 'invalid' || outcome.status === 'refused' ? outcome.message
      : undefined;
    return { sent: { commandId: sent.commandId, outcome: outcome.status, stationStatus, ...(reason === undefined ? {} : { reason }) }, result };
  }

  private changed(record: CertificateRecord, change: string): void {
    this.bus.publish({
      type: 'certificate.changed',
      ...(record.stationId === null ? {} : { stationId: record.stationId }),
      data: { change, serialNumber: record.serialNumber, fingerprintSha256: record.fingerprintSha256, status: record.status, notAfter: record.notAfter },
    });
  }
}
