// Applies the retention plan to one database's backups on disk: only files pgkeep made for this
// project/env/database, the backup file first and then its manifest.
import fs from 'node:fs/promises';
import { manifestName, parseTimestamp } from '../names.ts';
import type { ProjectConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { listStoredBackups, type StoredBackup } from './manifest.ts';
import { planRetention, type RetentionDecision, type RetentionItem, type RetentionPlan } from './retention.ts';
import { plural } from '../plural.ts';
import { pruneOrphanGlobals } from '../globals/prune-globals.ts';

export type StoredItem = RetentionItem & { backup: StoredBackup };

export interface PruneResult {
  project: string;
  env: string;
  database: string;
  plan: RetentionPlan<StoredItem>;
  dryRun: boolean;
  /** A plan over the offsite copies (lib/offsite/remote-prune.ts), not the local files. */
  offsite?: boolean;
}

export async function pruneDatabase(
  dir: string,
  project: ProjectConfig,
  env: string,
  database: string,
  now: Date,
  log: Logger,
  dryRun = false,
  signal?: AbortSignal,
): Promise<PruneResult> {
  const backups = (await listStoredBackups(dir, project.name, env)).filter((b) => b.manifest.database === database);
  const items: StoredItem[] = backups.map((b) => ({
    id: b.path,
    // Age from the manifest's UTC timestamp, never from mtime.
    time: parseTimestamp(b.manifest.timestamp) ?? new Date(b.manifest.started_at),
    reason: b.manifest.reason,
    backup: b,
  }));
  const plan = planRetention(items, project.backup.retention, now);
  if (!dryRun) {
    for (const d of plan.remove) {
      // Stop between two removals, never inside one: a file never loses its manifest.
      if (signal?.aborted) throw signal.reason;
      await removeBackup(d, log);
    }
    await pruneOrphanGlobals(dir, project.name, env, new Set(plan.remove.map((d) => d.item.backup.manifest.timestamp)), log);
  }
  if (plan.remove.length > 0 && !dryRun) log.info(`  pruned ${plural(plan.remove.length, 'old backup')} of ${database}`);
  return { project: project.name, env, database, plan, dryRun };
}

async function removeBackup(d: RetentionDecision<StoredItem>, log: Logger): Promise<void> {
  await fs.rm(d.item.backup.path, { force: true });
  await fs.rm(manifestName(d.item.backup.path), { force: true });
  log.info(`  removed ${d.item.backup.path} (${d.reasons.join('; ')})`);
}
