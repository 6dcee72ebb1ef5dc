// The project/env lock with real processes and real files: exclusive at every moment, taken over
// without a race when its holder died, per call rather than per process, and 0600.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LockedError } from '../../lib/errors.ts';
import { acquireLock, LOCK_FILE } from '../../lib/files/lock.ts';
import { REPO } from '../support/run-script.ts';
import { tempDir } from '../support/tempdir.ts';

interface Contender {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  next(): Promise<string>;
}

function contender(dir: string, holdMs: number): Contender {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'test/support/lock-contender.ts'), dir, String(holdMs)], { cwd: REPO });
  const lines: string[] = [];
  let waiter: (() => void) | undefined;
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    waiter?.();
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<never>((_, reject) => child.on('exit', (code) => reject(new Error(`contender ${child.pid} exited ${code}: ${lines.join(' | ')} ${stderr}`))));
  exited.catch(() => undefined);
  let read = 0;
  const next = async () => {
    while (read >= lines.length) await Promise.race([new Promise<void>((r) => (waiter = r)), exited]);
    return lines[read++]!;
  };
  return { child, lines, next };
}

/** The PID of a process that has certainly exited. */
async function deadPid(): Promise<number> {
  const c = spawn('true');
  await new Promise((r) => c.on('exit', r));
  return c.pid!;
}

const staleHolder = async (pid: number) =>
  JSON.stringify({ pid, host: os.hostname(), started_at: '2026-01-01T00:00:00.000Z', command: 'scripts/backup.ts (crashed)' }) + '\n';

describe('the project/env lock', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  before(async () => (tmp = await tempDir('pgkeep-lock-')));
  after(async () => tmp?.cleanup());

  it('processes racing for a lock whose holder is dead hold it one at a time, none removing another\'s', async () => {
    const dir = path.join(tmp.dir, 'race');
    await fs.mkdir(dir);
    const all = Array.from({ length: 6 }, () => contender(dir, 15));
    try {
      for (const c of all) assert.equal(await c.next(), 'ready');
      for (let round = 0; round < 8; round++) {
        // Every round starts from a lock left by a holder that died, so all six see it at once.
        await fs.writeFile(path.join(dir, LOCK_FILE), await staleHolder(await deadPid()));
        for (const c of all) c.child.stdin.write('go\n');
        for (const c of all) assert.equal(await c.next(), 'done', `round ${round}`);
      }
    } finally {
      for (const c of all) c.child.kill('SIGKILL');
    }
  });

  it('a holder killed with SIGKILL releases the lock at once, and the next one says it took over', async () => {
    const dir = path.join(tmp.dir, 'killed');
    await fs.mkdir(dir);
    const holder = contender(dir, 600_000);
    try {
      assert.equal(await holder.next(), 'ready');
      holder.child.stdin.write('go\n');
      const deadline = Date.now() + 20_000;
      while (!(await fs.readFile(path.join(dir, LOCK_FILE), 'utf8').catch(() => '')).includes(`"pid":${holder.child.pid}`)) {
        assert.ok(Date.now() < deadline, 'the holder took the lock');
        await new Promise((r) => setTimeout(r, 50));
      }
      await assert.rejects(acquireLock(dir, 'test'), LockedError);
      holder.child.kill('SIGKILL');
      const warnings: string[] = [];
      const log = { warn: (m: string) => warnings.push(m), info: () => undefined } as never;
      const lock = await acquireLock(dir, 'test', { waitSeconds: 10, log });
      await lock.release();
      assert.match(warnings.join('\n'), new RegExp(`taking over a stale lock on test: its holder \\(PID ${holder.child.pid}, `));
    } finally {
      holder.child.kill('SIGKILL');
    }
  });

  it('is per call: a second acquisition in the same process waits like any other', async () => {
    const dir = path.join(tmp.dir, 'per-call');
    const first = await acquireLock(dir, 'test');
    try {
      const err = await acquireLock(dir, 'test').then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof LockedError, `a second acquisition is refused, got ${String(err)}`);
      assert.match(err.message, new RegExp(`test is locked by another pgkeep run: PID ${process.pid} on ${os.hostname()}, started \\S+, running "`));
      const waited = acquireLock(dir, 'test', { waitSeconds: 10 });
      await new Promise((r) => setTimeout(r, 300));
      await first.release();
      await (await waited).release();
    } finally {
      await first.release();
    }
  });

  it('writes its holder to a 0600 file whatever the umask, and removes it on release', async () => {
    const dir = path.join(tmp.dir, 'mode');
    const old = process.umask(0);
    try {
      const lock = await acquireLock(dir, 'test');
      const file = path.join(dir, LOCK_FILE);
      assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
      const holder = JSON.parse(await fs.readFile(file, 'utf8'));
      assert.deepEqual(Object.keys(holder).sort(), ['command', 'host', 'pid', 'started_at']);
      assert.equal(holder.pid, process.pid);
      await lock.release();
      await assert.rejects(fs.access(file));
    } finally {
      process.umask(old);
    }
  });

  it('stops waiting when the run is interrupted', async () => {
    const dir = path.join(tmp.dir, 'abort');
    const first = await acquireLock(dir, 'test');
    try {
      const ac = new AbortController();
      const started = Date.now();
      setTimeout(() => ac.abort(new Error('interrupted')), 300);
      await assert.rejects(acquireLock(dir, 'test', { waitSeconds: 60, signal: ac.signal }), /interrupted/);
      assert.ok(Date.now() - started < 5000);
    } finally {
      await first.release();
    }
  });
});
