// How long a restore's swap refuses the live database, measured from outside: a client inside the
// container connects every 50 ms during the restore and logs each attempt's outcome with its time.
// The swap in one held psql session (this tree) against one exec per statement (the tree before
// it, checked out as a git worktree), interleaved A, B, A, B on the same database and backup.
//   node --import tsx bench/restore-outage.ts [--rows 200000] [--pairs 3] [--before <commit>]
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import minimist from 'minimist';
import { $ } from 'zx';
import { testEngines } from '../test/support/engines.ts';
import { startPostgres, type PgContainer } from '../test/support/pg-container.ts';
import { REPO } from '../test/support/run-script.ts';

const args = minimist(process.argv.slice(2), { default: { rows: 200_000, pairs: 3, engine: 'docker', before: 'e927068~1' } });
const engine = testEngines().find((e) => e.name === args.engine);
if (!engine) throw new Error(`unknown engine ${args.engine}`);
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'pgkeep-bench-outage-'));
const oldTree = path.join(tmp, 'before');
let pg: PgContainer | undefined;
const cleanup = async () => {
  await pg?.remove();
  execFileSync('git', ['-C', REPO, 'worktree', 'remove', '--force', oldTree], { stdio: 'ignore' });
  await fs.rm(tmp, { recursive: true, force: true });
};

interface Sample { outageMs: number; failed: number; swapMs: number }

try {
  execFileSync('git', ['-C', REPO, 'worktree', 'add', '--detach', oldTree, String(args.before)], { stdio: 'ignore' });
  await fs.symlink(path.join(REPO, 'node_modules'), path.join(oldTree, 'node_modules'));
  pg = await startPostgres(engine, 15, 'pgkeep-bench');
  await pg.sql('postgres', 'CREATE DATABASE shop');
  await pg.sql('shop', `CREATE TABLE t AS SELECT g, md5(g::text) AS payload FROM generate_series(1, ${Number(args.rows)}) g`);
  const cfg = path.join(tmp, 'projects.yml');
  await fs.writeFile(cfg, `bench:\n  database:\n    container: ${pg.name}\n    user: postgres\n    databases: {production: shop}\n    backup_dir: ./backups\n`);
  const env = { ...process.env, DOCKER_HOST: engine.socket, NO_COLOR: '1' };
  const b = await $({ nothrow: true, quiet: true, env, cwd: REPO })`./scripts/backup.ts --config ${cfg}`;
  if (b.exitCode !== 0) throw new Error(`backup failed: ${b.stderr}`);
  const trees = [['one session (now)', REPO], ['an exec per statement (before)', oldTree]] as const;
  const samples: Sample[][] = [[], []];
  await restoreOnce(REPO, cfg, env); // warm-up
  for (let i = 0; i < Number(args.pairs); i++) {
    for (const [n, [, tree]] of trees.entries()) samples[n]!.push(await restoreOnce(tree, cfg, env));
  }
  console.log(`\n${engine.name}, ${os.cpus().length} cores, ${args.pairs} interleaved pairs after a warm-up, ${Number(args.rows).toLocaleString('en')} rows, no app containers; median (min–max):\n`);
  console.log('| swap | outage seen by a client (first refused to next accepted attempt) | refused attempts | swap as the restore reports it |');
  console.log('|---|---|---|---|');
  for (const [n, [name]] of trees.entries()) {
    const s = samples[n]!;
    console.log(`| ${name} | ${stat(s.map((x) => x.outageMs))} ms | ${stat(s.map((x) => x.failed))} | ${stat(s.map((x) => x.swapMs))} ms |`);
  }
} finally {
  await cleanup();
}

/** One restore of the latest backup, with the 50 ms prober running in the container throughout. */
async function restoreOnce(tree: string, cfg: string, env: NodeJS.ProcessEnv): Promise<Sample> {
  const probe = spawn(engine!.name, ['exec', pg!.name, 'sh', '-c',
    'rm -f /tmp/stop-probe; while [ ! -e /tmp/stop-probe ]; do t=$(date +%s%3N); if psql -X -U postgres -d shop -Atc "select 1" >/dev/null 2>&1; then echo "ok $t"; else echo "no $t"; fi; sleep 0.05; done'], { env });
  const ended = new Promise((res) => probe.on('close', res));
  let log = '';
  probe.stdout.on('data', (d: Buffer) => (log += d.toString()));
  await new Promise((r) => setTimeout(r, 500));
  const r = await $({ nothrow: true, quiet: true, env, cwd: tree })`./scripts/restore.ts --config ${cfg} --backup latest --yes --drop-old`;
  await new Promise((res) => setTimeout(res, 500));
  // Killing the CLI would leave the loop running in the container: it stops itself on this file.
  await $({ nothrow: true, quiet: true, env })`${engine!.name} exec ${pg!.name} touch /tmp/stop-probe`;
  await ended;
  if (r.exitCode !== 0) throw new Error(`restore from ${tree} failed: ${r.stderr}`);
  const attempts = log.trim().split('\n').map((l) => l.split(' ')).map(([s, t]) => ({ ok: s === 'ok', at: Number(t) }));
  const firstNo = attempts.findIndex((a) => !a.ok);
  const nextOk = firstNo < 0 ? -1 : attempts.findIndex((a, i) => i > firstNo && a.ok);
  const outageMs = firstNo < 0 ? 0 : attempts[nextOk]!.at - attempts[firstNo]!.at;
  const swapMs = Number(/swapped in (\d+) ms/.exec(r.stderr)?.[1] ?? Number(/swapped in ([\d.]+) s/.exec(r.stderr)?.[1] ?? NaN) * 1000);
  return { outageMs, failed: attempts.filter((a) => !a.ok).length, swapMs };
}

function stat(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[Math.floor(s.length / 2)]} (${s[0]}–${s.at(-1)})`;
}
