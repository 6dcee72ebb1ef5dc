// The end of every unattended run, good or bad: notifications and metrics. scheduled-backup and
// verify both end here, so a failed run of either is seen by whoever watches the alerts.
import type { Config, NotifyConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { writeMetrics, writeRunOnly } from './metrics.ts';
import { sendNotifications } from './notify.ts';
import { statusOf, type RunReport } from './run-report.ts';

export async function finishRun(config: Config, report: RunReport, log: Logger): Promise<void> {
  await sendNotifications(notificationTargets(config.projects, report), log);
  const run = { command: report.command, ok: report.status === 'success', at: new Date(report.finished_at) };
  await writeMetrics(config, run).catch((err: Error) => log.warn(`could not write metrics to ${config.metrics?.textfile}: ${err.message}`));
}

/** For a run whose config could not be loaded: what could be read of notify and metrics. */
export async function finishUnloadedRun(rescued: { notify: NotifyConfig[]; textfile?: string }, report: RunReport, log: Logger): Promise<void> {
  await sendNotifications(rescued.notify.map((notify) => ({ notify, report })), log);
  if (!rescued.textfile) return;
  const run = { command: report.command, ok: false, at: new Date(report.finished_at) };
  await writeRunOnly(rescued.textfile, run).catch((err: Error) => log.warn(`could not write metrics to ${rescued.textfile}: ${err.message}`));
}

/**
 * One report per distinct notify block, holding the databases of the projects that use it. A run
 * that failed as a whole (report.error) reaches every block of a project it was meant to cover.
 */
export function notificationTargets(projects: Config['projects'], report: RunReport): Array<{ notify: NotifyConfig; report: RunReport }> {
  const groups = new Map<string, { notify: NotifyConfig; projects: Set<string> }>();
  for (const p of projects) {
    if (!p.notify) continue;
    const key = JSON.stringify(p.notify);
    const g = groups.get(key) ?? { notify: p.notify, projects: new Set<string>() };
    g.projects.add(p.name);
    groups.set(key, g);
  }
  return [...groups.values()].flatMap(({ notify, projects }) => {
    const databases = report.databases.filter((d) => projects.has(d.project));
    if (databases.length === 0 && !report.error) return [];
    if (report.error) return [{ notify, report: { ...report, databases } }];
    const failed = databases.filter((d) => !d.ok).length;
    const offsite = failed === 0 && databases.some((d) => d.offsite_error);
    return [{ notify, report: { ...report, databases, status: offsite ? 'partial' : statusOf(databases.length - failed, failed) } }];
  });
}
