// A backup directory that other users can write to lets them replace or delete backups (and plant
// a `latest` link): pgkeep keeps its own subdirectories private, but it warns about the root,
// which the operator chose and which pgkeep does not chmod.
import fs from 'node:fs/promises';
import type { Logger } from '../log.ts';

const warned = new Set<string>();

/** Warns once per process when `dir` is group- or world-writable; a missing dir is not a problem. */
export async function warnIfOthersCanWrite(dir: string, log: Logger): Promise<void> {
  if (warned.has(dir)) return;
  const st = await fs.stat(dir).catch(() => undefined);
  if (!st || (st.mode & 0o022) === 0) return;
  warned.add(dir);
  const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
  log.warn(`backup_dir ${dir} can be written by other users (mode ${mode}): they could delete or replace backups; make it private with: chmod go-w ${dir}`);
}
