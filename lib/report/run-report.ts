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
}

export interface RunReport {
  command: string;
  status: RunStatus;
  host: string;
  started_at: string;
  finished_at: string;
  timestamp: string;
  databases: DatabaseReport[];
}

export function reportFromBackup(command: string, r: BackupResult, startedAt: Date): RunReport {
  const ok: DatabaseReport[] = r.files.map((f) => ({
    project: f.project, env: f.env, database: f.database, ok: true, path: f.path, size: f.manifest.size, duration_ms: f.manifest.duration_ms,
  }));
  const failed: DatabaseReport[] = r.failures.map((f) => ({ project: f.project, env: f.env, database: f.database, ok: false, error: f.error.message }));
  const status: RunStatus = failed.length === 0 ? 'success' : ok.length > 0 ? 'partial' : 'failure';
  return {
    command, status, host: os.hostname(), started_at: startedAt.toISOString(), finished_at: new Date().toISOString(),
    timestamp: r.timestamp, databases: [...ok, ...failed].sort((a, b) => key(a).localeCompare(key(b))),
  };
}

const key = (d: DatabaseReport) => `${d.project}/${d.env}/${d.database}`;

/** Slack-compatible text: the headline, then one line per database. */
export function reportText(r: RunReport): string {
  const failed = r.databases.filter((d) => !d.ok).length;
  const head = r.status === 'success'
    ? `pgkeep ${r.command} on ${r.host}: all ${r.databases.length} database backup(s) succeeded`
    : `pgkeep ${r.command} on ${r.host}: ${failed} of ${r.databases.length} database backup(s) FAILED`;
  const lines = r.databases.map((d) =>
    d.ok ? `ok ${key(d)}: ${formatBytes(d.size ?? 0)} in ${formatDuration(d.duration_ms ?? 0)}` : `FAILED ${key(d)}: ${d.error}`,
  );
  return [head, ...lines].join('\n');
}
