// Restore paths the round-trip suite does not reach: plain-format files, a successful --in-place,
// and a swap that fails half-way. One server per engine; every test works on databases of its own
// (copies of a seeded template), its own config, backup directory and app container.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { Manifest } from '../../lib/backup/manifest.ts';
import { startApp, type AppContainer } from '../support/app-container.ts';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { REPO, runScript } from '../support/run-script.ts';
import { createRichDatabase, databases, tableHashes } from '../support/seed.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';

/** Enough rows to span many pages and COPY buffers, few enough to stay quick on a shared machine. */
const ROWS = 20_000;

for (const engine of testEngines()) {
  describe(`restore paths on ${engine.name}`, () => {
    let pg: PgContainer;
    let original: Record<string, string>;
    const env = { DOCKER_HOST: engine.socket };

    /** A fresh database with the seed's content, copied from the untouched template. */
    const copyOfRich = (name: string) => pg.sql('postgres', `CREATE DATABASE "${name}" TEMPLATE rich`);
    /** Runs `body` with its own temp dir and app container, removed on every path. */
    const withFixture = async (body: (f: { dir: string; app: AppContainer }) => Promise<void>) => {
      const tmp = await tempDir();
      const app = await startApp(engine);
      try {
        await body({ dir: tmp.dir, app });
      } finally {
        await app.remove();
        await tmp.cleanup();
      }
    };
    const config = (dir: string, project: string, dbs: string, extra = '') =>
      writeConfig(dir, `
${project}:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: ${dbs}}
${extra}`);
    const leftovers = async (prefix: string) => (await databases(pg)).filter((d) => d.startsWith(prefix) && /__(pre_)?restore_/.test(d));

    before(async () => {
      pg = await startPostgres(engine, 15);
      await createRichDatabase(pg, 'rich', 'postgres', ROWS);
      original = await tableHashes(pg, 'rich');
    });
    after(async () => {
      await pg?.remove();
    });

    it('restores a seed-style `pg_dump | gzip` .sql.gz given by path over a live database: every table identical', async () => {
      await withFixture(async ({ dir }) => {
        await copyOfRich('seedlive');
        const file = path.join(dir, 'seedlive_20250101_000000.sql.gz');
        const d = await pg.runtime.exec(pg.name, ['pg_dump', '-U', 'postgres', 'rich'], { stdout: [createGzip(), (await fs.open(file, 'w')).createWriteStream()] });
        assert.equal(d.exitCode, 0, d.stderr);
        await pg.sql('seedlive', "DELETE FROM shop.orders WHERE id % 3 = 0; UPDATE shop.customers SET city = 'nowhere'; DROP TABLE audit.events_2026");
        const cfg = await config(dir, 'seed', 'seedlive');
        // BACKUP=./file, as an operator types it (the scripts run from the repository root).
        const dotSlash = `./${path.relative(REPO, file)}`;
        const r = await runScript('restore', ['--config', cfg, '--backup', dotSlash, '--db', 'seedlive', '--yes', '--drop-old'], { env });
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(await tableHashes(pg, 'seedlive'), original);
        assert.equal(r.stdout.trim(), `live now: seedlive in container ${pg.name} holds file ${file}`);
        assert.deepEqual(await leftovers('seedlive'), []);
      });
    });

    it('restores a pgkeep `format: plain` backup by timestamp: every table identical, counts verified', async () => {
      await withFixture(async ({ dir }) => {
        await copyOfRich('plainlive');
        const cfg = await config(dir, 'plain', 'plainlive', '    format: plain\n');
        const b = await runScript('backup', ['--config', cfg], { env });
        assert.equal(b.code, 0, b.stderr);
        const file = b.stdout.trim();
        assert.match(path.basename(file), /^plainlive_\d{8}_\d{6}\.sql\.gz$/);
        const m = JSON.parse(await fs.readFile(`${file}.json`, 'utf8')) as Manifest;
        assert.equal(m.format, 'plain');
        await pg.sql('plainlive', "INSERT INTO shop.customers (name) VALUES ('intruder'); DELETE FROM shop.orders WHERE id < 1000");
        const r = await runScript('restore', ['--config', cfg, '--backup', m.timestamp, '--yes', '--drop-old'], { env });
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(await tableHashes(pg, 'plainlive'), original);
        assert.match(r.stderr, /every table's row count matches the backup/);
        assert.equal(r.stdout.trim(), `live now: plainlive in container ${pg.name} holds backup ${m.timestamp}`);
        assert.deepEqual(await leftovers('plainlive'), []);
      });
    });

    it('--in-place replaces the live database: every table identical, app restarted, safety backup taken and listed', async () => {
      await withFixture(async ({ dir, app }) => {
        await copyOfRich('inplace');
        const cfg = await config(dir, 'inpl', 'inplace', `    app_containers: [${app.name}]\n`);
        const b = await runScript('backup', ['--config', cfg], { env });
        assert.equal(b.code, 0, b.stderr);
        await pg.sql('inplace', "UPDATE shop.customers SET name = 'changed'; CREATE TABLE public.extra (x int)");
        const changed = await tableHashes(pg, 'inplace');

        const r = await runScript('restore', ['--config', cfg, '--backup', 'latest', '--in-place', '--yes'], { env });
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(await tableHashes(pg, 'inplace'), original);
        assert.match(r.stderr, /Dropping and recreating inplace \(--in-place\)/);
        assert.match(r.stderr, /stopped app container/);
        assert.match(r.stderr, /started app container/);
        assert.ok(await app.running(), 'the app container runs again');
        assert.match(r.stdout, /^live now: inplace in container \S+ holds backup \d{8}_\d{6}/m);
        assert.deepEqual(await leftovers('inplace'), [], 'no temporary or old copy: --in-place keeps none');

        const safety = /safety backup: (\S+inplace_\S+\.dump)/.exec(r.stderr)?.[1];
        assert.ok(safety, r.stderr);
        const sm = JSON.parse(await fs.readFile(`${safety}.json`, 'utf8')) as Manifest;
        assert.equal(sm.reason, 'pre-restore');
        const listed = JSON.parse((await runScript('list-backups', ['--config', cfg, '--json'], { env })).stdout) as Array<{ path: string; reason: string }>;
        assert.deepEqual(listed.filter((e) => e.reason === 'pre-restore').map((e) => e.path), [safety]);
        // The safety backup holds the state the restore replaced, and can itself be restored.
        const undo = await runScript('restore', ['--config', cfg, '--backup', sm.timestamp, '--yes', '--drop-old'], { env });
        assert.equal(undo.code, 0, undo.stderr);
        assert.deepEqual(await tableHashes(pg, 'inplace'), changed);
      });
    });

    it('a swap that fails half-way (a name in the way of the second rename) is rolled back: live databases, connections and apps as before', async () => {
      await withFixture(async ({ dir, app }) => {
        await copyOfRich('swapa');
        await pg.sql('postgres', `CREATE DATABASE swapb TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
        await pg.sql('swapb', "CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'één')");
        const cfg = await config(dir, 'swap', '[swapa, swapb]', `    app_containers: [${app.name}]\n`);
        const b = await runScript('backup', ['--config', cfg], { env });
        assert.equal(b.code, 0, b.stderr);
        await pg.sql('swapa', "UPDATE shop.customers SET city = 'after the backup'");
        await pg.sql('swapb', "INSERT INTO notes VALUES (2, 'after the backup')");
        const live = { a: await tableHashes(pg, 'swapa'), b: await tableHashes(pg, 'swapb') };

        // The run's timestamp shows in the first temporary database's name. While the restore is
        // held still (SIGSTOP), a database is created under the name swapb's old copy would take,
        // so the swap renames swapa away and in, then fails on swapb's rename: a real failure.
        let blocker: string | undefined;
        let seen = '';
        const r = await runScript('restore', ['--config', cfg, '--backup', 'latest', '--yes'], {
          env,
          onSpawn: (child) =>
            child.stderr!.on('data', (d: Buffer) => {
              seen += d.toString();
              const ts = /into swapa__restore_(\d{8}_\d{6})/.exec(seen)?.[1];
              if (ts && !blocker) {
                blocker = `swapb__pre_restore_${ts}`;
                child.kill('SIGSTOP');
                pg.sql('postgres', `CREATE DATABASE "${blocker}"`).finally(() => child.kill('SIGCONT'));
              }
            }),
        });
        assert.ok(blocker, r.stderr);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, new RegExp(`database "${blocker}" already exists`));
        assert.match(r.stderr, /rolled back: rename swapa__pre_restore_\d{8}_\d{6} back to swapa/);
        assert.equal(r.stdout, '', 'no "live now" line: nothing was replaced');

        assert.deepEqual(await tableHashes(pg, 'swapa'), live.a);
        assert.deepEqual(await tableHashes(pg, 'swapb'), live.b);
        assert.equal(await pg.sql('postgres', "SELECT string_agg(datname || '=' || datallowconn, ',' ORDER BY datname) FROM pg_database WHERE datname IN ('swapa', 'swapb')"), 'swapa=true,swapb=true');
        assert.deepEqual((await leftovers('swap')).filter((d) => d !== blocker), [], 'temporary databases dropped, no old copy left');
        assert.ok(await app.running(), 'the app container runs again');
      });
    });
  });
}
