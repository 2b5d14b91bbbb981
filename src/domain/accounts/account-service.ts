/**
 * Operator accounts: people with a role (admin, operator, viewer), optionally limited to some sites, who log in with
 * a password (scrypt) and, once enrolled, a TOTP code; and the bearer tokens they hold: login sessions (short-lived)
 * and named API tokens (scoped, with an expiry). A token is shown once, when issued; only its SHA-256 is stored.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ApiTokenKind, ApiTokenRecord, AuditEntryInput, AuditEntryRecord, AuditQuery, OperatorRecord, OperatorRole, Store } from '../../store/ports.ts';
import { DomainError } from '../errors.ts';
import { hashOperatorPassword, verifyOperatorPassword } from '../security/credentials/operator-password.ts';
import { OPERATOR_PASSWORD_SCRYPT, type ScryptParams } from '../security/credentials/scrypt-hash.ts';
import { sha256Hex } from '../security/credentials/token-digest.ts';
import { otpauthUri } from '../security/totp/otpauth-uri.ts';
import { generateTotpSecret, verifyTotp } from '../security/totp/totp.ts';
import { DEFAULT_LOGIN_LIMITS, LoginLimits, type LoginLimitSettings } from './login-limits.ts';
import { grantScopes, ROLE_SCOPES, type ApiScope } from './scopes.ts';
import { stationsOfSites } from './site-scope.ts';

export const OPERATOR_ROLES: readonly OperatorRole[] = ['admin', 'operator', 'viewer'];

export interface AccountSettings {
  /** How long a login session lasts. */
  sessionTtlMs: number;
  /** Lifetime of an API token created without an expiry. */
  apiTokenDefaultTtlMs: number;
  /** The longest an API token may live. */
  apiTokenMaxTtlMs: number;
  loginLimits: LoginLimitSettings;
  /** The name authenticator apps show. */
  totpIssuer: string;
  /** scrypt cost of password hashes (tests lower it). */
  passwordScrypt: ScryptParams;
}

const DAY_MS = 86_400_000;

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = {
  sessionTtlMs: 12 * 3_600_000,
  apiTokenDefaultTtlMs: 90 * DAY_MS,
  apiTokenMaxTtlMs: 366 * DAY_MS,
  loginLimits: DEFAULT_LOGIN_LIMITS,
  totpIssuer: 'Joule',
  passwordScrypt: OPERATOR_PASSWORD_SCRYPT,
};

/** An operator as shown: never the password hash or the TOTP secret. */
export interface OperatorView {
  id: string;
  username: string;
  role: OperatorRole;
  sites: string[] | null;
  mfaEnabled: boolean;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A token as listed: never the token or its hash. */
export interface TokenView {
  id: string;
  kind: ApiTokenKind;
  name: string | null;
  scopes: string[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  createdFrom: string | null;
}

/** A token just issued: the only time the bearer token itself is shown. */
export interface IssuedToken extends TokenView {
  token: string;
}

export interface NewOperator {
  username: string;
  password: string;
  role: OperatorRole;
  sites?: string[] | null | undefined;
}

export interface OperatorChanges {
  role?: OperatorRole | undefined;
  sites?: string[] | null | undefined;
  disabled?: boolean | undefined;
  /** A new password set by an admin; the operator's tokens are revoked. */
  password?: string | undefined;
  /** Turns MFA off (a lost authenticator); the operator enrols again. */
  resetMfa?: boolean | undefined;
}

export type LoginFailure = 'invalid-credentials' | 'disabled' | 'mfa-required' | 'mfa-invalid' | 'mfa-replayed' | 'rate-limited';

export type LoginOutcome =
  | { ok: true; operator: OperatorView; session: IssuedToken }
  | { ok: false; reason: LoginFailure; retryAfterMs?: number; operatorId?: string };

/** Who a valid bearer token belongs to. */
export interface Authenticated {
  operator: OperatorRecord;
  token: ApiTokenRecord;
}

/** User names: a letter or digit, then letters, digits and `._@-`, 64 at most (ASCII, so case folds the same everywhere). */
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
/** Names the audit log uses for callers that are not accounts. */
const RESERVED_USERNAMES = new Set(['admin', 'anonymous']);
/** lastUsedAt is written at most this often per token (not on every request). */
const TOUCH_INTERVAL_MS = 60_000;

export class AccountService {
  private readonly store: Store;
  private readonly settings: AccountSettings;
  private readonly now: () => number;
  private readonly limits: LoginLimits;
  private readonly touched = new Map<string, number>();
  private dummyHash: Promise<string> | undefined;

  constructor(store: Store, settings: Partial<AccountSettings> = {}, now: () => number = Date.now) {
    this.store = store;
    this.settings = { ...DEFAULT_ACCOUNT_SETTINGS, ...settings };
    this.now = now;
    this.limits = new LoginLimits(store.loginAttempts, this.settings.loginLimits, now);
  }

  // --- Operators (admin) ---------------------------------------------------------------------------------------

  async list(): Promise<OperatorView[]> {
    return (await this.store.operators.list()).map(operatorView);
  }

  async get(id: string): Promise<OperatorView> {
    return operatorView(await this.operator(id));
  }

  async create(input: NewOperator): Promise<OperatorView> {
    const username = input.username.trim();
    if (!USERNAME.test(username)) throw new DomainError('invalid', 'a user name is 1-64 letters, digits or ._@- and starts with a letter or digit');
    if (RESERVED_USERNAMES.has(username.toLowerCase())) throw new DomainError('invalid', `the user name ${username} is reserved`);
    checkRole(input.role);
    const sites = await this.checkSites(input.sites ?? null);
    const passwordHash = await hashOperatorPassword(input.password, username, undefined, this.settings.passwordScrypt);
    const created = await this.store.operators.create({
      id: randomUUID(), username, role: input.role, sites, passwordHash, totpSecret: null, mfaEnabled: false, totpLastStep: null, disabled: false,
    });
    if (!created) throw new DomainError('conflict', `the user name ${username} is taken`);
    return operatorView(created);
  }

  async update(id: string, changes: OperatorChanges): Promise<OperatorView> {
    const operator = await this.operator(id);
    const next: OperatorRecord = { ...operator };
    if (changes.role !== undefined) next.role = checkRole(changes.role);
    if (changes.sites !== undefined) next.sites = await this.checkSites(changes.sites);
    if (changes.disabled !== undefined) next.disabled = changes.disabled;
    if (changes.password !== undefined) {
      next.passwordHash = await hashOperatorPassword(changes.password, operator.username, undefined, this.settings.passwordScrypt);
    }
    if (changes.resetMfa) Object.assign(next, { totpSecret: null, mfaEnabled: false, totpLastStep: null });
    const updated = await this.store.operators.update(next);
    if (!updated) throw new DomainError('not_found', `operator ${id} is not known`);
    if (changes.password !== undefined || changes.disabled === true) await this.store.apiTokens.revokeAll(id, this.nowIso());
    return operatorView(updated);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.operators.delete(id))) throw new DomainError('not_found', `operator ${id} is not known`);
  }

  // --- Login and tokens ------------------------------------------------------------------------------------------

  /**
   * Password, then (when enrolled) a TOTP code. A missing code after a right password is `mfa-required` (not a
   * failure: the client asks for the code). Every attempt is counted against the user name and the address before
   * anything is checked (login-limits.ts) and taken back unless it failed: wrong passwords, unknown names and wrong or
   * replayed codes stay counted. While either limit is used up the answer is `rate-limited`.
   */
  async login(input: { username: string; password: string; totp?: string | undefined; address: string }): Promise<LoginOutcome> {
    const { username, password, address } = input;
    const admission = await this.limits.admit(username, address);
    if (!admission.ok) return { ok: false, reason: 'rate-limited', retryAfterMs: admission.retryAfterMs };
    const operator = await this.store.operators.byUsername(username.trim());
    if (!operator) {
      // Spend the time a real check takes, so an unknown name does not answer faster than a wrong password.
      await verifyOperatorPassword(await this.dummy(), password);
      return { ok: false, reason: 'invalid-credentials' };
    }
    const checked = await verifyOperatorPassword(operator.passwordHash, password, this.settings.passwordScrypt);
    if (!checked.ok) return { ok: false, reason: 'invalid-credentials', operatorId: operator.id };
    // From here on the password was right: the attempt is no failure unless its TOTP code is wrong or replayed.
    if (operator.disabled) {
      await this.limits.notAFailure(admission.attempt);
      return { ok: false, reason: 'disabled', operatorId: operator.id };
    }
    if (operator.mfaEnabled && operator.totpSecret !== null) {
      const code = input.totp?.trim();
      if (!code) {
        await this.limits.notAFailure(admission.attempt);
        return { ok: false, reason: 'mfa-required', operatorId: operator.id };
      }
      const step = await this.useTotp(operator, code);
      if (step !== 'ok') return { ok: false, reason: step, operatorId: operator.id };
    }
    await this.limits.notAFailure(admission.attempt);
    if (checked.rehash) {
      const passwordHash = await hashOperatorPassword(password, operator.username, undefined, this.settings.passwordScrypt).catch(() => undefined);
      if (passwordHash) await this.store.operators.update({ ...operator, passwordHash });
    }
    const session = await this.issue(operator, 'session', null, [...ROLE_SCOPES[operator.role]], this.now() + this.settings.sessionTtlMs, address);
    return { ok: true, operator: operatorView(operator), session };
  }

  /** The operator and token behind a bearer token; undefined when unknown, revoked, expired or the account is disabled. */
  async authenticate(bearer: string): Promise<Authenticated | undefined> {
    const token = await this.store.apiTokens.bySha256(sha256Hex(bearer));
    if (!token || token.revokedAt !== null || token.expiresAt <= this.nowIso()) return undefined;
    const operator = await this.store.operators.get(token.operatorId);
    if (!operator || operator.disabled) return undefined;
    this.touch(token.id);
    return { operator, token };
  }

  /**
   * A named API token of the caller: scopes within the caller's role and within the scopes of the token that asks
   * (`held`), an expiry in the future and at most `apiTokenMaxTtlMs` away (default `apiTokenDefaultTtlMs`).
   */
  async createApiToken(
    operatorId: string,
    input: { name: string; scopes?: string[] | undefined; expiresAt?: string | undefined },
    held: readonly string[],
    address: string,
  ): Promise<IssuedToken> {
    const operator = await this.operator(operatorId);
    const name = input.name.trim();
    if (name === '' || name.length > 100) throw new DomainError('invalid', 'a token name is 1-100 characters');
    const scopes = grantScopes(operator.role, input.scopes, held);
    const now = this.now();
    let expiresMs = now + this.settings.apiTokenDefaultTtlMs;
    if (input.expiresAt !== undefined) {
      expiresMs = Date.parse(input.expiresAt);
      if (Number.isNaN(expiresMs)) throw new DomainError('invalid', `expiresAt ${input.expiresAt} is not an ISO 8601 time`);
      if (expiresMs <= now) throw new DomainError('invalid', 'expiresAt must be in the future');
      if (expiresMs > now + this.settings.apiTokenMaxTtlMs) {
        throw new DomainError('invalid', `a token lives at most ${Math.round(this.settings.apiTokenMaxTtlMs / DAY_MS)} days`);
      }
    }
    return this.issue(operator, 'api', name, scopes, expiresMs, address);
  }

  /** The caller's live tokens of a kind, newest first. */
  async tokens(operatorId: string, kind: ApiTokenKind): Promise<TokenView[]> {
    return (await this.store.apiTokens.live(operatorId, kind, this.nowIso())).map(tokenView);
  }

  /** Revokes one of the operator's own tokens; `not_found` for anyone else's (or an unknown one). */
  async revoke(operatorId: string, tokenId: string, kind?: ApiTokenKind): Promise<void> {
    const token = await this.store.apiTokens.get(tokenId);
    if (!token || token.operatorId !== operatorId || (kind !== undefined && token.kind !== kind) || token.revokedAt !== null) {
      throw new DomainError('not_found', `token ${tokenId} is not one of yours`);
    }
    await this.store.apiTokens.revoke(tokenId, this.nowIso());
  }

  async changePassword(operatorId: string, current: string, next: string, keepTokenId: string): Promise<void> {
    const operator = await this.operator(operatorId);
    if (!(await verifyOperatorPassword(operator.passwordHash, current, this.settings.passwordScrypt)).ok) {
      throw new DomainError('forbidden', 'the current password is not right');
    }
    const passwordHash = await hashOperatorPassword(next, operator.username, undefined, this.settings.passwordScrypt);
    await this.store.operators.update({ ...operator, passwordHash });
    // Every other session and token ends; the one in use stays.
    const now = this.nowIso();
    for (const kind of ['session', 'api'] as const) {
      for (const token of await this.store.apiTokens.live(operatorId, kind, now)) {
        if (token.id !== keepTokenId) await this.store.apiTokens.revoke(token.id, now);
      }
    }
  }

  /** The stations an operator limited to these sites may see: those with an EVSE in one of them. */
  stationsOfSites(siteIds: readonly string[]): Promise<Set<string>> {
    return stationsOfSites(this.store.sites, siteIds);
  }

  /** Appends to the audit log (the API's audit hook). */
  recordAudit(entry: AuditEntryInput): Promise<AuditEntryRecord> {
    return this.store.auditLog.append(entry);
  }

  /** The audit log, newest first. */
  audit(query: AuditQuery): Promise<AuditEntryRecord[]> {
    return this.store.auditLog.query(query);
  }

  // --- MFA -------------------------------------------------------------------------------------------------------

  /** A new TOTP secret and its otpauth URI; MFA is on only after `confirmMfa` with a code of it. */
  async enrolMfa(operatorId: string): Promise<{ secret: string; otpauthUri: string }> {
    const operator = await this.operator(operatorId);
    if (operator.mfaEnabled) throw new DomainError('conflict', 'MFA is already on; turn it off first to enrol a new authenticator');
    const secret = generateTotpSecret();
    await this.store.operators.update({ ...operator, totpSecret: secret, totpLastStep: null });
    return { secret, otpauthUri: otpauthUri({ issuer: this.settings.totpIssuer, accountName: operator.username, secret }) };
  }

  async confirmMfa(operatorId: string, code: string): Promise<OperatorView> {
    const operator = await this.operator(operatorId);
    if (operator.mfaEnabled) throw new DomainError('conflict', 'MFA is already on');
    if (operator.totpSecret === null) throw new DomainError('conflict', 'start an enrolment first (POST /auth/mfa/enrol)');
    const result = await this.useTotp(operator, code);
    if (result !== 'ok') throw new DomainError('invalid', result === 'mfa-replayed' ? 'this code was used already' : 'the code is not right');
    const updated = await this.store.operators.update({ ...(await this.operator(operatorId)), mfaEnabled: true });
    return operatorView(updated ?? operator);
  }

  /** Turns MFA off; needs the password and a current code. */
  async disableMfa(operatorId: string, password: string, code: string): Promise<OperatorView> {
    const operator = await this.operator(operatorId);
    if (!operator.mfaEnabled) throw new DomainError('conflict', 'MFA is not on');
    if (!(await verifyOperatorPassword(operator.passwordHash, password, this.settings.passwordScrypt)).ok) {
      throw new DomainError('forbidden', 'the password is not right');
    }
    if ((await this.useTotp(operator, code)) !== 'ok') throw new DomainError('forbidden', 'the code is not right');
    const updated = await this.store.operators.update({ ...operator, totpSecret: null, mfaEnabled: false, totpLastStep: null });
    return operatorView(updated ?? operator);
  }

  // --- Internals -------------------------------------------------------------------------------------------------

  private async useTotp(operator: OperatorRecord, code: string): Promise<'ok' | 'mfa-invalid' | 'mfa-replayed'> {
    if (operator.totpSecret === null) return 'mfa-invalid';
    const result = verifyTotp(operator.totpSecret, code, { now: new Date(this.now()), lastUsedStep: operator.totpLastStep });
    if (!result.ok) return result.reason === 'replayed' ? 'mfa-replayed' : 'mfa-invalid';
    // The store accepts the step only if still newer: two logins racing with one code cannot both pass.
    return (await this.store.operators.useTotpStep(operator.id, result.step)) ? 'ok' : 'mfa-replayed';
  }

  private async issue(operator: OperatorRecord, kind: ApiTokenKind, name: string | null, scopes: ApiScope[] | string[], expiresMs: number, address: string): Promise<IssuedToken> {
    const token = `${kind === 'session' ? 'jos' : 'joa'}_${randomBytes(32).toString('base64url')}`;
    const record: ApiTokenRecord = {
      id: randomUUID(),
      sha256: sha256Hex(token),
      operatorId: operator.id,
      kind,
      name,
      scopes: [...scopes],
      createdAt: this.nowIso(),
      expiresAt: new Date(expiresMs).toISOString(),
      lastUsedAt: null,
      revokedAt: null,
      createdFrom: address,
    };
    await this.store.apiTokens.create(record);
    return { ...tokenView(record), token };
  }

  private touch(tokenId: string): void {
    const now = this.now();
    const last = this.touched.get(tokenId);
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return;
    if (this.touched.size >= 10_000) this.touched.clear();
    this.touched.set(tokenId, now);
    this.store.apiTokens.touch(tokenId, new Date(now).toISOString()).catch(() => undefined);
  }

  private async operator(id: string): Promise<OperatorRecord> {
    const operator = await this.store.operators.get(id);
    if (!operator) throw new DomainError('not_found', `operator ${id} is not known`);
    return operator;
  }

  private async checkSites(sites: string[] | null): Promise<string[] | null> {
    if (sites === null) return null;
    const unique = [...new Set(sites)];
    for (const siteId of unique) {
      if (!(await this.store.sites.get(siteId))) throw new DomainError('invalid', `site ${siteId} is not known`);
    }
    return unique;
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashOperatorPassword(`${randomBytes(24).toString('base64url')}Zq`, undefined, undefined, this.settings.passwordScrypt);
    return this.dummyHash;
  }

  private nowIso(): string {
    return new Date(this.now()).toISOString();
  }
}

function checkRole(role: string): OperatorRole {
  if (!(OPERATOR_ROLES as readonly string[]).includes(role)) throw new DomainError('invalid', `role ${role} is not admin, operator or viewer`);
  return role as OperatorRole;
}

function operatorView(operator: OperatorRecord): OperatorView {
  const { id, username, role, sites, mfaEnabled, disabled, createdAt, updatedAt } = operator;
  return { id, username, role, sites, mfaEnabled, disabled, createdAt, updatedAt };
}

function tokenView(token: ApiTokenRecord): TokenView {
  const { id, kind, name, scopes, createdAt, expiresAt, lastUsedAt, createdFrom } = token;
  return { id, kind, name, scopes, createdAt, expiresAt, lastUsedAt, createdFrom };
}
