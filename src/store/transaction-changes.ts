/** Rules of transaction changes that both engines apply (SQLite in code, PostgreSQL in its statements). */

/** Energy delivered, when both registers are known and the meter did not run backwards. */
export function energyWh(meterStartWh: number | null, meterStopWh: number | null): number | null {
  if (meterStartWh === null || meterStopWh === null) return null;
  const energy = meterStopWh - meterStartWh;
  return energy >= 0 ? energy : null;
}

/** The flags to add, each once, in the order given. */
export function distinctFlags(flags: readonly string[] | undefined): string[] {
  return [...new Set(flags ?? [])];
}

/** `existing` followed by those of `added` it does not hold yet. */
export function withFlags(existing: readonly string[], added: readonly string[] | undefined): string[] {
  const flags = [...existing];
  for (const flag of distinctFlags(added)) if (!flags.includes(flag)) flags.push(flag);
  return flags;
}
