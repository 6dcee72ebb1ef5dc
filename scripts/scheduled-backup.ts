#!/bin/sh
":" //; d=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd); l=$d/node_modules/tsx/dist/loader.mjs; [ -e "$l" ] || { echo "pgkeep: $l is missing: run 'make install' in $d" >&2; exit 1; }; exec node --import "$l" "$0" "$@"
// make db-scheduled-backup: the cron job. Exit 0 all ok, 3 partial, 1 all failed.
import { runCommand } from '../lib/cli/boundary.ts';
import { COMMON, EXIT_CODES } from '../lib/cli/help.ts';
import { lockWait, positiveInt, str } from '../lib/cli/parse-args.ts';
import { ExitCode } from '../lib/errors.ts';
import { loadConfig } from '../lib/config/load.ts';
import { renderPlans } from '../lib/report/render-plans.ts';
import { renderSummary } from '../lib/schedule/render-summary.ts';
import { planDryRun } from '../lib/schedule/dry-run.ts';
import { scheduledBackup } from '../lib/schedule/scheduled-backup.ts';

const help = `
Usage: ./scripts/scheduled-backup.ts [options]   (make db-scheduled-backup [CONFIG=] [DRY_RUN=1] [CONCURRENCY=N])

Backs up every enabled project/env with reason scheduled, carries on past a failed database,
prunes only when every backup succeeded, prints a summary table, sends notifications (notify:)
and writes metrics (metrics.textfile). Made for cron: no colour, no spinner, timestamped lines,
nothing read from stdin, and each database bounded by its timeout.

Options:
  --config PATH       projects.yml to read
  --concurrency N     back up N databases at once (default 1)
  --dry-run           list what would be backed up and pruned, and why; change nothing
${COMMON}

${EXIT_CODES}
`;

await runCommand({ help, strings: ['lock-wait', 'config', 'concurrency'], booleans: ['dry-run'] }, async (args, { log, signal }) => {
  if (args['dry-run']) {
    const config = await loadConfig({ config: str(args, 'config') });
    const plans = await planDryRun(config, {}, new Date());
    for (const p of plans) log.result(`would back up ${p.project}/${p.env}/${p.database} from container ${p.container}`);
    log.result(renderPlans(plans, log.resultColor, 'would remove'));
    return;
  }
  // The path, not a loaded config: a config that fails to load must still notify and write metrics.
  const report = await scheduledBackup({ config: str(args, 'config'), concurrency: positiveInt(args, 'concurrency'), lockWait: lockWait(args), log, signal });
  log.result(renderSummary(report, log.resultColor));
  return report.status === 'success' ? ExitCode.ok : report.status === 'partial' ? ExitCode.partial : ExitCode.failure;
});
