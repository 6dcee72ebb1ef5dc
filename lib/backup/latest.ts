// `<db>_latest<ext>` is a relative symlink holding the bare file name, swapped atomically after a
// fully good backup. The manifests alone also tell which backup is latest (latestOf), so a
// filesystem without symlinks loses only the convenience.
import path from 'node:path';
import { swapSymlink } from '../files/atomic.ts';
import { latestLinkName, parseBackupFileName } from '../names.ts';
import type { StoredBackup } from './manifest.ts';

export async function updateLatest(file: { path: string; database: string }): Promise<void> {
  const name = path.basename(file.path);
  const parsed = parseBackupFileName(name);
  if (!parsed) return;
  const link = path.join(path.dirname(file.path), latestLinkName(file.database, parsed.ext));
  try {
    await swapSymlink(link, name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    // No symlinks here (some network filesystems): the manifests still say which one is latest.
  }
}

/** The newest backup taken for keeping; a pre-restore safety backup never becomes latest. */
export function latestOf<T extends Pick<StoredBackup, 'path'> & { manifest: Pick<StoredBackup['manifest'], 'database' | 'reason' | 'timestamp'> }>(
  backups: T[],
  database: string,
): T | undefined {
  return backups
    .filter((b) => b.manifest.database === database && b.manifest.reason !== 'pre-restore')
    .reduce<T | undefined>((best, b) => (!best || b.manifest.timestamp > best.manifest.timestamp ? b : best), undefined);
}
