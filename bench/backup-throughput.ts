// What pgkeep's backup costs next to the raw pipeline it replaces, `docker exec pg_dump > file`,
// on the same database: wall time, host CPU (user+sys of the client process) and peak RSS.
// pg_dump's own work happens inside the container and is the same for both.
//   node --import tsx bench/backup-throughput.ts [--rows 1200000] [--runs 3] [--engine docker|podman]
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import minimist from 'minimist';
import { $ } from 'zx';
import { startPostgres, type PgContainer } from '../test/support/pg-container.ts';
import { testEngines } from '../test/support/engines.ts';

const args = minimist(process.argv.slice(2), { default: { rows: 1_200_000, runs: 3, engine: 'docker' } });
const engine = testEngines().find((e) => e.name === args.engine);
if (!engine) throw new Error(`unknown engine ${args.engine}`);
const cli = engine.name; // the docker or podman CLI, for the raw pipeline
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'pgkeep-bench-'));
let pg: PgContainer | undefined;
const cleanup = async () => {
  await pg?.remove();
  await fs.rm(tmp, { recursive: true, force: true });
};
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

interface Sample { wall: number; cpu: number; rssMiB: number; size: number }

try {
  pg = await startPostgres(engine, 15, 'pgkeep-bench');
  await pg.sql('postgres', 'CREATE DATABASE big');
  await pg.sql('postgres', 'CREATE DATABASE small');
  await pg.sql('big', `CREATE TABLE t AS SELECT g, md5(g::text) || repeat(md5((g * 3)::text), 4) AS payload FROM generate_series(1, ${Number(args.rows)}) g`);
  await pg.sql('small', 'CREATE TABLE t AS SELECT g, md5(g::text) AS payload FROM generate_series(1, 1000) g');
  const rows: string[] = [];
  for (const db of ['small', 'big']) {
    for (const counts of ['off', 'exact']) {
      const cfg = path.join(tmp, `${db}-${counts}.yml`);
      await fs.writeFile(cfg, `bench:\n  database:\n    container: ${pg.name}\n    user: postgres\n    databases: {production: ${db}}\n    compression: 0\n    row_counts: ${counts}\n    backup_dir: ./backups\n    backup: {keep_last: 1}\n`);
      const raw = await measure(args.runs, () => ['/usr/bin/time', '-f', '%e %U %S %M', 'sh', '-c', `${cli} exec ${pg!.name} pg_dump -U postgres -Fc -Z0 ${db} > ${tmp}/raw.dump`], `${tmp}/raw.dump`);
      const tool = await measure(args.runs, () => ['/usr/bin/time', '-f', '%e %U %S %M', './scripts/backup.ts', '--config', cfg], 'newest');
      if (counts === 'off') rows.push(line(`${db}: raw \`${cli} exec pg_dump > file\``, raw));
      rows.push(line(`${db}: pgkeep backup (row_counts: ${counts})`, tool, raw));
    }
  }
  console.log(`\n${cli}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, median of ${args.runs} runs, custom format without compression:\n`);
  console.log('| what | dump size | wall | host CPU (user+sys) | peak RSS |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(r);
} finally {
  await cleanup();
}

async function measure(runs: number, argv: () => string[], output: string): Promise<Sample> {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const [cmd, ...rest] = argv();
    const r = await $({ nothrow: true, quiet: true, env: { ...process.env, DOCKER_HOST: engine!.socket, NO_COLOR: '1' } })`${cmd} ${rest}`;
    if (r.exitCode !== 0) throw new Error(`${argv().join(' ')} failed: ${r.stderr}`);
    const [wall, user, sys, rssKiB] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number, number, number];
    const file = output === 'newest' ? r.stdout.trim().split('\n').at(-1)! : output;
    samples.push({ wall, cpu: user + sys, rssMiB: rssKiB / 1024, size: (await fs.stat(file)).size });
  }
  const mid = (f: (s: Sample) => number) => [...samples].map(f).sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
  return { wall: mid((s) => s.wall), cpu: mid((s) => s.cpu), rssMiB: mid((s) => s.rssMiB), size: mid((s) => s.size) };
}

function line(what: string, s: Sample, base?: Sample): string {
  const rel = (a: number, b: number) => (base ? ` (${(a / b).toFixed(2)}x)` : '');
  return `| ${what} | ${(s.size / 2 ** 20).toFixed(1)} MiB | ${s.wall.toFixed(2)} s${rel(s.wall, base?.wall ?? 1)} | ${s.cpu.toFixed(2)} s${rel(s.cpu, base?.cpu ?? 1)} | ${s.rssMiB.toFixed(0)} MiB |`;
}
