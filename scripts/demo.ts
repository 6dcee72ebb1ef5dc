#!/bin/sh
":" //; d=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd); l=$d/node_modules/tsx/dist/loader.mjs; [ -e "$l" ] || { echo "pgkeep: $l is missing: run 'make install' in $d" >&2; exit 1; }; exec node --import "$l" "$0" "$@"
// make demo: a demo PostgreSQL container with sample data, then pgkeep's main job on it, shown as
// the commands an operator would type. Uses an embedded config; nothing else is needed.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../lib/cli/boundary.ts';
import { DEMO_CONTAINER } from '../lib/demo/demo-db.ts';
import { cleanDemo, DEMO_DIR, runDemo } from '../lib/demo/run-demo.ts';
import { connectRuntime } from '../lib/runtime/connect.ts';

const help = `
Usage: ./scripts/demo.ts [--clean]          (make demo, make demo-clean)

Starts the container ${DEMO_CONTAINER} (PostgreSQL with a small shop database) on the local engine
and runs pgkeep on it with the embedded config in ${DEMO_DIR}/projects.yml: a backup, the listing,
a verification, a restore of the latest set, and the listing again. Every command is printed as it
runs, from the repository root, so it can be pasted again.

Options:
  --clean           remove the demo container and the demo backups
  --verbose         show stack traces and debug output
  --help            show this help
`;

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

await runCommand({ help, booleans: ['clean'] }, async (args, { log }) => {
  const demo = { repo, runtime: await connectRuntime('auto'), log };
  if (args.clean) return cleanDemo(demo);
  return runDemo(demo);
});
