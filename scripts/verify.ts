#!/bin/sh
":" //; d=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd); l=$d/node_modules/tsx/dist/loader.mjs; [ -e "$l" ] || { echo "pgkeep: $l is missing: run 'make install' in $d" >&2; exit 1; }; exec node --import "$l" "$0" "$@"
// make db-verify: prove that backups restore, and record the result in their manifests.
import { runCommand } from '../lib/cli/boundary.ts';
import { COMMON, EXIT_CODES, SELECTORS } from '../lib/cli/help.ts';
import { fromFlag, lockWait, str } from '../lib/cli/parse-args.ts';
import { renderOutcomes, renderPlan } from '../lib/verify/render.ts';
import { verify, VerifyFailed, type VerifyWhere } from '../lib/verify/verify.ts';

const help = `
Usage: ./scripts/verify.ts [options]   (make db-verify [BACKUP=latest|<ts>|<path>] [CONFIG=] [PROJECT=] [ENV=] [DB=] [ALL=1] [TARGET=scratch] [DRY_RUN=1])

For each selected backup: checks the sha256 against the manifest, reads the table of contents,
restores it into a temporary database, counts every table's rows and compares them with the counts
the manifest recorded in the dump's own snapshot. The temporary database (and a scratch container)
is removed on every path. The result is written into the manifest and shows in list-backups.

Options:
  --backup SPEC     latest (default), a timestamp, pre-deploy, or a backup's path
${SELECTORS}
  --all             verify every backup, not only the latest
  --target WHERE    same-container (default): restore in the source container;
                    scratch: in a throwaway container from the same image
  --dry-run         print what would be verified and do nothing
  --from offsite    verify the copies in the bucket (offsite:): download, check the sha256, restore
${COMMON}

${EXIT_CODES}
`;

await runCommand(
  { help, strings: ['lock-wait', 'config', 'project', 'env', 'db', 'backup', 'target', 'from'], booleans: ['all', 'dry-run'] },
  async (args, { log, signal }) => {
    try {
      const r = await verify({
        config: str(args, 'config'),
        project: str(args, 'project'),
        env: str(args, 'env'),
        db: str(args, 'db'),
        backup: str(args, 'backup'),
        all: args.all === true,
        target: (str(args, 'target') ?? 'same-container') as VerifyWhere,
        dryRun: args['dry-run'] === true,
        from: fromFlag(args),
        lockWait: lockWait(args),
        log,
        signal,
      });
      log.result(args['dry-run'] ? renderPlan(r.planned) : renderOutcomes(r.outcomes, log.resultColor));
    } catch (err) {
      if (err instanceof VerifyFailed) log.result(renderOutcomes(err.result.outcomes, log.resultColor));
      throw err;
    }
  },
);
