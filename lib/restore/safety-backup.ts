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
import { PgkeepError } from '../errors.ts';
import { forTarget, type CommandHint } from '../cli/command-hint.ts';

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
  /** Prints paste-able commands (commandHint of the config). */
  command: CommandHint;
}

export async function takeSafetyBackups(s: SafetyInput): Promise<BackupFile[]> {
  const project = { ...s.target.project, container: s.container };
  const admin = new PgAdmin(s.runtime, s.container, project.user, s.env);
  const timestamp = await chooseTimestamp([s.lock], s.now);
  const files: BackupFile[] = [];
  for (const item of s.items) {
    if (!(await liveExists(admin, item.live))) {
      s.log.info(`  no live database ${item.live} yet: nothing to back up first`);
      continue;
    }
    s.log.step(`Safety backup of ${item.live} (reason pre-restore)`);
    const file = await dumpDatabase(
      { project, env: s.target.env, database: item.live, dir: s.lock.dir, timestamp, reason: 'pre-restore' },
      { runtime: s.runtime, log: s.log, signal: s.signal },
    );
    s.log.info(`  safety backup: ${file.path}`);
    s.log.info(`  to undo this restore later: ${forTarget(s.command, project.name, s.target.env)('db-restore', { backup: file.path, db: item.live })}`);
    files.push(file);
  }
  return files;
}

/**
 * Only a definite answer skips the safety backup: databaseInfo returns undefined when the catalog
 * has no such database. Any error (no permission, a dropped connection) leaves it unknown, and an
 * unknown live database must not be replaced without a way back.
 */
async function liveExists(admin: PgAdmin, database: string): Promise<boolean> {
  try {
    return (await admin.databaseInfo(database)) !== undefined;
  } catch (err) {
    throw new PgkeepError(
      `cannot tell whether database "${database}" exists in container "${admin.container}", so no safety backup can be taken: ${(err as Error).message}`,
      'nothing was changed; fix the cause (the configured user must be able to read pg_database) and run the restore again',
    );
  }
}
