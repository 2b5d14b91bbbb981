import type { IdTagInfo } from './ocpp16-types.ts';

/**
 * One entry of SendLocalList.req; without `idTagInfo` a Differential update removes the idTag. The 2.0.1 station
 * keys its entries by idToken and type and keeps its IdTokenInfo as `Info`.
 */
export interface AuthorizationData<Info = IdTagInfo> {
  idTag: string;
  idTagInfo?: Info;
}

export type UpdateStatus = 'Accepted' | 'Failed' | 'NotSupported' | 'VersionMismatch';

export interface LocalListLimits {
  /** SendLocalListMaxLength: most entries in one update. */
  maxUpdateLength: number;
  /** LocalAuthListMaxLength: most entries in the list. */
  maxListLength: number;
}

/** The Local Authorization List of a station, with its version (0 = empty, never updated). */
export class LocalAuthList<Info = IdTagInfo> {
  private listVersion = 0;
  private readonly entries = new Map<string, Info>();

  get version(): number {
    return this.listVersion;
  }

  get size(): number {
    return this.entries.size;
  }

  /** idTags are CiString20: compared case-insensitively. */
  lookup(idTag: string): Info | undefined {
    return this.entries.get(idTag.toLowerCase());
  }

  /**
   * SendLocalList. Full replaces the list; Differential needs a version above the current one (else
   * VersionMismatch), adds or replaces entries with idTagInfo and removes those without. A version below 1 or an
   * update that breaks the limits -> Failed, leaving the list as it was.
   */
  update(version: number, updateType: 'Full' | 'Differential', list: readonly AuthorizationData<Info>[], limits: LocalListLimits): UpdateStatus {
    if (version < 1 || list.length > limits.maxUpdateLength) return 'Failed';
    if (updateType === 'Differential' && version <= this.listVersion) return 'VersionMismatch';
    const next = updateType === 'Full' ? new Map<string, Info>() : new Map(this.entries);
    for (const entry of list) {
      const key = entry.idTag.toLowerCase();
      if (entry.idTagInfo) next.set(key, entry.idTagInfo);
      else next.delete(key);
    }
    if (next.size > limits.maxListLength) return 'Failed';
    this.entries.clear();
    for (const [key, info] of next) this.entries.set(key, info);
    this.listVersion = version;
    return 'Accepted';
  }
}
