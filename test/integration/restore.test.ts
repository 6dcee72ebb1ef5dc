// `make db-restore` against real PostgreSQL servers on Docker and Podman: nothing is lost on the way.
// Two servers per engine, shared: every test restores into databases of its own (copies of seeded
// templates nothing else touches), with its own config, backup directory, backups and app container.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { startApp } from '../support/app-container.ts';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { runScript } from '../support/run-script.ts';
import { createRichDatabase, databases, tableHashes } from '../support/seed.ts';
import { copyDatabase, dropDatabasesAfter, testId } from '../support/test-databases.ts';
import { testTempDir, writeConfig } from '../support/tempdir.ts';

for (const engine of testEngines()) {
  describe(`restore on ${engine.name}`, () => {
    let pg: PgContainer;
    let pg17: PgContainer;
    let original: { rich: Record<string, string>; small: Record<string, string> };
    const env = { DOCKER_HOST: engine.socket };

    before(async () => {
      [pg, pg17] = await Promise.all([startPostgres(engine, 15), startPostgres(engine, 17)]);
      const seedSmall = async () => {
        await pg.sql('postgres', `CREATE DATABASE seed_small TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
        await pg.sql('seed_small', "CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'één'), (2, 'two')");
      };
      await Promise.all([createRichDatabase(pg, 'seed_rich'), seedSmall(), createRichDatabase(pg17, 'seed_rich')]);
      original = { rich: await tableHashes(pg, 'seed_rich'), small: await tableHashes(pg, 'seed_small') };
    });
    after(async () => {
      await Promise.all([pg?.remove(), pg17?.remove()]);
    });

    /**
     * One test's world: live databases `rich` and `small` (named with the test's id) on the 15
     * server, a config whose project `shop` backs them up and `shop17` backs up `rich` on the 17
     * server, an app container both name, and a backup directory of its own. All removed at the end.
     */
    const fixture = async (t: TestContext) => {
      const id = testId();
      const [rich, small] = [`rich_${id}`, `small_${id}`];
      dropDatabasesAfter(t, id, pg, pg17);
      const tmp = await testTempDir(t);
      const app = await startApp(engine);
      t.after(() => app.remove());
      await copyDatabase(pg, 'seed_rich', rich);
      await copyDatabase(pg, 'seed_small', small);
      const cfg = await writeConfig(tmp.dir, `
shop:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: [${rich}, ${small}]}
    app_containers: [${app.name}]
    backup: {enabled: true, retention_days: 30}
shop17:
  database:
    container: ${pg17.name}
    user: postgres
    databases: {production: ${rich}}
    app_containers: [${app.name}]
    backup: {enabled: true, retention_days: 30}
`);
      const backup = async (...args: string[]) => {
        const r = await runScript('backup', ['--config', cfg, ...args], { env });
        assert.equal(r.code, 0, r.stderr);
        return r.stdout.trim();
      };
      return {
        id, rich, small, app, cfg, root: tmp.dir,
        dir: path.join(tmp.dir, 'backups', 'shop', 'production'),
        restore: (...args: string[]) => runScript('restore', ['--config', cfg, ...args], { env }),
        backup,
        /** Backs up the set of project shop; returns its timestamp. */
        takeSet: async () => /_(\d{8}_\d{6})\.dump$/.exec((await backup('--project', 'shop')).split('\n')[0]!)![1]!,
        /** Gives the 17 server its own live `rich`, for project shop17. */
        rich17: () => copyDatabase(pg17, 'seed_rich', rich),
        /** No temporary restore database of this test is left on `c`. */
        noTempLeft: async (c: PgContainer) => assert.deepEqual((await databases(c)).filter((d) => d.includes(id) && d.includes('__restore_')), []),
      };
    };

    it('refuses without a terminal and without --yes, touching nothing', async (t) => {
      const fx = await fixture(t);
      await fx.takeSet();
      const before = await databases(pg);
      const r = await fx.restore('--project', 'shop', '--backup', 'latest');
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /refusing to restore without confirmation.*\n.*YES=1/);
      assert.deepEqual(await databases(pg), before);
    });

    it('refuses path traversal in BACKUP=', async (t) => {
      const fx = await fixture(t);
      await fx.takeSet();
      // The last one names a file that exists in the backup directory: refused by its form, not its absence.
      for (const bad of ['../../etc/passwd', 'shop/../../x', `${fx.rich}_latest.dump`]) {
        const r = await fx.restore('--project', 'shop', '--backup', bad, '--yes');
        assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
        assert.match(r.stderr, /is refused: expected latest, pre-deploy, a timestamp/);
      }
    });

    it('round trip: restore latest brings back every table\'s content and restarts the app', async (t) => {
      const fx = await fixture(t);
      const set = await fx.takeSet();
      await pg.sql(fx.rich, "INSERT INTO shop.customers (name) VALUES ('intruder'); DELETE FROM shop.orders WHERE id < 500; DROP TABLE audit.events_2026");
      await pg.sql(fx.small, "UPDATE notes SET body = 'changed'");
      const r = await fx.restore('--project', 'shop', '--backup', 'latest', '--yes');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await tableHashes(pg, fx.rich), original.rich);
      assert.deepEqual(await tableHashes(pg, fx.small), original.small);
      assert.match(r.stdout, new RegExp(`^live now: ${fx.rich} in container \\S+ holds backup \\d{8}_\\d{6} \\(previous kept as ${fx.rich}__pre_restore_\\d{8}_\\d{6}\\)$`, 'm'));
      assert.match(r.stdout, new RegExp(`^live now: ${fx.small} in container`, 'm'));
      assert.equal(r.stdout.trim().split('\n').length, 2, 'stdout holds only the live-now lines');
      assert.match(r.stderr, /stopped app container/);
      assert.match(r.stderr, /swapped in [\d.]+ m?s; new connections were refused for [\d.]+ m?s \(app stops included\)/, 'the restore says how long the live databases were unavailable');
      assert.ok(await fx.app.running(), 'the app container runs again');
      assert.match(r.stderr, /every table's row count matches the backup/);
      await fx.noTempLeft(pg);
      const safety = new RegExp(`safety backup: (\\S+${fx.rich}_\\S+\\.dump)`).exec(r.stderr)?.[1];
      assert.ok(safety, 'the safety backup path is printed');
      assert.equal(JSON.parse(await fs.readFile(`${safety}.json`, 'utf8')).reason, 'pre-restore');
      assert.equal(await fs.readlink(path.join(fx.dir, `${fx.rich}_latest.dump`)), `${fx.rich}_${set}.dump`, 'a safety backup never becomes latest');
    });

    it('selective restore by timestamp: DB= restores one database of the set, the others stay', async (t) => {
      const fx = await fixture(t);
      const set = await fx.takeSet();
      await pg.sql(fx.rich, "INSERT INTO shop.customers (name) VALUES ('stays')");
      await pg.sql(fx.small, 'DELETE FROM notes');
      const richNow = await tableHashes(pg, fx.rich);
      const oldCopies = (await databases(pg)).filter((d) => d.startsWith(`${fx.small}__pre_restore_`));
      const r = await fx.restore('--project', 'shop', '--backup', set, '--db', fx.small, '--yes', '--drop-old');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await tableHashes(pg, fx.small), original.small);
      assert.deepEqual(await tableHashes(pg, fx.rich), richNow);
      assert.equal(r.stdout.trim(), `live now: ${fx.small} in container ${pg.name} holds backup ${set}`);
      assert.deepEqual((await databases(pg)).filter((d) => d.startsWith(`${fx.small}__pre_restore_`)), oldCopies, '--drop-old dropped the old copy');
    });

    it('restores a seed-style .dump.gz by path into --target-db', async (t) => {
      const fx = await fixture(t);
      const set = await fx.takeSet();
      const seedDir = path.join(fx.root, 'elsewhere');
      await fs.mkdir(seedDir);
      const gz = path.join(seedDir, 'rich_20250101_000000.dump.gz');
      execFileSync('sh', ['-c', `gzip -c "$0" > "$1"`, path.join(fx.dir, `${fx.rich}_${set}.dump`), gz]);
      const copy = `${fx.rich}_copy`;
      const r = await fx.restore('--project', 'shop', '--backup', gz, '--target-db', copy, '--yes');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await tableHashes(pg, copy), original.rich);
      assert.equal(await pg.sql('postgres', `SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = '${copy}'`), 'UTF8');
    });

    it('restores a PostgreSQL 15 backup into PostgreSQL 17 in another container', async (t) => {
      const fx = await fixture(t);
      const set = await fx.takeSet();
      const r = await fx.restore('--project', 'shop', '--backup', set, '--db', fx.rich, '--container', pg17.name, '--yes');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await tableHashes(pg17, fx.rich), original.rich);
      assert.equal(await pg17.sql('postgres', `SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = '${fx.rich}'`), 'UTF8');
      await fx.noTempLeft(pg17);
    });

    it('refuses a PostgreSQL 17 backup for a PostgreSQL 15 server, up front', async (t) => {
      const fx = await fixture(t);
      await fx.rich17();
      const from17 = `from17_${fx.id}`;
      const file = await fx.backup('--project', 'shop17');
      const r = await fx.restore('--project', 'shop', '--backup', file, '--db', fx.rich, '--target-db', from17, '--yes');
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /comes from PostgreSQL 17, and container "\S+" runs PostgreSQL 15: restoring into an older server is refused/);
      assert.ok(!(await databases(pg)).includes(from17));
    });

    it('a missing role is refused before anything is touched, even with --in-place, naming GLOBALS=1 and NO_OWNER=1; --no-owner restores it', async (t) => {
      const fx = await fixture(t);
      // Roles belong to the whole server, not a database: this test's own, dropped after its databases.
      const [alice, owned] = [`alice_${fx.id}`, `owned_${fx.id}`];
      await pg.sql('postgres', `CREATE ROLE ${alice}`);
      t.after(() => pg.sql('postgres', `DROP ROLE IF EXISTS ${alice}`));
      await pg.sql('postgres', `CREATE DATABASE ${owned} OWNER ${alice} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
      await pg.sql(owned, `CREATE TABLE secrets (id int); ALTER TABLE secrets OWNER TO ${alice}; INSERT INTO secrets VALUES (1), (2), (3)`);
      const dump = path.join(fx.root, 'owned.dump');
      const d = await pg.runtime.exec(pg.name, ['pg_dump', '-U', 'postgres', '-Fc', owned], { stdout: (await fs.open(dump, 'w')).createWriteStream() });
      assert.equal(d.exitCode, 0, d.stderr);
      await fx.rich17();
      const live17 = await tableHashes(pg17, fx.rich);

      const r = await fx.restore('--project', 'shop17', '--backup', dump, '--target-db', fx.rich, '--in-place', '--yes');
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`lacks 1 role that .*owned\\.dump needs .*: "${alice}"; nothing was restored`));
      assert.match(r.stderr, /GLOBALS=1/);
      assert.match(r.stderr, /NO_OWNER=1/);
      assert.doesNotMatch(r.stderr, /safety backup/);
      assert.deepEqual(await tableHashes(pg17, fx.rich), live17);
      assert.ok(await fx.app.running(), 'the app container runs again after the failure');

      const ok = await fx.restore('--project', 'shop17', '--backup', dump, '--target-db', owned, '--no-owner', '--yes');
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(await pg17.sql(owned, 'SELECT count(*) FROM secrets'), '3');
      await fx.noTempLeft(pg17);
    });

    it('SIGTERM during pg_restore leaves the live database as it was, drops the temporary one, and the app runs', async (t) => {
      const fx = await fixture(t);
      const set = await fx.takeSet();
      const live = await tableHashes(pg, fx.rich);
      let sent = false;
      const r = await runScript('restore', ['--config', fx.cfg, '--project', 'shop', '--backup', set, '--db', fx.rich, '--yes'], {
        env,
        onSpawn: (child) =>
          child.stderr!.on('data', (d: Buffer) => {
            if (!sent && new RegExp(`Restoring .* into ${fx.rich}__restore_`).test(d.toString())) {
              sent = true;
              setTimeout(() => child.kill('SIGTERM'), 150);
            }
          }),
      });
      assert.ok(sent, r.stderr);
      assert.equal(r.code, 143, r.stderr);
      assert.deepEqual(await tableHashes(pg, fx.rich), live);
      await fx.noTempLeft(pg);
      assert.ok(await fx.app.running());
    });

    it('refuses a truncated backup, leaves the live database byte for byte, and names the older intact one', async (t) => {
      const fx = await fixture(t);
      await fx.takeSet();
      const newest = await fx.backup('--project', 'shop', '--db', fx.rich);
      await fs.truncate(newest, 4096);
      const live = await tableHashes(pg, fx.rich);
      const r = await fx.restore('--project', 'shop', '--backup', 'latest', '--db', fx.rich, '--yes');
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /refusing to restore .*: it is 4096 bytes, the manifest says \d+: the file is truncated or corrupt/);
      assert.match(r.stderr, new RegExp(`newest older intact backup of ${fx.rich} is (\\d{8}_\\d{6}): make db-restore CONFIG=\\S+ PROJECT=shop DB=${fx.rich} BACKUP=\\1\\n`));
      assert.deepEqual(await tableHashes(pg, fx.rich), live);
      await fx.noTempLeft(pg);
    });

    it('refuses a corrupt backup of the same size, touching nothing', async (t) => {
      const fx = await fixture(t);
      const set = await fx.takeSet();
      const file = path.join(fx.dir, `${fx.small}_${set}.dump`);
      const bytes = await fs.readFile(file);
      const at = Math.floor(bytes.length / 2);
      bytes[at] = bytes[at]! ^ 0xff;
      await fs.writeFile(file, bytes);
      const live = await tableHashes(pg, fx.small);
      const r = await fx.restore('--project', 'shop', '--backup', set, '--db', fx.small, '--yes');
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /its sha256 does not match the manifest: the file is corrupt/);
      assert.deepEqual(await tableHashes(pg, fx.small), live);
      await fx.noTempLeft(pg);
    });
  });
}
