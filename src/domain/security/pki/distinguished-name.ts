/** Reading the attributes of a certificate's or CSR's subject (RFC 5280 distinguished names). */
import type { x509 } from './x509.ts';

/** The values of one attribute (`CN`, `O`, ...). Empty when the name has none or cannot be read. */
export function nameField(name: x509.Name, attribute: string): string[] {
  try {
    return name.getField(attribute);
  } catch {
    return [];
  }
}

/** The attribute's value when the name has exactly one, else undefined (none, or ambiguous). */
export function singleNameField(name: x509.Name, attribute: string): string | undefined {
  const values = nameField(name, attribute);
  return values.length === 1 ? values[0] : undefined;
}

/** A subject of the given common name and organisation (plus country when given), in the usual C, O, CN order. */
export function subjectName(commonName: string, organization: string, country?: string): x509.JsonName {
  const name: x509.JsonName = [];
  if (country !== undefined) name.push({ C: [country] });
  name.push({ O: [organization] }, { CN: [commonName] });
  return name;
}
