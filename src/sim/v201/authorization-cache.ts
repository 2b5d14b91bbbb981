import type { IdToken, IdTokenInfo } from './types.ts';

/** The key of an idToken in the local list and the cache: type and token, case-insensitive (CiString36). */
export function tokenKey(token: IdToken): string {
  return `${token.type}:${token.idToken}`.toLowerCase();
}

/** C10: the answers the CSMS gave for idTokens, each kept for AuthCacheCtrlr.LifeTime. */
export class AuthorizationCache {
  private readonly entries = new Map<string, { info: IdTokenInfo; expiresAtMs: number }>();

  remember(token: IdToken, info: IdTokenInfo, lifeTimeMs: number): void {
    this.entries.set(tokenKey(token), { info, expiresAtMs: Date.now() + lifeTimeMs });
  }

  /** The cached answer, unless its lifetime is over. */
  lookup(token: IdToken): IdTokenInfo | undefined {
    const entry = this.entries.get(tokenKey(token));
    return entry && entry.expiresAtMs > Date.now() ? entry.info : undefined;
  }

  /** Forgets one idToken; true if it was cached. */
  forget(token: IdToken): boolean {
    return this.entries.delete(tokenKey(token));
  }

  clear(): void {
    this.entries.clear();
  }
}
