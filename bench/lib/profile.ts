import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of a V8 .cpuprofile this summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface HotSpot {
  /** Function name, or a V8 pseudo-frame such as "(garbage collector)". */
  name: string;
  /** Repository-relative file and line, `node:...` for Node internals, "" for native/pseudo frames. */
  location: string;
  selfMs: number;
  /** Share of the busy (non-idle) samples. */
  selfPct: number;
}

export interface ProfileSummary {
  durationMs: number;
  busyMs: number;
  functions: HotSpot[];
  /** Self time grouped by area: a Joule source file, an npm package, Node internals, V8 pseudo-frames. */
  areas: { area: string; selfMs: number; selfPct: number }[];
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function locate(url: string, line: number): string {
  if (!url) return '';
  if (url.startsWith('node:')) return url;
  let path = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (path.startsWith(ROOT)) path = relative(ROOT, path);
  return `${path}:${line + 1}`;
}

function areaOf(name: string, url: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return `npm ${rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  return path.startsWith(ROOT) ? relative(ROOT, path) : path;
}

/**
 * Self time per function and per area, from the samples of a .cpuprofile; idle samples are left out. With `window`
 * (CLOCK_MONOTONIC µs, the profile's own clock) only the samples inside it count, e.g. to leave out start-up.
 */
export function summarizeProfile(file: string, top = 25, window?: { startUs: number; endUs: number }): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let t = profile.startTime;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time before sample i; the time until the next sample is attributed to this one.
    t += profile.timeDeltas[i] ?? 0;
    if (window && (t < window.startUs || t > window.endUs)) continue;
    first = Math.min(first, t);
    last = Math.max(last, t);
    const id = profile.samples[i]!;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, dt));
  }
  const functions = new Map<string, HotSpot>();
  const areas = new Map<string, number>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    busyUs += us;
    const name = functionName || '(anonymous)';
    const location = locate(url, lineNumber);
    const key = `${name}@${location}`;
    const spot = functions.get(key) ?? { name, location, selfMs: 0, selfPct: 0 };
    spot.selfMs += us / 1000;
    functions.set(key, spot);
    const area = areaOf(name, url);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const busyMs = busyUs / 1000;
  const pct = (ms: number): number => (busyMs === 0 ? 0 : (ms / busyMs) * 100);
  return {
    durationMs: last > first ? (last - first) / 1000 : 0,
    busyMs,
    functions: [...functions.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map((f) => ({ ...f, selfPct: pct(f.selfMs) })),
    areas: [...areas.entries()]
      .map(([area, us]) => ({ area, selfMs: us / 1000, selfPct: pct(us / 1000) }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top),
  };
}
