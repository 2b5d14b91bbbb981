/**
 * The two judgement calls of lenient validation, kept as tables so they can be read and argued about in one place.
 */

/**
 * Strings that may be cut to their schema's maxLength (field notes §3 quirk #10: "accept and truncate for storage;
 * never reject Boot over lengths"). Only descriptive text is on this list: the charger's self-description in
 * BootNotification and free-text diagnostics. Identifiers (idTag, idToken, transactionId, messageId, vendorId,
 * configuration keys and values, device-model names and instances), certificates, CSRs, hashes, signed meter data
 * and URLs are never cut: a prefix of them is a different thing (two long id tokens could become the same one), so an
 * over-long one stays a violation. Entries are a property name, or `Definition.property` where the same name
 * also means an identifier elsewhere (2.x `serialNumber` is the station's in ChargingStationType but a
 * certificate's in CertificateHashDataType).
 */
export const TRUNCATABLE_STRINGS: ReadonlySet<string> = new Set([
  // 1.6 BootNotification.req
  'chargePointVendor', 'chargePointModel', 'chargePointSerialNumber', 'chargeBoxSerialNumber', 'firmwareVersion',
  'iccid', 'imsi', 'meterType', 'meterSerialNumber',
  // 2.x BootNotification: ChargingStationType and ModemType (iccid, imsi and firmwareVersion are listed above)
  'vendorName', 'model', 'ChargingStationType.serialNumber',
  // 1.6 StatusNotification.req free text
  'info', 'vendorErrorCode',
  // Free-text diagnostics and descriptions: security events, 2.x NotifyEvent, StatusInfoType in station answers
  'techInfo', 'additionalInfo', 'extraInfo', 'statusInfo', 'failureReason',
  // 2.1 NotifyEVChargingNeeds: the EV's inverter self-description
  'evInverterManufacturer', 'evInverterModel', 'evInverterSerialNumber', 'evInverterSwVersion', 'evInverterHwVersion',
]);

export function isTruncatable(owner: string, property: string): boolean {
  return TRUNCATABLE_STRINGS.has(property) || TRUNCATABLE_STRINGS.has(`${owner}.${property}`);
}

/**
 * Enum properties whose value decides what Joule does with the message, so an unknown value there makes the message
 * unusable even in lenient mode: every `…status`/`…Status` (a connector's state, an answer's Accepted/Rejected, a
 * firmware or log upload's progress), TransactionEvent `eventType` (Started/Updated/Ended), `type` (2.x id token
 * type, which is part of the token's identity; 1.6 and 2.x reset/availability types) and `chargingRateUnit` (A or W:
 * reading one as the other is a factor of ~230). Every other enum (measurand, unit, context, phase, location,
 * format, reasons, trigger reasons, errorCode, chargingState, ...) only describes the data: an unknown value there is
 * kept as sent and reported.
 */
export function isKeyEnumProperty(property: string): boolean {
  return /status$/i.test(property) || property === 'eventType' || property === 'type' || property === 'chargingRateUnit';
}
