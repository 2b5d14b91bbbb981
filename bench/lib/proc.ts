import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';

let tasksetChecked: boolean | undefined;

/** True when `taskset` (util-linux) can pin processes here. */
export function hasTaskset(): boolean {
  if (tasksetChecked === undefined) {
    try {
      execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
      tasksetChecked = true;
    } catch {
      tasksetChecked = false;
    }
  }
  return tasksetChecked;
}

/** Every server and load process this process started and that has not exited yet. */
const live = new Set<ChildProcess>();

/**
 * Spawns `node args...`, pinned to `cpus` (a taskset CPU list such as "0") when `cpus` is set and taskset exists.
 * taskset execs node, so the child's pid is node's.
 */
export function spawnNode(args: string[], cpus: string | undefined, options: SpawnOptions): ChildProcess {
  const child = cpus !== undefined && hasTaskset()
    ? spawn('taskset', ['-c', cpus, process.execPath, ...args], options)
    : spawn(process.execPath, args, options);
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Kills (SIGKILL, by pid) the servers and load processes this process started, e.g. when it is interrupted. */
export function killChildren(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** Pins every thread of an existing process (e.g. the orchestrator itself) to `cpus`. */
export function pinProcess(pid: number, cpus: string): boolean {
  if (!hasTaskset()) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** The pid and its descendants (from /proc/<pid>/task/<tid>/children). */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const visit = (p: number): void => {
    out.push(p);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const tid of tasks) {
      let children = '';
      try {
        children = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const child of children.trim().split(/\s+/)) if (child) visit(Number(child));
    }
  };
  visit(pid);
  return out;
}

/** VmRSS of one process in KB (0 if it is gone). */
export function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** User + system CPU time of one process in ms (0 if it is gone). */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", field 3 (state) is index 0; utime is field 14 -> index 11, stime index 12.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond();
  } catch {
    return 0;
  }
}

export function treeRssKb(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + rssKb(p), 0);
}

export function treeCpuMs(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + cpuMs(p), 0);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** CLOCK_MONOTONIC in µs: the clock of V8 CPU profiles (`startTime`, `endTime`), comparable across processes. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** CPU time (ms) of every user-space process now (kernel threads left out), by pid. */
export function cpuSnapshot(): Map<number, number> {
  const out = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      if (ppid === 2 || entry === '2') continue; // kernel threads
      out.set(Number(entry), ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond());
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU time (ms) that processes other than `exclude` used between two snapshots. */
export function otherCpuMs(before: Map<number, number>, after: Map<number, number>, exclude: Set<number>): number {
  let sum = 0;
  for (const [pid, ms] of after) {
    if (exclude.has(pid)) continue;
    sum += ms - (before.get(pid) ?? 0);
  }
  return sum;
}

/**
 * CPU time (ms) all cores spent on user, nice, system and steal time so far (from /proc/stat); irq and softirq are
 * left out, since the benchmark's own loopback traffic shows up there.
 */
export function machineBusyMs(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , , , steal = 0] = f;
    return ((user + nice + system + steal) * 1000) / ticksPerSecond();
  } catch {
    return 0;
  }
}

/**
 * What other work on the machine took during a window, in ms of CPU: the larger of (a) the CPU of other
 * processes alive at both ends and (b) all CPU used on the machine minus this benchmark's own processes (which also
 * counts short-lived processes and stolen time).
 */
export class NoiseMeter {
  readonly #exclude: Set<number>;
  readonly #snapshot: Map<number, number>;
  readonly #machine: number;
  readonly #ours: number;

  constructor(exclude: Set<number>) {
    this.#exclude = exclude;
    this.#snapshot = cpuSnapshot();
    this.#machine = machineBusyMs();
    this.#ours = NoiseMeter.ours(exclude);
  }

  private static ours(pids: Set<number>): number {
    let sum = 0;
    for (const pid of pids) sum += cpuMs(pid);
    return sum;
  }

  otherMs(): number {
    const perProcess = otherCpuMs(this.#snapshot, cpuSnapshot(), this.#exclude);
    const machine = machineBusyMs() - this.#machine - (NoiseMeter.ours(this.#exclude) - this.#ours);
    return Math.max(0, perProcess, machine);
  }
}
