import type { Domain } from '../../domain/domain.ts';
import type { IdTokenInfo } from '../../domain/authorization/authorization-service.ts';
import type { StationIdentity } from '../../domain/stations/validation-policy.ts';
import type { NeutralStationRequest, NeutralStationResult } from '../../domain/commands/station-requests.ts';
import { textField, type CompletedCommand, type SessionState, type TranslatedRequest, type VersionAdapter } from '../adapter.ts';
import { RpcError } from '../rpc/error-codes.ts';
import type { Payload } from '../rpc/frames.ts';
import { isCertificateRequest } from '../../domain/security/certificate-requests.ts';
import { translateCertificateRequest16, translateCertificateResponse16 } from './certificate-requests.ts';
import { COMMAND_ACTIONS_16, refusal16, triggeredAction16 } from './command-rules.ts';
import type {
  AuthorizeReq16, BootNotificationReq16, DataTransferReq16, GetConfigurationConf16, IdTagInfo16,
  LogStatusNotificationReq16, MeterValuesReq16, SecurityEventNotificationReq16, SignCertificateReq16,
  SignedFirmwareStatusNotificationReq16, StartTransactionReq16, StatusNotificationReq16, StatusOnly16,
  StopTransactionReq16,
} from './messages.ts';
import { toMeterValueInputs } from './meter-values.ts';
import { completeRemoteStart16, translateRequest16, translateResponse16 } from './smart-charging-requests.ts';
import { stationPasswordRequest16, stationPasswordResult16 } from './station-password-request.ts';
import { evseOf16 } from './topology.ts';

type Handler = (session: SessionState, payload: Payload) => Promise<Payload>;

/** The CiString20 limit of 1.6 idTag / parentIdTag. */
const ID_TAG_MAX = 20;

function idTagInfo16(info: IdTokenInfo): IdTagInfo16 {
  const out: IdTagInfo16 = { status: info.status };
  if (info.expiryDate) out.expiryDate = info.expiryDate;
  if (info.groupId && info.groupId.length <= ID_TAG_MAX) out.parentIdTag = info.groupId;
  return out;
}

/** OCPP 1.6J (with the security extension): every station-to-CS message, mapped onto the domain. */
export class Ocpp16Adapter implements VersionAdapter {
  readonly version = 'ocpp1.6' as const;
  readonly commandActions = COMMAND_ACTIONS_16;
  private readonly domain: Domain;
  private readonly handlers: ReadonlyMap<string, Handler>;

  constructor(domain: Domain) {
    this.domain = domain;
    this.handlers = new Map<string, Handler>([
      ['BootNotification', (s, p) => this.bootNotification(s, p as unknown as BootNotificationReq16)],
      ['Heartbeat', async () => ({ currentTime: this.domain.stations.heartbeat() })],
      ['StatusNotification', (s, p) => this.statusNotification(s, p as unknown as StatusNotificationReq16)],
      ['Authorize', (s, p) => this.authorize(s, p as unknown as AuthorizeReq16)],
      ['StartTransaction', (s, p) => this.startTransaction(s, p as unknown as StartTransactionReq16)],
      ['StopTransaction', (s, p) => this.stopTransaction(s, p as unknown as StopTransactionReq16)],
      ['MeterValues', (s, p) => this.meterValues(s, p as unknown as MeterValuesReq16)],
      ['DataTransfer', (s, p) => this.dataTransfer(s, p as unknown as DataTransferReq16)],
      ['DiagnosticsStatusNotification', (s, p) => this.uploadStatus(s, 'diagnostics', p as unknown as StatusOnly16)],
      ['FirmwareStatusNotification', (s, p) => this.firmwareStatus(s, p as unknown as StatusOnly16, false)],
      ['SecurityEventNotification', (s, p) => this.securityEvent(s, p as unknown as SecurityEventNotificationReq16)],
      ['SignCertificate', (s, p) => this.signCertificate(s, p as unknown as SignCertificateReq16)],
      ['LogStatusNotification', (s, p) => this.uploadStatus(s, 'log', p as unknown as LogStatusNotificationReq16)],
      ['SignedFirmwareStatusNotification', (s, p) => this.firmwareStatus(s, p as unknown as SignedFirmwareStatusNotificationReq16, true)],
    ]);
  }

  handles(action: string): boolean {
    return this.handlers.has(action);
  }

  async handleCall(session: SessionState, action: string, payload: Payload): Promise<Payload> {
    const handler = this.handlers.get(action);
    if (!handler) throw new RpcError('NotSupported', `${action} is not supported by this central system`);
    if (action !== 'BootNotification' && session.registration !== 'Accepted' && !session.triggered.delete(action)) {
      // [J16E] 3.10: before it is Accepted a charge point sends only BootNotification (or what was triggered).
      throw new RpcError('SecurityError', `${action} before the station is Accepted (registration ${session.registration ?? 'none: send BootNotification first'})`);
    }
    this.domain.stations.seen(session.stationId);
    return handler(session, payload);
  }

  refuseCommand(session: SessionState, action: string): string | undefined {
    return refusal16(session, action);
  }

  translateRequest(session: SessionState, request: NeutralStationRequest): Promise<TranslatedRequest> {
    if (request.kind === 'SetStationPassword') return Promise.resolve(stationPasswordRequest16(request));
    if (isCertificateRequest(request)) return Promise.resolve(translateCertificateRequest16(request));
    return translateRequest16(this.domain, session.stationId, request);
  }

  completeCommand(session: SessionState, action: string, payload: Payload): Promise<CompletedCommand | undefined> {
    return completeRemoteStart16(this.domain, session.stationId, action, payload).catch(() => undefined);
  }

  translateResponse(request: NeutralStationRequest, translated: TranslatedRequest, response: Payload): NeutralStationResult {
    if (request.kind === 'SetStationPassword') return stationPasswordResult16(response);
    if (isCertificateRequest(request)) return translateCertificateResponse16(request, response);
    return translateResponse16(request, translated, response);
  }

  bootIdentity(action: string, payload: Payload): StationIdentity | undefined {
    if (action !== 'BootNotification') return undefined;
    return { vendor: textField(payload.chargePointVendor), model: textField(payload.chargePointModel), firmwareVersion: textField(payload.firmwareVersion) };
  }

  async commandAnswered(session: SessionState, action: string, request: Payload, response: Payload): Promise<void> {
    switch (action) {
      case 'GetConfiguration': {
        const keys = (response as GetConfigurationConf16).configurationKey ?? [];
        await this.domain.stations.configurationReported(
          session.stationId,
          keys.map((k) => ({ key: k.key, value: k.value ?? null, readonly: k.readonly })),
        );
        return;
      }
      case 'ChangeConfiguration': {
        const status = response.status;
        const key = String(request.key);
        // The AuthorizationKey is write-only and secret: never stored in the configuration mirror.
        if ((status === 'Accepted' || status === 'RebootRequired') && key !== 'AuthorizationKey') {
          await this.domain.stations.configurationReported(session.stationId, [{ key, value: String(request.value), readonly: false }]);
        }
        return;
      }
      case 'TriggerMessage':
      case 'ExtendedTriggerMessage':
        if (response.status === 'Accepted') session.triggered.add(triggeredAction16(String(request.requestedMessage)));
        return;
      default:
        return;
    }
  }

  private async bootNotification(session: SessionState, req: BootNotificationReq16): Promise<Payload> {
    const answer = await this.domain.stations.boot(session.stationId, {
      protocol: this.version,
      vendor: req.chargePointVendor,
      model: req.chargePointModel,
      serialNumber: req.chargePointSerialNumber,
      chargeBoxSerialNumber: req.chargeBoxSerialNumber,
      firmwareVersion: req.firmwareVersion,
      iccid: req.iccid,
      imsi: req.imsi,
      meterType: req.meterType,
      meterSerialNumber: req.meterSerialNumber,
    });
    session.registration = answer.status;
    return { status: answer.status, currentTime: answer.currentTime, interval: answer.intervalS };
  }

  private async statusNotification(session: SessionState, req: StatusNotificationReq16): Promise<Payload> {
    await this.domain.stations.statusChanged(session.stationId, {
      ...evseOf16(req.connectorId),
      status: req.status,
      errorCode: req.errorCode,
      info: req.info,
      vendorId: req.vendorId,
      vendorErrorCode: req.vendorErrorCode,
      timestamp: req.timestamp,
    });
    return {};
  }

  private async authorize(session: SessionState, req: AuthorizeReq16): Promise<Payload> {
    const info = await this.domain.authorization.authorize(session.stationId, req.idTag);
    return { idTagInfo: idTagInfo16(info) };
  }

  private async startTransaction(session: SessionState, req: StartTransactionReq16): Promise<Payload> {
    const started = await this.domain.transactions.start(session.stationId, {
      ...evseOf16(req.connectorId),
      idToken: req.idTag,
      meterStartWh: req.meterStart,
      timestamp: req.timestamp,
      reservationId: req.reservationId,
    });
    return { transactionId: Number(started.transaction.stationTxId), idTagInfo: idTagInfo16(started.idTokenInfo) };
  }

  private async stopTransaction(session: SessionState, req: StopTransactionReq16): Promise<Payload> {
    const stopped = await this.domain.transactions.stop(session.stationId, {
      stationTxId: String(req.transactionId),
      meterStopWh: req.meterStop,
      timestamp: req.timestamp,
      idToken: req.idTag,
      reason: req.reason ?? 'Local',
      meterValues: req.transactionData ? toMeterValueInputs(req.transactionData) : undefined,
    });
    return stopped.idTokenInfo ? { idTagInfo: idTagInfo16(stopped.idTokenInfo) } : {};
  }

  private async meterValues(session: SessionState, req: MeterValuesReq16): Promise<Payload> {
    await this.domain.metering.record(session.stationId, {
      ...evseOf16(req.connectorId),
      stationTxId: req.transactionId === undefined ? undefined : String(req.transactionId),
      values: toMeterValueInputs(req.meterValue),
    });
    return {};
  }

  private async dataTransfer(session: SessionState, req: DataTransferReq16): Promise<Payload> {
    const result = await this.domain.dataTransfer.receive(session.stationId, req);
    const out: Payload = { status: result.status };
    if (result.data !== undefined) out.data = typeof result.data === 'string' ? result.data : JSON.stringify(result.data);
    return out;
  }

  private async uploadStatus(session: SessionState, kind: 'diagnostics' | 'log', req: LogStatusNotificationReq16): Promise<Payload> {
    await this.domain.diagnostics.uploadStatusReported(session.stationId, { kind, status: req.status, requestId: req.requestId });
    return {};
  }

  private async firmwareStatus(session: SessionState, req: SignedFirmwareStatusNotificationReq16, signed: boolean): Promise<Payload> {
    await this.domain.firmware.statusReported(session.stationId, { status: req.status, requestId: req.requestId, signed });
    return {};
  }

  private async securityEvent(session: SessionState, req: SecurityEventNotificationReq16): Promise<Payload> {
    await this.domain.security.eventReported(session.stationId, req);
    return {};
  }

  private async signCertificate(session: SessionState, req: SignCertificateReq16): Promise<Payload> {
    const result = await this.domain.certificates.signingRequested(session.stationId, { csr: req.csr });
    return { status: result.accepted ? 'Accepted' : 'Rejected' };
  }
}
