// One lock per project/env: backup, restore, verify and prune all take it, so overlapping runs
// cannot collide. Locks nest: a call made under a lock this process already holds (restore's
// safety backup, the backup behind pre-deploy) reuses it instead of waiting on itself.
import fs from 'node:fs/promises';
import { unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LockedError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { makeDir } from './make-dir.ts';

export const LOCK_FILE = '.pgkeep.lock';

export interface LockHolder {
  pid: number;
  host: string;
  started_at: string;
  command: string;
}

const held = new Map<string, number>();
process.on('exit', () => {
  // Last resort for paths that never reached their finally (process.exit from the boundary).
  for (const file of held.keys()) {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  }
});

export interface LockOptions {
  /** How long to wait for another holder, in seconds; 0 fails at once. */
  waitSeconds?: number;
  log?: Logger;
  signal?: AbortSignal;
}

/** Takes the lock in `dir` and returns its release; throws LockedError when another run keeps it. */
export async function acquireLock(dir: string, what: string, opts: LockOptions = {}): Promise<() => Promise<void>> {
  const file = path.join(dir, LOCK_FILE);
  const depth = held.get(file);
  if (depth !== undefined) {
    held.set(file, depth + 1);
    return async () => void held.set(file, held.get(file)! - 1);
  }
  await makeDir(dir, 0o700);
  const deadline = Date.now() + (opts.waitSeconds ?? 0) * 1000;
  let announced = false;
  for (;;) {
    if (await tryCreate(file)) break;
    const holder = await readHolder(file);
    if (holder && isStale(holder)) {
      opts.log?.warn(`taking over a stale lock on ${what}: its holder (PID ${holder.pid}, ${holder.command}, since ${holder.started_at}) is gone`);
      await fs.rm(file, { force: true });
      continue;
    }
    if (Date.now() >= deadline || opts.signal?.aborted) throw lockedError(what, file, holder);
    if (!announced) opts.log?.info(`waiting for the lock on ${what}, held by ${describe(holder)}`);
    announced = true;
    await new Promise((r) => setTimeout(r, 250));
  }
  held.set(file, 1);
  return async () => {
    const n = held.get(file)!;
    if (n > 1) return void held.set(file, n - 1);
    held.delete(file);
    await fs.rm(file, { force: true });
  };
}

async function tryCreate(file: string): Promise<boolean> {
  const holder: LockHolder = { pid: process.pid, host: os.hostname(), started_at: new Date().toISOString(), command: commandLine() };
  try {
    await fs.writeFile(file, JSON.stringify(holder) + '\n', { flag: 'wx', mode: 0o600 });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as LockHolder;
  } catch {
    return undefined; // being written or removed right now: try again
  }
}

/** Stale only when we can tell: same host and the PID is gone. */
export function isStale(h: LockHolder): boolean {
  if (h.host !== os.hostname()) return false;
  try {
    process.kill(h.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function lockedError(what: string, file: string, h: LockHolder | undefined): LockedError {
  return new LockedError(
    `${what} is locked by another pgkeep run: ${describe(h)}`,
    `wait for it to finish, or pass --lock-wait SECONDS; if no such run exists, remove ${file}`,
  );
}

function describe(h: LockHolder | undefined): string {
  return h ? `PID ${h.pid} on ${h.host}, started ${h.started_at}, running "${h.command}"` : 'an unknown holder';
}

function commandLine(): string {
  return process.argv.slice(1).map((a) => path.basename(a) === a ? a : path.relative(process.cwd(), a) || a).join(' ');
}
