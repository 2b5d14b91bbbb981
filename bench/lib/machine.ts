import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, release, tmpdir } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  ramGb: number;
  node: string;
  kernel: string;
  date: string;
  /** File system of the temp directory that holds Joule's database. */
  dataFs: string;
  openFileLimit: string;
  /**
   * How `ws` masks and unmasks frames, for every target and the load generator alike: natively with the optional
   * `bufferutil` (and its version), or with its JavaScript loop. Absent in reports from before it was recorded.
   */
  wsMasking?: string;
}

function wsMasking(): string {
  const require = createRequire(import.meta.url);
  try {
    require('bufferutil');
    const { version } = require('bufferutil/package.json') as { version: string };
    return `native (bufferutil ${version})`;
  } catch {
    return 'JavaScript (bufferutil not installed)';
  }
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return m?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function ramGb(): number {
  try {
    const m = /^MemTotal:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    return m ? Number(m[1]) / 1024 / 1024 : 0;
  } catch {
    return 0;
  }
}

function sh(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', timeout: 5000 }).trim();
  } catch {
    return 'unknown';
  }
}

/** The Joule code measured: the commit, and whether src/ or bin/ had uncommitted changes (read-only git calls). */
export function jouleRevision(root: string): string {
  try {
    const head = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--', 'src', 'bin', 'package.json'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head} + uncommitted changes in src/, bin/ or package.json` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export function machineInfo(): MachineInfo {
  const df = sh('df', ['-T', tmpdir()]).split('\n')[1]?.split(/\s+/);
  return {
    cpuModel: cpuModel(),
    cores: cpus().length,
    ramGb: ramGb(),
    node: process.version,
    kernel: release(),
    date: new Date().toISOString(),
    dataFs: df ? `${df[1]} (${tmpdir()})` : 'unknown',
    openFileLimit: sh('sh', ['-c', 'ulimit -n']),
    wsMasking: wsMasking(),
  };
}
