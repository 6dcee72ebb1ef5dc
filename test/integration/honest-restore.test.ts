// Restores that tell the truth about apps and live databases, on real engines: apps are stopped
// only when a live database they use is replaced, a misspelt app container is refused before
// anything is touched, an app that cannot start again after a good swap is a partial success
// (exit 3) with the data live, and --in-place never drops a database it could not back up.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startApp, type AppContainer } from '../support/app-container.ts';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { runScript } from '../support/run-script.ts';
import { databases, tableHashes } from '../support/seed.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';

for (const engine of testEngines()) {
  describe(`honest restores on ${engine.name}`, () => {
    let pg: PgContainer;
    let app: AppContainer;
    let tmp: Awaited<ReturnType<typeof tempDir>>;
    const env = { DOCKER_HOST: engine.socket };
    const startedAt = async (name: string) => (await engine.docker.getContainer(name).inspect()).State.StartedAt;
    const config = (apps: string[], user = 'postgres') => `
shop:
  database:
    container: ${pg.name}
    user: ${user}
    databases: {production: [live]}
    app_containers: [${apps.join(', ')}]
    backup: {enabled: true, retention_days: 30}
`;
    const write = async (name: string, yaml: string) => {
      await fs.mkdir(path.join(tmp.dir, name), { recursive: true });
      // One backup directory for every config of this test file.
      return writeConfig(path.join(tmp.dir, name), yaml.replace('backup: {', `backup_dir: ${path.join(tmp.dir, 'backups')}\n    backup: {`));
    };
    const backupFiles = async () => (await fs.readdir(path.join(tmp.dir, 'backups', 'shop', 'production'))).filter((n) => n.endsWith('.dump')).sort();

    before(async () => {
      tmp = await tempDir();
      // One at a time, so that whichever starts is assigned and removed by after() on every path.
      app = await startApp(engine);
      pg = await startPostgres(engine, 15);
      await pg.sql('postgres', `CREATE DATABASE live TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
      await pg.sql('live', "CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'kept'), (2, 'also kept')");
      const cfg = await write('base', config([app.name]));
      const r = await runScript('backup', ['--config', cfg], { env });
      assert.equal(r.code, 0, r.stderr);
    });
    after(async () => {
      await Promise.all([pg?.remove(), app?.remove()]);
      await tmp?.cleanup();
    });

    it('restoring into a new database (TARGET_DB) leaves the app containers alone', async () => {
      const cfg = await write('base', config([app.name]));
      const before = await startedAt(app.name);
      const r = await runScript('restore', ['--config', cfg, '--backup', 'latest', '--target-db', 'billing_check', '--yes'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /stopped app container/);
      assert.ok(await app.running());
      assert.equal(await startedAt(app.name), before, 'the app container was not restarted');
      assert.match(r.stdout, /^live now: billing_check in container /m);
    });

    it('a misspelt app_containers entry is refused before the prompt, naming the container and the key', async () => {
      const ghost = `pgkeep-nosuch-${randomBytes(3).toString('hex')}`;
      const cfg = await write('ghost', config([app.name, ghost]));
      const dbs = await databases(pg);
      const files = await backupFiles();
      const before = await startedAt(app.name);
      const r = await runScript('restore', ['--config', cfg, '--backup', 'latest', '--yes'], { env });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`${ghost}.*does not exist`));
      assert.match(r.stderr, /shop\.database\.app_containers/);
      assert.doesNotMatch(r.stderr, /About to restore/, 'refused before the confirmation prompt');
      assert.equal(r.stdout, '');
      assert.deepEqual(await databases(pg), dbs, 'no database created, renamed or dropped');
      assert.deepEqual(await backupFiles(), files, 'no safety backup taken');
      assert.equal(await startedAt(app.name), before, 'the real app container was not stopped');
    });

    it('an app container that cannot start again after a good swap: data live on stdout, start command named, --drop-old done, exit 3', async () => {
      const broken = await startApp(engine);
      try {
        // The container's own command disappears: it keeps running now, but cannot start again.
        const rm = await pg.runtime.exec(broken.name, ['sh', '-c', 'rm -f "$(command -v sleep)"'], { user: 'root' });
        assert.equal(rm.exitCode, 0, rm.stderr);
        const cfg = await write('broken', config([broken.name]));
        await pg.sql('live', "UPDATE notes SET body = 'changed after the backup'");
        const r = await runScript('restore', ['--config', cfg, '--backup', 'latest', '--yes', '--drop-old'], { env });
        assert.equal(r.code, 3, r.stderr);
        assert.match(r.stdout, /^live now: live in container \S+ holds backup \d{8}_\d{6}$/m);
        assert.match(r.stderr, new RegExp(`${broken.name}.*\\n?.*${engine.name} start ${broken.name}`));
        assert.equal(await pg.sql('live', 'SELECT string_agg(body, \',\' ORDER BY id) FROM notes'), 'kept,also kept');
        assert.deepEqual((await databases(pg)).filter((d) => d.startsWith('live__')), [], '--drop-old dropped the old copy; no temporary left');
        assert.equal(await broken.running(), false);
      } finally {
        await broken.remove();
      }
    });

    it('--in-place refuses when it cannot tell whether the live database exists, and drops nothing', async () => {
      await pg.sql('postgres', 'CREATE ROLE keeper LOGIN CREATEDB');
      await pg.sql('postgres', 'ALTER DATABASE live OWNER TO keeper');
      const hashes = await tableHashes(pg, 'live');
      const files = await backupFiles();
      // The configured user can connect, but can no longer read pg_database: databaseInfo fails.
      await pg.sql('postgres', 'REVOKE SELECT ON pg_catalog.pg_database FROM PUBLIC');
      try {
        const cfg = await write('keeper', config([app.name], 'keeper'));
        const r = await runScript('restore', ['--config', cfg, '--backup', 'latest', '--yes', '--in-place'], { env });
        assert.equal(r.code, 1, r.stderr);
        assert.doesNotMatch(r.stderr, /no live database/);
        assert.match(r.stderr, /cannot tell whether database "?live"? exists.*permission denied/);
        assert.deepEqual(await backupFiles(), files);
      } finally {
        await pg.sql('postgres', 'GRANT SELECT ON pg_catalog.pg_database TO PUBLIC');
      }
      assert.deepEqual(await tableHashes(pg, 'live'), hashes, 'the live database is untouched');
      assert.ok(await app.running());
    });
  });
}
