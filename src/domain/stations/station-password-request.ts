/**
 * A new Basic-auth password for the station (password rotation, A01), in version-neutral form: 1.6
 * ChangeConfiguration AuthorizationKey (the key's hex), 2.x SetVariables SecurityCtrlr.BasicAuthPassword (as is).
 * The answer's status is Accepted, RebootRequired, Rejected, NotSupported, ...
 */
export interface SetStationPasswordRequest {
  kind: 'SetStationPassword';
  password: string;
}
