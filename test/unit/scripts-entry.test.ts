// Every script runs by its path from any directory (cron, deploy hooks), finds its own tsx, and
// stays executable. No engine is needed: --help exits before anything is touched.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const scripts = execFileSync('git', ['ls-files', '-s', 'scripts'], { cwd: root, encoding: 'utf8' })
  .trim()
  .split('\n')
  .map((l) => l.split(/\s+/))
  .filter((f) => f[3]!.endsWith('.ts'));

test('every scripts/*.ts is committed executable (mode 100755)', () => {
  assert.ok(scripts.length >= 10);
  for (const [mode, , , file] of scripts) assert.equal(mode, '100755', file);
});

test('every script runs by absolute path from another directory, without a stack trace', async () => {
  const cwd = os.tmpdir();
  await Promise.all(
    scripts.map(async ([, , , file]) => {
      const r = await promisify(execFile)(path.join(root, file!), ['--help'], { cwd, env: { ...process.env, NODE_OPTIONS: '' } }).catch((e: { code: number; stdout: string; stderr: string }) => e);
      assert.equal((r as { code?: number }).code ?? 0, 0, `${file}: ${r.stderr}`);
      assert.match(r.stdout, /^Usage: /, file);
      assert.doesNotMatch(r.stderr, /ERR_MODULE_NOT_FOUND|^\s+at /m, file);
    }),
  );
});
