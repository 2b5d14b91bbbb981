/**
 * Manual CA mode (JOULE_CA_MODE=manual): station CSRs that passed Joule's checks wait here for the operator's own CA,
 * whose key Joule never holds. An operator lists them, signs each outside Joule and uploads the certificate, which is
 * checked (externally-signed-check.ts: the CSR's key and subject, a station certificate, valid now, chains to the
 * configured CA's root), recorded in the inventory and sent in CertificateSigned; or rejects it. A newer CSR of the
 * same station and type supersedes a pending one: a station that gets no certificate sends SignCertificate again
 * (2.x CertSigningWaitMinimum / CertSigningRepeatTimes), usually with a new key, and only the newest can be installed.
 */
import type { ClusterBus } from '../../cluster/bus.ts';
import type { CertificateRecord, SigningRequestFilter, SigningRequestRecord, Store } from '../../store/ports.ts';
import { DomainError } from '../errors.ts';
import type { StationNotifications } from '../station-notifications.ts';
import type { StationCertificateType } from './certificate-requests.ts';
import { type CheckedCsr, parseCsr } from './pki/csr-check.ts';
import type { ExternalAuthority } from './pki/external-authority.ts';
import { checkExternallySigned } from './pki/externally-signed-check.ts';
import { issuedCertificateRecord } from './issued-certificate-record.ts';
import { inventoryEntry } from './pki/certificate-inventory.ts';
import { describeKey } from './pki/key-specs.ts';
import { certificatePem, chainPem } from './pki/pem.ts';

/** A certificate to record and send to its station (CertificateService.deliver). */
export interface CertificateDelivery {
  record: CertificateRecord;
  chainPem: string;
  requestId: number | null;
}

/** What became of sending CertificateSigned (see StationCommandOutcome). */
export interface DeliveryOutcome {
  commandId: string;
  outcome: string;
  stationStatus: string | null;
  reason?: string;
}

export interface SignedRequest {
  signingRequest: SigningRequestRecord;
  certificate: CertificateRecord;
  delivery: DeliveryOutcome;
}

export interface SigningRequestQueueOptions {
  store: Store;
  bus: ClusterBus;
  notifications: StationNotifications;
  authority: ExternalAuthority;
  /** Records the certificate as issued, sends it, and records what the station answered. */
  deliver: (delivery: CertificateDelivery) => Promise<DeliveryOutcome>;
  now: () => Date;
}

export class SigningRequestQueue {
  private readonly authority: ExternalAuthority;
  private readonly options: SigningRequestQueueOptions;

  constructor(options: SigningRequestQueueOptions) {
    this.options = options;
    this.authority = options.authority;
  }

  /** Queues a checked CSR; the station's pending one of the same type, if any, is superseded. */
  async queue(csr: CheckedCsr, certificateType: StationCertificateType, requestId: number | undefined): Promise<SigningRequestRecord> {
    const record: SigningRequestRecord = {
      id: crypto.randomUUID(),
      stationId: csr.stationId,
      certificateType,
      requestId: requestId ?? null,
      csrPem: csr.request.toString('pem'),
      subject: csr.request.subject,
      commonName: csr.commonName,
      organization: csr.organization,
      keyDescription: describeKey(csr.key),
      status: 'pending',
      receivedAt: this.options.now().toISOString(),
      decidedAt: null,
      decidedBy: null,
      reason: null,
      certificateFingerprint: null,
    };
    const superseded = await this.options.store.signingRequests.addPending(record);
    this.changed(record, { superseded });
    return record;
  }

  list(filter: SigningRequestFilter): Promise<SigningRequestRecord[]> {
    return this.options.store.signingRequests.list(filter);
  }

  async get(id: string): Promise<SigningRequestRecord> {
    const found = await this.options.store.signingRequests.get(id);
    if (found === undefined) throw new DomainError('not_found', `No certificate signing request ${id}`);
    return found;
  }

  /**
   * The operator's CA signed the CSR: checks the uploaded certificate, marks the CSR signed (one operator wins when
   * two decide at once), records the certificate and sends it to the station, waiting for its answer.
   */
  async sign(id: string, uploadedPem: string, actor: string): Promise<SignedRequest> {
    const pending = await this.pending(id);
    const request = parseCsr(pending.csrPem);
    if (typeof request === 'string') throw new DomainError('conflict', `the stored CSR ${id} cannot be read: ${request}`);
    const checked = await checkExternallySigned(uploadedPem, request, this.authority, this.options.now());
    if (!checked.ok) throw new DomainError('invalid', `${checked.failure}: ${checked.reason}`);
    const certificate = issuedCertificateRecord(inventoryEntry(checked.certificate, { use: 'station', stationId: pending.stationId }), {
      pem: certificatePem(checked.certificate), stationId: pending.stationId, certificateType: pending.certificateType, issuedAt: this.options.now().toISOString(),
    });
    const signed = await this.options.store.signingRequests.decide(id, {
      status: 'signed', decidedAt: certificate.issuedAt, decidedBy: actor, reason: null, certificateFingerprint: certificate.fingerprintSha256,
    });
    if (signed === undefined) throw this.noLongerPending(id, await this.options.store.signingRequests.get(id));
    this.changed(signed);
    const delivery = await this.options.deliver({ record: certificate, chainPem: chainPem(checked.chain), requestId: pending.requestId });
    return { signingRequest: signed, certificate: (await this.options.store.certificates.get(certificate.fingerprintSha256)) ?? certificate, delivery };
  }

  /** The operator will not sign it: the station gets nothing (OCPP has no refusal after Accepted) and may ask again. */
  async reject(id: string, reason: string, actor: string): Promise<SigningRequestRecord> {
    await this.pending(id);
    const rejected = await this.options.store.signingRequests.decide(id, {
      status: 'rejected', decidedAt: this.options.now().toISOString(), decidedBy: actor, reason, certificateFingerprint: null,
    });
    if (rejected === undefined) throw this.noLongerPending(id, await this.options.store.signingRequests.get(id));
    await this.options.notifications.record(rejected.stationId, 'certificate.signing-request-rejected', { signingRequestId: id, reason, by: actor });
    this.changed(rejected);
    return rejected;
  }

  private async pending(id: string): Promise<SigningRequestRecord> {
    const found = await this.get(id);
    if (found.status !== 'pending') throw this.noLongerPending(id, found);
    return found;
  }

  private noLongerPending(id: string, found: SigningRequestRecord | undefined): DomainError {
    if (found === undefined) return new DomainError('not_found', `No certificate signing request ${id}`);
    const why = found.status === 'superseded' ? `superseded by the station's newer CSR ${found.reason ?? ''}`.trim() : `${found.status} at ${found.decidedAt ?? '?'}${found.decidedBy ? ` by ${found.decidedBy}` : ''}`;
    return new DomainError('conflict', `certificate signing request ${id} is no longer pending: ${why}`);
  }

  private changed(record: SigningRequestRecord, extra: Record<string, unknown> = {}): void {
    this.options.bus.publish({
      type: 'certificate.signing-request',
      stationId: record.stationId,
      data: {
        id: record.id,
        status: record.status,
        certificateType: record.certificateType,
        commonName: record.commonName,
        decidedBy: record.decidedBy,
        reason: record.reason,
        ...extra,
      },
    });
  }
}
