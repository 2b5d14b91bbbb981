/**
 * Rows of the account tables (migration 6: operators, api_tokens, audit_log) to records, the same for both engines
 * (each supplies its column reader). Site lists and token scopes are JSON arrays.
 */
import type { ApiTokenKind, ApiTokenRecord, AuditEntryRecord, OperatorRecord, OperatorRole } from './ports.ts';
import type { ColumnReader, ResultRow } from './record-mappers.ts';

export const OPERATOR_ROLES: readonly OperatorRole[] = ['admin', 'operator', 'viewer'];
export const API_TOKEN_KINDS: readonly ApiTokenKind[] = ['session', 'api'];

export function accountMappers(c: ColumnReader) {
  return {
    operator(row: ResultRow): OperatorRecord {
      return {
        id: c.text(row, 'id'),
        username: c.text(row, 'username'),
        role: c.oneOf(row, 'role', OPERATOR_ROLES),
        sites: c.nullableJson<string[]>(row, 'sites'),
        passwordHash: c.text(row, 'password_hash'),
        totpSecret: c.nullableText(row, 'totp_secret'),
        mfaEnabled: c.boolean(row, 'mfa_enabled'),
        totpLastStep: c.nullableNumber(row, 'totp_last_step'),
        disabled: c.boolean(row, 'disabled'),
        createdAt: c.text(row, 'created_at'),
        updatedAt: c.text(row, 'updated_at'),
      };
    },

    apiToken(row: ResultRow): ApiTokenRecord {
      return {
        id: c.text(row, 'id'),
        sha256: c.text(row, 'sha256'),
        operatorId: c.text(row, 'operator_id'),
        kind: c.oneOf(row, 'kind', API_TOKEN_KINDS),
        name: c.nullableText(row, 'name'),
        scopes: c.json<string[]>(row, 'scopes'),
        createdAt: c.text(row, 'created_at'),
        expiresAt: c.text(row, 'expires_at'),
        lastUsedAt: c.nullableText(row, 'last_used_at'),
        revokedAt: c.nullableText(row, 'revoked_at'),
        createdFrom: c.nullableText(row, 'created_from'),
      };
    },

    auditEntry(row: ResultRow): AuditEntryRecord {
      return {
        id: c.key(row, 'id'),
        at: c.text(row, 'at'),
        actor: c.text(row, 'actor'),
        role: c.nullableText(row, 'role'),
        action: c.text(row, 'action'),
        target: c.nullableText(row, 'target'),
        outcome: c.integer(row, 'outcome'),
        remoteAddress: c.nullableText(row, 'remote_address'),
        details: c.nullableJson<Record<string, unknown>>(row, 'details'),
      };
    },
  };
}
