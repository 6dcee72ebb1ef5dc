// What every fault test needs: a real server with a database worth dumping, a config, a script run
// whose stderr can be watched while it runs, and the three checks of the fault suite: nothing lost,
// one clear message, the documented exit code.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { TestEngine } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { REPO } from '../support/run-script.ts';
import { tableHashes } from '../support/seed.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';

const running = new Set<ChildProcess>();

/** Stops scripts a failed test left running (SIGTERM: they clean up), so the next case starts clean. */
export async function stopLeftoverScripts(): Promise<void> {
  await Promise.all([...running].map((c) => new Promise((r) => {
    c.once('close', r);
    c.kill('SIGTERM');
  })));
}

export interface Run {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts a script as cron would; the caller may watch stderr and signal it while it runs. */
export function startScript(script: string, args: string[], env: Record<string, string | undefined> = {}, shellPrefix?: string): Run {
  const file = path.join(REPO, 'scripts', `${script}.ts`);
  const child = shellPrefix
    ? spawn('/bin/sh', ['-c', `${shellPrefix}; exec "$0" "$@"`, file, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env } })
    : spawn(file, args, { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin!.end();
  running.add(child);
  child.on('close', () => running.delete(child));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, stderr: () => stderr, done };
}

export const runToEnd = (script: string, args: string[], env: Record<string, string | undefined> = {}, shellPrefix?: string) =>
  startScript(script, args, env, shellPrefix).done;

/** Polls `check` every 25 ms until it is true; fails the test after `ms`. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, ms = 240_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Size of the one `.partial` file in `dir`, 0 when there is none. */
export async function partialBytes(dir: string): Promise<number> {
  for (const f of await fs.readdir(dir).catch(() => [] as string[])) {
    if (f.endsWith('.partial')) return (await fs.stat(path.join(dir, f)).catch(() => ({ size: 0 }))).size;
  }
  return 0;
}

export const sha256 = async (file: string) => {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
};

/** One clear message: the expected cause on stderr, and no stack trace (no "    at " lines). */
export function assertClearMessage(stderr: string, cause: RegExp): void {
  assert.doesNotMatch(stderr, /^\s+at /m, `a stack trace leaked without --verbose:\n${stderr}`);
  assert.match(stderr, cause, stderr);
}

/** Makes a database whose dump streams for a while: rows of hex that compress only about 2:1. */
export async function createBigDatabase(pg: PgContainer, db: string, rows = 500_000): Promise<void> {
  await pg.sql('postgres', `CREATE DATABASE "${db}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
  await pg.sql(db, `CREATE TABLE blob (id int PRIMARY KEY, a text, b text);
    INSERT INTO blob SELECT g, md5(g::text) || md5((g * 7)::text), md5((g * 13)::text) FROM generate_series(1, ${rows}) g;`);
}

export async function createSmallDatabase(pg: PgContainer, db: string): Promise<void> {
  await pg.sql('postgres', `CREATE DATABASE "${db}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
  await pg.sql(db, `CREATE TABLE t (id int PRIMARY KEY, note text); INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 1000) g;`);
}

export interface Bed {
  engine: TestEngine;
  pg: PgContainer;
  root: string;
  cfg: string;
  /** The project/env's backup directory. */
  dir: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export interface BedOptions {
  databases: string[];
  /** YAML lines added to the project's database: block (indented by 4). */
  extra?: string[];
  backupDir?: string;
  user?: string;
  /** Lines of the backup: block; default enabled with retention_days: 30. */
  backup?: string[];
}

/** A container, a temporary directory and a config for project `shop`, env `production`. */
export async function makeBed(engine: TestEngine, opts: BedOptions, version: 15 | 17 = 15): Promise<Bed> {
  const tmp = await tempDir('pgkeep-faults-');
  let pg: PgContainer | undefined;
  try {
    pg = await startPostgres(engine, version, 'pgkeep-faults');
    const backupDir = opts.backupDir ?? path.join(tmp.dir, 'backups');
    const cfg = await writeConfig(tmp.dir, configYaml(pg.name, opts, backupDir));
    const p = pg;
    return {
      engine, pg, root: tmp.dir, cfg,
      dir: path.join(backupDir, 'shop', 'production'),
      env: { DOCKER_HOST: engine.socket },
      cleanup: async () => {
        await p.remove();
        await tmp.cleanup();
      },
    };
  } catch (err) {
    await pg?.remove();
    await tmp.cleanup();
    throw err;
  }
}

export function configYaml(container: string, opts: BedOptions, backupDir: string): string {
  return [
    'shop:',
    '  database:',
    `    container: ${container}`,
    `    user: ${opts.user ?? 'postgres'}`,
    '    databases:',
    `      production: [${opts.databases.join(', ')}]`,
    '    backup:',
    ...(opts.backup ?? ['enabled: true', 'retention_days: 30']).map((l) => `      ${l}`),
    `    backup_dir: ${backupDir}`,
    ...(opts.extra ?? []).map((l) => `    ${l}`),
    '',
  ].join('\n');
}

/** What must survive a fault: every backup file's bytes, the latest links, the live data. */
export interface State {
  files: Record<string, string>;
  links: Record<string, string>;
  live: Record<string, Record<string, string>>;
}

/** A manifest's content less `verified`, which verify is meant to update (with a failure, too). */
function manifestIdentity(text: string): string {
  try {
    const { verified: _, ...rest } = JSON.parse(text) as Record<string, unknown>;
    return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
  } catch {
    return createHash('sha256').update(text).digest('hex');
  }
}

export async function captureState(dir: string, pg?: PgContainer, dbs: string[] = []): Promise<State> {
  const files: Record<string, string> = {};
  const links: Record<string, string> = {};
  for (const f of (await fs.readdir(dir).catch(() => [] as string[])).sort()) {
    const p = path.join(dir, f);
    const st = await fs.lstat(p);
    if (st.isSymbolicLink()) links[f] = await fs.readlink(p);
    else if (f.startsWith('.')) continue; // the lock, temporary files, list-backups' cache
    else if (f.endsWith('.json')) files[f] = manifestIdentity(await fs.readFile(p, 'utf8'));
    else if (st.isFile()) files[f] = await sha256(p);
  }
  const live: State['live'] = {};
  for (const db of dbs) live[db] = await tableHashes(pg!, db);
  return { files, links, live };
}

/**
 * Nothing lost: the earlier backups are byte-identical and still match their manifests, `latest`
 * points where it did, no temporary file remains, no new backup appeared, the live data is as it was.
 */
export async function assertNothingLost(before: State, dir: string, pg?: PgContainer, damaged: string[] = []): Promise<void> {
  const after = await captureState(dir, pg, Object.keys(before.live));
  assert.deepEqual(after.files, before.files, 'backup files and manifests are exactly as before the fault');
  assert.deepEqual(after.links, before.links, 'the latest links still point at the last complete backup');
  for (const [f, hash] of Object.entries(before.files)) {
    if (f.endsWith('.json') || damaged.includes(f)) continue;
    const m = JSON.parse(await fs.readFile(path.join(dir, `${f}.json`), 'utf8')) as { sha256: string };
    assert.equal(m.sha256, hash, `${f} matches its manifest's sha256`);
  }
  const leftovers = (await fs.readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.partial'));
  assert.deepEqual(leftovers, [], 'no temporary file is left behind');
  assert.deepEqual(after.live, before.live, 'the live databases are unchanged');
}

/** Databases whose names show pgkeep's temporary work: none may survive a fault. */
export async function tempDatabases(pg: PgContainer): Promise<string[]> {
  return (await pg.sql('postgres', `SELECT datname FROM pg_database WHERE datname LIKE '%\\_\\_restore\\_%' OR datname LIKE '%\\_\\_verify\\_%' ORDER BY 1`))
    .split('\n').filter(Boolean);
}

export async function lockFiles(dir: string): Promise<string[]> {
  return (await fs.readdir(dir).catch(() => [] as string[])).filter((f) => f === '.pgkeep.lock');
}

/** Takes the baseline backup that every fault must leave intact. */
export async function baselineBackup(bed: Bed): Promise<void> {
  const r = await runToEnd('backup', ['--config', bed.cfg], bed.env);
  assert.equal(r.code, 0, r.stderr);
  // One run per second at most gets a fresh timestamp; the fault's run must not share it.
  await new Promise((res) => setTimeout(res, 1100));
}
