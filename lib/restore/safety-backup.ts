// Before a restore replaces anything, the current state is backed up (reason pre-restore), so an
// unwanted restore can itself be undone. Such a backup never becomes `latest`.
import type { BackupFile } from '../backup/dump-database.ts';
import { dumpDatabase } from '../backup/dump-database.ts';
import type { Target } from '../config/select.ts';
import type { HeldLock } from '../files/lock.ts';
import type { Logger } from '../log.ts';
import type { ContainerRuntime } from '../runtime/container-runtime.ts';
import { chooseTimestamp } from '../backup/choose-timestamp.ts';
import type { RestoreItem } from './plan.ts';
import { PgAdmin } from '../pg/admin.ts';

export interface SafetyInput {
  target: Target;
  container: string;
  items: RestoreItem[];
  /** The restore's lock: the safety backup is written under it, never waiting on it. */
  lock: HeldLock;
  runtime: ContainerRuntime;
  env: Record<string, string>;
  log: Logger;
  signal?: AbortSignal;
  now: Date;
}

export async function takeSafetyBackups(s: SafetyInput): Promise<BackupFile[]> {
  const project = { ...s.target.project, container: s.container };
  const admin = new PgAdmin(s.runtime, s.container, project.user, s.env);
  const timestamp = await chooseTimestamp([s.lock], s.now);
  const files: BackupFile[] = [];
  for (const item of s.items) {
    if (!(await admin.databaseInfo(item.live).catch(() => undefined))) {
      s.log.info(`  no live database ${item.live} yet: nothing to back up first`);
      continue;
    }
    s.log.step(`Safety backup of ${item.live} (reason pre-restore)`);
    const file = await dumpDatabase(
      { project, env: s.target.env, database: item.live, dir: s.lock.dir, timestamp, reason: 'pre-restore' },
      { runtime: s.runtime, log: s.log, signal: s.signal },
    );
    s.log.info(`  safety backup: ${file.path}`);
    s.log.info(`  to undo this restore later: make db-restore PROJECT=${project.name} ENV=${s.target.env} BACKUP=${file.path} DB=${item.live}`);
    files.push(file);
  }
  return files;
}
