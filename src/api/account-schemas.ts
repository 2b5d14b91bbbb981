/**
 * JSON schemas of the account API (operators, their tokens and sessions, the audit log): they validate requests,
 * serialize responses and become OpenAPI components. Property maps are checked against the view types.
 */
import type { IssuedToken, OperatorView, TokenView } from '../domain/accounts/account-service.ts';
import { API_SCOPES } from '../domain/accounts/scopes.ts';
import type { AuditEntryRecord } from '../store/ports.ts';

type JsonSchema = Record<string, unknown>;
type PropertiesOf<T> = Record<keyof T, JsonSchema>;

const d = (description?: string): JsonSchema => (description ? { description } : {});
const str = (description?: string): JsonSchema => ({ type: 'string', ...d(description) });
const nullableStr = (description?: string): JsonSchema => ({ type: ['string', 'null'], ...d(description) });
const time = (description?: string): JsonSchema => ({ type: 'string', format: 'date-time', ...d(description) });
const nullableTime = (description?: string): JsonSchema => ({ type: ['string', 'null'], format: 'date-time', ...d(description) });
const bool = (description?: string): JsonSchema => ({ type: 'boolean', ...d(description) });
const record = (properties: JsonSchema, description: string): JsonSchema => ({ type: 'object', description, required: Object.keys(properties), properties });

export const ROLES = ['admin', 'operator', 'viewer'] as const;

export const siteList = (description: string): JsonSchema => ({
  type: ['array', 'null'],
  items: { type: 'string', minLength: 1 },
  maxItems: 1000,
  description,
});

export const scopeList = (description: string): JsonSchema => ({
  type: 'array',
  items: { type: 'string', enum: [...API_SCOPES] },
  maxItems: API_SCOPES.length,
  description,
});

const operatorProperties = {
  id: str('The operator\'s id'),
  username: str('User name (unique without regard to case)'),
  role: { type: 'string', enum: [...ROLES], description: 'admin: everything; operator: everything but accounts, the audit log and server-wide policy; viewer: read only' },
  sites: siteList('The sites the operator is limited to; null: every site'),
  mfaEnabled: bool('Whether logins need a TOTP code'),
  disabled: bool('A disabled operator cannot log in and its tokens stop working'),
  createdAt: time(),
  updatedAt: time(),
} satisfies PropertiesOf<OperatorView>;

const tokenProperties = {
  id: str('The token\'s id (for revoking it); not the token'),
  kind: { type: 'string', enum: ['session', 'api'], description: 'session: from a login; api: a named API token' },
  name: nullableStr('The API token\'s name (null for sessions)'),
  scopes: scopeList('What the token may do: read (GET), write (changes), commands (to stations), admin (accounts, audit, server-wide policy)'),
  createdAt: time(),
  expiresAt: time(),
  lastUsedAt: nullableTime('Last use, to within a minute'),
  createdFrom: nullableStr('The address it was created from'),
} satisfies PropertiesOf<TokenView>;

const issuedTokenProperties = {
  ...tokenProperties,
  token: str('The bearer token: shown this once, only its hash is kept'),
} satisfies PropertiesOf<IssuedToken>;

const auditEntryProperties = {
  id: str('Increasing with time; pass the last one as `before` for the next page'),
  at: time(),
  actor: str('The operator\'s user name, `admin` (bootstrap token), the user name a login tried, or `anonymous`'),
  role: nullableStr('The actor\'s role, when authenticated'),
  action: str('`METHOD /route`, e.g. `POST /stations/:id/commands/:action`'),
  target: nullableStr('What was acted on (station, site, operator, token ... id)'),
  outcome: { type: 'integer', description: 'The HTTP status answered' },
  remoteAddress: nullableStr('Where the request came from'),
  details: { type: ['object', 'null'], additionalProperties: true, description: 'Route parameters, query and what the route added (never passwords, tokens or codes)' },
} satisfies PropertiesOf<AuditEntryRecord>;

export const ACCOUNT_SCHEMAS = {
  Operator: record(operatorProperties, 'An operator account (never its password hash or TOTP secret)'),
  ApiToken: record(tokenProperties, 'A session or API token (never the token itself)'),
  IssuedToken: record(issuedTokenProperties, 'A token just created, with the bearer token shown once'),
  AuditEntry: record(auditEntryProperties, 'One entry of the append-only audit log'),
} as const;

export type AccountSchemaId = keyof typeof ACCOUNT_SCHEMAS;
