// `make db-restore` against real PostgreSQL servers on Docker and Podman: nothing is lost on the way.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startApp, type AppContainer } from '../support/app-container.ts';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { runScript } from '../support/run-script.ts';
import { createRichDatabase, databases, tableHashes } from '../support/seed.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';

for (const engine of testEngines()) {
  describe(`restore on ${engine.name}`, () => {
    let pg: PgContainer;
    let pg17: PgContainer;
    let app: AppContainer;
    let tmp: Awaited<ReturnType<typeof tempDir>>;
    let cfg: string;
    let original: { rich: Record<string, string>; small: Record<string, string> };
    let firstSet: string;
    const env = { DOCKER_HOST: engine.socket };
    const dir = () => path.join(tmp.dir, 'backups', 'shop', 'production');
    const restore = (...args: string[]) => runScript('restore', ['--config', cfg, ...args], { env });
    const noTempLeft = async (c: PgContainer) => assert.deepEqual((await databases(c)).filter((d) => d.includes('__restore_')), []);

    before(async () => {
      tmp = await tempDir();
      [pg, pg17, app] = await Promise.all([startPostgres(engine, 15), startPostgres(engine, 17), startApp(engine)]);
      await createRichDatabase(pg, 'rich');
      await pg.sql('postgres', `CREATE DATABASE small TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
      await pg.sql('small', "CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'één'), (2, 'two')");
      cfg = await writeConfig(tmp.dir, `
shop:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: [rich, small]}
    app_containers: [${app.name}]
    backup: {enabled: true, retention_days: 30}
shop17:
  database:
    container: ${pg17.name}
    user: postgres
    databases: {production: rich}
    app_containers: [${app.name}]
    backup: {enabled: true, retention_days: 30}
`);
      original = { rich: await tableHashes(pg, 'rich'), small: await tableHashes(pg, 'small') };
      const r = await runScript('backup', ['--config', cfg, '--project', 'shop'], { env });
      assert.equal(r.code, 0, r.stderr);
      firstSet = /_(\d{8}_\d{6})\.dump$/.exec(r.stdout.trim().split('\n')[0]!)![1]!;
    });
    after(async () => {
      await Promise.all([pg?.remove(), pg17?.remove(), app?.remove()]);
      await tmp?.cleanup();
    });

    it('refuses without a terminal and without --yes, touching nothing', async () => {
      const before = await databases(pg);
      const r = await restore('--project', 'shop', '--backup', 'latest');
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /refusing to restore without confirmation.*\n.*YES=1/);
      assert.deepEqual(await databases(pg), before);
    });

    it('refuses path traversal in BACKUP=', async () => {
      for (const bad of ['../../etc/passwd', 'shop/../../x', 'rich_latest.dump']) {
        const r = await restore('--project', 'shop', '--backup', bad, '--yes');
        assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
        assert.match(r.stderr, /is refused: expected latest, pre-deploy, a timestamp/);
      }
    });

    it('round trip: restore latest brings back every table\'s content and restarts the app', async () => {
      await pg.sql('rich', "INSERT INTO shop.customers (name) VALUES ('intruder'); DELETE FROM shop.orders WHERE id < 500; DROP TABLE audit.events_2026");
      await pg.sql('small', "UPDATE notes SET body = 'changed'");
      const r = await restore('--project', 'shop', '--backup', 'latest', '--yes');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await tableHashes(pg, 'rich'), original.rich);
      assert.deepEqual(await tableHashes(pg, 'small'), original.small);
      assert.match(r.stdout, /^live now: rich in container \S+ holds backup \d{8}_\d{6} \(previous kept as rich__pre_restore_\d{8}_\d{6}\)$/m);
      assert.match(r.stdout, /^live now: small in container/m);
      assert.equal(r.stdout.trim().split('\n').length, 2, 'stdout holds only the live-now lines');
      assert.match(r.stderr, /stopped app container/);
      assert.ok(await app.running(), 'the app container runs again');
      assert.match(r.stderr, /every table's row count matches the backup/);
      await noTempLeft(pg);
      const safety = /safety backup: (\S+rich_\S+\.dump)/.exec(r.stderr)?.[1];
      assert.ok(safety, 'the safety backup path is printed');
      assert.equal(JSON.parse(await fs.readFile(`${safety}.json`, 'utf8')).reason, 'pre-restore');
      assert.equal(await fs.readlink(path.join(dir(), 'rich_latest.dump')), `rich_${firstSet}.dump`, 'a safety backup never becomes latest');
    });

    it('selective restore by timestamp: DB= restores one database of the set, the others stay', async () => {
      await pg.sql('rich', "INSERT INTO shop.customers (name) VALUES ('stays')");
      await pg.sql('small', 'DELETE FROM notes');
      const richNow = await tableHashes(pg, 'rich');
      const oldCopies = (await databases(pg)).filter((d) => d.startsWith('small__pre_restore_'));
      const r = await restore('--project', 'shop', '--backup', firstSet, '--db', 'small', '--yes', '--drop-old');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await tableHashes(pg, 'small'), original.small);
      assert.deepEqual(await tableHashes(pg, 'rich'), richNow);
      assert.equal(r.stdout.trim(), `live now: small in container ${pg.name} holds backup ${firstSet}`);
      assert.deepEqual((await databases(pg)).filter((d) => d.startsWith('small__pre_restore_')), oldCopies, '--drop-old dropped the old copy');
    });

    it('restores a seed-style .dump.gz by path into --target-db', async () => {
      const seedDir = path.join(tmp.dir, 'elsewhere');
      await fs.mkdir(seedDir);
      const gz = path.join(seedDir, 'rich_20250101_000000.dump.gz');
      execFileSync('sh', ['-c', `gzip -c "$0" > "$1"`, path.join(dir(), `rich_${firstSet}.dump`), gz]);
      const r = await restore('--project', 'shop', '--backup', gz, '--target-db', 'rich_copy', '--yes');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await tableHashes(pg, 'rich_copy'), original.rich);
      assert.equal(await pg.sql('postgres', "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = 'rich_copy'"), 'UTF8');
    });

    it('restores a PostgreSQL 15 backup into PostgreSQL 17 in another container', async () => {
      const r = await restore('--project', 'shop', '--backup', firstSet, '--db', 'rich', '--container', pg17.name, '--yes');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await tableHashes(pg17, 'rich'), original.rich);
      assert.equal(await pg17.sql('postgres', "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = 'rich'"), 'UTF8');
      await noTempLeft(pg17);
    });

    it('refuses a PostgreSQL 17 backup for a PostgreSQL 15 server, up front', async () => {
      const b = await runScript('backup', ['--config', cfg, '--project', 'shop17'], { env });
      assert.equal(b.code, 0, b.stderr);
      const r = await restore('--project', 'shop', '--backup', b.stdout.trim(), '--db', 'rich', '--target-db', 'from17', '--yes');
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /comes from PostgreSQL 17, and container "\S+" runs PostgreSQL 15: restoring into an older server is refused/);
      assert.ok(!(await databases(pg)).includes('from17'));
    });

    it('a missing role is refused before anything is touched, even with --in-place, naming GLOBALS=1 and NO_OWNER=1; --no-owner restores it', async () => {
      await pg.sql('postgres', 'CREATE ROLE alice');
      await pg.sql('postgres', "CREATE DATABASE owned OWNER alice TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
      await pg.sql('owned', 'CREATE TABLE secrets (id int); ALTER TABLE secrets OWNER TO alice; INSERT INTO secrets VALUES (1), (2), (3)');
      const owned = path.join(tmp.dir, 'owned.dump');
      const d = await pg.runtime.exec(pg.name, ['pg_dump', '-U', 'postgres', '-Fc', 'owned'], { stdout: (await fs.open(owned, 'w')).createWriteStream() });
      assert.equal(d.exitCode, 0, d.stderr);
      const live17 = await tableHashes(pg17, 'rich');

      const r = await restore('--project', 'shop17', '--backup', owned, '--target-db', 'rich', '--in-place', '--yes');
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /lacks 1 role that .*owned\.dump needs .*: "alice"; nothing was restored/);
      assert.match(r.stderr, /GLOBALS=1/);
      assert.match(r.stderr, /NO_OWNER=1/);
      assert.doesNotMatch(r.stderr, /safety backup/);
      assert.deepEqual(await tableHashes(pg17, 'rich'), live17);
      assert.ok(await app.running(), 'the app container runs again after the failure');

      const ok = await restore('--project', 'shop17', '--backup', owned, '--target-db', 'owned', '--no-owner', '--yes');
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(await pg17.sql('owned', 'SELECT count(*) FROM secrets'), '3');
      await noTempLeft(pg17);
    });

    it('SIGTERM during pg_restore leaves the live database as it was, drops the temporary one, and the app runs', async () => {
      const live = await tableHashes(pg, 'rich');
      let sent = false;
      const r = await runScript('restore', ['--config', cfg, '--project', 'shop', '--backup', firstSet, '--db', 'rich', '--yes'], {
        env,
        onSpawn: (child) =>
          child.stderr!.on('data', (d: Buffer) => {
            if (!sent && /Restoring .* into rich__restore_/.test(d.toString())) {
              sent = true;
              setTimeout(() => child.kill('SIGTERM'), 150);
            }
          }),
      });
      assert.ok(sent, r.stderr);
      assert.equal(r.code, 143, r.stderr);
      assert.deepEqual(await tableHashes(pg, 'rich'), live);
      await noTempLeft(pg);
      assert.ok(await app.running());
    });

    it('refuses a truncated backup, leaves the live database byte for byte, and names the older intact one', async () => {
      const second = await runScript('backup', ['--config', cfg, '--project', 'shop', '--db', 'rich'], { env });
      assert.equal(second.code, 0, second.stderr);
      const newest = second.stdout.trim();
      await fs.truncate(newest, 4096);
      const live = await tableHashes(pg, 'rich');
      const r = await restore('--project', 'shop', '--backup', 'latest', '--db', 'rich', '--yes');
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /refusing to restore .*: it is 4096 bytes, the manifest says \d+: the file is truncated or corrupt/);
      assert.match(r.stderr, /newest older intact backup of rich is (\d{8}_\d{6}): make db-restore CONFIG=\S+ PROJECT=shop DB=rich BACKUP=\1\n/);
      assert.deepEqual(await tableHashes(pg, 'rich'), live);
      await noTempLeft(pg);
    });

    it('refuses a corrupt backup of the same size, touching nothing', async () => {
      const file = path.join(dir(), `small_${firstSet}.dump`);
      const bytes = await fs.readFile(file);
      const at = Math.floor(bytes.length / 2);
      bytes[at] = bytes[at]! ^ 0xff;
      await fs.writeFile(file, bytes);
      const live = await tableHashes(pg, 'small');
      const r = await restore('--project', 'shop', '--backup', firstSet, '--db', 'small', '--yes');
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /its sha256 does not match the manifest: the file is corrupt/);
      assert.deepEqual(await tableHashes(pg, 'small'), live);
      await noTempLeft(pg);
    });
  });
}
