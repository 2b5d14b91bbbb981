/**
 * The inventory of certificates Joule issued or knows: what each is for, whom it names, when it expires, whether it
 * was revoked. Pure functions over plain records (the store keeps the records; these decide). Revocation is checked
 * on every profile-3 connection (issue 6), and renewal is due some days before expiry (A03: stations renew about a
 * month ahead; Joule triggers SignChargePointCertificate for those that do not).
 */
import { DomainError } from '../../errors.ts';
import { singleNameField } from './distinguished-name.ts';
import { fingerprintSha256 } from './pem.ts';
import { normaliseSerialNumber } from './serial-number.ts';
import type { x509 } from './x509.ts';

const DAY_MS = 86_400_000;

export type CertificateUse = 'station' | 'server' | 'root-ca' | 'intermediate-ca';

/** RFC 5280 §5.3.1 reason codes (those that apply to a revocation Joule records). */
export type RevocationReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'privilegeWithdrawn';

export interface CertificateInventoryEntry {
  /** Hex, lowercase, no leading zeros. Unique per issuer. */
  serialNumber: string;
  issuer: string;
  subject: string;
  commonName: string | null;
  organization: string | null;
  /** The station the certificate was issued to (use `station`), else null. */
  stationId: string | null;
  use: CertificateUse;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  revokedAt: string | null;
  revocationReason: RevocationReason | null;
}

export function inventoryEntry(
  certificate: x509.X509Certificate,
  details: { use: CertificateUse; stationId?: string | null },
): CertificateInventoryEntry {
  return {
    serialNumber: normaliseSerialNumber(certificate.serialNumber),
    issuer: certificate.issuer,
    subject: certificate.subject,
    commonName: singleNameField(certificate.subjectName, 'CN') ?? null,
    organization: singleNameField(certificate.subjectName, 'O') ?? null,
    stationId: details.stationId ?? null,
    use: details.use,
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    fingerprintSha256: fingerprintSha256(certificate),
    revokedAt: null,
    revocationReason: null,
  };
}

/** Unrevoked certificates still valid now that expire within `days`, soonest first. */
export function expiringWithin(
  entries: readonly CertificateInventoryEntry[],
  days: number,
  now: Date = new Date(),
): CertificateInventoryEntry[] {
  const from = now.getTime();
  const until = from + days * DAY_MS;
  return entries
    .filter((e) => e.revokedAt === null)
    .filter((e) => {
      const end = Date.parse(e.notAfter);
      return end > from && end <= until;
    })
    .sort((a, b) => Date.parse(a.notAfter) - Date.parse(b.notAfter));
}

export function isExpired(entry: CertificateInventoryEntry, now: Date = new Date()): boolean {
  return Date.parse(entry.notAfter) < now.getTime();
}

export interface RenewalDue {
  stationId: string;
  /** The station's newest unrevoked certificate, which expires within the window (or already has). */
  current: CertificateInventoryEntry;
}

/**
 * Stations to renew: those whose newest unrevoked station certificate (latest notAfter) expires within `days`, or
 * has expired. A station that already holds a newer certificate is not due, even if an older one is about to expire.
 */
export function stationsDueForRenewal(
  entries: readonly CertificateInventoryEntry[],
  days: number,
  now: Date = new Date(),
): RenewalDue[] {
  const newest = new Map<string, CertificateInventoryEntry>();
  for (const entry of entries) {
    if (entry.use !== 'station' || entry.stationId === null || entry.revokedAt !== null) continue;
    const held = newest.get(entry.stationId);
    if (held === undefined || Date.parse(entry.notAfter) > Date.parse(held.notAfter)) newest.set(entry.stationId, entry);
  }
  const until = now.getTime() + days * DAY_MS;
  return [...newest.entries()]
    .filter(([, entry]) => Date.parse(entry.notAfter) <= until)
    .map(([stationId, current]) => ({ stationId, current }))
    .sort((a, b) => Date.parse(a.current.notAfter) - Date.parse(b.current.notAfter));
}

/**
 * The inventory with one certificate revoked (a new array; the input is not changed). Revoking a revoked certificate
 * keeps the first revocation. `issuer` narrows the match when several CAs' serials are kept.
 */
export function revoke(
  entries: readonly CertificateInventoryEntry[],
  serialNumber: string,
  revocation: { at: Date; reason?: RevocationReason; issuer?: string },
): CertificateInventoryEntry[] {
  const serial = normaliseSerialNumber(serialNumber);
  let found = false;
  const result = entries.map((entry) => {
    if (!matches(entry, serial, revocation.issuer)) return entry;
    found = true;
    if (entry.revokedAt !== null) return entry;
    return { ...entry, revokedAt: revocation.at.toISOString(), revocationReason: revocation.reason ?? 'unspecified' };
  });
  if (!found) throw new DomainError('not_found', `no certificate with serial number ${serial} in the inventory`);
  return result;
}

export function isRevoked(entries: readonly CertificateInventoryEntry[], serialNumber: string, issuer?: string): boolean {
  const serial = normaliseSerialNumber(serialNumber);
  return entries.some((entry) => entry.revokedAt !== null && matches(entry, serial, issuer));
}

/** A revocation lookup for connection checks: built once from the inventory, answered from a set. */
export function revocationCheck(entries: readonly CertificateInventoryEntry[]): (serialNumber: string, issuer: string) => boolean {
  const revoked = new Set<string>();
  for (const entry of entries) if (entry.revokedAt !== null) revoked.add(key(entry.serialNumber, entry.issuer));
  return (serialNumber, issuer) => revoked.has(key(normaliseSerialNumber(serialNumber), issuer));
}

function matches(entry: CertificateInventoryEntry, serial: string, issuer: string | undefined): boolean {
  return entry.serialNumber === serial && (issuer === undefined || entry.issuer === issuer);
}

function key(serial: string, issuer: string): string {
  return `${serial}\u0000${issuer}`;
}
