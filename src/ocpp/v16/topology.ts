/**
 * 1.6 has connectors only; the domain has EVSEs with connectors. A 1.6 connector N is EVSE N with connector 1,
 * and connector 0 (the charge point as a whole) is EVSE 0, connector 0.
 */
export function evseOf16(connectorId: number): { evseId: number; connectorId: number } {
  return connectorId === 0 ? { evseId: 0, connectorId: 0 } : { evseId: connectorId, connectorId: 1 };
}
