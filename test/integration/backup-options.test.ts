// Backup options the main suite does not reach: `timeout`, `--concurrency`, `password_file` and
// `row_counts: estimate|off`. One server per engine; every test works on databases of its own,
// its own config and backup directory.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Manifest } from '../../lib/backup/manifest.ts';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { runScript } from '../support/run-script.ts';
import { createRichDatabase, EXPECTED_COUNTS as SEED_COUNTS, tableHashes } from '../support/seed.ts';
import { tempDir, writeConfig } from '../support/tempdir.ts';

const sha256 = async (file: string) => {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
};
const readManifest = async (file: string) => JSON.parse(await fs.readFile(`${file}.json`, 'utf8')) as Manifest;
const counts = (m: Manifest) => Object.fromEntries(m.tables.map((t) => [`${t.schema}.${t.name}`, t.rows]));

/** Enough rows to span many pages and COPY buffers, few enough to stay quick on a shared machine. */
const ROWS = 20_000;
const EXPECTED_COUNTS = { ...SEED_COUNTS, 'shop.orders': ROWS };

for (const engine of testEngines()) {
  describe(`backup options on ${engine.name}`, () => {
    let pg: PgContainer;
    const env = { DOCKER_HOST: engine.socket };
    const withDir = async (body: (dir: string) => Promise<void>) => {
      const tmp = await tempDir();
      try {
        await body(tmp.dir);
      } finally {
        await tmp.cleanup();
      }
    };
    const config = (dir: string, project: string, dbs: string, extra = '', user = 'postgres') =>
      writeConfig(dir, `
${project}:
  database:
    container: ${pg.name}
    user: ${user}
    databases: {production: ${dbs}}
${extra}`);
    /** pg_dump processes in the container, by their command line. */
    const pgDumps = async () => {
      const r = await pg.runtime.exec(pg.name, ['sh', '-c', `for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < "$f" 2>/dev/null; echo; done`]);
      return r.stdout.split('\n').filter((l) => /^pg_dump /.test(l));
    };

    before(async () => {
      pg = await startPostgres(engine, 15);
      await createRichDatabase(pg, 'rich', 'postgres', ROWS);
    });
    after(async () => {
      await pg?.remove();
    });

    it('`timeout` cuts a backup that waits on a lock: a message naming the timeout, no file, exit 1, no pg_dump left behind', async () => {
      await withDir(async (dir) => {
        await pg.sql('postgres', 'CREATE DATABASE slow');
        await pg.sql('slow', 'CREATE TABLE held (x int); INSERT INTO held VALUES (1)');
        // A session that holds the table so pg_dump (which takes ACCESS SHARE) waits on it.
        const holder = pg.runtime.exec(pg.name, ['psql', '-U', 'postgres', '-d', 'slow', '-c', 'BEGIN; LOCK TABLE held IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600);'], {
          env: { PGAPPNAME: 'lock-holder' },
        });
        try {
          await waitFor(async () => (await pg.sql('slow', "SELECT count(*) FROM pg_locks WHERE relation = 'held'::regclass AND mode = 'AccessExclusiveLock' AND granted")) === '1', 60_000);
          const cfg = await config(dir, 'slowp', 'slow', '    timeout: 30s\n');
          const started = Date.now();
          let finished = false;
          const running = runScript('backup', ['--config', cfg], { env }).finally(() => (finished = true));
          // The run really reached the database and its work waits on the lock (pg_dump's LOCK TABLE,
          // or the row count in the dump's snapshot): the timeout is what ends it.
          let waiting = false;
          let seen: string[] = [];
          let activity = '';
          await waitFor(async () => {
            activity = await pg.sql('postgres', "SELECT string_agg(concat_ws('/', application_name, wait_event_type, left(query, 40)), '; ') FROM pg_stat_activity WHERE datname = 'slow' AND application_name <> 'lock-holder'");
            waiting = /pgkeep[^/]*\/Lock\//.test(activity);
            if (/pgkeep[^/]*\/Lock\/LOCK TABLE/.test(activity)) seen = await pgDumps();
            return waiting || finished;
          }, 120_000);
          const r = await running;
          const took = Date.now() - started;
          assert.ok(waiting, `pgkeep was seen waiting on the held lock before the run ended (last seen in the server: ${activity || 'nothing'}): ${r.stderr}`);
          if (/LOCK TABLE/.test(activity)) assert.notDeepEqual(seen, [], 'the pg_dump process is visible in the container while it waits');
          assert.equal(r.code, 1, r.stderr);
          assert.match(r.stderr, /slowp\/production\/slow: .*timed out after 30 s \(the project's timeout\)/);
          assert.ok(took < 90_000, `the run ended ${took} ms after it started`);
          assert.equal(r.stdout, '');
          const left = await fs.readdir(path.join(dir, 'backups', 'slowp', 'production'));
          assert.deepEqual(left.filter((f) => !f.startsWith('.pgkeep.lock')), [], 'no backup file, no partial file, no manifest');
          // The lock is still held: whatever pgkeep started must be gone anyway, not waiting on it.
          await waitFor(async () => (await pgDumps()).length === 0, 10_000).catch(() => undefined);
          assert.deepEqual(await pgDumps(), [], 'no pg_dump left running in the container');
          assert.equal(await pg.sql('postgres', "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'pgkeep%' OR application_name = 'pg_dump'"), '0', 'no pgkeep session left in the server');
        } finally {
          await pg.sql('postgres', "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lock-holder'");
          await holder.catch(() => undefined);
        }
      });
    });

    it('scheduled-backup --concurrency 2 backs up every database, two at a time, each with a true manifest', async () => {
      await withDir(async (dir) => {
        const dbs = ['conc_a', 'conc_b', 'conc_c', 'conc_d'];
        for (const db of dbs) await pg.sql('postgres', `CREATE DATABASE ${db} TEMPLATE rich`);
        await writeConfig(dir, `
north:
  database: {container: ${pg.name}, user: postgres, databases: {production: [conc_a, conc_b]}}
south:
  database: {container: ${pg.name}, user: postgres, databases: {production: [conc_c, conc_d]}}
`);
        const r = await runScript('scheduled-backup', ['--config', path.join(dir, 'projects.yml'), '--concurrency', '2'], { env });
        assert.equal(r.code, 0, r.stderr);
        const files = r.stdout.split('\n').filter((l) => l.startsWith('/')).sort();
        assert.equal(files.length, 4, r.stdout);
        assert.equal(new Set(files).size, 4, 'distinct files');
        const manifests = await Promise.all(files.map(readManifest));
        assert.deepEqual(manifests.map((m) => m.database).sort(), dbs);
        for (const [n, m] of manifests.entries()) {
          assert.equal(m.reason, 'scheduled');
          assert.equal(m.size, (await fs.stat(files[n]!)).size);
          assert.equal(m.sha256, await sha256(files[n]!));
          assert.equal(m.row_counts, 'exact');
          assert.deepEqual(counts(m), EXPECTED_COUNTS);
        }
        // At most two at once, and two did run at once.
        const spans = manifests.map((m) => [Date.parse(m.started_at), Date.parse(m.finished_at)] as const);
        const busiest = Math.max(...spans.map(([s]) => spans.filter(([a, b]) => a <= s && s < b).length));
        assert.equal(busiest, 2, JSON.stringify(spans));
      });
    });

    it('password_file: the password in the file is what lets pgkeep in; a wrong one fails naming the container and database', async () => {
      await withDir(async (dir) => {
        const secret = 'file-S3cret';
        await pg.sql('postgres', `CREATE ROLE pwuser LOGIN CREATEDB PASSWORD '${secret}'`);
        await pg.sql('postgres', `CREATE DATABASE pwdb OWNER pwuser TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
        await pg.sql('pwdb', "SET ROLE pwuser; CREATE TABLE notes (id int, body text); INSERT INTO notes VALUES (1, 'ünïcode'), (2, 'two')");
        // Password authentication on the local socket for this role only, so the password is needed.
        const hba = await pg.runtime.exec(pg.name, ['sh', '-c', `printf 'local all pwuser scram-sha-256\\n' | cat - "$PGDATA/pg_hba.conf" > /tmp/hba && cat /tmp/hba > "$PGDATA/pg_hba.conf"`]);
        assert.equal(hba.exitCode, 0, hba.stderr);
        await pg.sql('postgres', 'SELECT pg_reload_conf()');
        await fs.writeFile(path.join(dir, 'pw'), `${secret}\n`, { mode: 0o600 });
        await fs.writeFile(path.join(dir, 'wrong'), 'not-the-password\n', { mode: 0o600 });

        const wrong = await runScript('backup', ['--config', await config(dir, 'pw', 'pwdb', '    password_file: ./wrong\n', 'pwuser')], { env });
        assert.equal(wrong.code, 1, wrong.stderr);
        assert.match(wrong.stderr, new RegExp(`database "pwdb" as user "pwuser" in container "${pg.name}": .*password authentication failed for user "pwuser"`));
        assert.equal(wrong.stdout, '');

        const cfg = await config(dir, 'pw', 'pwdb', '    password_file: ./pw\n', 'pwuser');
        const ok = await runScript('backup', ['--config', cfg], { env });
        assert.equal(ok.code, 0, ok.stderr);
        assert.deepEqual(counts(await readManifest(ok.stdout.trim())), { 'public.notes': 2 });
        // Restore connects the same way: a copy as the same role holds the same rows.
        const r = await runScript('restore', ['--config', cfg, '--backup', 'latest', '--target-db', 'pwdb_copy', '--yes'], { env });
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(await tableHashes(pg, 'pwdb_copy'), await tableHashes(pg, 'pwdb'));
        for (const text of [ok.stderr, ok.stdout, r.stderr, wrong.stderr, await fs.readFile(`${ok.stdout.trim()}.json`, 'utf8')]) assert.ok(!text.includes(secret));
      });
    });

    for (const mode of ['estimate', 'off'] as const) {
      it(`row_counts: ${mode} is recorded in the manifest; restore and verify compare the tables, not the counts`, async () => {
        await withDir(async (dir) => {
          const db = `rc_${mode}`;
          await pg.sql('postgres', `CREATE DATABASE ${db} TEMPLATE rich`);
          await pg.sql(db, 'ANALYZE');
          const original = await tableHashes(pg, db);
          const cfg = await config(dir, 'rc', db, `    row_counts: ${mode}\n`);
          const b = await runScript('backup', ['--config', cfg], { env });
          assert.equal(b.code, 0, b.stderr);
          const file = b.stdout.trim();
          const m = await readManifest(file);
          assert.equal(m.row_counts, mode);
          assert.deepEqual(Object.keys(counts(m)).sort(), Object.keys(EXPECTED_COUNTS).sort());
          if (mode === 'off') {
            assert.ok(m.tables.every((t) => t.rows === null), 'no counts at all');
            assert.doesNotMatch(b.stderr, /rows/);
          } else {
            const orders = counts(m)['shop.orders']!;
            assert.ok(orders > ROWS * 0.8 && orders < ROWS * 1.2, `planner estimate ${orders} for ${EXPECTED_COUNTS['shop.orders']} rows`);
            assert.match(b.stderr, /rows \(estimated\)/);
          }

          await pg.sql(db, "DELETE FROM shop.orders WHERE id < 1000; UPDATE shop.customers SET city = NULL");
          const r = await runScript('restore', ['--config', cfg, '--backup', 'latest', '--yes', '--drop-old'], { env });
          assert.equal(r.code, 0, r.stderr);
          assert.deepEqual(await tableHashes(pg, db), original);
          assert.doesNotMatch(r.stderr, /every table's row count matches/);
          assert.match(r.stderr, mode === 'estimate' ? /tables match \(counts were estimates\)/ : /tables match \(row_counts: off/);

          const v = await runScript('verify', ['--config', cfg], { env });
          assert.equal(v.code, 0, v.stderr);
          assert.match(v.stdout, mode === 'estimate' ? /ok \(estimates: tables only\)/ : /ok \(tables only\)/);
          // A count far off is not a failure with estimates, but a missing table always is.
          const tampered = { ...m, tables: m.tables.map((t) => (t.name === 'orders' ? { ...t, rows: 1 } : t)) };
          await fs.writeFile(`${file}.json`, JSON.stringify(tampered));
          assert.equal((await runScript('verify', ['--config', cfg], { env })).code, 0);
          await fs.writeFile(`${file}.json`, JSON.stringify({ ...m, tables: m.tables.filter((t) => t.name !== 'customers') }));
          const bad = await runScript('verify', ['--config', cfg], { env });
          assert.equal(bad.code, 1, bad.stderr);
          assert.match(bad.stdout.replace(/[│\s]+/g, ' '), /FAILED: the restored copy does not match the backup: table shop\.customers is not in the backup/);
        });
      });
    }
  });
}

async function waitFor(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
