// scheduled-backup --dry-run: what would be backed up, and what the pruning after it would remove
// and why, changing nothing.
import { listStoredBackups } from '../backup/manifest.ts';
import { planRetention, type RetentionPlan } from '../backup/retention.ts';
import type { StoredItem } from '../backup/prune-database.ts';
import { selectTargets, type Selection } from '../config/select.ts';
import type { Config } from '../config/types.ts';
import { targetDir } from '../files/target-dir.ts';
import { parseTimestamp } from '../names.ts';

export interface DryRunEntry {
  project: string;
  env: string;
  database: string;
  container: string;
  plan: RetentionPlan<StoredItem>;
}

/** Plans as if the coming backup had succeeded: it is listed too, as the newest. */
export async function planDryRun(config: Config, sel: Selection, now: Date): Promise<DryRunEntry[]> {
  const out: DryRunEntry[] = [];
  for (const t of selectTargets(config, sel, { includeDisabled: sel.project !== undefined })) {
    const stored = await listStoredBackups(targetDir(t.project, t.env), t.project.name, t.env);
    for (const database of t.databases) {
      const items: StoredItem[] = stored
        .filter((b) => b.manifest.database === database)
        .map((b) => ({ id: b.path, time: parseTimestamp(b.manifest.timestamp) ?? new Date(b.manifest.started_at), reason: b.manifest.reason, backup: b }));
      const upcoming = { id: '(the backup about to be taken)', time: now, reason: 'scheduled' as const, backup: undefined as never };
      const plan = planRetention([...items, upcoming], t.project.backup.retention, now);
      out.push({ project: t.project.name, env: t.env, database, container: t.project.container, plan });
    }
  }
  return out;
}
