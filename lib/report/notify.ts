// Alerts after an unattended run: a webhook POST (Slack-compatible `text` plus structured fields)
// and/or a command with the result in its environment. A notification failure is logged and
// never turns a good backup into a failed run.
import { $ } from 'zx';
import type { NotifyConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { reportText, type RunReport } from './run-report.ts';

export async function sendNotifications(targets: Array<{ notify: NotifyConfig; report: RunReport }>, log: Logger): Promise<void> {
  for (const { notify, report } of targets) {
    const wanted = report.status === 'success' ? notify.on.includes('success') : notify.on.includes('failure');
    if (!wanted) continue;
    if (notify.webhookUrl) await postWebhook(notify.webhookUrl, report, log);
    if (notify.command) await runCommand(notify.command, report, log);
  }
}

async function postWebhook(url: string, report: RunReport, log: Logger): Promise<void> {
  const where = safeOrigin(url);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: reportText(report), ...report }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) log.warn(`notification webhook to ${where} answered HTTP ${res.status}; the run's result is unaffected`);
    else log.info(`notified ${where}`);
  } catch (err) {
    log.warn(`notification webhook to ${where} failed: ${causeOf(err)}; the run's result is unaffected`);
  }
}

/** Scheme and host only: a webhook URL often carries its token in the path or the query. */
export function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(an invalid URL)';
  }
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, a DNS failure, a timeout) is in its cause. */
function causeOf(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'no answer within 10 s';
  const cause = e.cause;
  if (!cause) return e.message;
  return cause.code && !cause.message?.includes(cause.code) ? `${cause.code} (${cause.message})` : (cause.message ?? String(cause.code));
}

/**
 * The command is the operator's own shell line from projects.yml: zx hands it to sh -c as one
 * quoted argument, and the result reaches it only through its environment, never spliced in.
 */
async function runCommand(command: string, report: RunReport, log: Logger): Promise<void> {
  const env = { ...process.env, PGKEEP_STATUS: report.status, PGKEEP_TEXT: reportText(report), PGKEEP_REPORT: JSON.stringify(report) };
  const r = await $({ env, nothrow: true, quiet: true, timeout: '60s' })`/bin/sh -c ${command}`;
  if (r.exitCode !== 0) {
    const why = r.stderr.trim().split('\n').at(-1) ?? '';
    log.warn(`notification command exited ${r.exitCode ?? r.signal}${why ? ` (${why})` : ''}; the run's result is unaffected`);
  } else {
    // The command line itself is not logged: it may hold a token.
    log.info(`ran the notification command (status ${report.status})`);
  }
}
