import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';

/**
 * What a role may do: `admin` everything, `operator` everything but the routes guarded by `requireRole('admin')`
 * (server-wide policy such as validation rules), `viewer` only read.
 */
export type ApiRole = 'admin' | 'operator' | 'viewer';

/** Who is calling: the name goes into command records as the actor. */
export interface ApiPrincipal {
  name: string;
  role: ApiRole;
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

const PRINCIPAL = 'principal';
const READ_METHODS = new Set(['GET', 'HEAD']);

function bearerToken(header: string | undefined): string | undefined {
  const match = header && /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match ? match[1] : undefined;
}

/**
 * Requires a valid bearer token on every route of `app` (an encapsulated plugin), and read-only methods for viewers.
 * Missing or unknown token: 401 `unauthorized`; a viewer writing: 403 `forbidden`.
 */
export function requireBearerAuth(app: FastifyInstance, auth: ApiAuth): void {
  app.decorateRequest(PRINCIPAL, null);
  app.addHook('onRequest', async (request, reply) => {
    const token = bearerToken(request.headers.authorization);
    const principal = token === undefined ? undefined : await auth.verify(token);
    if (!principal) {
      reply.header('www-authenticate', 'Bearer');
      throw new ApiError(401, 'unauthorized', token === undefined ? 'Send the header Authorization: Bearer <token>' : 'The bearer token is not valid');
    }
    if (principal.role === 'viewer' && !READ_METHODS.has(request.method)) {
      throw new ApiError(403, 'forbidden', `Role ${principal.role} may only read`);
    }
    request.setDecorator(PRINCIPAL, principal);
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
    const { role } = principalOf(request);
    if (!allowed.has(role)) throw new ApiError(403, 'forbidden', `Role ${role} may not do this; it needs the role ${roles.join(' or ')}`);
  };
}

/** The authenticated caller of a request on a route guarded by `requireBearerAuth`. */
export function principalOf(request: FastifyRequest): ApiPrincipal {
  const principal = request.getDecorator<ApiPrincipal | null>(PRINCIPAL);
  if (!principal) throw new Error('principalOf() called on a route without bearer auth');
  return principal;
}
