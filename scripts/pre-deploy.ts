#!/bin/sh
":" //; d=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd); l=$d/node_modules/tsx/dist/loader.mjs; [ -e "$l" ] || { echo "pgkeep: $l is missing: run 'make install' in $d" >&2; exit 1; }; exec node --import "$l" "$0" "$@"
// make db-pre-deploy: the safety backup before a deploy. stdout holds the backup paths and
// nothing else; a non-zero exit aborts a `set -e` deploy script.
import { runCommand } from '../lib/cli/boundary.ts';
import { COMMON, EXIT_CODES, SELECTORS } from '../lib/cli/help.ts';
import { lockWait, str } from '../lib/cli/parse-args.ts';
import { preDeploy } from '../lib/deploy/pre-deploy.ts';

const help = `
Usage: ./scripts/pre-deploy.ts --project NAME --env NAME [--label TEXT]
       (make db-pre-deploy PROJECT= ENV= [LABEL=<git sha or version>])

Backs up the project/env with reason pre-deploy and the label, prints the backup paths on stdout
(one per line, nothing else), and appends a record to backups/<project>/<env>/deployments.jsonl.
Roll back with: make db-restore PROJECT= ENV= BACKUP=pre-deploy [LABEL=]
Removes no old backup: retention is applied by scheduled runs and make db-prune.

Options:
${SELECTORS}
  --label TEXT      e.g. the git sha or version being deployed
${COMMON}

${EXIT_CODES}
`;

await runCommand({ help, strings: ['lock-wait', 'config', 'project', 'env', 'db', 'label'] }, async (args, { log, signal }) => {
  await preDeploy({
    config: str(args, 'config'),
    project: str(args, 'project'),
    env: str(args, 'env'),
    db: str(args, 'db'),
    label: str(args, 'label'),
    lockWait: lockWait(args),
    signal,
    log,
  });
});
