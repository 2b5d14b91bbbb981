/** The OCPP-J protocol versions Joule speaks, named by their WebSocket subprotocol token. */
export type OcppVersion = 'ocpp1.6' | 'ocpp2.0.1' | 'ocpp2.1';

/** Newest first: the order Joule prefers when a station offers several. */
export const OCPP_VERSIONS: readonly OcppVersion[] = ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'];

export function isOcppVersion(value: string): value is OcppVersion {
  return value === 'ocpp1.6' || value === 'ocpp2.0.1' || value === 'ocpp2.1';
}
