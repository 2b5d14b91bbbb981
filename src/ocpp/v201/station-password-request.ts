/**
 * Password rotation on 2.0.1 / 2.1 (A01): `SetVariables` of `SecurityCtrlr.BasicAuthPassword`, the password as is
 * (A00.FR.205). The station's answer is the attributeStatus of that one variable (Accepted, RebootRequired, Rejected,
 * UnknownComponent, UnknownVariable, NotSupportedAttributeType).
 */
import type { NeutralStationResult } from '../../domain/commands/station-requests.ts';
import type { SetStationPasswordRequest } from '../../domain/stations/station-password-request.ts';
import type { TranslatedRequest } from '../adapter.ts';
import type { Payload } from '../rpc/frames.ts';

export function stationPasswordRequest2(request: SetStationPasswordRequest): TranslatedRequest {
  return {
    ok: true,
    action: 'SetVariables',
    payload: {
      setVariableData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, attributeValue: request.password }],
    },
    changes: [],
  };
}

interface SetVariablesAnswer {
  setVariableResult?: { attributeStatus?: string; statusInfo?: { reasonCode?: string; additionalInfo?: string } }[];
}

export function stationPasswordResult2(response: Payload): NeutralStationResult {
  const first = (response as SetVariablesAnswer).setVariableResult?.[0];
  const result: NeutralStationResult = { kind: 'SetStationPassword', status: first?.attributeStatus ?? 'Unknown' };
  if (first?.statusInfo?.reasonCode) result.reason = first.statusInfo.reasonCode;
  return result;
}
