#!/bin/sh
":" //; d=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd); l=$d/node_modules/tsx/dist/loader.mjs; [ -e "$l" ] || { echo "pgkeep: $l is missing: run 'make install' in $d" >&2; exit 1; }; exec node --import "$l" "$0" "$@"
// make db-list-backups: every backup at a glance, problems flagged, or JSON for machines.
import { runCommand } from '../lib/cli/boundary.ts';
import { COMMON, EXIT_CODES, SELECTORS } from '../lib/cli/help.ts';
import { str } from '../lib/cli/parse-args.ts';
import { commandHint } from '../lib/cli/command-hint.ts';
import { loadConfig } from '../lib/config/load.ts';
import { ExitCode } from '../lib/errors.ts';
import { listBackups, mismatches } from '../lib/list/list-backups.ts';
import { renderGroups } from '../lib/list/render.ts';
import { listOffsite, renderOffsite } from '../lib/list/offsite-list.ts';

const help = `
Usage: ./scripts/list-backups.ts [options]   (make db-list-backups [CONFIG=] [PROJECT=] [ENV=] [DB=] [JSON=1] [CHECK=1])

Lists backups grouped by project and environment, one row per backup set, reading manifests only.
Files without a manifest, manifests without a file, leftover temporary files and dangling latest
links are flagged. --check also hashes every file against its manifest (slow).

Options:
${SELECTORS}
  --json            print only JSON on stdout: an array with one object per backup file
  --check           verify sizes and checksums against the manifests; exit 1 on a mismatch
  --offsite         list what the bucket holds (offsite:), including copies whose local file is gone
${COMMON}

${EXIT_CODES}
`;

await runCommand({ help, strings: ['config', 'project', 'env', 'db'], booleans: ['json', 'check', 'offsite'] }, async (args, { log }) => {
  const config = await loadConfig({ config: str(args, 'config') });
  if (args.offsite) {
    const entries = await listOffsite({ config, project: str(args, 'project'), env: str(args, 'env'), db: str(args, 'db') });
    log.result(args.json ? JSON.stringify(entries, null, 2) : renderOffsite(entries, log.resultColor));
    return;
  }
  const groups = await listBackups({
    config,
    project: str(args, 'project'),
    env: str(args, 'env'),
    db: str(args, 'db'),
    check: args.check === true,
  });
  if (args.json) {
    log.result(JSON.stringify(groups.flatMap((g) => g.entries), null, 2));
    for (const g of groups) for (const p of g.problems) log.warn(`${p.kind}: ${p.path}: ${p.detail}`);
  } else {
    log.result(renderGroups(groups, log.resultColor, commandHint(config)));
  }
  const bad = mismatches(groups);
  if (bad.length === 0) return;
  log.error(`${bad.length} backup file(s) do not match their manifest (size or checksum): ${bad.map((e) => e.path).join(', ')}`);
  return ExitCode.failure;
});
