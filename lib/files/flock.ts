// flock(2) through util-linux's flock(1). Node has no binding for flock, and a native addon would
// need a compiler on every server; flock(1) is part of util-linux, which every Debian has. It locks
// a descriptor number it inherits from us: the lock belongs to the open file description we share,
// so it stays held after flock(1) exits, until our descriptor is closed. The kernel closes it when
// we die, however we die: a lock never outlives its holder.
import { spawn } from 'node:child_process';
import { PgkeepError } from '../errors.ts';

/** flock(1)'s exit code, chosen by us, for "another holder keeps it" (EX_TEMPFAIL). */
const BUSY = 75;

/**
 * Locks the open file `fd` exclusively. Resolves true once held, false when another holder keeps it
 * past `waitSeconds` (0: not at all). Rejects with the signal's reason when aborted; the caller
 * closes `fd` then, which drops a lock flock(1) may have taken in the same instant.
 */
export function flockFd(fd: number, waitSeconds: number, signal?: AbortSignal): Promise<boolean> {
  const wait = waitSeconds > 0 ? ['--wait', waitSeconds.toFixed(3)] : ['--nonblock'];
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['--exclusive', ...wait, '--conflict-exit-code', String(BUSY), '3'], { stdio: ['ignore', 'ignore', 'pipe', fd], signal });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (signal?.aborted) return reject(signal.reason);
      if (err.code === 'ENOENT') return reject(new PgkeepError('pgkeep locks its backup directories with flock(1), which is not installed', 'install util-linux (Debian: apt-get install util-linux)'));
      reject(err);
    });
    child.on('close', (code) => {
      if (signal?.aborted) return reject(signal.reason);
      if (code === 0) return resolve(true);
      if (code === BUSY) return resolve(false);
      reject(new PgkeepError(`flock(1) could not lock: ${stderr.trim() || `exit code ${code}`}`));
    });
  });
}
