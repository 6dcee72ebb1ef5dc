// mkdir -p that says why it failed. Node's recursive mkdir reports ENOENT for a parent on a
// read-only file system (or one it may not write), which hides the cause; this finds it.
import fs from 'node:fs/promises';
import path from 'node:path';
import { PgkeepError } from '../errors.ts';

export async function makeDir(dir: string, mode: number): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode });
  } catch (err) {
    throw await explainMkdir(dir, mode, err as NodeJS.ErrnoException);
  }
}

async function explainMkdir(dir: string, mode: number, err: NodeJS.ErrnoException): Promise<PgkeepError> {
  // The first missing component, created on its own, gives the real error (EROFS, EACCES, ENOTDIR, ENOSPC).
  let missing = path.resolve(dir);
  while (path.dirname(missing) !== missing && !(await exists(path.dirname(missing)))) missing = path.dirname(missing);
  const parent = path.dirname(missing);
  const real = await fs.mkdir(missing, { mode }).then(
    () => err,
    (e: NodeJS.ErrnoException) => e,
  );
  const why: Record<string, string> = {
    EROFS: `${parent} is on a read-only file system`,
    EACCES: `${parent} is not writable by this user`,
    EPERM: `${parent} is not writable by this user`,
    ENOTDIR: `a part of that path is a file, not a directory`,
    ENOSPC: `the file system holding ${parent} is full`,
  };
  return new PgkeepError(
    `cannot create the directory ${dir}: ${why[real.code ?? ''] ?? `${real.code ?? ''} ${real.message}`.trim()}`,
    'set backup_dir in projects.yml to a directory this user can write, or fix the file system or permissions there',
  );
}

const exists = (p: string) => fs.stat(p).then(() => true, () => false);
