// The project/env lock on real engines: runs that wait on it decide their timestamp and their
// backups only once they hold it, and a refused run says so once.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Manifest } from '../../lib/backup/manifest.ts';
import { acquireLock } from '../../lib/files/lock.ts';
import { formatTimestamp } from '../../lib/names.ts';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { runScript, type ScriptResult } from '../support/run-script.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';

const sha256 = async (file: string) => createHash('sha256').update(await fs.readFile(file)).digest('hex');
const readManifest = async (file: string) => JSON.parse(await fs.readFile(`${file}.json`, 'utf8')) as Manifest;

/** Holds the lock of `dir` in this process, as another pgkeep run would. */
async function holdLock(dir: string): Promise<() => Promise<void>> {
  const lock = await acquireLock(dir, 'test holder');
  return () => lock.release();
}

/** Resolves once the child has said it is waiting for the lock. */
function waitingFor(child: { stderr: NodeJS.ReadableStream | null }): Promise<void> {
  return new Promise((resolve) => {
    let text = '';
    child.stderr?.on('data', (d: Buffer) => {
      text += d.toString();
      if (/waiting for the lock/.test(text)) resolve();
    });
  });
}

for (const engine of testEngines()) {
  describe(`project/env locks on ${engine.name}`, () => {
    let pg: PgContainer;
    let tmp: Awaited<ReturnType<typeof tempDir>>;
    const env = { DOCKER_HOST: engine.socket };

    /** Each test gets its own config and backup directory, so none depends on another's files. */
    async function setup(name: string, projects: Record<string, string>) {
      const base = path.join(tmp.dir, name);
      await fs.mkdir(base);
      const yaml = Object.entries(projects)
        .map(([project, dbs]) => `${project}:\n  database:\n    container: ${pg.name}\n    user: postgres\n    databases: {production: ${dbs}}\n`)
        .join('');
      return { cfg: await writeConfig(base, yaml), dir: (project: string) => path.join(base, 'backups', project, 'production') };
    }

    before(async () => {
      tmp = await tempDir();
      pg = await startPostgres(engine, 15);
      for (const db of ['billing', 'ledger', 'shop']) {
        await pg.sql('postgres', `CREATE DATABASE ${db} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
        await pg.sql(db, `CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 20000) g`);
      }
    });
    after(async () => {
      await pg?.remove();
      await tmp?.cleanup();
    });

    it('two scheduled runs started together with --lock-wait both succeed, with distinct timestamps and complete files', async () => {
      // Both runs must see the same first free second, whenever each of them starts: every second
      // from now on for a while is taken, so that second is the first one after the placeholders.
      // This is what two cron runs in one second see; a run that picks its timestamp before it
      // holds the lock then writes over the other's name.
      const { cfg, dir } = await setup('collide', { billing: 'billing' });
      await fs.mkdir(dir('billing'), { recursive: true });
      const now = Date.now();
      for (let s = -1; s < 20; s++) await fs.writeFile(path.join(dir('billing'), `placeholder_${formatTimestamp(new Date(now + s * 1000))}.taken`), '');
      const run = () => runScript('scheduled-backup', ['--config', cfg, '--lock-wait', '60'], { env });
      const runs = await Promise.all([run(), run()]);
      for (const r of runs) assert.equal(r.code, 0, r.stderr);
      const names = (await fs.readdir(dir('billing'))).filter((n) => /^billing_\d{8}_\d{6}\.dump$/.test(n)).sort();
      assert.equal(names.length, 2, names.join(' '));
      assert.notEqual(names[0]!.slice(8, 23), names[1]!.slice(8, 23));
      for (const name of names) {
        const file = path.join(dir('billing'), name);
        const m = await readManifest(file);
        assert.equal(m.sha256, await sha256(file), `${name} matches its manifest`);
        assert.equal(m.size, (await fs.stat(file)).size);
      }
      assert.equal(await fs.readlink(path.join(dir('billing'), 'billing_latest.dump')), names[1]);
      assert.deepEqual((await fs.readdir(dir('billing'))).filter((n) => n.endsWith('.partial') || n === '.pgkeep.lock'), []);
    });

    it('verify chooses its backups once it holds the lock: one pruned while it waited is not verified nor given a manifest again', async () => {
      const { cfg, dir } = await setup('verify', { shop: 'shop' });
      for (let i = 0; i < 2; i++) {
        const b = await runScript('backup', ['--config', cfg, '--project', 'shop'], { env });
        assert.equal(b.code, 0, b.stderr);
      }
      const files = (await fs.readdir(dir('shop'))).filter((n) => /^shop_\d{8}_\d{6}\.dump$/.test(n)).sort().map((n) => path.join(dir('shop'), n));
      assert.equal(files.length, 2);
      const release = await holdLock(dir('shop'));
      let verifying: Promise<ScriptResult>;
      try {
        let waiting!: Promise<void>;
        verifying = runScript('verify', ['--config', cfg, '--project', 'shop', '--all', '--lock-wait', '120'], { env, onSpawn: (c) => (waiting = waitingFor(c)) });
        await waiting;
        // What prune does to an expired backup while it holds the lock.
        await fs.rm(files[0]!);
        await fs.rm(`${files[0]}.json`);
      } finally {
        await release();
      }
      const r = await verifying;
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr + r.stdout, new RegExp(path.basename(files[0]!)));
      await assert.rejects(fs.access(`${files[0]}.json`), 'no manifest re-created for the pruned backup');
      assert.equal((await readManifest(files[1]!)).verified?.ok, true);
    });

    it('a run refused by the lock prints the lock error once, naming the holder, and exits 4', async () => {
      const { cfg, dir } = await setup('refused', { pair: '[billing, ledger]' });
      const release = await holdLock(dir('pair'));
      try {
        const commands: Array<[string, string[]]> = [
          ['backup', []],
          ['prune', []],
          ['verify', []],
          ['restore', ['--backup', 'latest', '--yes']],
          ['pre-deploy', ['--env', 'production']],
        ];
        for (const [script, extra] of commands) {
          const r = await runScript(script, ['--config', cfg, '--project', 'pair', ...extra], { env });
          assert.equal(r.code, 4, `${script}: ${r.stderr}`);
          const lines = r.stderr.split('\n').filter((l) => /is locked by another pgkeep run/.test(l));
          assert.equal(lines.length, 1, `${script} prints the lock error once:\n${r.stderr}`);
          assert.match(lines[0]!, new RegExp(`pair/production is locked by another pgkeep run: PID ${process.pid} on \\S+, started \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z, running "`));
          assert.equal(r.stdout, '', `${script} prints no result`);
        }
      } finally {
        await release();
      }
    });
  });
}
