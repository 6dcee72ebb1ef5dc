#!/bin/sh
":" //; d=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd); l=$d/node_modules/tsx/dist/loader.mjs; [ -e "$l" ] || { echo "pgkeep: $l is missing: run 'make install' in $d" >&2; exit 1; }; exec node --import "$l" "$0" "$@"
// make db-cron: print crontab lines for this checkout. Installs nothing.
import path from 'node:path';
import { runCommand } from '../lib/cli/boundary.ts';
import { str } from '../lib/cli/parse-args.ts';
import { cronLines } from '../lib/schedule/cron-lines.ts';

const help = `
Usage: ./scripts/cron.ts [--config PATH] [--log FILE]   (make db-cron [CONFIG=] [LOG=])

Prints ready-to-paste crontab lines: the scheduled backup daily at 02:00 and a verify of the
latest backups every Sunday at 03:00, each run from this checkout with output appended to a log
file (default /var/log/pgkeep.log). Nothing is installed: paste them with 'crontab -e'.
`;

await runCommand({ help, strings: ['config', 'log'] }, async (args, { log }) => {
  const config = str(args, 'config');
  const lines = cronLines({
    repo: process.cwd(),
    nodeDir: path.dirname(process.execPath),
    config: config ? path.resolve(config) : undefined,
    logFile: str(args, 'log') ?? '/var/log/pgkeep.log',
  });
  for (const line of lines) log.result(line);
});
