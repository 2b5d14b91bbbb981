/**
 * Matching an out-of-spec enum value to the value the schema allows (field notes §3 quirk #9).
 *
 * Known misspellings, each scoped to the property it was seen in and applied only when its target is an allowed
 * value of that schema:
 * - `unit: "Celcius"` -> `Celsius`. The 1.6 schema lists both spellings (the 1.6 specification itself misspelt it)
 *   and 2.x units are free text, so `Celcius` as such is never a violation and is never rewritten; the alias only
 *   decides where a variant that does fail (`CELCIUS`, ` celcius`) goes: to the correct spelling.
 * - `errorCode: "Error"` -> `OtherError` (Legrand GreenUp, 1.6 ChargePointErrorCode; lbbrhzn/ocpp #1248): the
 *   station reports an error without saying which, which is exactly what OtherError means.
 *
 * Deliberately not mapped: measurand `Request.Energy` (lbbrhzn/ocpp #361). It is no 1.6 or 2.x measurand and its
 * meaning (energy requested? offered? delivered?) cannot be told from the name, so any mapping would invent data;
 * it stays as sent, and since `measurand` is not a key field (see payload-admission.ts) lenient mode accepts the
 * message and metering simply does not recognise that sampled value. Alfen's "wrong context" (mobilityhouse/ocpp
 * #54) is a valid enum value used at the wrong time: a meaning problem, not a spelling one.
 */
const ALIASES: ReadonlyArray<{ property: string; from: string; to: string }> = [
  { property: 'unit', from: 'celcius', to: 'Celsius' },
  { property: 'errorCode', from: 'error', to: 'OtherError' },
];

/** Case and whitespace are ignored when comparing (`" available "`, `"No Error"`, `"KWH"`). */
function comparable(value: string): string {
  return value.replace(/\s+/g, '').toLowerCase();
}

export interface EnumMatch {
  value: string;
  how: 'alias' | 'case-or-whitespace';
}

/**
 * The allowed value `value` was meant to be, or undefined when there is no single sensible one (the value then
 * stays as sent and the caller decides). An exact match is not a "match": callers only ask for values that failed.
 */
export function matchEnumValue(property: string, value: string, allowed: readonly string[]): EnumMatch | undefined {
  const key = comparable(value);
  if (key === '') return undefined;
  for (const alias of ALIASES) {
    if (alias.property === property && alias.from === key && allowed.includes(alias.to)) return { value: alias.to, how: 'alias' };
  }
  let found: string | undefined;
  for (const candidate of allowed) {
    if (comparable(candidate) !== key) continue;
    // Two allowed values differing only in case (none in the OCA schemas today) would make the choice a guess.
    if (found !== undefined) return undefined;
    found = candidate;
  }
  return found === undefined || found === value ? undefined : { value: found, how: 'case-or-whitespace' };
}
