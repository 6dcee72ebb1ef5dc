// Ready-to-paste crontab lines: a daily backup at 2 AM and a weekly verify on Sunday at 3 AM.
// Printed, never installed: the operator pastes them with `crontab -e`.

export interface CronInput {
  repo: string;
  /** The directory of the node binary, since cron's PATH is minimal. */
  nodeDir: string;
  config?: string;
  logFile: string;
}

const shq = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);

export function cronLines(c: CronInput): string[] {
  const cfg = c.config ? ` --config ${shq(c.config)}` : '';
  const log = shq(c.logFile);
  return [
    '# pgkeep: daily backup at 02:00, weekly verify of the latest backups on Sunday at 03:00',
    `PATH=${c.nodeDir}:/usr/local/bin:/usr/bin:/bin`,
    `0 2 * * * cd ${shq(c.repo)} && ./scripts/scheduled-backup.ts${cfg} --lock-wait 600 >> ${log} 2>&1`,
    `0 3 * * 0 cd ${shq(c.repo)} && ./scripts/verify.ts${cfg} --lock-wait 3600 >> ${log} 2>&1`,
  ];
}
