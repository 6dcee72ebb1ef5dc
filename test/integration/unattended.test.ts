// Unattended operation on real engines: scheduled runs with failures and alerts, locks, pre-deploy,
// metrics.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Manifest } from '../../lib/backup/manifest.ts';
import { acquireLock } from '../../lib/files/lock.ts';
import { testEngines } from '../support/engines.ts';
import { startPostgres, type PgContainer } from '../support/pg-container.ts';
import { runScript } from '../support/run-script.ts';
import { copyDatabase, dropDatabasesAfter, testId } from '../support/test-databases.ts';
import { testTempDir, writeConfig } from '../support/tempdir.ts';
import { startWebhook } from '../support/webhook.ts';

interface Received {
  text: string;
  status: string;
  databases: Array<{ project: string; ok: boolean; error?: string }>;
}

for (const engine of testEngines()) {
  describe(`unattended operation on ${engine.name}`, () => {
    // Shared: one server whose databases the cases only read (the one case that restores has its
    // own), and one stopped server. Each case has its own directory, config and webhook receiver.
    let pg: PgContainer;
    let stopped: PgContainer;
    const env = { DOCKER_HOST: engine.socket };

    before(async () => {
      [pg, stopped] = await Promise.all([startPostgres(engine, 15), startPostgres(engine, 15, 'pgkeep-stopped')]);
      await stopped.stop();
      for (const db of ['app', 'blog']) await pg.sql('postgres', `CREATE DATABASE ${db} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
      await pg.sql('app', 'CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 2000) g');
    });
    after(async () => {
      await Promise.all([pg?.remove(), stopped?.remove()]);
    });

    const config = (url: string, appDb: string) => `
defaults:
  notify: {webhook_url: "${url}", on: [failure]}
  metrics: {textfile: ./metrics/pgkeep.prom}
app:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: ${appDb}}
    backup: {enabled: true, keep_last: 3}
blog:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: blog}
down:
  database:
    container: ${stopped.name}
    user: postgres
    databases: {production: down}
`;

    /** A directory, config and webhook receiver of its own; `dir` is project app's backup directory. */
    const fixture = async (t: TestContext, appDb = 'app') => {
      const tmp = await testTempDir(t);
      const received: Received[] = [];
      const hook = await startWebhook<Received>((body) => received.push(body));
      t.after(hook.close);
      const cfg = await writeConfig(tmp.dir, config(hook.url, appDb));
      const backupApp = async () => {
        const r = await runScript('backup', ['--config', cfg, '--project', 'app'], { env });
        assert.equal(r.code, 0, r.stderr);
      };
      return { root: tmp.dir, cfg, received, dir: path.join(tmp.dir, 'backups', 'app', 'production'), backupApp };
    };

    it('a scheduled run with a stopped container exits 3, summarises and posts to the webhook', async (t) => {
      const { cfg, received } = await fixture(t);
      const r = await runScript('scheduled-backup', ['--config', cfg], { env });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stdout, /app\/production\/app\s*│?\s*ok/);
      assert.match(r.stdout, /down\/production\/down\s*│?\s*FAILED.*is not running/);
      assert.match(r.stdout, /partial: 2 ok, 1 failed/);
      assert.match(r.stderr, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z /m, 'cron-friendly timestamped lines');
      assert.match(r.stderr, /pruning skipped/);
      assert.equal(received.length, 1);
      assert.equal(received[0]!.status, 'partial');
      assert.match(received[0]!.text, /1 of 3 database backup\(s\) FAILED/);
      assert.deepEqual(received[0]!.databases.filter((d) => !d.ok).map((d) => d.project), ['down']);
    });

    it('runs the notify command with the result in its environment; a failing webhook never fails the run', async (t) => {
      const tmp = await testTempDir(t);
      const out = path.join(tmp.dir, 'notified.txt');
      const cfg = await writeConfig(tmp.dir, `
ok:
  database:
    container: ${pg.name}
    user: postgres
    databases: {production: app}
    notify:
      webhook_url: "http://127.0.0.1:9/unreachable"
      command: printf '%s %s' "$PGKEEP_STATUS" "$(printf '%s' "$PGKEEP_REPORT" | head -c 1)" > '${out}'
      on: [failure, success]
`);
      const r = await runScript('scheduled-backup', ['--config', cfg], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /warning: notification webhook to http:\/\/127\.0\.0\.1:9 failed: .*the run's result is unaffected/);
      assert.equal(await fs.readFile(out, 'utf8'), 'success {');
    });

    it('writes metrics that parse as Prometheus text format', async (t) => {
      const { root, cfg } = await fixture(t);
      // The run that writes them: app and blog back up, down fails.
      const run = await runScript('scheduled-backup', ['--config', cfg], { env });
      assert.equal(run.code, 3, run.stderr);
      const text = await fs.readFile(path.join(root, 'metrics', 'pgkeep.prom'), 'utf8');
      const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\} (-?[0-9.e+]+)$/;
      for (const line of text.trim().split('\n')) {
        if (line.startsWith('#')) assert.match(line, /^# (HELP|TYPE) pgkeep_\w+ .+$/);
        else assert.match(line, sample, line);
      }
      assert.match(text, /pgkeep_last_success_timestamp_seconds\{project="app",env="production",database="app"\} \d+/);
      assert.match(text, /pgkeep_last_size_bytes\{project="blog",env="production",database="blog"\} \d+/);
      assert.doesNotMatch(text, /database="down"/);
    });

    it('dry run lists what would be backed up and pruned, and changes nothing', async (t) => {
      const { cfg, dir, backupApp } = await fixture(t);
      await backupApp(); // the existing backup the plan keeps as "last 2 of 3"
      const before = (await fs.readdir(dir)).sort();
      const r = await runScript('scheduled-backup', ['--config', cfg, '--dry-run'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /would back up app\/production\/app from container/);
      assert.match(r.stdout, /the backup about to be taken.*keep.*last 1 of 3/);
      assert.match(r.stdout, /app_\d{8}_\d{6}\.dump.*keep.*last 2 of 3/);
      assert.deepEqual((await fs.readdir(dir)).sort(), before);
    });

    it('overlapping runs on one target: the second exits 4 naming the holder; other targets run', async (t) => {
      const { cfg, dir } = await fixture(t);
      const lock = await acquireLock(dir, 'app/production');
      try {
        const blocked = await runScript('backup', ['--config', cfg, '--project', 'app'], { env });
        assert.equal(blocked.code, 4, blocked.stderr);
        assert.match(blocked.stderr, new RegExp(`app/production is locked by another pgkeep run: PID ${process.pid} on \\S+, started \\S+Z, running "`));
        const other = await runScript('backup', ['--config', cfg, '--project', 'blog'], { env });
        assert.equal(other.code, 0, other.stderr);
        // Released once the run says it waits, not after a guessed delay: a slow start would miss it.
        let said = '';
        const onSpawn = (c: { stderr: NodeJS.ReadableStream | null }) =>
          c.stderr?.on('data', (d: Buffer) => {
            said += d.toString();
            if (/waiting for the lock/.test(said)) void lock.release();
          });
        const waited = runScript('backup', ['--config', cfg, '--project', 'app', '--lock-wait', '120'], { env, onSpawn });
        const w = await waited;
        assert.equal(w.code, 0, w.stderr);
        assert.match(w.stderr, /waiting for the lock on app\/production/);
      } finally {
        await lock.release();
      }
    });

    it('two real runs at once on the same target: one waits or exits 4, never both writing', async (t) => {
      const { cfg, dir } = await fixture(t);
      const runs = await Promise.all([1, 2].map(() => runScript('backup', ['--config', cfg, '--project', 'app'], { env })));
      const said = runs.map((r) => r.stderr).join('\n');
      t.diagnostic(`exit codes of the two runs: ${runs.map((r) => r.code).join(' and ')}`);
      // Which run takes the lock is the race, and so is whether the other still finds it held (it
      // may start after the first is done): each outcome is checked, none is assumed.
      for (const r of runs) {
        if (r.code === 4) {
          assert.match(r.stderr, /app\/production is locked by another pgkeep run/);
          assert.equal(r.stdout, '', 'a refused run writes nothing');
        } else {
          assert.equal(r.code, 0, said);
        }
      }
      const written = runs.filter((r) => r.code === 0).map((r) => path.basename(r.stdout.trim()));
      assert.ok(written.length >= 1, `one of them backs up: ${said}`);
      const onDisk = (await fs.readdir(dir)).filter((n) => /^app_\d{8}_\d{6}\.dump$/.test(n)).sort();
      assert.deepEqual(onDisk, [...written].sort(), 'one file for each run that succeeded, each its own, and no other');
      assert.deepEqual((await fs.readdir(dir)).filter((n) => n.endsWith('.partial')), []);
      // Never both writing: the dumps of two runs that both succeeded do not overlap in time.
      const spans = await Promise.all(written.map(async (f) => JSON.parse(await fs.readFile(path.join(dir, `${f}.json`), 'utf8')) as Manifest));
      const [first, second] = spans.map((m) => [Date.parse(m.started_at), Date.parse(m.finished_at)] as const).sort((a, b) => a[0] - b[0]);
      if (second) assert.ok(first![1] <= second[0], `the second dump started after the first ended: ${JSON.stringify(spans.map((m) => [m.started_at, m.finished_at]))}`);
    });

    it('a stale lock whose holder is gone is taken over with a warning', async (t) => {
      const { cfg, dir } = await fixture(t);
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const lock = path.join(dir, '.pgkeep.lock');
      await fs.writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), started_at: '2026-01-01T00:00:00Z', command: 'crashed' }));
      const r = await runScript('backup', ['--config', cfg, '--project', 'app'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /taking over a stale lock on app\/production/);
      await assert.rejects(fs.access(lock), 'the lock is released on exit');
    });

    it('pre-deploy prints exactly the paths on stdout, logs the deployment, and BACKUP=pre-deploy finds it', async (t) => {
      // The restore at the end replaces the live database: this case's own copy of app.
      const id = testId();
      const db = `app_${id}`;
      dropDatabasesAfter(t, id, pg);
      await copyDatabase(pg, 'app', db);
      const { cfg, dir } = await fixture(t, db);
      const r = await runScript('pre-deploy', ['--config', cfg, '--project', 'app', '--env', 'production', '--label', 'abc123'], { env });
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split('\n').filter(Boolean);
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, new RegExp(`^/\\S+/${db}_\\d{8}_\\d{6}\\.dump$`));
      assert.equal(JSON.parse(await fs.readFile(`${lines[0]}.json`, 'utf8')).label, 'abc123');
      const log = (await fs.readFile(path.join(dir, 'deployments.jsonl'), 'utf8')).trim().split('\n');
      const rec = JSON.parse(log.at(-1)!);
      assert.deepEqual([rec.label, rec.backups, rec.host], ['abc123', lines, os.hostname()]);
      const d = await runScript('deployments', ['--config', cfg, '--project', 'app'], { env });
      assert.match(d.stdout, /abc123/);
      const restore = await runScript('restore', ['--config', cfg, '--project', 'app', '--backup', 'pre-deploy', '--label', 'abc123', '--yes'], { env });
      assert.equal(restore.code, 0, restore.stderr);
      assert.match(restore.stdout, new RegExp(`holds backup ${/_(\d{8}_\d{6})\.dump$/.exec(lines[0]!)![1]}`));
    });

    it('pre-deploy exits non-zero and prints no path when the backup fails', async (t) => {
      const { cfg } = await fixture(t);
      const r = await runScript('pre-deploy', ['--config', cfg, '--project', 'down', '--env', 'production'], { env });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, '');
    });

    it('prune removes by keep_last, with a dry run first, and says why', async (t) => {
      const { cfg, dir, backupApp } = await fixture(t);
      for (let i = 0; i < 4; i++) await backupApp(); // one more than keep_last: 3
      const count = async () => (await fs.readdir(dir)).filter((n) => /^app_\d{8}_\d{6}\.dump$/.test(n)).length;
      const before = await count();
      assert.ok(before > 3, `enough backups to prune (${before})`);
      const dry = await runScript('prune', ['--config', cfg, '--project', 'app', '--dry-run'], { env });
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /would remove.*kept by no rule/);
      assert.equal(await count(), before);
      const r = await runScript('prune', ['--config', cfg, '--project', 'app'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.ok((await count()) < before);
      assert.ok((await count()) >= 3);
    });
  });
}
