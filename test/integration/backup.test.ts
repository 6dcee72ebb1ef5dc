// `make db-backup` against real PostgreSQL servers on Docker and Podman.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Manifest } from '../../lib/backup/manifest.ts';
import { pgRestoreListArgs } from '../../lib/pg/args.ts';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { runScript } from '../support/run-script.ts';
import { createRichDatabase, EXPECTED_COUNTS } from '../support/seed.ts';
import { tempDir, testTempDir, writeConfig } from '../support/tempdir.ts';

const sha256 = async (file: string) => {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
};
const readManifest = async (file: string) => JSON.parse(await fs.readFile(`${file}.json`, 'utf8')) as Manifest;
const listing = async (dir: string) => (await fs.readdir(dir).catch(() => [] as string[])).sort();

for (const engine of testEngines()) {
  describe(`backup on ${engine.name}`, () => {
    // The live databases are only ever read (dumped), so the describe shares them and its server;
    // each test has its own directory, config and backups.
    let pg: PgContainer;
    let baseline: Promise<string> | undefined;
    let baselineRoot: Awaited<ReturnType<typeof tempDir>> | undefined;
    const env = { DOCKER_HOST: engine.socket };

    const config = (extra = '', project = 'shop') => `
${project}:
  database:
    container: ${pg.name}
    user: postgres
    databases:
      production: [rich, small]
    backup:
      enabled: true
      retention_days: 30
    backup_dir: ./backups
${extra}`;

    before(async () => {
      pg = await startPostgres(engine, 15);
      await createRichDatabase(pg, 'rich');
      await pg.sql('postgres', `CREATE DATABASE small TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
      await pg.sql('small', 'CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2)');
    });
    after(async () => {
      await pg?.remove();
      await baselineRoot?.cleanup();
    });

    /**
     * A backups/ tree with one real backup of the set, taken on first use and never changed after:
     * a test that needs earlier backups gets a copy of its own, instead of dumping 300,000 rows again.
     */
    const baselineBackups = () => (baseline ??= (async () => {
      baselineRoot = await tempDir();
      const r = await runScript('backup', ['--config', await writeConfig(baselineRoot.dir, config())], { env });
      assert.equal(r.code, 0, r.stderr);
      return path.join(baselineRoot.dir, 'backups');
    })());
    /** A directory of its own holding a copy of the baseline backups; `dir` is shop/production's. */
    const withEarlierBackups = async (t: TestContext) => {
      const tmp = await testTempDir(t);
      // verbatimSymlinks: the latest links stay relative names, as pgkeep wrote them.
      await fs.cp(await baselineBackups(), path.join(tmp.dir, 'backups'), { recursive: true, verbatimSymlinks: true });
      return { root: tmp.dir, dir: path.join(tmp.dir, 'backups', 'shop', 'production') };
    };

    it('writes one checksummed, listable dump per database under one timestamp, with true manifests', async (t) => {
      const tmp = await testTempDir(t);
      const cfg = await writeConfig(tmp.dir, config());
      const r = await runScript('backup', ['--config', cfg], { env });
      assert.equal(r.code, 0, r.stderr);
      const paths = r.stdout.trim().split('\n');
      assert.equal(paths.length, 2, r.stdout);
      const dir = path.join(tmp.dir, 'backups', 'shop', 'production');
      const [rich, small] = paths as [string, string];
      assert.match(path.basename(rich), /^rich_\d{8}_\d{6}\.dump$/);
      assert.equal(path.dirname(rich), dir);
      assert.equal(path.basename(small).replace('small_', ''), path.basename(rich).replace('rich_', ''), 'one timestamp per set');

      assert.equal((await fs.stat(rich)).mode & 0o777, 0o600);
      assert.equal((await fs.stat(`${rich}.json`)).mode & 0o777, 0o600);
      assert.equal((await fs.stat(dir)).mode & 0o777, 0o700);
      assert.equal((await fs.stat(path.dirname(dir))).mode & 0o777, 0o700);

      const m = await readManifest(rich);
      assert.equal(m.project, 'shop');
      assert.equal(m.env, 'production');
      assert.equal(m.database, 'rich');
      assert.equal(m.container, pg.name);
      assert.match(m.image, /pgkeep-test\/postgres:15/);
      assert.equal(m.reason, 'manual');
      assert.equal(m.format, 'custom');
      assert.equal(m.size, (await fs.stat(rich)).size);
      assert.equal(m.sha256, await sha256(rich));
      assert.match(m.server.version, /^15\./);
      assert.match(m.pg_dump_version, /^15\./);
      assert.equal(m.server.encoding, 'UTF8');
      assert.equal(m.server.collate, 'C');
      assert.equal(m.row_counts, 'exact');
      assert.ok(Date.parse(m.finished_at) >= Date.parse(m.started_at));
      const counts = Object.fromEntries(m.tables.map((t) => [`${t.schema}.${t.name}`, t.rows]));
      assert.deepEqual(counts, EXPECTED_COUNTS);

      const list = await pg.runtime.exec(pg.name, pgRestoreListArgs(), { stdin: createReadStream(rich) });
      assert.equal(list.exitCode, 0, list.stderr);
      for (const kind of ['EXTENSION', 'SCHEMA', 'SEQUENCE', 'VIEW', 'BLOB', 'TABLE DATA']) {
        assert.ok(list.stdout.includes(` ${kind} `), `TOC lists a ${kind}`);
      }
      assert.equal(await fs.readlink(path.join(dir, 'rich_latest.dump')), path.basename(rich));
      assert.equal(await fs.readlink(path.join(dir, 'small_latest.dump')), path.basename(small));
      assert.deepEqual((await listing(dir)).filter((n) => n.endsWith('.partial')), []);
    });

    it('writes the plain format as .sql.gz that inflates to a complete SQL dump', async (t) => {
      const tmp = await testTempDir(t);
      const cfg = await writeConfig(tmp.dir, config('    format: plain\n', 'plainshop').replace('[rich, small]', 'small'));
      const r = await runScript('backup', ['--config', cfg], { env });
      assert.equal(r.code, 0, r.stderr);
      const file = r.stdout.trim();
      assert.match(file, /small_\d{8}_\d{6}\.sql\.gz$/);
      const { gunzipSync } = await import('node:zlib');
      const sql = gunzipSync(await fs.readFile(file)).toString('utf8');
      assert.match(sql, /CREATE TABLE public\.t/);
      assert.match(sql, /PostgreSQL database dump complete/);
      assert.equal((await readManifest(file)).compression.by, 'pgkeep');
    });

    describe('failures leave nothing behind: no file, latest unchanged, nothing pruned', () => {
      /** Earlier backups, one of them aged, and what the directory held before the failing run. */
      const beforeFailure = async (t: TestContext) => {
        const { root, dir } = await withEarlierBackups(t);
        await plantAgedBackup(dir, 'rich', '20200101_000000');
        return { root, dir, latestBefore: await fs.readlink(path.join(dir, 'rich_latest.dump')), filesBefore: await listing(dir) };
      };
      /** A server that exists but is stopped; only one case needs it, so it starts it. */
      const stoppedServer = async (t: TestContext) => {
        const stopped = await startPostgres(engine, 15, 'pgkeep-stopped');
        t.after(() => stopped.remove());
        await stopped.stop();
        return stopped;
      };

      const cases: Array<[string, (t: TestContext) => string | Promise<string>, number, RegExp]> = [
        ['a missing container', () => config().replace(pg.name, 'pgkeep-no-such-container'), 1,
          /container "pgkeep-no-such-container" does not exist on (docker|podman) \(unix:\/\/\/.*\); running containers: .*pgkeep-test-/],
        ['a stopped container', async (t) => config().replace(pg.name, (await stoppedServer(t)).name), 1, /container "pgkeep-stopped-\w+" is not running \(state: (exited|stopped)\)/],
        ['a wrong database name', () => config().replace('[rich, small]', '[nosuchdb]'), 1, /database "nosuchdb" does not exist/],
        ['a wrong user', () => config().replace('user: postgres', 'user: nobody'), 1, /role "nobody" does not exist/],
        ['a config error', () => config().replace('retention_days: 30', 'retention_days: thirty'), 2,
          /projects\.yml:\d+: shop\.database\.backup\.retention_days: expected a whole number >= 1, got "thirty"/],
      ];
      for (const [what, yaml, code, message] of cases) {
        it(`on ${what}`, async (t) => {
          const { root, dir, latestBefore, filesBefore } = await beforeFailure(t);
          const cfg = await writeConfig(root, await yaml(t));
          const r = await runScript('backup', ['--config', cfg], { env });
          assert.equal(r.code, code, r.stderr);
          assert.match(r.stderr, message);
          assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace without --verbose');
          assert.equal(r.stdout, '');
          assert.deepEqual(await listing(dir), filesBefore);
          assert.equal(await fs.readlink(path.join(dir, 'rich_latest.dump')), latestBefore);
        });
      }

      it('a partial run exits 3, keeps the good backup and prunes nothing', async (t) => {
        const { root, dir } = await beforeFailure(t);
        const cfg = await writeConfig(root, config().replace('[rich, small]', '[rich, nosuchdb]'));
        const r = await runScript('backup', ['--config', cfg], { env });
        assert.equal(r.code, 3, r.stderr);
        const written = r.stdout.trim();
        assert.match(path.basename(written), /^rich_\d{8}_\d{6}\.dump$/);
        assert.equal(await fs.readlink(path.join(dir, 'rich_latest.dump')), path.basename(written));
        assert.ok((await listing(dir)).includes('rich_20200101_000000.dump'), 'the aged backup survives a failed run');
      });
    });

    it('a scheduled run prunes by age after a good run, only files pgkeep made, file and manifest together', async (t) => {
      const { root, dir } = await withEarlierBackups(t);
      await plantAgedBackup(dir, 'rich', '20200101_000000');
      await plantAgedBackup(dir, 'small', '20200102_000000');
      await fs.writeFile(path.join(dir, 'small_20190101_000000.dump'), 'not made by pgkeep: no manifest');
      await fs.writeFile(path.join(dir, 'notes.txt'), 'foreign');
      // A backup whose manifest names another project is not this project's to prune.
      await plantAgedBackup(dir, 'small', '20200103_000000');
      const alien = path.join(dir, 'small_20200103_000000.dump.json');
      await fs.writeFile(alien, JSON.stringify({ ...JSON.parse(await fs.readFile(alien, 'utf8')), project: 'other' }));
      const cfg = await writeConfig(root, config());
      const r = await runScript('scheduled-backup', ['--config', cfg], { env });
      assert.equal(r.code, 0, r.stderr);
      const names = await listing(dir);
      for (const gone of ['rich_20200101_000000.dump', 'rich_20200101_000000.dump.json', 'small_20200102_000000.dump', 'small_20200102_000000.dump.json']) {
        assert.ok(!names.includes(gone), `${gone} was pruned`);
      }
      for (const kept of ['small_20190101_000000.dump', 'notes.txt', 'small_20200103_000000.dump', 'small_20200103_000000.dump.json']) {
        assert.ok(names.includes(kept), `${kept} was left alone`);
      }
      for (const db of ['rich', 'small']) assert.ok(names.includes(await fs.readlink(path.join(dir, `${db}_latest.dump`))));
      assert.match(r.stderr, /older than 30 days/);
    });
  });
}

describe('engine and password handling', () => {
  it('a socket with no engine behind it names every socket tried', async () => {
    const tmp = await tempDir();
    try {
      const cfg = await writeConfig(tmp.dir, 'x:\n  database: {container: c, user: u, databases: {p: d}}\n');
      const r = await runScript('backup', ['--config', cfg], { env: { DOCKER_HOST: `unix://${tmp.dir}/no-engine.sock` } });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`no container engine answered \\(runtime: auto\\); tried unix://${tmp.dir}/no-engine\\.sock \\(DOCKER_HOST: `));
      assert.match(r.stderr, /set DOCKER_HOST/);
    } finally {
      await tmp.cleanup();
    }
  });

  for (const engine of testEngines()) {
    it(`on ${engine.name}: a password reaches pg_dump through the environment only, never a manifest or a log`, async () => {
      const tmp = await tempDir();
      const pg = await startPostgres(engine, 15);
      const secret = 'S3cret-never-in-argv';
      try {
        await pg.sql('postgres', `CREATE ROLE app LOGIN PASSWORD '${secret}'`);
        await pg.sql('postgres', 'CREATE DATABASE appdb OWNER app');
        // Password authentication on the local socket too, so the password is really needed.
        const rules = 'local all postgres trust\\nlocal all all scram-sha-256\\n';
        const hba = await pg.runtime.exec(pg.name, ['sh', '-c', `printf '${rules}' | cat - "$PGDATA/pg_hba.conf" > /tmp/hba && cat /tmp/hba > "$PGDATA/pg_hba.conf"`]);
        assert.equal(hba.exitCode, 0, hba.stderr);
        await pg.sql('postgres', 'SELECT pg_reload_conf()');
        const yaml = (extra: string) => `app:\n  database:\n    container: ${pg.name}\n    user: app\n    databases: {production: appdb}\n${extra}`;
        const without = await runScript('backup', ['--config', await writeConfig(tmp.dir, yaml(''))], { env: { DOCKER_HOST: engine.socket } });
        assert.equal(without.code, 1, without.stderr);
        assert.match(without.stderr, /password authentication failed|no password supplied/);
        assert.match(without.stderr, /set password_env or password_file/);
        const r = await runScript('backup', ['--config', await writeConfig(tmp.dir, yaml('    password_env: APP_DB_PASSWORD\n'))], {
          env: { DOCKER_HOST: engine.socket, APP_DB_PASSWORD: secret },
        });
        assert.equal(r.code, 0, r.stderr);
        const manifest = await fs.readFile(`${r.stdout.trim()}.json`, 'utf8');
        for (const text of [manifest, r.stderr, r.stdout]) assert.ok(!text.includes(secret));
      } finally {
        await pg.remove();
        await tmp.cleanup();
      }
    });
  }
});

/** A copy of the newest real backup of `db`, re-dated: what an old night's backup looks like on disk. */
async function plantAgedBackup(dir: string, db: string, ts: string): Promise<void> {
  const latest = await fs.readlink(path.join(dir, `${db}_latest.dump`));
  const file = `${db}_${ts}.dump`;
  await fs.copyFile(path.join(dir, latest), path.join(dir, file));
  const m = await readManifest(path.join(dir, latest));
  const iso = `${ts.slice(0, 4)}-${ts.slice(4, 6)}-${ts.slice(6, 8)}T00:00:00.000Z`;
  await fs.writeFile(path.join(dir, `${file}.json`), JSON.stringify({ ...m, file, timestamp: ts, started_at: iso, finished_at: iso }));
}
