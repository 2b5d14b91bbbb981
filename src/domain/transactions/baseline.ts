/**
 * Meter baseline sanity (field notes §3 #16): a station that started offline may report meterStart 0 although its
 * meter is a lifetime register, and billing stop - 0 would charge the whole odometer. A zero baseline is suspect when
 * the energy it implies is more than any charger could deliver in the session's time, or more than any session
 * plausibly takes.
 */
export interface BaselinePolicy {
  /** Highest power a connector plausibly delivers, W (default 400 kW, above today's HPC). */
  maxPowerW: number;
  /** Most energy one session plausibly takes, Wh (default 300 kWh). */
  maxSessionEnergyWh: number;
}

export const defaultBaselinePolicy: BaselinePolicy = { maxPowerW: 400_000, maxSessionEnergyWh: 300_000 };

/** Slack for meters and clocks: a session of a few seconds may still show a few Wh. */
const SLACK_WH = 1_000;

/** True when a meterStart of 0 followed by `registerWh` after `elapsedMs` looks like a lifetime register. */
export function zeroBaselineSuspect(meterStartWh: number | null, registerWh: number, elapsedMs: number, policy: BaselinePolicy): boolean {
  if (meterStartWh !== 0) return false;
  const hours = Math.max(0, elapsedMs) / 3_600_000;
  const possibleWh = policy.maxPowerW * hours + SLACK_WH;
  return registerWh > Math.min(possibleWh, policy.maxSessionEnergyWh);
}

/** The flag put on such a transaction; its energy is recorded as unknown (null) so it is not billed. */
export const SUSPECT_BASELINE_FLAG = 'meter-start-zero-suspect';

/** Energy of an active transaction so far, or null when its baseline is unknown or suspect (live events too). */
export function energySoFarWh(
  tx: { meterStartWh: number | null; startedAt: string; flags: readonly string[] },
  registerWh: number,
  nowMs: number,
  policy: BaselinePolicy = defaultBaselinePolicy,
): number | null {
  if (tx.meterStartWh === null || tx.flags.includes(SUSPECT_BASELINE_FLAG)) return null;
  if (zeroBaselineSuspect(tx.meterStartWh, registerWh, nowMs - Date.parse(tx.startedAt), policy)) return null;
  return registerWh - tx.meterStartWh;
}
