#!/bin/sh
":" //; d=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd); l=$d/node_modules/tsx/dist/loader.mjs; [ -e "$l" ] || { echo "pgkeep: $l is missing: run 'make install' in $d" >&2; exit 1; }; exec node --import "$l" "$0" "$@"
// make db-offsite-sync: upload every local backup that has no offsite copy yet.
import { runCommand } from '../lib/cli/boundary.ts';
import { COMMON, EXIT_CODES, SELECTORS } from '../lib/cli/help.ts';
import { lockWait, str } from '../lib/cli/parse-args.ts';
import { offsiteSync } from '../lib/offsite/offsite-sync.ts';

const help = `
Usage: ./scripts/offsite-sync.ts [options]   (make db-offsite-sync [CONFIG=] [PROJECT=] [ENV=] [DB=])

For every selected project/env with an offsite: block, uploads each local backup whose manifest
has no offsite record (a failed or never tried upload), checks the copy against the manifest's
sha256 and records it in the manifest. The uploaded URLs are printed on stdout. Exit 3 when some
uploads failed and others went up, 1 when none went up.

Options:
${SELECTORS}
${COMMON}

${EXIT_CODES}
`;

await runCommand({ help, strings: ['lock-wait', 'config', 'project', 'env', 'db'] }, async (args, { log, signal }) => {
  const uploads = await offsiteSync({ config: str(args, 'config'), project: str(args, 'project'), env: str(args, 'env'), db: str(args, 'db'), lockWait: lockWait(args), log, signal });
  for (const u of uploads) if (u.url) log.result(u.url);
});
