import type { Domain } from '../../domain/domain.ts';
import type { IdTokenInfo } from '../../domain/authorization/authorization-service.ts';
import type { TransactionPhase } from '../../domain/transactions/transaction-service.ts';
import type { StationIdentity } from '../../domain/stations/validation-policy.ts';
import type { NeutralStationRequest, NeutralStationResult } from '../../domain/commands/station-requests.ts';
import { textField, type CompletedCommand, type SessionState, type TranslatedRequest, type VersionAdapter } from '../adapter.ts';
import { RpcError } from '../rpc/error-codes.ts';
import type { Payload } from '../rpc/frames.ts';
import type { OcppVersion } from '../versions.ts';
import { isCertificateRequest } from '../../domain/security/certificate-requests.ts';
import { translateCertificateRequest2, translateCertificateResponse2 } from './certificate-requests.ts';
import { COMMAND_ACTIONS_201, refusal201, triggeredAction201 } from './command-rules.ts';
import { readVariables, reportedVariables, writtenVariables } from './device-model.ts';
import type {
  AuthorizeReq201, BootNotificationReq201, GetTransactionStatusConf201, GetVariablesConf201, IdTokenInfo201,
  MeterValuesReq201, NotifyEventReq201, NotifyReportReq201, SetVariablesConf201, SetVariablesReq201,
  StatusNotificationReq201, TransactionEventReq201,
} from './messages.ts';
import { toMeterValueInputs201 } from './meter-values.ts';
import { evChargingNeeds } from './ev-charging-needs.ts';
import { completeRequestStart2, translateRequest2, translateResponse2 } from './smart-charging-requests.ts';
import { stationPasswordRequest2, stationPasswordResult2 } from './station-password-request.ts';

export type Handler = (session: SessionState, payload: Payload) => Promise<Payload>;

/** The 2.x IdTokenInfo for a domain verdict; the group token is a Central token (it names a group, not a card). */
export function idTokenInfo201(info: IdTokenInfo): IdTokenInfo201 {
  const out: IdTokenInfo201 = { status: info.status };
  if (info.expiryDate) out.cacheExpiryDateTime = info.expiryDate;
  if (info.groupId) out.groupIdToken = { idToken: info.groupId, type: 'Central' };
  return out;
}

/** What a notification-only message becomes in the station's notification log. */
const LOGGED_NOTIFICATIONS: Readonly<Record<string, string>> = {
  NotifyChargingLimit: 'charging.limit',
  ClearedChargingLimit: 'charging.limit-cleared',
  NotifyEVChargingSchedule: 'ev.charging-schedule',
  ReportChargingProfiles: 'charging.profiles-report',
  ReservationStatusUpdate: 'reservation.status',
  NotifyDisplayMessages: 'display.messages',
  NotifyCustomerInformation: 'customer.information',
  NotifyMonitoringReport: 'monitoring.report',
  PublishFirmwareStatusNotification: 'firmware.publish-status',
};

/** The answer to each logged notification (most are empty; a schedule is acknowledged). */
const NOTIFICATION_ANSWERS: Readonly<Record<string, Payload>> = {
  NotifyEVChargingSchedule: { status: 'Accepted' },
};

/**
 * OCPP 2.0.1, functional blocks A to P: every station-to-CSMS message, mapped onto the same domain as 1.6. The 2.1
 * adapter extends it (2.1 messages are the 2.0.1 ones plus optional fields, and new messages).
 */
export class Ocpp201Adapter implements VersionAdapter {
  readonly version: OcppVersion;
  readonly commandActions: ReadonlySet<string>;
  protected readonly domain: Domain;
  protected readonly handlers = new Map<string, Handler>();
  /** Full-inventory reports asked for (station + requestId): their first part replaces the stored device model. */
  private readonly fullInventoryRequests = new Set<string>();

  constructor(domain: Domain, version: OcppVersion = 'ocpp2.0.1', commandActions: ReadonlySet<string> = COMMAND_ACTIONS_201) {
    this.domain = domain;
    this.version = version;
    this.commandActions = commandActions;
    const h = this.handlers;
    h.set('BootNotification', (s, p) => this.bootNotification(s, p as unknown as BootNotificationReq201));
    h.set('Heartbeat', async () => ({ currentTime: this.domain.stations.heartbeat() }));
    h.set('StatusNotification', (s, p) => this.statusNotification(s, p as unknown as StatusNotificationReq201));
    h.set('Authorize', (s, p) => this.authorize(s, p as unknown as AuthorizeReq201));
    h.set('TransactionEvent', (s, p) => this.transactionEvent(s, p as unknown as TransactionEventReq201));
    h.set('MeterValues', (s, p) => this.meterValues(s, p as unknown as MeterValuesReq201));
    h.set('NotifyReport', (s, p) => this.notifyReport(s, p as unknown as NotifyReportReq201));
    h.set('NotifyEvent', (s, p) => this.notifyEvent(s, p as unknown as NotifyEventReq201));
    h.set('SecurityEventNotification', async (s, p) => {
      await this.domain.security.eventReported(s.stationId, { type: String(p.type), timestamp: String(p.timestamp), techInfo: p.techInfo as string | undefined });
      return {};
    });
    h.set('SignCertificate', async (s, p) => {
      const result = await this.domain.certificates.signingRequested(s.stationId, {
        csr: String(p.csr),
        certificateType: p.certificateType as string | undefined,
        requestId: p.requestId as number | undefined,
      });
      return { status: result.accepted ? 'Accepted' : 'Rejected' };
    });
    h.set('FirmwareStatusNotification', async (s, p) => {
      await this.domain.firmware.statusReported(s.stationId, { status: String(p.status), requestId: p.requestId as number | undefined, signed: true });
      return {};
    });
    h.set('LogStatusNotification', async (s, p) => {
      await this.domain.diagnostics.uploadStatusReported(s.stationId, { kind: 'log', status: String(p.status), requestId: p.requestId as number | undefined });
      return {};
    });
    h.set('NotifyEVChargingNeeds', async (s, p) => {
      await this.domain.notifications.record(s.stationId, 'ev.charging-needs', p);
      // K15/K16: on an EVSE Joule manages, the needs become the session's and a TxProfile follows the re-plan.
      if (await this.domain.smartCharging.evChargingNeeds(s.stationId, evChargingNeeds(p))) return { status: 'Accepted' };
      return { status: 'Rejected', statusInfo: { reasonCode: 'NoSchedule', additionalInfo: 'charging needs recorded; this EVSE is not load-managed (or has no transaction), so no charging schedule will be sent' } };
    });
    h.set('Get15118EVCertificate', async (s, p) => {
      await this.domain.notifications.record(s.stationId, 'certificate.ev-installation-requested', { action: p.action, iso15118SchemaVersion: p.iso15118SchemaVersion });
      return { status: 'Failed', exiResponse: '', statusInfo: { reasonCode: 'NoCertificateService', additionalInfo: 'no ISO 15118 contract certificate service is configured' } };
    });
    h.set('GetCertificateStatus', async (s) => {
      await this.domain.notifications.record(s.stationId, 'certificate.status-requested', {});
      return { status: 'Failed', statusInfo: { reasonCode: 'NoOcspResponder', additionalInfo: 'no OCSP responder is configured' } };
    });
    h.set('DataTransfer', async (s, p) => {
      const result = await this.domain.dataTransfer.receive(s.stationId, { vendorId: String(p.vendorId), messageId: p.messageId as string | undefined, data: p.data });
      const out: Payload = { status: result.status };
      if (result.data !== undefined) out.data = result.data;
      return out;
    });
    for (const [action, type] of Object.entries(LOGGED_NOTIFICATIONS)) {
      h.set(action, async (s, p) => {
        await this.domain.notifications.record(s.stationId, type, p);
        return NOTIFICATION_ANSWERS[action] ?? {};
      });
    }
  }

  handles(action: string): boolean {
    return this.handlers.has(action);
  }

  async handleCall(session: SessionState, action: string, payload: Payload): Promise<Payload> {
    const handler = this.handlers.get(action);
    if (!handler) throw new RpcError('NotSupported', `${action} is not supported by this CSMS`);
    if (action !== 'BootNotification' && session.registration !== 'Accepted' && !session.triggered.delete(action)) {
      // B01.FR.10 / B02.FR.09 / B03.FR.07: before it is Accepted a station sends only BootNotification (or what was triggered).
      throw new RpcError('SecurityError', `${action} before the station is Accepted (registration ${session.registration ?? 'none: send BootNotification first'})`);
    }
    this.domain.stations.seen(session.stationId);
    return handler(session, payload);
  }

  refuseCommand(session: SessionState, action: string): string | undefined {
    return refusal201(session, action);
  }

  translateRequest(session: SessionState, request: NeutralStationRequest): Promise<TranslatedRequest> {
    if (request.kind === 'SetStationPassword') return Promise.resolve(stationPasswordRequest2(request));
    if (isCertificateRequest(request)) return Promise.resolve(translateCertificateRequest2(this.version, request));
    return translateRequest2(this.domain, session.stationId, this.version, request);
  }

  completeCommand(session: SessionState, action: string, payload: Payload): Promise<CompletedCommand | undefined> {
    return completeRequestStart2(this.domain, session.stationId, this.version, action, payload).catch(() => undefined);
  }

  translateResponse(request: NeutralStationRequest, translated: TranslatedRequest, response: Payload): NeutralStationResult {
    if (request.kind === 'SetStationPassword') return stationPasswordResult2(response);
    if (isCertificateRequest(request)) return translateCertificateResponse2(request, response);
    return translateResponse2(request, translated, response);
  }

  bootIdentity(action: string, payload: Payload): StationIdentity | undefined {
    if (action !== 'BootNotification') return undefined;
    const cs = (typeof payload.chargingStation === 'object' && payload.chargingStation !== null ? payload.chargingStation : {}) as Record<string, unknown>;
    return { vendor: textField(cs.vendorName), model: textField(cs.model), firmwareVersion: textField(cs.firmwareVersion) };
  }

  async commandAnswered(session: SessionState, action: string, request: Payload, response: Payload): Promise<void> {
    switch (action) {
      case 'GetVariables':
        await this.domain.deviceModel.valuesConfirmed(session.stationId, readVariables(response as unknown as GetVariablesConf201));
        return;
      case 'SetVariables':
        await this.domain.deviceModel.valuesConfirmed(session.stationId, writtenVariables(request as unknown as SetVariablesReq201, response as unknown as SetVariablesConf201));
        return;
      case 'TriggerMessage':
        if (response.status === 'Accepted') session.triggered.add(triggeredAction201(String(request.requestedMessage)));
        return;
      case 'GetBaseReport':
        if (request.reportBase === 'FullInventory' && response.status === 'Accepted') {
          if (this.fullInventoryRequests.size >= 10_000) this.fullInventoryRequests.clear();
          this.fullInventoryRequests.add(`${session.stationId}\u0000${String(request.requestId)}`);
        }
        return;
      case 'GetTransactionStatus':
        if (typeof request.transactionId === 'string') {
          const status = response as unknown as GetTransactionStatusConf201;
          await this.domain.transactions.reconcile(session.stationId, request.transactionId, { ongoing: status.ongoingIndicator, messagesInQueue: status.messagesInQueue });
        }
        return;
      default:
        return;
    }
  }

  private async bootNotification(session: SessionState, req: BootNotificationReq201): Promise<Payload> {
    const cs = req.chargingStation;
    const answer = await this.domain.stations.boot(session.stationId, {
      protocol: this.version,
      vendor: cs.vendorName,
      model: cs.model,
      serialNumber: cs.serialNumber,
      firmwareVersion: cs.firmwareVersion,
      iccid: cs.modem?.iccid,
      imsi: cs.modem?.imsi,
      reason: req.reason,
    });
    session.registration = answer.status;
    if (answer.status === 'Accepted') this.reconcileAfterBoot(session);
    return { status: answer.status, currentTime: answer.currentTime, interval: answer.intervalS };
  }

  /**
   * A station that boots while Joule holds transactions of it open is asked about each (E14 GetTransactionStatus);
   * the answers reconcile them (see commandAnswered). Sent after the boot answer, behind any operator command.
   */
  private reconcileAfterBoot(session: SessionState): void {
    setImmediate(() => {
      this.domain.transactions.active(session.stationId).then(async (open) => {
        for (const tx of open) {
          if (tx.flags.includes('orphan-stop')) continue;
          await session.callStation('GetTransactionStatus', { transactionId: tx.stationTxId });
        }
      }).catch(() => undefined);
    });
  }

  private async statusNotification(session: SessionState, req: StatusNotificationReq201): Promise<Payload> {
    await this.domain.stations.statusChanged(session.stationId, {
      evseId: req.evseId,
      connectorId: req.connectorId,
      status: req.connectorStatus,
      timestamp: req.timestamp,
    });
    return {};
  }

  private async authorize(session: SessionState, req: AuthorizeReq201): Promise<Payload> {
    const info = await this.domain.authorization.authorize(session.stationId, req.idToken.idToken);
    return { idTokenInfo: idTokenInfo201(info) };
  }

  private async transactionEvent(session: SessionState, req: TransactionEventReq201): Promise<Payload> {
    const info = req.transactionInfo;
    const evseId = req.evse?.id;
    const outcome = await this.domain.transactions.event(session.stationId, {
      stationTxId: info.transactionId,
      phase: req.eventType as TransactionPhase,
      seqNo: req.seqNo,
      timestamp: req.timestamp,
      triggerReason: req.triggerReason,
      offline: req.offline ?? false,
      evseId,
      connectorId: req.evse?.connectorId ?? (evseId === undefined ? undefined : await this.onlyConnector(session.stationId, evseId)),
      // NoAuthorization tokens are empty: the transaction has no id token.
      idToken: req.idToken && req.idToken.type !== 'NoAuthorization' ? req.idToken.idToken : undefined,
      chargingState: info.chargingState,
      stoppedReason: info.stoppedReason,
      remoteStartId: info.remoteStartId,
      reservationId: req.reservationId,
      meterValues: req.meterValue ? toMeterValueInputs201(req.meterValue) : [],
      raw: req as unknown as Record<string, unknown>,
    });
    return outcome.idTokenInfo ? { idTokenInfo: idTokenInfo201(outcome.idTokenInfo) } : {};
  }

  /** A TransactionEvent without evse.connectorId: the EVSE's connector when it has exactly one (field notes §3 #21). */
  private async onlyConnector(stationId: string, evseId: number): Promise<number | undefined> {
    const connectors = (await this.domain.stations.connectors(stationId)).filter((c) => c.evseId === evseId);
    return connectors.length === 1 ? connectors[0]?.connectorId : undefined;
  }

  private async meterValues(session: SessionState, req: MeterValuesReq201): Promise<Payload> {
    await this.domain.metering.record(session.stationId, {
      evseId: req.evseId,
      connectorId: 0,
      values: toMeterValueInputs201(req.meterValue),
    });
    return {};
  }

  private async notifyReport(session: SessionState, req: NotifyReportReq201): Promise<Payload> {
    // A full inventory describes everything the station has: what is no longer in it goes (B07).
    if (req.seqNo === 0 && this.fullInventoryRequests.delete(`${session.stationId}\u0000${req.requestId}`)) {
      await this.domain.deviceModel.clear(session.stationId);
    }
    await this.domain.deviceModel.reported(session.stationId, {
      requestId: req.requestId,
      seqNo: req.seqNo,
      more: req.tbc ?? false,
      variables: reportedVariables(req),
    });
    return {};
  }

  private async notifyEvent(session: SessionState, req: NotifyEventReq201): Promise<Payload> {
    for (const event of req.eventData) {
      await this.domain.notifications.record(session.stationId, 'device.event', { ...event }, event.timestamp);
      // Availability reported as an event (preferred over StatusNotification in 2.1) updates the connector status.
      if (event.component.name === 'Connector' && event.variable.name === 'AvailabilityState' && event.component.evse) {
        await this.domain.stations.statusChanged(session.stationId, {
          evseId: event.component.evse.id,
          connectorId: event.component.evse.connectorId ?? 1,
          status: event.actualValue,
          timestamp: event.timestamp,
        });
      }
    }
    return {};
  }
}
