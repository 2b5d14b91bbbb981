/**
 * How V8 collects garbage in a serving process. By default V8 hands parts of each collection (scavenges, marking,
 * sweeping, compaction) to helper threads, which is a gain only when there is a free core for them. A process that has
 * one core to itself (pinned, a one-vCPU container, or one of N workers on N cores) has none: the helpers take turns
 * with the event loop on the same core, and a scavenge that takes 3 ms alone takes 6-15 ms while stations wait. There
 * V8 does better with `--single-threaded-gc`, which does the same work on the main thread.
 *
 * Measured on the 2-core development VM, the server pinned to one core, 5,000 durable MeterValues/s: p99 20-34 ms
 * with helper threads, 5.8-7.5 ms without (three runs each); MeterValues and Heartbeat at saturation unchanged or
 * slightly higher. With the collection on the main thread, the young generation is also capped (SEMI_SPACE_MB) and
 * allocation sites are not pretenured (NO_PRETENURING_FLAG).
 */
export type GcMode = 'auto' | 'single-threaded' | 'parallel';

export const GC_MODES: readonly GcMode[] = ['auto', 'single-threaded', 'parallel'];

/** The V8 option that turns the helper threads off. It is read when V8 starts: it cannot be set at run time. */
export const SINGLE_THREADED_GC_FLAG = '--single-threaded-gc';

/**
 * The young generation's size cap (MB per semi-space) that goes with it. V8 sizes the young generation from the heap
 * limit, so on a machine with much memory (24 GB: 64 MB semi-spaces) it grows until every scavenge, done on the main
 * thread, copies tens of MB of surviving objects (those in flight, and young objects that dead pretenured ones still
 * point to: NO_PRETENURING_FLAG): 23-25 scavenges of 10-30 ms each over a 5,000 MeterValues/s run. At 32 MB: about 35 scavenges of mostly under 5 ms.
 * At 16 MB or less, those objects are promoted instead, and the old generation's collections (30-45 ms) come back.
 */
export const SEMI_SPACE_MB = 32;
const SEMI_SPACE_FLAG = '--max-semi-space-size';

/**
 * Allocation-site pretenuring off. V8 watches where objects are allocated, and a site whose objects mostly survive a
 * scavenge is switched to allocate straight into the old generation. On the message path that decision is wrong: a
 * site is seen surviving while a batch waits for its commit (objects alive for a millisecond), and is then pretenured
 * for good. Its objects (a reading's row, its encoded samples' holder) die old, and until the next full collection
 * they keep the young objects they point to alive, so every scavenge copies and promotes them: about 1.4 MB per
 * scavenge at 5,000 MeterValues/s, although a heap snapshot taken meanwhile holds none of them. That doubles the
 * scavenges' pauses, which decide the p99, and makes full collections come every few seconds. Runs fell into that mode
 * or not by chance: 20-s runs at 5,000 MeterValues/s, pinned to one core, promoted about 100 MB in 5 of 8 runs with
 * pretenuring (scavenges 5.5-5.9 ms on average, p99 8.6-10.1 ms) and 23-26 MB in 6 of 6 runs without (scavenges
 * 2.5-3.1 ms, p99 5.4-6.3 ms).
 */
export const NO_PRETENURING_FLAG = '--no-allocation-site-pretenuring';

/**
 * Whether serving processes should collect on their main thread: asked for, or `auto` and fewer than two cores for
 * each process (`cores`: those this process may run on, `os.availableParallelism()`, which heeds its CPU affinity).
 */
export function singleThreadedGc(mode: GcMode, cores: number, processes: number): boolean {
  if (mode !== 'auto') return mode === 'single-threaded';
  return cores / Math.max(1, processes) < 2;
}

/** True when one of `options` sets the V8 option `name` (given with dashes), in either spelling, with or without `no-`. */
function setsOption(options: readonly string[], name: string): boolean {
  const bare = name.replace(/^--(no-)?/, '');
  const spellings = [bare, bare.replaceAll('-', '_')].flatMap((option) => [`--${option}`, `--no-${option}`, `--no_${option}`]);
  return options.some((option) => spellings.some((spelling) => option === spelling || option.startsWith(`${spelling}=`)));
}

/**
 * The node options a serving process should start with, given the options it was started with (and NODE_OPTIONS):
 * with the collection on the main thread, also a capped young generation and no allocation-site pretenuring, unless
 * the operator chose otherwise for either.
 */
export function serveExecArgv(execArgv: readonly string[], singleThreaded: boolean, nodeOptions = ''): string[] {
  if (!singleThreaded) return [...execArgv];
  const wanted = [...execArgv];
  const given = [...execArgv, ...nodeOptions.split(/\s+/)];
  if (!wanted.includes(SINGLE_THREADED_GC_FLAG)) wanted.push(SINGLE_THREADED_GC_FLAG);
  if (!setsOption(given, SEMI_SPACE_FLAG)) wanted.push(`${SEMI_SPACE_FLAG}=${SEMI_SPACE_MB}`);
  if (!setsOption(given, NO_PRETENURING_FLAG)) wanted.push(NO_PRETENURING_FLAG);
  return wanted;
}

/**
 * Replaces this process with the same command plus the options of serveExecArgv (same pid, same environment, same
 * open standard streams), when it needs them and was started without them. Returns only if it does not restart: the
 * options are there already or not wanted, or this Node has no `process.execve` (before 22.15 / 23.11), in which case
 * the caller may say how to pass them by hand.
 */
export function restartWithGcMode(singleThreaded: boolean): 'unchanged' | 'unsupported' {
  const wanted = serveExecArgv(process.execArgv, singleThreaded, process.env.NODE_OPTIONS);
  if (wanted.length === process.execArgv.length) return 'unchanged';
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  if (typeof execve !== 'function') return 'unsupported';
  return execve.call(process, process.execPath, [process.execPath, ...wanted, ...process.argv.slice(1)], process.env);
}
