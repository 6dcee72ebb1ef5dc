// Roles on a bare server: every backup run saves pg_dumpall --globals-only beside the set, and a
// restore into a fresh container either applies it (--globals) or refuses, before any database is
// created, naming both ways out. One source server per engine, holding the roles; every test has
// its own backup directory and its own fresh target container, removed on every path.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GlobalsManifest } from '../../lib/globals/globals-manifest.ts';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { runScript } from '../support/run-script.ts';
import { databases } from '../support/seed.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';

const ROLES = ['app_group', 'app_owner', 'app_reader', 'Ops Team'];
const ROLE_LIST = ROLES.map((r) => `'${r}'`).join(', ');
const ATTRIBUTES = `SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit
  FROM pg_roles WHERE rolname IN (${ROLE_LIST}) ORDER BY 1`;
const MEMBERSHIPS = `SELECT r.rolname, m.rolname FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
  WHERE m.rolname IN (${ROLE_LIST}) ORDER BY 1, 2`;
const OWNERSHIP = `SELECT n.nspname, n.nspowner::regrole, n.nspacl, c.relname, c.relowner::regrole, c.relacl
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'app' ORDER BY c.relname`;

for (const engine of testEngines()) {
  describe(`roles on ${engine.name}`, () => {
    let source: PgContainer;
    const env = { DOCKER_HOST: engine.socket };

    /** Runs `body` with its own backup directory and config (and a fresh target container when asked). */
    const withFixture = async (extra: string, body: (f: { dir: string; cfg: string; target?: PgContainer }) => Promise<void>, fresh = true) => {
      const tmp = await tempDir();
      const target = fresh ? await startPostgres(engine, 15, 'pgkeep-test-bare') : undefined;
      try {
        const cfg = await writeConfig(tmp.dir, `
roles:
  database:
    container: ${source.name}
    user: postgres
    backup_dir: ${tmp.dir}/backups
    databases: {production: ${extra.includes('globsrc2') ? '[globsrc, globsrc2]' : 'globsrc'}}
${extra.replace('#globsrc2\n', '')}`);
        await body({ dir: path.join(tmp.dir, 'backups', 'roles', 'production'), cfg, target });
      } finally {
        await target?.remove();
        await tmp.cleanup();
      }
    };
    const backupSet = async (cfg: string, ...args: string[]): Promise<string> => {
      const b = await runScript('backup', ['--config', cfg, ...args], { env });
      assert.equal(b.code, 0, b.stderr);
      const ts = /globsrc_(\d{8}_\d{6})\.dump/.exec(b.stdout)?.[1];
      assert.ok(ts, b.stdout);
      return ts;
    };
    const restore = (cfg: string, ts: string, target: PgContainer, ...flags: string[]) =>
      runScript('restore', ['--config', cfg, '--backup', ts, '--container', target.name, '--yes', ...flags], { env });
    const facts = async (pg: PgContainer) => ({
      attributes: await pg.sql('postgres', ATTRIBUTES),
      memberships: await pg.sql('postgres', MEMBERSHIPS),
      ownership: await pg.sql('globsrc', OWNERSHIP),
    });

    before(async () => {
      source = await startPostgres(engine, 15, 'pgkeep-test-roles');
      await source.sql('postgres', `CREATE ROLE app_group NOLOGIN; CREATE ROLE app_owner LOGIN PASSWORD 'owner-secret-pw' CONNECTION LIMIT 5 CREATEDB;
        GRANT app_group TO app_owner; CREATE ROLE app_reader NOLOGIN; CREATE ROLE "Ops Team" NOLOGIN`);
      await source.sql('postgres', 'CREATE DATABASE globsrc');
      await source.sql('postgres', 'CREATE DATABASE globsrc2');
      await source.sql('globsrc', `CREATE SCHEMA app AUTHORIZATION app_owner; CREATE TABLE app.items (id int PRIMARY KEY, name text);
        ALTER TABLE app.items OWNER TO app_owner; INSERT INTO app.items SELECT g, 'item ' || g FROM generate_series(1, 100) g;
        GRANT USAGE ON SCHEMA app TO app_reader; GRANT SELECT ON app.items TO app_reader; GRANT SELECT, INSERT ON app.items TO app_group;
        GRANT SELECT ON app.items TO "Ops Team"`);
    });
    after(async () => {
      await source?.remove();
    });

    it('a backup saves the roles beside the set (0600, with a manifest, no password hash); --globals brings back roles, ownership and grants on a fresh server, twice', async () => {
      await withFixture('', async ({ dir, cfg, target }) => {
        const ts = await backupSet(cfg);
        const file = path.join(dir, `globals_${ts}.sql`);
        const text = await fs.readFile(file, 'utf8');
        assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
        assert.match(text, /CREATE ROLE app_owner;/);
        assert.match(text, /CREATE ROLE "Ops Team";/);
        assert.doesNotMatch(text, /SCRAM-SHA-256|PASSWORD/);
        const m = JSON.parse(await fs.readFile(`${file}.json`, 'utf8')) as GlobalsManifest;
        assert.equal(m.kind, 'globals');
        assert.deepEqual([m.project, m.env, m.container, m.timestamp, m.file, m.with_passwords], ['roles', 'production', source.name, ts, `globals_${ts}.sql`, false]);
        assert.equal(m.size, Buffer.byteLength(text));
        assert.match(m.server_version, /^15\./);

        const r = await restore(cfg, ts, target!, '--globals');
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /roles: 4 created, 0 already there; left as they are: postgres/);
        assert.deepEqual(await facts(target!), await facts(source));
        assert.equal(await target!.sql('postgres', "SELECT count(*) FROM pg_authid WHERE rolname = 'app_owner' AND rolpassword IS NULL"), '1');

        const again = await restore(cfg, ts, target!, '--globals', '--drop-old');
        assert.equal(again.code, 0, again.stderr);
        assert.match(again.stderr, /roles: 0 created, 4 already there/);
        assert.deepEqual(await facts(target!), await facts(source));
      });
    });

    it('globals_with_passwords: true keeps the password hashes in the roles file', async () => {
      await withFixture('    globals_with_passwords: true\n', async ({ dir, cfg }) => {
        const ts = await backupSet(cfg);
        const text = await fs.readFile(path.join(dir, `globals_${ts}.sql`), 'utf8');
        assert.match(text, /ALTER ROLE app_owner WITH .*PASSWORD 'SCRAM-SHA-256\$/);
        const m = JSON.parse(await fs.readFile(path.join(dir, `globals_${ts}.sql.json`), 'utf8')) as GlobalsManifest;
        assert.equal(m.with_passwords, true);
      }, false);
    });

    it('globals: false saves no roles file', async () => {
      await withFixture('    globals: false\n', async ({ dir, cfg }) => {
        await backupSet(cfg);
        assert.deepEqual((await fs.readdir(dir)).filter((n) => n.startsWith('globals_')), []);
      }, false);
    });

    it('a restore into a fresh server that lacks the roles fails before any database is created, naming GLOBALS=1 and NO_OWNER=1', async () => {
      await withFixture('', async ({ cfg, target }) => {
        const ts = await backupSet(cfg);
        const before = await databases(target!);
        const r = await restore(cfg, ts, target!);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /lacks 4 roles .*"Ops Team", "app_group", "app_owner", "app_reader"; nothing was restored/);
        assert.match(r.stderr, new RegExp(`make db-restore CONFIG=\\S+ BACKUP=${ts} CONTAINER=${target!.name} GLOBALS=1`), 'the way out repeats the restore, CONTAINER= included');
        assert.match(r.stderr, new RegExp(`make db-restore CONFIG=\\S+ BACKUP=${ts} CONTAINER=${target!.name} NO_OWNER=1`), 'the way out repeats the restore, CONTAINER= included');
        assert.deepEqual(await databases(target!), before);
      });
    });

    it('--no-owner alone restores into a fresh server without the roles', async () => {
      await withFixture('', async ({ cfg, target }) => {
        const ts = await backupSet(cfg);
        const r = await restore(cfg, ts, target!, '--no-owner');
        assert.equal(r.code, 0, r.stderr);
        assert.equal(await target!.sql('globsrc', 'SELECT count(*) FROM app.items'), '100');
        assert.equal(await target!.sql('globsrc', "SELECT relowner::regrole FROM pg_class WHERE relname = 'items'"), 'postgres');
      });
    });

    it('list-backups shows the roles files without calling them problems, and --check finds a damaged one', async () => {
      await withFixture('', async ({ dir, cfg }) => {
        const ts = await backupSet(cfg);
        const list = await runScript('list-backups', ['--config', cfg], { env });
        assert.equal(list.code, 0, list.stderr);
        assert.match(list.stdout, /roles saved with 1 of 1 set \(globals_<timestamp>\.sql\); a restore applies them with GLOBALS=1/);
        assert.doesNotMatch(list.stdout, /!/);
        const json = JSON.parse((await runScript('list-backups', ['--config', cfg, '--json'], { env })).stdout) as unknown[];
        assert.equal(json.length, 1);
        const good = await runScript('list-backups', ['--config', cfg, '--check'], { env });
        assert.equal(good.code, 0, good.stderr);
        await fs.appendFile(path.join(dir, `globals_${ts}.sql`), '-- tampered\n');
        const bad = await runScript('list-backups', ['--config', cfg, '--check'], { env });
        assert.equal(bad.code, 1, bad.stderr);
        assert.match(bad.stdout, new RegExp(`size-mismatch: ${dir}/globals_${ts}\\.sql: roles file: it is \\d+ bytes`));
      }, false);
    });

    it('prune removes a set\'s roles file with the last backup of its timestamp, and never while one is left', async () => {
      await withFixture('#globsrc2\n    backup: {keep_last: 1}\n', async ({ dir, cfg }) => {
        const both = await backupSet(cfg);
        const one = await backupSet(cfg, '--db', 'globsrc');
        const roles = async () => (await fs.readdir(dir)).filter((n) => n.startsWith('globals_')).sort();
        assert.deepEqual(await roles(), [`globals_${both}.sql`, `globals_${both}.sql.json`, `globals_${one}.sql`, `globals_${one}.sql.json`]);
        // globsrc's first set goes, globsrc2's stays (its only backup): so do the roles of that set.
        const p1 = await runScript('prune', ['--config', cfg], { env });
        assert.equal(p1.code, 0, p1.stderr);
        assert.ok(!(await fs.readdir(dir)).includes(`globsrc_${both}.dump`));
        assert.deepEqual(await roles(), [`globals_${both}.sql`, `globals_${both}.sql.json`, `globals_${one}.sql`, `globals_${one}.sql.json`]);
        // A third set of both: the first set's last file goes and its roles with it; so does the second set.
        const third = await backupSet(cfg);
        const p2 = await runScript('prune', ['--config', cfg], { env });
        assert.equal(p2.code, 0, p2.stderr);
        assert.deepEqual(await roles(), [`globals_${third}.sql`, `globals_${third}.sql.json`]);
        assert.match(p2.stderr, new RegExp(`removed ${dir}/globals_${both}\\.sql \\(the roles of set ${both}`));
      }, false);
    });
  });
}
