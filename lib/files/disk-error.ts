// A failed write names the file and says what to do: a raw "ENOSPC: no space left on device,
// write" tells an operator at 2 AM neither where nor why. Applied where pgkeep writes its files.
import path from 'node:path';
import { PgkeepError } from '../errors.ts';

/** A write that the filesystem refused (full, read-only, over quota, not permitted). */
export class DiskError extends PgkeepError {
  constructor(message: string, readonly file: string, readonly code: string, hint?: string) {
    super(message, hint);
  }
}

const CAUSES: Record<string, { what: string; fix: (dir: string) => string }> = {
  ENOSPC: { what: 'no space left on device', fix: (d) => `free space there (df -h ${d}) or point backup_dir at a larger disk, then run again` },
  EDQUOT: { what: 'disk quota exceeded', fix: (d) => `free space within the quota of ${d} or raise it, then run again` },
  EROFS: { what: 'the file system is read-only', fix: (d) => `remount ${d} read-write or point backup_dir elsewhere, then run again` },
  EACCES: { what: 'permission denied', fix: (d) => `let the user running pgkeep write to ${d} (ls -ld ${d}), then run again` },
  EPERM: { what: 'operation not permitted', fix: (d) => `let the user running pgkeep write to ${d} (ls -ld ${d}), then run again` },
  EIO: { what: 'an I/O error from the disk', fix: (d) => `check the disk behind ${d} (dmesg), then run again` },
};

/** Turns a filesystem error on `file` into a DiskError; anything else passes through unchanged. */
export function explainDiskError(err: unknown, file: string, doing = 'writing'): unknown {
  if (err instanceof PgkeepError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const cause = code ? CAUSES[code] : undefined;
  if (!code || !cause) return err;
  return new DiskError(`${cause.what} while ${doing} ${file}`, file, code, cause.fix(path.dirname(file)));
}
