#!/bin/sh
":" //; d=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd); l=$d/node_modules/tsx/dist/loader.mjs; [ -e "$l" ] || { echo "pgkeep: $l is missing: run 'make install' in $d" >&2; exit 1; }; exec node --import "$l" "$0" "$@"
// make db-deployments: the deployment log written by the pre-deploy hook.
import Table from 'cli-table3';
import { runCommand } from '../lib/cli/boundary.ts';
import { COMMON, EXIT_CODES, SELECTORS } from '../lib/cli/help.ts';
import { str } from '../lib/cli/parse-args.ts';
import { listDeployments } from '../lib/deploy/list-deployments.ts';
import { commandHint } from '../lib/cli/command-hint.ts';
import { loadConfig } from '../lib/config/load.ts';

const help = `
Usage: ./scripts/deployments.ts [options]   (make db-deployments PROJECT= ENV= [JSON=1])

Shows backups/<project>/<env>/deployments.jsonl: when each pre-deploy backup was taken, its label,
its timestamp (for BACKUP=) and its files.

Options:
${SELECTORS}
  --json            print the records as JSON
${COMMON}

${EXIT_CODES}
`;

await runCommand({ help, strings: ['lock-wait', 'config', 'project', 'env', 'db'], booleans: ['json'] }, async (args, { log }) => {
  const config = await loadConfig({ config: str(args, 'config') });
  const command = commandHint(config);
  const groups = await listDeployments({ config, project: str(args, 'project'), env: str(args, 'env') });
  if (args.json) return log.result(JSON.stringify(groups, null, 2));
  for (const g of groups) {
    log.result(`${g.project} / ${g.env}`);
    if (g.records.length === 0) {
      log.result(`  no deployments recorded; the hook is: ${command('db-pre-deploy', { project: g.project, env: g.env })} LABEL=$(git rev-parse --short HEAD)`);
      continue;
    }
    const table = new Table({ head: ['time', 'label', 'BACKUP=', 'host', 'files'], style: { head: [], border: [] } });
    for (const r of g.records) table.push([r.time, r.label ?? '', r.timestamp, r.host, r.backups.map((b) => b.split('/').pop()).join('\n')]);
    log.result(table.toString());
  }
});
