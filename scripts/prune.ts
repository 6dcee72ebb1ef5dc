#!/bin/sh
":" //; d=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd); l=$d/node_modules/tsx/dist/loader.mjs; [ -e "$l" ] || { echo "pgkeep: $l is missing: run 'make install' in $d" >&2; exit 1; }; exec node --import "$l" "$0" "$@"
// make db-prune: apply the retention policy now, or show what it would do.
import { prune } from '../lib/backup/prune.ts';
import { runCommand } from '../lib/cli/boundary.ts';
import { COMMON, EXIT_CODES, SELECTORS } from '../lib/cli/help.ts';
import { lockWait, str } from '../lib/cli/parse-args.ts';
import { renderPlans } from '../lib/report/render-plans.ts';

const help = `
Usage: ./scripts/prune.ts [options]   (make db-prune [CONFIG=] [PROJECT=] [ENV=] [DB=] [DRY_RUN=1])

Applies each project's retention policy (retention_days, keep_last, keep_daily, keep_weekly,
keep_monthly, keep_yearly, keep_pre_deploy; rules are OR-ed) and prints every backup with the
rules that keep it or why it goes. Never removes the newest good backup, never touches a file
pgkeep did not make, and removes a file and its manifest together.

Options:
${SELECTORS}
  --dry-run         show the plan, remove nothing
${COMMON}

${EXIT_CODES}
`;

await runCommand({ help, strings: ['lock-wait', 'config', 'project', 'env', 'db'], booleans: ['dry-run'] }, async (args, { log, signal }) => {
  const dryRun = args['dry-run'] === true;
  const results = await prune({ config: str(args, 'config'), project: str(args, 'project'), env: str(args, 'env'), db: str(args, 'db'), dryRun, lockWait: lockWait(args), log, signal });
  log.result(renderPlans(results, log.resultColor, dryRun ? 'would remove' : 'removed'));
});
