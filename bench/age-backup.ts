// pgkeep backup with and without encryption on the same database, interleaved A,B,A,B: wall,
// host CPU (user+sys of pgkeep and its age child) and peak RSS (the largest process).
//   node --import tsx bench/age-backup.ts [--rows 1200000] [--pairs 3] [--engine docker|podman]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import minimist from 'minimist';
import { $ } from 'zx';
import { startPostgres, type PgContainer } from '../test/support/pg-container.ts';
import { testEngines } from '../test/support/engines.ts';

const args = minimist(process.argv.slice(2), { default: { rows: 1_200_000, pairs: 3, engine: 'docker' } });
const engine = testEngines().find((e) => e.name === args.engine);
if (!engine) throw new Error(`unknown engine ${args.engine}`);
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'pgkeep-bench-'));
let pg: PgContainer | undefined;
interface Sample { wall: number; cpu: number; rssMiB: number; size: number }

try {
  pg = await startPostgres(engine, 15, 'pgkeep-bench');
  await pg.sql('postgres', 'CREATE DATABASE big');
  await pg.sql('big', `CREATE TABLE t AS SELECT g, md5(g::text) || repeat(md5((g * 3)::text), 4) AS payload FROM generate_series(1, ${Number(args.rows)}) g`);
  const identity = path.join(tmp, 'id.txt');
  execFileSync('age-keygen', ['-o', identity], { stdio: 'ignore' });
  const recipient = execFileSync('age-keygen', ['-y', identity], { encoding: 'utf8' }).trim();
  const configs: Record<string, string> = {};
  for (const [what, enc] of [['plain', ''], ['age', `    encryption: {recipients: [${recipient}]}\n`]] as const) {
    configs[what] = path.join(tmp, `${what}.yml`);
    await fs.writeFile(configs[what]!, `bench:\n  database:\n    container: ${pg.name}\n    user: postgres\n    databases: {production: big}\n    row_counts: off\n    backup_dir: ./backups-${what}\n${enc}    backup: {keep_last: 1}\n`);
  }
  const samples: Record<string, Sample[]> = { plain: [], age: [] };
  for (let i = 0; i < Number(args.pairs); i++) for (const what of ['plain', 'age']) samples[what]!.push(await backup(configs[what]!));
  console.log(`\n${engine.name}, ${os.cpus().length} cores, ${args.rows} rows, custom format (pg_dump's gzip 6), ${args.pairs} interleaved pairs, median (min–max):\n`);
  console.log('| pgkeep backup | stored size | wall | host CPU (user+sys) | peak RSS |');
  console.log('|---|---|---|---|---|');
  for (const [what, s] of Object.entries(samples)) {
    console.log(`| ${what === 'age' ? 'with `encryption:` (age)' : 'without encryption'} | ${(s[0]!.size / 2 ** 20).toFixed(1)} MiB | ${stat(s, (x) => x.wall, 's')} | ${stat(s, (x) => x.cpu, 's')} | ${stat(s, (x) => x.rssMiB, 'MiB', 0)} |`);
  }
} finally {
  await pg?.remove();
  await fs.rm(tmp, { recursive: true, force: true });
}

async function backup(cfg: string): Promise<Sample> {
  const r = await $({ nothrow: true, quiet: true, env: { ...process.env, DOCKER_HOST: engine!.socket, NO_COLOR: '1' } })`/usr/bin/time -f ${'%e %U %S %M'} ./scripts/backup.ts --config ${cfg}`;
  if (r.exitCode !== 0) throw new Error(`backup failed: ${r.stderr}`);
  const [wall, user, sys, rssKiB] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number, number, number];
  return { wall, cpu: user + sys, rssMiB: rssKiB / 1024, size: (await fs.stat(r.stdout.trim().split('\n').at(-1)!)).size };
}

function stat(s: Sample[], f: (x: Sample) => number, unit: string, digits = 2): string {
  const v = s.map(f).sort((a, b) => a - b);
  const fmt = (x: number) => x.toFixed(digits);
  return `${fmt(v[Math.floor(v.length / 2)]!)} ${unit} (${fmt(v[0]!)}–${fmt(v.at(-1)!)})`;
}
