// The pre-deploy hook: a backup with reason pre-deploy and a label, recorded in the deployment
// log. It throws when the backup failed, so `set -e` in a deploy script aborts the deploy. It holds
// the locks itself, so the backup (which reuses them) and its log line are one step for other runs.
import path from 'node:path';
import { backup, type BackupOptions, type BackupResult } from '../backup/backup.ts';
import { loadConfig } from '../config/load.ts';
import { selectTargets } from '../config/select.ts';
import { heldLocks, withTargetLocks } from '../files/target-lock.ts';
import { silentLogger } from '../log.ts';
import { appendDeployment } from './deployments.ts';

export type PreDeployOptions = Omit<BackupOptions, 'reason' | 'held'>;

export async function preDeploy(opts: PreDeployOptions): Promise<BackupResult> {
  const config = typeof opts.config === 'object' ? opts.config : await loadConfig({ config: opts.config });
  const targets = selectTargets(config, opts, { includeDisabled: opts.project !== undefined });
  const lockOpts = { waitSeconds: opts.lockWait, log: opts.log ?? silentLogger(), signal: opts.signal };
  return withTargetLocks(targets, lockOpts, async ({ locked, refused }) => {
    // A deploy waits for one safety net, whole: any target held by another run refuses it.
    if (refused[0]) throw refused[0].error;
    const result = await backup({ ...opts, config, reason: 'pre-deploy', held: heldLocks(locked) });
    const byDir = new Map<string, string[]>();
    for (const f of result.files) byDir.set(path.dirname(f.path), [...(byDir.get(path.dirname(f.path)) ?? []), f.path]);
    for (const [dir, backups] of byDir) {
      await appendDeployment(dir, { time: new Date().toISOString(), label: opts.label ?? null, timestamp: result.timestamp, backups });
    }
    return result;
  });
}
