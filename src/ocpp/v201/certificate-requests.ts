/**
 * Version-neutral certificate requests as OCPP 2.x messages (A02/A03 CertificateSigned, M03 GetInstalledCertificateIds,
 * M04 DeleteCertificate, M05 InstallCertificate, TriggerMessage SignChargingStationCertificate), and the answers read
 * back. 2.1 echoes the SignCertificate requestId in CertificateSigned; 2.0.1 has no such field.
 */
import type { CertificateStationRequest } from '../../domain/security/certificate-requests.ts';
import type { NeutralStationResult } from '../../domain/commands/station-requests.ts';
import type { CertificateHashDataRecord } from '../../store/ports.ts';
import type { TranslatedRequest } from '../adapter.ts';
import type { Payload } from '../rpc/frames.ts';
import type { OcppVersion } from '../versions.ts';

interface HashDataChainEntry {
  certificateType?: string;
  certificateHashData?: CertificateHashDataRecord;
}

function ok(action: string, payload: Payload): TranslatedRequest {
  return { ok: true, action, payload, changes: [] };
}

export function translateCertificateRequest2(version: OcppVersion, request: CertificateStationRequest): TranslatedRequest {
  switch (request.kind) {
    case 'CertificateSigned': {
      const payload: Payload = { certificateChain: request.certificateChain, certificateType: request.certificateType };
      if (version === 'ocpp2.1' && request.requestId !== undefined) payload.requestId = request.requestId;
      return ok('CertificateSigned', payload);
    }
    case 'InstallCertificate':
      return ok('InstallCertificate', { certificateType: request.certificateType, certificate: request.certificate });
    case 'DeleteCertificate':
      return ok('DeleteCertificate', { certificateHashData: { ...request.hashData } });
    case 'GetInstalledCertificateIds':
      return ok('GetInstalledCertificateIds', { certificateType: [request.certificateType] });
    case 'TriggerCertificateSigning':
      return ok('TriggerMessage', { requestedMessage: 'SignChargingStationCertificate' });
  }
}

export function translateCertificateResponse2(request: CertificateStationRequest, response: Payload): NeutralStationResult {
  const result: NeutralStationResult = { kind: request.kind, status: typeof response.status === 'string' ? response.status : 'Unknown' };
  const info = response.statusInfo as { reasonCode?: string; additionalInfo?: string } | undefined;
  if (info?.reasonCode) result.reason = info.additionalInfo ? `${info.reasonCode}: ${info.additionalInfo}` : info.reasonCode;
  if (request.kind === 'GetInstalledCertificateIds') {
    const chain = Array.isArray(response.certificateHashDataChain) ? response.certificateHashDataChain as HashDataChainEntry[] : [];
    result.certificates = chain
      .filter((entry) => entry.certificateHashData !== undefined)
      .map((entry) => ({ certificateType: entry.certificateType ?? request.certificateType, hashData: entry.certificateHashData as CertificateHashDataRecord }));
  }
  return result;
}
