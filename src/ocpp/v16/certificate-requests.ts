/**
 * Version-neutral certificate requests as OCPP 1.6 security-extension messages, and the answers read back. 1.6 names
 * the CSMS root CentralSystemRootCertificate and has no V2G or MO roots; a renewal is asked for with
 * ExtendedTriggerMessage SignChargePointCertificate.
 */
import type { CertificateStationRequest } from '../../domain/security/certificate-requests.ts';
import type { NeutralStationResult } from '../../domain/commands/station-requests.ts';
import type { CertificateHashDataRecord } from '../../store/ports.ts';
import type { TranslatedRequest } from '../adapter.ts';
import type { Payload } from '../rpc/frames.ts';

const ROOT_TYPE_16: Readonly<Record<string, string>> = {
  CSMSRootCertificate: 'CentralSystemRootCertificate',
  ManufacturerRootCertificate: 'ManufacturerRootCertificate',
};
const ROOT_TYPE_NEUTRAL: Readonly<Record<string, string>> = {
  CentralSystemRootCertificate: 'CSMSRootCertificate',
  ManufacturerRootCertificate: 'ManufacturerRootCertificate',
};

function ok(action: string, payload: Payload): TranslatedRequest {
  return { ok: true, action, payload, changes: [] };
}

function unavailable(message: string): TranslatedRequest {
  return { ok: false, message, errors: [] };
}

export function translateCertificateRequest16(request: CertificateStationRequest): TranslatedRequest {
  switch (request.kind) {
    case 'CertificateSigned':
      if (request.certificateType !== 'ChargingStationCertificate') return unavailable('OCPP 1.6 stations have no V2G certificate');
      return ok('CertificateSigned', { certificateChain: request.certificateChain });
    case 'InstallCertificate': {
      const type = ROOT_TYPE_16[request.certificateType];
      if (type === undefined) return unavailable(`OCPP 1.6 has no ${request.certificateType}`);
      return ok('InstallCertificate', { certificateType: type, certificate: request.certificate });
    }
    case 'DeleteCertificate':
      return ok('DeleteCertificate', { certificateHashData: { ...request.hashData } });
    case 'GetInstalledCertificateIds': {
      const type = ROOT_TYPE_16[request.certificateType];
      if (type === undefined) return unavailable(`OCPP 1.6 has no ${request.certificateType}`);
      return ok('GetInstalledCertificateIds', { certificateType: type });
    }
    case 'TriggerCertificateSigning':
      return ok('ExtendedTriggerMessage', { requestedMessage: 'SignChargePointCertificate' });
  }
}

export function translateCertificateResponse16(request: CertificateStationRequest, response: Payload): NeutralStationResult {
  const result: NeutralStationResult = { kind: request.kind, status: typeof response.status === 'string' ? response.status : 'Unknown' };
  if (request.kind === 'GetInstalledCertificateIds') {
    const list = Array.isArray(response.certificateHashData) ? response.certificateHashData as CertificateHashDataRecord[] : [];
    const certificateType = ROOT_TYPE_NEUTRAL[ROOT_TYPE_16[request.certificateType] ?? ''] ?? request.certificateType;
    result.certificates = list.map((hashData) => ({ certificateType, hashData }));
  }
  return result;
}
