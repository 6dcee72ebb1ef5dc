// Retention is decided per database; a set's roles file belongs to all of them. It goes with the
// last backup file of its timestamp, never before: while any file of that set is in the
// directory (even one whose manifest is damaged), the roles file stays.
import fs from 'node:fs/promises';
import type { Logger } from '../log.ts';
import { manifestName, parseBackupFileName } from '../names.ts';
import { readBackupDir } from '../backup/manifest.ts';
import { listStoredGlobals } from './globals-manifest.ts';

/** Removes the roles files of `timestamps` that no backup file of the same set is left beside. */
export async function pruneOrphanGlobals(dir: string, project: string, env: string, timestamps: Set<string>, log: Logger): Promise<string[]> {
  if (timestamps.size === 0) return [];
  const remaining = new Set((await readBackupDir(dir)).map((n) => parseBackupFileName(n)?.timestamp).filter((t) => t !== undefined));
  const removed: string[] = [];
  for (const g of await listStoredGlobals(dir, project, env)) {
    if (!timestamps.has(g.manifest.timestamp) || remaining.has(g.manifest.timestamp)) continue;
    // The file first, then its manifest, as for the dumps: a manifest never outlives nothing silently.
    await fs.rm(g.path, { force: true });
    await fs.rm(manifestName(g.path), { force: true });
    log.info(`  removed ${g.path} (the roles of set ${g.manifest.timestamp}, whose last backup was pruned)`);
    removed.push(g.path);
  }
  return removed;
}
