/**
 * V2G, kept simple: a session whose EV and EVSE may discharge gives energy back in expensive slots and takes it again
 * in cheaper ones, only when
 * - its energy need is met before and after (every kWh given back is bought back before departure);
 * - the price difference is at least `minSpreadPerKWh` (battery wear, conversion losses);
 * - the battery never goes below its level at the start of planning by more than the EV allows
 *   (`dischargeableKWh`, default 0: it can only give back what the plan gave it earlier);
 * - it discharges at least its minimum current and at most its discharge limit, in a slot where it does not charge.
 *
 * Discharging is not counted as freeing capacity for other sessions: if the EV stops discharging, nobody else's limit
 * may then be too high. Export is priced at the import price of the slot.
 */
import { DomainError } from '../../errors.ts';
import { plannedKWh, type PlanningContext, type PlanSession } from './planning-context.ts';
import { addEnergyInSlot, ENERGY_TOLERANCE_KWH } from './slot-filling.ts';

export interface DischargeOptions {
  /** Default 0.05 per kWh. */
  minSpreadPerKWh?: number | undefined;
}

export const DEFAULT_MIN_SPREAD_PER_KWH = 0.05;

function lowestLevelOk(s: PlanSession, floorKWh: number): boolean {
  let level = 0;
  for (let t = s.firstSlot; t < s.endSlot; t++) {
    level += s.x[t]! * s.kwhPerA[t]!;
    if (level < floorKWh - ENERGY_TOLERANCE_KWH) return false;
  }
  return true;
}

/** Plans discharging for the sessions that may; returns the energy each gives back (kWh). */
export function planDischarge(ctx: PlanningContext, sessions: readonly PlanSession[], order: readonly number[], options: DischargeOptions = {}): Map<PlanSession, number> {
  const spread = options.minSpreadPerKWh ?? DEFAULT_MIN_SPREAD_PER_KWH;
  if (typeof spread !== 'number' || !Number.isFinite(spread) || spread < 0) throw new DomainError('invalid', 'discharge.minSpreadPerKWh must be a non-negative number');
  const price = ctx.prices.pricePerKWh;
  const result = new Map<PlanSession, number>();

  for (const s of sessions) {
    const maxA = s.floorQ(s.r.maxDischargeCurrentA);
    if (maxA <= 0 || maxA < s.r.minCurrentA) continue;
    if (s.requiredKWh - plannedKWh(s) > ENERGY_TOLERANCE_KWH) continue;
    const floorKWh = -(s.r.input.discharge?.dischargeableKWh ?? 0);
    let given = 0;

    const expensiveFirst = order.filter((t) => t >= s.firstSlot && t < s.endSlot && s.hours[t]! > 0).reverse();
    for (const h of expensiveFirst) {
      if (s.x[h] !== 0) continue;
      const perA = s.kwhPerA[h]!;
      const wanted = maxA * perA;
      // Buy it back first, cheapest first, only where it pays.
      const changes: Array<[number, number]> = [];
      let bought = 0;
      let cost = 0;
      for (const c of order) {
        if (price[c]! + spread > price[h]!) break;
        if (bought >= wanted - ENERGY_TOLERANCE_KWH) break;
        if (c < s.firstSlot || c >= s.endSlot || c === h || s.x[c]! < 0) continue;
        const before = s.x[c]!;
        const added = addEnergyInSlot(ctx, s, c, wanted - bought);
        if (added > 0) {
          changes.push([c, before]);
          bought += added;
          cost += added * price[c]!;
        }
      }
      const a = s.floorQ(Math.min(maxA, bought / perA));
      const revert = (): void => {
        s.x[h] = 0;
        for (const [c, before] of changes) {
          ctx.ledgers[c]!.add(s.r.shape, before - s.x[c]!);
          s.x[c] = before;
        }
      };
      if (a < s.r.minCurrentA || a * perA * price[h]! <= cost) {
        revert();
        continue;
      }
      s.x[h] = -a;
      if (!lowestLevelOk(s, floorKWh) || s.requiredKWh - plannedKWh(s) > ENERGY_TOLERANCE_KWH) {
        revert();
        continue;
      }
      given += a * perA;
    }
    if (given > 0) result.set(s, given);
  }
  return result;
}
