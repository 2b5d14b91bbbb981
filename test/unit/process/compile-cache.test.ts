import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const JOULE = fileURLToPath(new URL('../../../bin/joule.js', import.meta.url));

/**
 * Runs `joule help` with this environment (and Node's compile-cache log on stderr); returns how many files the cache
 * directory holds afterwards and that log.
 */
function runHelp(env: Record<string, string>, cacheDir: string): { files: number; log: string } {
  const { NODE_COMPILE_CACHE: _inherited, NODE_DISABLE_COMPILE_CACHE: _off, ...base } = process.env;
  const result = spawnSync(process.execPath, [JOULE, 'help'], {
    env: { ...base, ...env, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' },
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /Usage: joule/);
  const files = existsSync(cacheDir)
    ? readdirSync(cacheDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length
    : 0;
  return { files, log: result.stderr };
}

const CLI_FROM_CACHE = /transpile cache for StrippedTypeScript file:\/\/\S*\/src\/cli\.ts\.*success/;

describe('joule keeps its type-stripped sources in Node\'s compile cache', () => {
  it('writes the cache in the temp directory without being asked, and starts from it the next time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'joule-compile-cache-'));
    const cache = join(dir, 'node-compile-cache');
    try {
      const first = runHelp({ TMPDIR: dir }, cache);
      assert.ok(first.files > 10, `expected cached modules, found ${first.files} files`);
      assert.doesNotMatch(first.log, CLI_FROM_CACHE);
      const second = runHelp({ TMPDIR: dir }, cache);
      assert.match(second.log, CLI_FROM_CACHE, 'the second start takes the stripped sources from the cache');
      assert.equal(second.files, first.files, 'and adds nothing to it');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes it where NODE_COMPILE_CACHE says, and not at all with NODE_DISABLE_COMPILE_CACHE=1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'joule-compile-cache-'));
    try {
      assert.equal(runHelp({ TMPDIR: dir, NODE_COMPILE_CACHE: join(dir, 'elsewhere'), NODE_DISABLE_COMPILE_CACHE: '1' }, dir).files, 0);
      assert.ok(runHelp({ TMPDIR: dir, NODE_COMPILE_CACHE: join(dir, 'elsewhere') }, join(dir, 'elsewhere')).files > 10);
      assert.equal(existsSync(join(dir, 'node-compile-cache')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
