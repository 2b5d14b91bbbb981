/**
 * The `otpauth://totp/...` URI an authenticator app reads (usually from a QR code), in the Key URI Format of Google
 * Authenticator: label `issuer:account`, parameters secret, issuer, algorithm, digits, period.
 */
import { DomainError } from '../../errors.ts';
import { base32Decode } from './base32.ts';
import type { TotpAlgorithm } from './totp.ts';

export interface OtpauthUriInput {
  /** The service name shown in the app (e.g. "Joule" or the operator's name). */
  issuer: string;
  /** The account: user name or e-mail. */
  accountName: string;
  /** base32 secret. */
  secret: string;
  algorithm?: TotpAlgorithm;
  digits?: number;
  period?: number;
}

export function otpauthUri(input: OtpauthUriInput): string {
  for (const [name, value] of [['issuer', input.issuer], ['account name', input.accountName]] as const) {
    if (value.trim() === '') throw new DomainError('invalid', `the ${name} of a TOTP URI cannot be empty`);
    if (value.includes(':')) throw new DomainError('invalid', `the ${name} of a TOTP URI cannot contain ":" (it separates issuer and account)`);
  }
  if (base32Decode(input.secret).byteLength < 16) throw new DomainError('invalid', 'the TOTP secret must be at least 16 bytes');
  const secret = input.secret.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  const label = `${encodeURIComponent(input.issuer)}:${encodeURIComponent(input.accountName)}`;
  const query = new URLSearchParams({
    secret,
    issuer: input.issuer,
    algorithm: input.algorithm ?? 'SHA1',
    digits: String(input.digits ?? 6),
    period: String(input.period ?? 30),
  });
  return `otpauth://totp/${label}?${query.toString().replace(/\+/g, '%20')}`;
}
