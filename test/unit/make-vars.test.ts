// make's db-* targets refuse command-line variables they do not read, with a did-you-mean, before
// the script runs: `make db-backup DATABASE=orders` must not back up everything. Runs real make.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NO_CONFIG = '/nonexistent/pgkeep-projects.yml';

function make(...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('make', ['-C', root, ...args], { env: { ...process.env, MAKEFLAGS: '' } }, (err, _stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
}

test('misspelt make variables are refused with a did-you-mean, and the script never runs', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['db-backup', 'DATABASE=orders'], /make db-backup: unknown variable DATABASE=; did you mean DB=\?/],
    [['db-restore', 'BACKUP=latest', 'TARGETDB=x'], /make db-restore: unknown variable TARGETDB=; did you mean TARGET_DB=\?/],
    [['db-verify', 'DRYRUN=1'], /unknown variable DRYRUN=; did you mean DRY_RUN=\?/],
    [['db-cron', 'LGO=/var/log/x'], /unknown variable LGO=; did you mean LOG=\?/],
    [['db-backup', 'BACKUP=latest'], /make db-backup: unknown variable BACKUP= \(db-backup reads CONFIG= PROJECT= ENV= DB= LABEL= ARGS=\)/],
    [['db-prune', 'KEEP_LAST=2'], /make db-prune: unknown variable KEEP_LAST=/],
  ];
  const results = await Promise.all(cases.map(([args]) => make(...args, `CONFIG=${NO_CONFIG}`)));
  for (const [n, [args, message]] of cases.entries()) {
    const r = results[n]!;
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stderr, /cannot read the config/, `${args.join(' ')}: the script ran`);
  }
});

test('variables a target reads reach the script', async () => {
  const r = await make('db-list-backups', `CONFIG=${NO_CONFIG}`, 'PROJECT=x', 'ENV=y', 'JSON=1', 'CHECK=1');
  assert.match(r.stderr, new RegExp(`cannot read the config ${NO_CONFIG}`), r.stderr);
  assert.doesNotMatch(r.stderr, /unknown variable/);
});
