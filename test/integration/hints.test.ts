// Every command pgkeep prints as advice runs as printed: with a config at a non-default path (with
// spaces in it) and two projects, each hint is taken from the output and pasted into a shell in the
// repository, on Docker and Podman. Restores get YES=1, as an operator's "yes" at the prompt.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { REPO, runScript, type ScriptResult } from '../support/run-script.ts';
import { tempDir } from '../support/tempdir.ts';

/** Runs a printed command in bash from the repository root, as an operator pasting it would. */
function paste(command: string, env: Record<string, string>): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The command at the end of the line that holds `label`; fails the test when it is missing. */
function hint(output: string, label: string): string {
  const line = output.split('\n').find((l) => l.includes(label));
  assert.ok(line, `no "${label}" line in:\n${output}`);
  const at = line.indexOf('make db-', line.indexOf(label));
  assert.ok(at >= 0, line);
  return line.slice(at).trim();
}

for (const engine of testEngines()) {
  describe(`printed commands run as printed on ${engine.name}`, () => {
    let pg: PgContainer;
    let tmp: Awaited<ReturnType<typeof tempDir>>;
    const env = { DOCKER_HOST: engine.socket };
    let n = 0;

    before(async () => {
      tmp = await tempDir();
      pg = await startPostgres(engine, 15);
    });
    after(async () => {
      await pg?.remove();
      await tmp?.cleanup();
    });

    /** Own databases and own config (two projects, one with two envs) at a path with spaces. */
    async function fixture() {
      const p = `h${++n}`;
      for (const db of [`${p}_shop`, `${p}_crm`, `${p}_crm_stg`]) {
        await pg.sql('postgres', `CREATE DATABASE ${db} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
        await pg.sql(db, 'CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 100)');
      }
      const dir = path.join(tmp.dir, `conf ${p}`);
      await fs.mkdir(dir);
      const config = path.join(dir, "it's projects.yml");
      await fs.writeFile(config, `
shop:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: ${p}_shop}
    backup_dir: ./backups
crm:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: ${p}_crm, staging: ${p}_crm_stg}
    backup_dir: ./backups
`);
      const count = (db: string) => pg.sql(`${p}_${db}`, 'SELECT count(*) FROM items').then(Number);
      const addRow = (db: string) => pg.sql(`${p}_${db}`, 'INSERT INTO items VALUES (1000)');
      const run = (script: string, ...args: string[]) => runScript(script, ['--config', config, ...args], { env });
      return { config, count, addRow, run, dir };
    }

    it('"no backups yet" names the config, project and env, and makes that backup', async () => {
      const f = await fixture();
      const list = await f.run('list-backups', '--project', 'crm', '--env', 'staging');
      assert.equal(list.code, 0, list.stderr);
      const command = hint(list.stdout, 'make the first one with:');
      assert.match(command, /CONFIG='.*' PROJECT=crm ENV=staging$/);
      const r = await paste(command, env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /crm\/staging\/h\d+_crm_stg_\d{8}_\d{6}\.dump$/m);
      assert.doesNotMatch(r.stdout, /_shop_|\/production\//, 'only the named project/env was backed up');
    });

    it('backup\'s "To restore this set" restores that set', async () => {
      const f = await fixture();
      const b = await f.run('backup', '--project', 'shop');
      assert.equal(b.code, 0, b.stderr);
      const command = hint(b.stderr, 'To restore this set:');
      assert.match(command, /PROJECT=shop BACKUP=\d{8}_\d{6}$/);
      await f.addRow('shop');
      const r = await paste(`${command} YES=1`, env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /live now: h\d+_shop /);
      assert.equal(await f.count('shop'), 100);
    });

    it('the listing\'s footer restores the latest backup', async () => {
      const f = await fixture();
      assert.equal((await f.run('backup', '--project', 'crm', '--env', 'production')).code, 0);
      const list = await f.run('list-backups', '--project', 'crm', '--env', 'production');
      const command = hint(list.stdout, 'restore the latest:');
      assert.match(command, /PROJECT=crm ENV=production BACKUP=latest$/);
      await f.addRow('crm');
      const r = await paste(`${command} YES=1`, env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await f.count('crm'), 100);
    });

    it('restore\'s undo hint brings back what the restore replaced', async () => {
      const f = await fixture();
      assert.equal((await f.run('backup', '--project', 'shop')).code, 0);
      await f.addRow('shop');
      const restore = await f.run('restore', '--project', 'shop', '--backup', 'latest', '--yes');
      assert.equal(restore.code, 0, restore.stderr);
      assert.equal(await f.count('shop'), 100);
      const command = hint(restore.stderr, 'to undo this restore later:');
      const r = await paste(`${command} YES=1`, env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await f.count('shop'), 101, 'the row added before the restore is back');
    });

    it('a corrupt backup\'s hint restores the newest older intact one', async () => {
      const f = await fixture();
      assert.equal((await f.run('backup', '--project', 'crm', '--env', 'staging')).code, 0);
      await f.addRow('crm_stg');
      const second = await f.run('backup', '--project', 'crm', '--env', 'staging');
      assert.equal(second.code, 0, second.stderr);
      const newest = second.stdout.trim();
      const bytes = await fs.readFile(newest);
      bytes.writeUInt8(bytes.readUInt8(bytes.length >> 1) ^ 0xff, bytes.length >> 1);
      await fs.writeFile(newest, bytes);
      const ts = /_(\d{8}_\d{6})\.dump$/.exec(newest)![1]!;
      const refused = await f.run('restore', '--project', 'crm', '--env', 'staging', '--backup', ts, '--yes');
      assert.equal(refused.code, 1, refused.stderr);
      const command = hint(refused.stderr, 'the newest older intact backup of');
      assert.match(command, /PROJECT=crm ENV=staging DB=h\d+_crm_stg BACKUP=\d{8}_\d{6}$/);
      const r = await paste(`${command} YES=1`, env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await f.count('crm_stg'), 100, 'the older intact backup is live');
    });
  });
}
