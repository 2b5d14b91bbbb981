/**
 * Profile 3: Joule's own verdict on a station's client certificate, whether it came in the TLS handshake or from a
 * trusted TLS-terminating proxy. The TLS listener asks for a certificate but lets OpenSSL accept any (see
 * tls-listener.ts), so every refusal is decided here and answered as a clear HTTP 403 with a log line, instead of a
 * handshake dropped without a word. Checks, in order (reference §3.4):
 * - the certificate chains to a CA of JOULE_TLS_CLIENT_CA, is within its validity, and may authenticate clients;
 * - its CN binds it to the station: the spec says CN = the station's serial number (A00.FR.405/511); most
 *   deployments make that the OCPP identity, so the CN must be the station identity of the URL or the serial number
 *   the station reported in its BootNotification;
 * - the `clientCertificateCheck` hook (the PKI inventory: revocation, certificates Joule issued) accepts it.
 */
import type { ClientCertificateVerdict } from '../domain/stations/station-authentication.ts';
import { inspectClientCertificate, type TrustStore } from '../domain/security/pki/client-certificate.ts';
import { parseCertificates } from '../domain/security/pki/pem.ts';
import type { StationRecord } from '../store/ports.ts';
import type { ClientCertificateCheck } from '../domain/security/client-certificate-decision.ts';

/**
 * A further check of a profile-3 certificate, run after the chain, validity and CN checks passed: e.g. revocation
 * and binding in the PKI inventory. `certificateDer`: the leaf certificate, DER.
 */
export type { ClientCertificateCheck };

/** A presented certificate: the leaf (DER from the handshake, or PEM from a proxy) and any intermediates sent with it. */
export interface PresentedCertificate {
  leaf: Buffer | string;
  intermediates: Buffer[];
}

export class ClientCertificateVerifier {
  private readonly trust: TrustStore | undefined;
  private readonly check: ClientCertificateCheck | undefined;

  /** `caPem`: the CA certificates station certificates must chain to (each one is a trust anchor); none: refuse all. */
  constructor(caPem: string | undefined, check?: ClientCertificateCheck) {
    this.trust = caPem === undefined ? undefined : { anchors: parseCertificates(caPem) };
    this.check = check;
  }

  async verify(stationId: string, station: StationRecord | undefined, presented: PresentedCertificate): Promise<ClientCertificateVerdict> {
    if (this.trust === undefined) return { accepted: false, reason: 'no client CA is configured (JOULE_TLS_CLIENT_CA)' };
    const inspection = await inspectClientCertificate(presented.leaf, { trust: this.trust, presentedIntermediates: presented.intermediates });
    if (!inspection.readable) return { accepted: false, reason: inspection.reason };
    if (!inspection.accepted) return { accepted: false, reason: inspection.reasons.join('; ') };
    const { commonName, serialNumber } = inspection.certificate;
    const names = [stationId, station?.serialNumber, station?.chargeBoxSerialNumber].filter((n): n is string => typeof n === 'string' && n !== '');
    if (commonName === null || !names.includes(commonName)) {
      return { accepted: false, reason: `the certificate's CN "${commonName ?? ''}" is neither the station identity nor its serial number` };
    }
    if (this.check !== undefined) {
      const der = typeof presented.leaf === 'string' ? Buffer.from(parseCertificates(presented.leaf)[0]!.rawData) : presented.leaf;
      const outcome = await this.check(stationId, der);
      if (!outcome.accepted) return { accepted: false, reason: outcome.reason ?? 'refused by the certificate inventory' };
    }
    return { accepted: true, commonName, serialNumber };
  }
}
