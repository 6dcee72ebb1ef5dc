#!/bin/sh
":" //; d=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd); l=$d/node_modules/tsx/dist/loader.mjs; [ -e "$l" ] || { echo "pgkeep: $l is missing: run 'make install' in $d" >&2; exit 1; }; exec node --import "$l" "$0" "$@"
// make db-backup: dump every enabled project/env/database, or the ones selected.
import { backup } from '../lib/backup/backup.ts';
import { runCommand } from '../lib/cli/boundary.ts';
import { COMMON, EXIT_CODES, SELECTORS } from '../lib/cli/help.ts';
import { lockWait, str } from '../lib/cli/parse-args.ts';

const help = `
Usage: ./scripts/backup.ts [options]        (make db-backup [CONFIG=] [PROJECT=] [ENV=] [DB=] [LABEL=])

Backs up every enabled project/env/database in projects.yml, or the ones selected, with pg_dump run
inside each database's container. All files of one run share one UTC timestamp. The written paths
are printed on stdout, one per line; progress and messages go to stderr. A manual backup never
removes an old one: retention is applied by the scheduled run (make db-scheduled-backup) and by
make db-prune, where these backups count toward the keep_* rules.

Options:
${SELECTORS}
  --label TEXT      a label stored in the manifests (e.g. a git sha)
${COMMON}

${EXIT_CODES}
`;

await runCommand({ help, strings: ['lock-wait', 'config', 'project', 'env', 'db', 'label'] }, async (args, { log, signal }) => {
  await backup({
    config: str(args, 'config'),
    project: str(args, 'project'),
    env: str(args, 'env'),
    db: str(args, 'db'),
    label: str(args, 'label'),
    reason: 'manual',
    lockWait: lockWait(args),
    signal,
    log,
  });
});
