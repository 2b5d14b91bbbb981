/** Instants and the planning grid: equal time slots from a start, UTC throughout. */
import { DomainError } from '../../errors.ts';

export function parseTime(value: unknown, where: string): number {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new DomainError('invalid', `${where} must be an ISO 8601 date-time`);
  return ms;
}

export interface SlotGrid {
  startMs: number;
  slotMs: number;
  count: number;
}

export const DEFAULT_SLOT_MINUTES = 15;
export const DEFAULT_HORIZON_HOURS = 24;
/** More than a week of 1-minute slots is not a charging plan. */
const MAX_SLOTS = 10_080;

export function makeGrid(start: string, slotMinutes = DEFAULT_SLOT_MINUTES, horizonHours = DEFAULT_HORIZON_HOURS): SlotGrid {
  const startMs = parseTime(start, 'start');
  if (!Number.isFinite(slotMinutes) || slotMinutes <= 0 || !Number.isInteger(slotMinutes * 60)) {
    throw new DomainError('invalid', 'slotMinutes must be a positive number of whole seconds');
  }
  if (!Number.isFinite(horizonHours) || horizonHours <= 0) throw new DomainError('invalid', 'horizonHours must be positive');
  const slotMs = slotMinutes * 60_000;
  const count = Math.ceil((horizonHours * 3_600_000) / slotMs - 1e-9);
  if (count > MAX_SLOTS) throw new DomainError('invalid', `the plan would have ${count} slots; at most ${MAX_SLOTS}`);
  return { startMs, slotMs, count };
}

export function slotStartMs(grid: SlotGrid, slot: number): number {
  return grid.startMs + slot * grid.slotMs;
}

export function gridEndMs(grid: SlotGrid): number {
  return grid.startMs + grid.count * grid.slotMs;
}

/** Hours of slot `slot` that fall inside [fromMs, toMs). */
export function overlapHours(grid: SlotGrid, slot: number, fromMs: number, toMs: number): number {
  const a = Math.max(fromMs, slotStartMs(grid, slot));
  const b = Math.min(toMs, slotStartMs(grid, slot + 1));
  return b > a ? (b - a) / 3_600_000 : 0;
}
