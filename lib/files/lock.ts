// One lock per project/env: backup, restore, verify and prune all take it, so overlapping runs
// cannot collide. It is flock(2) on `.pgkeep.lock` (see flock.ts), so the kernel releases it when
// its holder exits, however it exits: there is no stale lock to take over, and so no race between
// two takers. A PID file taken over with "delete it if its PID is gone, then create mine" cannot be
// made atomic: two waiters that both saw the dead PID delete each other's new file. proper-lockfile
// has the same window (it removes a stale lock, then creates its own), and adds a lock that goes
// stale while its holder is merely slow.
//
// The file names its holder (PID, host, start, command) for the "locked by" message. Its holder
// unlinks it before releasing, so the directory is clean after a run; a waiter that then gets the
// lock of the unlinked file sees that the name now points elsewhere, and tries again.
//
// A lock is per call: a second acquisition in the same process waits like any other (flock locks
// belong to the open file, not the process). Calls made under a lock get its handle passed down.
import { constants, fstatSync, lstatSync, unlinkSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LockedError, PgkeepError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { flockFd } from './flock.ts';
import { makeDir } from './make-dir.ts';

export const LOCK_FILE = '.pgkeep.lock';
const LOCK_MODE = 0o600;

export interface LockHolder {
  pid: number;
  host: string;
  started_at: string;
  command: string;
}

export interface LockOptions {
  /** How long to wait for another holder, in seconds; 0 fails at once. */
  waitSeconds?: number;
  log?: Pick<Logger, 'info' | 'warn'>;
  signal?: AbortSignal;
}

/** A lock this call holds: the proof, passed down, that work on `dir` runs under it. */
export interface HeldLock {
  /** The project/env directory the lock guards. */
  readonly dir: string;
  /** "project/env", for messages. */
  readonly what: string;
  readonly held: boolean;
  /** Releases the lock; a second call does nothing. */
  release(): Promise<void>;
}

// Our held locks, for a process that exits without reaching their release (process.exit from the
// boundary): the kernel drops the lock itself, this only removes our file.
const open = new Set<{ file: string; fd: number }>();
process.on('exit', () => {
  for (const o of open) {
    try {
      if (sameFile(fstatSync(o.fd), lstatSync(o.file))) unlinkSync(o.file);
    } catch {
      // already gone
    }
  }
});

/** Takes the lock of `dir`; throws LockedError when another run keeps it past `waitSeconds`. */
export async function acquireLock(dir: string, what: string, opts: LockOptions = {}): Promise<HeldLock> {
  const file = path.join(dir, LOCK_FILE);
  await makeDir(dir, 0o700);
  const deadline = Date.now() + (opts.waitSeconds ?? 0) * 1000;
  let announced = false;
  for (;;) {
    opts.signal?.throwIfAborted();
    const handle = await openLockFile(file);
    try {
      let got = await flockFd(handle.fd, 0, opts.signal);
      if (!got) {
        const left = (deadline - Date.now()) / 1000;
        if (left <= 0) throw lockedError(what, await readHolder(file));
        if (!announced) opts.log?.info(`waiting for the lock on ${what}, held by ${describe(await readHolder(file))}`);
        announced = true;
        got = await flockFd(handle.fd, left, opts.signal);
        if (!got) throw lockedError(what, await readHolder(file));
      }
      if (sameFile(await handle.stat(), await fs.lstat(file).catch(() => undefined))) return await take(handle, file, dir, what, opts.log);
    } catch (err) {
      await handle.close();
      throw err;
    }
    await handle.close(); // its holder unlinked it while we waited: lock the file there now
  }
}

async function openLockFile(file: string): Promise<fs.FileHandle> {
  try {
    // No O_TRUNC: the file may be someone else's, held. No symlinks: we write to it once we hold it.
    return await fs.open(file, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, LOCK_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new PgkeepError(`${file} is a symbolic link, not pgkeep's lock file`, `remove it: rm ${file}`);
    throw err;
  }
}

/** We hold the lock of the file named `file`: record ourselves in it. */
async function take(handle: fs.FileHandle, file: string, dir: string, what: string, log: LockOptions['log']): Promise<HeldLock> {
  const previous = parseHolder(await handle.readFile('utf8'));
  if (previous) log?.warn(`taking over a stale lock on ${what}: its holder (PID ${previous.pid}, ${previous.command}, since ${previous.started_at}) is gone`);
  const me: LockHolder = { pid: process.pid, host: os.hostname(), started_at: new Date().toISOString(), command: commandLine() };
  await handle.chmod(LOCK_MODE);
  await handle.truncate(0);
  await handle.write(JSON.stringify(me) + '\n', 0);
  await handle.sync();
  const entry = { file, fd: handle.fd };
  open.add(entry);
  let held = true;
  return {
    dir,
    what,
    get held() {
      return held;
    },
    async release() {
      if (!held) return;
      held = false;
      open.delete(entry);
      try {
        // Unlinked before it is unlocked, so the next holder never finds our name on its file.
        if (sameFile(await handle.stat(), await fs.lstat(file).catch(() => undefined))) await fs.unlink(file);
      } finally {
        await handle.close();
      }
    },
  };
}

function sameFile(a: { dev: number; ino: number }, b: { dev: number; ino: number } | undefined): boolean {
  return b !== undefined && a.dev === b.dev && a.ino === b.ino;
}

/** The holder named in `file`. Its holder writes it right after locking, so an empty file is read again shortly. */
async function readHolder(file: string): Promise<LockHolder | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    const holder = parseHolder(text);
    if (holder) return holder;
    await new Promise((r) => setTimeout(r, 40));
  }
  return undefined;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text) as LockHolder;
    return typeof h?.pid === 'number' ? h : undefined;
  } catch {
    return undefined;
  }
}

function lockedError(what: string, h: LockHolder | undefined): LockedError {
  return new LockedError(`${what} is locked by another pgkeep run: ${describe(h)}`, 'wait for it to finish, or pass --lock-wait SECONDS');
}

function describe(h: LockHolder | undefined): string {
  return h ? `PID ${h.pid} on ${h.host}, started ${h.started_at}, running "${h.command}"` : 'an unknown holder';
}

function commandLine(): string {
  return process.argv.slice(1).map((a) => path.basename(a) === a ? a : path.relative(process.cwd(), a) || a).join(' ');
}
