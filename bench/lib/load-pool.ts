import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { OpenCommand, OpenedEvent, LoadResult, RateCommand, SaturateCommand, WorkerCommand, WorkerEvent } from '../load/protocol.ts';
import { spawnNode } from './proc.ts';

const WORKER = fileURLToPath(new URL('../load/worker.ts', import.meta.url));

/** One load-generator process and its one outstanding command. */
class LoadProcess {
  readonly child: ChildProcess;
  private waiter: { resolve: (e: WorkerEvent) => void; reject: (e: Error) => void } | undefined;
  private exited = false;
  private readonly ready: Promise<WorkerEvent>;

  constructor(cpus: string | undefined) {
    this.child = spawnNode([WORKER], cpus, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
    this.ready = this.next();
    this.child.on('message', (event: WorkerEvent) => {
      const waiter = this.waiter;
      this.waiter = undefined;
      if (!waiter) return;
      if (event.evt === 'error') waiter.reject(new Error(`load process: ${event.message}`));
      else waiter.resolve(event);
    });
    this.child.once('exit', (code, signal) => {
      this.exited = true;
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter?.reject(new Error(`load process exited (${signal ?? code})`));
    });
  }

  async whenReady(): Promise<void> {
    await this.ready;
  }

  private next(): Promise<WorkerEvent> {
    return new Promise((resolve, reject) => {
      if (this.exited) {
        reject(new Error('load process is gone'));
        return;
      }
      this.waiter = { resolve, reject };
    });
  }

  request<E extends WorkerEvent>(cmd: WorkerCommand): Promise<E> {
    const answer = this.next() as Promise<E>;
    this.child.send(cmd);
    return answer;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 8000);
    try {
      await this.request({ cmd: 'close' });
    } catch {
      // exited already
    }
    if (!this.exited) await gone;
    clearTimeout(killer);
  }
}

/** Several load processes driven together; `open` splits the stations between them. */
export class LoadPool {
  private readonly processes: LoadProcess[];

  private constructor(processes: LoadProcess[]) {
    this.processes = processes;
  }

  static async start(count: number, cpus: string | undefined): Promise<LoadPool> {
    const processes = Array.from({ length: count }, () => new LoadProcess(cpus));
    await Promise.all(processes.map((p) => p.whenReady()));
    return new LoadPool(processes);
  }

  get size(): number {
    return this.processes.length;
  }

  get pids(): number[] {
    return this.processes.map((p) => p.child.pid ?? -1);
  }

  /**
   * Opens `total` stations split evenly; `urls[i % urls.length]` for process i (several loopback addresses give each
   * process its own ephemeral port range).
   */
  open(urls: string[], prefix: string, total: number, rest: Omit<OpenCommand, 'cmd' | 'url' | 'prefix' | 'count'>): Promise<OpenedEvent[]> {
    const n = this.processes.length;
    return Promise.all(
      this.processes.map((p, i) => {
        const count = Math.floor(total / n) + (i < total % n ? 1 : 0);
        return p.request<OpenedEvent>({ cmd: 'open', url: urls[i % urls.length]!, prefix: `${prefix}p${i}s`, count, ...rest });
      }),
    );
  }

  saturate(cmd: Omit<SaturateCommand, 'cmd'>): Promise<LoadResult[]> {
    return Promise.all(this.processes.map((p) => p.request<LoadResult>({ cmd: 'saturate', ...cmd })));
  }

  /** `rate` is the total over all processes. */
  rate(cmd: Omit<RateCommand, 'cmd'>): Promise<LoadResult[]> {
    const share = cmd.rate / this.processes.length;
    return Promise.all(this.processes.map((p) => p.request<LoadResult>({ cmd: 'rate', ...cmd, rate: share })));
  }

  async close(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.close()));
  }
}
