/** Length of `Date.prototype.toISOString()` output (`2026-11-21T10:00:00.000Z`), which sorts as text. */
const CANONICAL_ISO_LENGTH = 24;

/** Whether ISO 8601 time `candidate` is later than `reference`; cheap for canonical UTC strings (the usual case). */
export function isLaterIso(candidate: string, reference: string): boolean {
  // Called on every station message: compare canonical UTC strings as text, parse anything else.
  if (candidate.length === CANONICAL_ISO_LENGTH && reference.length === CANONICAL_ISO_LENGTH && candidate.endsWith('Z') && reference.endsWith('Z')) {
    return candidate > reference;
  }
  return Date.parse(candidate) > Date.parse(reference);
}
