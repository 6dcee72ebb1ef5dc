// The nightly job: every enabled project/env with reason scheduled, carrying on past failures,
// then pruning (only when everything succeeded), a summary, notifications and metrics. Every run
// that fails notifies and updates the metrics, whatever it failed on: a database, every target
// locked, the engine, or the config itself.
import { backup, BackupFailed, type BackupResult } from '../backup/backup.ts';
import { loadConfig, resolveConfigPath } from '../config/load.ts';
import { selectTargets } from '../config/select.ts';
import type { Config } from '../config/types.ts';
import { ConfigError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import { finishRun, finishUnloadedRun } from '../report/finish-run.ts';
import { rescueReporting } from '../report/rescue-config.ts';
import { reportFromBackup, reportFromError, type RunReport } from '../report/run-report.ts';

const COMMAND = 'scheduled-backup';

export interface ScheduledOptions {
  config?: string | Config;
  concurrency?: number;
  lockWait?: number;
  log?: Logger;
  signal?: AbortSignal;
}

export async function scheduledBackup(opts: ScheduledOptions = {}): Promise<RunReport> {
  const log = opts.log ?? silentLogger();
  const started = new Date();
  const config = typeof opts.config === 'object' ? opts.config : await loadOrReport(opts.config, started, log);
  let result: BackupResult;
  try {
    result = await backup({ config, reason: 'scheduled', prune: true, concurrency: opts.concurrency, lockWait: opts.lockWait, log, signal: opts.signal });
  } catch (err) {
    if (!(err instanceof BackupFailed)) {
      // Failed as a whole (every target locked, interrupted, ...): still told, then passed on.
      await finishRun(config, reportFromError(COMMAND, err as Error, scheduledDatabases(config), started), log);
      throw err;
    }
    result = err.result;
  }
  const report = reportFromBackup(COMMAND, result, started);
  await finishRun(config, report, log);
  return report;
}

function scheduledDatabases(config: Config): Array<{ project: string; env: string; database: string }> {
  try {
    return selectTargets(config, {}).flatMap((t) => t.databases.map((database) => ({ project: t.project.name, env: t.env, database })));
  } catch {
    return []; // nothing enabled: the run's error says why
  }
}

/** A config that does not load still notifies through what can be read of it, then fails as before. */
async function loadOrReport(file: string | undefined, started: Date, log: Logger): Promise<Config> {
  try {
    return await loadConfig({ config: file });
  } catch (err) {
    if (err instanceof ConfigError) {
      const rescued = await rescueReporting(resolveConfigPath({ config: file }).file);
      await finishUnloadedRun(rescued, reportFromError(COMMAND, err, [], started), log);
    }
    throw err;
  }
}
