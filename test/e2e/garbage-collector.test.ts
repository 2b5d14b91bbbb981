import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_PRETENURING_FLAG, SEMI_SPACE_MB, SINGLE_THREADED_GC_FLAG } from '../../src/garbage-collector.ts';
import { childPids, freePort, ServerProcess } from './support/server-process.ts';
import { eventually } from './support/test-server.ts';

/** The command line a process runs now (after any exec). */
function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

async function withServer(run: (server: ServerProcess) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'joule-gc-'));
  const server = new ServerProcess(await freePort(), dataDir);
  try {
    await run(server);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('joule serve: garbage collection on the main thread where a process has one core', () => {
  it('a single process pinned to one core restarts itself with --single-threaded-gc, a capped young generation and no pretenuring (same pid) and serves', async () => {
    await withServer(async (server) => {
      await server.start({ JOULE_LOG_LEVEL: 'info' }, ['--workers', '1'], '0');
      assert.ok(commandLine(server.pid!).includes(SINGLE_THREADED_GC_FLAG), commandLine(server.pid!).join(' '));
      assert.ok(commandLine(server.pid!).includes(`--max-semi-space-size=${SEMI_SPACE_MB}`), commandLine(server.pid!).join(' '));
      assert.ok(commandLine(server.pid!).includes(NO_PRETENURING_FLAG), commandLine(server.pid!).join(' '));
      const res = await server.api('GET', '/api/v1/stations');
      assert.equal(res.status, 200);
      assert.match(server.output, /"gc":"single-threaded"/);
    });
  });

  it('JOULE_GC=parallel keeps V8\'s helper threads even on one core', async () => {
    await withServer(async (server) => {
      await server.start({ JOULE_LOG_LEVEL: 'info', JOULE_GC: 'parallel' }, ['--workers', '1'], '0');
      assert.ok(!commandLine(server.pid!).includes(SINGLE_THREADED_GC_FLAG));
      assert.match(server.output, /"gc":"parallel"/);
    });
  });

  it('workers that share the cores start with --single-threaded-gc; the primary does not need it', async () => {
    await withServer(async (server) => {
      await server.start({}, ['--workers', '2'], '0');
      const workers = await eventually(() => {
        const pids = childPids(server.pid!);
        return pids.length === 2 ? pids : undefined;
      }, 10_000, 'two workers');
      for (const pid of workers) {
        assert.ok(commandLine(pid).includes(SINGLE_THREADED_GC_FLAG), commandLine(pid).join(' '));
        assert.ok(commandLine(pid).includes(NO_PRETENURING_FLAG), commandLine(pid).join(' '));
      }
      assert.ok(!commandLine(server.pid!).includes(SINGLE_THREADED_GC_FLAG));
    });
  });
});
