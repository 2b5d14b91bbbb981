import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TEST_TOKEN, apiCall } from './test-server.ts';

const CLI = fileURLToPath(new URL('../../../bin/joule.js', import.meta.url));

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

/** The pids of a process's children (a `--workers` primary's workers), none if it has none. */
export function childPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Joule as a separate process (`joule serve`), as a user runs it: can be killed hard and started again. */
export class ServerProcess {
  readonly port: number;
  readonly dataDir: string;
  private child: ChildProcess | undefined;
  output = '';

  constructor(port: number, dataDir: string) {
    this.port = port;
    this.dataDir = dataDir;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/ocpp`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Starts `joule serve` (one process unless `args` asks for workers) and waits until it answers; `cpus` pins it to
   * those cores (`taskset -c`, which then runs node in its own place: same pid).
   */
  async start(env: Record<string, string> = {}, args: string[] = ['--workers', '1'], cpus?: string): Promise<void> {
    this.output = '';
    const command = [process.execPath, CLI, 'serve', ...args];
    if (cpus !== undefined) command.unshift('taskset', '-c', cpus);
    this.child = spawn(command[0]!, command.slice(1), {
      detached: true,
      env: { ...process.env, JOULE_PORT: String(this.port), JOULE_HOST: '127.0.0.1', JOULE_DATA_DIR: this.dataDir, JOULE_API_TOKEN: TEST_TOKEN, JOULE_LOG_LEVEL: 'warn', JOULE_ALLOW_UNSECURED: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d) => { this.output += d; });
    this.child.stderr!.on('data', (d) => { this.output += d; });
    // Generous: several processes pinned to one core of a slow machine start one after another (about 7 s seen).
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`server exited: ${this.output}`);
      try {
        const res = await fetch(`${this.url}/health`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`server did not start: ${this.output}`);
  }

  /** SIGKILL to the whole process group (primary and workers): no shutdown hooks, no flush. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid, 'SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  api(method: string, path: string, body?: unknown) {
    return apiCall(this.url, method, path, body, TEST_TOKEN);
  }
}
