/**
 * How V8 collects garbage in a serving process. By default V8 hands parts of each collection (scavenges, marking,
 * sweeping, compaction) to helper threads, which is a gain only when there is a free core for them. A process that has
 * one core to itself (pinned, a one-vCPU container, or one of N workers on N cores) has none: the helpers take turns
 * with the event loop on the same core, and a scavenge that takes 3 ms alone takes 6-15 ms while stations wait. There
 * V8 does better with `--single-threaded-gc`, which does the same work on the main thread.
 *
 * Measured on the 2-core development VM, the server pinned to one core, 5,000 durable MeterValues/s: p99 20-34 ms
 * with helper threads, 5.8-7.5 ms without (three runs each); MeterValues and Heartbeat at saturation unchanged or
 * slightly higher.
 */
export type GcMode = 'auto' | 'single-threaded' | 'parallel';

export const GC_MODES: readonly GcMode[] = ['auto', 'single-threaded', 'parallel'];

/** The V8 option that turns the helper threads off. It is read when V8 starts: it cannot be set at run time. */
export const SINGLE_THREADED_GC_FLAG = '--single-threaded-gc';

/**
 * Whether serving processes should collect on their main thread: asked for, or `auto` and fewer than two cores for
 * each process (`cores`: those this process may run on, `os.availableParallelism()`, which heeds its CPU affinity).
 */
export function singleThreadedGc(mode: GcMode, cores: number, processes: number): boolean {
  if (mode !== 'auto') return mode === 'single-threaded';
  return cores / Math.max(1, processes) < 2;
}

/** The node options a serving process should start with, given the options it was started with. */
export function serveExecArgv(execArgv: readonly string[], singleThreaded: boolean): string[] {
  if (!singleThreaded || execArgv.includes(SINGLE_THREADED_GC_FLAG)) return [...execArgv];
  return [...execArgv, SINGLE_THREADED_GC_FLAG];
}

/**
 * Replaces this process with the same command plus `--single-threaded-gc` (same pid, same environment, same open
 * standard streams), when it needs the option and was started without it. Returns only if it does not restart: the
 * option is there already or not wanted, or this Node has no `process.execve` (before 22.15 / 23.11), in which case
 * the caller may say how to pass it by hand.
 */
export function restartWithGcMode(singleThreaded: boolean): 'unchanged' | 'unsupported' {
  const wanted = serveExecArgv(process.execArgv, singleThreaded);
  if (wanted.length === process.execArgv.length) return 'unchanged';
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  if (typeof execve !== 'function') return 'unsupported';
  return execve.call(process, process.execPath, [process.execPath, ...wanted, ...process.argv.slice(1)], process.env);
}
