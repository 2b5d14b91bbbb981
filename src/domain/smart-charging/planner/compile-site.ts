/**
 * Validates a site model and flattens it into index-addressed arrays the allocator and the optimiser work on. The
 * model usually comes from the API or the store as JSON, so nothing is taken for granted: every problem becomes a
 * DomainError('invalid') naming the node and the field.
 */
import { DomainError } from '../../errors.ts';
import { PHASE_INDEX, powerToCurrent, sitePhasesOfRotation } from './electrical.ts';
import {
  DEFAULT_MIN_CURRENT_A,
  DEFAULT_NOMINAL_VOLTAGE_V,
  type EvseNode,
  type ExternalLoad,
  type GroupNode,
  type NodeLimit,
  type SharingPolicy,
  type SiteModel,
} from './site-model.ts';

/**
 * Every group has four constraints, stored at `4 * groupIndex + k`: k = 0, 1, 2 are the currents of L1, L2, L3 (A),
 * k = 3 is the total power (W).
 */
export const SLOTS_PER_GROUP = 4;
export const POWER_SLOT = 3;

export interface CompiledGroup {
  id: string;
  index: number;
  /** -1 for the root. */
  parent: number;
  voltageV: number;
}

export interface CompiledEvse {
  node: EvseNode;
  index: number;
  /** Indices of the groups above the EVSE, nearest first, root last. */
  path: Int32Array;
  voltageV: number;
  /** Site phase index of each of the station's phases, in the station's own order. */
  sitePhases: readonly number[];
  minCurrentA: number;
  online: boolean;
  /** Per-phase current counted while the station is offline. */
  offlineFallbackA: number;
}

export interface CompiledSite {
  policy: SharingPolicy;
  groups: CompiledGroup[];
  groupIndexById: ReadonlyMap<string, number>;
  evses: CompiledEvse[];
  evseById: ReadonlyMap<string, CompiledEvse>;
  /** Static limits, `SLOTS_PER_GROUP` per group; Infinity where there is none. */
  limits: Float64Array;
  /** Measured non-EV load, added to the node where measured and to every node above it. */
  externalUsage: Float64Array;
  /** Offline stations at their fallback, likewise propagated up. */
  offlineUsage: Float64Array;
}

/** Real sites have a handful of levels; the bound keeps every walk of the tree (recursive ones too) safe. */
const MAX_DEPTH = 64;
const POLICIES: readonly SharingPolicy[] = ['equal-share', 'priority', 'first-come-first-served'];
const ROTATIONS = new Set(['RST', 'RTS', 'SRT', 'STR', 'TRS', 'TSR']);

function invalid(message: string): never {
  throw new DomainError('invalid', `site model: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finiteNumber(value: unknown, where: string, options: { min?: number; positive?: boolean } = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(`${where} must be a finite number`);
  if (options.positive && value <= 0) invalid(`${where} must be greater than 0`);
  if (options.min !== undefined && value < options.min) invalid(`${where} must be at least ${options.min}`);
  return value;
}

function optionalNumber(value: unknown, where: string, options: { min?: number; positive?: boolean } = {}): number | undefined {
  return value === undefined ? undefined : finiteNumber(value, where, options);
}

function phaseTriple(value: unknown, where: string, min: number | undefined): [number, number, number] {
  if (typeof value === 'number') {
    const v = finiteNumber(value, where, min === undefined ? {} : { min });
    return [v, v, v];
  }
  if (!Array.isArray(value) || value.length !== 3) invalid(`${where} must be a number or an array of 3 numbers (L1, L2, L3)`);
  return [
    finiteNumber(value[0], `${where}[0]`, min === undefined ? {} : { min }),
    finiteNumber(value[1], `${where}[1]`, min === undefined ? {} : { min }),
    finiteNumber(value[2], `${where}[2]`, min === undefined ? {} : { min }),
  ];
}

/** Writes a limit's four constraint values (Infinity where absent) at `offset`. */
export function writeLimit(limit: NodeLimit | undefined, where: string, target: Float64Array, offset: number): void {
  target[offset] = Infinity;
  target[offset + 1] = Infinity;
  target[offset + 2] = Infinity;
  target[offset + POWER_SLOT] = Infinity;
  if (limit === undefined) return;
  if (!isRecord(limit)) invalid(`${where} must be an object`);
  if (limit.maxCurrentA !== undefined) {
    const [a, b, c] = phaseTriple(limit.maxCurrentA, `${where}.maxCurrentA`, 0);
    target[offset] = a;
    target[offset + 1] = b;
    target[offset + 2] = c;
  }
  const w = optionalNumber(limit.maxPowerW, `${where}.maxPowerW`, { min: 0 });
  if (w !== undefined) target[offset + POWER_SLOT] = w;
}

/**
 * The four constraint values an external load uses at a node of voltage `voltageV`. A total power without currents is
 * taken as balanced; currents without a power give the power at nominal voltage. Negative values (local generation
 * exporting) are allowed: the measured net load is what flows through the node.
 */
export function externalLoadUsage(load: ExternalLoad, where: string, voltageV: number): [number, number, number, number] {
  if (!isRecord(load)) invalid(`${where} must be an object`);
  const powerW = optionalNumber(load.powerW, `${where}.powerW`);
  if (load.currentA !== undefined) {
    const [a, b, c] = phaseTriple(load.currentA, `${where}.currentA`, undefined);
    return [a, b, c, powerW ?? (a + b + c) * voltageV];
  }
  if (powerW === undefined) return [0, 0, 0, 0];
  const perPhaseA = powerToCurrent(powerW, voltageV, 3);
  return [perPhaseA, perPhaseA, perPhaseA, powerW];
}

function addAlongPath(target: Float64Array, groups: CompiledGroup[], from: number, usage: readonly number[]): void {
  for (let g = from; g >= 0; g = groups[g]!.parent) {
    const o = g * SLOTS_PER_GROUP;
    target[o] = target[o]! + usage[0]!;
    target[o + 1] = target[o + 1]! + usage[1]!;
    target[o + 2] = target[o + 2]! + usage[2]!;
    target[o + POWER_SLOT] = target[o + POWER_SLOT]! + usage[3]!;
  }
}

function compileEvse(raw: Record<string, unknown>, where: string, parent: number, parentVoltage: number, groups: CompiledGroup[], index: number): CompiledEvse {
  if (typeof raw.stationId !== 'string' || raw.stationId === '') invalid(`${where}.stationId must be a non-empty string`);
  const evseId = finiteNumber(raw.evseId, `${where}.evseId`, { min: 1 });
  if (!Number.isInteger(evseId)) invalid(`${where}.evseId must be an integer`);
  if (raw.phases !== 1 && raw.phases !== 3) invalid(`${where}.phases must be 1 or 3`);
  if (raw.rateUnit !== 'A' && raw.rateUnit !== 'W') invalid(`${where}.rateUnit must be "A" or "W"`);
  const maxCurrentA = finiteNumber(raw.maxCurrentA, `${where}.maxCurrentA`, { positive: true });
  const maxPowerW = optionalNumber(raw.maxPowerW, `${where}.maxPowerW`, { positive: true });
  const minCurrentA = optionalNumber(raw.minCurrentA, `${where}.minCurrentA`, { min: 0 }) ?? DEFAULT_MIN_CURRENT_A;
  const voltageV = optionalNumber(raw.nominalVoltageV, `${where}.nominalVoltageV`, { positive: true }) ?? parentVoltage;
  if (raw.online !== undefined && typeof raw.online !== 'boolean') invalid(`${where}.online must be a boolean`);
  if (raw.bidirectional !== undefined && typeof raw.bidirectional !== 'boolean') invalid(`${where}.bidirectional must be a boolean`);
  const fallbackA = optionalNumber(raw.offlineFallbackA, `${where}.offlineFallbackA`, { min: 0 }) ?? maxCurrentA;

  let sitePhases: number[];
  if (raw.phases === 1) {
    if (raw.phaseRotation !== undefined) invalid(`${where}.phaseRotation applies to three-phase EVSEs only; use "phase"`);
    if (raw.phase !== undefined && !(typeof raw.phase === 'string' && Object.hasOwn(PHASE_INDEX, raw.phase))) invalid(`${where}.phase must be L1, L2 or L3`);
    sitePhases = [PHASE_INDEX[(raw.phase as keyof typeof PHASE_INDEX | undefined) ?? 'L1']];
  } else {
    if (raw.phase !== undefined) invalid(`${where}.phase applies to single-phase EVSEs only; use "phaseRotation"`);
    if (raw.phaseRotation !== undefined && !(typeof raw.phaseRotation === 'string' && ROTATIONS.has(raw.phaseRotation))) {
      invalid(`${where}.phaseRotation must be one of ${[...ROTATIONS].join(', ')}`);
    }
    sitePhases = sitePhasesOfRotation((raw.phaseRotation as EvseNode['phaseRotation']) ?? 'RST');
  }

  // The EVSE cannot draw more than its own ratings, whatever its fallback says.
  const phases = sitePhases.length;
  const offlineFallbackA = Math.min(fallbackA, maxCurrentA, maxPowerW === undefined ? Infinity : powerToCurrent(maxPowerW, voltageV, phases));

  const path: number[] = [];
  for (let g = parent; g >= 0; g = groups[g]!.parent) path.push(g);
  return {
    node: raw as unknown as EvseNode,
    index,
    path: Int32Array.from(path),
    voltageV,
    sitePhases,
    minCurrentA,
    online: raw.online !== false,
    offlineFallbackA,
  };
}

/** Validates `site` and returns its flattened form. Throws DomainError('invalid') with the offending node and field. */
export function compileSite(site: SiteModel): CompiledSite {
  if (!isRecord(site)) invalid('must be an object');
  if (!POLICIES.includes(site.policy)) invalid(`policy must be one of ${POLICIES.join(', ')}`);
  if (!isRecord(site.root) || site.root.kind !== 'group') invalid('root must be a group node');

  const groups: CompiledGroup[] = [];
  const evses: CompiledEvse[] = [];
  const ids = new Set<string>();
  const rawGroups: GroupNode[] = [];
  const externalLoads: Array<{ group: number; load: ExternalLoad }> = [];

  const stationEvses = new Set<string>();

  // Depth-first without recursion: a deep tree from bad input must not overflow the stack.
  const stack: Array<{ node: unknown; parent: number; voltage: number; where: string; depth: number }> = [
    { node: site.root, parent: -1, voltage: DEFAULT_NOMINAL_VOLTAGE_V, where: 'root', depth: 0 },
  ];
  while (stack.length > 0) {
    const { node, parent, voltage, where, depth } = stack.pop()!;
    if (depth > MAX_DEPTH) invalid(`${where}: the tree is deeper than ${MAX_DEPTH} levels`);
    if (!isRecord(node)) invalid(`${where} must be an object`);
    if (typeof node.id !== 'string' || node.id === '') invalid(`${where}.id must be a non-empty string`);
    const label = `${node.kind === 'evse' ? 'EVSE' : 'group'} "${node.id}"`;
    if (ids.has(node.id)) invalid(`${label}: duplicate node id`);
    ids.add(node.id);
    if (node.kind === 'evse') {
      if (parent < 0) invalid(`${label}: an EVSE cannot be the root`);
      const evse = compileEvse(node, label, parent, voltage, groups, evses.length);
      const key = `${evse.node.stationId}\u0000${evse.node.evseId}`;
      if (stationEvses.has(key)) invalid(`${label}: station "${evse.node.stationId}" EVSE ${evse.node.evseId} appears twice in the tree`);
      stationEvses.add(key);
      evses.push(evse);
      continue;
    }
    if (node.kind !== 'group') invalid(`${where}: kind must be "group" or "evse"`);
    const voltageV = optionalNumber(node.nominalVoltageV, `${label}.nominalVoltageV`, { positive: true }) ?? voltage;
    const index = groups.length;
    groups.push({ id: node.id, index, parent, voltageV });
    rawGroups.push(node as unknown as GroupNode);
    if (node.externalLoad !== undefined) externalLoads.push({ group: index, load: node.externalLoad as ExternalLoad });
    if (!Array.isArray(node.children)) invalid(`${label}.children must be an array`);
    for (let i = node.children.length - 1; i >= 0; i--) {
      stack.push({ node: node.children[i], parent: index, voltage: voltageV, where: `${label}.children[${i}]`, depth: depth + 1 });
    }
  }

  const limits = new Float64Array(groups.length * SLOTS_PER_GROUP);
  rawGroups.forEach((g, i) => writeLimit(g.limit, `group "${g.id}".limit`, limits, i * SLOTS_PER_GROUP));

  const externalUsage = new Float64Array(groups.length * SLOTS_PER_GROUP);
  for (const { group, load } of externalLoads) {
    const g = groups[group]!;
    addAlongPath(externalUsage, groups, group, externalLoadUsage(load, `group "${g.id}".externalLoad`, g.voltageV));
  }

  const offlineUsage = new Float64Array(groups.length * SLOTS_PER_GROUP);
  for (const evse of evses) {
    if (evse.online) continue;
    const usage = [0, 0, 0, evse.offlineFallbackA * evse.voltageV * evse.sitePhases.length];
    for (const p of evse.sitePhases) usage[p] = evse.offlineFallbackA;
    addAlongPath(offlineUsage, groups, evse.path[0]!, usage);
  }

  return {
    policy: site.policy,
    groups,
    groupIndexById: new Map(groups.map((g) => [g.id, g.index])),
    evses,
    evseById: new Map(evses.map((e) => [e.node.id, e])),
    limits,
    externalUsage,
    offlineUsage,
  };
}

/** Used by callers that have a limit per group id (time windows): the index or a clear error. */
export function groupIndexOf(site: CompiledSite, id: string, where: string): number {
  const index = site.groupIndexById.get(id);
  if (index === undefined) throw new DomainError('invalid', `${where}: no group "${id}" in the site model`);
  return index;
}
