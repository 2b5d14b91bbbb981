import type { AuthorizationData } from '../local-auth-list.ts';
import { handler, type CsHandler } from './types.ts';

const getLocalListVersion = handler<Record<string, never>>((station) => ({ listVersion: station.localList.version }));

const sendLocalList = handler<{ listVersion: number; updateType: 'Full' | 'Differential'; localAuthorizationList?: AuthorizationData[] }>(
  (station, request) => {
    const { config } = station;
    if (!config.bool('LocalAuthListEnabled')) return { status: 'NotSupported' };
    const status = station.localList.update(request.listVersion, request.updateType, request.localAuthorizationList ?? [], {
      maxUpdateLength: config.int('SendLocalListMaxLength'),
      maxListLength: config.int('LocalAuthListMaxLength'),
    });
    return { status };
  },
);

/** LocalAuthListManagement profile. */
export const LOCAL_AUTH_HANDLERS: Record<string, CsHandler> = {
  GetLocalListVersion: getLocalListVersion,
  SendLocalList: sendLocalList,
};
