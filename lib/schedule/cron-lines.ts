// Ready-to-paste crontab lines: a daily backup at 2 AM and a weekly verify on Sunday at 3 AM.
// Printed, never installed: the operator pastes them with `crontab -e`. Both streams go to one log,
// so PGKEEP_LOG_TIMESTAMPS=1 stamps the result lines too (stderr is stamped anyway off a TTY):
// every line of the log says when it was written, while stdout outside cron stays results only.
import { shellWord } from '../cli/command-hint.ts';

export interface CronInput {
  repo: string;
  /** The directory of the node binary, since cron's PATH is minimal. */
  nodeDir: string;
  config?: string;
  logFile: string;
}

const SYSTEM_PATH = ['/usr/local/bin', '/usr/bin', '/bin'];

export function cronLines(c: CronInput): string[] {
  const cfg = c.config ? ` --config ${shellWord(c.config)}` : '';
  const log = shellWord(c.logFile);
  // cron turns an unescaped % into a newline.
  const run = (script: string, lockWait: number) =>
    `cd ${shellWord(c.repo)} && PGKEEP_LOG_TIMESTAMPS=1 ./scripts/${script}.ts${cfg} --lock-wait ${lockWait} >> ${log} 2>&1`.replaceAll('%', '\\%');
  return [
    '# pgkeep: daily backup at 02:00, weekly verify of the latest backups on Sunday at 03:00',
    `PATH=${[...new Set([c.nodeDir, ...SYSTEM_PATH])].join(':')}`,
    `0 2 * * * ${run('scheduled-backup', 600)}`,
    `0 3 * * 0 ${run('verify', 3600)}`,
  ];
}
