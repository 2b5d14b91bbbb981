/**
 * Energy prices per planning slot, from a time-of-use tariff (clock times in a time zone, optionally per weekday)
 * and/or a dynamic price signal (day-ahead market, supplier API). Where the signal covers a slot it wins; a slot it
 * covers only partly gets the time-weighted mix of both. Prices are per kWh in any currency, used only to compare.
 */
import { DomainError } from '../../errors.ts';
import { parseTime, slotStartMs, type SlotGrid } from './time-slots.ts';

export interface TimeOfUsePeriod {
  /** Local clock time "HH:MM"; the period runs [from, to), and wraps past midnight when to <= from. */
  from: string;
  to: string;
  pricePerKWh: number;
  /** ISO weekdays the period applies on (1 = Monday ... 7 = Sunday; of the day it starts); default every day. */
  weekdays?: number[] | undefined;
}

export interface TimeOfUseTariff {
  /** IANA time zone of the clock times, e.g. "Europe/Berlin"; default UTC. Daylight saving is followed. */
  timeZone?: string | undefined;
  /** The price outside every period. */
  defaultPricePerKWh: number;
  /** The first period that matches a minute sets its price. */
  periods?: TimeOfUsePeriod[] | undefined;
}

export interface PricePoint {
  /** ISO 8601 UTC; the price holds in [start, end). */
  start: string;
  end: string;
  pricePerKWh: number;
}

export interface PriceInput {
  timeOfUse?: TimeOfUseTariff | undefined;
  dynamic?: PricePoint[] | undefined;
}

export interface SlotPrices {
  pricePerKWh: Float64Array;
  /** True for slots the dynamic signal did not fully cover and no tariff filled in (priced at the signal's mean). */
  estimated: Uint8Array;
}

interface CompiledPeriod {
  fromMin: number;
  toMin: number;
  price: number;
  weekdays: Set<number> | undefined;
}

function invalid(message: string): never {
  throw new DomainError('invalid', `prices: ${message}`);
}

function clockMinutes(value: unknown, where: string): number {
  const m = typeof value === 'string' ? /^(\d{2}):(\d{2})$/.exec(value) : null;
  const h = m ? Number(m[1]) : NaN;
  const min = m ? Number(m[2]) : NaN;
  if (!m || h > 24 || min > 59 || (h === 24 && min !== 0)) invalid(`${where} must be a clock time "HH:MM"`);
  return h * 60 + min;
}

function price(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(`${where} must be a finite number`);
  return value;
}

const WEEKDAY: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Local weekday (1..7) and minute of the day at an instant, in a time zone. */
function localClock(format: Intl.DateTimeFormat, ms: number): { weekday: number; minute: number } {
  let weekday = 0;
  let hour = 0;
  let minute = 0;
  for (const part of format.formatToParts(ms)) {
    if (part.type === 'weekday') weekday = WEEKDAY[part.value] ?? 0;
    else if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { weekday, minute: hour * 60 + minute };
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  } catch {
    invalid(`unknown time zone "${timeZone}"`);
  }
}

function periodPrice(periods: CompiledPeriod[], fallback: number, weekday: number, minute: number): number {
  for (const p of periods) {
    if (p.fromMin < p.toMin) {
      if (minute >= p.fromMin && minute < p.toMin && (!p.weekdays || p.weekdays.has(weekday))) return p.price;
    } else if (minute >= p.fromMin) {
      if (!p.weekdays || p.weekdays.has(weekday)) return p.price;
    } else if (minute < p.toMin) {
      // The part after midnight belongs to the period that started the day before.
      const previous = weekday === 1 ? 7 : weekday - 1;
      if (!p.weekdays || p.weekdays.has(previous)) return p.price;
    }
  }
  return fallback;
}

/** Time-of-use price per minute of each slot, averaged. The zone's offset is read at each slot start. */
function timeOfUsePrices(grid: SlotGrid, tariff: TimeOfUseTariff): Float64Array {
  if (typeof tariff !== 'object' || tariff === null) invalid('timeOfUse must be an object');
  const fallback = price(tariff.defaultPricePerKWh, 'timeOfUse.defaultPricePerKWh');
  if (tariff.periods !== undefined && !Array.isArray(tariff.periods)) invalid('timeOfUse.periods must be an array');
  const periods: CompiledPeriod[] = (tariff.periods ?? []).map((p, i) => {
    const where = `timeOfUse.periods[${i}]`;
    if (p.weekdays !== undefined && (!Array.isArray(p.weekdays) || p.weekdays.some((d) => !Number.isInteger(d) || d < 1 || d > 7))) {
      invalid(`${where}.weekdays must be ISO weekdays 1..7`);
    }
    return {
      fromMin: clockMinutes(p.from, `${where}.from`),
      toMin: clockMinutes(p.to, `${where}.to`),
      price: price(p.pricePerKWh, `${where}.pricePerKWh`),
      weekdays: p.weekdays ? new Set(p.weekdays) : undefined,
    };
  });
  const format = formatterFor(tariff.timeZone ?? 'UTC');
  const out = new Float64Array(grid.count);
  const slotMinutes = Math.max(1, Math.round(grid.slotMs / 60_000));
  for (let t = 0; t < grid.count; t++) {
    let { weekday, minute } = localClock(format, slotStartMs(grid, t));
    let sum = 0;
    for (let k = 0; k < slotMinutes; k++) {
      sum += periodPrice(periods, fallback, weekday, minute);
      if (++minute === 1440) {
        minute = 0;
        weekday = weekday === 7 ? 1 : weekday + 1;
      }
    }
    // Rounded so that a constant price does not come out as 0.4000000000000001 after averaging.
    out[t] = Math.round((sum / slotMinutes) * 1e9) / 1e9;
  }
  return out;
}

export function slotPrices(grid: SlotGrid, prices: PriceInput): SlotPrices {
  if (typeof prices !== 'object' || prices === null) invalid('must be an object');
  if (prices.timeOfUse === undefined && (prices.dynamic === undefined || prices.dynamic.length === 0)) {
    invalid('give a time-of-use tariff, a dynamic price signal, or both');
  }
  const base = prices.timeOfUse === undefined ? undefined : timeOfUsePrices(grid, prices.timeOfUse);
  const pricePerKWh = base ? Float64Array.from(base) : new Float64Array(grid.count);
  const estimated = new Uint8Array(grid.count);
  if (prices.dynamic === undefined || prices.dynamic.length === 0) return { pricePerKWh, estimated };
  if (!Array.isArray(prices.dynamic)) invalid('dynamic must be an array');

  const points = prices.dynamic.map((p, i) => {
    const where = `dynamic[${i}]`;
    const start = parseTime(p.start, `prices.${where}.start`);
    const end = parseTime(p.end, `prices.${where}.end`);
    if (end <= start) invalid(`${where}: end must be after start`);
    return { start, end, price: price(p.pricePerKWh, `${where}.pricePerKWh`) };
  });
  const mean = points.reduce((s, p) => s + p.price, 0) / points.length;
  for (let t = 0; t < grid.count; t++) {
    const a = slotStartMs(grid, t);
    const b = a + grid.slotMs;
    let covered = 0;
    let sum = 0;
    for (const p of points) {
      const overlap = Math.min(b, p.end) - Math.max(a, p.start);
      if (overlap <= 0) continue;
      // Overlapping points are not expected; if they occur, the covered time is capped at the slot.
      const take = Math.min(overlap, grid.slotMs - covered);
      if (take <= 0) break;
      covered += take;
      sum += p.price * take;
    }
    const rest = grid.slotMs - covered;
    if (rest > 0) {
      if (base) sum += base[t]! * rest;
      else {
        sum += mean * rest;
        estimated[t] = 1;
      }
    }
    pricePerKWh[t] = Math.round((sum / grid.slotMs) * 1e9) / 1e9;
  }
  return { pricePerKWh, estimated };
}
