/**
 * Passwords of people who operate Joule. The policy follows NIST SP 800-63B: a minimum length, a generous maximum,
 * no composition rules (they make passwords weaker and harder to remember), but no well-known or trivially
 * guessable password and none containing the account's own name. Passwords are Unicode-normalised (NFKC) before
 * hashing, so the same password typed on another keyboard still matches; the hash is scrypt with its own, heavier
 * parameters (OPERATOR_PASSWORD_SCRYPT).
 */
import { DomainError } from '../../errors.ts';
import { hashSecret, needsRehash, OPERATOR_PASSWORD_SCRYPT, type ScryptParams, verifySecret } from './scrypt-hash.ts';

export interface OperatorPasswordPolicy {
  minLength: number;
  maxLength: number;
}

/** 12 characters at least (NIST asks 8 with a second factor, 15 without; Joule offers TOTP), 128 at most. */
export const DEFAULT_OPERATOR_PASSWORD_POLICY: OperatorPasswordPolicy = { minLength: 12, maxLength: 128 };

/** The most common passwords and the words of this trade, compared without case. Deliberately short: a start. */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  'password', 'password1', 'password12', 'password123', 'password1234', 'passw0rd', 'p@ssw0rd', 'p@ssword',
  'qwerty', 'qwertyuiop', 'qwerty123', 'qwerty123456', '1q2w3e4r5t6y', 'iloveyou', 'letmein', 'letmein123',
  'welcome', 'welcome123', 'welcome1234', 'admin', 'admin123', 'administrator', 'changeme', 'changeme123',
  'trustno1', 'monkey', 'dragon', 'football', 'baseball', 'superman', 'sunshine', 'princess', 'whatever',
  'secret', 'default', 'master', 'login', 'starwars', 'abc123', 'test1234', 'testtest', 'opensesame',
  'joule', 'joule123', 'charging', 'chargepoint', 'chargingstation', 'evcharging', 'ocpp', 'ocpp1234', 'csms',
]);

export type PasswordPolicyResult = { ok: true } | { ok: false; problems: string[] };

/** Every way `password` breaks the policy. `account`: the user name or e-mail it belongs to. */
export function checkOperatorPassword(
  password: string,
  account?: string,
  policy: OperatorPasswordPolicy = DEFAULT_OPERATOR_PASSWORD_POLICY,
): PasswordPolicyResult {
  const problems: string[] = [];
  const normalised = password.normalize('NFKC');
  const length = [...normalised].length;
  if (length < policy.minLength) problems.push(`at least ${policy.minLength} characters are required (this has ${length})`);
  if (length > policy.maxLength) problems.push(`at most ${policy.maxLength} characters are allowed (this has ${length})`);
  if (/[\u0000-\u001f\u007f]/.test(normalised)) problems.push('control characters are not allowed');
  const lower = normalised.toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || COMMON_PASSWORDS.has(lower.replace(/[\d\W_]+$/u, ''))) {
    problems.push('this is a well-known password');
  }
  if (length > 0 && new Set(normalised).size <= 2) problems.push('a password of one or two repeated characters is guessable');
  if (isSequence(lower)) problems.push('a keyboard or alphabet sequence is guessable');
  for (const part of accountParts(account)) {
    if (lower.includes(part)) {
      problems.push('the password must not contain the account name');
      break;
    }
  }
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

/** The hash to store; refuses a password that breaks the policy (an `invalid` DomainError listing why). */
export async function hashOperatorPassword(
  password: string,
  account?: string,
  policy: OperatorPasswordPolicy = DEFAULT_OPERATOR_PASSWORD_POLICY,
  params: ScryptParams = OPERATOR_PASSWORD_SCRYPT,
): Promise<string> {
  const result = checkOperatorPassword(password, account, policy);
  if (!result.ok) throw new DomainError('invalid', `password refused: ${result.problems.join('; ')}`);
  return hashSecret(Buffer.from(password.normalize('NFKC'), 'utf8'), params);
}

/** Whether `password` is the one `hash` was made from, and whether the hash should be remade with current parameters. */
export async function verifyOperatorPassword(
  hash: string,
  password: string,
  params: ScryptParams = OPERATOR_PASSWORD_SCRYPT,
): Promise<{ ok: boolean; rehash: boolean }> {
  const ok = await verifySecret(hash, Buffer.from(password.normalize('NFKC'), 'utf8'));
  return { ok, rehash: ok && needsRehash(hash, params) };
}

const SEQUENCES = ['abcdefghijklmnopqrstuvwxyz', '012345678901234567890123456789', 'qwertyuiopasdfghjklzxcvbnm', '1qaz2wsx3edc4rfv5tgb6yhn'];

/** True when the whole password runs along one of the sequences (digits wrap: 7890123), forwards or backwards. */
function isSequence(lower: string): boolean {
  if (lower.length < 4) return false;
  const reversed = [...lower].reverse().join('');
  return SEQUENCES.some((sequence) => sequence.includes(lower) || sequence.includes(reversed));
}

/** The account name and, for an e-mail address, its local part; parts shorter than 4 characters are ignored. */
function accountParts(account: string | undefined): string[] {
  if (account === undefined) return [];
  const lower = account.normalize('NFKC').toLowerCase();
  const parts = [lower, lower.split('@')[0] ?? ''];
  return [...new Set(parts)].filter((part) => part.length >= 4);
}
