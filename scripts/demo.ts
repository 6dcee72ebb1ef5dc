#!/bin/sh
":" //; d=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd); l=$d/node_modules/tsx/dist/loader.mjs; [ -e "$l" ] || { echo "pgkeep: $l is missing: run 'make install' in $d" >&2; exit 1; }; exec node --import "$l" "$0" "$@"
// make demo: a demo PostgreSQL container with sample data, then pgkeep's main job on it, shown as
// the commands an operator would type. Uses the embedded config below; nothing else is needed.
import { $ } from 'zx';
import fs from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from '../lib/cli/boundary.ts';
import { ensureDemoDatabase, removeDemoDatabase, DEMO_CONTAINER } from '../lib/demo/demo-db.ts';

const help = `
Usage: ./scripts/demo.ts [--clean]          (make demo, make demo-clean)

Starts the container ${DEMO_CONTAINER} (PostgreSQL with a small shop database) on the local engine
and runs pgkeep on it with the embedded config in backups/demo/projects.yml: a backup, the
listing, a verification, a restore of the latest set, and the listing again.

Options:
  --clean           remove the demo container and the demo backups
  --verbose         show stack traces and debug output
  --help            show this help
`;

const CONFIG = `# Written by make demo.
demo:
  database:
    container: ${DEMO_CONTAINER}
    user: postgres
    databases:
      production: [shop, crm]
    backup_dir: .
    backup:
      enabled: true
      retention_days: 7
`;

await runCommand({ help, booleans: ['clean'] }, async (args, { log }) => {
  const dir = path.resolve('backups', 'demo');
  if (args.clean) {
    await removeDemoDatabase();
    await fs.rm(dir, { recursive: true, force: true });
    log.ok('demo container and backups removed');
    return;
  }
  await ensureDemoDatabase(log);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const config = path.join(dir, 'projects.yml');
  await fs.writeFile(config, CONFIG);
  const rel = path.relative(process.cwd(), config);
  const steps: Array<[string, string[]]> = [
    ['backup', ['--config', rel]],
    ['list-backups', ['--config', rel]],
    ['verify', ['--config', rel]],
    ['restore', ['--config', rel, '--backup', 'latest', '--yes', '--drop-old']],
    ['list-backups', ['--config', rel]],
  ];
  for (const [script, argv] of steps) {
    log.step(`\n$ ./scripts/${script}.ts ${argv.join(' ')}`);
    const r = await $({ stdio: 'inherit', nothrow: true })`./scripts/${script}.ts ${argv}`;
    if (r.exitCode !== 0) return r.exitCode ?? 1;
  }
  log.ok(`\nDemo done. Backups are in ${dir}; remove everything with: make demo-clean`);
});
