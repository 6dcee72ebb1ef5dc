// age through Debian's age binary (a child process on pipes) against the age-encryption npm
// package (typage, in-process), on a ~250 MB dump-like file: wall, CPU (user+sys of the process
// tree) and peak RSS, encrypt and decrypt, interleaved A,B,A,B so drift hits both alike.
//   node --import tsx bench/age.ts [--mib 250] [--pairs 3]
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import minimist from 'minimist';
import { $ } from 'zx';

const args = minimist(process.argv.slice(2), { default: { mib: 250, pairs: 3 } });
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'pgkeep-bench-age-'));
interface Sample { wall: number; cpu: number; rssMiB: number }

try {
  const plain = path.join(tmp, 'dump.bin');
  await dumpLike(plain, Number(args.mib) * 2 ** 20);
  const identity = path.join(tmp, 'id.txt');
  execFileSync('age-keygen', ['-o', identity], { stdio: 'ignore' });
  const recipient = execFileSync('age-keygen', ['-y', identity], { encoding: 'utf8' }).trim();
  const impls = ['cli', 'npm'] as const;
  const results: Record<string, Sample[]> = {};
  for (let i = 0; i < Number(args.pairs); i++) {
    for (const impl of impls) {
      const enc = path.join(tmp, `${impl}.age`);
      (results[`${impl} encrypt`] ??= []).push(await run([impl, 'encrypt', plain, enc, recipient]));
      const back = path.join(tmp, `${impl}.out`);
      (results[`${impl} decrypt`] ??= []).push(await run([impl, 'decrypt', enc, back, identity]));
      if ((await sha(back)) !== (await sha(plain))) throw new Error(`${impl}: the round trip changed the bytes`);
      await fs.rm(back);
    }
  }
  const size = (await fs.stat(plain)).size;
  console.log(`\n${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${(size / 2 ** 20).toFixed(0)} MiB dump-like file, ${args.pairs} interleaved pairs, median (min–max):\n`);
  console.log('| implementation | operation | wall | CPU (user+sys, process tree) | peak RSS (largest process) |');
  console.log('|---|---|---|---|---|');
  for (const [what, s] of Object.entries(results)) {
    const [impl, op] = what.split(' ');
    const name = impl === 'cli' ? 'Debian `age` 1.1.1 (child process, pipes)' : '`age-encryption` 0.3.1 (npm, in-process)';
    console.log(`| ${name} | ${op} | ${stat(s, (x) => x.wall, 's')} | ${stat(s, (x) => x.cpu, 's')} | ${stat(s, (x) => x.rssMiB, 'MiB', 0)} |`);
  }
} finally {
  await fs.rm(tmp, { recursive: true, force: true });
}

async function run(workerArgs: string[]): Promise<Sample> {
  const r = await $({ nothrow: true, quiet: true })`/usr/bin/time -f ${'%e %U %S %M'} node --import tsx bench/age-worker.ts ${workerArgs}`;
  if (r.exitCode !== 0) throw new Error(`${workerArgs.slice(0, 2).join(' ')} failed: ${r.stderr}`);
  const [wall, user, sys, rssKiB] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number, number, number];
  return { wall, cpu: user + sys, rssMiB: rssKiB / 1024 };
}

/** Like a dump: SQL-ish text rows (compressible) mixed with random blocks (already compressed data). */
async function dumpLike(file: string, bytes: number): Promise<void> {
  const out = createWriteStream(file);
  let written = 0;
  for (let i = 0; written < bytes; i++) {
    const chunk = i % 4 === 3
      ? randomBytes(256 * 1024)
      : Buffer.from(Array.from({ length: 2048 }, (_, j) => `${i * 2048 + j}\tcustomer ${j % 97}\t${(j * 7.31).toFixed(2)}\t2026-11-22 02:00:${String(j % 60).padStart(2, '0')}+00\n`).join(''));
    written += chunk.length;
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

async function sha(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of (await import('node:fs')).createReadStream(file)) h.update(c as Buffer);
  return h.digest('hex');
}

function stat(s: Sample[], f: (x: Sample) => number, unit: string, digits = 2): string {
  const v = s.map(f).sort((a, b) => a - b);
  const fmt = (x: number) => x.toFixed(digits);
  return `${fmt(v[Math.floor(v.length / 2)]!)} ${unit} (${fmt(v[0]!)}–${fmt(v.at(-1)!)})`;
}
