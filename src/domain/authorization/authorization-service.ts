import type { ClusterBus } from '../../cluster/bus.ts';
import type { IdTokenRecord, Store } from '../../store/ports.ts';
import type { DomainConfig } from '../config.ts';
import { DomainError } from '../errors.ts';

/** The version-neutral authorization verdicts (1.6 AuthorizationStatus; 2.x adds more, mapped by the adapters). */
export type AuthorizationStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';

export interface IdTokenInfo {
  status: AuthorizationStatus;
  expiryDate?: string;
  groupId?: string;
}

export const ID_TOKEN_STATUSES: readonly AuthorizationStatus[] = ['Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx'];

export interface IdTokenInput {
  idToken: string;
  status: AuthorizationStatus;
  expiryDate?: string | null;
  groupId?: string | null;
  allowConcurrentTx?: boolean;
}

/** Id tokens and the decision whether a token may charge. */
export class AuthorizationService {
  private readonly store: Store;
  private readonly bus: ClusterBus;
  private readonly config: DomainConfig;

  constructor(store: Store, bus: ClusterBus, config: DomainConfig) {
    this.store = store;
    this.bus = bus;
    this.config = config;
  }

  /**
   * Decides whether `idToken` may charge now. `ownTransactionId` is the transaction being started or replayed,
   * which does not count against ConcurrentTx.
   */
  async authorize(stationId: string, idToken: string, ownTransactionId?: string): Promise<IdTokenInfo> {
    const token = await this.store.idTokens.get(sanitizeIdToken(idToken));
    const info = token ? await this.decide(token, ownTransactionId) : this.unknown();
    this.bus.publish({ type: 'authorization.checked', stationId, data: { idToken, status: info.status } });
    return info;
  }

  private unknown(): IdTokenInfo {
    return { status: this.config.authorizeUnknownIdTokens ? 'Accepted' : 'Invalid' };
  }

  private async decide(token: IdTokenRecord, ownTransactionId: string | undefined): Promise<IdTokenInfo> {
    const info: IdTokenInfo = { status: token.status as AuthorizationStatus };
    if (token.expiryDate) info.expiryDate = token.expiryDate;
    if (token.groupId) info.groupId = token.groupId;
    if (info.status !== 'Accepted') return info;
    if (token.expiryDate && Date.parse(token.expiryDate) <= Date.now()) return { ...info, status: 'Expired' };
    if (!token.allowConcurrentTx) {
      const active = await this.store.transactions.activeForIdToken(token.idToken);
      if (active.some((tx) => tx.id !== ownTransactionId)) return { ...info, status: 'ConcurrentTx' };
    }
    return info;
  }

  async put(input: IdTokenInput): Promise<IdTokenRecord> {
    if (!input.idToken || input.idToken.length > 255) throw new DomainError('invalid', 'idToken must be 1 to 255 characters');
    if (!ID_TOKEN_STATUSES.includes(input.status)) {
      throw new DomainError('invalid', `status must be one of ${ID_TOKEN_STATUSES.join(', ')}`);
    }
    if (input.expiryDate && Number.isNaN(Date.parse(input.expiryDate))) {
      throw new DomainError('invalid', 'expiryDate must be an ISO 8601 date-time');
    }
    const record = await this.store.idTokens.put({
      idToken: input.idToken,
      status: input.status,
      expiryDate: input.expiryDate ? new Date(input.expiryDate).toISOString() : null,
      groupId: input.groupId ?? null,
      allowConcurrentTx: input.allowConcurrentTx ?? false,
    });
    this.bus.publish({ type: 'idtoken.updated', data: { idToken: record.idToken, status: record.status } });
    return record;
  }

  async get(idToken: string): Promise<IdTokenRecord> {
    const record = await this.store.idTokens.get(idToken);
    if (!record) throw new DomainError('not_found', `Id token ${idToken} is not known`);
    return record;
  }

  async remove(idToken: string): Promise<void> {
    if (!(await this.store.idTokens.delete(idToken))) throw new DomainError('not_found', `Id token ${idToken} is not known`);
  }

  list(): Promise<IdTokenRecord[]> {
    return this.store.idTokens.list();
  }
}

/**
 * The id token as looked up: chargers send tags with stray whitespace, control characters or escaped quotes around
 * them (field notes §3 #12); case is ignored by the store (OCPP CiString).
 */
export function sanitizeIdToken(raw: string): string {
  const cleaned = raw.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  const unquoted = /^\\?"(.*?)\\?"$/.exec(cleaned)?.[1] ?? cleaned;
  return unquoted.trim() || cleaned;
}
