/**
 * TLS terminated at a proxy in front of Joule (nginx, HAProxy, a cloud load balancer): the proxy verifies nothing
 * for Joule, it only forwards the station's client certificate in a header (URL-encoded PEM, as nginx's
 * `$ssl_client_escaped_cert`). That header is believed only from the addresses of JOULE_TLS_PROXY_TRUSTED; from
 * anyone else it is ignored (and the caller logs it), so a station on the plain listener cannot claim a certificate.
 * A connection from a trusted proxy counts as TLS: the proxy is where the station's TLS ended.
 */
import { BlockList, isIP } from 'node:net';

export class TrustedProxies {
  private readonly list = new BlockList();
  private readonly empty: boolean;
  readonly header: string;

  /** `entries`: addresses or CIDRs (validated by the configuration). `header`: lower-case header name. */
  constructor(entries: readonly string[], header: string) {
    this.header = header.toLowerCase();
    this.empty = entries.length === 0;
    for (const entry of entries) {
      const [address = '', prefix] = entry.split('/');
      const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.list.addAddress(address, type);
      else this.list.addSubnet(address, Number(prefix), type);
    }
  }

  /** True when `address` (as the socket reports it; IPv4-mapped IPv6 included) is a trusted proxy. */
  trusts(address: string | undefined): boolean {
    if (this.empty || address === undefined) return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped?.[1] !== undefined) return this.list.check(mapped[1], 'ipv4');
    return this.list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }

  /** The forwarded certificate as PEM, or undefined when the header is absent or empty. Throws on unreadable input. */
  forwardedCertificate(value: string | string[] | undefined): string | undefined {
    const raw = Array.isArray(value) ? value[0] : value;
    if (raw === undefined || raw.trim() === '' || raw === '(null)') return undefined;
    // nginx $ssl_client_escaped_cert is URL-encoded; some proxies send the PEM with its newlines folded into spaces.
    const decoded = raw.includes('%') ? decodeURIComponent(raw) : raw;
    return decoded.replace(/-----BEGIN CERTIFICATE----- ?([^-]+?) ?-----END CERTIFICATE-----/g, (_m, body: string) =>
      `-----BEGIN CERTIFICATE-----\n${body.trim().replace(/\s+/g, '\n')}\n-----END CERTIFICATE-----`);
  }
}
