/**
 * Sessions checked against the site: on which EVSE and phases each one draws, its current range (EVSE and EV limits,
 * minimum current), and its place in the site's order (priority, arrival). Numbers that make no sense are a
 * DomainError('invalid'); a session on an EVSE the model does not know is reported, not fatal, so that one
 * unconfigured EVSE does not stop load management for the whole site.
 */
import { DomainError } from '../../errors.ts';
import type { LoadShape } from './capacity-ledger.ts';
import type { CompiledEvse, CompiledSite } from './compile-site.ts';
import { powerToCurrent } from './electrical.ts';
import { parseTime } from './time-slots.ts';
import type { SessionInput } from './session.ts';
import type { SharingPolicy } from './site-model.ts';

export interface ResolvedSession {
  input: SessionInput;
  evse: CompiledEvse;
  shape: LoadShape;
  /** Phases the session draws on (the EV's, at most the EVSE's). */
  phases: number;
  /** Minimum per-phase current while charging (EVSE's, raised by the EV's). */
  minCurrentA: number;
  /**
   * The most per-phase current worth offering: the EVSE's ratings and the EV's, never below the minimum (an EV that
   * can draw less simply takes less; offering the minimum costs nothing). Below the minimum only when the EVSE's own
   * ratings are: then it cannot charge at all.
   */
  maxCurrentA: number;
  /** The per-phase current the EV can actually draw on `phases` phases (its power and current limits); for energy. */
  drawCapA: number;
  /** Maximum discharge current per phase; 0 unless both the EVSE and the session allow discharging. */
  maxDischargeCurrentA: number;
  /** Present draw per phase from the meters, if any. */
  measuredCurrentA: number | undefined;
  startMs: number;
  priority: number;
}

export type SkipReason = 'unknown-evse' | 'evse-has-another-session';

export interface SkippedSession {
  sessionId: string;
  reason: SkipReason;
  detail: string;
}

export interface ResolvedSessions {
  /** In the site's policy order: the first is served (and kept charging) first. */
  sessions: ResolvedSession[];
  skipped: SkippedSession[];
}

function invalid(message: string): never {
  throw new DomainError('invalid', message);
}

function optionalPositive(value: unknown, where: string, allowZero = false): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    invalid(`${where} must be a ${allowZero ? 'non-negative' : 'positive'} finite number`);
  }
  return value;
}

function measuredCurrent(session: SessionInput, where: string, voltageV: number, phases: number): number | undefined {
  const m = session.measured;
  if (m === undefined) return undefined;
  if (typeof m !== 'object' || m === null) invalid(`${where}.measured must be an object`);
  if (m.currentA !== undefined) {
    const values = typeof m.currentA === 'number' ? [m.currentA] : m.currentA;
    if (!Array.isArray(values) || values.length === 0) invalid(`${where}.measured.currentA must be a number or an array of numbers`);
    let max = 0;
    for (const v of values) max = Math.max(max, optionalPositive(v, `${where}.measured.currentA`, true)!);
    return max;
  }
  const w = optionalPositive(m.powerW, `${where}.measured.powerW`, true);
  return w === undefined ? undefined : powerToCurrent(w, voltageV, phases);
}

function resolveOne(session: SessionInput, evse: CompiledEvse, where: string): ResolvedSession {
  const node = evse.node;
  let phases = evse.sitePhases.length;
  if (session.evPhases !== undefined) {
    if (session.evPhases !== 1 && session.evPhases !== 2 && session.evPhases !== 3) invalid(`${where}.evPhases must be 1, 2 or 3`);
    phases = Math.min(phases, session.evPhases);
  }
  const voltageV = evse.voltageV;
  const evMaxPowerW = optionalPositive(session.evMaxPowerW, `${where}.evMaxPowerW`);
  const evMaxCurrentA = optionalPositive(session.evMaxCurrentA, `${where}.evMaxCurrentA`);
  const evMinCurrentA = optionalPositive(session.evMinCurrentA, `${where}.evMinCurrentA`, true);
  optionalPositive(session.offeredCurrentA, `${where}.offeredCurrentA`, true);
  if (session.plannedCurrentA !== undefined && (typeof session.plannedCurrentA !== 'number' || !Number.isFinite(session.plannedCurrentA))) {
    invalid(`${where}.plannedCurrentA must be a finite number`);
  }
  if (session.priority !== undefined && (typeof session.priority !== 'number' || !Number.isFinite(session.priority))) {
    invalid(`${where}.priority must be a finite number`);
  }
  if (session.arrivalOrder !== undefined && (typeof session.arrivalOrder !== 'number' || !Number.isFinite(session.arrivalOrder))) {
    invalid(`${where}.arrivalOrder must be a finite number`);
  }

  const minCurrentA = Math.max(evse.minCurrentA, evMinCurrentA ?? 0);
  let evseCapA = node.maxCurrentA;
  if (node.maxPowerW !== undefined) evseCapA = Math.min(evseCapA, powerToCurrent(node.maxPowerW, voltageV, phases));
  let drawCapA = Math.min(evseCapA, evMaxCurrentA ?? Infinity);
  if (evMaxPowerW !== undefined) drawCapA = Math.min(drawCapA, powerToCurrent(evMaxPowerW, voltageV, phases));
  // The offer: when the EV's phases are not known, its power is not divided among phases it may not use (a 7.4 kW
  // single-phase EV draws 32 A on one phase); an offer too high only reserves capacity until meter values show the
  // real draw, an offer too low would starve the EV.
  let offerCapA = Math.min(evseCapA, evMaxCurrentA ?? Infinity);
  if (evMaxPowerW !== undefined) offerCapA = Math.min(offerCapA, powerToCurrent(evMaxPowerW, voltageV, session.evPhases === undefined ? 1 : phases));
  const maxCurrentA = evseCapA < minCurrentA ? evseCapA : Math.max(minCurrentA, offerCapA);

  let maxDischargeCurrentA = 0;
  if (session.discharge !== undefined) {
    if (typeof session.discharge !== 'object' || session.discharge === null) invalid(`${where}.discharge must be an object`);
    const w = optionalPositive(session.discharge.maxDischargePowerW, `${where}.discharge.maxDischargePowerW`);
    if (w === undefined) invalid(`${where}.discharge.maxDischargePowerW is required`);
    optionalPositive(session.discharge.dischargeableKWh, `${where}.discharge.dischargeableKWh`, true);
    if (node.bidirectional === true) maxDischargeCurrentA = Math.min(node.maxCurrentA, powerToCurrent(w, voltageV, phases));
  }

  return {
    input: session,
    evse,
    shape: { path: evse.path, phases: evse.sitePhases.slice(0, phases), wattsPerAmp: voltageV * phases },
    phases,
    minCurrentA,
    maxCurrentA,
    drawCapA,
    maxDischargeCurrentA,
    measuredCurrentA: measuredCurrent(session, where, voltageV, phases),
    startMs: parseTime(session.startedAt, `${where}.startedAt`),
    priority: session.priority ?? 0,
  };
}

/** First come first: arrival order when given, then start time, then id (a total order, so results are stable). */
export function compareArrival(a: ResolvedSession, b: ResolvedSession): number {
  const ao = a.input.arrivalOrder ?? Infinity;
  const bo = b.input.arrivalOrder ?? Infinity;
  if (ao !== bo) return ao < bo ? -1 : 1;
  if (a.startMs !== b.startMs) return a.startMs - b.startMs;
  return a.input.id < b.input.id ? -1 : a.input.id > b.input.id ? 1 : 0;
}

/** The order in which sessions keep their minimum when there is not enough for all, and are served beyond it. */
export function comparePolicy(policy: SharingPolicy): (a: ResolvedSession, b: ResolvedSession) => number {
  if (policy === 'priority') return (a, b) => b.priority - a.priority || compareArrival(a, b);
  return compareArrival;
}

export function resolveSessions(site: CompiledSite, sessions: readonly SessionInput[]): ResolvedSessions {
  if (!Array.isArray(sessions)) invalid('sessions must be an array');
  const resolved: ResolvedSession[] = [];
  const skipped: SkippedSession[] = [];
  const ids = new Set<string>();
  const byEvse = new Map<string, ResolvedSession>();
  sessions.forEach((session, i) => {
    if (typeof session !== 'object' || session === null) invalid(`sessions[${i}] must be an object`);
    if (typeof session.id !== 'string' || session.id === '') invalid(`sessions[${i}].id must be a non-empty string`);
    const where = `session "${session.id}"`;
    if (ids.has(session.id)) invalid(`${where}: duplicate session id`);
    ids.add(session.id);
    const evse = typeof session.evseNodeId === 'string' ? site.evseById.get(session.evseNodeId) : undefined;
    if (evse === undefined) {
      skipped.push({ sessionId: session.id, reason: 'unknown-evse', detail: `no EVSE "${String(session.evseNodeId)}" in the site model` });
      return;
    }
    const r = resolveOne(session, evse, where);
    const other = byEvse.get(evse.node.id);
    if (other !== undefined) {
      // Two sessions cannot share one EVSE: keep the newer one; the older is most likely a transaction whose stop
      // never arrived (a zombie), while the newer one is the EV plugged in now.
      const [keep, drop] = r.startMs >= other.startMs ? [r, other] : [other, r];
      byEvse.set(evse.node.id, keep);
      skipped.push({ sessionId: drop.input.id, reason: 'evse-has-another-session', detail: `EVSE "${evse.node.id}" already has session "${keep.input.id}"` });
      return;
    }
    byEvse.set(evse.node.id, r);
  });
  for (const r of byEvse.values()) resolved.push(r);
  resolved.sort(comparePolicy(site.policy));
  return { sessions: resolved, skipped };
}
