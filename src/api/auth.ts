import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountService } from '../domain/accounts/account-service.ts';
import type { ApiScope } from '../domain/accounts/scopes.ts';
import { ApiError } from './errors.ts';

/**
 * What a role may do: `admin` everything, `operator` everything but the routes guarded by `requireRole('admin')`
 * (server-wide policy such as validation rules), `viewer` only read.
 */
export type ApiRole = 'admin' | 'operator' | 'viewer';

/**
 * Who is calling: the name goes into command records and the audit log as the actor. The bootstrap admin token and
 * static tokens carry only name and role (every scope of the role, every site); an operator's token also says which
 * account and token it is, its scopes and the sites the operator is limited to.
 */
export interface ApiPrincipal {
  name: string;
  role: ApiRole;
  /** The operator account behind the token (absent for the bootstrap token). */
  operatorId?: string;
  tokenId?: string;
  tokenKind?: 'session' | 'api';
  /** What this token may do (`read`, `write`, `commands`, `admin`); absent: everything its role may. */
  scopes?: readonly string[];
  /** The sites this caller is limited to; absent or null: every site. */
  sites?: readonly string[] | null;
}

/** Decides who a bearer token belongs to; `undefined` for an unknown token. */
export interface ApiAuth {
  verify(token: string): Promise<ApiPrincipal | undefined>;
}

/** A bearer token with the principal it stands for. */
export interface ApiToken extends ApiPrincipal {
  token: string;
}

/** A bearer token known only by its SHA-256 (64 hex digits), with the principal it stands for. */
export interface ApiTokenHash extends ApiPrincipal {
  sha256: string;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Bearer tokens known by their SHA-256 hashes (e.g. the bootstrap admin token). A presented token is hashed and
 * compared with every entry in constant time, so neither the comparison nor the matching position leaks through
 * timing.
 */
export class HashedTokenAuth implements ApiAuth {
  private readonly entries: { hash: Buffer; principal: ApiPrincipal }[];

  constructor(tokens: readonly ApiTokenHash[]) {
    this.entries = tokens.map(({ sha256: hex, name, role }) => {
      if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`API token hash for ${name} is not a SHA-256 hex digest`);
      return { hash: Buffer.from(hex, 'hex'), principal: Object.freeze({ name, role }) };
    });
  }

  async verify(token: string): Promise<ApiPrincipal | undefined> {
    const hash = sha256(token);
    let found: ApiPrincipal | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.hash, hash)) found ??= entry.principal;
    }
    return found;
  }
}

/** Bearer tokens from a plain list (tests, configuration); only their hashes are kept. */
export class StaticTokenAuth extends HashedTokenAuth {
  constructor(tokens: readonly ApiToken[]) {
    super(tokens.map(({ token, name, role }) => {
      if (token.length === 0) throw new Error(`API token for ${name} is empty`);
      return { sha256: sha256(token).toString('hex'), name, role };
    }));
  }
}

/** The bootstrap token(s) first, then the tokens of operator accounts (sessions and API tokens) from the store. */
export class AccountTokenAuth implements ApiAuth {
  private readonly bootstrap: ApiAuth;
  private readonly accounts: AccountService;

  constructor(bootstrap: ApiAuth, accounts: AccountService) {
    this.bootstrap = bootstrap;
    this.accounts = accounts;
  }

  async verify(token: string): Promise<ApiPrincipal | undefined> {
    const fixed = await this.bootstrap.verify(token);
    if (fixed) return fixed;
    const found = await this.accounts.authenticate(token);
    if (!found) return undefined;
    const { operator, token: record } = found;
    return {
      name: operator.username,
      role: operator.role,
      operatorId: operator.id,
      tokenId: record.id,
      tokenKind: record.kind,
      scopes: record.scopes,
      sites: operator.sites,
    };
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without a token (login). */
    public?: boolean;
    /** The caller's own account (logout, MFA, own tokens): any valid token of an account may, whatever its scopes. */
    selfService?: boolean;
  }
}

const PRINCIPAL = 'principal';
const READ_METHODS = new Set(['GET', 'HEAD']);

/** The scope a request needs: reads `read`, commands to stations `commands`, other changes `write`. */
export function scopeOf(method: string, routeUrl: string | undefined): ApiScope {
  if (READ_METHODS.has(method)) return 'read';
  if (routeUrl !== undefined && /\/commands\/:action$/.test(routeUrl)) return 'commands';
  return 'write';
}

function requireScope(principal: ApiPrincipal, scope: ApiScope): void {
  if (principal.scopes !== undefined && !principal.scopes.includes(scope)) {
    throw new ApiError(403, 'forbidden', `This token's scopes (${principal.scopes.join(', ') || 'none'}) do not include ${scope}`);
  }
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header && /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match ? match[1] : undefined;
}

/**
 * Requires a valid bearer token on every route of `app` (an encapsulated plugin) but those marked `config.public`,
 * read-only methods for viewers, and the scope the request needs (`scopeOf`) among the token's scopes. Routes marked
 * `config.selfService` (the caller's own account) need only a valid token. Missing or unknown token: 401
 * `unauthorized`; a viewer writing or a token without the scope: 403 `forbidden`.
 */
export function requireBearerAuth(app: FastifyInstance, auth: ApiAuth): void {
  app.decorateRequest(PRINCIPAL, null);
  app.addHook('onRequest', async (request, reply) => {
    const config = request.routeOptions.config;
    if (config.public) return;
    const token = bearerToken(request.headers.authorization);
    const principal = token === undefined ? undefined : await auth.verify(token);
    if (!principal) {
      reply.header('www-authenticate', 'Bearer');
      throw new ApiError(401, 'unauthorized', token === undefined ? 'Send the header Authorization: Bearer <token>' : 'The bearer token is not valid');
    }
    request.setDecorator(PRINCIPAL, principal);
    if (config.selfService) return;
    if (principal.role === 'viewer' && !READ_METHODS.has(request.method)) {
      throw new ApiError(403, 'forbidden', `Role ${principal.role} may only read`);
    }
    requireScope(principal, scopeOf(request.method, request.routeOptions.url));
  });
}

/**
 * A route hook (`onRequest: requireRole('admin')`) that admits only the given roles, on top of `requireBearerAuth`
 * (whose hook runs first and sets the principal). Like the viewer rule it runs before the body is parsed, so a caller
 * without the role gets 403 `forbidden` whatever it sent.
 */
export function requireRole(...roles: ApiRole[]): (request: FastifyRequest) => Promise<void> {
  const allowed = new Set(roles);
  return async (request) => {
    const principal = principalOf(request);
    if (!allowed.has(principal.role)) throw new ApiError(403, 'forbidden', `Role ${principal.role} may not do this; it needs the role ${roles.join(' or ')}`);
    // A route only admins may use needs a token that holds the admin scope.
    if (!allowed.has('operator') && !allowed.has('viewer')) requireScope(principal, 'admin');
  };
}

/** The authenticated caller, or null on a public route (login) or before authentication. */
export function principalIfAny(request: FastifyRequest): ApiPrincipal | null {
  return request.getDecorator<ApiPrincipal | null>(PRINCIPAL);
}

/** The authenticated caller of a request on a route guarded by `requireBearerAuth`. */
export function principalOf(request: FastifyRequest): ApiPrincipal {
  const principal = request.getDecorator<ApiPrincipal | null>(PRINCIPAL);
  if (!principal) throw new Error('principalOf() called on a route without bearer auth');
  return principal;
}
