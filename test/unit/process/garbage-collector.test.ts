import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, ConfigError } from '../../../src/config.ts';
import { NO_PRETENURING_FLAG, SEMI_SPACE_MB, serveExecArgv, SINGLE_THREADED_GC_FLAG, singleThreadedGc } from '../../../src/garbage-collector.ts';

describe('garbage collector threads of serving processes', () => {
  it('auto: single-threaded when each serving process has fewer than two cores', () => {
    assert.equal(singleThreadedGc('auto', 1, 1), true, 'one process pinned to one core');
    assert.equal(singleThreadedGc('auto', 2, 2), true, 'two workers on two cores');
    assert.equal(singleThreadedGc('auto', 2, 4), true, 'more workers than cores');
    assert.equal(singleThreadedGc('auto', 2, 1), false, 'one process with a spare core for the helpers');
    assert.equal(singleThreadedGc('auto', 8, 2), false, 'two workers on eight cores');
  });

  it('an explicit setting wins over the cores', () => {
    assert.equal(singleThreadedGc('single-threaded', 16, 1), true);
    assert.equal(singleThreadedGc('parallel', 1, 4), false);
  });

  it('adds the V8 options once (main-thread collection, a capped young generation, no pretenuring), keeping the other node options', () => {
    const semi = `--max-semi-space-size=${SEMI_SPACE_MB}`;
    const all = [SINGLE_THREADED_GC_FLAG, semi, NO_PRETENURING_FLAG];
    assert.deepEqual(serveExecArgv(['--inspect=127.0.0.1:0'], true), ['--inspect=127.0.0.1:0', ...all]);
    assert.deepEqual(serveExecArgv(all, true), all, 'already there: no restart');
    assert.deepEqual(serveExecArgv(['--max-old-space-size=512'], false), ['--max-old-space-size=512']);
  });

  it('a young-generation size the operator chose (command line or NODE_OPTIONS) is kept', () => {
    assert.deepEqual(serveExecArgv(['--max-semi-space-size=64'], true), ['--max-semi-space-size=64', SINGLE_THREADED_GC_FLAG, NO_PRETENURING_FLAG]);
    assert.deepEqual(serveExecArgv(['--max_semi_space_size=16'], true), ['--max_semi_space_size=16', SINGLE_THREADED_GC_FLAG, NO_PRETENURING_FLAG]);
    assert.deepEqual(serveExecArgv([], true, '--max-semi-space-size=8 --trace-gc'), [SINGLE_THREADED_GC_FLAG, NO_PRETENURING_FLAG]);
  });

  it('pretenuring the operator turned back on (either spelling) is kept', () => {
    const semi = `--max-semi-space-size=${SEMI_SPACE_MB}`;
    assert.deepEqual(serveExecArgv(['--allocation-site-pretenuring'], true), ['--allocation-site-pretenuring', SINGLE_THREADED_GC_FLAG, semi]);
    assert.deepEqual(serveExecArgv(['--allocation_site_pretenuring'], true), ['--allocation_site_pretenuring', SINGLE_THREADED_GC_FLAG, semi]);
    assert.deepEqual(serveExecArgv(['--no_allocation_site_pretenuring'], true), ['--no_allocation_site_pretenuring', SINGLE_THREADED_GC_FLAG, semi]);
  });

  it('JOULE_GC is auto by default and refuses an unknown value', () => {
    assert.equal(loadConfig({}).gc, 'auto');
    assert.equal(loadConfig({ JOULE_GC: 'parallel' }).gc, 'parallel');
    assert.throws(() => loadConfig({ JOULE_GC: 'fast' }), ConfigError);
  });
});
