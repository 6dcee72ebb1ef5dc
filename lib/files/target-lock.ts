// "Lock this project/env, run, release", in one place for every command. Locks nest (DECISIONS.md):
// the top-level command holds the lock and passes its handle down in `held`, so a call made under
// it (the backup behind pre-deploy) reuses that lock instead of waiting on itself. Nothing else is
// shared: two calls in one process that do not pass a handle exclude each other like two runs.
import type { Target } from '../config/select.ts';
import { ensurePrivateDir } from './atomic.ts';
import { acquireLock, type HeldLock, type LockOptions } from './lock.ts';
import { targetDir } from './target-dir.ts';

/** Locks the caller already holds, by directory (HeldLock.dir). */
export type HeldLocks = ReadonlyMap<string, HeldLock>;

export interface TargetLockOptions extends LockOptions {
  held?: HeldLocks;
}

export interface LockedTarget {
  target: Target;
  lock: HeldLock;
}

export interface RefusedTarget {
  target: Target;
  /** A LockedError, or why the directory could not be made. */
  error: Error;
}

export const heldLocks = (locked: LockedTarget[]): HeldLocks => new Map(locked.map((l) => [l.lock.dir, l.lock]));

/** Runs `fn` holding the lock of one project/env; throws LockedError when another run keeps it. */
export async function withTargetLock<T>(target: Target, opts: TargetLockOptions, fn: (lock: HeldLock) => Promise<T>): Promise<T> {
  return withTargetLocks([target], opts, async ({ locked, refused }) => {
    if (refused[0]) throw refused[0].error;
    return fn(locked[0]!.lock);
  });
}

/**
 * Runs `fn` holding the locks of every target it could lock; the others are `refused`, so a run
 * can carry on with the rest. Locks are taken in directory order, so two runs over overlapping
 * selections never wait on each other crosswise. An interrupt while waiting stops everything.
 */
export async function withTargetLocks<T>(
  targets: Target[],
  opts: TargetLockOptions,
  fn: (r: { locked: LockedTarget[]; refused: RefusedTarget[] }) => Promise<T>,
): Promise<T> {
  const dirs = new Map(targets.map((t) => [t, targetDir(t.project, t.env)]));
  const byDir = [...targets].sort((a, b) => (dirs.get(a)! < dirs.get(b)! ? -1 : dirs.get(a)! > dirs.get(b)! ? 1 : 0));
  const locks = new Map<Target, HeldLock>();
  const refused: RefusedTarget[] = [];
  const taken: HeldLock[] = [];
  try {
    for (const target of byDir) {
      const held = opts.held?.get(dirs.get(target)!);
      if (held?.held) {
        locks.set(target, held);
        continue;
      }
      try {
        await ensurePrivateDir(target.project.backupDir, target.project.name, target.env);
        const lock = await acquireLock(dirs.get(target)!, `${target.project.name}/${target.env}`, opts);
        taken.push(lock);
        locks.set(target, lock);
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        refused.push({ target, error: err as Error });
      }
    }
    const locked = targets.filter((t) => locks.has(t)).map((target) => ({ target, lock: locks.get(target)! }));
    refused.sort((a, b) => targets.indexOf(a.target) - targets.indexOf(b.target));
    return await fn({ locked, refused });
  } finally {
    for (const lock of taken.reverse()) await lock.release();
  }
}
