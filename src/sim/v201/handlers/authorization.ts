import type { AuthorizationData } from '../../local-auth-list.ts';
import { tokenKey } from '../authorization-cache.ts';
import { statusInfo, type IdToken, type IdTokenInfo } from '../types.ts';
import { handler, type CsmsRequestHandler } from './types.ts';

/** C11: the cache is cleared, unless it is disabled. */
const clearCache = handler<Record<string, never>>((station) => {
  if (!station.deviceModel.bool('AuthCacheCtrlr.Enabled')) return { status: 'Rejected', statusInfo: statusInfo('Disabled') };
  station.authorizer.clearCache();
  return { status: 'Accepted' };
});

const getLocalListVersion = handler<Record<string, never>>((station) => ({ versionNumber: station.localList.version }));

interface SendLocalListRequest {
  versionNumber: number;
  updateType: 'Full' | 'Differential';
  localAuthorizationList?: { idToken: IdToken; idTokenInfo?: IdTokenInfo }[];
}

/** D01/D02: Full replaces the list; Differential needs a newer version; entries without idTokenInfo are removed. */
const sendLocalList = handler<SendLocalListRequest>((station, request) => {
  const model = station.deviceModel;
  if (!model.bool('LocalAuthListCtrlr.Enabled')) return { status: 'Failed', statusInfo: statusInfo('Disabled') };
  const entries: AuthorizationData<IdTokenInfo>[] = (request.localAuthorizationList ?? []).map((entry) =>
    entry.idTokenInfo === undefined ? { idTag: tokenKey(entry.idToken) } : { idTag: tokenKey(entry.idToken), idTagInfo: entry.idTokenInfo },
  );
  const status = station.localList.update(request.versionNumber, request.updateType, entries, {
    maxUpdateLength: model.int('LocalAuthListCtrlr.ItemsPerMessage'),
    maxListLength: model.maxLimit('LocalAuthListCtrlr.Entries'),
  });
  return { status };
});

/** C Authorization, D LocalAuthorizationList management. */
export const AUTHORIZATION_HANDLERS: Record<string, CsmsRequestHandler> = {
  ClearCache: clearCache,
  GetLocalListVersion: getLocalListVersion,
  SendLocalList: sendLocalList,
};
