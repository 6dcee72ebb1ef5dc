#!/bin/sh
":" //; d=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd); l=$d/node_modules/tsx/dist/loader.mjs; [ -e "$l" ] || { echo "pgkeep: $l is missing: run 'make install' in $d" >&2; exit 1; }; exec node --import "$l" "$0" "$@"
// make db-restore: restore a backup without losing anything on the way.
import { runCommand } from '../lib/cli/boundary.ts';
import { COMMON, EXIT_CODES, SELECTORS } from '../lib/cli/help.ts';
import { fromFlag, lockWait, str } from '../lib/cli/parse-args.ts';
import { ExitCode, UsageError } from '../lib/errors.ts';
import { commandHint } from '../lib/cli/command-hint.ts';
import { resolveConfigPath } from '../lib/config/load.ts';
import { restore } from '../lib/restore/restore.ts';
import { reportRestore } from '../lib/restore/report.ts';

const help = `
Usage: ./scripts/restore.ts --backup latest|pre-deploy|YYYYMMDD_HHMMSS|PATH [options]
       (make db-restore BACKUP=... [CONFIG=] [PROJECT=] [ENV=] [DB=] [TARGET_DB=] [YES=1] ...)

Restores into a fresh temporary database, verifies it against the backup's manifest (tables and
exact row counts), and only then swaps it in for the live database in one short step; the old
database is kept as <db>__pre_restore_<ts>. A safety backup of the current state is taken first.
A timestamp restores every database of that set; DB= restores one of them. A PATH must be
absolute or start with ./ (a file from elsewhere needs DB= or TARGET_DB=). App containers are
stopped only when a live database is replaced; if one does not start again after a good swap, the
data is live and the exit code is 3.

Options:
  --backup SPEC         latest, pre-deploy, a timestamp, or a file path (required)
${SELECTORS}
  --label TEXT          with --backup pre-deploy: the newest pre-deploy backup with this label
  --target-db NAME      restore into this database instead (created if needed)
  --container NAME      restore into another container, e.g. a staging server
  --yes                 do not ask; required when there is no terminal
  --no-safety-backup    skip the safety backup of the current state (not with --in-place)
  --drop-old            drop the replaced database after a successful swap
  --in-place            drop and rebuild the live database (for disks too small for two copies)
  --no-owner            skip ownership and privileges (roles missing on the target)
  --globals             first apply the roles saved with the set (globals_<ts>.sql); existing roles are fine
  --from offsite        resolve BACKUP= in the bucket (offsite:), download and check it, then restore
                        it like a local backup; works with an empty backup directory
${COMMON}

${EXIT_CODES}
`;

await runCommand(
  {
    help,
    strings: ['lock-wait', 'config', 'project', 'env', 'db', 'backup', 'label', 'target-db', 'container', 'from'],
    booleans: ['yes', 'drop-old', 'in-place', 'globals'],
    negatable: ['safety-backup', 'owner'],
  },
  async (args, { log, signal }) => {
    const backup = str(args, 'backup');
    if (!backup) throw new UsageError('say which backup to restore: BACKUP=latest, a timestamp, pre-deploy or a file path', `list them with: ${commandHint({ file: resolveConfigPath({ config: str(args, 'config') }).file, projects: [] })('db-list-backups')}`);
    const result = await restore({
      config: str(args, 'config'),
      project: str(args, 'project'),
      env: str(args, 'env'),
      db: str(args, 'db'),
      backup,
      label: str(args, 'label'),
      targetDb: str(args, 'target-db'),
      container: str(args, 'container'),
      yes: args.yes === true,
      safetyBackup: args['safety-backup'] !== false,
      dropOld: args['drop-old'] === true,
      inPlace: args['in-place'] === true,
      noOwner: args.owner === false ? true : undefined,
      globals: args.globals === true,
      from: fromFlag(args),
      lockWait: lockWait(args),
      signal,
      log,
    });
    reportRestore(result, log);
    // The data is live; only an app is down: partial, not failure.
    return result.appsNotStarted.length > 0 ? ExitCode.partial : ExitCode.ok;
  },
);
