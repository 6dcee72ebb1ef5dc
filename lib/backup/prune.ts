// The prune command: retention for the selected project/envs, under their locks, with --dry-run.
import { loadConfig } from '../config/load.ts';
import { selectTargets, type Selection } from '../config/select.ts';
import type { Config } from '../config/types.ts';
import { withTargetLock } from '../files/target-lock.ts';
import { silentLogger, type Logger } from '../log.ts';
import { pruneDatabase, type PruneResult } from './prune-database.ts';
import { offsiteClient } from '../offsite/client.ts';
import { pruneRemote } from '../offsite/remote-prune.ts';

export interface PruneOptions extends Selection {
  config?: string | Config;
  dryRun?: boolean;
  lockWait?: number;
  now?: Date;
  log?: Logger;
  signal?: AbortSignal;
}

export async function prune(opts: PruneOptions = {}): Promise<PruneResult[]> {
  const log = opts.log ?? silentLogger();
  const config = typeof opts.config === 'object' ? opts.config : await loadConfig({ config: opts.config });
  const results: PruneResult[] = [];
  for (const t of selectTargets(config, opts, { includeDisabled: true })) {
    await withTargetLock(t, { waitSeconds: opts.lockWait, log, signal: opts.signal }, async ({ dir }) => {
      for (const db of t.databases) results.push(await pruneDatabase(dir, t.project, t.env, db, opts.now ?? new Date(), log, opts.dryRun, opts.signal));
      // The offsite copies follow their own policy (offsite.retention), under the same lock.
      if (t.project.offsite) {
        const c = await offsiteClient(t.project.offsite);
        try {
          results.push(...(await pruneRemote(c, t.project, t.env, t.databases, opts.now ?? new Date(), log, !!opts.dryRun, opts.signal)));
        } finally {
          c.s3.destroy();
        }
      }
    });
  }
  return results;
}
