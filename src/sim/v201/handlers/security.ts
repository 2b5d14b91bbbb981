import type { Payload } from '../../../ocpp/rpc/frames.ts';
import { hashDataOf, looksLikePemCertificate, type CertificateHashData } from '../../certificate-store.ts';
import { statusInfo, type CertificateUse201 } from '../types.ts';
import { handler, type CsmsRequestHandler } from './types.ts';

const INSTALLABLE: readonly CertificateUse201[] = ['V2GRootCertificate', 'MORootCertificate', 'CSMSRootCertificate', 'ManufacturerRootCertificate'];

/** A02/A03: the signed certificate chain is stored; text that is no PEM certificate, or too long, is Rejected. */
const certificateSigned = handler<{ certificateChain: string; certificateType?: 'ChargingStationCertificate' | 'V2GCertificate' }>(
  (station, { certificateChain, certificateType }, after) => {
    const maxSize = station.deviceModel.int('SecurityCtrlr.MaxCertificateChainSize');
    if (!looksLikePemCertificate(certificateChain) || certificateChain.length > maxSize) {
      if (certificateType !== 'V2GCertificate') after(() => void station.securityEvent('InvalidChargingStationCertificate'));
      return { status: 'Rejected', statusInfo: statusInfo('InvalidCertificate') };
    }
    if (certificateType === 'V2GCertificate') station.v2gCertificate = certificateChain;
    else station.certificates.acceptCertificate(certificateChain);
    return { status: 'Accepted' };
  },
);

/** M05: Rejected for text that is no PEM certificate or when SecurityCtrlr.CertificateEntries is at its maximum. */
const installCertificate = handler<{ certificateType: CertificateUse201; certificate: string }>((station, { certificateType, certificate }) => ({
  status: station.certificates.install(certificateType, certificate, station.deviceModel.maxLimit('SecurityCtrlr.CertificateEntries')),
}));

/** M04. */
const deleteCertificate = handler<{ certificateHashData: CertificateHashData }>((station, { certificateHashData }) => ({
  status: station.certificates.remove(certificateHashData),
}));

type RequestedCertificate = CertificateUse201 | 'V2GCertificateChain';

/** M03: the hash data of the installed certificates of the types asked for (all types when none given). */
const getInstalledCertificateIds = handler<{ certificateType?: RequestedCertificate[] }>((station, { certificateType }) => {
  const types: readonly RequestedCertificate[] = certificateType ?? [...INSTALLABLE, 'V2GCertificateChain'];
  const chain: Payload[] = [];
  for (const type of types) {
    if (type === 'V2GCertificateChain') {
      if (station.v2gCertificate !== undefined) chain.push({ certificateHashData: hashDataOf(station.v2gCertificate), certificateType: type });
      continue;
    }
    for (const hash of station.certificates.ids(type)) chain.push({ certificateHashData: hash, certificateType: type });
  }
  return chain.length > 0 ? { status: 'Accepted', certificateHashDataChain: chain } : { status: 'NotFound' };
});

/** A Security, M ISO 15118 certificate management. */
export const SECURITY_HANDLERS: Record<string, CsmsRequestHandler> = {
  CertificateSigned: certificateSigned,
  InstallCertificate: installCertificate,
  DeleteCertificate: deleteCertificate,
  GetInstalledCertificateIds: getInstalledCertificateIds,
};
