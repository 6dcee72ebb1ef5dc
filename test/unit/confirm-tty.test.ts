// The "type yes" prompt under a real terminal (util-linux `script` gives the child a pty): Ctrl-C
// is an interruption (130) like everywhere else, Ctrl-D (end of input) and "no" are a refusal (2),
// "yes" goes on. Runs the real prompt and the real error boundary; no engine is needed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function driver(dir: string): string {
  const file = path.join(dir, 'prompt.mts');
  fs.writeFileSync(
    file,
    `import { runCommand } from ${JSON.stringify(path.join(root, 'lib/cli/boundary.ts'))};
import { confirmRestore } from ${JSON.stringify(path.join(root, 'lib/restore/confirm.ts'))};
await runCommand({ help: '' }, async (_args, { log, signal }) => {
  await confirmRestore('About to restore.', false, log.info, signal);
  process.stdout.write('CONFIRMED\\n');
});
`,
  );
  return file;
}

/** Runs the prompt on a pty, types `keys` once the prompt is shown, and returns the exit code and output. */
function answer(keys: string): Promise<{ code: number; out: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgkeep-confirm-'));
  const file = driver(dir);
  const cmd = `node --import tsx ${file}; echo "EXIT=$?"`;
  const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let typed = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit within 30 s; output so far: ${out}`));
    }, 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!typed && out.includes('Type yes to continue: ')) {
        typed = true;
        child.stdin.write(keys);
      }
      const m = /EXIT=(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdin.end();
        fs.rmSync(dir, { recursive: true, force: true });
        resolve({ code: Number(m[1]), out });
      }
    });
    child.on('error', reject);
  });
}

test('Ctrl-C at the "type yes" prompt exits 130 without a stack', async () => {
  const r = await answer('\x03');
  assert.equal(r.code, 130, r.out);
  assert.doesNotMatch(r.out, /CONFIRMED|^\s+at /m);
});

test('Ctrl-D at the "type yes" prompt exits 2 and says the restore was cancelled', async () => {
  const r = await answer('\x04');
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /restore cancelled/);
  assert.doesNotMatch(r.out, /CONFIRMED|^\s+at /m);
});

test('typing "no" at the prompt exits 2; "yes" goes on', async () => {
  const no = await answer('no\r');
  assert.equal(no.code, 2, no.out);
  assert.match(no.out, /the answer was not "yes"/);
  const yes = await answer('yes\r');
  assert.equal(yes.code, 0, yes.out);
  assert.match(yes.out, /CONFIRMED/);
});
