// How fast list-backups answers with 10,000 backups on disk. Builds a backup directory of small
// fake dumps with real manifests (one project/env, 4 databases x 2,500 sets), then times the library
// call and the whole CLI, each several times. No engine needed: listing reads manifests only.
//   node --import tsx bench/list-10k.ts [--sets 2500]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import minimist from 'minimist';
import type { Manifest } from '../lib/backup/manifest.ts';
import { listBackups } from '../lib/list/list-backups.ts';
import { renderGroups } from '../lib/list/render.ts';
import { commandHint } from '../lib/cli/command-hint.ts';
import { formatTimestamp } from '../lib/names.ts';
import { Chalk } from 'chalk';

const args = minimist(process.argv.slice(2), { default: { sets: 2500, runs: 5 } });
const DBS = ['shop', 'crm', 'auth', 'blog'];
const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pgkeep-bench-list-'));
try {
  const dir = path.join(root, 'backups', 'bench', 'production');
  await fs.mkdir(dir, { recursive: true });
  const start = Date.UTC(2020, 0, 1);
  for (let s = 0; s < Number(args.sets); s++) {
    const ts = formatTimestamp(new Date(start + s * 3_600_000));
    await Promise.all(DBS.map((db) => plant(dir, db, ts)));
  }
  const config = path.join(root, 'projects.yml');
  await fs.writeFile(config, `bench:\n  database:\n    container: c\n    user: u\n    databases: {production: [${DBS.join(', ')}]}\n`);
  const files = Number(args.sets) * DBS.length;
  const lib: number[] = [];
  for (let i = 0; i < Number(args.runs); i++) {
    const t = performance.now();
    const groups = await listBackups({ config });
    renderGroups(groups, new Chalk({ level: 0 }), commandHint({ file: config, projects: [] }));
    lib.push(performance.now() - t);
    if (groups[0]!.entries.length !== files) throw new Error(`listed ${groups[0]!.entries.length}, expected ${files}`);
  }
  const cli: number[] = [];
  for (let i = 0; i < Number(args.runs); i++) {
    const t = performance.now();
    execFileSync('./scripts/list-backups.ts', ['--config', config, '--json'], { stdio: ['ignore', 'ignore', 'inherit'] });
    cli.push(performance.now() - t);
  }
  const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
  console.log(`| backups | listBackups() + table render | whole CLI, --json (incl. Node + tsx start) |`);
  console.log(`|---|---|---|`);
  console.log(`| ${files.toLocaleString('en-US')} | ${fmt(lib)} | ${fmt(cli)} |`);
} finally {
  if (!process.env.KEEP) await fs.rm(root, { recursive: true, force: true });
  else console.log(root);
}

async function plant(dir: string, database: string, timestamp: string): Promise<void> {
  const file = `${database}_${timestamp}.dump`;
  const iso = new Date(Date.UTC(+timestamp.slice(0, 4), +timestamp.slice(4, 6) - 1, +timestamp.slice(6, 8), +timestamp.slice(9, 11))).toISOString();
  const m: Manifest = {
    manifest_version: 1, tool: { name: 'pgkeep', version: 'bench' }, project: 'bench', env: 'production', database, timestamp, file,
    reason: 'scheduled', container: 'c', image: 'postgres:15', engine: 'docker', format: 'custom',
    compression: { method: 'gzip', level: 6, by: 'pg_dump' }, size: 4, sha256: '0'.repeat(64),
    started_at: iso, finished_at: iso, duration_ms: 1000,
    server: { version: '15.18', version_num: 150018, encoding: 'UTF8', collate: 'C', ctype: 'C', locale_provider: 'c' },
    pg_dump_version: '15.18', row_counts: 'exact',
    tables: Array.from({ length: 20 }, (_, i) => ({ schema: 'public', name: `table_${i}`, rows: i * 1000 })),
  };
  await fs.writeFile(path.join(dir, file), 'PGDM');
  await fs.writeFile(path.join(dir, `${file}.json`), JSON.stringify(m, null, 2));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
