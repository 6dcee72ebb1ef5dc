// The nightly job: every enabled project/env with reason scheduled, carrying on past failures,
// then pruning (only when everything succeeded), a summary, notifications and metrics.
import { backup, BackupFailed, type BackupResult } from '../backup/backup.ts';
import { loadConfig } from '../config/load.ts';
import type { Config, NotifyConfig } from '../config/types.ts';
import { silentLogger, type Logger } from '../log.ts';
import { writeMetrics } from '../report/metrics.ts';
import { sendNotifications } from '../report/notify.ts';
import { reportFromBackup, type RunReport } from '../report/run-report.ts';

export interface ScheduledOptions {
  config?: string | Config;
  concurrency?: number;
  lockWait?: number;
  log?: Logger;
  signal?: AbortSignal;
}

export async function scheduledBackup(opts: ScheduledOptions = {}): Promise<RunReport> {
  const log = opts.log ?? silentLogger();
  const config = typeof opts.config === 'object' ? opts.config : await loadConfig({ config: opts.config });
  const started = new Date();
  let result: BackupResult;
  try {
    result = await backup({ config, reason: 'scheduled', prune: true, concurrency: opts.concurrency, lockWait: opts.lockWait, log, signal: opts.signal });
  } catch (err) {
    if (!(err instanceof BackupFailed)) throw err;
    result = err.result;
  }
  const report = reportFromBackup('scheduled-backup', result, started);
  await sendNotifications(notificationTargets(config, report), log);
  await writeMetrics(config).catch((err: Error) => log.warn(`could not write metrics to ${config.metrics?.textfile}: ${err.message}`));
  return report;
}

/** One report per distinct notify block, holding the databases of the projects that use it. */
function notificationTargets(config: Config, report: RunReport): Array<{ notify: NotifyConfig; report: RunReport }> {
  const groups = new Map<string, { notify: NotifyConfig; projects: Set<string> }>();
  for (const p of config.projects) {
    if (!p.notify) continue;
    const key = JSON.stringify(p.notify);
    const g = groups.get(key) ?? { notify: p.notify, projects: new Set<string>() };
    g.projects.add(p.name);
    groups.set(key, g);
  }
  return [...groups.values()].flatMap(({ notify, projects }) => {
    const databases = report.databases.filter((d) => projects.has(d.project));
    if (databases.length === 0) return [];
    const failed = databases.filter((d) => !d.ok).length;
    const status = failed === 0 ? 'success' : failed < databases.length ? 'partial' : 'failure';
    return [{ notify, report: { ...report, databases, status } }];
  });
}
