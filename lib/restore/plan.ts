// Everything a restore decides before it touches anything: which project/env, which files, into
// which container and database names. Pure given the manifests, so it is tested in tables.
import type { StoredBackup } from '../backup/manifest.ts';
import type { Target } from '../config/select.ts';
import { UsageError } from '../errors.ts';
import { derivedDatabaseName } from '../names.ts';
import type { RestoreSource } from '../backup/backup-spec.ts';

export interface RestoreItem {
  source: RestoreSource;
  /** The database that ends up holding the backup. */
  live: string;
  /** Temporary database the backup is restored into first. */
  temp: string;
  /** Name the replaced live database is kept under. */
  old: string;
}

/** A restore resolves to exactly one project/env; with several, the operator must choose. */
export function singleTarget(targets: Target[]): Target {
  const pairs = [...new Map(targets.map((t) => [`${t.project.name}/${t.env}`, t])).values()];
  if (pairs.length === 1) return pairs[0]!;
  throw new UsageError(
    `a restore needs exactly one project and environment, and ${pairs.length} match: ${pairs.map((t) => `PROJECT=${t.project.name} ENV=${t.env}`).join(', ')}`,
    'name one with PROJECT= and ENV=',
  );
}

export function planItems(sources: RestoreSource[], targetDb: string | undefined, runStamp: string): RestoreItem[] {
  if (targetDb !== undefined && sources.length > 1) {
    throw new UsageError(
      `TARGET_DB=${targetDb} names one database, but the backup set holds ${sources.length}: ${sources.map((s) => s.database).join(', ')}`,
      'pick one with DB=',
    );
  }
  return sources.map((source) => {
    const live = targetDb ?? source.database;
    return {
      source,
      live,
      temp: derivedDatabaseName(live, `__restore_${runStamp}`),
      old: derivedDatabaseName(live, `__pre_restore_${runStamp}`),
    };
  });
}

/** The older backups of the same database, for naming an intact fallback. */
export function siblings(stored: StoredBackup[], database: string): StoredBackup[] {
  return stored.filter((b) => b.manifest.database === database);
}

export const majorOf = (versionNum: number): number => (versionNum >= 100000 ? Math.floor(versionNum / 10000) : Math.floor(versionNum / 100));
