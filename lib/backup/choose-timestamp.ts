// One UTC timestamp per run. If any database of the set already has a file for that second (two
// runs in one second), take the next free second: never overwrite. It is chosen while the run
// holds the lock of every directory it writes to (the handles are the proof), so a run that waited
// for another sees that run's files.
import fs from 'node:fs/promises';
import type { HeldLock } from '../files/lock.ts';
import { formatTimestamp } from '../names.ts';

export async function chooseTimestamp(locks: readonly HeldLock[], now: Date): Promise<string> {
  const released = locks.find((l) => !l.held);
  if (released) throw new Error(`chooseTimestamp: the lock on ${released.what} is no longer held`);
  for (let offset = 0; ; offset++) {
    const ts = formatTimestamp(new Date(now.getTime() + offset * 1000));
    if (!(await anyTaken(locks, ts))) return ts;
  }
}

async function anyTaken(locks: readonly HeldLock[], ts: string): Promise<boolean> {
  for (const { dir } of locks) {
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    if (names.some((n) => n.includes(`_${ts}.`))) return true;
  }
  return false;
}
