// What an unattended run tells the world: a summary per database, turned into notification text.
import os from 'node:os';
import type { BackupResult } from '../backup/backup.ts';
import { formatBytes, formatDuration } from '../log.ts';

export type RunStatus = 'success' | 'partial' | 'failure';

export interface DatabaseReport {
  project: string;
  env: string;
  database: string;
  ok: boolean;
  path?: string;
  size?: number;
  duration_ms?: number;
  error?: string;
  /** The local backup is good, but its offsite upload failed (the run is partial). */
  offsite_error?: string;
}

export interface RunReport {
  command: string;
  status: RunStatus;
  host: string;
  started_at: string;
  finished_at: string;
  timestamp: string;
  databases: DatabaseReport[];
  /** Why the whole run failed, when it failed before or beside any one database (a lock, a config error). */
  error?: string;
}

export function reportFromBackup(command: string, r: BackupResult, startedAt: Date): RunReport {
  const ok: DatabaseReport[] = r.files.map((f) => ({
    project: f.project, env: f.env, database: f.database, ok: true, path: f.path, size: f.manifest.size, duration_ms: f.manifest.duration_ms,
  }));
  const failed: DatabaseReport[] = r.failures.map((f) => ({ project: f.project, env: f.env, database: f.database, ok: false, error: f.error.message }));
  for (const u of r.offsite ?? []) {
    const d = u.error && ok.find((o) => o.path === u.path);
    if (d) d.offsite_error = u.error!.message;
  }
  // A failed upload leaves every local backup good, but the run did not do all it should: partial.
  const offsiteFailed = (r.offsite ?? []).some((u) => u.error);
  const status = offsiteFailed && failed.length === 0 ? 'partial' : statusOf(ok.length, failed.length);
  return {
    command, status, host: os.hostname(), started_at: startedAt.toISOString(), finished_at: new Date().toISOString(),
    timestamp: r.timestamp, databases: [...ok, ...failed].sort((a, b) => key(a).localeCompare(key(b))),
  };
}

/** A run that failed as a whole: every database it was meant to handle failed with the run's error. */
export function reportFromError(command: string, err: Error, databases: Array<Pick<DatabaseReport, 'project' | 'env' | 'database'>>, startedAt: Date, timestamp = ''): RunReport {
  return {
    command, status: 'failure', host: os.hostname(), started_at: startedAt.toISOString(), finished_at: new Date().toISOString(),
    timestamp, databases: databases.map((d) => ({ ...d, ok: false, error: err.message })), error: err.message,
  };
}

export const statusOf = (ok: number, failed: number): RunStatus => (failed === 0 ? 'success' : ok > 0 ? 'partial' : 'failure');

const key = (d: DatabaseReport) => `${d.project}/${d.env}/${d.database}`;

/** Slack-compatible text: the headline, then one line per database. */
export function reportText(r: RunReport): string {
  const failed = r.databases.filter((d) => !d.ok).length;
  const what = r.command === 'verify' ? 'verification(s)' : 'database backup(s)';
  const head = r.error
    ? `pgkeep ${r.command} on ${r.host} FAILED: ${r.error}`
    : r.status === 'success' || failed === 0
      ? `pgkeep ${r.command} on ${r.host}: all ${r.databases.length} ${what} succeeded${offsiteText(r)}`
      : `pgkeep ${r.command} on ${r.host}: ${failed} of ${r.databases.length} ${what} FAILED`;
  const lines = r.databases.map((d) =>
    d.ok
      ? `ok ${key(d)}: ${formatBytes(d.size ?? 0)} in ${formatDuration(d.duration_ms ?? 0)}${d.offsite_error ? `; offsite upload FAILED: ${d.offsite_error}` : ''}`
      : `FAILED ${key(d)}${d.error && d.error !== r.error ? `: ${d.error}` : ''}`,
  );
  return [head, ...lines].join('\n');
}

function offsiteText(r: RunReport): string {
  const n = r.databases.filter((d) => d.offsite_error).length;
  return n === 0 ? '' : `, but ${n} offsite upload(s) FAILED (the local backups are kept; the next run retries)`;
}
