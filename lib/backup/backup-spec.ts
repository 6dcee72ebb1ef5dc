// What BACKUP= names, and which backup files that resolves to. Pure: decided from the manifests
// already read, tested without a container.
import path from 'node:path';
import type { StoredBackup } from './manifest.ts';
import { latestOf } from './latest.ts';
import { PgkeepError, UsageError } from '../errors.ts';
import { parseTimestamp, TIMESTAMP_PATTERN } from '../names.ts';
import type { CommandHint } from '../cli/command-hint.ts';

export type BackupSpec =
  | { kind: 'latest' }
  | { kind: 'pre-deploy' }
  | { kind: 'timestamp'; timestamp: string }
  | { kind: 'file'; path: string };

/**
 * BACKUP= names a file only when it is an absolute path or starts with ./; anything else must be
 * latest, pre-deploy or a timestamp, resolved inside the backup directory. So ../../etc/passwd
 * and friends never reach the filesystem.
 */
export function parseBackupSpec(value: string, cwd: string, command?: CommandHint): BackupSpec {
  const v = value.trim();
  if (v === 'latest') return { kind: 'latest' };
  if (v === 'pre-deploy') return { kind: 'pre-deploy' };
  if (parseTimestamp(v)) return { kind: 'timestamp', timestamp: v };
  if (TIMESTAMP_PATTERN.test(v)) {
    throw new UsageError(
      `BACKUP=${v} has the shape of a timestamp (YYYYMMDD_HHMMSS, UTC) but is not a valid time`,
      'list the timestamps there are with: make db-list-backups',
    );
  }
  if (v.includes('\0')) throw new UsageError('BACKUP= contains a NUL byte');
  if (path.isAbsolute(v) || v.startsWith('./')) return { kind: 'file', path: path.resolve(cwd, v) };
  throw new UsageError(
    `BACKUP=${JSON.stringify(value)} is refused: expected latest, pre-deploy, a timestamp (YYYYMMDD_HHMMSS) or a file path that is absolute or starts with ./`,
    `timestamps and latest are resolved inside the configured backup directory; list them with: ${command?.('db-list-backups') ?? 'make db-list-backups'}`,
  );
}

export interface RestoreSource {
  /** The database the backup was taken from (or, for a foreign file, the one named with DB=). */
  database: string;
  path: string;
  /** Absent for a file from elsewhere without a manifest beside it. */
  stored?: StoredBackup;
}

export interface ResolveInput {
  spec: Exclude<BackupSpec, { kind: 'file' }>;
  stored: StoredBackup[];
  /** The databases configured for this project/env, or the one selected with DB=. */
  databases: string[];
  label?: string;
  where: string;
  /** Prints paste-able commands for this project/env (forTarget). */
  command: CommandHint;
  /** The backups come from the local directory of a project with offsite: configured: the bucket may hold what is missing here. */
  offsiteFallback?: boolean;
}

export function resolveStored(input: ResolveInput): RestoreSource[] {
  const { spec, stored, databases, where, command } = input;
  const mine = stored.filter((b) => databases.includes(b.manifest.database));
  if (spec.kind === 'latest') {
    return databases.map((db) => {
      const b = latestOf(mine, db);
      if (!b) {
        const fromBucket = input.offsiteFallback ? `; or, if this host lost its backups, restore the offsite copy: ${command('db-restore', { backup: 'latest', db, from: 'offsite' })}` : '';
        throw new PgkeepError(`no backup of "${db}" in ${where}`, `make one first with: ${command('db-backup', { db })}${fromBucket}`);
      }
      return toSource(b);
    });
  }
  const timestamp = spec.kind === 'timestamp' ? spec.timestamp : newestPreDeploy(mine, input.label, where, command);
  const set = mine.filter((b) => b.manifest.timestamp === timestamp);
  if (set.length === 0) {
    const near = [...new Set(mine.map((b) => b.manifest.timestamp))].slice(-5).join(', ') || 'none';
    throw new PgkeepError(`no backup taken at ${timestamp} for ${databases.join(', ')} in ${where}`, `the newest timestamps there: ${near}`);
  }
  return set.map(toSource);
}

function newestPreDeploy(stored: StoredBackup[], label: string | undefined, where: string, command: CommandHint): string {
  const candidates = stored.filter((b) => b.manifest.reason === 'pre-deploy' && (label === undefined || b.manifest.label === label));
  const newest = candidates.map((b) => b.manifest.timestamp).sort().at(-1);
  if (!newest) {
    const what = label === undefined ? 'no pre-deploy backup' : `no pre-deploy backup labelled "${label}"`;
    throw new PgkeepError(`${what} in ${where}`, `pre-deploy backups are made by: ${command('db-pre-deploy', { label })}`);
  }
  return newest;
}

const toSource = (b: StoredBackup): RestoreSource => ({ database: b.manifest.database, path: b.path, stored: b });
