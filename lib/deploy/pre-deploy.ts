// The pre-deploy hook: a backup with reason pre-deploy and a label, recorded in the deployment
// log. It throws when the backup failed, so `set -e` in a deploy script aborts the deploy.
import path from 'node:path';
import { backup, type BackupOptions, type BackupResult } from '../backup/backup.ts';
import { appendDeployment } from './deployments.ts';

export type PreDeployOptions = Omit<BackupOptions, 'reason'>;

export async function preDeploy(opts: PreDeployOptions): Promise<BackupResult> {
  const result = await backup({ ...opts, reason: 'pre-deploy' });
  const byDir = new Map<string, string[]>();
  for (const f of result.files) byDir.set(path.dirname(f.path), [...(byDir.get(path.dirname(f.path)) ?? []), f.path]);
  for (const [dir, backups] of byDir) {
    await appendDeployment(dir, { time: new Date().toISOString(), label: opts.label ?? null, timestamp: result.timestamp, backups });
  }
  return result;
}
