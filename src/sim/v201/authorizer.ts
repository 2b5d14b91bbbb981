import type { Payload } from '../../ocpp/rpc/frames.ts';
import { RpcError } from '../../ocpp/rpc/error-codes.ts';
import type { LocalAuthList } from '../local-auth-list.ts';
import { AuthorizationCache, tokenKey } from './authorization-cache.ts';
import type { DeviceModel } from './device-model.ts';
import type { IdToken, IdTokenInfo } from './types.ts';

/** What authorization needs of the station. */
export interface AuthorizerHost {
  readonly deviceModel: DeviceModel;
  readonly localList: LocalAuthList<IdTokenInfo>;
  /** Connected and Accepted: Authorize may be sent. */
  mayReport(): boolean;
  call(action: string, payload: Payload): Promise<Payload>;
}

/** The answer's idTokenInfo, or Invalid when it has none. */
export function asIdTokenInfo(value: unknown): IdTokenInfo {
  const status = (value as { status?: unknown } | undefined)?.status;
  return typeof status === 'string' ? (value as IdTokenInfo) : { status: 'Invalid' };
}

/**
 * Authorization of idTokens (C01, C02, C04, C10, C12, C13, C14): the local list and the cache (each when enabled),
 * Authorize when connected, the offline rules when not.
 */
export class Authorizer {
  private readonly host: AuthorizerHost;
  private readonly cache = new AuthorizationCache();

  constructor(host: AuthorizerHost) {
    this.host = host;
  }

  /** The authorization of `token`. Never throws: no answer counts as offline, a CALLERROR as Invalid. */
  async authorize(token: IdToken): Promise<IdTokenInfo> {
    const model = this.host.deviceModel;
    if (!model.bool('AuthCtrlr.Enabled')) return { status: 'Accepted' };
    if (model.bool('AuthCtrlr.LocalPreAuthorize')) {
      const local = this.local(token);
      if (local?.status === 'Accepted') return local;
    }
    if (this.host.mayReport()) {
      try {
        const response = await this.host.call('Authorize', { idToken: { ...token } });
        const info = asIdTokenInfo(response.idTokenInfo);
        this.remember(token, info);
        return info;
      } catch (error) {
        if (error instanceof RpcError) return { status: 'Invalid' };
      }
    }
    if (model.bool('AuthCtrlr.LocalAuthorizeOffline')) {
      const local = this.local(token);
      if (local) return local;
    }
    return { status: model.bool('AuthCtrlr.OfflineTxForUnknownIdEnabled') ? 'Accepted' : 'Unknown' };
  }

  /** The local list entry (if enabled) or the cached answer (if enabled); past its cacheExpiryDateTime: Expired. */
  local(token: IdToken): IdTokenInfo | undefined {
    const model = this.host.deviceModel;
    const listed = model.bool('LocalAuthListCtrlr.Enabled') ? this.host.localList.lookup(tokenKey(token)) : undefined;
    const info = listed ?? (model.bool('AuthCacheCtrlr.Enabled') ? this.cache.lookup(token) : undefined);
    if (info?.cacheExpiryDateTime !== undefined && Date.parse(info.cacheExpiryDateTime) < Date.now()) return { ...info, status: 'Expired' };
    return info;
  }

  /** Caches an answer of the CSMS (Authorize, or the idTokenInfo of a TransactionEvent answer). */
  remember(token: IdToken, info: IdTokenInfo): void {
    const model = this.host.deviceModel;
    if (model.bool('AuthCacheCtrlr.Enabled')) this.cache.remember(token, info, model.int('AuthCacheCtrlr.LifeTime') * 1000);
  }

  /** ClearCache. */
  clearCache(): void {
    this.cache.clear();
  }

  /** Forgets one idToken's cached answer (CustomerInformation clear); true if there was one. */
  forget(token: IdToken): boolean {
    return this.cache.forget(token);
  }
}
