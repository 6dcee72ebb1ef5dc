// A verify run as a RunReport, so it notifies and counts in the metrics as a scheduled run does.
import os from 'node:os';
import { statusOf, type RunReport } from '../report/run-report.ts';
import type { VerifyOutcome } from './verify-one.ts';

export function reportFromVerify(outcomes: VerifyOutcome[], startedAt: Date, runStamp: string): RunReport {
  const databases = outcomes.map(({ backup: { path, manifest: m }, ok, durationMs, error }) => ({
    project: m.project, env: m.env, database: m.database, ok, path, size: m.size, duration_ms: durationMs, ...(error ? { error } : {}),
  }));
  const failed = databases.filter((d) => !d.ok).length;
  return {
    command: 'verify', status: statusOf(databases.length - failed, failed), host: os.hostname(),
    started_at: startedAt.toISOString(), finished_at: new Date().toISOString(), timestamp: runStamp, databases,
  };
}
