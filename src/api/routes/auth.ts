import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LoginFailure } from '../../domain/accounts/account-service.ts';
import { ROLE_SCOPES } from '../../domain/accounts/scopes.ts';
import type { Domain } from '../../domain/domain.ts';
import { principalOf } from '../auth.ts';
import { noteAudit } from '../audit-hook.ts';
import { scopeList } from '../account-schemas.ts';
import { ApiError } from '../errors.ts';
import { arrayOf, errorResponses, ref } from '../schemas.ts';

const tags = ['accounts'];
const SELF = { selfService: true };

interface LoginBody {
  username: string;
  password: string;
  totp?: string;
}

const LOGIN_DESCRIPTION = `Logs an operator in with user name and password and, once MFA is on, \`totp\` (the current code of the
authenticator app). Answers a session token (\`Authorization: Bearer <token>\`), valid until \`expiresAt\`
(JOULE_SESSION_HOURS). Needs no token.
- \`401\` \`invalid_credentials\`: unknown user name, wrong password, or a disabled account (one answer for all).
- \`401\` \`mfa_required\`: the password is right and MFA is on: send it again with \`totp\`.
- \`401\` \`mfa_invalid\`: the code is wrong, or was used already (a code is accepted once).
- \`429\` \`too_many_requests\`: too many failures for this user name or from this address; \`Retry-After\` says when to try again.`;

const FAILURES: Record<Exclude<LoginFailure, 'rate-limited'>, [code: string, message: string]> = {
  'invalid-credentials': ['invalid_credentials', 'The user name or password is not right'],
  disabled: ['invalid_credentials', 'The user name or password is not right'],
  'mfa-required': ['mfa_required', 'This account needs a TOTP code: send it as totp'],
  'mfa-invalid': ['mfa_invalid', 'The TOTP code is not right'],
  'mfa-replayed': ['mfa_invalid', 'This TOTP code was used already: wait for the next one'],
};

/** The operator account of the caller; the bootstrap token has none. */
function accountOf(request: FastifyRequest): { operatorId: string; tokenId: string; scopes: readonly string[] } {
  const principal = principalOf(request);
  if (principal.operatorId === undefined || principal.tokenId === undefined) {
    throw new ApiError(403, 'forbidden', 'This token belongs to no operator account (the bootstrap token): log in as an operator');
  }
  return { operatorId: principal.operatorId, tokenId: principal.tokenId, scopes: principal.scopes ?? ROLE_SCOPES[principal.role] };
}

const meSchema = {
  type: 'object',
  description: 'The caller',
  required: ['name', 'role', 'scopes', 'sites', 'operator'],
  properties: {
    name: { type: 'string' },
    role: { type: 'string', enum: ['admin', 'operator', 'viewer'] },
    scopes: scopeList('What this token may do'),
    sites: { type: ['array', 'null'], items: { type: 'string' }, description: 'Sites the caller is limited to; null: every site' },
    tokenKind: { type: 'string', enum: ['session', 'api', 'bootstrap'] },
    operator: { anyOf: [ref('Operator'), { type: 'null' }], description: 'The account (null for the bootstrap token)' },
  },
};

const tokenIdParams = { type: 'object', required: ['tokenId'], properties: { tokenId: { type: 'string', minLength: 1, maxLength: 64 } } };
const noContent = { 204: { type: 'null', description: 'Done' } };

/** Login, logout and the caller's own account: password, MFA, API tokens and sessions. */
export function authRoutes(app: FastifyInstance, domain: Domain): void {
  const accounts = domain.accounts;

  app.post<{ Body: LoginBody }>('/auth/login', {
    config: { public: true },
    schema: {
      tags,
      summary: 'Log in',
      description: LOGIN_DESCRIPTION,
      security: [],
      body: {
        type: 'object',
        required: ['username', 'password'],
        additionalProperties: false,
        properties: {
          username: { type: 'string', minLength: 1, maxLength: 64 },
          password: { type: 'string', minLength: 1, maxLength: 1024 },
          totp: { type: 'string', maxLength: 16, description: 'The current TOTP code, when MFA is on' },
        },
      },
      response: {
        200: {
          type: 'object',
          description: 'Logged in',
          required: ['token', 'expiresAt', 'sessionId', 'operator'],
          properties: { token: { type: 'string', description: 'The session\'s bearer token' }, expiresAt: { type: 'string', format: 'date-time' }, sessionId: { type: 'string' }, operator: ref('Operator') },
        },
        ...errorResponses(400, 429),
      },
    },
  }, async (request, reply) => {
    const { username, password, totp } = request.body;
    noteAudit(request, { actor: username });
    const outcome = await accounts.login({ username, password, totp, address: request.ip });
    if (outcome.ok) {
      noteAudit(request, { actor: outcome.operator.username, target: outcome.operator.id, details: { sessionId: outcome.session.id } });
      return { token: outcome.session.token, expiresAt: outcome.session.expiresAt, sessionId: outcome.session.id, operator: outcome.operator };
    }
    noteAudit(request, { details: { reason: outcome.reason }, ...(outcome.operatorId === undefined ? {} : { target: outcome.operatorId }) });
    if (outcome.reason === 'rate-limited') return tooManyAttempts(reply, outcome.retryAfterMs ?? 1000);
    const [code, message] = FAILURES[outcome.reason];
    throw new ApiError(401, code, message);
  });

  app.post('/auth/logout', {
    config: SELF,
    schema: { tags, summary: 'Log out', description: 'Ends the session (or revokes the API token) used for this request.', response: { ...noContent, ...errorResponses(403) } },
  }, async (request, reply) => {
    const { operatorId, tokenId } = accountOf(request);
    await accounts.revoke(operatorId, tokenId);
    return reply.code(204).send();
  });

  app.get('/auth/me', {
    config: SELF,
    schema: { tags, summary: 'Who am I', description: 'The caller: name, role, scopes, sites and account.', response: { 200: meSchema, ...errorResponses() } },
  }, async (request) => {
    const principal = principalOf(request);
    return {
      name: principal.name,
      role: principal.role,
      scopes: principal.scopes ?? ROLE_SCOPES[principal.role],
      sites: principal.sites ?? null,
      tokenKind: principal.tokenKind ?? 'bootstrap',
      operator: principal.operatorId === undefined ? null : await accounts.get(principal.operatorId),
    };
  });

  app.put<{ Body: { currentPassword: string; newPassword: string } }>('/auth/password', {
    config: SELF,
    schema: {
      tags,
      summary: 'Change my password',
      description: 'Needs the current password. The new one: 12-128 characters, not a well-known password, not containing the user name. Every other session and token of the account is revoked.',
      body: {
        type: 'object', required: ['currentPassword', 'newPassword'], additionalProperties: false,
        properties: { currentPassword: { type: 'string', minLength: 1, maxLength: 1024 }, newPassword: { type: 'string', minLength: 1, maxLength: 1024 } },
      },
      response: { ...noContent, ...errorResponses(400, 403) },
    },
  }, async (request, reply) => {
    const { operatorId, tokenId } = accountOf(request);
    await accounts.changePassword(operatorId, request.body.currentPassword, request.body.newPassword, tokenId);
    return reply.code(204).send();
  });

  app.post('/auth/mfa/enrol', {
    config: SELF,
    schema: {
      tags,
      summary: 'Start MFA enrolment',
      description: 'A new TOTP secret and its otpauth:// URI (for a QR code). MFA is on only once confirmed with a code (POST /auth/mfa/confirm). 409 when MFA is on already.',
      response: {
        200: { type: 'object', description: 'The secret, shown once', required: ['secret', 'otpauthUri'], properties: { secret: { type: 'string', description: 'base32' }, otpauthUri: { type: 'string' } } },
        ...errorResponses(403, 409),
      },
    },
  }, (request) => accounts.enrolMfa(accountOf(request).operatorId));

  app.post<{ Body: { code: string } }>('/auth/mfa/confirm', {
    config: SELF,
    schema: {
      tags,
      summary: 'Confirm MFA enrolment',
      description: 'Turns MFA on with a current code of the enrolled secret; from now on every login needs a code.',
      body: { type: 'object', required: ['code'], additionalProperties: false, properties: { code: { type: 'string', minLength: 1, maxLength: 16 } } },
      response: { 200: ref('Operator', 'The account, MFA on'), ...errorResponses(400, 403, 409) },
    },
  }, (request) => accounts.confirmMfa(accountOf(request).operatorId, request.body.code));

  app.post<{ Body: { password: string; code: string } }>('/auth/mfa/disable', {
    config: SELF,
    schema: {
      tags,
      summary: 'Turn MFA off',
      description: 'Needs the password and a current code. (An admin can reset a lost authenticator: PUT /operators/{id} with resetMfa.)',
      body: {
        type: 'object', required: ['password', 'code'], additionalProperties: false,
        properties: { password: { type: 'string', minLength: 1, maxLength: 1024 }, code: { type: 'string', minLength: 1, maxLength: 16 } },
      },
      response: { 200: ref('Operator', 'The account, MFA off'), ...errorResponses(400, 403, 409) },
    },
  }, (request) => accounts.disableMfa(accountOf(request).operatorId, request.body.password, request.body.code));

  app.get('/auth/tokens', {
    config: SELF,
    schema: { tags, summary: 'My API tokens', description: 'The caller\'s API tokens that are neither revoked nor expired, newest first.', response: { 200: arrayOf('ApiToken', 'The tokens'), ...errorResponses(403) } },
  }, (request) => accounts.tokens(accountOf(request).operatorId, 'api'));

  app.post<{ Body: { name: string; scopes?: string[]; expiresAt?: string } }>('/auth/tokens', {
    config: SELF,
    schema: {
      tags,
      summary: 'Create an API token',
      description: 'A named token for scripts and integrations, with scopes (default: all the caller\'s token holds; never beyond its role or the scopes of the token that asks) and an expiry (default 90 days, at most 366). The token is in the answer, once.',
      body: {
        type: 'object', required: ['name'], additionalProperties: false,
        properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, scopes: scopeList('What the token may do'), expiresAt: { type: 'string', format: 'date-time' } },
      },
      response: { 201: ref('IssuedToken', 'The token, shown once'), ...errorResponses(400, 403) },
    },
  }, async (request, reply) => {
    const { operatorId, scopes } = accountOf(request);
    const issued = await accounts.createApiToken(operatorId, request.body, scopes, request.ip);
    noteAudit(request, { target: issued.id, details: { name: issued.name, scopes: issued.scopes, expiresAt: issued.expiresAt } });
    return reply.code(201).send(issued);
  });

  app.delete<{ Params: { tokenId: string } }>('/auth/tokens/:tokenId', {
    config: SELF,
    schema: { tags, summary: 'Revoke an API token', params: tokenIdParams, response: { ...noContent, ...errorResponses(403, 404) } },
  }, async (request, reply) => {
    await accounts.revoke(accountOf(request).operatorId, request.params.tokenId, 'api');
    return reply.code(204).send();
  });

  app.get('/auth/sessions', {
    config: SELF,
    schema: { tags, summary: 'My sessions', description: 'The caller\'s live login sessions, newest first.', response: { 200: arrayOf('ApiToken', 'The sessions'), ...errorResponses(403) } },
  }, (request) => accounts.tokens(accountOf(request).operatorId, 'session'));

  app.delete<{ Params: { tokenId: string } }>('/auth/sessions/:tokenId', {
    config: SELF,
    schema: { tags, summary: 'End a session', params: tokenIdParams, response: { ...noContent, ...errorResponses(403, 404) } },
  }, async (request, reply) => {
    await accounts.revoke(accountOf(request).operatorId, request.params.tokenId, 'session');
    return reply.code(204).send();
  });
}

function tooManyAttempts(reply: FastifyReply, retryAfterMs: number): never {
  reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  throw new ApiError(429, 'too_many_requests', 'Too many failed logins: try again later');
}
