/**
 * The audit log's writer: one hook on every `/api/v1` route, so routes added later are covered without edits. An
 * entry is written for every request that changes something or sends something to a station (any method but GET and
 * HEAD), every login (successful or not), and every refused request (401, 403, 429); reads only when `auditReads`.
 * Details are the route parameters and the query (values of names that look secret left out) plus what the route
 * adds with `noteAudit`; never the body, so never a password, token or TOTP code.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditEntryInput } from '../store/ports.ts';
import { principalIfAny } from './auth.ts';

const NOTE = 'auditNote';
const READ_METHODS = new Set(['GET', 'HEAD']);
const REFUSED = new Set([401, 403, 429]);
const SECRET_NAME = /pass|secret|token|code|totp|otp|key/i;
/** Route parameters naming what a request acts on, in order of preference. */
const TARGET_PARAMS = ['id', 'stationId', 'siteId', 'idToken', 'tokenId', 'eventId', 'groupId'];

interface AuditNote {
  /** Who acted when there is no principal (e.g. the user name a login tried). */
  actor?: string;
  target?: string;
  details?: Record<string, unknown>;
}

/** Adds to the audit entry of this request: the actor of an unauthenticated request, the target, details. */
export function noteAudit(request: FastifyRequest, note: AuditNote): void {
  const current = request.getDecorator<AuditNote | null>(NOTE) ?? {};
  request.setDecorator(NOTE, { ...current, ...note, details: { ...current.details, ...note.details } });
}

export interface AuditOptions {
  /** Audit reads too. */
  auditReads: boolean;
  prefix: string;
  log?: FastifyBaseLogger | undefined;
}

export function installAuditLog(app: FastifyInstance, auditLog: { append(entry: AuditEntryInput): Promise<unknown> }, options: AuditOptions): void {
  app.decorateRequest(NOTE, null);
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    if (!options.auditReads && READ_METHODS.has(request.method) && !REFUSED.has(status)) return;
    const note = request.getDecorator<AuditNote | null>(NOTE) ?? {};
    const principal = principalIfAny(request);
    const route = (request.routeOptions.url ?? request.url.split('?')[0] ?? '').slice(options.prefix.length);
    const params = (request.params ?? {}) as Record<string, unknown>;
    const query = withoutSecrets((request.query ?? {}) as Record<string, unknown>);
    const details: Record<string, unknown> = { ...note.details };
    if (Object.keys(params).length > 0) details.params = params;
    if (Object.keys(query).length > 0) details.query = query;
    if (principal?.tokenId !== undefined) details.tokenId = principal.tokenId;
    try {
      await auditLog.append({
        at: new Date().toISOString(),
        actor: principal?.name ?? note.actor ?? 'anonymous',
        role: principal?.role ?? null,
        action: `${request.method} ${route}`,
        target: note.target ?? targetOf(params),
        outcome: status,
        remoteAddress: request.ip,
        details: Object.keys(details).length > 0 ? details : null,
      });
    } catch (err) {
      (options.log ?? request.log).error({ err, action: `${request.method} ${route}` }, 'audit log: an entry could not be written');
    }
  });
}

function targetOf(params: Record<string, unknown>): string | null {
  for (const name of TARGET_PARAMS) {
    const value = params[name];
    if (typeof value === 'string') return value;
  }
  return null;
}

function withoutSecrets(query: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).filter(([name]) => !SECRET_NAME.test(name)));
}
